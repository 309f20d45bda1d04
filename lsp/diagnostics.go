package lsp

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"sort"
	"sync"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"

	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// publisher sends textDocument/publishDiagnostics for the snapshots the updater makes. It
// remembers what each file last got, and publishes only the files a snapshot changed whose
// shown findings differ from what they got: the documents the editor holds open first, the
// others in batches that leave the connection to requests in between.
//
// While the workspace loads (the snapshot is not complete), only the open documents are
// published, with their local findings only (model.Finding.Local): what a partial model says
// of flows, paths or threatls.yaml would change when the rest is read — flicker, false
// errors. Diagnostics are sent with the server's lifetime context, never a request's, and
// cleared with an empty array, never null.
type publisher struct {
	s *server
	f *folder

	mu       sync.Mutex
	last     map[string]sent
	open     map[string]bool // documents the editor holds open: their diagnostics carry a version
	snap     *engine.Snapshot
	pending  map[string]bool // files a snapshot changed that are not published yet
	complete bool            // the last snapshot published was complete
}

// sent is what a file last got.
type sent struct {
	// shown is how many findings were shown, digest what their diagnostics said (a copy of
	// them, kept for every file of the workspace to compare with the next, was 264 bytes a
	// finding: 14 MB at 20,000 files).
	shown     int
	digest    findingsDigest
	version   int32
	versioned bool
	partial   bool // only its local findings: the workspace was loading
}

// batch is how many files are published before the connection is given to requests.
const batch = 64

func newPublisher(s *server, f *folder) *publisher {
	return &publisher{s: s, f: f, last: map[string]sent{}, open: map[string]bool{}, pending: map[string]bool{}}
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
	p.pending[key] = true
}

// publish sends the diagnostics of the files snap changed since the last snapshot published
// (and of the files left pending then).
func (p *publisher) publish(ctx context.Context, snap *engine.Snapshot) {
	_, _, enc := p.s.session()
	files := p.f.files
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.snap != nil && snap.Seq() <= p.snap.Seq() {
		return // never go back to an older model
	}
	for _, key := range snap.ChangedSince(p.snap) {
		p.pending[key] = true
	}
	if snap.Complete() && !p.complete {
		// What was published while the workspace loaded was partial: publish it whole.
		for key, s := range p.last {
			if s.partial {
				p.pending[key] = true
			}
		}
	}
	p.snap, p.complete = snap, snap.Complete()
	// The open documents first, sorted apart: sorting every pending file of a large
	// workspace before them (with a map lookup per comparison) held the first keystrokes
	// after the model completed for tens of milliseconds.
	var keys, rest []string
	for key := range p.pending {
		switch {
		case p.open[key]:
			keys = append(keys, key)
		case snap.Complete():
			rest = append(rest, key)
		}
	}
	sort.Strings(keys)
	for _, key := range keys {
		delete(p.pending, key)
		p.publishFile(snap, files, enc, key)
	}
	sort.Strings(rest)
	keys = rest
	for i, key := range keys {
		if i > 0 && i%batch == 0 {
			// Give the connection to requests, and the updater to the editor if it has
			// typed (or a newer model is there): the rest stays pending, published after
			// the update its change makes (which publishes the open documents first).
			p.mu.Unlock()
			if p.s.betweenBatches != nil {
				p.s.betweenBatches()
			}
			time.Sleep(2 * time.Millisecond)
			p.mu.Lock()
			if ctx.Err() != nil || p.snap != snap || p.f.ws.Pending() || p.f.ws.Latest().Seq() > snap.Seq() {
				return
			}
		}
		delete(p.pending, key)
		p.publishFile(snap, files, enc, key)
	}
}

// republish sends the diagnostics of every file again where what is shown of them changed
// (the settings say what is shown), from snap.
func (p *publisher) republish(ctx context.Context, snap *engine.Snapshot) {
	p.mu.Lock()
	for _, key := range snap.Files() {
		p.pending[key] = true
	}
	for key := range p.last {
		p.pending[key] = true
	}
	p.snap = nil
	p.mu.Unlock()
	p.publish(ctx, snap)
}

