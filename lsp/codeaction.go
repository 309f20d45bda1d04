package lsp

import (
	"context"
	"slices"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"

	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/model"
)

// codeAction offers, for each shown finding whose range meets the requested one, a quick fix
// per fix the engine has: the mitigations' (the first one preferred), then "Accept risk".
func (s *server) codeAction(ctx context.Context, p *protocol.CodeActionParams) ([]protocol.CommandOrCodeAction, error) {
	out := []protocol.CommandOrCodeAction{}
	if len(p.Context.Only) > 0 && !slices.Contains(p.Context.Only, protocol.CodeActionKindQuickFix) {
		return out, nil
	}
	ws, files, enc := s.session()
	if ws == nil {
		return nil, errNotInitialized
	}
	snap := ws.Latest()
	key := files.key(p.TextDocument.URI)
	v := s.view(ws, snap, key, enc)
	if v == nil {
		return out, nil
	}
	file := v.file
	start, end := v.span(p.Range)
	for _, f := range file.Findings {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if f.Suppressed != nil || f.Span.File != key || !overlaps(f.Span.Start.Offset, f.Span.End.Offset, start, end) {
			continue
		}
		diag := s.diagnostic(snap, files, enc, f)
		if r, ok := v.rangeOf(f.Span.Start.Offset, f.Span.End.Offset); ok {
			diag.Range = r
		} else {
			continue // typed over since the model was made: its fixes would miss
		}
		for i, fix := range s.eng.Fixes(snap, f) {
			edit, ok := s.workspaceEdit(ws, snap, files, enc, fix)
			if !ok {
				continue
			}
			a := &protocol.CodeAction{
				Title:       fix.Title,
				Kind:        ptr(protocol.CodeActionKindQuickFix),
				Diagnostics: []protocol.Diagnostic{diag},
				Edit:        edit,
			}
			if i == 0 && fix.Kind == model.Mitigate {
				a.IsPreferred = ptr(true)
			}
			out = append(out, a)
		}
		out = append(out, s.remediationActions(files, f, diag)...)
	}
	return out, nil
}

// workspaceEdit converts the byte edits of fix, made against snap's texts, into LSP text edits
// of the documents as the editor has them now, per document. A fix whose edits meet text
// typed since the snapshot is dropped.
func (s *server) workspaceEdit(ws *engine.Workspace, snap *engine.Snapshot, files fileMap, enc encoding, fix model.Fix) (*protocol.WorkspaceEdit, bool) {
	changes := map[uri.URI][]protocol.TextEdit{}
	for _, e := range fix.Edits {
		v := s.view(ws, snap, e.File, enc)
		if v == nil {
			s.log.Warn("a fix edits a file the workspace does not have", zap.String("fix", fix.Title), zap.String("file", e.File))
			return nil, false
		}
		r, ok := v.rangeOf(e.Start, e.End)
		if !ok {
			return nil, false
		}
		u := files.uri(e.File)
		changes[u] = append(changes[u], protocol.TextEdit{Range: r, NewText: e.NewText})
	}
	return &protocol.WorkspaceEdit{Changes: changes}, len(changes) > 0
}
