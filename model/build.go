package model

import (
	"fmt"
	"strings"
)

// BuildOptions are what Build needs from outside the model.
type BuildOptions struct {
	// Classify returns the classification of a store or component that has none, and a note
	// saying which rule decided it; "" when no rule applies. Nil classifies nothing.
	Classify func(el *Element) (class, note string)
}

// Builder builds graphs one edit after another, reusing what did not change: an element
// whose inputs are the same elements (pointer for pointer) as in the previous build is the
// same *Element in the new graph, so that evaluation caches keyed by element stay valid.
// A Builder is not safe for concurrent use.
type Builder struct {
	memo map[string]*Element // derived elements of the previous build, by their inputs
	next map[string]*Element
	// infoMemo holds what fusion needs of each element, and classMemo each element's
	// classified copy, for the previous and the current build.
	infoMemo             map[*Element]*elInfo
	classMemo, classNext map[*Element]*Element
	zoneMemo, zoneNext   map[zoneKey]*Element
	// bySlot indexes the elements of the previous build (present) by alias; multi holds the
	// aliases elements of several formats carry.
	bySlot  map[slot][]*Element
	present map[*Element]uint64
	gen     uint64
	multi   map[slot]bool
	// plans holds, per shared alias, the pairs of elements it fuses (see plan), and sorted its
	// elements in order (see sortedSlot); an alias whose elements change loses both.
	plans  map[slot][][2]*Element
	sorted map[slot][]*Element
	// order is each element's place in the previous build's sorted elements.
	order map[*Element]int
}

// formatOrder ranks the formats of inferred elements: the first member of a fused element in
// this order gives it its ID.
var formatOrder = map[string]int{"terraform": 0, "kubernetes": 1, "compose": 2, "dockerfile": 3}

// Format returns the format part of an element ID: "terraform" for "terraform:./aws_s3_bucket.b".
func Format(id string) string {
	f, _, _ := strings.Cut(id, ":")
	return f
}

// maxHops bounds attack paths; maxPaths bounds how many are kept (the riskiest).
const (
	maxHops  = 8
	maxPaths = 500
)

// Build fuses the elements of every analyzer into one graph and derives the system's views:
// references resolved, fused elements (see docs/model.md), zones and boundary crossings,
// drift between documented and inferred elements, reachability from the internet and attack
// paths. What cannot be resolved is reported in Graph.Problems, never a failure.
func (b *Builder) Build(elements []*Element, opts BuildOptions) *Graph {
	b.next = map[string]*Element{}
	b.classNext = make(map[*Element]*Element, len(b.classMemo))
	b.zoneNext = make(map[zoneKey]*Element, len(b.zoneMemo))
	defer func() {
		b.memo, b.next = b.next, nil
		b.classMemo, b.classNext = b.classNext, nil
		b.zoneMemo, b.zoneNext = b.zoneNext, nil
	}()
	g := &Graph{byID: make(map[string]*Element, len(elements)+len(b.order)/8), types: map[string]int{}}
	s := &sys{b: b, g: g, opts: opts}
	s.fuseNodes(elements)
	s.resolveFlows()
	s.zones()
	s.drift()
	s.index()
	s.paths()
	g.elements = b.sortIncrementally(g.elements)
	g.members = map[string][]*Element{}
	for _, e := range g.elements {
		if z := g.zoneOf[e.ID]; z != "" {
			g.members[z] = append(g.members[z], e)
		}
	}
	return g
}

// sortIncrementally sorts els as SortElements does, reusing the order of the previous build:
// elements are immutable, so those it had keep their places relative to each other, and only
// the new ones are sorted and merged in.
func (b *Builder) sortIncrementally(els []*Element) []*Element {
	var fresh []*Element
	places := make([]*Element, len(b.order))
	for _, e := range els {
		if i, ok := b.order[e]; ok {
			places[i] = e
		} else {
			fresh = append(fresh, e)
		}
	}
	old := make([]*Element, 0, len(els)-len(fresh))
	for _, e := range places {
		if e != nil {
			old = append(old, e)
		}
	}
	SortElements(fresh)
	out := make([]*Element, 0, len(els))
	for len(old) > 0 && len(fresh) > 0 {
		if elementLess(fresh[0], old[0]) {
			out, fresh = append(out, fresh[0]), fresh[1:]
		} else {
			out, old = append(out, old[0]), old[1:]
		}
	}
	out = append(append(out, old...), fresh...)
	b.order = make(map[*Element]int, len(out))
	for i, e := range out {
		b.order[e] = i
	}
	return out
}

// NewGraph builds a graph with no options and no previous build.
func NewGraph(elements []*Element) *Graph {
	return (&Builder{}).Build(elements, BuildOptions{})
}

type sys struct {
	b    *Builder
	g    *Graph
	opts BuildOptions
	// nodes are the fused components, stores, actors, zones and controls; flows the raw flows.
	nodes []*Element
	flows []*Element
	// fusedOf maps every member ID to the ID of the element it fused into.
	fusedOf map[string]string
	// final maps an element to what it became when that is another element (fused,
	// classified); refs memoises the resolution of references.
	final map[*Element]*Element
	refs  map[refKey]*Element
	// members keeps the members of each fused node, in order.
	members map[string][]*Element
}

// memo returns the element built before from the same key, or builds it.
func (s *sys) memo(key string, build func() *Element) *Element {
	if el, ok := s.b.memo[key]; ok {
		s.b.next[key] = el
		return el
	}
	if el, ok := s.b.next[key]; ok {
		return el
	}
	el := build()
	s.b.next[key] = el
	return el
}

func ptrKey(els ...*Element) string {
	var sb strings.Builder
	for _, e := range els {
		fmt.Fprintf(&sb, "%p,", e)
	}
	return sb.String()
}

// index adds the flows and the adjacency.
func (s *sys) index() {
	g := s.g
	g.elements = make([]*Element, 0, len(s.nodes)+len(s.flows))
	g.elements = append(g.elements, s.nodes...) // byID has them already (fuse, zones, drift)
	g.in, g.out = map[string][]*Element{}, map[string][]*Element{}
	for _, f := range s.flows {
		g.byID[f.ID] = f
		g.elements = append(g.elements, f)
		g.out[f.From] = append(g.out[f.From], f)
		g.in[f.To] = append(g.in[f.To], f)
	}
	g.types = map[string]int{}
	for _, e := range g.elements {
		g.types[e.Type]++
	}
	// Reachability from the internet over flows no policy blocks.
	g.reach = map[string]bool{}
	queue := []string{Internet}
	g.reach[Internet] = true
	for _, e := range g.elements {
		// Exposed by their own attributes: a public bucket, an instance open to the internet.
		if e.Kind == Store && boolAttr(e, "public") || e.Kind == Component && boolAttr(e, "internet_facing") {
			g.reach[e.ID] = true
			queue = append(queue, e.ID)
		}
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, f := range g.out[id] {
			if blocked(f) || g.reach[f.To] {
				continue
			}
			g.reach[f.To] = true
			queue = append(queue, f.To)
		}
	}
}

// blocked reports whether an attacker cannot use the flow: a policy denies it, or it exists
// only in a design document that the workspace does not implement.
func blocked(f *Element) bool {
	b, _ := f.Attrs["blocked"].Value.(bool)
	n, _ := f.Attrs["not_implemented"].Value.(bool)
	return b || n
}
