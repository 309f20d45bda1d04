package model

// Graph is the workspace model: every element from every file, fused. A Graph is immutable once
// built; an edit produces a new Graph (cheap: elements are shared, not copied).
type Graph struct {
	elements []*Element
	byID     map[string]*Element
	types    map[string]int
}

// NewGraph indexes elements. Elements with a duplicate ID keep the first occurrence.
func NewGraph(elements []*Element) *Graph {
	g := &Graph{byID: make(map[string]*Element, len(elements)), types: map[string]int{}}
	for _, e := range elements {
		if _, dup := g.byID[e.ID]; dup {
			continue
		}
		g.byID[e.ID] = e
		g.elements = append(g.elements, e)
		g.types[e.Type]++
	}
	SortElements(g.elements)
	return g
}

// Elements returns every element, sorted by file and offset. The slice must not be modified.
func (g *Graph) Elements() []*Element { return g.elements }

// Element returns the element with the given ID, or nil.
func (g *Graph) Element(id string) *Element { return g.byID[id] }

// TypeCounts returns how many elements of each type the workspace has. The map must not be
// modified.
func (g *Graph) TypeCounts() map[string]int { return g.types }
