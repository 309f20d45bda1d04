package terraform

import (
	"bytes"
	"context"
	"hash/maphash"
	"sort"

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
	old := warmRaw(prev, file)
	if old == nil || t == nil || isVars(file) {
		return a.Extract(t, file)
	}
	root := t.Root()
	top, ok := t.Top()
	if root == nil || !ok || root.HasError() {
		return a.Extract(t, file)
	}
	byText := byText(old.Blocks)
	raw := &Raw{}
	ff := &model.FileFacts{File: file, Format: Name, Raw: raw}
	x := &extractor{t: t, src: t.Src, file: file}
	x.reuse(top, 0, &raw.Blocks, byText)
	ff.Ignores, ff.Problems = x.ignores(root, nil, raw)
	ff.Problems = append(ff.Problems, outsideModules(file, raw)...)
	return ff
}

// warmRaw returns the blocks of prev, the facts of file's last version, or nil when there are
// none to take over (facts let go are not worth extracting again).
func warmRaw(prev *model.FileFacts, file string) *Raw {
	if prev == nil || prev.File != file || !prev.Warm() {
		return nil
	}
	old, _ := prev.RawFacts().(*Raw)
	return old
}

// byText indexes the top-level blocks by the hash of their text.
func byText(blocks []*Block) map[uint64][]*Block {
	m := make(map[uint64][]*Block, len(blocks))
	for _, b := range blocks {
		m[b.sum] = append(m[b.sum], b)
	}
	return m
}

