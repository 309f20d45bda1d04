package dockerfile_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/dockerfile"
	"github.com/threatls/threatls/model"
)

// TestFix runs the fix named in the first line of each testdata/fix/*.Dockerfile
// (`# fix: . {op as JSON}`) on the file's image and compares the result with the .golden
// file; the result must still read as a Dockerfile without problems it did not have.
func TestFix(t *testing.T) {
	a := dockerfile.New()
	for _, c := range analyzertest.FixCases(t, filepath.Join("testdata", "fix", "*.Dockerfile")) {
		t.Run(filepath.Base(c.Path), func(t *testing.T) {
			file := filepath.Base(c.Path)
			ff := analyzertest.Extract(t, a, file, c.Src)
			if len(ff.Elements) != 1 {
				t.Fatalf("%d elements", len(ff.Elements))
			}
			edits, err := a.Fix(c.Src, ff.Elements[0], c.Op)
			if err != nil {
				t.Fatal(err)
			}
			got := analyzertest.Apply(t, c.Src, edits)
			analyzertest.Golden(t, c.Path, got)
			after := analyzertest.Extract(t, a, file, got)
			if len(after.Elements) != 1 || len(after.Problems) != len(ff.Problems) {
				t.Errorf("the fixed file reads as %d elements with problems %v", len(after.Elements), after.Problems)
			}
		})
	}
}

// TestFixRefuses checks the fixes that cannot be carried out: an op other than set and
// replace, an instruction set does not handle, a replace that finds nothing to change.
func TestFixRefuses(t *testing.T) {
	a := dockerfile.New()
	src := []byte("FROM debian:12.7\nRUN apt-get install --no-install-recommends -y curl\n")
	el := analyzertest.Extract(t, a, "Dockerfile", src).Elements[0]
	if _, err := a.Fix(src, el, model.FixOp{Op: "append", Text: "x"}); !errors.Is(err, analyzers.ErrNoFix) {
		t.Errorf("append: %v, want ErrNoFix", err)
	}
	if _, err := a.Fix(src, el, model.FixOp{Op: "set", Path: "EXPOSE", Value: "80"}); err == nil {
		t.Error("set EXPOSE: no error")
	}
	el.Attrs.Set("x", model.Attr{Value: true, Origin: model.Read, Span: model.Span{File: "Dockerfile", Start: model.Pos{Offset: 17}}})
	if _, err := a.Fix(src, el, model.FixOp{Op: "replace", Path: "x", Old: "apt-get install", New: "apt-get install --no-install-recommends"}); err == nil {
		t.Error("replace with nothing to change: no error")
	}
}
