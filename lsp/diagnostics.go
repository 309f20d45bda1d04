package lsp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"slices"
	"sort"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
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
	// encoded is, for each open document of many diagnostics, its last publication (see
	// encodeDiagnostics).
	encoded map[string]*encodedFile
	taken   int // diagnostics taken from a last publication (for tests)
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
		delete(p.encoded, key)
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
				pl := p.s.places(snap, files, enc)
				for _, f := range shown {
					diags = append(diags, p.s.diagnostic(pl, f))
				}
				p.send(files.uri(key), publication(files.uri(key), nil, diags))
				p.last[key] = sent{shown: len(shown), digest: d}
			}
			return
		}
		if had && prev.shown > 0 {
			p.send(files.uri(key), publication(files.uri(key), nil, []protocol.Diagnostic{}))
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
	pl := p.s.places(snap, files, enc)
	for _, f := range shown {
		diags = append(diags, p.s.diagnostic(pl, f))
	}
	if p.open[key] && len(diags) >= encodedFrom && p.s.conn != nil && !p.s.pulled() {
		raw, err := p.encodeDiagnostics(key, files.uri(key), version, diags)
		if err == nil {
			p.send(files.uri(key), jsonrpc2.RawMessage(raw))
			p.last[key] = next
			return
		}
		p.s.log.Debug("encoding diagnostics", zap.String("file", key), zap.Error(err))
	}
	p.send(files.uri(key), publication(files.uri(key), version, diags))
	p.last[key] = next
}

// encodedFrom is the number of diagnostics from which an open document's publications are
// encoded from the last one's (see encodeDiagnostics).
const encodedFrom = 256

// encodedFile is the last publication of an open document: its JSON, where the JSON of each
// of its diagnostics is in it by a hash of what the diagnostic says.
type encodedFile struct {
	json []byte
	at   map[diagnosticHash][2]int
}

// diagnosticHash is two 64-bit hashes of a diagnosticKey, with seeds of their own: two
// diagnostics that say different things have the same hash with a probability of 2⁻¹²⁸ per
// pair.
type diagnosticHash [2]uint64

var diagnosticSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

// encodeDiagnostics returns the params of the publication of diags, the diagnostics of the
// open document key, as protocol.Marshal writes them, taking the JSON of each diagnostic that
// says what one of the document's last publication said from it. A keystroke changes a few
// of a file's thousands of diagnostics, and encoding them all again was most of a
// publication of the 5 MB stream of manifests (BenchmarkPublishLargeFile: 17,800
// diagnostics, 15 MB of JSON). What is kept is the last publication and a map of a few
// dozen bytes a diagnostic, where a copy of each diagnostic's JSON and of its key, kept
// apart, held the publication twice over.
func (p *publisher) encodeDiagnostics(key string, u uri.URI, version *int32, diags []protocol.Diagnostic) ([]byte, error) {
	shell, err := protocol.Marshal(publication(u, version, []protocol.Diagnostic{}))
	if err != nil {
		return nil, err
	}
	const empty = `"diagnostics":[]`
	at := bytes.LastIndex(shell, []byte(empty))
	if at < 0 {
		return nil, fmt.Errorf("no %s in %s", empty, shell)
	}
	at += len(empty) - 1
	last := p.encoded[key]
	if last == nil {
		last = &encodedFile{}
	}
	next := &encodedFile{at: make(map[diagnosticHash][2]int, len(diags))}
	// A new buffer each time, the size of the last: keeping the one before too, to write
	// into, held two publications of 15 MB, and the heap grows twice what it holds.
	out := make([]byte, 0, max(len(last.json)+len(last.json)/8, len(diags)*256))
	out = append(out, shell[:at]...)
	var kb []byte
	for i := range diags {
		d := &diags[i]
		if i > 0 {
			out = append(out, ',')
		}
		var ok bool
		kb, ok = diagnosticKey(kb[:0], d)
		if !ok {
			if out, err = protocol.AppendMarshal(out, d); err != nil {
				return nil, err
			}
			continue
		}
		h := diagnosticHash{maphash.Bytes(diagnosticSeeds[0], kb), maphash.Bytes(diagnosticSeeds[1], kb)}
		start := len(out)
		if was, ok := last.at[h]; ok {
			out = append(out, last.json[was[0]:was[1]]...)
			p.taken++
		} else if out, err = protocol.AppendMarshal(out, d); err != nil {
			return nil, err
		}
		next.at[h] = [2]int{start, len(out)}
	}
	out = append(out, shell[at:]...)
	next.json = out
	if p.encoded == nil {
		p.encoded = map[string]*encodedFile{}
	}
	p.encoded[key] = next
	return out, nil
}

