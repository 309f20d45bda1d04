package lsp

import (
	"context"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/threatls/threatls/model"
)

// inlayHint writes, at the end of the line that defines a flow, what the model knows of it
// that the line does not say: the trust boundary it crosses, and whether it is plaintext or
// unauthenticated — "→ aws_db_instance.orders · crosses Namespace/shop → aws_subnet.private ·
// plaintext". Flows that cross nothing and lack nothing get no hint.
func (s *server) inlayHint(ctx context.Context, p *protocol.InlayHintParams) ([]protocol.InlayHint, error) {
	v, err := s.viewOf(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	out := []protocol.InlayHint{}
	if v.file == nil {
		return out, nil
	}
	// The range asked for and the hints are in the editor's text, which may be ahead of the
	// model's (see view).
	start, end := v.span(p.Range)
	cur := v.current()
	g := v.snap.Graph()
	for _, el := range v.elementsIn(v.key, model.Flow) {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// The label is made for a flow in the requested range only: an editor asks for the
		// lines it shows, and a stream of manifests has thousands of flows.
		label, tooltip, made := "", "", false
		for _, sp := range spansIn(el, v.key) {
			head := v.headIn(el, sp)
			if !overlaps(int(head.Start.Offset), int(head.End.Offset), start, end) {
				continue
			}
			if !made {
				label, tooltip = flowHint(g, el)
				made = true
			}
			if label == "" {
				break
			}
			r, ok := v.rangeOK(head)
			if !ok {
				continue // typed over since the model was made
			}
			line := r.Start.Line
			out = append(out, protocol.InlayHint{
				Position:    cur.position(cur.lineEnd(int(line))),
				Label:       protocol.String(label),
				Tooltip:     protocol.String(tooltip),
				PaddingLeft: ptr(true),
			})
		}
	}
	return out, nil
}

// flowHint returns the label of a flow's hint ("" for none) and its tooltip.
func flowHint(g *model.Graph, fl *model.Element) (label, tooltip string) {
	var notes, why []string
	if b, ok := boolAttr(fl, "crosses_boundary"); ok && b {
		from, to := zoneName(g, fl, "from_zone"), zoneName(g, fl, "to_zone")
		notes = append(notes, "crosses "+from+" → "+to)
		why = append(why, "the flow leaves the trust zone "+from+" for "+to)
	}
	if b, ok := boolAttr(fl, "tls"); ok && !b {
		notes = append(notes, "plaintext")
		why = append(why, "no TLS: the data can be read and changed on the way")
	}
	if b, ok := boolAttr(fl, "authenticated"); ok && !b {
		notes = append(notes, "unauthenticated")
		why = append(why, "the receiver does not authenticate the sender")
	}
	if len(notes) == 0 {
		return "", ""
	}
	to := fl.To
	if el := g.Element(fl.To); el != nil {
		to = el.Name
	}
	return "→ " + to + " · " + strings.Join(notes, " · "), "threatls: " + strings.Join(why, "; ") + "."
}

func boolAttr(el *model.Element, name string) (bool, bool) {
	a, ok := el.Attr(name)
	if !ok || a.Origin == model.Unknown {
		return false, false
	}
	b, ok := a.Value.(bool)
	return b, ok
}

// zoneName names the zone an attribute of a flow holds the ID of.
func zoneName(g *model.Graph, fl *model.Element, attr string) string {
	a, ok := fl.Attr(attr)
	if !ok {
		return "?"
	}
	id, _ := a.Value.(string)
	if z := g.Element(id); z != nil {
		return z.Name
	}
	if id == "" {
		return "?"
	}
	return id
}
