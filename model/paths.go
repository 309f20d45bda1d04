package model

import (
	"container/heap"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// pathState is the state of the last stage: the elements the internet reaches, the entry
// points, and each entry point's search, kept with what it read so that an update redoes
// only the searches that read something it changed.
type pathState struct {
	exposed map[string]bool // nodes exposed by their own attributes: a public store, an internet-facing component
	entries map[string]*entry
	deps    Readers[Dep, string]
	all     []*Element // every entry's paths, before the cut to maxPaths
}

// entry is one entry point's search: the paths it found, by what they were made of.
type entry struct {
	paths []*Element
	made  map[string]madePath
}

// madePath is a path element and the elements its key names (held, so that no address in
// the key is reused while the key is).
type madePath struct {
	el    *Element
	parts []*Element
}

func (p *pathState) init() {
	p.exposed = map[string]bool{}
	p.entries = map[string]*entry{}
	p.deps.Init()
}

// worth is what an asset of a classification is worth to an attacker, from 0 to 1.
func worth(class string) float64 {
	switch ClassRank(class) {
	case 2:
		return 0.6
	case 3:
		return 0.8
	case 4:
		return 1
	}
	return 0
}

func boolAttr(e *Element, name string) bool {
	if e == nil {
		return false
	}
	b, _ := e.Attrs.At(name).Value.(bool)
	return b
}

func strAttr(e *Element, name string) string {
	if e == nil {
		return ""
	}
	s, _ := e.Attrs.At(name).Value.(string)
	return s
}

// exposedNode reports whether e is an entry point by its own attributes.
func exposedNode(e *Element) bool {
	return e != nil && (e.Kind == Store && boolAttr(e, "public") || e.Kind == Component && boolAttr(e, "internet_facing"))
}

// reach updates what the internet reaches — the internet itself, the nodes exposed by their
// own attributes, and what the flows no policy blocks lead to from those — from what the
// update changed: a flow that went from a node the internet reaches, or a node that stopped
// being exposed, takes back what it alone led to (unreach); flows that came from a node the
// internet reaches and nodes that became exposed extend it. A node that left changes nothing
// by itself: reach is a set of IDs the flows name, and the flows it had went, or stay. A flow
// that only moved (an edit before it in its file) changes nothing. Every update costs what
// is downstream of what it changed: walking the graph again from the internet whenever a
// flow went from a reached node or a node left — a retargeted environment variable does both
// — held an edit of a manifest in a namespace of 2,500 at p50 12.2–12.9 ms against 9.4
// without (BenchmarkScale files=5000/one-namespace manifest-env), and at 20,000 files it
// walked the whole workspace's graph on every such edit.
func (u *update) reach() {
	g, p := u.g, &u.b.p
	reached := func(id string) bool { r, _ := g.reach.Get(id); return r }
	var seeds []string
	for _, e := range u.edgesGone {
		if reached(e[0]) && reached(e[1]) {
			seeds = append(seeds, e[1])
		}
	}
	for _, id := range u.exposedGone {
		if reached(id) {
			seeds = append(seeds, id)
		}
	}
	u.unreach(seeds)
	extend := func(id string) bool {
		if reached(id) {
			return false
		}
		g.reach.Set(id, true)
		u.dep(DepReach, id)
		return true
	}
	var queue []string
	for _, e := range u.edgesCame {
		if reached(e[0]) && extend(e[1]) {
			queue = append(queue, e[1])
		}
	}
	for _, id := range u.exposedCame {
		if p.exposed[id] && extend(id) {
			queue = append(queue, id)
		}
	}
	spread(g, queue, extend)
}

// spread walks the flows no policy blocks from the nodes of queue: a node a flow leads to
// that visit takes (returns true for) is walked from in turn.
func spread(g *Graph, queue []string, visit func(id string) bool) {
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, f := range g.Outbound(id) {
			if !blocked(f) && visit(f.To) {
				queue = append(queue, f.To)
			}
		}
	}
}

// unreach takes back what the internet reached only over flows that went, the nodes the
// flows from a reached node to seeds led to: the reached nodes downstream of the seeds are
// reached still if they are exposed or a flow no policy blocks comes into them from a node
// the internet reaches outside them, and so are those such nodes lead to; the others are
// not. It costs what is downstream of the flows that went, not the whole graph (see reach).
func (u *update) unreach(seeds []string) {
	if len(seeds) == 0 {
		return
	}
	g, p := u.g, &u.b.p
	reached := func(id string) bool { r, _ := g.reach.Get(id); return r }
	below := map[string]bool{}
	down := func(id string) bool {
		if id == Internet || below[id] || !reached(id) {
			return false
		}
		below[id] = true
		return true
	}
	var queue []string
	for _, id := range seeds {
		if down(id) {
			queue = append(queue, id)
		}
	}
	spread(g, queue, down)
	still := map[string]bool{}
	queue = queue[:0]
	for id := range below {
		ok := p.exposed[id]
		for _, f := range g.Inbound(id) {
			if ok {
				break
			}
			ok = !blocked(f) && !below[f.From] && reached(f.From)
		}
		if ok {
			still[id] = true
			queue = append(queue, id)
		}
	}
	spread(g, queue, func(id string) bool {
		if !below[id] || still[id] {
			return false
		}
		still[id] = true
		return true
	})
	for id := range below {
		if !still[id] {
			g.reach.Delete(id)
			u.dep(DepReach, id)
		}
	}
}

