package model

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// flowState is the state of flow resolution: where each input flow's ends resolve (to fused
// elements, through references), the actors made for what references name but the
// workspace does not define, and the flows between each pair of elements.
type flowState struct {
	res  map[*Element]*resolution
	deps Readers[key, *Element]
	// owners are, by ID, the flows that need a derived element (the internet when no
	// analyzer made it, an unresolved service, a store a variable names) and how each would
	// make it; derived are the elements in use.
	owners  map[string]map[*Element]*derivation
	derived map[string]*Element
	pairs   map[pairKey]*pairState
	pdeps   Readers[key, pairKey]
	// configs indexes the input flows a deployment file draws for a variable (ConfigAttr),
	// by source and variable: what code reading the variable resolves through (envref.go).
	configs map[key][]*Element
}

// derivation is how a flow would make an element the workspace does not define: the
// internet, an actor for a service it names, a store for a database a variable names.
type derivation struct {
	id              string
	kind            Kind
	name, alias     string
	note            string // why it is out of scope ("" for the reference's own wording)
	proto, category string // a store's
}

// resolution is where an input flow goes.
type resolution struct {
	from, to string
	elem     *Element // the flow with its ends resolved (the input flow itself when they are its own)
	base     *Element // the flow with a configuration end resolved (see envFlow), else the input
	envKey   string   // what base was resolved to
	dropped  bool     // a configured flow with an end that is not an element
	derived  []*derivation
}

func (r resolution) pair() pairKey { return pairKey{r.from, r.to} }

// pairKey names the flows from one element to another.
type pairKey struct{ from, to string }

// pairState is the flows of one pair: those resolved to it, and what they make in the graph.
type pairState struct {
	flows map[*Element]struct{} // input flows
	final []*Element            // the pair's flows in the graph, by ID
	made  map[*Element]*made    // what each (fused) flow became, to keep it when its inputs are the same
	fused map[string]fusedFlow  // the fused flows, by their members
}

// fusedFlow is a fused flow and its members (held: the key names them by address).
type fusedFlow struct {
	el      *Element
	members []*Element
}

// made is a flow after its zone attributes and drift, and what they were derived from.
type made struct {
	zones zoneInputs
	drift string
	final *Element
}

func (r *flowState) init() {
	r.res = map[*Element]*resolution{}
	r.deps.Init()
	r.owners = map[string]map[*Element]*derivation{}
	r.derived = map[string]*Element{}
	r.configs = map[key][]*Element{}
	r.pairs = map[pairKey]*pairState{}
	r.pdeps.Init()
}

// resolveFlows resolves the input flows that came and those whose resolution read something
// that changed, and remakes the derived actors whose owners changed.
func (u *update) resolveFlows(out, in []*Element) {
	r := &u.b.r
	for _, f := range out {
		u.unresolve(f)
		delete(u.b.problems, "flow:"+f.ID)
		u.problemsChanged = true
		if k, ok := configOf(f); ok {
			r.configs[k] = slices.DeleteFunc(slices.Clone(r.configs[k]), func(x *Element) bool { return x == f })
			if len(r.configs[k]) == 0 {
				delete(r.configs, k)
			}
			mark(u.changed, k)
		}
	}
	dirty := map[*Element]struct{}{}
	for _, f := range in {
		dirty[f] = struct{}{}
		if k, ok := configOf(f); ok {
			list := append(r.configs[k], f)
			sort.Slice(list, func(i, j int) bool { return elementLess(list[i], list[j]) })
			r.configs[k] = list
			mark(u.changed, k)
		}
	}
	r.deps.Dirty(u.changed, dirty)
	flows := make([]*Element, 0, len(dirty))
	for f := range dirty {
		flows = append(flows, f)
	}
	sort.Slice(flows, func(i, j int) bool { return flows[i].ID < flows[j].ID })
	for _, f := range flows {
		u.resolve1(f)
	}
	u.derive()
}

// unresolve forgets an input flow's resolution.
func (u *update) unresolve(f *Element) {
	r := &u.b.r
	res := r.res[f]
	if res == nil {
		return
	}
	u.leavePair(f, res)
	for _, d := range res.derived {
		u.disown(d.id, f)
	}
	r.deps.Drop(f)
	delete(r.res, f)
}

