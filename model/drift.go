package model

import (
	"fmt"
)

// drift compares documented elements with what the workspace shows and records each
// disagreement as an attribute spanning the document's line, for the library to report.
func (s *sys) drift() {
	documented := func(id string) *Element {
		for _, m := range s.members[id] {
			if m.Provenance == Documented {
				return m
			}
		}
		return nil
	}
	inferred := func(id string) bool {
		ms := s.members[id]
		if len(ms) == 0 {
			e := s.g.byID[id]
			return e != nil && e.Provenance == Inferred
		}
		for _, m := range ms {
			if m.Provenance == Inferred {
				return true
			}
		}
		return false
	}
	anyInferred := false
	for _, n := range s.nodes {
		if n.Provenance == Inferred && n.Kind != Zone && n.ID != Internet && Format(n.ID) != "actor" {
			anyInferred = true
			break
		}
	}
	if !anyInferred {
		return // a repository of documents only: nothing to drift from
	}
	set := func(el *Element, name string, at Span, note string) *Element {
		return s.memo("drift:"+name+ptrKey(el)+at.String(), func() *Element {
			c := el.clone()
			c.Attrs[name] = Attr{Value: true, Origin: Read, Span: at, Note: note}
			return c
		})
	}
	for i, n := range s.nodes {
		if n.Kind == Zone {
			continue
		}
		d := documented(n.ID)
		switch {
		case d != nil && !inferred(n.ID) && n.ID != Internet && n.Kind != Actor:
			s.nodes[i] = set(n, "not_implemented", d.Head, d.Name+" is in the design ("+d.Span.File+") but nothing in the workspace implements it")
		case d != nil && inferred(n.ID):
			dz, _ := d.Attrs["zone"].Value.(string)
			if dz == "" {
				continue
			}
			dzr, _ := s.resolveZone(dz, dirOf(d.Attrs["zone"].Span.File))
			iz := s.g.zoneOf[n.ID]
			// Only a zone the workspace knows too can disagree: a subgraph that matches no
			// namespace, network or subnet says nothing the workspace could contradict.
			if iz != "" && dzr != iz && s.documentedZone(iz) != dzr && inferred(dzr) {
				zn := func(id string) string {
					if z := s.g.byID[id]; z != nil {
						return z.Name
					}
					return id
				}
				s.nodes[i] = set(n, "zone_drift", d.Attrs["zone"].Span,
					fmt.Sprintf("the design puts %s in %s; the workspace puts it in %s", d.Name, zn(dzr), zn(iz)))
			}
		}
		s.g.byID[s.nodes[i].ID] = s.nodes[i]
	}
	for i, f := range s.flows {
		ms := s.members[f.ID]
		if len(ms) == 0 {
			ms = []*Element{f}
		}
		var doc *Element
		inf := false
		for _, m := range ms {
			if m.Provenance == Documented && doc == nil {
				doc = m
			}
			if m.Provenance == Inferred {
				inf = true
			}
		}
		switch {
		case doc != nil && !inf && inferred(f.From) && inferred(f.To):
			s.flows[i] = set(f, "not_implemented", doc.Head, "the design shows this flow; nothing in the workspace implements it")
		case doc == nil && inf:
			df, dt := documented(f.From), documented(f.To)
			if df != nil && dt != nil && df.Span.File == dt.Span.File {
				s.flows[i] = set(f, "undocumented", df.Head,
					fmt.Sprintf("%s → %s exists in the workspace but not in %s", s.name(f.From), s.name(f.To), df.Span.File))
			}
		}
	}
}

// documentedZone returns the zone a documented zone fused with, to compare zones across
// formats: an inferred zone fused with a subgraph compares equal to it.
func (s *sys) documentedZone(id string) string {
	return s.fusedOf[id]
}

func (s *sys) name(id string) string {
	if e := s.g.byID[id]; e != nil {
		return e.Name
	}
	return id
}
