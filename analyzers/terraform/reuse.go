package terraform

import (
	"slices"
	"sort"
	"strings"

	"github.com/threatls/threatls/model"
)

// reuse returns the elements of the module whose files are now fs and whose key (world.key)
// is key, when they differ from those of l, its last build, only in what that build did not
// read (reads.go): l's elements, moved to where their blocks now are. That is so when each file that changed has the same
// blocks in the same order, every one of them the same text moved, or a resource or data
// source whose arguments that differ were never looked up and refer to nothing. ok is false
// otherwise, and the module is built again.
//
// Modules linked to others by module calls, and those with override or OpenTofu files, are
// always built again: their elements read what no log of one build holds.
func reuse(l linked, fs []*model.FileFacts, key string) (out []*model.Element, ok bool) {
	if l.log == nil || l.log.unknown || l.key != "" || key != "" || len(l.files) != len(fs) {
		return nil, false
	}
	var moves []*fileMove
	for i, f := range fs {
		old := l.files[i]
		if isOverride(f.File) || strings.HasSuffix(f.File, ".tofu") || old.File != f.File {
			return nil, false
		}
		if old == f {
			continue
		}
		mv, ok := compareFacts(l.log, old, f)
		if !ok {
			return nil, false
		}
		moves = append(moves, mv)
	}
	at := func(sp model.Span) (model.Span, bool) {
		for _, mv := range moves {
			if sp.File == mv.file {
				return mv.at(sp)
			}
		}
		return sp, true
	}
	out = make([]*model.Element, len(l.out))
	for i, el := range l.out {
		if out[i], ok = el.Moved(at); !ok {
			return nil, false
		}
	}
	return out, true
}

// fileMove says where the places of a file's last facts are in its new ones: the blocks in
// order of their start, each moved whole (shift) or, for one whose text changed, place by
// place (exact).
type fileMove struct {
	file   string
	blocks []blockMove
	// last is the block at found last: an element's places are mostly in one block.
	last int
}

type blockMove struct {
	span  model.Span // the block's, in the last facts
	shift shift
	exact map[model.Span]model.Span // nil for a block moved whole
}

// at returns where sp, a place in the last facts, is now.
func (mv *fileMove) at(sp model.Span) (model.Span, bool) {
	if sp.IsZero() {
		return sp, true
	}
	i := mv.last
	if i >= len(mv.blocks) || mv.blocks[i].span.Start.Offset > sp.Start.Offset || mv.blocks[i].span.End.Offset < sp.End.Offset {
		i = sort.Search(len(mv.blocks), func(i int) bool { return mv.blocks[i].span.End.Offset >= sp.End.Offset })
		if i == len(mv.blocks) || mv.blocks[i].span.Start.Offset > sp.Start.Offset {
			return sp, false // between blocks: no fact is there
		}
		mv.last = i
	}
	b := &mv.blocks[i]
	if b.exact == nil {
		return b.shift.span(sp), true
	}
	n, ok := b.exact[sp]
	return n, ok
}

// compareFacts compares the facts of one file before and after an edit.
func compareFacts(log *readLog, old, now *model.FileFacts) (*fileMove, bool) {
	or, ok1 := old.RawFacts().(*Raw)
	nr, ok2 := now.RawFacts().(*Raw)
	if !ok1 || !ok2 || len(or.Attrs) > 0 || len(nr.Attrs) > 0 || len(or.Blocks) != len(nr.Blocks) {
		return nil, false
	}
	mv := &fileMove{file: now.File, blocks: make([]blockMove, len(or.Blocks))}
	for i, ob := range or.Blocks {
		nb := nr.Blocks[i]
		bm := blockMove{span: ob.Span}
		switch {
		case ob == nb:
		case ob.sum != 0 && ob.sum == nb.sum && ob.Type == nb.Type && slices.Equal(ob.Labels, nb.Labels) &&
			ob.Span.Start.Col == nb.Span.Start.Col && ob.Span.End.Offset-ob.Span.Start.Offset == nb.Span.End.Offset-nb.Span.Start.Offset:
			bm.shift = shift{off: nb.Span.Start.Offset - ob.Span.Start.Offset, line: nb.Span.Start.Line - ob.Span.Start.Line}
		case ob.Type == "resource" || ob.Type == "data":
			// Only these are read through the log: locals are read by name from
			// module.locals, variables and outputs across directories.
			p := &pairing{log: log, t: topRef{old.File, i}, exact: map[model.Span]model.Span{}}
			if !p.block(ob, nb, 0) {
				return nil, false
			}
			bm.exact = p.exact
		default:
			return nil, false
		}
		if i > 0 && mv.blocks[i-1].span.End.Offset > ob.Span.Start.Offset {
			return nil, false // out of order: at's search needs them sorted
		}
		mv.blocks[i] = bm
	}
	return mv, true
}

