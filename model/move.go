package model

import (
	"reflect"
	"slices"
	"strconv"
)

// An edit moves everything after it in its file: a keystroke near the top of a file of
// thousands of resources makes thousands of elements that differ from the last ones only in
// where they are. The engine keeps their findings, moved (engine/shift.go); the builder puts
// each in its last one's place instead of taking it out of the graph and fusing, classifying
// and decorating it again (update.move).

// SpanMap maps an element's old spans to its new ones: a list, as an element has a few dozen
// at most (a map each cost 7,500 elements moved by a keystroke 3 ms).
type SpanMap []SpanPair

// SpanPair is one old span and where it is now.
type SpanPair struct{ From, To Span }

// Get returns where sp is now, and whether m knows it.
func (m SpanMap) Get(sp Span) (Span, bool) {
	for _, p := range m {
		if p.From == sp {
			return p.To, true
		}
	}
	return Span{}, false
}

// Moves returns, for an element now that says what old said but at other places of its file,
// the old spans mapped to the new ones; ok is false when anything else differs (a span that
// changed its length or its columns changed what it covers).
func Moves(old, now *Element) (SpanMap, bool) {
	if old == nil || now == nil || old.ID != now.ID || old.Kind != now.Kind || old.Type != now.Type ||
		old.Name != now.Name || old.From != now.From || old.To != now.To || old.Parent != now.Parent ||
		old.Provenance != now.Provenance || !slices.Equal(old.Aliases, now.Aliases) ||
		!slices.Equal(old.Members, now.Members) || len(old.Sources) != len(now.Sources) ||
		len(old.Related) != len(now.Related) || old.Attrs.Len() != now.Attrs.Len() {
		return nil, false
	}
	m := make(SpanMap, 0, 2+old.Attrs.Len()+len(old.Sources)+len(old.Related))
	pair := func(a, b Span) bool {
		if a.File != b.File || a.End.Offset-a.Start.Offset != b.End.Offset-b.Start.Offset ||
			a.End.Line-a.Start.Line != b.End.Line-b.Start.Line || a.Start.Col != b.Start.Col || a.End.Col != b.End.Col {
			return false
		}
		if prev, ok := m.Get(a); ok {
			return prev == b
		}
		m = append(m, SpanPair{a, b})
		return true
	}
	if !pair(old.Span, now.Span) || !pair(old.Head, now.Head) {
		return nil, false
	}
	for i := range old.Sources {
		if !pair(old.Sources[i], now.Sources[i]) {
			return nil, false
		}
	}
	for i := range old.Related {
		if old.Related[i].Message != now.Related[i].Message || !pair(old.Related[i].Span, now.Related[i].Span) {
			return nil, false
		}
	}
	// Both lists are sorted by name, of one length.
	for i, a := range old.Attrs.list {
		b := now.Attrs.list[i]
		if a.Name != b.Name || a.Origin != b.Origin || a.Note != b.Note || !pair(a.Span, b.Span) ||
			!sameRef(a.Value, b.Value) && !SameValue(a.Value, b.Value) {
			return nil, false
		}
	}
	return m, true
}

// onlyMoved reports whether now says what old said, at other places (see Moves).
func onlyMoved(old, now *Element) bool {
	_, ok := Moves(old, now)
	return ok
}

// moving is whether Update puts moved elements in place (BenchmarkKeystroke compares).
var moving = true

// move puts each added element that is a removed one moved (see Moves) in that one's place,
// and returns the elements left to the stages. A moved node keeps its group, and its element
// of the graph is its last one moved: its fusion, classification and decoration are
// functions of what it says, not of where. A moved flow keeps its resolution and its pair's
// zones. An element is taken only as the stages would leave it alone (moveNode, moveFlow):
// the one element of its ID; a node in a group of its own, decorated without drift, not the
// internet's zone; a flow alone between its ends, without drift. What reads where a node is
// (the span of a variable's value, envref.go) is made again: its position key changes, not
// its ID's. So is what reads a deployment's flow for a variable (its configuration key
// changes), and an actor made where the first flow that names it is (derive, which changes
// the actor's position key alone when it only moved). The property test holds the graph to
// a fresh build of the same elements after keystrokes that move every element below them.
func (u *update) move(removed, added []*Element) ([]*Element, []*Element) {
	if !moving || len(removed) == 0 || len(added) == 0 {
		return removed, added
	}
	b := u.b
	gone := make(map[string]*Element, len(removed))
	for _, e := range removed {
		if e == nil {
			continue
		}
		if _, dup := gone[e.ID]; dup {
			gone[e.ID] = nil // two of an ID: not a move
			continue
		}
		gone[e.ID] = e
	}
	came := make(map[string]int, len(added))
	for _, e := range added {
		if e != nil {
			came[e.ID]++
		}
	}
	taken := map[*Element]bool{}
	for _, nw := range added {
		if nw == nil || came[nw.ID] != 1 {
			continue
		}
		old := gone[nw.ID]
		if old == nil || old.Kind == Path || old.Kind == "" || old.ID == InternetZone {
			continue
		}
		if list := b.byID[old.ID]; len(list) != 1 || list[0] != old {
			continue
		}
		if _, in := b.raw[nw]; in {
			continue
		}
		m, ok := Moves(old, nw)
		if !ok {
			continue
		}
		if old.Kind == Flow {
			ok = u.moveFlow(old, nw, m)
		} else {
			ok = u.moveNode(old, nw, m)
		}
		if !ok {
			continue
		}
		delete(b.raw, old)
		b.raw[nw] = struct{}{}
		b.byID[nw.ID] = []*Element{nw}
		taken[old], taken[nw] = true, true
	}
	if len(taken) == 0 {
		return removed, added
	}
	isTaken := func(e *Element) bool { return taken[e] }
	return slices.DeleteFunc(slices.Clone(removed), isTaken), slices.DeleteFunc(slices.Clone(added), isTaken)
}