// Splice reads a file whose edits since its last parse all lie between two top-level
// definitions they left as they were (see analyzers.Splicer): the text between those two,
// which holds the definitions the edits reached and the lines around them, is parsed alone;
// every other block is the last version's, moved. The text parsed alone must begin and end on
// a line of its own and hold only blocks and comments, so that nothing of it can join the
// definitions around it; and the file must have parsed without error, so that those are
// definitions. Otherwise it returns false, and the file is parsed again.
func (a *Analyzer) Splice(p *parse.Pending, file string, prev *model.FileFacts) (*model.FileFacts, bool) {
	lo, hi, dirty := p.Dirty()
	t := p.Edited()
	old := warmRaw(prev, file)
	if !dirty || t == nil || old == nil || isVars(file) {
		return nil, false
	}
	top, ok := t.Top()
	if !ok || top.Flags&parse.FlatHasError != 0 {
		return nil, false
	}
	src := t.Src
	// The definitions before the edits, and from where they end to where those after begin,
	// found among the last version's blocks: the text before the edits is as it was, and the
	// text after them is as it was, moved by as much as they grew (Grown). One that ends
	// where the edits begin, or begins where they end, may have lost text there (a deletion
	// leaves its ends at the deletion's): it is read again. (Listing the tree's top-level
	// nodes to find them cost a keystroke in a file of 15,000 blocks 8 ms.)
	// The last facts may be a splice's too, made since that parse: their blocks after the
	// edits have moved by what the edits since them added.
	blocks := old.Blocks
	grownBytes, grownLines := p.Grown()
	grow, lines := grownBytes-old.grown[0], grownLines-old.grown[1]
	first := sort.Search(len(blocks), func(i int) bool { return int(blocks[i].Span.End.Offset) >= lo })
	last := sort.Search(len(blocks), func(i int) bool { return int(blocks[i].Span.Start.Offset)+grow > hi })
	if last < first {
		return nil, false
	}
	from, to := 0, len(src)
	lineStart, row := 0, 0
	if first > 0 {
		before := blocks[first-1].Span.End
		from = int(before.Offset)
		lineStart, row = from-int(before.Col), int(before.Line)
		if from >= len(src) || src[from] != '\n' && src[from] != '\r' {
			return nil, false
		}
	}
	if last < len(blocks) {
		to = int(blocks[last].Span.Start.Offset) + grow
		if to <= from || to > len(src) || src[to-1] != '\n' {
			return nil, false
		}
	}
	if from > lo || to < hi || lineStart < 0 || lineStart > from || to-lineStart > maxSplice {
		return nil, false
	}
	// The text between, parsed alone where it is: what precedes it on its first line is
	// blanked, so that columns and offsets are the file's, moved by lineStart and row.
	snippet := make([]byte, to-lineStart)
	for i := range from - lineStart {
		snippet[i] = ' '
	}
	copy(snippet[from-lineStart:], src[from:to])
	small, err := parse.Parse(context.Background(), parse.HCL, snippet)
	if err != nil {
		return nil, false
	}
	defer small.Close()
	stop, ok := small.Top()
	if !ok || stop.Flags&parse.FlatHasError != 0 {
		return nil, false
	}
	between := topItems(small, stop)
	for _, d := range between {
		if k := small.KindOf(d); k != "block" && k != "comment" {
			return nil, false
		}
	}
	if n := len(between); n > 0 && to < len(src) && bytes.IndexByte(snippet[between[n-1].EndByte:], '\n') < 0 {
		return nil, false
	}

	byText := byText(blocks[first:last])
	raw := &Raw{Blocks: make([]*Block, 0, len(blocks)+len(between)-(last-first)), grown: [2]int{grownBytes, grownLines}}
	x := &extractor{t: t, src: src, file: file}
	xs := &extractor{t: small, src: snippet, file: file}
	sh := shift{off: int32(lineStart), line: int32(row)}
	raw.Blocks = append(raw.Blocks, blocks[:first]...)
	for _, d := range between {
		if small.KindOf(d) == "block" {
			xs.take(d, 1, &raw.Blocks, byText, sh)
		}
	}
	after := shift{off: int32(grow), line: int32(lines)}
	for _, b := range blocks[last:] {
		raw.Blocks = append(raw.Blocks, b.moved(after))
	}
	if len(raw.Blocks) == 0 {
		raw.Blocks = nil // as Extract leaves a file of no block
	}
	ff := &model.FileFacts{File: file, Format: Name, Raw: raw}
	root, sroot := t.Root(), small.Root()
	ff.Ignores, ff.Problems = x.ignoresBy(func(at, end uint) (model.Span, string, bool) {
		r, tx, off := root, x, uint(0)
		if int(at) >= from && int(at) < to {
			r, tx, off = sroot, xs, uint(lineStart)
		}
		n := r.DescendantForByteRange(at-off, end-off)
		if n == nil || n.Kind() != "comment" {
			return model.Span{}, "", false
		}
		sp := tx.span(n)
		if tx == xs {
			sp = sh.span(sp)
		}
		return sp, tx.text(n), true
	}, nil, raw)
	ff.Problems = append(ff.Problems, outsideModules(file, raw)...)
	return ff, true
}

// maxSplice is the most text Splice parses alone: edits far apart (typed in two blocks since
// the last parse) would have it parse everything between them from scratch, slower than the
// incremental reparse of the file.
const maxSplice = 32 << 10

// topItems returns the top-level definitions and comments of t: the children of its root,
// those of its body in place of the body.
func topItems(t *parse.Tree, top parse.Child) []parse.Child {
	var out []parse.Child
	for _, c := range t.Children(top) {
		if t.KindOf(c) == "body" {
			out = append(out, t.Children(c)...)
		} else {
			out = append(out, c)
		}
	}
	return out
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
			x.take(d, depth, blocks, byText, shift{})
		}
	}
}

