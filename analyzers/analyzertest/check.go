package analyzertest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/model"
)

// LinkKeeps checks the Link of a format whose files stand alone: for the workspace at root it
// returns the facts' own elements, pointer for pointer and in file order, and nothing of nil
// facts or of facts of another format.
func LinkKeeps(t *testing.T, a analyzers.Analyzer, root string) {
	t.Helper()
	facts, _ := Workspace(t, a, root)
	var want []*model.Element
	for _, f := range facts {
		want = append(want, f.Elements...)
	}
	if len(want) == 0 {
		t.Fatalf("%s has no element", root)
	}
	other := &model.FileFacts{File: "other", Format: "other", Elements: []*model.Element{{ID: "other:x"}}}
	got := a.Link(append(slices.Clip(facts), other, nil))
	if len(got) != len(want) {
		t.Fatalf("Link returned %d elements, the facts hold %d", len(got), len(want))
	}
	for i, e := range want {
		if got[i] != e {
			t.Errorf("Link element %d is not the facts' element %s", i, e.ID)
		}
	}
}

// Inside checks that everything the facts ff of src and the elements els linked from them
// point at lies inside src: elements' spans and heads, attributes' spans, problems. A fuzz
// test calls it on every input.
func Inside(t testing.TB, src []byte, ff *model.FileFacts, els []*model.Element) {
	t.Helper()
	in := func(sp model.Span) bool {
		return sp.File == ff.File && 0 <= sp.Start.Offset && sp.Start.Offset <= sp.End.Offset && int(sp.End.Offset) <= len(src)
	}
	for _, e := range els {
		if !in(e.Span) || !in(e.Head) {
			t.Fatalf("%s spans %+v, head %+v", e.ID, e.Span, e.Head)
		}
		for n, at := range e.Attrs.All() {
			if !in(at.Span) {
				t.Fatalf("%s.%s spans %+v", e.ID, n, at.Span)
			}
		}
	}
	for _, p := range ff.Problems {
		if !in(p.Span) || p.Message == "" {
			t.Fatalf("problem %q spans %+v", p.Message, p.Span)
		}
	}
}

// Seeds adds the files that patterns match to the corpus of f. Patterns that match no file
// fail the test.
func Seeds(f *testing.F, patterns ...string) {
	f.Helper()
	n := 0
	for _, p := range patterns {
		files, err := filepath.Glob(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			src, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
			n++
		}
	}
	if n == 0 {
		f.Fatalf("no seed file matches %v", patterns)
	}
}