// pairing pairs the places of a block before and after an edit of its text, and checks that
// what the edit changed is only arguments the last build did not read.
type pairing struct {
	log   *readLog
	t     topRef
	exact map[model.Span]model.Span
}

func (p *pairing) pair(a, b model.Span) bool {
	if prev, ok := p.exact[a]; ok && prev != b {
		return false
	}
	p.exact[a] = b
	return true
}

func (p *pairing) block(ob, nb *Block, depth int) bool {
	if depth > maxDepth || ob.Type != nb.Type || !slices.Equal(ob.Labels, nb.Labels) ||
		len(ob.Attrs) != len(nb.Attrs) || len(ob.Blocks) != len(nb.Blocks) ||
		!p.pair(ob.Span, nb.Span) || !p.pair(ob.Head, nb.Head) {
		return false
	}
	for i, oa := range ob.Attrs {
		na := nb.Attrs[i]
		if oa.Name != na.Name || !p.pair(oa.Span, na.Span) {
			return false
		}
		if sameExpr(oa.Expr, na.Expr, 0) {
			if !p.exprs(oa.Expr, na.Expr, 0) {
				return false
			}
			continue
		}
		// The argument changed: only one the build never looked up, and that refers to
		// nothing (index and the zones read the references of every argument), may.
		if p.log.wasRead(p.t, oa.Name) || refers(oa.Expr) || refers(na.Expr) {
			return false
		}
	}
	for i, oc := range ob.Blocks {
		if !p.block(oc, nb.Blocks[i], depth+1) {
			return false
		}
	}
	return true
}

// sameExpr reports whether a and b are the same expression, wherever each is written.
func sameExpr(a, b *Expr, depth int) bool {
	if a == nil || b == nil {
		return a == b
	}
	if depth > maxDepth || a.Kind != b.Kind || a.Lit != b.Lit || a.Name != b.Name || a.Text != b.Text ||
		a.Indexed != b.Indexed || !slices.Equal(a.Keys, b.Keys) || !slices.Equal(a.Path, b.Path) ||
		len(a.Elems) != len(b.Elems) || len(a.Index) != len(b.Index) {
		return false
	}
	for i := range a.Elems {
		if !sameExpr(a.Elems[i], b.Elems[i], depth+1) {
			return false
		}
	}
	for i := range a.Index {
		if a.Index[i].At != b.Index[i].At || a.Index[i].Splat != b.Index[i].Splat ||
			!sameExpr(a.Index[i].Key, b.Index[i].Key, depth+1) {
			return false
		}
	}
	return true
}

// exprs pairs the places of a and b, the same expression (sameExpr).
func (p *pairing) exprs(a, b *Expr, depth int) bool {
	if a == nil || depth > maxDepth {
		return true
	}
	if !p.pair(a.Span, b.Span) {
		return false
	}
	for i := range a.Elems {
		if !p.exprs(a.Elems[i], b.Elems[i], depth+1) {
			return false
		}
	}
	for i := range a.Index {
		if !p.exprs(a.Index[i].Key, b.Index[i].Key, depth+1) {
			return false
		}
	}
	return true
}

// refers reports whether e is a reference, or a list with one, as index and the zones read
// every argument's (topology.go, refs).
func refers(e *Expr) bool {
	if e == nil {
		return false
	}
	if e.Kind == Ref {
		return true
	}
	return e.Kind == Tuple && slices.ContainsFunc(e.Elems, func(x *Expr) bool { return x != nil && x.Kind == Ref })
}
