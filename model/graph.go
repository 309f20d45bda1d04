package model

import (
	"sort"
	"sync"
)

// Graph is the workspace model: every element from every file, fused, with the derived views
// of the system (see Build). A Graph is immutable once built; an edit produces a new Graph
// (cheap: unchanged elements are shared, not copied).
type Graph struct {
	elements []*Element
	byID     map[string]*Element
	types    map[string]int
	problems []Problem

	in, out map[string][]*Element // flows by endpoint
	zoneOf  map[string]string     // element ID → zone ID
	members map[string][]*Element // zone ID → elements
	reach   map[string]bool       // reachable from the internet
	paths   []*Element            // attack paths, riskiest first
	through map[string][]*Element // element ID → paths through it (entry and asset included)

	atOnce sync.Once
	byFile map[string][]*Element
}

// Elements returns every element, sorted by file and offset. The slice must not be modified.
func (g *Graph) Elements() []*Element { return g.elements }

// Element returns the element with the given ID, or nil.
func (g *Graph) Element(id string) *Element { return g.byID[id] }

// TypeCounts returns how many elements of each type the workspace has. The map must not be
// modified.
func (g *Graph) TypeCounts() map[string]int { return g.types }

// Problems returns what Build could not resolve: overrides that match nothing, flows to
// elements that do not exist.
func (g *Graph) Problems() []Problem { return g.problems }

// Inbound returns the flows into the element id. The slice must not be modified.
func (g *Graph) Inbound(id string) []*Element { return g.in[id] }

// Outbound returns the flows out of the element id. The slice must not be modified.
func (g *Graph) Outbound(id string) []*Element { return g.out[id] }

// Zone returns the zone the element id sits in, or nil.
func (g *Graph) Zone(id string) *Element { return g.byID[g.zoneOf[id]] }

// ZoneMembers returns the elements of the zone id. The slice must not be modified.
func (g *Graph) ZoneMembers(id string) []*Element { return g.members[id] }

// ReachableFromInternet reports whether a chain of flows that no policy blocks leads from
// the internet to the element id.
func (g *Graph) ReachableFromInternet(id string) bool { return g.reach[id] }

// Paths returns the attack paths, riskiest first. The slice must not be modified.
func (g *Graph) Paths() []*Element { return g.paths }

// PathsThrough returns the attack paths the element id is on (as entry, hop or asset).
func (g *Graph) PathsThrough(id string) []*Element { return g.through[id] }

// PathsFrom returns the attack paths that start at the element id.
func (g *Graph) PathsFrom(id string) []*Element {
	var out []*Element
	for _, p := range g.through[id] {
		if p.From == id {
			out = append(out, p)
		}
	}
	return out
}

// At returns the elements whose definition (or, for fused elements, one of their members'
// definitions) holds the byte offset of file, innermost first. Flows and paths are left out.
func (g *Graph) At(file string, offset int) []*Element {
	g.atOnce.Do(func() {
		g.byFile = map[string][]*Element{}
		for _, e := range g.elements {
			if e.Kind == Path {
				continue
			}
			files := map[string]bool{e.Span.File: true}
			for _, s := range e.Sources {
				files[s.File] = true
			}
			for f := range files {
				g.byFile[f] = append(g.byFile[f], e)
			}
		}
	})
	type hit struct {
		e    *Element
		size int
	}
	var hits []hit
	for _, e := range g.byFile[file] {
		spans := append([]Span{e.Span}, e.Sources...)
		for _, s := range spans {
			if s.File == file && s.Start.Offset <= offset && offset <= s.End.Offset {
				hits = append(hits, hit{e, s.End.Offset - s.Start.Offset})
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
