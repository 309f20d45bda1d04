package terraform_test

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/analyzers/terraform"
	"github.com/threatls/threatls/engine/corpus"
	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

func link(t *testing.T, file string, src []byte) (*model.FileFacts, map[string]*model.Element) {
	t.Helper()
	ff := extractSrc(t, file, src)
	els := map[string]*model.Element{}
	for _, e := range terraform.New().Link([]*model.FileFacts{ff}) {
		els[e.Name] = e
	}
	return ff, els
}

// TestFix runs the fix named in the first line of each testdata/fix/*.tf
// (`# fix: ELEMENT {op as JSON}`) and compares the result with the .golden file.
func TestFix(t *testing.T) {
	for _, c := range analyzertest.FixCases(t, filepath.Join("testdata", "fix", "*.tf")) {
		t.Run(filepath.Base(c.Path), func(t *testing.T) {
			src, name, op := c.Src, c.Element, c.Op
			file := "fix/" + filepath.Base(c.Path)
			_, els := link(t, file, src)
			el := els[name]
			if el == nil {
				t.Fatalf("no element %s", name)
			}
			edits, err := terraform.New().Fix(src, el, op)
			if err != nil {
				t.Fatal(err)
			}
			top := topBlock(el.Span, els)
			for _, e := range edits {
				if e.File != file {
					t.Errorf("edit of %s, want %s", e.File, file)
				}
				inside := e.Start >= int(top.Start.Offset) && e.End <= int(top.End.Offset)
				if op.Op == "append" {
					inside = e.Start == int(top.End.Offset) && e.End == e.Start
				}
				if !inside {
					t.Errorf("edit [%d,%d) leaves the element's block [%d,%d)", e.Start, e.End, top.Start.Offset, top.End.Offset)
				}
			}
			got := analyzertest.Apply(t, src, edits)
			analyzertest.Golden(t, c.Path, got)
			// The fixed file parses and says what the fix meant.
			ff, els2 := link(t, file, got)
			if len(ff.Problems) > 0 {
				t.Fatalf("fixed file has problems: %v", ff.Problems)
			}
			switch op.Op {
			case "set", "replace":
				el2 := els2[name]
				if el2 == nil {
					t.Fatalf("fixed file lost %s", name)
				}
				a := attrAt(ff.Raw.(*terraform.Raw), el2.Span, op.Path)
				if a == nil {
					t.Fatalf("fixed file has no %s in %s", op.Path, name)
				}
				text := string(got[a.Expr.Span.Start.Offset:a.Expr.Span.End.Offset])
				if op.Op == "set" {
					if gv, wv := literal(a.Expr), literal(exprOf(t, op.Value)); !reflect.DeepEqual(gv, wv) {
						t.Errorf("%s = %v after the fix, want %v", op.Path, gv, wv)
					}
				} else if !strings.Contains(text, op.New) || strings.Contains(text, op.Old) {
					t.Errorf("%s = %s after the fix, want %s in place of %s", op.Path, text, op.New, op.Old)
				}
			case "append":
				if len(ff.Raw.(*terraform.Raw).Blocks) != len(extractSrc(t, file, src).Raw.(*terraform.Raw).Blocks)+1 {
					t.Errorf("append did not add one top-level block")
				}
			}
			// Applying the same set again changes nothing.
			if op.Op == "set" {
				again, err := terraform.New().Fix(got, els2[name], op)
				if err != nil || len(again) != 0 {
					t.Errorf("second set: %v, %v; want no edit", again, err)
				}
			}
		})
	}
}

func topBlock(sp model.Span, els map[string]*model.Element) model.Span {
	best := sp
	for _, e := range els {
		if e.Span.Contains(best) && (e.Span.End.Offset-e.Span.Start.Offset) > (best.End.Offset-best.Start.Offset) {
			best = e.Span
		}
	}
	return best
}

// attrAt finds the attribute at the dotted path inside the block spanning sp.
func attrAt(raw *terraform.Raw, sp model.Span, p string) *terraform.Attribute {
	var find func(bs []*terraform.Block) *terraform.Block
	find = func(bs []*terraform.Block) *terraform.Block {
		for _, b := range bs {
			if b.Span.Start.Offset == sp.Start.Offset && b.Span.End.Offset == sp.End.Offset {
				return b
			}
			if f := find(b.Blocks); f != nil {
				return f
			}
		}
		return nil
	}
	b := find(raw.Blocks)
	parts := strings.Split(p, ".")
	for _, n := range parts[:len(parts)-1] {
		b = b.First(n)
	}
	return b.Attr(parts[len(parts)-1])
}

func exprOf(t *testing.T, value string) *terraform.Expr {
	ff := extractSrc(t, "x.tf", []byte("locals {\n  x = "+value+"\n}\n"))
	return ff.Raw.(*terraform.Raw).Blocks[0].Attrs[0].Expr
}

