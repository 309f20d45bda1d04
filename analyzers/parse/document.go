package parse

import (
	"context"
	"fmt"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// Edit replaces the bytes [Start, End) of a text with Text.
type Edit struct {
	Start, End int
	Text       string
}

// Document is an open file: its current text and the tree of it, kept so that an edit costs an
// incremental reparse instead of a full one. A Document belongs to one goroutine at a time.
type Document struct {
	lang Lang
	text []byte
	tree *Tree
}

// NewDocument parses text and keeps the tree. A text that does not parse still yields a tree
// (with ERROR nodes): only cancellation or a missing grammar is an error.
func NewDocument(ctx context.Context, l Lang, text []byte) (*Document, error) {
	t, err := Parse(ctx, l, text)
	if err != nil {
		return nil, err
	}
	return &Document{lang: l, text: text, tree: t}, nil
}

// Text returns the current text. It must not be modified.
func (d *Document) Text() []byte { return d.text }

// Tree returns the current tree. It stays valid until the next Apply or Close.
func (d *Document) Tree() *Tree { return d.tree }

// Apply applies edits in order (each against the text the previous one produced) and reparses
// once, reusing the unchanged parts of the old tree. An edit out of range is an error and
// leaves the document as it was.
func (d *Document) Apply(ctx context.Context, edits []Edit) error {
	if d.tree.t == nil { // Plain: no tree to edit
		text, err := ApplyEdits(d.text, edits)
		if err != nil {
			return err
		}
		d.text, d.tree = text, &Tree{Lang: d.lang, Src: text}
		return nil
	}
	text := d.text
	old := d.tree.t.Clone()
	for _, e := range edits {
		next, err := e.Apply(text)
		if err != nil {
			old.Close()
			return err
		}
		startPt := pointAt(text, e.Start)
		old.Edit(&sitter.InputEdit{
			StartByte: uint(e.Start), OldEndByte: uint(e.End), NewEndByte: uint(e.Start + len(e.Text)),
			StartPosition:  startPt,
			OldEndPosition: advance(startPt, text[e.Start:e.End]),
			NewEndPosition: advance(startPt, []byte(e.Text)),
		})
		text = next
	}
	t, err := parse(ctx, d.lang, text, old)
	old.Close()
	if err != nil {
		return err
	}
	d.tree.Close()
	d.tree, d.text = t, text
	return nil
}

// Close releases the tree.
func (d *Document) Close() { d.tree.Close() }

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

// advance returns the point reached from p by going over b.
func advance(p sitter.Point, b []byte) sitter.Point {
	for _, c := range b {
		if c == '\n' {
			p.Row++
			p.Column = 0
		} else {
			p.Column++
		}
	}
	return p
}
