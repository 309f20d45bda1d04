package model

import (
	"fmt"
)

// Drift compares documented elements with what the workspace shows and records each
// disagreement as an attribute spanning the document's line, for the library to report:
// not_implemented (a documented element or flow nothing implements), zone_drift (the design
// puts an element in another zone) and undocumented (a flow between documented elements that
// the document omits). A workspace of documents only has nothing to drift from.

// documented returns the first documented member of the element id, or nil.
func (u *update) documented(id string) *Element {
	if g := u.b.f.byNode[id]; g != nil {
		for _, m := range g.members {
			if m.Provenance == Documented {
				return m
			}
		}
	}
	return nil
}

// inferred reports whether something that runs (code, infrastructure) describes the element id.
func (u *update) inferred(id string) bool {
	if g := u.b.f.byNode[id]; g != nil {
		for _, m := range g.members {
			if m.Provenance == Inferred {
				return true
			}
		}
		return false
	}
	if id == InternetZone {
		return true // made by the model for what sits in it, when no source defines it
	}
	e := u.b.r.derived[id]
	return e != nil && e.Provenance == Inferred
}

func (u *update) name(id string) string {
	if e := u.pre(id); e != nil {
		return e.Name
	}
	if id == InternetZone {
		return "internet"
	}
	return id
}

// nodeDrift returns the drift attribute of the node n (not a zone) sitting in zone, with its
// note and span, or "".
func (u *update) nodeDrift(n *Element, zone string, rd *reads) (string, string, Span) {
	rd.add(inferredKey())
	if u.b.f.inferred == 0 {
		return "", "", Span{}
	}
	d := u.documented(n.ID)
	switch {
	case d == nil:
	case !u.inferred(n.ID) && n.ID != Internet && n.Kind != Actor:
		return "not_implemented", d.Name + " is in the design (" + d.Span.File + ") but nothing in the workspace implements it", d.Head
	case u.inferred(n.ID):
		a := d.Attrs.At("zone")
		dz, _ := a.Value.(string)
		if dz == "" {
			return "", "", Span{}
		}
		dzr, _ := u.resolveZone(dz, dirOf(a.Span.File), rd)
		rd.add(idKey(dzr))
		if zone != "" {
			rd.add(idKey(zone))
		}
		// Only a zone the workspace knows too can disagree: a subgraph that matches no
		// namespace, network or subnet says nothing the workspace could contradict.
		if zone != "" && dzr != zone && u.b.f.fusedOf[zone] != dzr && u.inferred(dzr) {
			return "zone_drift", fmt.Sprintf("the design puts %s in %s; the workspace puts it in %s", d.Name, u.name(dzr), u.name(zone)), a.Span
		}
	}
	return "", "", Span{}
}

// flowDrift returns the drift attribute of the flow f, whose members are ms, with its note and
// span, or "".
func (u *update) flowDrift(f *Element, ms []*Element, rd *reads) (string, string, Span) {
	if u.b.f.inferred == 0 {
		return "", "", Span{}
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
	case doc != nil && !inf && u.inferred(f.From) && u.inferred(f.To):
		return "not_implemented", "the design shows this flow; nothing in the workspace implements it", doc.Head
	case doc == nil && inf:
		df, dt := u.documented(f.From), u.documented(f.To)
		if df != nil && dt != nil && df.Span.File == dt.Span.File {
			return "undocumented", fmt.Sprintf("%s → %s exists in the workspace but not in %s", u.name(f.From), u.name(f.To), df.Span.File), df.Head
		}
	}
	return "", "", Span{}
}
