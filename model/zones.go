package model

import "sort"

// decor is the state of the node stage: each node's zone (and, for a zone, its parent)
// resolved, and its drift from the design — what turns a fused element into the graph's.
type decor struct {
	nodes map[string]*decorated
	deps  Readers[key, string]
	// inInternet counts the nodes in the internet's zone: the zone exists while one is.
	inInternet   int
	internetZone *Element
}

// decorated is one node of the graph and what it was made from.
type decorated struct {
	pre   *Element // the fused (or derived) element
	final *Element
	zone  string // the zone it sits in, "" for none
	why   string // what its decoration was derived from
}

func (d *decor) init() {
	d.nodes = map[string]*decorated{}
	d.deps.Init()
}

// decorate redoes the nodes whose element changed or whose decoration read something that
// changed.
func (u *update) decorate() {
	d := &u.b.d
	dirty := map[string]struct{}{}
	for id := range u.preChanged {
		dirty[id] = struct{}{}
	}
	if (u.b.f.inferred > 0) != u.wasInferred {
		mark(u.changed, inferredKey())
	}
	d.deps.Dirty(u.changed, dirty)
	ids := make([]string, 0, len(dirty))
	for id := range dirty {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		u.decorate1(id)
	}
	u.internetZone()
}

// pre returns the element that is the node of ID id before decoration, or nil.
func (u *update) pre(id string) *Element {
	if g := u.b.f.byNode[id]; g != nil {
		return g.node
	}
	return u.b.r.derived[id]
}

func (u *update) decorate1(id string) {
	d := &u.b.d
	old := d.nodes[id]
	n := u.pre(id)
	if n == nil {
		if old != nil {
			delete(d.nodes, id)
			d.deps.Drop(id)
			u.setZone(id, old.zone, "")
			u.setNode(id, nil)
		}
		return
	}
	var rd reads
	rd.add(idKey(id))
	why := ""
	final := n
	zone := ""
	if n.Kind == Zone {
		if a, ok := n.Attrs.Get("parent"); ok {
			if v, ok := a.Value.(string); ok {
				if r, ok := u.resolveZone(v, dirOf(a.Span.File), &rd); ok && r != v {
					why = "parent:" + r
					if old != nil && old.pre == n && old.why == why {
						final = old.final
					} else {
						final = n.clone()
						a.Value = r
						final.Attrs.Set("parent", a)
					}
				}
			}
		}
	} else {
		z, zdir := "", ""
		if a, ok := n.Attrs.Get("zone"); ok {
			z, _ = a.Value.(string)
			zdir = dirOf(a.Span.File)
		}
		if n.ID == Internet || (n.Kind == Actor && z == "" && n.Type == "internet") {
			z = InternetZone
		}
		if z != "" {
			if r, ok := u.resolveZone(z, zdir, &rd); ok {
				z = r
			}
		}
		zone = z
		name, note, at := u.nodeDrift(n, zone, &rd)
		if name != "" {
			why = driftKey(name, note, at)
			if old != nil && old.pre == n && old.why == why {
				final = old.final
			} else {
				final = n.clone()
				final.Attrs.Set(name, Attr{Value: true, Origin: Read, Span: at, Note: note})
			}
		}
	}
	d.nodes[id] = &decorated{pre: n, final: final, zone: zone, why: why}
	d.deps.Set(id, rd)
	oldZone := ""
	if old != nil {
		oldZone = old.zone
	}
	u.setZone(id, oldZone, zone)
	switch {
	case old != nil && old.final == final:
	case old != nil && old.zone == zone && onlyMoved(old.final, final):
		u.setFinal(id, final) // only where it is changed (see move.go)
		mark(u.changed, posKey(id))
	default:
		u.setNode(id, final)
	}
}

// setZone records that the node id moved from zone was to zone now.
func (u *update) setZone(id, was, now string) {
	if was == now {
		return
	}
	d := &u.b.d
	if was == InternetZone {
		d.inInternet--
	}
	if now == InternetZone {
		d.inInternet++
	}
	mark(u.changed, zoneKeyOf(id))
	u.zoneMoves = append(u.zoneMoves, zoneMove{id, was, now})
}

