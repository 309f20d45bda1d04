package engine

import "github.com/threatls/threatls/model"

// An edit moves everything after it in its file: a keystroke near the top of a file of five
// hundred resources makes five hundred elements that differ from the last ones only in where
// they are. Their findings are the last ones, moved: re-evaluating the library over each
// would cost what a scan of the file costs.

// moveFindings returns fs with every span moved as m says, and whether every span of the
// findings was one m knows (else the findings must be made anew).
func moveFindings(fs []model.Finding, m model.SpanMap) ([]model.Finding, bool) {
	out := make([]model.Finding, len(fs))
	for i, f := range fs {
		sp, ok := m.Get(f.Span)
		if !ok {
			return nil, false
		}
		f.Span = sp
		if len(f.Evidence) > 0 {
			ev := make([]model.Evidence, len(f.Evidence))
			for j, e := range f.Evidence {
				if e.Span, ok = m.Get(e.Span); !ok {
					return nil, false
				}
				ev[j] = e
			}
			f.Evidence = ev
		}
		if len(f.Related) > 0 {
			rel := make([]model.Related, len(f.Related))
			for j, r := range f.Related {
				if r.Span, ok = m.Get(r.Span); !ok {
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