func (u *update) leavePair(f *Element, res *resolution) {
	if res.dropped {
		return
	}
	p := u.b.r.pairs[res.pair()]
	if p == nil {
		return
	}
	delete(p.flows, f)
	u.pairTouched[res.pair()] = struct{}{}
}

func (u *update) disown(id string, f *Element) {
	r := &u.b.r
	if o := r.owners[id]; o != nil {
		delete(o, f)
		if len(o) == 0 {
			delete(r.owners, id)
		}
		u.derivedTouched[id] = struct{}{}
	}
}

// resolve1 resolves one input flow.
func (u *update) resolve1(f *Element) {
	r := &u.b.r
	prev := r.res[f]
	var rd reads
	dir := dirOf(f.Span.File)
	res := &resolution{}
	base, envKey, envDerived := u.envFlow(f, prev, &rd)
	res.base, res.envKey = base, envKey
	if envDerived != nil {
		res.derived = append(res.derived, envDerived)
	}
	from, okF := u.resolveEnd(base.From, dir, &rd)
	to, okT := u.resolveEnd(base.To, dir, &rd)
	var problems []Problem
	for _, end := range []struct {
		id *string
		ok bool
	}{{&from, okF}, {&to, okT}} {
		if end.ok || u.exists(*end.id, &rd) {
			continue
		}
		alias, isRef := RefAlias(*end.id)
		if isRef && alias == NameAlias("internet") || *end.id == Internet {
			// The internet is always there, whether or not an analyzer made its actor.
			*end.id = Internet
			res.derived = append(res.derived, &derivation{id: Internet, kind: Actor})
			continue
		}
		if f.Provenance == Configured {
			problems = append(problems, Problem{Span: f.Head,
				Message: fmt.Sprintf("flow %s: %s is not an element of the workspace", f.Name, strings.TrimPrefix(strings.TrimPrefix(*end.id, "ref:"), "name:"))})
			*end.id = ""
			continue
		}
		if !isRef {
			continue // an end outside the workspace (a rule of a group defined elsewhere): kept as written
		}
		// A service named but not defined here: keep the flow, towards an actor.
		name := strings.TrimPrefix(alias, "name:")
		id := "actor:" + name
		*end.id = id
		if !slices.ContainsFunc(res.derived, func(d *derivation) bool { return d.id == id }) {
			res.derived = append(res.derived, &derivation{id: id, kind: Actor, name: name, alias: alias})
		}
	}
	res.from, res.to = from, to
	res.dropped = (from == "" || to == "") && f.Provenance == Configured
	switch {
	case res.dropped:
	case prev != nil && !prev.dropped && prev.base == base && prev.from == from && prev.to == to:
		res.elem = prev.elem
	case base.From == from && base.To == to:
		res.elem = base
	default:
		c := base.clone()
		c.From, c.To = from, to
		res.elem = c
	}
	if len(problems) > 0 {
		u.b.problems["flow:"+f.ID] = problems
		u.problemsChanged = true
	} else if _, had := u.b.problems["flow:"+f.ID]; had {
		delete(u.b.problems, "flow:"+f.ID)
		u.problemsChanged = true
	}
	if prev != nil {
		same := prev.dropped == res.dropped && prev.elem == res.elem && prev.from == res.from && prev.to == res.to
		if !same {
			u.leavePair(f, prev)
		}
		// Ownership may differ even when the flow does not (the internet made by an
		// analyzer now).
		for _, d := range prev.derived {
			u.disown(d.id, f)
		}
	}
	for _, d := range res.derived {
		o := r.owners[d.id]
		if o == nil {
			o = map[*Element]*derivation{}
			r.owners[d.id] = o
		}
		o[f] = d
		u.derivedTouched[d.id] = struct{}{}
	}
	r.res[f] = res
	r.deps.Set(f, rd)
	if !res.dropped && (prev == nil || prev.dropped || prev.elem != res.elem || prev.from != res.from || prev.to != res.to) {
		p := r.pairs[res.pair()]
		if p == nil {
			p = &pairState{flows: map[*Element]struct{}{}}
			r.pairs[res.pair()] = p
		}
		p.flows[f] = struct{}{}
		u.pairTouched[res.pair()] = struct{}{}
	}
}

