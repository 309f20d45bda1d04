package lsp

import (
	"context"
	"fmt"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/model"
)

// hoverFindings is how many findings a hover explains; the others are named.
const hoverFindings = 3

// hover explains what is under the cursor, briefly. On findings: for each (at most three,
// the others named) knowledge.Library.Brief — what, why here, the fix, a link to the full
// explanation. Elsewhere on an element of the model (a resource, a manifest, a compose
// service, a node of a diagram): its card, knowledge.Library.Card.
func (s *server) hover(ctx context.Context, p *protocol.HoverParams) (*protocol.Hover, error) {
	v, err := s.viewOf(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	if v.file == nil {
		return nil, nil
	}
	off := v.offset(p.Position)
	lib := s.eng.Library()
	var parts, more []string
	var rng *protocol.Range
	at := func(f *model.Finding) bool {
		return f.Span.File == v.key && contains(int(f.Span.Start.Offset), int(f.Span.End.Offset), off)
	}
	for _, f := range s.shownWhere(v.file.Findings, at) {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if len(parts) == hoverFindings {
			more = append(more, f.ThreatID)
			continue
		}
		brief := lib.Brief(f)
		if len(parts) == 0 {
			// Of the first: the requirements it bears on, its weight in residual risk, and
			// what to do about it for this element (knowledge.Guidance.Brief). The others'
			// are a hover away on their own lines, or in Show remediation.
			brief += hoverGovernance(lib, f)
			if r := s.remediationHover(v.snap, f); r != "" {
				brief += "\n\n" + r
			}
		}
		parts = append(parts, brief)
		if r, ok := v.rangeOK(f.Span); rng == nil && ok {
			rng = &r
		}
	}
	if len(more) > 0 {
		parts = append(parts, fmt.Sprintf("… and %d more here: %s (the Problems list shows them all)", len(more), strings.Join(more, ", ")))
	}
	if len(parts) > 0 {
		// On findings, the element they are about in one line; its card is elsewhere on it.
		if els := v.snap.Graph().At(v.key, off); len(els) > 0 {
			parts = append(parts, elementLine(v.snap.Graph(), els[0]))
		}
	}
	if len(parts) == 0 {
		if els := v.snap.Graph().At(v.key, off); len(els) > 0 {
			el := els[0]
			parts = append(parts, lib.Card(v.snap.Graph(), el, elementFindings(v.snap, el)))
			var r protocol.Range
			if el.Head.File == v.key {
				r = v.rangeOf(el.Head)
			} else {
				for _, sp := range el.Sources {
					if sp.File == v.key && contains(int(sp.Start.Offset), int(sp.End.Offset), off) {
						r = v.rangeOf(sp)
					}
				}
			}
			rng = &r
		}
	}
	if len(parts) == 0 {
		return nil, nil
	}
	return &protocol.Hover{
		Contents: &protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: strings.Join(parts, "\n\n---\n\n")},
		Range:    rng,
	}, nil
}

// elementLine sums an element up in one line: "**Deployment/api** component · zone
// Namespace/shop · 2 flows in, 1 out · 1 attack path".
func elementLine(g *model.Graph, el *model.Element) string {
	parts := []string{"**" + el.Name + "** " + string(el.Kind)}
	if z := g.Zone(el.ID); z != nil {
		parts = append(parts, "zone "+z.Name)
	}
	parts = append(parts, fmt.Sprintf("%s in, %d out", plural(len(g.Inbound(el.ID)), "flow"), len(g.Outbound(el.ID))),
		plural(len(g.PathsThrough(el.ID)), "attack path"))
	return strings.Join(parts, " · ")
}

// elementFindings returns the findings of el: they are in the files that define it or that
// its attributes were read from.
func elementFindings(snap *engine.Snapshot, el *model.Element) []model.Finding {
	var out []model.Finding
	seen := map[string]bool{}
	spans := append([]model.Span{el.Span, el.Head}, el.Sources...)
	for _, a := range el.Attrs.All() {
		spans = append(spans, a.Span)
	}
	for _, sp := range spans {
		if seen[sp.File] {
			continue
		}
		seen[sp.File] = true
		for _, f := range snap.FindingsIn(sp.File) {
			if f.Element == el.ID {
				out = append(out, f)
			}
		}
	}
	model.SortFindings(out)
	return out
}