// publishFile sends the diagnostics of one file of snap, if they differ from what it got.
func (p *publisher) publishFile(snap *engine.Snapshot, files fileMap, enc encoding, key string) {
	file := snap.File(key)
	prev, had := p.last[key]
	if file == nil {
		// A file the workspace could not analyse has its finding (TLS-009) and no text.
		shown := p.s.shown(snap.FindingsIn(key))
		if len(shown) > 0 && snap.Complete() {
			if d := digestOf(shown); !had || prev.digest != d {
				diags := make([]protocol.Diagnostic, 0, len(shown))
				for _, f := range shown {
					diags = append(diags, p.s.diagnostic(snap, files, enc, f))
				}
				p.send(files.uri(key), nil, diags)
				p.last[key] = sent{shown: len(shown), digest: d}
			}
			return
		}
		if had && prev.shown > 0 {
			p.send(files.uri(key), nil, []protocol.Diagnostic{})
		}
		delete(p.last, key)
		return
	}
	partial := !snap.Complete()
	shown := p.s.shown(file.Findings)
	if partial {
		shown = slices.DeleteFunc(shown, func(f model.Finding) bool { return !f.Local })
	}
	next := sent{shown: len(shown), digest: digestOf(shown), partial: partial}
	var version *int32
	if p.open[key] {
		if had && prev.versioned && file.Version < prev.version {
			return // never go back to an older version of the document
		}
		next.version, next.versioned = file.Version, true
		version = &next.version
		if had && prev.versioned && prev.version == file.Version && prev.digest == next.digest {
			return
		}
	} else if had && prev.digest == next.digest && !prev.versioned {
		return
	}
	diags := make([]protocol.Diagnostic, 0, len(shown))
	for _, f := range shown {
		diags = append(diags, p.s.diagnostic(snap, files, enc, f))
	}
	p.send(files.uri(key), version, diags)
	p.last[key] = next
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

// findingsDigest identifies what a list of findings makes diagnostics of (see digestOf).
type findingsDigest [sha256.Size]byte

// digestOf returns the digest of what the diagnostics of fs say: each finding's threat,
// element, place, message, severity and confidence, and its related places with their
// messages, in order. Two lists with the same digest make the same diagnostics (each string
// is written with its length, so no two lists write the same bytes).
func digestOf(fs []model.Finding) findingsDigest {
	h := sha256.New()
	buf := make([]byte, 0, 512)
	str := func(s string) {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	span := func(sp model.Span) {
		str(sp.File)
		for _, v := range [...]int32{sp.Start.Offset, sp.Start.Line, sp.Start.Col, sp.End.Offset, sp.End.Line, sp.End.Col} {
			buf = binary.AppendVarint(buf, int64(v))
		}
	}
	buf = binary.AppendUvarint(buf, uint64(len(fs)))
	for i := range fs {
		f := &fs[i]
		str(f.ThreatID)
		str(f.Element)
		span(f.Span)
		str(f.Message)
		str(string(f.Severity))
		str(string(f.Confidence))
		buf = binary.AppendUvarint(buf, uint64(len(f.Related)))
		for _, r := range f.Related {
			span(r.Span)
			str(r.Message)
		}
		h.Write(buf)
		buf = buf[:0]
	}
	h.Write(buf)
	var d findingsDigest
	h.Sum(d[:0])
	return d
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
		d.Range = s.maps.get(f.Span.File, file.Text, enc).rangeOf(int(f.Span.Start.Offset), int(f.Span.End.Offset))
	}
	for _, r := range f.Related {
		file := snap.File(r.Span.File)
		if file == nil {
			continue
		}
		d.RelatedInformation = append(d.RelatedInformation, protocol.DiagnosticRelatedInformation{
			Location: protocol.Location{
				URI:   files.uri(r.Span.File),
				Range: s.maps.get(r.Span.File, file.Text, enc).rangeOf(int(r.Span.Start.Offset), int(r.Span.End.Offset)),
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
