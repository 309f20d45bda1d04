package terraform

import (
	"hash/maphash"

	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// A keystroke in a file of thousands of blocks changes one of them. Reextract reads only the
// top-level blocks whose text changed from the tree; every other block is the last version's,
// moved to where it now is (a block's facts depend on its text and where it starts, nothing
// else). Copying the whole tree out of tree-sitter and reading it cost 70% of a keystroke in
// a 5 MB file.

// textSeed hashes the text of top-level blocks (Block.sum) to recognise them after an edit.
var textSeed = maphash.MakeSeed()

func textSum(b []byte) uint64 { return maphash.Bytes(textSeed, b) }

// Reextract reads t, the tree of file after an edit, taking over the blocks of prev, the
// facts of the text before it, whose text is unchanged. A file with syntax errors, a .tfvars
// file and facts of another kind are read whole, by Extract.
func (a *Analyzer) Reextract(t *parse.Tree, file string, prev *model.FileFacts) *model.FileFacts {
	var old *Raw
	if prev != nil && prev.File == file && prev.Warm() { // facts let go are not worth extracting again
		old, _ = prev.RawFacts().(*Raw)
	}
	if old == nil || t == nil || isVars(file) {
		return a.Extract(t, file)
	}
	root := t.Root()
	top, ok := t.Top()
	if root == nil || !ok || root.HasError() {
		return a.Extract(t, file)
	}
	byText := make(map[uint64][]*Block, len(old.Blocks))
	for _, b := range old.Blocks {
		byText[b.sum] = append(byText[b.sum], b)
	}
	raw := &Raw{}
	ff := &model.FileFacts{File: file, Format: Name, Raw: raw}
	x := &extractor{t: t, src: t.Src, file: file}
	x.reuse(top, 0, &raw.Blocks, byText)
	ff.Ignores, ff.Problems = x.ignores(root, nil, raw)
	return ff
}

// reuse reads the blocks among c's children as body does, taking over those of byText.
func (x *extractor) reuse(c parse.Child, depth int, blocks *[]*Block, byText map[uint64][]*Block) {
	if depth > maxDepth {
		return
	}
	for _, d := range x.t.Children(c) {
		switch x.t.KindOf(d) {
		case "body", "ERROR":
			x.reuse(d, depth+1, blocks, byText)
		case "block":
			sum := textSum(x.src[d.StartByte:d.EndByte])
			if b := taken(byText[sum], d); b != nil {
				*blocks = append(*blocks, b)
				continue
			}
			flat := x.t.FlattenAt(d)
			if b := x.block(&fnode{f: flat}, depth+1); b != nil {
				b.sum = sum
				*blocks = append(*blocks, b)
			}
			flat.Release()
		}
	}
}

// taken returns the block among olds with d's text (same hash and length) and start column,
// moved to d's place, or nil.
func taken(olds []*Block, d parse.Child) *Block {
	for _, b := range olds {
		if int(b.Span.End.Offset-b.Span.Start.Offset) != int(d.EndByte-d.StartByte) || int(b.Span.Start.Col) != int(d.StartCol) {
			continue
		}
		return b.moved(shift{off: int32(d.StartByte) - b.Span.Start.Offset, line: int32(d.StartRow) - b.Span.Start.Line})
	}
	return nil
}

// appendDefs appends the spans of b and of everything defined in it, in the order block
// appends them (pre-order, by start).
func appendDefs(defs []model.Span, b *Block) []model.Span {
	defs = append(defs, b.Span)
	i, j := 0, 0
	for i < len(b.Attrs) || j < len(b.Blocks) {
		if j == len(b.Blocks) || i < len(b.Attrs) && b.Attrs[i].Span.Start.Offset < b.Blocks[j].Span.Start.Offset {
			defs = append(defs, b.Attrs[i].Span)
			i++
		} else {
			defs = appendDefs(defs, b.Blocks[j])
			j++
		}
	}
	return defs
}

// shift is how far a block's text moved: every offset by off, every line by line (columns
// stay: the block starts at the same column).
type shift struct{ off, line int32 }

func (s shift) span(sp model.Span) model.Span {
	sp.Start.Offset += s.off
	sp.End.Offset += s.off
	sp.Start.Line += s.line
	sp.End.Line += s.line
	return sp
}

// moved returns b at its new place: b itself when it did not move, else a copy (facts are
// shared with the last snapshot and never modified).
func (b *Block) moved(s shift) *Block {
	if s == (shift{}) {
		return b
	}
	c := *b
	c.Span, c.Head = s.span(b.Span), s.span(b.Head)
	if b.Attrs != nil {
		c.Attrs = make([]*Attribute, len(b.Attrs))
		for i, a := range b.Attrs {
			m := *a
			m.Span, m.Expr = s.span(a.Span), a.Expr.moved(s)
			c.Attrs[i] = &m
		}
	}
	if b.Blocks != nil {
		c.Blocks = make([]*Block, len(b.Blocks))
		for i, n := range b.Blocks {
			c.Blocks[i] = n.moved(s)
		}
	}
	return &c
}

func (e *Expr) moved(s shift) *Expr {
	if e == nil {
		return nil
	}
	c := *e
	c.Span = s.span(e.Span)
	if e.Elems != nil {
		c.Elems = make([]*Expr, len(e.Elems))
		for i, el := range e.Elems {
			c.Elems[i] = el.moved(s)
		}
	}
	if e.Index != nil {
		c.Index = make([]IndexStep, len(e.Index))
		for i, st := range e.Index {
			st.Key = st.Key.moved(s)
			c.Index[i] = st
		}
	}
	return &c
}