// resolveEnd maps an endpoint (an ID, a member's ID or a reference) to a fused node's ID. A
// reference resolves to the element of the name nearest in the directory tree to dir, the
// directory of the file that makes it: in a monorepo with an "api" per stack, a stack's
// manifests mean their own stack's api.
func (u *update) resolveEnd(id, dir string, rd *reads) (string, bool) {
	f := &u.b.f
	rd.add(idKey(id))
	if fid, ok := f.fusedOf[id]; ok {
		return fid, true
	}
	alias, ok := RefAlias(id)
	if !ok {
		return id, false
	}
	if e := u.byAliasIn(alias, dir, rd, "node", "actor"); e != nil {
		return e.ID, true
	}
	return id, false
}

// exists reports whether a source defines an element of the ID. (The actors the model derives
// for the internet and for unresolved references do not count: whether one exists depends on
// the flows being resolved.)
func (u *update) exists(id string, rd *reads) bool {
	rd.add(idKey(id))
	_, ok := u.b.f.byNode[id]
	return ok
}

// byAliasIn returns the fused element that carries alias nearest to dir, searching the
// families in order.
func (u *update) byAliasIn(alias, dir string, rd *reads, families ...string) *Element {
	f := &u.b.f
	for _, fam := range families {
		k := slot{alias, fam}
		rd.add(slotKey(k))
		ni := f.near[k]
		if ni == nil {
			els := f.sortedSlot(k)
			if len(els) == 0 {
				continue
			}
			ni = newNearIndex(f, els)
			f.near[k] = ni
		}
		if e := ni.nearest(dir); e != nil {
			if n := f.finalOf(e); n != nil {
				return n
			}
		}
	}
	return nil
}

// derive remakes the derived actors whose owners changed, or whose ID a fused element now
// takes (or no longer takes).
func (u *update) derive() {
	r := &u.b.r
	for id := range r.derived {
		if _, ok := u.changed[idKey(id)]; ok {
			u.derivedTouched[id] = struct{}{}
		}
	}
	for id := range r.owners {
		if _, ok := u.changed[idKey(id)]; ok {
			u.derivedTouched[id] = struct{}{}
		}
	}
	ids := make([]string, 0, len(u.derivedTouched))
	for id := range u.derivedTouched {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		old := r.derived[id]
		var nw *Element
		if owners := r.owners[id]; len(owners) > 0 && u.b.f.byNode[id] == nil {
			var by *Element
			for f := range owners {
				if by == nil || elementLess(f, by) {
					by = f
				}
			}
			nw = u.derivedElement(owners[by], by, old)
		}
		if nw == old {
			continue
		}
		if nw == nil {
			delete(r.derived, id)
		} else {
			r.derived[id] = nw
		}
		if onlyMoved(old, nw) {
			// Made where the first flow that names it moved to: what reads where it is,
			// and its decoration, are made again, not the flows of the thousands of
			// workloads that name it.
			u.preChanged[id] = struct{}{}
			mark(u.changed, posKey(id))
			continue
		}
		u.nodeChanged(id)
	}
}

// derivedElement makes the element d describes, for the flow by (the first of the flows that
// need it), or returns old when it would say the same.
func (u *update) derivedElement(d *derivation, by, old *Element) *Element {
	var e *Element
	switch {
	case d.id == Internet:
		e = InternetActor(by.Head)
	case d.kind == Store:
		e = &Element{ID: d.id, Kind: Store, Type: "unresolved", Name: d.name, Span: by.Span, Head: by.Head}
		e.Set("technology", d.proto, by.Head)
		e.Set("category", d.category, by.Head)
		e = u.classify(e)
	default:
		note := d.note
		if note == "" {
			note = "named by " + by.Name + " but not defined in the workspace"
		}
		e = &Element{ID: d.id, Kind: Actor, Type: "unresolved", Name: d.name, Span: by.Span, Head: by.Head,
			Aliases: []string{d.alias}}
		e.Default("in_scope", false, note)
	}
	if Equal(old, e) {
		return old
	}
	return e
}

// refOf returns the reference of f that made the unresolved actor id.
func refOf(f *Element, id string) string {
	for _, end := range []string{f.From, f.To} {
		if alias, ok := RefAlias(end); ok && "actor:"+strings.TrimPrefix(alias, "name:") == id {
			return end
		}
	}
	return Ref(NameAlias(strings.TrimPrefix(id, "actor:")))
}