func literal(e *terraform.Expr) any {
	switch e.Kind {
	case terraform.Literal:
		return e.Lit
	case terraform.Tuple:
		var l []any
		for _, x := range e.Elems {
			l = append(l, literal(x))
		}
		return l
	}
	return e.Kind
}

func TestFixErrors(t *testing.T) {
	src := []byte("resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n")
	_, els := link(t, "m.tf", src)
	el := els["aws_s3_bucket.b"]
	a := terraform.New()
	for _, op := range []model.FixOp{
		{Op: "frobnicate"},
		{Op: "set", Path: "acl", Value: "= broken"},
		{Op: "replace", Path: "bucket", Old: `"nope"`, New: `"x"`},
		{Op: "replace", Path: "acl", Old: `"b"`, New: `"x"`},
		{Op: "append", Text: "resource {"},
	} {
		if _, err := a.Fix(src, el, op); err == nil {
			t.Errorf("%+v: no error", op)
		}
	}
	moved := *el
	moved.Span.Start.Offset++
	if _, err := a.Fix(src, &moved, model.FixOp{Op: "set", Path: "acl", Value: `"private"`}); err == nil {
		t.Error("fix of a block that is not there: no error")
	}
	_ = context.Background
	_ = parse.HCL
}

// A fix computed from the lines of the element's top-level block is the fix computed from the
// whole file, for every mitigation of the library with edits, of every element (resources,
// data sources, nested blocks) of a generated estate of a few hundred resources.
func TestFixInBlockIsFixInFile(t *testing.T) {
	src, _ := corpus.LargeFile(corpus.Seed, 3000)
	a := terraform.New().(*terraform.Analyzer)
	tried, nested, windowed := 0, 0, 0
	eachFirstOp(t, src, func(n string, el *model.Element, op model.FixOp) {
		got, gotErr := a.Fix(src, el, op)
		want, wantErr := a.FixWhole(src, el, op)
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
			t.Errorf("%s, %+v: from its block %v (%v), from the file %v (%v)", n, op, got, gotErr, want, wantErr)
		}
		tried++
		if strings.ContainsAny(strings.TrimPrefix(n, "data."), "[") {
			nested++
		}
		if lo, hi, ok := terraform.OwnLines(src, el); ok && hi-lo < len(src)/10 {
			windowed++
		}
	})
	if tried < 50 || nested == 0 {
		t.Fatalf("only %d fixes tried (%d of nested blocks): the estate no longer has what the test needs", tried, nested)
	}
	if windowed < tried*9/10 {
		t.Errorf("%d of %d fixes were computed from the lines of their block: the rest parsed the file", windowed, tried)
	}
	t.Logf("%d fixes, %d of nested blocks, %d from their block's lines", tried, nested, windowed)
}

// eachFirstOp calls f with each element of src (linked alone, by name, in order) and the first
// operation of each of the library's mitigations of it, once per distinct operation.
func eachFirstOp(t *testing.T, src []byte, f func(name string, el *model.Element, op model.FixOp)) {
	t.Helper()
	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	_, els := link(t, "monolith/main.tf", src)
	for _, n := range slices.Sorted(maps.Keys(els)) {
		el := els[n]
		seen := map[string]bool{}
		for _, th := range lib.Threats() {
			for _, m := range lib.FixOps(th.ID, el) {
				if len(m.Ops) == 0 || seen[fmt.Sprintf("%+v", m.Ops[0])] {
					continue
				}
				seen[fmt.Sprintf("%+v", m.Ops[0])] = true
				f(n, el, m.Ops[0])
			}
		}
	}
}

// Where Relocate says a block is after a fix of its own is where reading the fixed file finds
// it, for every first operation of the library's mitigations of every resource of a generated
// estate (a mitigation of several operations fixes the element again after each).
func TestRelocateIsExtract(t *testing.T) {
	src, _ := corpus.LargeFile(corpus.Seed, 1500)
	a := terraform.New().(*terraform.Analyzer)
	followed := 0
	eachFirstOp(t, src, func(n string, el *model.Element, op model.FixOp) {
		edits, err := a.Fix(src, el, op)
		if err != nil || len(edits) == 0 {
			return
		}
		fixed := analyzertest.Apply(t, src, edits)
		moved, ok := a.Relocate(fixed, el, edits)
		if !ok {
			return
		}
		followed++
		_, after := link(t, "monolith/main.tf", fixed)
		if want := after[n]; want == nil || moved.Span != want.Span || moved.Head != want.Head {
			t.Errorf("%s after %+v: relocated to %v, read at %v", n, op, moved.Span, want)
		}
	})
	if followed < 20 {
		t.Fatalf("only %d fixes followed: the estate no longer has what the test needs", followed)
	}
}
