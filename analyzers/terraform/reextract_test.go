package terraform

import (
	"bytes"
	"context"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// TestReextractIsExtract edits every .tf file of the testdata at random — characters typed in
// a value, lines inserted and deleted, blocks duplicated, moved and broken — and checks after
// each edit that Reextract, fed the facts of the version before, returns exactly what Extract
// of the same tree returns: the blocks it took over are where they now are, with every
// nested span, and suppression comments find their targets.
func TestReextractIsExtract(t *testing.T) {
	var srcs [][]byte
	filepath.WalkDir("testdata/src", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ".tf" {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			srcs = append(srcs, b)
		}
		return nil
	})
	if len(srcs) < 10 {
		t.Fatalf("only %d testdata files", len(srcs))
	}
	joined := bytes.Join(srcs, []byte("\n"))
	srcs = append(srcs, joined, bytes.ReplaceAll(joined, []byte("\n"), []byte("\r\n"))) // one large file too, and with CRLF
	a := New().(*Analyzer)
	rng := rand.New(rand.NewSource(7))
	taken, edits := 0, 0
	for i, src := range srcs {
		doc, err := parse.NewDocument(context.Background(), parse.HCL, src)
		if err != nil {
			t.Fatal(err)
		}
		prev := a.Extract(doc.Tree(), "main.tf")
		broken := 0
		for step := 0; step < 40; step++ {
			text := bytes.Clone(doc.Text())
			e := randomEdit(rng, text)
			if err := doc.Apply(context.Background(), []parse.Edit{e}); err != nil {
				t.Fatal(err)
			}
			edits++
			tr := doc.Tree()
			if tr.Root().HasError() {
				// Reextract reads a broken file whole, as Extract does: check that once per
				// file, then take the edit back (recovering from syntax errors is slow, and the
				// blocks taken over are the point here).
				if broken++; broken > 1 {
					undo := parse.Edit{Start: e.Start, End: e.Start + len(e.Text), Text: string(text[e.Start:e.End])}
					if err := doc.Apply(context.Background(), []parse.Edit{undo}); err != nil {
						t.Fatal(err)
					}
					continue
				}
			}
			got := a.Reextract(tr, "main.tf", prev)
			want := a.Extract(tr, "main.tf")
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("file %d, edit %d (%+v): Reextract differs from Extract\n%s", i, step, e, diffFacts(got, want))
			}
			taken += countShared(prev, got)
			prev = got
		}
		doc.Close()
	}
	t.Logf("%d edits of %d files; %d blocks taken over unmoved", edits, len(srcs), taken)
	if taken == 0 {
		t.Fatalf("over %d edits Reextract took no block over: the test checks nothing of it", edits)
	}
}

// countShared counts the top-level blocks of now that are blocks of prev (unmoved ones).
func countShared(prev, now *model.FileFacts) int {
	p, _ := prev.Raw.(*Raw)
	n, _ := now.Raw.(*Raw)
	if p == nil || n == nil {
		return 0
	}
	old := map[*Block]bool{}
	for _, b := range p.Blocks {
		old[b] = true
	}
	k := 0
	for _, b := range n.Blocks {
		if old[b] {
			k++
		}
	}
	return k
}

func diffFacts(got, want *model.FileFacts) string {
	g, _ := got.Raw.(*Raw)
	w, _ := want.Raw.(*Raw)
	var buf bytes.Buffer
	if g == nil || w == nil || len(g.Blocks) != len(w.Blocks) {
		buf.WriteString("different blocks\n")
	} else {
		for i := range g.Blocks {
			if !reflect.DeepEqual(g.Blocks[i], w.Blocks[i]) {
				buf.WriteString("block " + w.Blocks[i].Type + " differs\n")
				break
			}
		}
	}
	if !reflect.DeepEqual(got.Ignores, want.Ignores) {
		buf.WriteString("ignores differ\n")
	}
	if !reflect.DeepEqual(got.Problems, want.Problems) {
		buf.WriteString("problems differ\n")
	}
	return buf.String()
}

