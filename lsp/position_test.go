package lsp

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/threatls/threatls/analyzers/parse"
)

func TestMapperMultibyte(t *testing.T) {
	// é is 2 bytes and 1 UTF-16 unit; 😀 is 4 bytes and 2 units (a surrogate pair).
	text := []byte("first line\n  é😀 = x finding\r\nlast")
	start := strings.Index(string(text), "finding")
	m16 := newMapper(text, encUTF16)
	m8 := newMapper(text, encUTF8)

	for _, c := range []struct {
		m    *mapper
		want protocol.Position
	}{
		{m16, protocol.Position{Line: 1, Character: 2 + 1 + 2 + 5}},
		{m8, protocol.Position{Line: 1, Character: 2 + 2 + 4 + 5}},
	} {
		if got := c.m.position(start); got != c.want {
			t.Errorf("enc %d: position(%d) = %+v, want %+v", c.m.enc, start, got, c.want)
		}
		if got := c.m.offset(c.want); got != start {
			t.Errorf("enc %d: offset(%+v) = %d, want %d", c.m.enc, c.want, got, start)
		}
	}

	// Every offset at a character boundary survives the round trip, in both encodings.
	for _, m := range []*mapper{m16, m8} {
		for off := 0; off <= len(text); off++ {
			if off < len(text) && (text[off]&0xC0 == 0x80 || text[off] == '\n' && text[off-1] == '\r') {
				continue // inside a character, or between \r and \n
			}
			if got := m.offset(m.position(off)); got != off {
				t.Errorf("enc %d: offset(position(%d)) = %d", m.enc, off, got)
			}
		}
	}
}

func TestMapperClamps(t *testing.T) {
	text := []byte("ab😀c\nxyz")
	m := newMapper(text, encUTF16)
	emoji := strings.Index(string(text), "😀")
	for _, c := range []struct {
		name string
		pos  protocol.Position
		want int
	}{
		{"inside a surrogate pair", protocol.Position{Line: 0, Character: 3}, emoji},
		{"past the end of a line", protocol.Position{Line: 0, Character: 99}, strings.Index(string(text), "\n")},
		{"past the last line", protocol.Position{Line: 99, Character: 0}, len(text)},
		{"end of the text", protocol.Position{Line: 1, Character: 3}, len(text)},
	} {
		if got := m.offset(c.pos); got != c.want {
			t.Errorf("%s: offset(%+v) = %d, want %d", c.name, c.pos, got, c.want)
		}
	}
	for _, c := range []struct {
		off  int
		want protocol.Position
	}{
		{-5, protocol.Position{}},
		{emoji + 2, protocol.Position{Line: 0, Character: 2}}, // inside 😀: its start
		{len(text) + 10, protocol.Position{Line: 1, Character: 3}},
	} {
		if got := m.position(c.off); got != c.want {
			t.Errorf("position(%d) = %+v, want %+v", c.off, got, c.want)
		}
	}
}

func TestMapperLineEndings(t *testing.T) {
	text := []byte("a\r\nb\rc\nd")
	m := newMapper(text, encUTF16)
	for i, want := range []string{"a", "b", "c", "d"} {
		off := m.offset(protocol.Position{Line: uint32(i)})
		if got := string(text[off]); got != want {
			t.Errorf("line %d starts with %q, want %q", i, got, want)
		}
	}
	// The offset of "\n" in "\r\n" is the end of line 0, not a position of its own.
	if got := m.position(2); got != (protocol.Position{Line: 0, Character: 1}) {
		t.Errorf("position(2) = %+v", got)
	}
}

func TestMapperInvalidUTF8(t *testing.T) {
	text := []byte("\xff\xfe x")
	m := newMapper(text, encUTF16)
	if got := m.position(3); got.Character != 3 {
		t.Errorf("position after two invalid bytes and a space = %+v, want character 3", got)
	}
	if got := m.offset(protocol.Position{Character: 3}); got != 3 {
		t.Errorf("offset = %d, want 3", got)
	}
}

