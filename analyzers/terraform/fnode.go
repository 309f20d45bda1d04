package terraform

import "github.com/threatls/threatls/analyzers/parse"

// fnode is a node of a parse.Flat with the methods of parse.Node that Extract uses. Reading
// it costs no cgo call; Child(i) is O(1) when children are read in order.
type fnode struct {
	f *parse.Flat
	i int32
	// the child last returned by Child, to make in-order iteration O(1)
	lastIdx uint
	last    int32
	hasLast bool
}

func (n *fnode) node() *parse.FlatNode { return &n.f.Nodes[n.i] }

func (n *fnode) Kind() string     { return n.f.Kind(n.i) }
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
		c = n.f.Nodes[c].NextSibling
	}
	if c < 0 {
		return nil
	}
	n.last, n.lastIdx, n.hasLast = c, i, true
	return &fnode{f: n.f, i: c}
}

// ChildByFieldName returns the first child in field name, or nil.
func (n *fnode) ChildByFieldName(name string) *fnode {
	for c := n.node().FirstChild; c >= 0; c = n.f.Nodes[c].NextSibling {
		if n.f.Field(c) == name {
			return &fnode{f: n.f, i: c}
		}
	}
	return nil
}