// Step is one hop of an attack path: the flow taken, its ends, and the controls it lacks.
type Step struct {
	Flow, From, To string
	Missing        []string
}

// Steps returns the hops of an attack path (an element of kind Path), in order.
func Steps(p *Element) []Step {
	var out []Step
	list, _ := p.Attrs.At("steps").Value.([]any)
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			continue
		}
		st := Step{}
		st.Flow, _ = m["flow"].(string)
		st.From, _ = m["from"].(string)
		st.To, _ = m["to"].(string)
		miss, _ := m["missing"].([]any)
		for _, v := range miss {
			if s, ok := v.(string); ok {
				st.Missing = append(st.Missing, s)
			}
		}
		out = append(out, st)
	}
	return out
}

// hop is one step of an attack path: the flow taken and the controls it lacks.
type hop struct {
	flow    *Element
	missing []string
	weight  float64 // the share of attacks that get through: 1 when nothing stands in the way
}

// search reads the graph for one entry point's search, recording what it read.
type search struct {
	g    *Graph
	read map[Dep]struct{}
}

func (s *search) el(id string) *Element {
	s.read[Dep{DepElement, id}] = struct{}{}
	return s.g.Element(id)
}

func (s *search) out(id string) []*Element {
	s.read[Dep{DepOutbound, id}] = struct{}{}
	return s.g.Outbound(id)
}

func (s *search) zone(id string) *Element {
	s.read[Dep{DepZone, id}] = struct{}{}
	z := s.g.ZoneID(id)
	if z == "" {
		return nil
	}
	return s.el(z)
}

// assess weighs one flow as a step of an attack: every control present on the way makes the
// step harder; every missing one is named.
func (s *search) assess(f *Element, first bool) hop {
	to := s.el(f.To)
	h := hop{flow: f, weight: 1}
	if !first {
		h.weight = 0.9 // every pivot is one more component to compromise
	}
	control := func(present bool, name string, factor float64) {
		if present {
			h.weight *= factor
		} else {
			h.missing = append(h.missing, name)
		}
	}
	control(boolAttr(f, "authenticated") || boolAttr(to, "authenticates") || boolAttr(to, "authenticated"), "authentication", 0.5)
	control(boolAttr(f, "tls"), "tls", 0.85)
	if first {
		control(boolAttr(to, "behind_waf") || boolAttr(f, "behind_waf"), "waf", 0.7)
		control(boolAttr(to, "rate_limited") || boolAttr(f, "rate_limited"), "rate_limiting", 0.9)
	} else if z := s.zone(f.To); z != nil {
		control(boolAttr(z, "segmented"), "segmentation", 0.7)
	}
	return h
}

// firstFlow returns the first flow (by ID) from the internet into id that no policy blocks.
func (s *search) firstFlow(id string) *Element {
	s.read[Dep{DepInbound, id}] = struct{}{}
	for _, f := range s.g.Inbound(id) {
		if f.From == Internet && !blocked(f) {
			return f
		}
	}
	return nil
}

// isEntry reports whether the node id is an entry point: a flow from the internet reaches it,
// or it is exposed by its own attributes.
func (s *search) isEntry(id string) bool {
	e := s.el(id)
	if e == nil || (e.Kind != Component && e.Kind != Store) {
		return false
	}
	return exposedNode(e) || s.firstFlow(id) != nil
}

