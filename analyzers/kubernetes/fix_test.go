package kubernetes_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/kubernetes"
	"github.com/threatls/threatls/model"
)

var update = flag.Bool("update", false, "rewrite the .golden files of testdata/fix")

// apply applies non-overlapping edits to src.
func apply(t *testing.T, src []byte, edits []model.TextEdit) []byte {
	t.Helper()
	sort.Slice(edits, func(i, j int) bool { return edits[i].Start > edits[j].Start })
	out := append([]byte(nil), src...)
	for i, e := range edits {
		if e.Start < 0 || e.End < e.Start || e.End > len(out) || i > 0 && e.End > edits[i-1].Start {
			t.Fatalf("edit [%d,%d) out of range or overlapping", e.Start, e.End)
		}
		out = append(out[:e.Start], append([]byte(e.NewText), out[e.End:]...)...)
	}
	return out
}

// element extracts and links src alone and returns the element with the given ID.
func element(t *testing.T, file string, src []byte, id string) *model.Element {
	t.Helper()
	a := kubernetes.New()
	ff := analyzertest.Extract(t, a, file, src)
	for _, e := range a.Link([]*model.FileFacts{ff}) {
		if e.ID == id {
			return e
		}
	}
	t.Fatalf("no element %s", id)
	return nil
}

// TestFix runs the fix named in the first line of each testdata/fix/*.yaml
// (`# fix: ELEMENT-ID {op as JSON}`) and compares the result with the .golden file.
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
			id, opJSON, ok := strings.Cut(strings.TrimPrefix(first, "# fix: "), " ")
			if !ok {
				t.Fatalf("first line must be # fix: ELEMENT-ID {op}")
			}
			var op model.FixOp
			if err := json.Unmarshal([]byte(opJSON), &op); err != nil {
				t.Fatal(err)
			}
			el := element(t, filepath.Base(f), src, id)
			edits, err := kubernetes.New().Fix(src, el, op)
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
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
			// The result still parses, and the element is still there.
			element(t, filepath.Base(f), got, id)
		})
	}
}

func TestFixErrors(t *testing.T) {
	src := []byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: [{name: c, image: x}]\n  volumes:\n    - name: v\n")
	el := element(t, "p.yaml", src, "kubernetes:default/Pod/p")
	for _, tc := range []struct {
		op   model.FixOp
		want string
	}{
		{model.FixOp{Op: "append", Text: "x"}, "no mechanical append for Kubernetes yet"},
		{model.FixOp{Op: "set", Path: "spec.containers[0].securityContext.runAsNonRoot", Value: "true"}, "flow-style map"},
		{model.FixOp{Op: "set", Path: "spec.initContainers[0].image", Value: "x"}, "no list initContainers"},
		{model.FixOp{Op: "set", Path: "spec.volumes[3].name", Value: "x"}, "has no item 3"},
		{model.FixOp{Op: "set", Path: "spec.volumes", Value: "x"}, "not a scalar"},
		{model.FixOp{Op: "set", Path: "spec..x", Value: "x"}, "empty key"},
		{model.FixOp{Op: "set", Path: "spec.x", Value: ""}, "one-line value"},
	} {
		_, err := kubernetes.New().Fix(src, el, tc.op)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want %q", tc.op, err, tc.want)
		}
	}
}
