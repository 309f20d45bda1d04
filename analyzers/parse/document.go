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
	text := d.text
	old := d.tree.t.Clone()
	for _, e := range edits {
		if e.Start < 0 || e.End < e.Start || e.End > len(text) {
			old.Close()
			return fmt.Errorf("parse: edit [%d,%d) out of range of a %d-byte text", e.Start, e.End, len(text))
		}
		startPt := pointAt(text, e.Start)
		oldEndPt := pointAt(text, e.End)
		next := make([]byte, 0, len(text)-(e.End-e.Start)+len(e.Text))
		next = append(next, text[:e.Start]...)
		next = append(next, e.Text...)
		next = append(next, text[e.End:]...)
		newEnd := e.Start + len(e.Text)
		old.Edit(&sitter.InputEdit{
			StartByte: uint(e.Start), OldEndByte: uint(e.End), NewEndByte: uint(newEnd),
			StartPosition: startPt, OldEndPosition: oldEndPt, NewEndPosition: pointAt(next, newEnd),
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

// pointAt returns the row and byte column of offset in text.
func pointAt(text []byte, offset int) sitter.Point {
	row, col := 0, 0
	for i := 0; i < offset; i++ {
		if text[i] == '\n' {
			row++
			col = 0
		} else {
			col++
		}
	}
	return sitter.Point{Row: uint(row), Column: uint(col)}
}