// internetZone makes the internet's zone while a node sits in it and no source defines it.
func (u *update) internetZone() {
	d := &u.b.d
	var z *Element
	if d.inInternet > 0 && u.b.f.byNode[InternetZone] == nil {
		span := Span{}
		if in := d.nodes[Internet]; in != nil {
			span = in.final.Head
		}
		if d.internetZone != nil && d.internetZone.Span == span {
			z = d.internetZone
		} else {
			z = &Element{ID: InternetZone, Kind: Zone, Type: "internet", Name: "internet", Span: span, Head: span}
			z.Default("trust", "internet", "the internet is the least trusted zone")
			z.Default("in_scope", false, "outside the system")
		}
	}
	if z == d.internetZone {
		return
	}
	d.internetZone = z
	if z == nil && u.b.f.byNode[InternetZone] != nil {
		return // a source defines the zone: its element has the ID
	}
	u.setNode(InternetZone, z)
}

// resolveZone maps a zone reference (an ID, a member ID or a ref) to the fused zone's ID.
// A reference resolves to the zone of the name nearest to dir.
func (u *update) resolveZone(z, dir string, rd *reads) (string, bool) {
	if z == InternetZone {
		return z, true
	}
	rd.add(idKey(z))
	if f, ok := u.b.f.fusedOf[z]; ok {
		return f, true
	}
	if alias, ok := RefAlias(z); ok {
		if e := u.byAliasIn(alias, dir, rd, "zone"); e != nil {
			return e.ID, true
		}
		if alias == NameAlias("internet") {
			return InternetZone, true
		}
	}
	return z, u.b.f.byNode[z] != nil
}

// zoneInputs are what a flow's zone attributes are derived from.
type zoneInputs struct {
	fromZ, toZ, fromT, toT string
}

func (u *update) zoneInputs(f *Element, rd *reads) zoneInputs {
	zi := zoneInputs{fromZ: u.zoneOf(f.From), toZ: u.zoneOf(f.To)}
	zi.fromT, zi.toT = u.trust(zi.fromZ, rd), u.trust(zi.toZ, rd)
	return zi
}

func (u *update) zoneOf(id string) string {
	if n := u.b.d.nodes[id]; n != nil {
		return n.zone
	}
	return ""
}

// trust returns the trust level of a zone, as the element that makes it says.
func (u *update) trust(zone string, rd *reads) string {
	if zone == "" {
		return ""
	}
	rd.add(idKey(zone))
	var z *Element
	if zone == InternetZone && u.b.f.byNode[zone] == nil {
		z = u.b.d.internetZone
		if z == nil {
			z = u.pendingInternetZone()
		}
	} else {
		z = u.pre(zone)
	}
	if z != nil {
		if t, ok := z.Attrs.At("trust").Value.(string); ok {
			return t
		}
	}
	return ""
}

// pendingInternetZone is the trust the internet's zone will have: it is made after the
// nodes, and flows are derived after it, so this only guards against a missing zone.
func (u *update) pendingInternetZone() *Element {
	z := &Element{}
	z.Default("trust", "internet", "")
	return z
}

// withZones returns f with the zone attributes derived from zi: from_zone, to_zone,
// from_trust, to_trust, crosses_boundary.
func withZones(f *Element, zi zoneInputs) *Element {
	if zi.fromZ == "" && zi.toZ == "" {
		return f
	}
	c := f.clone()
	derive := func(name string, v any) {
		c.Attrs.Set(name, Attr{Value: v, Origin: Defaulted, Span: f.Head, Note: "derived from the zones of the flow's ends"})
	}
	if zi.fromZ != "" {
		derive("from_zone", zi.fromZ)
		derive("from_trust", zi.fromT)
	}
	if zi.toZ != "" {
		derive("to_zone", zi.toZ)
		derive("to_trust", zi.toT)
	}
	if zi.fromZ != "" && zi.toZ != "" {
		derive("crosses_boundary", zi.fromZ != zi.toZ)
	}
	return c
}
