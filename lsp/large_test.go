package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"

	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/engine/corpus"
)

// A hover and a light bulb read the findings at their place, not every finding of the file:
// in a stream of manifests with thousands of findings, each request made every one of them
// shown, a copy, before it looked where it was (8–15 ms of every hover in a 5 MB stream,
// waiting for a core while the model was updated). Inlay hints label the flows of the lines
// asked for, not every flow of the file. What a request allocates is held to a small part of
// what the file's findings and flows weigh.
func TestRequestsReadTheFindingsAtTheirPlace(t *testing.T) {
	root := t.TempDir()
	var src strings.Builder
	for i := range 300 {
		fmt.Fprintf(&src, "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api%03d\nspec:\n  selector: {matchLabels: {app: api%03d}}\n  template:\n    metadata: {labels: {app: api%03d}}\n    spec:\n      containers:\n        - name: api\n          image: shop/api:latest\n          env:\n            - name: DB_URL\n              value: postgres://db.example.com:5432/shop\n", i, i, i)
	}
	text := src.String()
	c, srv, u := openIdle(t, root, "all.yaml", text)
	findings := len(srv.ws.Latest().File("all.yaml").Findings)
	pub := c.waitDiagnostics(u, "the complete model's", func(p published) bool { return len(p.Diagnostics) == findings })
	if findings < 1000 {
		t.Fatalf("the stream has %d findings, want thousands", findings)
	}
	at := rangeOf(t, text, "name: api150").Start
	var diag protocol.Diagnostic
	for _, d := range pub.Diagnostics {
		if d.Range.Start.Line == at.Line+8 || d.Range.Start.Line == at.Line {
			diag = d
		}
	}
	// allocated returns the bytes the process allocates per call of request.
	allocated := func(request func()) uint64 {
		request() // warm: the mappers of the text
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		const n = 10
		for range n {
			request()
		}
		runtime.ReadMemStats(&after)
		return (after.TotalAlloc - before.TotalAlloc) / n
	}
	hover := allocated(func() {
		var h protocol.Hover
		if err := c.call(protocol.MethodTextDocumentHover, &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
			TextDocument: protocol.TextDocumentIdentifier{URI: u}, Position: at}}, &h); err != nil {
			t.Fatal(err)
		}
	})
	bulb := allocated(func() {
		var raw []json.RawMessage
		if err := c.call(protocol.MethodTextDocumentCodeAction, &protocol.CodeActionParams{TextDocument: protocol.TextDocumentIdentifier{URI: u},
			Range: diag.Range, Context: protocol.CodeActionContext{Diagnostics: []protocol.Diagnostic{diag}}}, &raw); err != nil {
			t.Fatal(err)
		}
		if len(raw) == 0 {
			t.Fatalf("no code action for %v at line %d", diag.Code, diag.Range.Start.Line)
		}
	})
	// The inlay hints of the lines an editor shows, among a flow per Deployment.
	shown := protocol.Range{Start: at, End: protocol.Position{Line: at.Line + 20}}
	hints := allocated(func() {
		var hs []protocol.InlayHint
		if err := c.call(protocol.MethodTextDocumentInlayHint, &protocol.InlayHintParams{TextDocument: protocol.TextDocumentIdentifier{URI: u},
			Range: shown}, &hs); err != nil {
			t.Fatal(err)
		}
		if len(hs) == 0 || len(hs) > 2 {
			t.Fatalf("%d inlay hints on 20 lines, want the flow of one or two Deployments", len(hs))
		}
	})
	t.Logf("%d findings: a hover allocates %d bytes, a light bulb %d, the inlay hints of 20 lines %d", findings, hover, bulb, hints)
	if raceDetector {
		return // what the race detector's instrumentation allocates is not what the server does
	}
	// A finding weighs some hundreds of bytes; a request that copies them all allocates that
	// many times their number; a flow's label, a few strings (275 KB for the 300 flows' labels).
	limit := uint64(64 * findings)
	if hover > limit {
		t.Errorf("a hover allocated %d bytes in a file of %d findings, want under %d", hover, findings, limit)
	}
	if bulb > limit {
		t.Errorf("a light bulb allocated %d bytes in a file of %d findings, want under %d", bulb, findings, limit)
	}
	if hints > 256*300 {
		t.Errorf("the inlay hints of 20 lines allocated %d bytes in a file of 300 flows, want under %d", hints, 256*300)
	}
}

