package engine

import "github.com/threatls/threatls/model"

// An edit moves everything after it in its file: a keystroke near the top of a file of five
// hundred resources makes five hundred elements that differ from the last ones only in where
// they are. Their findings are the last ones, moved: re-evaluating the library over each
// would cost what a scan of the file costs.

// moveFindings returns fs with every span moved as m says, and whether every span of the
// findings was one m knows (else the findings must be made anew).
func moveFindings(fs []model.Finding, m func(model.Span) (model.Span, bool)) ([]model.Finding, bool) {
	out := make([]model.Finding, len(fs))
	for i, f := range fs {
		sp, ok := m(f.Span)
		if !ok {
			return nil, false
		}
		f.Span = sp
		if len(f.Evidence) > 0 {
			ev := make([]model.Evidence, len(f.Evidence))
			for j, e := range f.Evidence {
				if e.Span, ok = m(e.Span); !ok {
					return nil, false
				}
				ev[j] = e
			}
			f.Evidence = ev
		}
		if len(f.Related) > 0 {
			rel := make([]model.Related, len(f.Related))
			for j, r := range f.Related {
				if r.Span, ok = m(r.Span); !ok {
					return nil, false
				}
				rel[j] = r
			}
			f.Related = rel
		}
		out[i] = f
	}
	return out, true
}

// movedPlaces is what an update moved: the elements that only moved (an edit before them in
// their file), each old place of theirs to the new one, and the lists that changed only in
// that such elements moved.
type movedPlaces struct {
	at    map[model.Span]model.Span
	bad   map[model.Span]bool // old places two moves would put in two new ones
	elems map[string]model.SpanMap
	lists map[model.Dep]bool
}

// movedPlaces returns what the update that reported deps moved: the elements of its
// DepElement deps that say what they said when last evaluated, at other places.
func (b *buildState) movedPlaces(g *model.Graph, deps, movedDeps []model.Dep) movedPlaces {
	pl := movedPlaces{at: map[model.Span]model.Span{}, bad: map[model.Span]bool{},
		elems: map[string]model.SpanMap{}, lists: map[model.Dep]bool{}}
	for _, d := range deps {
		if d.Kind != model.DepElement {
			continue
		}
		old, el := b.evals[d.ID], g.Element(d.ID)
		if old == nil || el == nil || old.el == el {
			continue
		}
		m, ok := model.Moves(old.el, el)
		if !ok {
			continue
		}
		pl.elems[d.ID] = m
		for _, p := range m {
			if to, seen := pl.at[p.From]; seen && to != p.To {
				pl.bad[p.From] = true
			}
			pl.at[p.From] = p.To
		}
	}
	for _, d := range movedDeps {
		pl.lists[d] = true
	}
	return pl
}

// only reports whether d changed only in that elements moved.
func (pl movedPlaces) only(d model.Dep) bool {
	if d.Kind == model.DepElement {
		_, ok := pl.elems[d.ID]
		return ok
	}
	return pl.lists[d]
}

// of returns where the places of old, an element as last evaluated, are in el, the same
// element now, for findings that may also quote what it read: its own places moved (Moves),
// those of the elements that only moved, and any other place where it was. ok is false when
// el says something else than old.
func (pl movedPlaces) of(old, el *model.Element) (func(model.Span) (model.Span, bool), bool) {
	own, ok := pl.elems[el.ID]
	if old != el && !ok {
		if own, ok = model.Moves(old, el); !ok {
			return nil, false
		}
	}
	return func(sp model.Span) (model.Span, bool) {
		if to, ok := own.Get(sp); ok {
			return to, true
		}
		if pl.bad[sp] {
			return sp, false
		}
		if to, ok := pl.at[sp]; ok {
			return to, true
		}
		return sp, true
	}, true
}
