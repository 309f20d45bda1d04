package model

import (
	"container/heap"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

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
	b, _ := e.Attrs[name].Value.(bool)
	return b
}

func strAttr(e *Element, name string) string {
	if e == nil {
		return ""
	}
	s, _ := e.Attrs[name].Value.(string)
	return s
}

// Step is one hop of an attack path: the flow taken, its ends, and the controls it lacks.
type Step struct {
	Flow, From, To string
	Missing        []string
}

// Steps returns the hops of an attack path (an element of kind Path), in order.
func Steps(p *Element) []Step {
	var out []Step
	list, _ := p.Attrs["steps"].Value.([]any)
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

// assess weighs one flow as a step of an attack: every control present on the way makes the
// step harder; every missing one is named.
func (g *Graph) assess(f *Element, first bool) hop {
	to := g.byID[f.To]
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
	} else if z := g.Zone(f.To); z != nil {
		control(boolAttr(z, "segmented"), "segmentation", 0.7)
	}
	return h
}

// paths finds, from every entry point — an element a flow from the internet reaches, a public
// store, an internet-facing component — the riskiest path to every asset (see docs/model.md).
func (s *sys) paths() {
	g := s.g
	isNode := func(e *Element) bool { return e != nil && (e.Kind == Component || e.Kind == Store) }
	var entries []*Element
	seen := map[string]bool{}
	for _, f := range g.out[Internet] {
		if to := g.byID[f.To]; isNode(to) && !blocked(f) && !seen[to.ID] {
			seen[to.ID] = true
			entries = append(entries, to)
		}
	}
	for _, e := range g.elements {
		// Exposed without a flow of its own: a public bucket, an instance whose security
		// group admits the internet.
		if (e.Kind == Store && boolAttr(e, "public") || e.Kind == Component && boolAttr(e, "internet_facing")) && !seen[e.ID] {
			seen[e.ID] = true
			entries = append(entries, e)
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].ID < entries[j].ID })
	var found []*Element
	for _, entry := range entries {
		found = append(found, s.pathsFrom(entry)...)
	}
	sort.SliceStable(found, func(i, j int) bool {
		ri, rj := found[i].Attrs["risk"].Value.(int64), found[j].Attrs["risk"].Value.(int64)
		if ri != rj {
			return ri > rj
		}
		return found[i].ID < found[j].ID
	})
	if len(found) > maxPaths {
		found = found[:maxPaths]
	}
	g.paths = found
	g.through = map[string][]*Element{}
	for _, p := range found {
		g.byID[p.ID] = p
		g.elements = append(g.elements, p)
		g.types[p.Type]++
		for _, id := range p.Attrs["element_ids"].Value.([]any) {
			g.through[id.(string)] = append(g.through[id.(string)], p)
		}
	}
}

// pathsFrom runs a shortest-path search from entry where a hop costs -log(weight): the path of
// least cost is the one most likely to get through.
func (s *sys) pathsFrom(entry *Element) []*Element {
	g := s.g
	type state struct {
		cost float64
		hops []hop
	}
	best := map[string]*state{}
	var first *Element
	for _, f := range g.out[Internet] {
		if f.To == entry.ID && !blocked(f) {
			first = f
			break
		}
	}
	start := &state{}
	if first != nil {
		h := g.assess(first, true)
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
		for _, f := range g.out[it.id] {
			to := g.byID[f.To]
			if blocked(f) || !(to != nil && (to.Kind == Component || to.Kind == Store)) || to.ID == entry.ID {
				continue
			}
			h := g.assess(f, false)
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
		asset := g.byID[id]
		w := worth(strAttr(asset, "classification"))
		if w == 0 {
			continue
		}
		if id == entry.ID && first != nil && entry.Kind != Store {
			continue // a component that holds data and faces the internet is its own finding
		}
		out = append(out, s.pathElement(entry, asset, best[id].hops, w))
	}
	return out
}

func onPath(hops []hop, id string) bool {
	for _, h := range hops {
		if h.flow.From == id || h.flow.To == id {
			return true
		}
	}
	return false
}

func (s *sys) pathElement(entry, asset *Element, hops []hop, w float64) *Element {
	key := "path:" + ptrKey(entry, asset)
	for _, h := range hops {
		key += ptrKey(h.flow, s.g.byID[h.flow.To])
	}
	return s.memo(key, func() *Element {
		g := s.g
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
				to := g.byID[h.flow.To]
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
			p.Attrs[name] = Attr{Value: v, Origin: Defaulted, Span: entry.Head, Note: "derived from the flows of the path"}
		}
		p.Attrs = map[string]Attr{}
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
	})
}

// describeFlow renders a flow's protocol and port: " (postgres:5432)".
func describeFlow(f *Element) string {
	proto := strAttr(f, "protocol")
	port, _ := f.Attrs["port"].Value.(int64)
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
