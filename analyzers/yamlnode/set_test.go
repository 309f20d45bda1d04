package yamlnode

import (
	"strings"
	"testing"
)

// TestSet checks what the fixes of several formats rely on: selecting list items by a key's
// value, replacing a one-line flow collection, and refusing what it cannot edit safely.
func TestSet(t *testing.T) {
	src := "steps:\n  - uses: actions/checkout@v4\n  - run: make\n  - uses: actions/checkout@abc\n    with: {path: x}\nlabels: [a, \"b]\", {c: d}]\nmulti: [a,\n  b]\n"
	docs, _ := Parse([]byte(src), "f.yaml")
	root := docs[0].Root
	apply := func(path, value string) (string, error) {
		edits, err := Set([]byte(src), "f.yaml", root, path, value)
		if err != nil {
			return "", err
		}
		out := src
		for i := len(edits) - 1; i >= 0; i-- {
			e := edits[i]
			out = out[:e.Start] + e.NewText + out[e.End:]
		}
		return out, nil
	}
	got, err := apply("steps[uses=actions/checkout@v4].with.persist-credentials", "false")
	if err != nil || !strings.Contains(got, "  - uses: actions/checkout@v4\n    with:\n      persist-credentials: false\n  - run: make") {
		t.Errorf("selector: %v\n%s", err, got)
	}
	if got, err := apply("labels", "none"); err != nil || !strings.Contains(got, "labels: none\nmulti:") {
		t.Errorf("flow list: %v\n%s", err, got)
	}
	for path, want := range map[string]string{
		"steps[uses=actions/setup-go@*].with.go": "no item of steps has uses actions/setup-go@*",
		"steps[uses=actions/checkout@*].with.x":  "flow-style map",
		"multi":                                  "not a scalar",
		"steps[=x].a":                            "bad index",
	} {
		if _, err := apply(path, "1"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", path, err, want)
		}
	}
}