// A keystroke's change indexes the lines around it, not the document's: the line index of
// the new text is made from the old one's. Each keystroke in a 5 MB document read the whole
// text to index it again (3.5 ms and 2 MB of garbage), on the path every document
// notification, and every request after one, waits for.
func TestKeystrokesIndexTheLinesTheyTouch(t *testing.T) {
	root := t.TempDir()
	var src strings.Builder
	src.WriteString("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: shop/api:latest\n")
	for i := range 20000 {
		fmt.Fprintf(&src, "# filler line %d of a large manifest\n", i)
	}
	text := src.String()
	c, _, u := openIdle(t, root, "big.yaml", text)
	at := rangeOf(t, text, "name: api\n").End
	at.Character-- // in the name, before its line's end
	const keystrokes = 10
	var before int64
	for i := range keystrokes + 1 {
		if i == 1 {
			// Counted from the second keystroke: the first one's publication is the first of
			// the complete model, which may come after the keystroke in a slow run and index
			// the text the model was read from (once in a CI run).
			before = indexed.Load()
		}
		version := int32(i + 2)
		pos := protocol.Position{Line: at.Line, Character: at.Character + uint32(i)}
		c.notify(protocol.MethodTextDocumentDidChange, &protocol.DidChangeTextDocumentParams{
			TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}, Version: version},
			ContentChanges: []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangePartial{Range: protocol.Range{Start: pos, End: pos}, Text: "x"}},
		})
		c.waitDiagnostics(u, fmt.Sprintf("version %d", version), func(p published) bool { v, ok := p.version(); return ok && v == version })
	}
	// Each keystroke indexed the document whole before.
	if n := indexed.Load() - before; n > 2*int64(len(text)) {
		t.Errorf("%d keystrokes in a %d-byte document indexed %d bytes of lines, want at most the document twice", keystrokes, len(text), n)
	}
}

// openIdle writes text as the YAML file rel of root, starts a server on root, opens the file
// in it and returns once the server is idle: the model complete, the diagnostics of the
// document's first version published, and nothing left to publish. What a test measures
// then is what its own requests cost.
func openIdle(t *testing.T, root, rel, text string) (*testClient, *server, uri.URI) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(root, rel), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var srv atomic.Pointer[server]
	c := startServerWith(t, nil, &hooks{server: func(s *server) { srv.Store(s) }})
	c.initialize(root, fullCapabilities())
	u := uri.File(filepath.Join(root, rel))
	c.notify(protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{
		URI: u, LanguageID: "yaml", Version: 1, Text: text}})
	c.waitFor("the complete model", func() bool { return srv.Load().ws.Latest().Complete() })
	c.waitDiagnostics(u, "version 1", func(p published) bool { v, ok := p.version(); return ok && v == 1 })
	// Polled apart from the client's lock (waitFor holds it): the publisher holds its own
	// while it writes to the client, whose reader takes the client's lock.
	for deadline := time.Now().Add(waitTimeout); !allPublished(srv.Load()); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the complete model's publication")
		}
	}
	return c, srv.Load(), u
}

// allPublished reports whether the server has published the complete model of each folder and
// has nothing left to publish: what it allocates then is what requests cost.
func allPublished(s *server) bool {
	for _, f := range s.folderList() {
		p := f.diags
		p.mu.Lock()
		done := p.complete && len(p.pending) == 0 && p.snap != nil && p.snap.Seq() == f.ws.Latest().Seq()
		p.mu.Unlock()
		if !done {
			return false
		}
	}
	return true
}

