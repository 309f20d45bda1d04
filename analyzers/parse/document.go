package parse

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// Edit replaces the bytes [Start, End) of a text with Text.
type Edit struct {
	Start, End int
	Text       string
}

// Document is an open file: its current text and the tree of it, kept so that an edit costs an
// incremental reparse instead of a full one. Edits are applied to the text and to the tree's
// positions at once (Edit, cheap); the reparse comes when the tree is needed (Reparse, or
// Snapshot, Pending.Parse and Install to parse outside the caller's lock), once for however
// many edits came meanwhile. A Document belongs to one goroutine at a time, except
// Pending.Parse, which runs on its own.
type Document struct {
	lang   Lang
	text   []byte
	tree   *Tree
	edited *sitter.Tree // the last parsed tree with the edits since (nil for Plain, or when none)
	seq    int          // counts edits
	parsed int          // the seq the tree is of
	closed bool
	// dirty is the range of the current text that the edits since the last parse wrote or
	// joined: outside it the text is the parsed text, moved (dirty[0] < 0 when no edit came).
	dirty [2]int
	// grown is how many bytes and lines the edits since the last parse added (negative when
	// they removed more): how far the text after dirty moved.
	grown [2]int
}

// NewDocument parses text and keeps the tree. A text that does not parse still yields a tree
// (with ERROR nodes): only cancellation or a missing grammar is an error.
func NewDocument(ctx context.Context, l Lang, text []byte) (*Document, error) {
	t, err := Parse(ctx, l, text)
	if err != nil {
		return nil, err
	}
	return &Document{lang: l, text: text, tree: t, dirty: [2]int{-1, -1}}, nil
}

// Text returns the current text, edits included. It must not be modified.
func (d *Document) Text() []byte { return d.text }

// Tree returns the tree of the last parse: of the current text unless edits came since
// (Current). It stays valid until the next reparse or Close.
func (d *Document) Tree() *Tree { return d.tree }

// Current reports whether the tree is of the current text.
func (d *Document) Current() bool { return d.parsed == d.seq }

// Apply applies edits and reparses: Edit, then Reparse.
func (d *Document) Apply(ctx context.Context, edits []Edit) error {
	if err := d.Edit(edits); err != nil {
		return err
	}
	return d.Reparse(ctx)
}

// Edit applies edits in order (each against the text the previous one produced) to the text
// and to the positions of the tree, without reparsing. An edit out of range is an error and
// leaves the document as it was.
func (d *Document) Edit(edits []Edit) error {
	if d.tree.t == nil { // Plain: no tree to edit
		text, err := ApplyEdits(d.text, edits)
		if err != nil {
			return err
		}
		d.text = text
		d.seq++
		return nil
	}
	base := d.edited
	if base == nil {
		base = d.tree.t
	}
	edited := base.Clone()
	text := d.text
	dirty, grown := d.dirty, d.grown
	for _, e := range edits {
		next, err := e.Apply(text)
		if err != nil {
			edited.Close()
			return err
		}
		dirty = e.widen(dirty)
		grown[0] += len(e.Text) - (e.End - e.Start)
		grown[1] += strings.Count(e.Text, "\n") - bytes.Count(text[e.Start:e.End], []byte("\n"))
		startPt := pointAt(text, e.Start)
		edited.Edit(&sitter.InputEdit{
			StartByte: uint(e.Start), OldEndByte: uint(e.End), NewEndByte: uint(e.Start + len(e.Text)),
			StartPosition:  startPt,
			OldEndPosition: advance(startPt, text[e.Start:e.End]),
			NewEndPosition: advance(startPt, []byte(e.Text)),
		})
		text = next
	}
	if d.edited != nil {
		d.edited.Close()
	}
	d.edited, d.text, d.dirty, d.grown = edited, text, dirty, grown
	d.seq++
	return nil
}

// widen returns the range dirty (of the text before e) on the text after e, grown to hold
// what e wrote.
func (e Edit) widen(dirty [2]int) [2]int {
	s, n := e.Start, e.Start+len(e.Text)
	if dirty[0] < 0 {
		return [2]int{s, n}
	}
	at := func(x int) int { // where offset x of the text before e is after it
		switch {
		case x <= e.Start:
			return x
		case x >= e.End:
			return x + n - e.End
		}
		return s
	}
	return [2]int{min(at(dirty[0]), s), max(at(dirty[1]), n)}
}

// Reparse brings the tree up to date with the edits, reusing its unchanged parts.
func (d *Document) Reparse(ctx context.Context) error {
	p := d.Snapshot()
	if p == nil {
		return nil
	}
	t, err := p.Parse(ctx)
	if err != nil {
		p.Close()
		return err
	}
	d.Install(p, t)
	return nil
}

