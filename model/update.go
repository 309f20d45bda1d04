package model

import (
	"slices"
	"sort"
	"unsafe"
)

// update is one Update in progress: what each stage changed, for the next stages and for the
// graph.
type update struct {
	b *Builder
	g *Graph
	// changed are the keys the stages so far changed; preChanged the IDs whose element
	// before decoration (fused or derived) changed.
	changed     map[key]struct{}
	preChanged  map[string]struct{}
	wasInferred bool
	// pairTouched are the pairs whose input flows changed; derivedTouched the derived actors
	// whose owners changed.
	pairTouched    map[pairKey]struct{}
	derivedTouched map[string]struct{}
	zoneMoves      []zoneMove
	// finals are the graph's elements this update replaces, by ID (nil: removed); replaced
	// the IDs whose element the last applyFinals replaced (or removed).
	finals   map[string]*Element
	replaced map[string]struct{}
	// movedFinals are the IDs of finals that move set, which a later removal may undo.
	movedFinals map[string]struct{}
	// moved are the IDs whose element the last applyFinals replaced with the same element
	// moved; movedDeps the deps of lists that changed only by such elements (see
	// Builder.MovedDeps).
	moved           map[string]struct{}
	movedDeps       map[Dep]struct{}
	deps            map[Dep]struct{}
	problemsChanged bool
	// edgesCame and edgesGone are the unblocked flows, as from→to, that came and went (a flow
	// that only moved or changed its other attributes is neither); exposedCame and
	// exposedGone the nodes that became and stopped being exposed (see reach).
	edgesCame, edgesGone     [][2]string
	exposedCame, exposedGone []string
	typesBefore              map[string]int
	forget                   []*Element // input nodes that left: their fusion info goes unless they came back
}

type zoneMove struct{ id, was, now string }

func newUpdate(b *Builder) *update {
	return &update{
		b: b, g: b.g,
		changed:        keySet(),
		preChanged:     map[string]struct{}{},
		wasInferred:    b.f.inferred > 0,
		pairTouched:    map[pairKey]struct{}{},
		derivedTouched: map[string]struct{}{},
		finals:         map[string]*Element{},
		movedFinals:    map[string]struct{}{},
		movedDeps:      map[Dep]struct{}{},
		deps:           map[Dep]struct{}{},
		typesBefore:    map[string]int{},
	}
}

// nodeChanged records that the element of ID id before decoration changed.
func (u *update) nodeChanged(id string) {
	u.preChanged[id] = struct{}{}
	mark(u.changed, idKey(id))
}

func (u *update) idChanged(id string) { mark(u.changed, idKey(id)) }

func (u *update) slotChanged(k slot) { mark(u.changed, slotKey(k)) }

// setNode records the graph's node of ID id (nil: none).
func (u *update) setNode(id string, el *Element) {
	mark(u.changed, idKey(id))
	u.setFinal(id, el)
}

// setFinal records the graph's element of ID id (nil: none). A removal never undoes what
// another unit of the same update set, but for what move set (an element as it was, moved):
// the stages after it may find the element gone, or fused into another.
func (u *update) setFinal(id string, el *Element) {
	if el == nil {
		if cur, ok := u.finals[id]; ok && cur != nil {
			if _, moved := u.movedFinals[id]; !moved {
				return
			}
		}
	}
	delete(u.movedFinals, id)
	u.finals[id] = el
}

// setMovedFinal is setFinal of an element move put in its last one's place.
func (u *update) setMovedFinal(id string, el *Element) {
	u.finals[id] = el
	u.movedFinals[id] = struct{}{}
}

// flowsChanged records that a pair's flows went from old to now.
func (u *update) flowsChanged(old, now []*Element) {
	for _, f := range old {
		if !slices.Contains(now, f) {
			u.setFinal(f.ID, nil)
		}
	}
	for _, f := range now {
		if !slices.Contains(old, f) {
			u.setFinal(f.ID, f)
		}
	}
}

func (u *update) dep(kind DepKind, id string) { u.deps[Dep{kind, id}] = struct{}{} }

