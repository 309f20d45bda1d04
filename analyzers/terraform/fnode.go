package terraform

import (
	"sync"

	"github.com/threatls/threatls/analyzers/parse"
)

// fnode is a node of a parse.Flat with the methods of parse.Node that Extract uses. Reading
// it costs no cgo call; Child(i) is O(1) when children are read in order.
type fnode struct {
	w *fwalk
	i int32
	// the child last returned by Child, to make in-order iteration O(1)
	lastIdx uint
	last    int32
	hasLast bool
}

func (n *fnode) node() *parse.FlatNode { return &n.w.f.Nodes[n.i] }

func (n *fnode) Kind() string     { return n.w.f.Kind(n.i) }
func (n *fnode) ChildCount() uint { return uint(n.node().ChildCount) }
func (n *fnode) IsNamed() bool    { return n.node().Flags&parse.FlatNamed != 0 }
func (n *fnode) IsMissing() bool  { return n.node().Flags&parse.FlatMissing != 0 }
func (n *fnode) IsError() bool    { return n.node().Flags&parse.FlatError != 0 }
func (n *fnode) HasError() bool   { return n.node().Flags&parse.FlatHasError != 0 }
func (n *fnode) StartByte() uint  { return uint(n.node().StartByte) }
func (n *fnode) EndByte() uint    { return uint(n.node().EndByte) }
func (n *fnode) StartPosition() parse.Point {
	d := n.node()
	return parse.Point{Row: uint(d.StartRow), Column: uint(d.StartCol)}
}
func (n *fnode) EndPosition() parse.Point {
	d := n.node()
	return parse.Point{Row: uint(d.EndRow), Column: uint(d.EndCol)}
}

// Child returns child i, or nil.
func (n *fnode) Child(i uint) *fnode {
	var c int32
	var from uint
	if n.hasLast && n.lastIdx <= i {
		c, from = n.last, n.lastIdx
	} else {
		c, from = n.node().FirstChild, 0
	}
	for ; from < i && c >= 0; from++ {
		c = n.w.f.Nodes[c].NextSibling
	}
	if c < 0 {
		return nil
	}
	n.last, n.lastIdx, n.hasLast = c, i, true
	return n.w.at(c)
}

// ChildByFieldName returns the first child in field name, or nil.
func (n *fnode) ChildByFieldName(name string) *fnode {
	for c := n.node().FirstChild; c >= 0; c = n.w.f.Nodes[c].NextSibling {
		if n.w.f.Field(c) == name {
			return n.w.at(c)
		}
	}
	return nil
}

// fwalk is one reading of a parse.Flat. It hands out the fnodes the reading asks for from
// chunks it keeps for the next reading: a file's extraction reads each of its nodes at least
// once, and an fnode allocated per read was a tenth of what a workspace's first model
// allocated (107 MB at 5,000 files), garbage that the collector then had to find between the
// facts that stay.
type fwalk struct {
	f      *parse.Flat
	chunks [][]fnode
	cur    int // the chunk being filled
}

const (
	fnodeChunk = 512 // fnodes per chunk (20 KB)
	keptChunks = 64  // chunks a walk keeps for the next one (1.3 MB)
)

var walks sync.Pool // of *fwalk

// walkFlat calls read with the root of f. The fnodes read hands out are reused once it
// returns: nothing read keeps may point to one.
func walkFlat(f *parse.Flat, read func(root *fnode)) {
	w, _ := walks.Get().(*fwalk)
	if w == nil {
		w = &fwalk{}
	}
	w.f = f
	read(w.at(0))
	for i := range w.chunks[:min(len(w.chunks), w.cur+1)] {
		clear(w.chunks[i])
		w.chunks[i] = w.chunks[i][:0]
	}
	w.chunks = w.chunks[:min(len(w.chunks), keptChunks)]
	w.f, w.cur = nil, 0
	walks.Put(w)
}

// at returns an fnode of node i.
func (w *fwalk) at(i int32) *fnode {
	if w.cur == len(w.chunks) {
		w.chunks = append(w.chunks, make([]fnode, 0, fnodeChunk))
	}
	ch := &w.chunks[w.cur]
	*ch = append(*ch, fnode{w: w, i: i})
	n := &(*ch)[len(*ch)-1]
	if len(*ch) == cap(*ch) {
		w.cur++
	}
	return n
}