// Pending is what a reparse needs, taken from a document (Snapshot) so that the parse can run
// without it: the text and the edited tree to parse it from.
type Pending struct {
	lang  Lang
	Text  []byte
	old   *sitter.Tree
	seq   int
	dirty [2]int
	grown [2]int
}

// Snapshot returns the pending reparse of the current text, or nil when the tree is current.
func (d *Document) Snapshot() *Pending {
	if d.Current() || d.closed {
		return nil
	}
	p := &Pending{lang: d.lang, Text: d.text, seq: d.seq, dirty: d.dirty, grown: d.grown}
	if d.edited != nil {
		p.old = d.edited.Clone()
	}
	return p
}

// Parse parses the pending text, reusing the unchanged parts of the old tree.
func (p *Pending) Parse(ctx context.Context) (*Tree, error) {
	return parse(ctx, p.lang, p.Text, p.old)
}

// Edited returns the tree of the last parse with every edit since applied to its positions,
// over the pending text: outside Dirty, every node is where its text now is — a tree to read
// the unchanged parts of the text from without parsing it again. Nil when the document has
// no tree. It belongs to p: it is valid until p is closed, and must not be closed itself.
func (p *Pending) Edited() *Tree {
	if p.old == nil {
		return nil
	}
	return &Tree{Lang: p.lang, Src: p.Text, t: p.old}
}

// Dirty returns the range of Text the edits since the last parse wrote or joined: outside it,
// Text is the text of the last parse, moved as Edited's positions are. ok is false when no
// edit came.
func (p *Pending) Dirty() (start, end int, ok bool) {
	return p.dirty[0], p.dirty[1], p.dirty[0] >= 0
}

// Grown returns how many bytes and lines the edits since the last parse added (negative when
// they removed more): the text after Dirty is the parsed text moved by as much.
func (p *Pending) Grown() (bytes, lines int) { return p.grown[0], p.grown[1] }

// Close releases what the pending reparse holds.
func (p *Pending) Close() {
	if p.old != nil {
		p.old.Close()
		p.old = nil
	}
}

// Install makes t, parsed from p, the document's tree if no edit came since the snapshot,
// and reports whether it did; otherwise t is closed (the next reparse starts from the edited
// tree, which has every edit). p is released either way.
func (d *Document) Install(p *Pending, t *Tree) bool {
	p.Close()
	if d.closed || d.seq != p.seq {
		t.Close()
		return false
	}
	if d.edited != nil {
		d.edited.Close()
		d.edited = nil
	}
	d.tree.Close()
	d.tree, d.parsed, d.dirty, d.grown = t, d.seq, [2]int{-1, -1}, [2]int{}
	return true
}

// Close releases the trees.
func (d *Document) Close() {
	d.closed = true
	if d.edited != nil {
		d.edited.Close()
		d.edited = nil
	}
	d.tree.Close()
}

// Apply returns text with the edit applied. An edit out of range is an error.
func (e Edit) Apply(text []byte) ([]byte, error) {
	if e.Start < 0 || e.End < e.Start || e.End > len(text) {
		return nil, fmt.Errorf("parse: edit [%d,%d) out of range of a %d-byte text", e.Start, e.End, len(text))
	}
	next := make([]byte, 0, len(text)-(e.End-e.Start)+len(e.Text))
	return append(append(append(next, text[:e.Start]...), e.Text...), text[e.End:]...), nil
}

// ApplyEdits applies edits in order, each against the text the previous one produced.
func ApplyEdits(text []byte, edits []Edit) ([]byte, error) {
	for _, e := range edits {
		var err error
		if text, err = e.Apply(text); err != nil {
			return nil, err
		}
	}
	return text, nil
}

// pointAt returns the row and byte column of offset in text.
func pointAt(text []byte, offset int) sitter.Point {
	return advance(sitter.Point{}, text[:offset])
}

// advance returns the point reached from p by going over b (tree-sitter's points count
// rows after "\n" and columns in bytes). Each edit goes over the text before it: counted with
// bytes.Count, not byte by byte (5 ms for an edit in the middle of a 4.5 MB file).
func advance(p sitter.Point, b []byte) sitter.Point {
	last := bytes.LastIndexByte(b, '\n')
	if last < 0 {
		p.Column += uint(len(b))
		return p
	}
	p.Row += uint(bytes.Count(b, []byte{'\n'}))
	p.Column = uint(len(b) - last - 1)
	return p
}
