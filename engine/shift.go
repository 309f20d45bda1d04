package engine

import (
	"slices"

	"github.com/threatls/threatls/model"
)

// An edit moves everything after it in its file: a keystroke near the top of a file of five
// hundred resources makes five hundred elements that differ from the last ones only in where
// they are. Their findings are the last ones, moved: re-evaluating the library over each
// would cost what a scan of the file costs.

// spanMap maps an element's old spans to its new ones: a list, as an element has a few
// dozen at most (a map each cost 7,500 elements moved by a keystroke 3 ms).
type spanMap []spanPair

type spanPair struct{ from, to model.Span }

func (m spanMap) get(sp model.Span) (model.Span, bool) {
	for _, p := range m {
		if p.from == sp {
			return p.to, true
		}
	}
	return model.Span{}, false
}

// moved returns, for an element now that says what old said but at other places of its
// file, the old spans mapped to the new ones; ok is false when anything else differs.
func moved(old, now *model.Element) (spanMap, bool) {
	if old == nil || now == nil || old.ID != now.ID || old.Kind != now.Kind || old.Type != now.Type ||
		old.Name != now.Name || old.From != now.From || old.To != now.To || old.Parent != now.Parent ||
		old.Provenance != now.Provenance || !slices.Equal(old.Aliases, now.Aliases) ||
		!slices.Equal(old.Members, now.Members) || len(old.Sources) != len(now.Sources) ||
		len(old.Related) != len(now.Related) || old.Attrs.Len() != now.Attrs.Len() {
		return nil, false
	}
	m := make(spanMap, 0, 2+old.Attrs.Len()+len(old.Sources)+len(old.Related))
	pair := func(a, b model.Span) bool {
		if a.File != b.File || a.End.Offset-a.Start.Offset != b.End.Offset-b.Start.Offset ||
			a.End.Line-a.Start.Line != b.End.Line-b.Start.Line || a.Start.Col != b.Start.Col || a.End.Col != b.End.Col {
			return false
		}
		if prev, ok := m.get(a); ok {
			return prev == b
		}
		m = append(m, spanPair{a, b})
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
	for k, a := range old.Attrs.All() {
		b, ok := now.Attrs.Get(k)
		if !ok || a.Origin != b.Origin || a.Note != b.Note || !model.SameValue(a.Value, b.Value) || !pair(a.Span, b.Span) {
			return nil, false
		}
	}
	return m, true
}

// moveFindings returns fs with every span moved as m says, and whether every span of the
// findings was one m knows (else the findings must be made anew).
func moveFindings(fs []model.Finding, m spanMap) ([]model.Finding, bool) {
	out := make([]model.Finding, len(fs))
	for i, f := range fs {
		sp, ok := m.get(f.Span)
		if !ok {
			return nil, false
		}
		f.Span = sp
		if len(f.Evidence) > 0 {
			ev := make([]model.Evidence, len(f.Evidence))
			for j, e := range f.Evidence {
				if e.Span, ok = m.get(e.Span); !ok {
					return nil, false
				}
				ev[j] = e
			}
			f.Evidence = ev
		}
		if len(f.Related) > 0 {
			rel := make([]model.Related, len(f.Related))
			for j, r := range f.Related {
				if r.Span, ok = m.get(r.Span); !ok {
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
