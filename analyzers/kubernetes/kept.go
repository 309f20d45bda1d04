package kubernetes

import (
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// A file of many objects (deltaFrom or more: the manifests of a whole cluster in one stream)
// keeps its build from its second reading on, as a part of the workspace does (delta.go),
// and a keystroke is applied to that build instead of building the file's thousands of
// objects again. The build keeps the trees of the objects it holds: until the file is next
// built whole, those a keystroke moved are kept twice, as the build read them and moved.
//
// A keystroke moves every object after it. The build keeps the objects it only moved (same
// document text, same place among the document's objects) as it read them, at the places it
// read them at; an object the keystroke changed enters the build read from the new text, its
// spans naming the file tagged with the edit (file + "\x00" + n), so that no place the build
// holds is ambiguous. Once the edit is applied, each element of the build is moved to the new
// text, each of its spans by the shift of the object it lies in: where the build read that
// object to where it is now. A span in no object of the build (an element the edit should
// have made again and did not) fails the shortcut, and the file is built whole, as it is when
// the edit is one the build cannot take (delta.go), when the build holds many tags, or when
// two objects share a kind, name and namespace and lines moved (their IDs say their line).

// mostTags is the most texts a kept build may hold objects of before the file is built whole
// again, in the places of its text of the moment.
const mostTags = 32

// keptEdits counts the edits applied to a file's kept build.
var keptEdits atomic.Int64

// KeptEdits returns how many edits of files were applied to their kept build since the
// process started (the others were built whole): what the tests of a keystroke in a large
// stream of manifests look at.
func KeptEdits() int64 { return keptEdits.Load() }

// kept is a file's kept build: b is the build of the objects of the raw facts that hold it,
// some of them as they were read before.
type kept struct {
	b     *builder
	edits int // the edits applied so far: the tag of the next is file + "\x00" + edits+1
}

// takeKept returns the kept build of r, leaving none: whoever applies an edit to it changes
// it, and a second reading of the same facts builds whole.
func (r *raw) takeKept() *kept {
	if r == nil {
		return nil
	}
	return r.keep.Swap(nil)
}

// apply returns the build of objs, the objects of file's text after an edit, made from k,
// the kept build of prev, the objects of its text before. ok is false when the file must be
// built whole; k is then unusable.
func (k *kept) apply(file string, prev, objs []*object) (res result, ok bool) {
	b := k.b
	if len(b.objs) != len(prev) {
		return result{}, false
	}
	k.edits++
	tag := file + "\x00" + strconv.Itoa(k.edits)
	same := func(o, p *object) bool { return o.text == p.text && o.item == p.item && o.file == p.file }
	next := make([]*object, len(objs))
	changed := false
	if n, m := len(prev), len(objs); n == m {
		for i, o := range objs {
			if same(o, prev[i]) {
				next[i] = b.objs[i]
				continue
			}
			next[i], changed = o.tagged(tag), true
		}
	} else {
		// Objects added or removed: those from the first to the last that changed are
		// the edit's.
		p, s := commonEnds(n, m, func(i, j int) bool { return same(objs[j], prev[i]) })
		copy(next, b.objs[:p])
		copy(next[m-s:], b.objs[n-s:])
		for i := p; i < m-s; i++ {
			next[i] = objs[i].tagged(tag)
		}
		changed = true
	}
	pl, ok := newPlacing(file, next, objs)
	if !ok {
		return result{}, false
	}
	if changed {
		b.place = pl.place
		_, ok = b.safeApply(next)
		b.place = nil
		if !ok || pl.failed {
			return result{}, false
		}
	}
	out := make([]*model.Element, len(b.out))
	shared := make(map[*model.Element]bool, len(b.shared))
	for i, e := range b.out {
		m, ok := e.Moved(pl.at)
		// The ID of a second object of a kind, name and namespace says its line (builder.id):
		// it holds while no line moved.
		if !ok || pl.lines && strings.IndexByte(e.ID, '@') >= 0 {
			return result{}, false
		}
		out[i] = m
		if b.shared[e] {
			shared[m] = true
		}
	}
	model.SortElements(out)
	keptEdits.Add(1)
	return result{elements: out, shared: shared}, true
}

// tagged returns a copy of o whose spans name tag instead of its file.
func (o *object) tagged(tag string) *object {
	c := *o
	c.root = yamlnode.Retag(o.root, tag)
	for _, sp := range []*model.Span{&c.span, &c.head, &c.kindSpan, &c.nsSpan, &c.nsBy} {
		if sp.File == o.file {
			sp.File = tag
		}
	}
	return &c
}

// placing says where the places of a kept build are in the text now: by the File its spans
// name (the file, or the file tagged with an edit), its objects in order, each with the shift
// from where the build read it to where it is.
type placing struct {
	file   string
	tags   map[string][]shiftAt
	failed bool // place met a span it could not place
	lines  bool // some object is on other lines than the build read it on
}

type shiftAt struct {
	start, end   int32 // the object's offsets, as the build read it
	offset, line int32 // what moves it to where it is now
}

// newPlacing returns the placing of built, the objects of a build, which are now now (the
// same objects read from the text of the moment). ok is false when one moved other than by
// whole lines, or when the build holds objects of more than mostTags texts.
func newPlacing(file string, built, now []*object) (*placing, bool) {
	p := &placing{file: file, tags: map[string][]shiftAt{}}
	for i, o := range built {
		n := now[i]
		if o.span.Start.Col != n.span.Start.Col || o.span.End.Col != n.span.End.Col {
			return nil, false
		}
		t := o.span.File
		p.lines = p.lines || n.span.Start.Line != o.span.Start.Line
		p.tags[t] = append(p.tags[t], shiftAt{start: o.span.Start.Offset, end: o.span.End.Offset,
			offset: n.span.Start.Offset - o.span.Start.Offset, line: n.span.Start.Line - o.span.Start.Line})
	}
	if len(p.tags) > mostTags {
		return nil, false
	}
	for _, list := range p.tags {
		if !sort.SliceIsSorted(list, func(i, j int) bool { return list[i].start < list[j].start }) {
			return nil, false
		}
	}
	return p, true
}

// at returns where sp, a span of the build, is in the text now.
func (p *placing) at(sp model.Span) (model.Span, bool) {
	if sp.IsZero() {
		return sp, true
	}
	list, ok := p.tags[sp.File]
	if !ok {
		return sp, false
	}
	i := sort.Search(len(list), func(i int) bool { return list[i].end >= sp.End.Offset })
	if i == len(list) || list[i].start > sp.Start.Offset {
		return sp, false
	}
	sp.File = p.file
	return sp.Shift(list[i].offset, list[i].line), true
}

// place is at for the build's stages, which compare places while the edit is applied.
func (p *placing) place(sp model.Span) model.Span {
	n, ok := p.at(sp)
	if !ok {
		p.failed = true
	}
	return n
}