// BenchmarkPublishLargeFile: what one publication of the 5 MB stream of manifests costs
// whatever the engine does, since the protocol republishes a file's diagnostics whole: its
// findings made diagnostics in the server (build-ms), their JSON (json-MB, encode-ms), the
// same JSON after a keystroke, encoded from the last publication's (encoded-ms: what the
// server does for an open document, encodeDiagnostics), and a client's decoding of it into
// plain values (decode-ms, encoding/json's; an editor's parser is its own). The floor under
// the 5 MB keystroke through the protocol (`-bench PublishLargeFile -benchtime 5x ./lsp/`).
func BenchmarkPublishLargeFile(b *testing.B) {
	text, at := corpus.LargeManifest(1, 5<<20-64<<10)
	eng := testEngine(b)
	ws := eng.Workspace("", engine.DefaultConfig())
	const key = "cluster/all.yaml"
	snap, err := ws.Open(key, "yaml", 1, text)
	if err != nil {
		b.Fatal(err)
	}
	s := newServer(context.Background(), eng, zap.NewNop(), nil)
	files := fileMap{root: "/ws"}
	diagnostics := func(snap *engine.Snapshot) []protocol.Diagnostic {
		var diags []protocol.Diagnostic
		pl := s.places(snap, files, encUTF16)
		for _, f := range s.shown(snap.File(key).Findings) {
			diags = append(diags, s.diagnostic(pl, f))
		}
		return diags
	}
	// The publication before a keystroke, which the one after it is encoded from.
	p := newPublisher(s, nil)
	v1 := int32(1)
	if _, err := p.encodeDiagnostics(key, files.uri(key), &v1, diagnostics(snap)); err != nil {
		b.Fatal(err)
	}
	last := p.encoded[key]
	if snap, err = ws.Change(key, 2, []parse.Edit{{Start: at, End: at, Text: "x"}}); err != nil {
		b.Fatal(err)
	}
	findings := s.shown(snap.File(key).Findings)
	var build, encode, encoded, decode time.Duration
	size := 0
	for b.Loop() {
		t0 := time.Now()
		diags := make([]protocol.Diagnostic, 0, len(findings))
		pl := s.places(snap, files, encUTF16)
		for _, f := range findings {
			diags = append(diags, s.diagnostic(pl, f))
		}
		t1 := time.Now()
		raw, err := protocol.Marshal(&protocol.PublishDiagnosticsParams{URI: files.uri(key), Version: protocol.NewOptional(int32(2)), Diagnostics: diags})
		if err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		p.encoded[key] = last
		v2 := int32(2)
		again, err := p.encodeDiagnostics(key, files.uri(key), &v2, diags)
		if err != nil || !bytes.Equal(again, raw) {
			b.Fatalf("the publication encoded from the last one is not its encoding (%v)", err)
		}
		t3 := time.Now()
		// As an editor's JSON parser reads it: into plain values.
		var back struct {
			Diagnostics []any `json:"diagnostics"`
		}
		if err := json.Unmarshal(raw, &back); err != nil || len(back.Diagnostics) != len(diags) {
			b.Fatalf("decoding %d diagnostics: %d back, %v", len(diags), len(back.Diagnostics), err)
		}
		build, encode, encoded, decode, size = build+t1.Sub(t0), encode+t2.Sub(t1), encoded+t3.Sub(t2), decode+time.Since(t3), len(raw)
	}
	n := float64(b.N)
	b.ReportMetric(ms(build)/n, "build-ms")
	b.ReportMetric(ms(encode)/n, "encode-ms")
	b.ReportMetric(ms(encoded)/n, "encoded-ms")
	b.ReportMetric(ms(decode)/n, "decode-ms")
	b.ReportMetric(float64(size)/1e6, "json-MB")
	b.Logf("%d diagnostics: %.1f MB of JSON; made %.1f ms, encoded %.1f ms (%.1f ms from the last publication's), decoded %.1f ms a publication",
		len(findings), float64(size)/1e6, ms(build)/n, ms(encode)/n, ms(encoded)/n, ms(decode)/n)
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// TestPublishedAfterKeystrokesIsTheModel types into an open stream of manifests whose
// publications are encoded from the last one's (encodeDiagnostics) and checks that what the
// editor gets after each keystroke is the diagnostics of the model of that version: names
// typed into change the messages of their Deployment's findings, line breaks move the
// findings after them.
func TestPublishedAfterKeystrokesIsTheModel(t *testing.T) {
	root := t.TempDir()
	var src strings.Builder
	for i := range 60 {
		fmt.Fprintf(&src, "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api%03d\nspec:\n  selector: {matchLabels: {app: api%03d}}\n  template:\n    metadata: {labels: {app: api%03d}}\n    spec:\n      containers:\n        - name: api\n          image: shop/api:latest\n", i, i, i)
	}
	text := src.String()
	c, srv, u := openIdle(t, root, "all.yaml", text)
	if n := len(srv.ws.Latest().File("all.yaml").Findings); n < encodedFrom {
		t.Fatalf("the stream has %d findings, want at least %d", n, encodedFrom)
	}
	at := rangeOf(t, text, "name: api030").End
	for i, typed := range []string{"x", "y", "\n", "\n  ", "z"} {
		version := int32(i + 2)
		c.notify(protocol.MethodTextDocumentDidChange, &protocol.DidChangeTextDocumentParams{
			TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}, Version: version},
			ContentChanges: []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangePartial{Range: protocol.Range{Start: at, End: at}, Text: typed}},
		})
		if typed == "\n" || typed == "\n  " {
			at = protocol.Position{Line: at.Line + 1, Character: uint32(len(typed) - 1)}
		} else {
			at.Character++
		}
		got := c.waitDiagnostics(u, fmt.Sprintf("version %d", version), func(p published) bool { v, ok := p.version(); return ok && v == version })
		snap := srv.ws.Latest()
		file := snap.File("all.yaml")
		if file == nil || file.Version != version {
			t.Fatalf("version %d published, the model is of another", version)
		}
		_, _, enc := srv.session()
		var want []protocol.Diagnostic
		pl := srv.places(snap, srv.folderList()[0].files, enc)
		for _, f := range srv.shown(file.Findings) {
			want = append(want, srv.diagnostic(pl, f))
		}
		gotJSON, _ := protocol.Marshal(got.Diagnostics)
		wantJSON, _ := protocol.Marshal(want)
		if !bytes.Equal(gotJSON, wantJSON) {
			t.Fatalf("version %d: the editor got %d diagnostics that are not the model's %d", version, len(got.Diagnostics), len(want))
		}
	}
	p := srv.folderList()[0].diags
	p.mu.Lock()
	taken := p.taken
	p.mu.Unlock()
	if taken == 0 {
		t.Fatal("no diagnostic was taken from a last publication: the test no longer exercises encodeDiagnostics")
	}
}
