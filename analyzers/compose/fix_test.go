package compose_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/compose"
	"github.com/threatls/threatls/model"
)

// element extracts src as file and returns its element called name.
func element(t *testing.T, file string, src []byte, name string) *model.Element {
	t.Helper()
	a := compose.New()
	for _, e := range a.Link([]*model.FileFacts{analyzertest.Extract(t, a, file, src)}) {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("no element %s", name)
	return nil
}

// TestFix runs the fix named in the first line of each testdata/fix/*.yaml
// (`# fix: ELEMENT {op as JSON}`) and compares the result with the .golden file; the fixed
// file must read back with the fixed value.
func TestFix(t *testing.T) {
	for _, c := range analyzertest.FixCases(t, filepath.Join("testdata", "fix", "*.yaml")) {
		t.Run(filepath.Base(c.Path), func(t *testing.T) {
			el := element(t, "compose.yaml", c.Src, c.Element)
			edits, err := compose.New().Fix(c.Src, el, c.Op)
			if err != nil {
				t.Fatal(err)
			}
			got := analyzertest.Apply(t, c.Src, edits)
			analyzertest.Golden(t, c.Path, got)
			again, err := compose.New().Fix(got, element(t, "compose.yaml", got, c.Element), c.Op)
			if err != nil || len(again) != 0 {
				t.Errorf("a second run changes the file again: %v %v", again, err)
			}
		})
	}
}

func TestFixRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, src, el string
		op            model.FixOp
		want          string
	}{
		{"flow mapping", "services:\n  web: {image: nginx}\n", "web",
			model.FixOp{Op: "set", Path: "read_only", Value: "true"}, "not a block mapping"},
		{"inherited nested", "x: &d\n  deploy:\n    replicas: 2\nservices:\n  web:\n    <<: *d\n    image: nginx\n", "web",
			model.FixOp{Op: "set", Path: "deploy.resources.limits.cpus", Value: `"1"`}, "comes from a merge key"},
		{"collection", "services:\n  web:\n    image: nginx\n    ports: [\"80:80\"]\n", "web",
			model.FixOp{Op: "set", Path: "ports", Value: "[]"}, "is a collection"},
		{"append", "services:\n  web:\n    image: nginx\n", "web",
			model.FixOp{Op: "append", Text: "x: 1"}, "not supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := []byte(tc.src)
			_, err := compose.New().Fix(src, element(t, "compose.yaml", src, tc.el), tc.op)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one that says %q", err, tc.want)
			}
		})
	}
}
