package terraform

import (
	"bytes"
	"context"
	"fmt"
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
	srcs := testdataSources(t)
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

// TestSpliceIsExtract types at random into the testdata as a person does — bursts of edits
// near one another, sometimes far away, characters that open strings, comments, heredocs and
// blocks — and checks after each edit that what Splice returns, when it reads the edit
// without parsing the file again, is exactly what Extract returns for a parse of the text.
// As in the engine, a spliced document is not parsed: the next edits add to the last parse's.
func TestSpliceIsExtract(t *testing.T) {
	srcs := testdataSources(t)
	a := New().(*Analyzer)
	rng := rand.New(rand.NewSource(11))
	spliced, edits, broken := 0, 0, 0
	for i, src := range srcs {
		doc, err := parse.NewDocument(context.Background(), parse.HCL, src)
		if err != nil {
			t.Fatal(err)
		}
		prev := a.Extract(doc.Tree(), "main.tf")
		near := -1
		for step := 0; step < 80; step++ {
			text := bytes.Clone(doc.Text())
			var e parse.Edit
			if near >= 0 && rng.Intn(4) > 0 {
				at := min(max(near+rng.Intn(41)-20, 0), len(text))
				switch rng.Intn(6) {
				case 0:
					e = parse.Edit{Start: at, End: min(at+1+rng.Intn(3), len(text))}
				case 1:
					e = parse.Edit{Start: at, End: at, Text: []string{"\n", "/*", "*/", "#", "<<EOF\n", "EOF\n", "[", "]", "=", "${"}[rng.Intn(10)]}
				default:
					e = parse.Edit{Start: at, End: at, Text: string(rune('a' + rng.Intn(26)))}
				}
			} else {
				e = randomEdit(rng, text)
			}
			near = e.Start + len(e.Text)
			if err := doc.Edit([]parse.Edit{e}); err != nil {
				t.Fatal(err)
			}
			edits++
			p := doc.Snapshot()
			want := func() *model.FileFacts {
				tr, err := parse.Parse(context.Background(), parse.HCL, p.Text)
				if err != nil {
					t.Fatal(err)
				}
				defer tr.Close()
				return a.Extract(tr, "main.tf")
			}
			if got, ok := a.Splice(p, "main.tf", prev); ok {
				if w := want(); !reflect.DeepEqual(asRead(got), w) {
					lo, hi, _ := p.Dirty()
					gb, wb := got.Raw.(*Raw).Blocks, w.Raw.(*Raw).Blocks
					for k := range max(len(gb), len(wb)) {
						if k < len(gb) {
							t.Logf("got  %s %v %+v", gb[k].Type, gb[k].Labels, gb[k].Span)
						}
						if k < len(wb) {
							t.Logf("want %s %v %+v", wb[k].Type, wb[k].Labels, wb[k].Span)
						}
					}
					t.Logf("before %q\nafter %q", text[:min(len(text), 300)], p.Text[:min(len(p.Text), 300)])
					t.Fatalf("file %d, edit %d (%+v, edits since the last parse in [%d,%d)): Splice differs from Extract\n%s", i, step, e, lo, hi, diffFacts(got, w))
				}
				spliced++
				prev = got
				p.Close()
				continue
			}
			tr, err := p.Parse(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			doc.Install(p, tr)
			if doc.Tree().Root().HasError() {
				// Splice reads nothing of a file whose last parse failed (checked once per
				// file); recovering from errors is slow: take the edit back.
				undo := []parse.Edit{{Start: e.Start, End: e.Start + len(e.Text), Text: string(text[e.Start:e.End])}}
				if broken++; broken == 1 {
					n := len(doc.Text())
					if err := doc.Edit([]parse.Edit{{Start: n, End: n, Text: "\n"}}); err != nil {
						t.Fatal(err)
					}
					p := doc.Snapshot()
					if _, ok := a.Splice(p, "main.tf", a.Extract(doc.Tree(), "main.tf")); ok {
						t.Fatal("Splice read an edit of a file whose last parse failed")
					}
					p.Close()
					undo = append([]parse.Edit{{Start: n, End: n + 1}}, undo...)
				}
				if err := doc.Apply(context.Background(), undo); err != nil {
					t.Fatal(err)
				}
				near = -1
			}
			prev = a.Extract(doc.Tree(), "main.tf")
		}
		doc.Close()
	}
	t.Logf("%d edits of %d files, %d read by Splice", edits, len(srcs), spliced)
	if spliced < edits/4 {
		t.Fatalf("Splice read only %d of %d edits: the test checks little of it", spliced, edits)
	}
}

// asRead returns ff as Extract would have read it: without what Splice keeps of how far the
// text had moved since the document's last parse.
func asRead(ff *model.FileFacts) *model.FileFacts {
	raw, ok := ff.Raw.(*Raw)
	if !ok || raw.grown == [2]int{} {
		return ff
	}
	r, c := *raw, *ff
	r.grown, c.Raw = [2]int{}, &r
	return &c
}

// testdataSources returns every .tf file of the testdata, and all of them joined into one
// large file, with LF and with CRLF line ends.
func testdataSources(t *testing.T) [][]byte {
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
	return append(srcs, joined, bytes.ReplaceAll(joined, []byte("\n"), []byte("\r\n")))
}

// FuzzSplice: whatever the text and the two edits — bytes that are not UTF-8, NUL, a comment
// or heredoc left open, a block cut in two — what Splice returns when it reads them without
// parsing the file again is what Extract returns for a parse of the text.
func FuzzSplice(f *testing.F) {
	f.Add([]byte("resource \"a\" \"b\" {\n  x = \"y\"\n}\n\nresource \"a\" \"c\" {\n  x = 1\n}\n"), 20, 0, "z", 3)
	f.Add([]byte("# c\nlocals {\n  a = \"\xff\xfe\"\n}\n\nresource \"a\" \"b\" { x = [1, 2] }\n"), 30, 1, "/*", 1)
	f.Add([]byte("resource \"a\" \"b\" {\n  x = \"\x00\"\n}\n  resource \"a\" \"c\" {}\n"), 35, 0, "\n<<EOF\n", 2)
	f.Add([]byte("x {\n}\n\nx {\n}\nx {\n}\n"), 5, 0, "\ny {\n}\n", 0)
	a := New().(*Analyzer)
	f.Fuzz(func(t *testing.T, src []byte, at, cut int, text string, again int) {
		if len(src) > 1<<16 {
			return
		}
		doc, err := parse.NewDocument(context.Background(), parse.HCL, src)
		if err != nil {
			return
		}
		defer doc.Close()
		prev := a.Extract(doc.Tree(), "main.tf")
		at = min(max(at, 0), len(src))
		end := min(at+max(cut, 0), len(src))
		edits := []parse.Edit{{Start: at, End: end, Text: text}}
		// A second keystroke just after the first, as typing goes.
		if next := at + len(text) + again%8; again >= 0 && next <= len(src)-(end-at)+len(text) {
			edits = append(edits, parse.Edit{Start: next, End: next, Text: "q"})
		}
		for _, e := range edits {
			if err := doc.Edit([]parse.Edit{e}); err != nil {
				return
			}
			p := doc.Snapshot()
			got, ok := a.Splice(p, "main.tf", prev)
			if !ok {
				p.Close()
				return
			}
			tr, err := parse.Parse(context.Background(), parse.HCL, p.Text)
			p.Close()
			if err != nil {
				return
			}
			want := a.Extract(tr, "main.tf")
			tr.Close()
			if !reflect.DeepEqual(asRead(got), want) {
				t.Fatalf("Splice differs from Extract after %+v:\n%s", edits, diffFacts(got, want))
			}
			prev = got
		}
	})
}

// TestSpliceReadsTheEditedBlock: a character typed in one block of a large file is read by
// Splice, and so is a second one in the same block; one typed far from the first since the
// last parse is not (the text between would be parsed from scratch): the file is parsed again.
func TestSpliceReadsTheEditedBlock(t *testing.T) {
	var b bytes.Buffer
	for i := range 1200 {
		fmt.Fprintf(&b, "resource \"aws_s3_bucket\" \"b%d\" {\n  bucket = \"name-%d\"\n}\n\n", i, i)
	}
	src := b.Bytes()
	a := New().(*Analyzer)
	doc, err := parse.NewDocument(context.Background(), parse.HCL, src)
	if err != nil {
		t.Fatal(err)
	}
	defer doc.Close()
	prev := a.Extract(doc.Tree(), "main.tf")
	typeAt := func(name string) bool {
		t.Helper()
		at := bytes.Index(doc.Text(), []byte(name)) + len(name)
		if err := doc.Edit([]parse.Edit{{Start: at, End: at, Text: "x"}}); err != nil {
			t.Fatal(err)
		}
		p := doc.Snapshot()
		defer p.Close()
		got, ok := a.Splice(p, "main.tf", prev)
		if ok {
			prev = got
		}
		return ok
	}
	if !typeAt(`"name-7`) || !typeAt(`"name-7x`) {
		t.Fatal("a character typed in one block was not read by Splice")
	}
	if typeAt(`"name-1190`) {
		t.Fatal("Splice read an edit 1,180 blocks away from the last one without a reparse")
	}
	raw := prev.Raw.(*Raw)
	if got := raw.Blocks[7].Attr("bucket").Expr.Lit; got != "name-7xx" {
		t.Fatalf("the edited block's bucket is %v, want name-7xx", got)
	}
}