// pairs remakes the flows of every pair whose input flows changed or whose derivations read
// something that changed: flows several formats describe fuse, each gets the zone attributes
// of its ends, and drift.
func (u *update) pairs() {
	r := &u.b.r
	r.pdeps.Dirty(u.changed, u.pairTouched)
	keys := make([]pairKey, 0, len(u.pairTouched))
	for k := range u.pairTouched {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].from != keys[j].from {
			return keys[i].from < keys[j].from
		}
		return keys[i].to < keys[j].to
	})
	for _, k := range keys {
		p := r.pairs[k]
		if p == nil {
			continue
		}
		var rd reads
		fs := make([]*Element, 0, len(p.flows))
		for f := range p.flows {
			fs = append(fs, r.res[f].elem)
		}
		sort.Slice(fs, func(i, j int) bool {
			if ri, rj := rank(fs[i]), rank(fs[j]); ri != rj {
				return ri < rj
			}
			return fs[i].ID < fs[j].ID
		})
		flows, members, fused := fuseFlows(fs, p.fused)
		p.fused = fused
		final := make([]*Element, 0, len(flows))
		next := make(map[*Element]*made, len(flows))
		for _, f := range flows {
			zi := u.zoneInputs(f, &rd)
			drift, note, at := u.flowDrift(f, members[f], &rd)
			why := driftKey(drift, note, at)
			if m := p.made[f]; m != nil && m.zones == zi && m.drift == why {
				next[f] = m
				final = append(final, m.final)
				continue
			}
			zf := withZones(f, zi)
			if drift != "" {
				if zf == f {
					zf = f.clone()
				}
				zf.Attrs.Set(drift, Attr{Value: true, Origin: Read, Span: at, Note: note})
			}
			next[f] = &made{zones: zi, drift: why, final: zf}
			final = append(final, zf)
		}
		sort.Slice(final, func(i, j int) bool { return final[i].ID < final[j].ID })
		p.made = next
		old := p.final
		p.final = final
		if len(p.flows) == 0 {
			delete(r.pairs, k)
			r.pdeps.Drop(k)
		} else {
			rd.add(idKey(k.from))
			rd.add(idKey(k.to))
			rd.add(zoneKeyOf(k.from))
			rd.add(zoneKeyOf(k.to))
			rd.add(inferredKey())
			r.pdeps.Set(k, rd)
		}
		u.flowsChanged(old, final)
	}
}

// fuseFlows fuses the flows between one pair of nodes: each documented or configured flow
// joins the first inferred flow of a compatible port (flows arrive by rank); what stays apart
// is returned as is. Flows of one format stay apart (two variables may name the same
// service). It returns the flows, each one's members, and the fused flows by their members
// (before: those of the last time, kept when their members are the same).
func fuseFlows(fs []*Element, before map[string]fusedFlow) ([]*Element, map[*Element][]*Element, map[string]fusedFlow) {
	members := map[*Element][]*Element{}
	var out []*Element
	joined := map[*Element][]*Element{}
	for _, f := range fs {
		var into *Element
		for _, o := range out {
			if Format(o.ID) != Format(f.ID) && o.From != "" && o.To != "" && portsAgree(o, f) {
				into = o
				break
			}
		}
		if into == nil {
			out = append(out, f)
			continue
		}
		joined[into] = append(joined[into], f)
	}
	fused := map[string]fusedFlow{}
	for i, o := range out {
		ms := joined[o]
		if len(ms) == 0 {
			members[o] = []*Element{o}
			continue
		}
		all := append([]*Element{o}, ms...)
		sort.SliceStable(all, func(a, b int) bool { return rank(all[a]) < rank(all[b]) })
		key := ptrsKey(all)
		f := before[key].el
		if f == nil {
			f = fuse(all)
			f.From, f.To = o.From, o.To
		}
		fused[key] = fusedFlow{f, all}
		out[i] = f
		members[f] = all
	}
	return out, members, fused
}

func portsAgree(a, b *Element) bool {
	pa, okA := a.Attrs.Get("port")
	pb, okB := b.Attrs.Get("port")
	if !okA || !okB || pa.Value == nil || pb.Value == nil {
		return true
	}
	return pa.Value == pb.Value
}