// randomEdit returns an edit of the kinds a person makes: a character typed, a line
// inserted or deleted, a block's text duplicated elsewhere, a brace typed.
func randomEdit(rng *rand.Rand, text []byte) parse.Edit {
	at := rng.Intn(len(text) + 1)
	switch rng.Intn(7) {
	case 0:
		return parse.Edit{Start: at, End: at, Text: string(rune('a' + rng.Intn(26)))}
	case 1:
		return parse.Edit{Start: at, End: at, Text: "\n"}
	case 2: // delete to the end of the line
		end := at
		for end < len(text) && text[end] != '\n' {
			end++
		}
		return parse.Edit{Start: at, End: end}
	case 3: // duplicate a line elsewhere
		s := bytes.LastIndexByte(text[:at], '\n') + 1
		e := at
		for e < len(text) && text[e] != '\n' {
			e++
		}
		to := rng.Intn(len(text) + 1)
		to = bytes.LastIndexByte(text[:to], '\n') + 1
		return parse.Edit{Start: to, End: to, Text: string(text[s:e]) + "\n"}
	case 4:
		return parse.Edit{Start: at, End: at, Text: []string{"{", "}", "\"", "  "}[rng.Intn(4)]}
	case 5: // a whole new block at a line start
		to := bytes.LastIndexByte(text[:at], '\n') + 1
		return parse.Edit{Start: to, End: to, Text: "resource \"aws_s3_bucket\" \"typed\" {\n  bucket = \"x\"\n}\n"}
	default: // delete a few characters
		end := min(at+rng.Intn(5), len(text))
		return parse.Edit{Start: at, End: end}
	}
}

// TestDefsNearIsEnough checks that a suppression comment covers the same definition whether
// Target reads every definition of the file or only defsNear's: for a comment at the end of
// every line of every testdata file (and the testdata joined into one file).
func TestDefsNearIsEnough(t *testing.T) {
	var srcs [][]byte
	filepath.WalkDir("testdata/src", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (filepath.Ext(p) == ".tf" || filepath.Ext(p) == ".tfvars") {
			b, _ := os.ReadFile(p)
			srcs = append(srcs, b)
		}
		return nil
	})
	srcs = append(srcs, bytes.Join(srcs, []byte("\n")))
	a := New().(*Analyzer)
	checked := 0
	for _, src := range srcs {
		tr, err := parse.Parse(context.Background(), parse.HCL, src)
		if err != nil {
			t.Fatal(err)
		}
		raw := a.Extract(tr, "x.tfvars").Raw.(*Raw)
		tr.Close()
		tops := raw.tops()
		var all []model.Span
		for _, tp := range tops {
			if tp.block == nil {
				all = append(all, tp.span)
			} else {
				all = appendDefs(all, tp.block)
			}
		}
		line, start := 0, 0
		for start < len(src) {
			end := bytes.IndexByte(src[start:], '\n')
			if end < 0 {
				end = len(src) - start
			}
			for _, col := range []int{0, end} { // a comment alone on its line, and a trailing one
				sp := model.Span{File: "x.tfvars", Start: model.At(start+col, line, col),
					End: model.At(start+end, line, end)}
				if got, want := analyzers.Target(sp, defsNear(tops, sp)), analyzers.Target(sp, all); got != want {
					t.Fatalf("comment at line %d col %d covers %+v with defsNear, %+v with every definition", line+1, col, got, want)
				}
				checked++
			}
			line++
			start += end + 1
		}
	}
	if checked < 500 {
		t.Fatalf("only %d comments checked", checked)
	}
}

// FuzzReextract: whatever the text and the edit — bytes that are not UTF-8, NUL, a block
// cut in two — Reextract from the facts before the edit returns what Extract returns.
func FuzzReextract(f *testing.F) {
	f.Add([]byte("resource \"a\" \"b\" {\n  x = \"y\"\n}\n\nresource \"a\" \"c\" {\n  x = 1\n}\n"), 10, 2, "zz")
	f.Add([]byte("locals {\n  a = \"\xff\xfe\"\n}\nresource \"a\" \"b\" { x = [1, 2] }\n"), 0, 0, "\n\n")
	f.Add([]byte("resource \"a\" \"b\" {\n  x = \"\x00\"\n}\n  resource \"a\" \"c\" {}\n"), 30, 1, "}")
	f.Add([]byte("x {\n}\nx {\n}\nx {\n}\n"), 6, 0, "x {\n}\n")
	a := New().(*Analyzer)
	f.Fuzz(func(t *testing.T, src []byte, at, cut int, text string) {
		if len(src) > 1<<16 {
			return
		}
		at = min(max(at, 0), len(src))
		end := min(at+max(cut, 0), len(src))
		doc, err := parse.NewDocument(context.Background(), parse.HCL, src)
		if err != nil {
			return
		}
		defer doc.Close()
		prev := a.Extract(doc.Tree(), "main.tf")
		if err := doc.Apply(context.Background(), []parse.Edit{{Start: at, End: end, Text: text}}); err != nil {
			return
		}
		got := a.Reextract(doc.Tree(), "main.tf", prev)
		want := a.Extract(doc.Tree(), "main.tf")
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Reextract differs from Extract after %q at %d–%d:\n%s", text, at, end, diffFacts(got, want))
		}
	})
}