// moveNode puts nw, old moved as m says, in old's place, if the stages would leave it alone.
func (u *update) moveNode(old, nw *Element, m SpanMap) bool {
	f, d := &u.b.f, &u.b.d
	g := f.groupOf[old]
	if g == nil || len(g.members) != 1 || g.node == nil || g.node.ID != old.ID || f.byNode[old.ID] != g {
		return false
	}
	dn := d.nodes[old.ID]
	if dn == nil || dn.pre != g.node || dn.final != g.node || dn.why != "" {
		return false
	}
	pre, ok := movedAs(g.node, old, nw, m)
	if !ok {
		return false
	}
	f.substitute(old, nw)
	g.node = pre
	d.nodes[nw.ID] = &decorated{pre: pre, final: pre, zone: dn.zone}
	u.setMovedFinal(nw.ID, pre)
	mark(u.changed, posKey(nw.ID))
	return true
}

// noDrift is what pairs records of a flow without drift.
var noDrift = driftKey("", "", Span{})

// driftKey is what pairs records of a flow's drift, to make its final element again only
// when that changes: the attribute, its note and its place, offsets included (a character
// typed on a line above moves the place and keeps its line and column).
func driftKey(drift, note string, at Span) string {
	return drift + "\x00" + note + "\x00" + placeKey(at)
}

// placeKey says where sp is, for the records that decide whether a stage's result is made
// again: its line and column, and its offsets, which a character typed on a line above moves
// alone.
func placeKey(sp Span) string {
	b := make([]byte, 0, len(sp.File)+40)
	b = append(b, sp.File...)
	for _, n := range [...]int32{sp.Start.Offset, sp.Start.Line, sp.Start.Col, sp.End.Offset, sp.End.Line, sp.End.Col} {
		b = strconv.AppendInt(append(b, ':'), int64(n), 10)
	}
	return string(b)
}

// moveFlow puts nw, old moved as m says, in old's place, if the stages would leave it alone:
// a flow whose ends are IDs or references (not the code's variables), alone between its
// ends, without drift or problems.
func (u *update) moveFlow(old, nw *Element, m SpanMap) bool {
	r := &u.b.r
	res := r.res[old]
	if res == nil || res.dropped || res.base != old || res.envKey != "" {
		return false
	}
	if _, ok := u.b.problems["flow:"+old.ID]; ok {
		return false
	}
	p := r.pairs[res.pair()]
	if p == nil || len(p.flows) != 1 || len(p.final) != 1 {
		return false
	}
	mk := p.made[res.elem]
	if mk == nil || mk.drift != noDrift || p.final[0] != mk.final || mk.final.ID != old.ID {
		return false
	}
	elem, ok := movedAs(res.elem, old, nw, m)
	if !ok {
		return false
	}
	final, ok := movedAs(mk.final, res.elem, elem, m)
	if !ok {
		return false
	}
	keys := r.deps.of[old]
	r.deps.Drop(old)
	r.deps.Set(nw, keys)
	moved := *res
	moved.elem, moved.base = elem, nw
	delete(r.res, old)
	r.res[nw] = &moved
	delete(p.flows, old)
	p.flows[nw] = struct{}{}
	delete(p.made, res.elem)
	p.made[elem] = &made{zones: mk.zones, drift: mk.drift, final: final}
	p.final = []*Element{final}
	u.setMovedFinal(nw.ID, final)
	// The actors it makes for what it names and nothing defines are where their first flow
	// is: made again if it is this one.
	for _, d := range res.derived {
		if o := r.owners[d.id]; o != nil && o[old] != nil {
			o[nw] = o[old]
			delete(o, old)
			u.derivedTouched[d.id] = struct{}{}
		}
	}
	// A deployment's flow for a variable is where the code that reads it says it is set.
	if k, ok := configOf(old); ok {
		list := slices.Clone(r.configs[k])
		replace(list, old, nw)
		slices.SortFunc(list, func(a, b *Element) int {
			if elementLess(a, b) {
				return -1
			}
			if elementLess(b, a) {
				return 1
			}
			return 0
		})
		r.configs[k] = list
		mark(u.changed, k)
	}
	return true
}

// movedAs returns e moved as m says: now when e is was (whose moved element now is), else a
// copy of e at the places m maps its spans to.
func movedAs(e, was, now *Element, m SpanMap) (*Element, bool) {
	if e == was {
		return now, true
	}
	return e.Moved(m.Get)
}

// sameRef reports whether x and y are one map or one slice (an element moved shares its
// values with the one it was moved from): what SameValue would compare element by element.
func sameRef(x, y any) bool {
	switch xv := x.(type) {
	case map[string]any:
		yv, ok := y.(map[string]any)
		return ok && reflect.ValueOf(xv).UnsafePointer() == reflect.ValueOf(yv).UnsafePointer()
	case []any:
		yv, ok := y.([]any)
		return ok && len(xv) == len(yv) && len(xv) > 0 && &xv[0] == &yv[0]
	}
	return false
}
