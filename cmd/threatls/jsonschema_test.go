package main

import (
	"path/filepath"
	"testing"

	"github.com/xeipuuv/gojsonschema"
)

// docSchemaErrors validates doc against a schema of docs/.
func docSchemaErrors(t *testing.T, schema string, doc []byte) []string {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("..", "..", "docs", schema))
	if err != nil {
		t.Fatal(err)
	}
	res, err := gojsonschema.Validate(gojsonschema.NewReferenceLoader("file://"+filepath.ToSlash(path)),
		gojsonschema.NewBytesLoader(doc))
	if err != nil {
		t.Fatalf("%s: %v", schema, err)
	}
	var out []string
	for _, e := range res.Errors() {
		out = append(out, e.String())
	}
	return out
}

// TestJSONSchema holds the JSON outputs to their documented schemas (docs/json.md): a scan of
// the example (register entries, tentative findings, paths), of bad input (meta findings, a
// skipped file), and a diff.
func TestJSONSchema(t *testing.T) {
	for _, args := range [][]string{
		{"scan", "--format", "json", shop},
		{"scan", "--format", "json", "testdata/ws"},
		{"scan", "--format", "json", filepath.Join("..", "..", "engine", "testdata", "register")},
	} {
		out, err := run(t, args...)
		if exitCode(err) == 2 {
			t.Fatal(err)
		}
		for _, e := range docSchemaErrors(t, "scan.schema.json", []byte(out)) {
			t.Errorf("%v: %s", args, e)
		}
	}
	dir := shopHistory(t)
	out, err := run(t, "diff", "--format", "json", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range docSchemaErrors(t, "diff.schema.json", []byte(out)) {
		t.Errorf("diff: %s", e)
	}
}