// TestNoHandRolledConversions keeps position.go the only converter between byte offsets and
// LSP positions: no other file of the package may decode UTF-8 or UTF-16, or build a
// protocol.Position or protocol.Range field by field.
func TestNoHandRolledConversions(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if name == "position.go" || strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p == "unicode/utf8" || p == "unicode/utf16" {
				t.Errorf("%s imports %s: convert positions with the mapper of position.go", name, p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if sel, ok := lit.Type.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "protocol" && (sel.Sel.Name == "Position" || sel.Sel.Name == "Range") {
					t.Errorf("%s: a protocol.%s literal: convert positions with the mapper of position.go",
						fset.Position(lit.Pos()), sel.Sel.Name)
				}
			}
			return true
		})
	}
}

// TestLineStarts: lines start after "\n", "\r\n" and a lone "\r", whether or not the text
// has a "\r" at all (a text without one is read by a faster path).
func TestLineStarts(t *testing.T) {
	for _, c := range []struct {
		text string
		want []int
	}{
		{"", []int{0}},
		{"a", []int{0}},
		{"a\nb\n", []int{0, 2, 4}},
		{"\n\nx", []int{0, 1, 2}},
		{"a\r\nb\rc\nd", []int{0, 3, 5, 7}},
		{"a\r", []int{0, 2}},
		{"\r\n\r\n", []int{0, 2, 4}},
	} {
		if got := lineStarts([]byte(c.text)); !slices.Equal(got, c.want) {
			t.Errorf("lineStarts(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

// The line index of a text after an edit, made from the index before it, is the index of
// the text read whole: random texts of lines ended by "\n", "\r\n" and a lone "\r" (an edit
// may split a "\r\n" or make one), with characters of one to four bytes, and random edits.
func TestEditedMapperIsNewMapper(t *testing.T) {
	pieces := []string{"a", "bc", "é", "😀", "\n", "\r", "\r\n", "\n\n", " "}
	random := func(r *rand.Rand, n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		return b.String()
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		text := []byte(random(r, r.IntN(40)))
		m := newMapper(text, encUTF16)
		start := r.IntN(len(text) + 1)
		end := start + r.IntN(len(text)-start+1)
		e := parse.Edit{Start: start, End: end, Text: random(r, r.IntN(4))}
		next, err := e.Apply(text)
		if err != nil {
			t.Fatal(err)
		}
		got, want := m.edited(e, next), newMapper(next, encUTF16)
		if !slices.Equal(got.lines, want.lines) {
			t.Fatalf("case %d: %q with [%d,%d) replaced by %q = %q: lines %v, want %v", i, text, start, end, e.Text, next, got.lines, want.lines)
		}
	}
}

// The mapper of a text an expected edit makes is made from the mapper before it only when
// the text is that edit applied, byte for byte: a text of the same length that differs
// elsewhere (typed and then undone, a text from another version) is indexed whole.
func TestExpectedEditIsVerified(t *testing.T) {
	ms := newMappers()
	base := []byte("first\r\n" + strings.Repeat("a line of the middle\n", 200) + "second\nthird\n")
	m := ms.get("k", base, encUTF16)
	at := bytes.Index(base, []byte("second"))
	e := parse.Edit{Start: at, End: at + len("second"), Text: "2nd\n\nsix"}
	ms.expect("k", m, e)
	edited, err := e.Apply(base)
	if err != nil {
		t.Fatal(err)
	}
	other := []byte(strings.Replace(string(edited), "first", "fir\nt", 1)) // as long, not the edit
	wantEdited, wantOther := lineStarts(edited), lineStarts(other)

	before := indexed.Load()
	if got := ms.get("k", edited, encUTF16); !slices.Equal(got.lines, wantEdited) {
		t.Errorf("lines of the edited text %v, want %v", got.lines, wantEdited)
	}
	if n := indexed.Load() - before; n >= int64(len(edited))/2 {
		t.Errorf("the edited text: %d of its %d bytes indexed, want the lines around the edit", n, len(edited))
	}
	before = indexed.Load()
	if got := ms.get("k", other, encUTF16); !slices.Equal(got.lines, wantOther) {
		t.Errorf("lines of another text of the same length %v, want %v", got.lines, wantOther)
	}
	if n := indexed.Load() - before; n != int64(len(other)) {
		t.Errorf("another text of the same length: %d bytes indexed, want it whole (%d)", n, len(other))
	}
}

// The region where two texts differ is where a byte-by-byte comparison from both ends finds
// it, however long the texts and wherever the edit (near either end, across a chunk's edge,
// the texts equal, one empty).
func TestRebaseFindsTheEditedRegion(t *testing.T) {
	naive := func(old, cur []byte) (p, s int) {
		for p < len(old) && p < len(cur) && old[p] == cur[p] {
			p++
		}
		for s < len(old)-p && s < len(cur)-p && old[len(old)-1-s] == cur[len(cur)-1-s] {
			s++
		}
		return p, s
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 5000 {
		old := make([]byte, r.IntN(3*chunk))
		for j := range old {
			old[j] = "ab\n"[r.IntN(3)]
		}
		start := r.IntN(len(old) + 1)
		end := start + r.IntN(min(len(old)-start, 600)+1)
		ins := make([]byte, r.IntN(600))
		for j := range ins {
			ins[j] = "ab\n"[r.IntN(3)]
		}
		cur := append(append(append([]byte(nil), old[:start]...), ins...), old[end:]...)
		p, s := naive(old, cur)
		want := rebase{p: p, oldEnd: len(old) - s, newEnd: len(cur) - s, same: p == len(old) && p == len(cur)}
		if got := newRebase(old, cur); got != want {
			t.Fatalf("case %d: %d bytes, [%d,%d) replaced by %d: %+v, want %+v", i, len(old), start, end, len(ins), got, want)
		}
	}
}

// BenchmarkRebase5MB: what every request about a 5 MB document typed into since the model
// spends comparing its two texts (a character typed in the middle).
func BenchmarkRebase5MB(b *testing.B) {
	old := bytes.Repeat([]byte("          image: shop/api:latest\n"), 5<<20/33)
	mid := len(old) / 2
	cur := append(append(append([]byte(nil), old[:mid]...), 'x'), old[mid:]...)
	for b.Loop() {
		if r := newRebase(old, cur); r.p != mid {
			b.Fatalf("the edited region starts at %d, want %d", r.p, mid)
		}
	}
}

// The line indexes of files no editor holds are kept for the closedMappers used last: the
// diagnostics of every file of a workspace made one each, kept for the session with the text
// of the version before; those of open documents are kept until they close.
func TestMappersOfClosedFilesAreBounded(t *testing.T) {
	ms := newMappers()
	ms.hold("open.tf")
	open := ms.get("open.tf", []byte("resource \"a\" \"b\" {}\n"), encUTF16)
	var first *mapper
	for i := range 4 * closedMappers {
		m := ms.get(fmt.Sprintf("f%d.tf", i), []byte(fmt.Sprintf("# file %d\nline\n", i)), encUTF16)
		if i == 0 {
			first = m
		}
		// A file used again is kept over those used once.
		if i%10 == 0 {
			ms.get("hot.tf", []byte("hot\n"), encUTF16)
		}
	}
	if n := len(ms.byKey); n > closedMappers+1 {
		t.Errorf("%d files keep a line index after %d were published, want at most %d and the open one", n, 4*closedMappers, closedMappers)
	}
	if _, ok := ms.byKey["open.tf"]; !ok || ms.get("open.tf", open.text, encUTF16) != open {
		t.Error("the open document's line index was dropped")
	}
	if _, ok := ms.byKey["hot.tf"]; !ok {
		t.Error("a file used all along lost its line index to files used once")
	}
	if _, ok := ms.byKey["f0.tf"]; ok {
		t.Error("the file used first and never again still has its line index")
	}
	// Made again when asked for, and right.
	if again := ms.get("f0.tf", first.text, encUTF16); again == first || !slices.Equal(again.lines, first.lines) {
		t.Errorf("the dropped index made again: %v (same mapper %v), want lines %v", again.lines, again == first, first.lines)
	}
	// A file not open keeps the index of its latest text only.
	ms.get("f0.tf", []byte("# file 0, changed on disk\n"), encUTF16)
	if pair := ms.byKey["f0.tf"]; pair[1] != nil {
		t.Error("a closed file keeps the line index (and text) of its version before the last")
	}
	ms.forget("open.tf")
	for i := range closedMappers + 1 {
		ms.get(fmt.Sprintf("g%d.tf", i), []byte("x\n"), encUTF16)
	}
	if _, ok := ms.byKey["open.tf"]; ok {
		t.Error("a closed document keeps its line index")
	}
}