// index writes the nodes and flows the stages remade into the graph: the elements, their
// order and files, type counts, flows by endpoint, zones and their members.
func (u *update) index() {
	g := u.g
	// Zones first, so that members are filed with their new element.
	moved := map[string]bool{} // zones whose members changed
	for _, m := range u.zoneMoves {
		if m.now == "" {
			g.zoneOf.Delete(m.id)
		} else {
			g.zoneOf.Set(m.id, m.now)
		}
		u.dep(DepZone, m.id)
		if m.was != "" {
			moved[m.was] = true
		}
		if m.now != "" {
			moved[m.now] = true
		}
	}
	finals := u.finals
	cands := map[string][]*Element{} // zone → elements that may have joined it
	for id, e := range finals {
		if z := g.ZoneID(id); z != "" {
			moved[z] = true
			if e != nil {
				cands[z] = append(cands[z], e)
			}
		}
	}
	u.applyFinals()
	for _, m := range u.zoneMoves {
		if e := g.Element(m.id); e != nil && m.now != "" && finals[m.id] == nil {
			cands[m.now] = append(cands[m.now], e)
		}
	}
	zones := make([]string, 0, len(moved))
	for z := range moved {
		zones = append(zones, z)
	}
	sort.Strings(zones)
	for _, z := range zones {
		before, _ := g.members.Get(z)
		u.refile(g.members, z, func(e *Element) bool { return g.ZoneID(e.ID) == z }, cands[z], false)
		if after, _ := g.members.Get(z); !slices.Equal(before, after) {
			u.listDep(Dep{DepMembers, z}, before, after)
		}
	}
	if u.problemsChanged {
		var ps []Problem
		for _, list := range u.b.problems {
			ps = append(ps, list...)
		}
		sort.Slice(ps, func(i, j int) bool {
			a, b := ps[i], ps[j]
			if a.Span.File != b.Span.File {
				return a.Span.File < b.Span.File
			}
			if a.Span.Start.Offset != b.Span.Start.Offset {
				return a.Span.Start.Offset < b.Span.Start.Offset
			}
			return a.Message < b.Message
		})
		g.problems = ps
	}
}

// refile rebuilds the list of key k in m: the elements still there by keep and still current,
// plus cands, in element order (by ID with byID); it reports whether the list changed. An
// element of the list is current unless this update replaced its ID: every list that holds an
// element is refiled in the update that replaces it (applyFinals files the element's files
// and flow ends, index its zone), so the lists hold only current elements between updates.
// (Looking each one up in the graph instead cost 1.5 CPU-seconds of a load of 40,000 files:
// the internet's flows are thousands, refiled by every batch.)
func (u *update) refile(m interface {
	Get(string) ([]*Element, bool)
	Set(string, []*Element) ([]*Element, bool)
	Delete(string) ([]*Element, bool)
}, k string, keep func(*Element) bool, cands []*Element, byID bool) bool {
	less := elementLess
	if byID {
		less = func(a, b *Element) bool { return a.ID < b.ID }
	}
	old, _ := m.Get(k)
	next := make([]*Element, 0, len(old)+len(cands))
	// Whether an element is a candidate: looked up in a set once there are more than a few
	// (a keystroke in the middle of a file of 17,000 manifests refiled half of its
	// elements, each looked for among the other half: 20 ms).
	isCand := func(e *Element) bool { return slices.Contains(cands, e) }
	if len(cands) > 16 {
		set := make(map[*Element]struct{}, len(cands))
		for _, c := range cands {
			set[c] = struct{}{}
		}
		isCand = func(e *Element) bool { _, ok := set[e]; return ok }
	}
	for _, e := range old {
		if _, gone := u.replaced[e.ID]; !gone && keep(e) && !isCand(e) {
			next = append(next, e)
		}
	}
	sort.Slice(cands, func(i, j int) bool { return less(cands[i], cands[j]) })
	merged := make([]*Element, 0, len(next)+len(cands))
	i, j := 0, 0
	for i < len(next) || j < len(cands) {
		switch {
		case j == len(cands) || i < len(next) && less(next[i], cands[j]):
			merged = append(merged, next[i])
			i++
		default:
			merged = append(merged, cands[j])
			j++
		}
	}
	if len(merged) == 0 {
		m.Delete(k)
	} else {
		m.Set(k, merged)
	}
	return !slices.Equal(old, merged)
}

