package parse

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"
	"time"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// TestLanguagesLoad checks that every linked grammar loads and parses a trivial input.
func TestLanguagesLoad(t *testing.T) {
	inputs := map[Lang]string{
		HCL: "a = 1\n", YAML: "a: 1\n", JSON: `{"a": 1}`, Markdown: "# a\n", MarkdownInline: "*a*",
		Go: "package a\n", Python: "a = 1\n", JavaScript: "let a = 1;\n", TypeScript: "let a: number = 1;\n",
		TSX: "const a = <b/>;\n", Java: "class A {}\n", CSharp: "class A {}\n",
	}
	for _, l := range Langs() {
		src, ok := inputs[l]
		if !ok {
			t.Errorf("no test input for %s", l)
			continue
		}
		tree, err := Parse(context.Background(), l, []byte(src))
		if err != nil {
			t.Errorf("%s: %v", l, err)
			continue
		}
		if tree.Root().HasError() {
			t.Errorf("%s: %q parsed with errors: %s", l, src, tree.Root().ToSexp())
		}
		tree.Close()
		tree.Close() // a second Close must be harmless
	}
	if _, err := Parse(context.Background(), Lang("cobol"), nil); err == nil {
		t.Error("an unknown language parsed")
	}
}

// TestIncrementalMatchesFull applies random edits to a document and checks that every
// incremental reparse yields the same tree as a full parse of the same text.
func TestIncrementalMatchesFull(t *testing.T) {
	src := strings.Repeat("resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"é😀\"\n  acl    = \"private\"\n}\n\n", 20)
	doc, err := NewDocument(context.Background(), HCL, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	defer doc.Close()
	rng := rand.New(rand.NewSource(1))
	pieces := []string{"", "x", "\n", "{", "}", "\"", " = 1", "é", "😀"}
	for i := 0; i < 200; i++ {
		n := len(doc.Text())
		start := rng.Intn(n + 1)
		end := min(n, start+rng.Intn(4))
		edits := []Edit{{Start: start, End: end, Text: pieces[rng.Intn(len(pieces))]}}
		if err := doc.Apply(context.Background(), edits); err != nil {
			t.Fatal(err)
		}
		full, err := Parse(context.Background(), HCL, doc.Text())
		if err != nil {
			t.Fatal(err)
		}
		if got, want := doc.Tree().Root().ToSexp(), full.Root().ToSexp(); got != want {
			full.Close()
			t.Fatalf("edit %d %+v: incremental tree differs from a full parse\n got %s\nwant %s", i, edits, got, want)
		}
		full.Close()
	}
}

// Several edits, then one reparse from a snapshot taken under the caller's lock and parsed
// outside it, give the tree of a full parse; a snapshot overtaken by another edit is not
// installed, and the next reparse catches up.
func TestDeferredReparse(t *testing.T) {
	src := strings.Repeat("resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n\n", 10)
	doc, err := NewDocument(context.Background(), HCL, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	defer doc.Close()
	check := func(when string) {
		t.Helper()
		full, err := Parse(context.Background(), HCL, doc.Text())
		if err != nil {
			t.Fatal(err)
		}
		defer full.Close()
		if got, want := doc.Tree().Root().ToSexp(), full.Root().ToSexp(); got != want {
			t.Fatalf("%s: the tree differs from a full parse\n got %s\nwant %s", when, got, want)
		}
	}
	for i := range 5 {
		if err := doc.Edit([]Edit{{Start: 10 + i, End: 10 + i, Text: "x"}}); err != nil {
			t.Fatal(err)
		}
	}
	if doc.Current() {
		t.Fatal("edits without a reparse left the tree current")
	}
	p := doc.Snapshot()
	tree, err := p.Parse(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !doc.Install(p, tree) || !doc.Current() {
		t.Fatal("a snapshot no edit overtook was not installed")
	}
	check("five edits, one reparse")

	p = doc.Snapshot()
	if p != nil {
		t.Fatal("a current tree has a pending reparse")
	}
	if err := doc.Edit([]Edit{{Start: 0, End: 0, Text: "# a\n"}}); err != nil {
		t.Fatal(err)
	}
	p = doc.Snapshot()
	tree, err = p.Parse(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Edit([]Edit{{Start: len(doc.Text()), End: len(doc.Text()), Text: "locals {}\n"}}); err != nil {
		t.Fatal(err)
	}
	if doc.Install(p, tree) {
		t.Fatal("a snapshot an edit overtook was installed")
	}
	if err := doc.Reparse(context.Background()); err != nil {
		t.Fatal(err)
	}
	check("an overtaken snapshot, then a reparse")
}

// TestApplyRejectsOutOfRange checks that a bad edit leaves the document untouched.
func TestApplyRejectsOutOfRange(t *testing.T) {
	doc, err := NewDocument(context.Background(), HCL, []byte("a = 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	defer doc.Close()
	for _, e := range []Edit{{Start: 3, End: 100}, {Start: -1, End: 0}, {Start: 4, End: 2}} {
		if err := doc.Apply(context.Background(), []Edit{{Start: 0, End: 0, Text: "b"}, e}); err == nil {
			t.Errorf("edit %+v accepted", e)
		}
		if got := string(doc.Text()); got != "a = 1\n" {
			t.Fatalf("a rejected edit changed the text to %q", got)
		}
	}
}

// TestParseCancelled checks that a cancelled context stops a parse with an error.
func TestParseCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	src := []byte(strings.Repeat("a = [1, 2, 3]\n", 200000))
	if tree, err := Parse(ctx, HCL, src); err == nil {
		tree.Close()
		t.Error("a cancelled parse succeeded")
	}
}

func BenchmarkParseHCL(b *testing.B) {
	src := []byte(strings.Repeat("resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  tags = { a = \"b\" }\n}\n", 2000))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		tree, err := Parse(context.Background(), HCL, src)
		if err != nil {
			b.Fatal(err)
		}
		tree.Close()
	}
}

// A Plain document has text and no nodes; edits keep its text current.
func TestPlainDocument(t *testing.T) {
	d, err := NewDocument(context.Background(), Plain, []byte("FROM alpine\nUSER app\n"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Tree().Root() != nil || len(d.Tree().Flatten().Nodes) != 0 {
		t.Fatal("a Plain tree has no nodes")
	}
	if err := d.Apply(context.Background(), []Edit{{Start: 17, End: 20, Text: "root"}}); err != nil {
		t.Fatal(err)
	}
	if got := string(d.Tree().Src); got != "FROM alpine\nUSER root\n" || string(d.Text()) != got {
		t.Fatalf("text after edit = %q", got)
	}
	if err := d.Apply(context.Background(), []Edit{{Start: 5, End: 99}}); err == nil {
		t.Fatal("an edit out of range must fail")
	}
}

// TestParseBudget checks that a text a grammar's error recovery cannot get through in time
// costs an error after the budget, not a stalled process: the TSX grammar spends minutes
// on testdata/tsx-slow-recovery.txt, a Python file a fuzzer mangled (it parses in
// milliseconds as TypeScript).
func TestParseBudget(t *testing.T) {
	src, err := os.ReadFile("testdata/tsx-slow-recovery.txt")
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	tr, err := Parse(context.Background(), TSX, src)
	d := time.Since(t0)
	if err == nil {
		tr.Close()
		t.Fatalf("the TSX grammar parsed it in %s: the test needs another text", d)
	}
	if !errors.Is(err, ErrBudget) {
		t.Fatalf("err = %v", err)
	}
	// The budget is the parsing thread's CPU time: on a loaded machine, wall time runs ahead
	// of it. A stalled parse is minutes; this bound only says it was not that.
	if d > 4*Budget(len(src))+2*time.Second {
		t.Errorf("gave up after %s, the budget is %s", d, Budget(len(src)))
	}
	tr, err = Parse(context.Background(), TypeScript, src)
	if err != nil {
		t.Fatalf("TypeScript: %v", err)
	}
	tr.Close()
}

// TestDirtyHoldsEveryEdit: after any sequence of edits, the text outside Pending.Dirty is the
// text of the last parse — before the range at the same offsets, after it at the same
// distance from the end — and a parse forgets the range.
func TestDirtyHoldsEveryEdit(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for round := range 300 {
		parsed := []byte(strings.Repeat("resource \"a\" \"b\" {\n  x = 1\n}\n\n", 5))
		doc, err := NewDocument(context.Background(), HCL, parsed)
		if err != nil {
			t.Fatal(err)
		}
		for range 1 + rng.Intn(6) {
			text := doc.Text()
			s := rng.Intn(len(text) + 1)
			e := min(s+rng.Intn(4), len(text))
			if err := doc.Edit([]Edit{{Start: s, End: e, Text: strings.Repeat("z", rng.Intn(3))}}); err != nil {
				t.Fatal(err)
			}
		}
		p := doc.Snapshot()
		lo, hi, ok := p.Dirty()
		text := p.Text
		tail := len(text) - hi
		if !ok || lo > hi || hi > len(text) || tail > len(parsed) || lo > len(parsed) ||
			string(text[:lo]) != string(parsed[:lo]) || string(text[hi:]) != string(parsed[len(parsed)-tail:]) {
			t.Fatalf("round %d: the text outside [%d,%d) is not the parsed text\nparsed %q\nnow    %q", round, lo, hi, parsed, text)
		}
		tr, err := p.Parse(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		doc.Install(p, tr)
		doc.Edit([]Edit{{Start: 0, End: 0, Text: "#"}})
		if p := doc.Snapshot(); p == nil {
			t.Fatal("no pending reparse after an edit")
		} else if lo, hi, _ := p.Dirty(); lo != 0 || hi != 1 {
			t.Fatalf("after a parse and one edit the range is [%d,%d), want [0,1)", lo, hi)
		} else {
			p.Close()
		}
		doc.Close()
	}
}

// TestAdvance: the point reached over some text is the one counting byte by byte gives.
func TestAdvance(t *testing.T) {
	slow := func(p sitter.Point, b []byte) sitter.Point {
		for _, c := range b {
			if c == '\n' {
				p.Row, p.Column = p.Row+1, 0
			} else {
				p.Column++
			}
		}
		return p
	}
	rng := rand.New(rand.NewSource(5))
	for range 2000 {
		b := make([]byte, rng.Intn(40))
		for i := range b {
			b[i] = "ab\n\r\xc3\xa9"[rng.Intn(6)]
		}
		p := sitter.Point{Row: uint(rng.Intn(9)), Column: uint(rng.Intn(9))}
		if got, want := advance(p, b), slow(p, b); got != want {
			t.Fatalf("advance(%v, %q) = %v, want %v", p, b, got, want)
		}
	}
}

// TestHCLReparseTakesBlocksOneByOne holds what Splice (analyzers/terraform) is for: an
// incremental reparse of HCL takes the top-level blocks after an edit over one by one — the
// grammar's body repetition is "fragile" to the parser, which will not reuse it in runs — so
// a keystroke's reparse walks every block of the file, 60 ms in a 5 MB one. If a grammar or
// tree-sitter upgrade makes this fail, the reparse takes runs of blocks, and Splice may be
// worth less than its code.
func TestHCLReparseTakesBlocksOneByOne(t *testing.T) {
	const blocks = 3000
	var b strings.Builder
	for i := range blocks {
		fmt.Fprintf(&b, "resource \"aws_s3_bucket\" \"b%d\" {\n  bucket = \"name-%d\"\n}\n\n", i, i)
	}
	doc, err := NewDocument(context.Background(), HCL, []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	defer doc.Close()
	at := strings.Index(b.String(), "name-1500") + 2
	if err := doc.Edit([]Edit{{Start: at, End: at, Text: "x"}}); err != nil {
		t.Fatal(err)
	}
	p, err := getParser(HCL)
	if err != nil {
		t.Fatal(err)
	}
	defer putParser(HCL, p)
	reused, fragile := 0, 0
	p.SetLogger(func(_ sitter.LogType, msg string) {
		switch {
		case strings.HasPrefix(msg, "reuse_node symbol:block"):
			reused++
		case strings.HasPrefix(msg, "cant_reuse_node_is_fragile tree:body_repeat"):
			fragile++
		}
	})
	defer p.SetLogger(nil)
	text := doc.Text()
	tr := p.ParseWithOptions(func(i int, _ sitter.Point) []byte {
		if i >= len(text) {
			return nil
		}
		return text[i:min(len(text), i+readChunk)]
	}, doc.edited, nil)
	if tr == nil {
		t.Fatal("the reparse gave no tree")
	}
	tr.Close()
	t.Logf("%d blocks: %d taken over one by one, %d runs refused as fragile", blocks, reused, fragile)
	if reused < blocks*9/10 {
		t.Fatalf("the reparse took over %d of %d blocks one by one: it now takes runs of them", reused, blocks)
	}
}
