package analyzertest

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/model"
)

var update = flag.Bool("update", false, "rewrite the .golden files of fix tests")

// FixCase is one file of a fix test: a fix to carry out on one of its elements, named on the
// file's first line as `# fix: ELEMENT {op as JSON}`.
type FixCase struct {
	Path    string // the file, as pattern matched it
	Src     []byte
	Element string // how the test finds the element: a name or an ID
	Op      model.FixOp
}

// FixCases reads the files that pattern (testdata/fix/*.yaml) matches; none, or a first line
// that names no fix, fails the test.
func FixCases(t *testing.T, pattern string) []FixCase {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no fix testdata matches %s", pattern)
	}
	var out []FixCase
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(src), "\n")
		el, opJSON, ok := strings.Cut(strings.TrimPrefix(first, "# fix: "), " ")
		if !ok || !strings.HasPrefix(first, "# fix: ") {
			t.Fatalf("%s: first line %q is not `# fix: ELEMENT {op}`", f, first)
		}
		c := FixCase{Path: f, Src: src, Element: el}
		if err := json.Unmarshal([]byte(opJSON), &c.Op); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, c)
	}
	return out
}

// Apply applies edits to src; an edit out of range, or overlapping another, fails the test.
func Apply(t testing.TB, src []byte, edits []model.TextEdit) []byte {
	t.Helper()
	edits = append([]model.TextEdit(nil), edits...)
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].Start > edits[j].Start })
	out := append([]byte(nil), src...)
	for i, e := range edits {
		if e.Start < 0 || e.End < e.Start || e.End > len(out) || i > 0 && e.End > edits[i-1].Start {
			t.Fatalf("edit [%d,%d) out of range or overlapping", e.Start, e.End)
		}
		out = append(out[:e.Start], append([]byte(e.NewText), out[e.End:]...)...)
	}
	return out
}

// Golden compares got with the file path + ".golden", which go test -update rewrites first.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	golden := path + ".golden"
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
		t.Errorf("fixed file differs from %s:\n--- got\n%s\n--- want\n%s", golden, got, want)
	}
}

// NoFix checks that a carries out no fix on el, an element of src: Fix returns no edit and an
// error wrapping analyzers.ErrNoFix.
func NoFix(t testing.TB, a analyzers.Analyzer, src []byte, el *model.Element) {
	t.Helper()
	edits, err := a.Fix(src, el, model.FixOp{Op: "set", Path: "x", Value: "1"})
	if edits != nil || !errors.Is(err, analyzers.ErrNoFix) {
		t.Errorf("Fix = %v, %v; want no edit and analyzers.ErrNoFix", edits, err)
	}
}