// diagnosticKey appends to buf what a diagnostic made by server.diagnostic says, every field
// it sets, each string with its length: two diagnostics of the same key encode alike. It
// returns nil and false for a diagnostic that says more (tags, data, a code or a message
// of another kind), which is encoded every time.
func diagnosticKey(buf []byte, d *protocol.Diagnostic) ([]byte, bool) {
	code, ok1 := d.Code.(protocol.String)
	msg, ok2 := d.Message.(protocol.String)
	if !ok1 || !ok2 || d.Tags.Len() > 0 || len(d.Data) > 0 {
		return nil, false
	}
	str := func(s string) {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	rng := func(r protocol.Range) {
		for _, v := range [...]uint32{r.Start.Line, r.Start.Character, r.End.Line, r.End.Character} {
			buf = binary.AppendUvarint(buf, uint64(v))
		}
	}
	rng(d.Range)
	buf = binary.AppendUvarint(buf, uint64(d.Severity))
	str(string(code))
	str(string(d.CodeDescription.Href))
	if src, ok := d.Source.Get(); ok {
		buf = append(buf, 1)
		str(src)
	} else {
		buf = append(buf, 0)
	}
	str(string(msg))
	buf = binary.AppendUvarint(buf, uint64(len(d.RelatedInformation)))
	for _, r := range d.RelatedInformation {
		str(string(r.Location.URI))
		rng(r.Location.Range)
		str(r.Message)
	}
	return buf, true
}

// publication is the params of a publication of u's diagnostics, of a version when the
// editor holds the document open.
func publication(u uri.URI, version *int32, diags []protocol.Diagnostic) *protocol.PublishDiagnosticsParams {
	params := &protocol.PublishDiagnosticsParams{URI: u, Diagnostics: diags}
	if version != nil {
		params.Version = protocol.NewOptional(*version)
	}
	return params
}

// send sends a publication of u's diagnostics: params are a publication's, or their JSON
// (encodeDiagnostics).
func (p *publisher) send(u uri.URI, params any) {
	p.s.modelChanged()
	if p.s.pulled() {
		return // the client asks for them: textDocument/diagnostic
	}
	if err := p.s.conn.Notify(p.s.ctx, protocol.MethodTextDocumentPublishDiagnostics, params); err != nil {
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
func (s *server) diagnostic(pl *places, f model.Finding) protocol.Diagnostic {
	d := protocol.Diagnostic{
		Severity:        s.severity(f),
		Code:            protocol.String(f.ThreatID),
		CodeDescription: protocol.CodeDescription{Href: uri.URI(knowledge.DocURL(f.ThreatID))},
		Source:          protocol.NewOptional("threatls"),
		Message:         protocol.String(f.Message),
	}
	if p := pl.of(f.Span.File); p.m != nil {
		d.Range = p.m.rangeOf(int(f.Span.Start.Offset), int(f.Span.End.Offset))
	}
	for _, r := range f.Related {
		p := pl.of(r.Span.File)
		if p.m == nil {
			continue
		}
		d.RelatedInformation = append(d.RelatedInformation, protocol.DiagnosticRelatedInformation{
			Location: protocol.Location{URI: p.uri, Range: p.m.rangeOf(int(r.Span.Start.Offset), int(r.Span.End.Offset))},
			Message:  r.Message,
		})
	}
	return d
}

// places is what diagnostic looks up of each file the findings of one publication or request
// name: its URI and the mapper of its text in the snapshot (nil for a file it has not). Made
// for each finding, they cost a keystroke in a stream of 17,700 findings a fifth of its
// publication.
type places struct {
	s     *server
	snap  *engine.Snapshot
	files fileMap
	enc   encoding
	last  string
	at    place
	seen  map[string]place
}

type place struct {
	uri uri.URI
	m   *mapper
}

func (s *server) places(snap *engine.Snapshot, files fileMap, enc encoding) *places {
	return &places{s: s, snap: snap, files: files, enc: enc}
}

// of returns the place of file key.
func (pl *places) of(key string) place {
	if pl.seen != nil && key == pl.last {
		return pl.at
	}
	p, ok := pl.seen[key]
	if !ok {
		if file := pl.snap.File(key); file != nil {
			p = place{uri: pl.files.uri(key), m: pl.s.maps.get(key, file.Text, pl.enc)}
		}
		if pl.seen == nil {
			pl.seen = map[string]place{}
		}
		pl.seen[key] = p
	}
	pl.last, pl.at = key, p
	return p
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