// take appends the block d: the last version's when one had its text (moved to where d is),
// else read from the tree. sh is where x's tree is in the file (zero but for text parsed
// alone, see Splice).
func (x *extractor) take(d parse.Child, depth int, blocks *[]*Block, byText map[uint64][]*Block, sh shift) {
	sum := textSum(x.src[d.StartByte:d.EndByte])
	at := d
	at.StartByte, at.EndByte = uint32(int32(d.StartByte)+sh.off), uint32(int32(d.EndByte)+sh.off)
	at.StartRow, at.EndRow = uint32(int32(d.StartRow)+sh.line), uint32(int32(d.EndRow)+sh.line)
	if b := taken(byText[sum], at); b != nil {
		*blocks = append(*blocks, b)
		return
	}
	flat := x.t.FlattenAt(d)
	walkFlat(flat, func(root *fnode) {
		if b := x.block(root, depth+1); b != nil {
			b.sum = sum
			*blocks = append(*blocks, b.moved(sh))
		}
	})
	flat.Release()
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

func (s shift) span(sp model.Span) model.Span { return sp.Shift(s.off, s.line) }

// moved returns b at its new place: b itself when it did not move, else a copy (facts are
// shared with the last snapshot and never modified). The copy's parts are made together, a
// few allocations per block: one each, a keystroke in a 5 MB file moved 7,500 blocks in
// 14 ms, most of it allocating.
func (b *Block) moved(s shift) *Block {
	if s == (shift{}) {
		return b
	}
	var n parts
	n.block(b)
	m := &mover{s: s,
		blocks: make([]Block, n.blocks), attrs: make([]Attribute, n.attrs), exprs: make([]Expr, n.exprs),
		blockPtrs: make([]*Block, n.blockPtrs), attrPtrs: make([]*Attribute, n.attrs),
		exprPtrs: make([]*Expr, n.exprPtrs), steps: make([]IndexStep, n.steps)}
	return m.block(b)
}

// parts counts what a copy of a block or an expression is made of.
type parts struct{ blocks, attrs, exprs, blockPtrs, exprPtrs, steps int }

func (n *parts) block(b *Block) {
	n.blocks++
	n.attrs += len(b.Attrs)
	for _, a := range b.Attrs {
		n.expr(a.Expr)
	}
	n.blockPtrs += len(b.Blocks)
	for _, c := range b.Blocks {
		n.block(c)
	}
}

func (n *parts) expr(e *Expr) {
	if e == nil {
		return
	}
	n.exprs++
	n.exprPtrs += len(e.Elems)
	for _, x := range e.Elems {
		n.expr(x)
	}
	n.steps += len(e.Index)
	for _, st := range e.Index {
		n.expr(st.Key)
	}
}

// mover copies blocks and expressions to their new place, taking their parts from its
// slices, which parts sized.
type mover struct {
	s         shift
	blocks    []Block
	attrs     []Attribute
	exprs     []Expr
	blockPtrs []*Block
	attrPtrs  []*Attribute
	exprPtrs  []*Expr
	steps     []IndexStep
}

func (m *mover) block(b *Block) *Block {
	c := &m.blocks[0]
	m.blocks = m.blocks[1:]
	*c = *b
	c.Span, c.Head = m.s.span(b.Span), m.s.span(b.Head)
	if b.Attrs != nil {
		c.Attrs, m.attrPtrs = m.attrPtrs[:len(b.Attrs):len(b.Attrs)], m.attrPtrs[len(b.Attrs):]
		for i, a := range b.Attrs {
			x := &m.attrs[0]
			m.attrs = m.attrs[1:]
			*x = *a
			x.Span, x.Expr = m.s.span(a.Span), m.expr(a.Expr)
			c.Attrs[i] = x
		}
	}
	if b.Blocks != nil {
		c.Blocks, m.blockPtrs = m.blockPtrs[:len(b.Blocks):len(b.Blocks)], m.blockPtrs[len(b.Blocks):]
		for i, n := range b.Blocks {
			c.Blocks[i] = m.block(n)
		}
	}
	return c
}

func (m *mover) expr(e *Expr) *Expr {
	if e == nil {
		return nil
	}
	c := &m.exprs[0]
	m.exprs = m.exprs[1:]
	*c = *e
	c.Span = m.s.span(e.Span)
	if e.Elems != nil {
		c.Elems, m.exprPtrs = m.exprPtrs[:len(e.Elems):len(e.Elems)], m.exprPtrs[len(e.Elems):]
		for i, x := range e.Elems {
			c.Elems[i] = m.expr(x)
		}
	}
	if e.Index != nil {
		c.Index, m.steps = m.steps[:len(e.Index):len(e.Index)], m.steps[len(e.Index):]
		for i, st := range e.Index {
			st.Key = m.expr(st.Key)
			c.Index[i] = st
		}
	}
	return c
}
