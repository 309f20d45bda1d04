package lsp

import (
	"context"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/model"
)

// hover explains what is under the cursor: knowledge.Library.Explain of each shown finding
// whose range holds the position, then knowledge.Library.Card of the innermost element of the
// model defined there (a resource, a manifest, a compose service, a node of a diagram).
func (s *server) hover(ctx context.Context, p *protocol.HoverParams) (*protocol.Hover, error) {
	ws, files, enc := s.session()
	if ws == nil {
		return nil, errNotInitialized
	}
	snap := ws.Latest()
	key := files.key(p.TextDocument.URI)
	v := s.view(ws, snap, key, enc)
	if v == nil {
		return nil, nil
	}
	file := v.file
	off := v.offset(p.Position)
	lib := s.eng.Library()
	var parts []string
	var rng *protocol.Range
	for _, f := range file.Findings {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if f.Suppressed != nil || f.Span.File != key || !contains(f.Span.Start.Offset, f.Span.End.Offset, off) {
			continue
		}
		parts = append(parts, lib.Explain(f)+hoverGovernance(lib, f))
		if r := s.remediationHover(snap, f); r != "" {
			parts = append(parts, r)
		}
		if r, ok := v.rangeOf(f.Span.Start.Offset, f.Span.End.Offset); rng == nil && ok {
			rng = &r
		}
	}
	if els := snap.Graph().At(key, off); len(els) > 0 {
		el := els[0]
		parts = append(parts, lib.Card(snap.Graph(), el, elementFindings(snap, el)))
		if rng == nil {
			r, ok := v.rangeOf(el.Head.Start.Offset, el.Head.End.Offset)
			if el.Head.File != key {
				for _, s := range el.Sources {
					if s.File == key && s.Start.Offset <= off && off <= s.End.Offset {
						r, ok = v.rangeOf(s.Start.Offset, s.End.Offset)
					}
				}
			}
			if ok {
				rng = &r
			}
		}
	}
	if len(parts) == 0 {
		return nil, nil
	}
	return &protocol.Hover{
		Contents: &protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: strings.Join(parts, "\n---\n\n")},
		Range:    rng,
	}, nil
}

// elementFindings returns the findings of el: they are in the files that define it or that
// its attributes were read from.
func elementFindings(snap *engine.Snapshot, el *model.Element) []model.Finding {
	var out []model.Finding
	seen := map[string]bool{}
	spans := append([]model.Span{el.Span, el.Head}, el.Sources...)
	for _, a := range el.Attrs {
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
