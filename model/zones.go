package model

// zones resolves each node's zone, creates the internet's zone, and derives the zone
// attributes of flows: from_zone, to_zone, from_trust, to_trust, crosses_boundary.
func (s *sys) zones() {
	g := s.g
	zoneOf := map[string]string{}
	needInternet := false
	for i, n := range s.nodes {
		if n.Kind == Zone {
			if a, ok := n.Attrs["parent"]; ok {
				if v, ok := a.Value.(string); ok {
					if r, ok := s.resolveZone(v, dirOf(a.Span.File)); ok && r != v {
						s.nodes[i] = s.memo("zparent:"+ptrKey(n)+r, func() *Element {
							c := n.clone()
							a.Value = r
							c.Attrs["parent"] = a
							return c
						})
						g.byID[n.ID] = s.nodes[i]
					}
				}
			}
			continue
		}
		z, zdir := "", ""
		if a, ok := n.Attrs["zone"]; ok {
			z, _ = a.Value.(string)
			zdir = dirOf(a.Span.File)
		}
		if n.ID == Internet || (n.Kind == Actor && z == "" && n.Type == "internet") {
			z = InternetZone
		}
		if z == "" {
			continue
		}
		if r, ok := s.resolveZone(z, zdir); ok {
			z = r
		}
		if z == InternetZone {
			needInternet = true
		}
		zoneOf[n.ID] = z
	}
	if needInternet && g.byID[InternetZone] == nil {
		span := Span{}
		if in := g.byID[Internet]; in != nil {
			span = in.Head
		}
		z := s.memo("internetzone:"+span.String(), func() *Element {
			z := &Element{ID: InternetZone, Kind: Zone, Type: "internet", Name: "internet", Span: span, Head: span}
			z.Default("trust", "internet", "the internet is the least trusted zone")
			z.Default("in_scope", false, "outside the system")
			return z
		})
		s.nodes = append(s.nodes, z)
		g.byID[z.ID] = z
	}
	g.zoneOf = zoneOf
	for i, f := range s.flows {
		fz, tz := zoneOf[f.From], zoneOf[f.To]
		ft, tt := s.trust(fz), s.trust(tz)
		crosses := fz != tz && fz != "" && tz != ""
		key := zoneKey{f, fz, tz, ft, tt}
		if c, ok := s.b.zoneNext[key]; ok {
			s.flows[i] = c
			continue
		}
		if c, ok := s.b.zoneMemo[key]; ok {
			s.b.zoneNext[key] = c
			s.flows[i] = c
			continue
		}
		s.flows[i] = func() *Element {
			c := f.clone()
			derive := func(name string, v any) {
				c.Attrs[name] = Attr{Value: v, Origin: Defaulted, Span: f.Head, Note: "derived from the zones of the flow's ends"}
			}
			if fz != "" {
				derive("from_zone", fz)
				derive("from_trust", ft)
			}
			if tz != "" {
				derive("to_zone", tz)
				derive("to_trust", tt)
			}
			if fz != "" && tz != "" {
				derive("crosses_boundary", crosses)
			}
			return c
		}()
		s.b.zoneNext[key] = s.flows[i]
	}
}

// zoneKey is what a flow's zone attributes are derived from.
type zoneKey struct {
	f                  *Element
	fromZ, toZ, fT, tT string
}

// resolveZone maps a zone reference (an ID, a member ID or a ref) to the fused zone's ID.
// A reference resolves to the zone of the name nearest to dir.
func (s *sys) resolveZone(z, dir string) (string, bool) {
	if z == InternetZone {
		return z, true
	}
	if f, ok := s.fusedOf[z]; ok {
		return f, true
	}
	if alias, ok := RefAlias(z); ok {
		if e := s.byAliasIn(alias, dir, "zone"); e != nil {
			return e.ID, true
		}
		if alias == NameAlias("internet") {
			return InternetZone, true
		}
	}
	return z, s.g.byID[z] != nil
}

func (s *sys) trust(zone string) string {
	if zone == "" {
		return ""
	}
	if z := s.g.byID[zone]; z != nil {
		if t, ok := z.Attrs["trust"].Value.(string); ok {
			return t
		}
	}
	return ""
}
