package model

import (
	"sort"
	"sync"

	"github.com/tidwall/btree"
)

// Graph is the workspace model: every element from every file, fused, with the derived views
// of the system (see Build). A Graph is immutable once built: an update produces a new Graph
// that shares with the previous one everything the update did not change (its indexes are
// copy-on-write B-trees), so readers on other goroutines never see half an update.
type Graph struct {
	byID    *btree.Map[string, *Element]
	sorted  *btree.BTreeG[*Element]        // every element, by file, offset and ID
	in, out *btree.Map[string, []*Element] // flows by endpoint
	zoneOf  *btree.Map[string, string]     // element ID → zone ID
	members *btree.Map[string, []*Element] // zone ID → elements, in element order
	reach   *btree.Map[string, bool]       // reachable from the internet
	through *btree.Map[string, []*Element] // element ID → paths through it (entry and asset included)
	byFile  *btree.Map[string, []*Element] // file → elements defined (or fused from a member defined) there
	paths   []*Element                     // attack paths, riskiest first
	types   map[string]int
	// problems are what Build could not resolve, sorted.
	problems []Problem

	elOnce   sync.Once
	elements []*Element
}

func newGraph() *Graph {
	opts := btree.Options{NoLocks: true}
	g := &Graph{
		byID:    btree.NewMap[string, *Element](32),
		sorted:  btree.NewBTreeGOptions(elementLess, opts),
		in:      btree.NewMap[string, []*Element](32),
		out:     btree.NewMap[string, []*Element](32),
		zoneOf:  btree.NewMap[string, string](32),
		members: btree.NewMap[string, []*Element](32),
		reach:   btree.NewMap[string, bool](32),
		through: btree.NewMap[string, []*Element](32),
		byFile:  btree.NewMap[string, []*Element](32),
		types:   map[string]int{},
	}
	g.reach.Set(Internet, true) // the internet reaches itself
	return g
}

// copy returns a graph that shares g's indexes until either is written: the builder writes
// the copy, readers keep g.
func (g *Graph) copy() *Graph {
	types := make(map[string]int, len(g.types))
	for k, v := range g.types {
		types[k] = v
	}
	return &Graph{
		byID: g.byID.Copy(), sorted: g.sorted.Copy(), in: g.in.Copy(), out: g.out.Copy(),
		zoneOf: g.zoneOf.Copy(), members: g.members.Copy(), reach: g.reach.Copy(),
		through: g.through.Copy(), byFile: g.byFile.Copy(), paths: g.paths, types: types,
		problems: g.problems,
	}
}

// Elements returns every element, sorted by file, offset and ID. The slice is made on the first
// call (a walk of the whole model: the editor's paths never need it) and must not be modified.
func (g *Graph) Elements() []*Element {
	g.elOnce.Do(func() { g.elements = g.sorted.Items() })
	return g.elements
}

// Len returns the number of elements.
func (g *Graph) Len() int { return g.sorted.Len() }

// Scan calls f with every element in order until it returns false.
func (g *Graph) Scan(f func(*Element) bool) { g.sorted.Scan(f) }

// Element returns the element with the given ID, or nil.
func (g *Graph) Element(id string) *Element {
	e, _ := g.byID.Get(id)
	return e
}

// TypeCounts returns how many elements of each type the workspace has. The map must not be
// modified.
func (g *Graph) TypeCounts() map[string]int { return g.types }

// Problems returns what Build could not resolve: overrides that match nothing, flows to
// elements that do not exist.
func (g *Graph) Problems() []Problem { return g.problems }

// Inbound returns the flows into the element id. The slice must not be modified.
func (g *Graph) Inbound(id string) []*Element {
	fs, _ := g.in.Get(id)
	return fs
}

// Outbound returns the flows out of the element id. The slice must not be modified.
func (g *Graph) Outbound(id string) []*Element {
	fs, _ := g.out.Get(id)
	return fs
}

// ZoneID returns the ID of the zone the element id sits in, or "".
func (g *Graph) ZoneID(id string) string {
	z, _ := g.zoneOf.Get(id)
	return z
}

// Zone returns the zone the element id sits in, or nil.
func (g *Graph) Zone(id string) *Element {
	if z := g.ZoneID(id); z != "" {
		return g.Element(z)
	}
	return nil
}

// ZoneMembers returns the elements of the zone id. The slice must not be modified.
func (g *Graph) ZoneMembers(id string) []*Element {
	ms, _ := g.members.Get(id)
	return ms
}

// ReachableFromInternet reports whether a chain of flows that no policy blocks leads from
// the internet to the element id.
func (g *Graph) ReachableFromInternet(id string) bool {
	r, _ := g.reach.Get(id)
	return r
}

// Paths returns the attack paths, riskiest first. The slice must not be modified.
func (g *Graph) Paths() []*Element { return g.paths }

// PathsThrough returns the attack paths the element id is on (as entry, hop or asset).
func (g *Graph) PathsThrough(id string) []*Element {
	ps, _ := g.through.Get(id)
	return ps
}

// PathsFrom returns the attack paths that start at the element id.
func (g *Graph) PathsFrom(id string) []*Element {
	var out []*Element
	for _, p := range g.PathsThrough(id) {
		if p.From == id {
			out = append(out, p)
		}
	}
	return out
}

// InFile returns the elements defined in file — by their own definition or by a member's,
// for fused elements — in element order. Paths are left out. The slice must not be modified.
func (g *Graph) InFile(file string) []*Element {
	es, _ := g.byFile.Get(file)
	return es
}

// At returns the elements whose definition (or, for fused elements, one of their members'
// definitions) holds the byte offset of file, innermost first. Paths are left out.
func (g *Graph) At(file string, offset int) []*Element {
	type hit struct {
		e    *Element
		size int
	}
	var hits []hit
	for _, e := range g.InFile(file) {
		for _, s := range e.spans() {
			if s.File == file && int(s.Start.Offset) <= offset && offset <= int(s.End.Offset) {
				hits = append(hits, hit{e, int(s.End.Offset - s.Start.Offset)})
				break
			}
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].size < hits[j].size })
	out := make([]*Element, len(hits))
	for i, h := range hits {
		out[i] = h.e
	}
	return out
}

// spans returns e's definition and its members' definitions.
func (e *Element) spans() []Span {
	if len(e.Sources) == 0 {
		return []Span{e.Span}
	}
	return append([]Span{e.Span}, e.Sources...)
}

// files returns the files e is defined in, without repeats, in order of appearance.
func (e *Element) files() []string {
	out := []string{e.Span.File}
	for _, s := range e.Sources {
		dup := false
		for _, f := range out {
			dup = dup || f == s.File
		}
		if !dup {
			out = append(out, s.File)
		}
	}
	return out
}
