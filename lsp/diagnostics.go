package lsp

import (
	"slices"
	"sync"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"

	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// publisher sends textDocument/publishDiagnostics. It remembers what each file last got, so
// that after a change only the files whose findings changed are published (an edit of one
// file can change the findings of another), plus the files the change touched.
//
// Every publish reads the workspace's latest snapshot under the publisher's lock, so the
// client never receives diagnostics older than ones it already has, whichever goroutine (the
// notification worker, a background scan) publishes. Diagnostics are sent with the server's
// lifetime context, never a request's, and cleared with an empty array, never null.
type publisher struct {
	s *server
	f *folder

	mu   sync.Mutex
	last map[string]sent
	open map[string]bool // documents the editor holds open: their diagnostics carry a version
}

// sent is what a file last got.
type sent struct {
	findings  []model.Finding // the shown ones
	version   int32
	versioned bool
}

func newPublisher(s *server, f *folder) *publisher {
	return &publisher{s: s, f: f, last: map[string]sent{}, open: map[string]bool{}}
}

// setOpen records whether the editor holds the document open.
func (p *publisher) setOpen(key string, open bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if open {
		p.open[key] = true
	} else {
		delete(p.open, key)
	}
}

// publish sends the diagnostics of every file whose shown findings changed since they were
// last sent, and of the touched files in any case.
func (p *publisher) publish(touched ...string) {
	_, _, enc := p.s.session()
	ws, files := p.f.ws, p.f.files
	p.mu.Lock()
	defer p.mu.Unlock()
	snap := ws.Snapshot()

	keys := slices.Clone(snap.Files())
	for key := range p.last {
		if snap.File(key) == nil {
			keys = append(keys, key) // gone: its diagnostics must be cleared
		}
	}
	slices.Sort(keys)
	for _, key := range keys {
		file := snap.File(key)
		prev, had := p.last[key]
		force := slices.Contains(touched, key)
		if file == nil {
			if had && len(prev.findings) > 0 {
				p.send(files.uri(key), nil, []protocol.Diagnostic{})
			}
			delete(p.last, key)
			continue
		}
		shown := p.s.shown(file.Findings)
		if !force && sameFindings(prev.findings, shown) {
			continue
		}
		next := sent{findings: shown}
		var version *int32
		if p.open[key] {
			if had && prev.versioned && file.Version < prev.version {
				continue // never go back to an older version of the document
			}
			next.version, next.versioned = file.Version, true
			version = &next.version
		}
		diags := make([]protocol.Diagnostic, 0, len(shown))
		for _, f := range shown {
			diags = append(diags, p.s.diagnostic(snap, files, enc, f))
		}
		p.send(files.uri(key), version, diags)
		p.last[key] = next
	}
}

func (p *publisher) send(u uri.URI, version *int32, diags []protocol.Diagnostic) {
	p.s.modelChanged()
	if p.s.pulled() {
		return // the client asks for them: textDocument/diagnostic
	}
	params := &protocol.PublishDiagnosticsParams{URI: u, Diagnostics: diags}
	if version != nil {
		params.Version = protocol.NewOptional(*version)
	}
	if err := p.s.client.PublishDiagnostics(p.s.ctx, params); err != nil {
		p.s.log.Debug("publishing diagnostics", zap.String("uri", string(u)), zap.Error(err))
	}
}

// sameFindings reports whether two lists of findings make the same diagnostics.
func sameFindings(a, b []model.Finding) bool {
	return slices.EqualFunc(a, b, func(x, y model.Finding) bool {
		return x.ThreatID == y.ThreatID && x.Element == y.Element && x.Span == y.Span &&
			x.Message == y.Message && x.Severity == y.Severity && x.Confidence == y.Confidence &&
			slices.Equal(x.Related, y.Related)
	})
}

// diagnostic converts a finding of snap into a diagnostic.
func (s *server) diagnostic(snap *engine.Snapshot, files fileMap, enc encoding, f model.Finding) protocol.Diagnostic {
	d := protocol.Diagnostic{
		Severity:        s.severity(f),
		Code:            protocol.String(f.ThreatID),
		CodeDescription: protocol.CodeDescription{Href: uri.URI(knowledge.DocURL(f.ThreatID))},
		Source:          protocol.NewOptional("threatls"),
		Message:         protocol.String(f.Message),
	}
	if file := snap.File(f.Span.File); file != nil {
		d.Range = s.maps.get(f.Span.File, file.Text, enc).rangeOf(f.Span.Start.Offset, f.Span.End.Offset)
	}
	for _, r := range f.Related {
		file := snap.File(r.Span.File)
		if file == nil {
			continue
		}
		d.RelatedInformation = append(d.RelatedInformation, protocol.DiagnosticRelatedInformation{
			Location: protocol.Location{
				URI:   files.uri(r.Span.File),
				Range: s.maps.get(r.Span.File, file.Text, enc).rangeOf(r.Span.Start.Offset, r.Span.End.Offset),
			},
			Message: r.Message,
		})
	}
	return d
}

// severity is the LSP policy for severities: the library's severity (critical and high are
// errors, medium warnings, low information, info hints), one step lower when the finding is
// tentative.
func (s *server) severity(f model.Finding) protocol.DiagnosticSeverity {
	sev := f.Severity
	if t := s.eng.Library().Threat(f.ThreatID); t != nil {
		sev = t.Severity()
	}
	var d protocol.DiagnosticSeverity
	switch sev {
	case model.Critical, model.High:
		d = protocol.DiagnosticSeverityError
	case model.Medium:
		d = protocol.DiagnosticSeverityWarning
	case model.Low:
		d = protocol.DiagnosticSeverityInformation
	default:
		d = protocol.DiagnosticSeverityHint
	}
	if f.Confidence == model.Tentative && d < protocol.DiagnosticSeverityHint {
		d++
	}
	return d
}
