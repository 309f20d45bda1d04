package knowledge

import (
	"strings"
	"text/template"

	"github.com/threatls/threatls/mapping"
	"github.com/threatls/threatls/model"
)

// FixOps returns, per mitigation of the finding's threat that has fixes for el's type (its own,
// or the resource mapping's for the attribute it names), its title and its operations with
// templates filled in for el.
func (l *Library) FixOps(threatID string, el *model.Element) []MitigationOps {
	t := l.byID[threatID]
	if t == nil {
		return nil
	}
	var out []MitigationOps
	for _, m := range t.Mitigations {
		ops, ok := m.Fixes[el.Type]
		if !ok && m.Attr != "" {
			ops = mapping.Builtin().Fix(el.Type, m.Attr)
			ok = len(ops) > 0
		}
		if !ok {
			continue
		}
		filled := make([]model.FixOp, len(ops))
		for i, op := range ops {
			filled[i] = model.FixOp{Op: op.Op, Path: op.Path,
				Value: fill(op.Value, el), Old: fill(op.Old, el), New: fill(op.New, el), Text: fill(op.Text, el)}
		}
		out = append(out, MitigationOps{Title: m.Title, Ops: filled})
	}
	return out
}

// MitigationOps is a mitigation ready for an analyzer to turn into edits.
type MitigationOps struct {
	Title string
	Ops   []model.FixOp
}

func fill(s string, el *model.Element) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	tmpl, err := template.New("fix").Option("missingkey=error").Parse(s)
	if err != nil {
		return s
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, messageData{el}); err != nil {
		return s
	}
	return b.String()
}