// applyFinals writes the elements of u.finals into the graph and clears it.
func (u *update) applyFinals() {
	g, p := u.g, &u.b.p
	u.replaced = make(map[string]struct{}, len(u.finals))
	ids := make([]string, 0, len(u.finals))
	for id := range u.finals {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	files := map[string][]*Element{} // file → elements to file there
	refiled := map[string]bool{}
	ends := map[Dep][]*Element{} // flows to file by endpoint
	for _, id := range ids {
		nw := u.finals[id]
		old := g.Element(id)
		if old == nw {
			continue
		}
		u.replaced[id] = struct{}{}
		u.dep(DepElement, id)
		if old != nil {
			g.sorted.Delete(old)
			u.count(old.Type, -1)
			if old.Kind != Path {
				for _, f := range old.files() {
					refiled[f] = true
				}
			}
			if old.Kind == Flow {
				ends[Dep{DepOutbound, old.From}] = ends[Dep{DepOutbound, old.From}]
				ends[Dep{DepInbound, old.To}] = ends[Dep{DepInbound, old.To}]
			}
		}
		if nw == nil {
			g.byID.Delete(id)
		} else {
			g.byID.Set(id, nw)
			g.sorted.Set(nw)
			u.count(nw.Type, 1)
			if nw.Kind != Path {
				for _, f := range nw.files() {
					refiled[f] = true
					files[f] = append(files[f], nw)
				}
			}
			if nw.Kind == Flow {
				ends[Dep{DepOutbound, nw.From}] = append(ends[Dep{DepOutbound, nw.From}], nw)
				ends[Dep{DepInbound, nw.To}] = append(ends[Dep{DepInbound, nw.To}], nw)
			}
		}
		wasEdge := old != nil && old.Kind == Flow && !blocked(old)
		isEdge := nw != nil && nw.Kind == Flow && !blocked(nw)
		if !wasEdge || !isEdge || old.From != nw.From || old.To != nw.To {
			if wasEdge {
				u.edgesGone = append(u.edgesGone, [2]string{old.From, old.To})
			}
			if isEdge {
				u.edgesCame = append(u.edgesCame, [2]string{nw.From, nw.To})
			}
		}
		if old != nil && old.Kind != Flow && old.Kind != Path || nw != nil && nw.Kind != Flow && nw.Kind != Path {
			if was, now := exposedNode(old), exposedNode(nw); was != now || (was && nw == nil) {
				if now && nw != nil {
					p.exposed[id] = true
					u.exposedCame = append(u.exposedCame, id)
				} else {
					delete(p.exposed, id)
					u.exposedGone = append(u.exposedGone, id)
				}
			}
		}
	}
	u.moved = map[string]struct{}{}
	for id := range u.movedFinals {
		if _, ok := u.replaced[id]; ok && u.finals[id] != nil {
			u.moved[id] = struct{}{}
		}
	}
	u.finals, u.movedFinals = map[string]*Element{}, map[string]struct{}{}
	for f := range refiled {
		u.refile(g.byFile, f, func(e *Element) bool { return slices.Contains(e.files(), f) }, files[f], false)
	}
	// A node's flows are merged with those that came, not sorted again whole: the internet's,
	// or a store every service writes to, are thousands, and each batch of a load adds a few.
	for d, fs := range ends {
		m := g.out
		if d.Kind == DepInbound {
			m = g.in
		}
		before, _ := m.Get(d.ID)
		if u.refile(m, d.ID, func(*Element) bool { return true }, fs, true) {
			after, _ := m.Get(d.ID)
			u.listDep(d, before, after)
		}
	}
}

// listDep records that the list of d went from before to after: a change of what it holds,
// or, when it holds the same IDs in the same order and each element that differs is one this
// update only moved, a change of where they are (movedDeps).
func (u *update) listDep(d Dep, before, after []*Element) {
	u.dep(d.Kind, d.ID)
	if len(before) != len(after) {
		return
	}
	for i, e := range after {
		if e != before[i] {
			if _, moved := u.moved[e.ID]; !moved || e.ID != before[i].ID {
				return
			}
		}
	}
	u.movedDeps[d] = struct{}{}
}

// count adds n to the count of elements of type t.
func (u *update) count(t string, n int) {
	if _, ok := u.typesBefore[t]; !ok {
		u.typesBefore[t] = u.g.types[t]
	}
	c := u.g.types[t] + n
	if c == 0 {
		delete(u.g.types, t)
	} else {
		u.g.types[t] = c
	}
	u.dep(DepType, t)
}

// publish returns the graph of the update and what changed, and starts the builder's next
// graph as a copy of it.
func (u *update) publish() (*Graph, []Dep) {
	g := u.g
	u.b.g = g.copy()
	for d := range u.deps {
		if d.Kind != DepType || d.ID == "" {
			continue
		}
		was, now := u.typesBefore[d.ID], g.types[d.ID]
		if was == now {
			delete(u.deps, d)
		}
		if (was > 0) != (now > 0) {
			u.deps[Dep{DepTypePresent, d.ID}] = struct{}{}
		}
		if was != now {
			u.deps[Dep{DepType, ""}] = struct{}{} // some count changed (see DepType)
		}
	}
	out := make([]Dep, 0, len(u.deps))
	for d := range u.deps {
		out = append(out, d)
	}
	u.b.movedDeps = u.b.movedDeps[:0]
	for d := range u.movedDeps {
		u.b.movedDeps = append(u.b.movedDeps, d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].ID < out[j].ID
	})
	for _, e := range u.forget {
		if _, in := u.b.f.nodes[e]; !in {
			delete(u.b.f.info, e)
		}
	}
	return g, out
}

func addr(e *Element) uintptr { return uintptr(unsafe.Pointer(e)) }
