package lsp

import (
	"context"
	"regexp"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/threatls/threatls/knowledge"
)

// ignoreRE finds the threat ID of a threatls:ignore comment, in any comment syntax.
var ignoreRE = regexp.MustCompile(`threatls:ignore\s+([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)`)

// documentLink links the threat ID of every threatls:ignore comment of the document to the
// threat's documentation. (A finding's diagnostic carries the same link as codeDescription,
// which editors show on the diagnostic's code.)
func (s *server) documentLink(ctx context.Context, p *protocol.DocumentLinkParams) ([]protocol.DocumentLink, error) {
	v, err := s.viewOf(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	out := []protocol.DocumentLink{}
	if v.file == nil {
		return out, nil
	}
	// The comments are read in the editor's text, which may be ahead of the model's.
	m, text := v.current(), v.cur
	lib := s.eng.Library()
	for _, loc := range ignoreRE.FindAllSubmatchIndex(text, -1) {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		id := string(text[loc[2]:loc[3]])
		title := "threat " + id
		if t := lib.Threat(id); t != nil {
			title = id + ": " + t.Title
		} else if r, ok := knowledge.MetaRuleFor(id); ok {
			title = id + ": " + r.Title
		} else {
			continue // not a threat of the library: TLS-003 says so
		}
		target := uri.URI(knowledge.DocURL(id))
		out = append(out, protocol.DocumentLink{Range: m.rangeOf(loc[2], loc[3]), Target: &target, Tooltip: &title})
	}
	return out, nil
}
