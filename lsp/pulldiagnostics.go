package lsp

import (
	"context"
	"encoding/hex"
	"hash/fnv"
	"strconv"

	"go.lsp.dev/protocol"

	"github.com/threatls/threatls/model"
)

// Pull diagnostics: the same diagnostics as publishDiagnostics, for clients that ask for
// them. A client chooses pull with the setting `"diagnostics": "pull"` in its
// initializationOptions: then the server advertises diagnosticProvider, stops pushing and
// asks the client to pull again (workspace/diagnostic/refresh) when the model changes. Both
// requests answer in either mode.

// documentDiagnostic answers textDocument/diagnostic: the shown findings of the document,
// or "unchanged" when they are those of the client's previous result.
func (s *server) documentDiagnostic(ctx context.Context, p *protocol.DocumentDiagnosticParams) (protocol.DocumentDiagnosticReport, error) {
	v, err := s.viewOf(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	var shown []model.Finding
	if v.file != nil {
		shown = s.shown(v.file.Findings)
	}
	// The report is of the editor's text, which may be ahead of the model's: its ranges are
	// placed there (rangeOf), and its identity is of that text.
	id := resultID(v.cur, shown)
	if p.PreviousResultID != nil && *p.PreviousResultID == id {
		return &protocol.RelatedUnchangedDocumentDiagnosticReport{UnchangedDocumentDiagnosticReport: protocol.UnchangedDocumentDiagnosticReport{
			Kind: "unchanged", ResultID: id}}, nil
	}
	items := make([]protocol.Diagnostic, 0, len(shown))
	pl := s.places(v.snap, v.files, v.enc)
	for _, f := range shown {
		d := s.diagnostic(pl, f)
		if f.Span.File == v.key {
			d.Range = v.rangeOf(f.Span)
		}
		items = append(items, d)
	}
	return &protocol.RelatedFullDocumentDiagnosticReport{FullDocumentDiagnosticReport: protocol.FullDocumentDiagnosticReport{
		Kind: "full", ResultID: &id, Items: items}}, ctx.Err()
}

// workspaceDiagnostic answers workspace/diagnostic: a report for every file of every folder
// that has shown findings or had them in the client's previous results (then emptied).
func (s *server) workspaceDiagnostic(ctx context.Context, p *protocol.WorkspaceDiagnosticParams) (*protocol.WorkspaceDiagnosticReport, error) {
	prev := map[string]string{}
	for _, r := range p.PreviousResultIds {
		prev[string(r.URI)] = r.Value
	}
	out := &protocol.WorkspaceDiagnosticReport{Items: []protocol.WorkspaceDocumentDiagnosticReport{}}
	for _, v := range s.views() {
		for _, key := range v.snap.Files() {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			file := v.snap.File(key)
			shown := s.shown(file.Findings)
			u := v.files.uri(key)
			old, had := prev[string(u)]
			if len(shown) == 0 && !had {
				continue
			}
			id := resultID(file.Text, shown)
			var version *int32
			if file.Version != 0 {
				version = ptr(file.Version)
			}
			if had && old == id {
				out.Items = append(out.Items, &protocol.WorkspaceUnchangedDocumentDiagnosticReport{
					UnchangedDocumentDiagnosticReport: protocol.UnchangedDocumentDiagnosticReport{Kind: "unchanged", ResultID: id},
					URI:                               u, Version: version})
				continue
			}
			items := make([]protocol.Diagnostic, 0, len(shown))
			pl := s.places(v.snap, v.files, v.enc)
			for _, f := range shown {
				items = append(items, s.diagnostic(pl, f))
			}
			out.Items = append(out.Items, &protocol.WorkspaceFullDocumentDiagnosticReport{
				FullDocumentDiagnosticReport: protocol.FullDocumentDiagnosticReport{Kind: "full", ResultID: &id, Items: items},
				URI:                          u, Version: version})
		}
	}
	return out, nil
}

// resultID identifies the diagnostics a file's shown findings make in text, the text they
// are placed in.
func resultID(text []byte, shown []model.Finding) string {
	h := fnv.New64a()
	h.Write(text)
	for _, f := range shown {
		h.Write([]byte(f.ThreatID + "\x00" + f.Element + "\x00" + f.Message + "\x00" + string(f.Severity) + string(f.Confidence) + "\x00" +
			strconv.Itoa(int(f.Span.Start.Offset)) + ":" + strconv.Itoa(int(f.Span.End.Offset)) + "\x00"))
		for _, r := range f.Related {
			h.Write([]byte(r.Span.String() + r.Message + "\x00"))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
