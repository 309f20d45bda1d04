package compose_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/compose"
	"github.com/threatls/threatls/model"
)

var update = flag.Bool("update", false, "rewrite the .golden files of testdata/fix")

// apply applies non-overlapping edits to src.
func apply(t *testing.T, src []byte, edits []model.TextEdit) []byte {
	t.Helper()
	sort.Slice(edits, func(i, j int) bool { return edits[i].Start > edits[j].Start })
	out := append([]byte(nil), src...)
	for _, e := range edits {
		if e.Start < 0 || e.End < e.Start || e.End > len(out) {
			t.Fatalf("edit [%d,%d) out of range", e.Start, e.End)
		}
		out = append(out[:e.Start], append([]byte(e.NewText), out[e.End:]...)...)
	}
	return out
}

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
	files, _ := filepath.Glob(filepath.Join("testdata", "fix", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no fix testdata")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(src), "\n")
			name, opJSON, ok := strings.Cut(strings.TrimPrefix(first, "# fix: "), " ")
			if !ok {
				t.Fatalf("first line %q is not # fix: ELEMENT {op}", first)
			}
			var op model.FixOp
			if err := json.Unmarshal([]byte(opJSON), &op); err != nil {
				t.Fatal(err)
			}
			el := element(t, "compose.yaml", src, name)
			edits, err := compose.New().Fix(src, el, op)
			if err != nil {
				t.Fatal(err)
			}
			got := apply(t, src, edits)
			golden := f + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("fixed file:\n%s\nwant:\n%s", got, want)
			}
			again, err := compose.New().Fix(got, element(t, "compose.yaml", got, name), op)
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
