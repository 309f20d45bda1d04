package lsp

import (
	"context"
	"strings"

	"go.lsp.dev/protocol"

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
	snap := ws.Snapshot()
	key := files.key(p.TextDocument.URI)
	file := snap.File(key)
	if file == nil {
		return nil, nil
	}
	m := s.maps.get(key, file.Text, enc)
	off := m.offset(p.Position)
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
		if rng == nil {
			r := m.rangeOf(f.Span.Start.Offset, f.Span.End.Offset)
			rng = &r
		}
	}
	if els := snap.Graph().At(key, off); len(els) > 0 {
		el := els[0]
		var fs []model.Finding
		for _, f := range snap.Findings() {
			if f.Element == el.ID {
				fs = append(fs, f)
			}
		}
		parts = append(parts, lib.Card(snap.Graph(), el, fs))
		if rng == nil {
			r := m.rangeOf(el.Head.Start.Offset, el.Head.End.Offset)
			if el.Head.File != key {
				for _, s := range el.Sources {
					if s.File == key && s.Start.Offset <= off && off <= s.End.Offset {
						r = m.rangeOf(s.Start.Offset, s.End.Offset)
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
		Contents: &protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: strings.Join(parts, "\n---\n\n")},
		Range:    rng,
	}, nil
}