// paths finds, from every entry point — an element a flow from the internet reaches, a public
// store, an internet-facing component — the riskiest path to every asset (see docs/model.md).
// Only the entry points whose search read something the update changed are searched again.
func (u *update) paths() {
	g, p := u.g, &u.b.p
	cands := map[string]struct{}{}
	p.deps.Dirty(u.deps, cands)
	for d := range u.deps {
		switch d.Kind {
		case DepElement:
			cands[d.ID] = struct{}{}
		case DepInbound:
			cands[d.ID] = struct{}{}
		}
	}
	if len(cands) == 0 {
		return
	}
	ids := make([]string, 0, len(cands))
	for id := range cands {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	changed := false
	for _, id := range ids {
		old := p.entries[id]
		s := &search{g: g, read: map[Dep]struct{}{}}
		if !s.isEntry(id) {
			if old != nil {
				delete(p.entries, id)
				p.deps.Drop(id)
				changed = true
			}
			continue
		}
		e := &entry{made: map[string]madePath{}}
		var prev map[string]madePath
		if old != nil {
			prev = old.made
		}
		e.paths = s.pathsFrom(s.el(id), prev, e.made)
		p.entries[id] = e
		keys := make([]Dep, 0, len(s.read))
		for k := range s.read {
			keys = append(keys, k)
		}
		p.deps.Set(id, keys)
		if old == nil || !slices.Equal(old.paths, e.paths) {
			changed = true
		}
	}
	if !changed {
		return
	}
	entries := make([]string, 0, len(p.entries))
	for id := range p.entries {
		entries = append(entries, id)
	}
	sort.Strings(entries)
	var found []*Element
	for _, id := range entries {
		found = append(found, p.entries[id].paths...)
	}
	sort.SliceStable(found, func(i, j int) bool {
		ri, rj := found[i].Attrs.At("risk").Value.(int64), found[j].Attrs.At("risk").Value.(int64)
		if ri != rj {
			return ri > rj
		}
		return found[i].ID < found[j].ID
	})
	if len(found) > maxPaths {
		found = found[:maxPaths]
	}
	u.setPaths(found)
}

// setPaths makes found the graph's paths.
func (u *update) setPaths(found []*Element) {
	g := u.g
	old := g.paths
	g.paths = found
	was := map[string]*Element{}
	for _, p := range old {
		was[p.ID] = p
	}
	now := map[string]*Element{}
	for _, p := range found {
		now[p.ID] = p
	}
	for id, p := range was {
		if now[id] != p {
			u.setFinal(id, now[id])
		}
	}
	for id, p := range now {
		if was[id] != p {
			u.setFinal(id, p)
		}
	}
	through := func(ps []*Element) map[string][]*Element {
		m := map[string][]*Element{}
		for _, p := range ps {
			for _, id := range p.Attrs.At("element_ids").Value.([]any) {
				m[id.(string)] = append(m[id.(string)], p)
			}
		}
		return m
	}
	before, after := through(old), through(found)
	for id, ps := range before {
		if !slices.Equal(ps, after[id]) {
			if len(after[id]) == 0 {
				g.through.Delete(id)
			}
			u.dep(DepPaths, id)
		}
	}
	for id, ps := range after {
		if !slices.Equal(ps, before[id]) {
			g.through.Set(id, ps)
			u.dep(DepPaths, id)
		}
	}
	u.applyFinals()
}

// pathsFrom runs a shortest-path search from entry where a hop costs -log(weight): the path of
// least cost is the one most likely to get through. prev holds the paths the last search made,
// by what they were made of; made receives this search's.
func (s *search) pathsFrom(entry *Element, prev, made map[string]madePath) []*Element {
	type state struct {
		cost float64
		hops []hop
	}
	best := map[string]*state{}
	first := s.firstFlow(entry.ID)
	start := &state{}
	if first != nil {
		h := s.assess(first, true)
		start = &state{cost: -math.Log(h.weight), hops: []hop{h}}
	}
	best[entry.ID] = start
	pq := &queue{{id: entry.ID, cost: start.cost}}
	for pq.Len() > 0 {
		it := heap.Pop(pq).(item)
		cur := best[it.id]
		if it.cost > cur.cost || len(cur.hops) >= maxHops+1 {
			continue
		}
		for _, f := range s.out(it.id) {
			to := s.el(f.To)
			if blocked(f) || !(to != nil && (to.Kind == Component || to.Kind == Store)) || to.ID == entry.ID {
				continue
			}
			h := s.assess(f, false)
			c := cur.cost - math.Log(h.weight)
			if b, ok := best[to.ID]; ok && b.cost <= c {
				continue
			}
			if onPath(cur.hops, to.ID) {
				continue
			}
			best[to.ID] = &state{cost: c, hops: append(append([]hop(nil), cur.hops...), h)}
			heap.Push(pq, item{id: to.ID, cost: c})
		}
	}
	ids := make([]string, 0, len(best))
	for id := range best {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []*Element
	for _, id := range ids {
		asset := s.el(id)
		w := worth(strAttr(asset, "classification"))
		if w == 0 {
			continue
		}
		if id == entry.ID && first != nil && entry.Kind != Store {
			continue // a component that holds data and faces the internet is its own finding
		}
		hops := best[id].hops
		parts := pathParts(entry, asset, hops, s.g)
		key := ptrsKey(parts)
		m, ok := prev[key]
		if !ok {
			m = madePath{s.pathElement(entry, asset, hops, w), parts}
		}
		made[key] = m
		out = append(out, m.el)
	}
	return out
}

// pathParts are what a path element is made of: its entry, asset, flows, the elements they
// join and the zones they lead into.
func pathParts(entry, asset *Element, hops []hop, g *Graph) []*Element {
	parts := make([]*Element, 0, 2+4*len(hops))
	parts = append(parts, entry, asset)
	for _, h := range hops {
		parts = append(parts, h.flow, g.Element(h.flow.From), g.Element(h.flow.To), g.Zone(h.flow.To))
	}
	return parts
}

// ptrsKey is a map key for a list of elements by identity. The caller holds the elements
// while the key is in use, so that no address in it is reused.
func ptrsKey(es []*Element) string {
	b := make([]byte, 0, 12*len(es))
	for _, e := range es {
		b = strconv.AppendUint(b, uint64(addr(e)), 36)
		b = append(b, ',')
	}
	return string(b)
}

func onPath(hops []hop, id string) bool {
	for _, h := range hops {
		if h.flow.From == id || h.flow.To == id {
			return true
		}
	}
	return false
}

func (s *search) name(id string) string {
	if e := s.el(id); e != nil {
		return e.Name
	}
	return id
}

func (s *search) pathElement(entry, asset *Element, hops []hop, w float64) *Element {
	likelihood := 1.0
	names := []string{}
	ids := []any{}
	var missing []any
	seenMissing := map[string]bool{}
	var related []Related
	steps := make([]any, 0, len(hops))
	if len(hops) > 0 && hops[0].flow.From == Internet {
		names = append(names, "internet")
	}
	names = append(names, entry.Name)
	ids = append(ids, entry.ID)
	for i, h := range hops {
		likelihood *= h.weight
		if i > 0 || h.flow.From != Internet {
			to := s.el(h.flow.To)
			names = append(names, to.Name)
			ids = append(ids, to.ID)
		}
		for _, m := range h.missing {
			if !seenMissing[m] {
				seenMissing[m] = true
				missing = append(missing, m)
			}
		}
		miss := make([]any, len(h.missing))
		for j, m := range h.missing {
			miss[j] = m
		}
		steps = append(steps, map[string]any{"flow": h.flow.ID, "from": h.flow.From, "to": h.flow.To, "missing": miss})
		msg := fmt.Sprintf("hop %d: %s → %s%s", i+1, s.name(h.flow.From), s.name(h.flow.To), describeFlow(h.flow))
		if len(h.missing) > 0 {
			msg += ": no " + strings.ReplaceAll(strings.Join(h.missing, ", no "), "_", " ")
		}
		related = append(related, Related{Span: h.flow.Head, Message: msg})
	}
	if len(hops) == 0 {
		missing = append(missing, "authentication")
		related = append(related, Related{Span: entry.Head, Message: entry.Name + " is public: anyone can read it"})
	}
	related = append(related, Related{Span: asset.Head,
		Message: fmt.Sprintf("asset: %s holds %s data", asset.Name, strAttr(asset, "classification"))})
	risk := int64(math.Round(100 * w * likelihood))
	risk = max(1, min(100, risk))
	p := &Element{ID: "path:" + entry.ID + "->" + asset.ID, Kind: Path, Type: "attack_path",
		Name: strings.Join(names, " → "), From: entry.ID, To: asset.ID,
		Span: entry.Head, Head: entry.Head, Sources: []Span{entry.Head, asset.Head}, Related: related}
	derived := func(name string, v any) {
		p.Attrs.Set(name, Attr{Value: v, Origin: Defaulted, Span: entry.Head, Note: "derived from the flows of the path"})
	}
	p.Attrs = Attrs{}
	derived("risk", risk)
	derived("hops", int64(len(hops)))
	derived("classification", strAttr(asset, "classification"))
	if missing == nil {
		missing = []any{}
	}
	derived("missing_controls", missing)
	derived("entry", entry.Name)
	derived("asset", asset.Name)
	derived("element_ids", ids)
	derived("steps", steps)
	derived("size", int64(len(ids)))
	unauth := !boolAttr(entry, "authenticates") && !boolAttr(entry, "authenticated")
	for _, h := range hops {
		unauth = unauth && slices.Contains(h.missing, "authentication")
	}
	derived("unauthenticated", unauth)
	return p
}

// describeFlow renders a flow's protocol and port: " (postgres:5432)".
func describeFlow(f *Element) string {
	proto := strAttr(f, "protocol")
	port, _ := f.Attrs.At("port").Value.(int64)
	switch {
	case proto != "" && port != 0:
		return fmt.Sprintf(" (%s:%d)", proto, port)
	case proto != "":
		return " (" + proto + ")"
	case port != 0:
		return fmt.Sprintf(" (port %d)", port)
	}
	return ""
}

type item struct {
	id   string
	cost float64
}

type queue []item

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if q[i].cost != q[j].cost {
		return q[i].cost < q[j].cost
	}
	return q[i].id < q[j].id
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(item)) }
func (q *queue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}
