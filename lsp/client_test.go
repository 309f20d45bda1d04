package lsp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/threatls/threatls/analyzers/all"
	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/knowledge"
)

// The test client: a real jsonrpc2 connection over net.Pipe to a server run by serve, in
// process. It records every notification and response it reads (including responses to raw
// frames written by hand, which the connection itself would drop), answers the server's
// requests with null, and can write raw bytes between frames.

const waitTimeout = 10 * time.Second

type testClient struct {
	t      *testing.T
	conn   jsonrpc2.Conn
	pipe   *lockedConn
	served chan error

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced when something is recorded
	notes    []note        // notifications from the server, in order
	resps    []*jsonrpc2.Response
	requests []note // requests from the server

	// answer answers the server's requests (ok false: null), under mu.
	answer func(method string, params []byte) (any, bool)
}

type note struct {
	method string
	params []byte
}

// lockedConn serialises writes, so that raw frames never interleave with the connection's.
type lockedConn struct {
	net.Conn
	mu sync.Mutex
}

func (c *lockedConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Conn.Write(b)
}

// recordingStream shows the client every message read, before the connection sees it.
type recordingStream struct {
	jsonrpc2.Stream
	c *testClient
}

func (r recordingStream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	msg, n, err := r.Stream.Read(ctx)
	switch m := msg.(type) {
	case *jsonrpc2.Response:
		r.c.record(func() { r.c.resps = append(r.c.resps, m) })
	case *jsonrpc2.Notification:
		nt := note{method: strings.Clone(m.Method()), params: append([]byte(nil), m.Params()...)}
		r.c.record(func() { r.c.notes = append(r.c.notes, nt) })
	case *jsonrpc2.Call:
		nt := note{method: strings.Clone(m.Method()), params: append([]byte(nil), m.Params()...)}
		r.c.record(func() { r.c.requests = append(r.c.requests, nt) })
	}
	return msg, n, err
}

func (c *testClient) record(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f()
	close(c.changed)
	c.changed = make(chan struct{})
}

// testEngine is the real engine: the built-in library and every analyzer.
func testEngine(t testing.TB) *engine.Engine {
	t.Helper()
	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatalf("threat library: %v", err)
	}
	return engine.New(lib, all.Analyzers(), zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)))
}

// startServer runs a server and connects a client to it, without initializing.
func startServer(t *testing.T, extra map[string]extraMethod) *testClient {
	t.Helper()
	return startServerWith(t, extra, nil)
}

func startServerWith(t *testing.T, extra map[string]extraMethod, h *hooks) *testClient {
	t.Helper()
	srv, cli := net.Pipe()
	c := &testClient{t: t, pipe: &lockedConn{Conn: cli}, served: make(chan error, 1), changed: make(chan struct{})}
	log := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	eng := testEngine(t)
	go func() { c.served <- serve(context.Background(), srv, srv, eng, log, extra, h) }()
	c.conn = jsonrpc2.NewConn(recordingStream{jsonrpc2.NewHeaderStream(c.pipe), c}, jsonrpc2.WithCodec(codec{}))
	c.conn.Go(context.Background(), func(ctx context.Context, req *jsonrpc2.Request) (any, error) {
		c.mu.Lock()
		answer := c.answer
		c.mu.Unlock()
		if answer != nil {
			if res, ok := answer(req.Method(), req.Params()); ok {
				return res, nil
			}
		}
		return nil, nil // the server's requests (progress tokens, registrations) are accepted
	})
	t.Cleanup(func() {
		c.pipe.Close()
		select {
		case <-c.served:
		case <-time.After(waitTimeout):
			t.Error("the server did not stop after the client closed the connection")
		}
		c.conn.Close()
	})
	return c
}

// capabilities are those of a client that supports everything the server can use.
func fullCapabilities() protocol.ClientCapabilities {
	yes := true
	return protocol.ClientCapabilities{
		Window:    &protocol.WindowClientCapabilities{WorkDoneProgress: &yes},
		Workspace: &protocol.WorkspaceClientCapabilities{DidChangeWatchedFiles: &protocol.DidChangeWatchedFilesClientCapabilities{DynamicRegistration: &yes}},
		General:   &protocol.GeneralClientCapabilities{PositionEncodings: []protocol.PositionEncodingKind{protocol.PositionEncodingKindUTF16}},
	}
}

// initialize sends initialize (for root, "" for none) and initialized.
func (c *testClient) initialize(root string, caps protocol.ClientCapabilities) *protocol.InitializeResult {
	c.t.Helper()
	params := &protocol.InitializeParams{Capabilities: caps}
	if root != "" {
		u := uri.File(root)
		params.RootURI = &u
	}
	var res protocol.InitializeResult
	if err := c.call(protocol.MethodInitialize, params, &res); err != nil {
		c.t.Fatalf("initialize: %v", err)
	}
	c.notify(protocol.MethodInitialized, &protocol.InitializedParams{})
	return &res
}

// initializeWith sends initialize with params as they are, then initialized.
func (c *testClient) initializeWith(params *protocol.InitializeParams) *protocol.InitializeResult {
	c.t.Helper()
	var res protocol.InitializeResult
	if err := c.call(protocol.MethodInitialize, params, &res); err != nil {
		c.t.Fatalf("initialize: %v", err)
	}
	c.notify(protocol.MethodInitialized, &protocol.InitializedParams{})
	return &res
}

func (c *testClient) call(method string, params, result any) error {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	_, err := c.conn.Call(ctx, method, params, result)
	return err
}

func (c *testClient) notify(method string, params any) {
	c.t.Helper()
	if err := c.conn.Notify(context.Background(), method, params); err != nil {
		c.t.Fatalf("notify %s: %v", method, err)
	}
}

// raw writes bytes as they are, framing or not.
func (c *testClient) raw(s string) {
	c.t.Helper()
	if _, err := c.pipe.Write([]byte(s)); err != nil {
		c.t.Fatalf("raw write: %v", err)
	}
}

// frame writes body with a correct Content-Length.
func (c *testClient) frame(body string) {
	c.t.Helper()
	c.raw(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body))
}

// waitFor waits until cond, evaluated on the recorded messages, holds.
func (c *testClient) waitFor(what string, cond func() bool) {
	c.t.Helper()
	deadline := time.After(waitTimeout)
	for {
		c.mu.Lock()
		ok := cond()
		ch := c.changed
		c.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			c.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// response waits for the response to the raw request with the given id.
func (c *testClient) response(id jsonrpc2.ID) *jsonrpc2.Response {
	c.t.Helper()
	var got *jsonrpc2.Response
	c.waitFor(fmt.Sprintf("the response to %v", id), func() bool {
		for _, r := range c.resps {
			if r.ID() == id {
				got = r
				return true
			}
		}
		return false
	})
	return got
}

// errorCode returns the code of a response's error, or 0.
func errorCode(err error) jsonrpc2.Code {
	var e *jsonrpc2.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// published is one publishDiagnostics, decoded, with its raw params.
type published struct {
	protocol.PublishDiagnosticsParams
	raw string
}

func (p published) version() (int32, bool) { return p.Version.Get() }

// diagnostics returns every publishDiagnostics received so far for u. The caller holds c.mu.
func (c *testClient) diagnosticsLocked(u uri.URI) []published {
	var out []published
	for _, n := range c.notes {
		if n.method != protocol.MethodTextDocumentPublishDiagnostics {
			continue
		}
		var p protocol.PublishDiagnosticsParams
		if err := protocol.Unmarshal(n.params, &p); err != nil {
			c.t.Errorf("publishDiagnostics does not decode: %v\n%s", err, n.params)
			continue
		}
		if p.URI == u {
			out = append(out, published{p, string(n.params)})
		}
	}
	return out
}

// waitDiagnostics waits for a publishDiagnostics of u that satisfies cond, and returns it.
func (c *testClient) waitDiagnostics(u uri.URI, what string, cond func(published) bool) published {
	c.t.Helper()
	var got published
	c.waitFor("diagnostics of "+string(u)+" "+what, func() bool {
		ds := c.diagnosticsLocked(u)
		for i := len(ds) - 1; i >= 0; i-- {
			if cond(ds[i]) {
				got = ds[i]
				return true
			}
		}
		return false
	})
	return got
}

// codes returns the codes of diagnostics, in order.
func codes(ds []protocol.Diagnostic) []string {
	var out []string
	for _, d := range ds {
		if s, ok := d.Code.(protocol.String); ok {
			out = append(out, string(s))
		} else {
			out = append(out, fmt.Sprint(d.Code))
		}
	}
	return out
}

func hasCode(ds []protocol.Diagnostic, code string) bool {
	for _, c := range codes(ds) {
		if c == code {
			return true
		}
	}
	return false
}

func countCode(ds []protocol.Diagnostic, code string) int {
	n := 0
	for _, c := range codes(ds) {
		if c == code {
			n++
		}
	}
	return n
}

func diagnosticWithCode(t *testing.T, ds []protocol.Diagnostic, code string) protocol.Diagnostic {
	t.Helper()
	for _, d := range ds {
		if s, ok := d.Code.(protocol.String); ok && string(s) == code {
			return d
		}
	}
	t.Fatalf("no diagnostic %s among %v", code, codes(ds))
	return protocol.Diagnostic{}
}

// The test's own position oracle, independent of position.go: UTF-16 units of the text
// before an offset, counted by encoding it.

func oraclePosition(text string, off int) protocol.Position {
	line := strings.Count(text[:off], "\n")
	start := strings.LastIndex(text[:off], "\n") + 1
	return protocol.Position{Line: uint32(line), Character: uint32(len(utf16.Encode([]rune(text[start:off]))))}
}

func oracleOffset(text string, p protocol.Position) int {
	off := 0
	for i := uint32(0); i < p.Line; i++ {
		off += strings.Index(text[off:], "\n") + 1
	}
	units := 0
	for i, r := range text[off:] {
		if units >= int(p.Character) {
			return off + i
		}
		units += len(utf16.Encode([]rune{r}))
	}
	return len(text)
}

// rangeOf finds the first match of re in text and returns its LSP range.
func rangeOf(t *testing.T, text, re string) protocol.Range {
	t.Helper()
	loc := regexp.MustCompile(re).FindStringIndex(text)
	if loc == nil {
		t.Fatalf("%q not found in the text", re)
	}
	return protocol.Range{Start: oraclePosition(text, loc[0]), End: oraclePosition(text, loc[1])}
}

// applyEdits applies LSP text edits to text, client-side, as an editor does.
func applyEdits(text string, edits []protocol.TextEdit) string {
	type span struct {
		start, end int
		text       string
	}
	var spans []span
	for _, e := range edits {
		spans = append(spans, span{oracleOffset(text, e.Range.Start), oracleOffset(text, e.Range.End), e.NewText})
	}
	for i := len(spans) - 1; i >= 0; i-- { // non-overlapping; apply from the last
		s := spans[i]
		text = text[:s.start] + s.text + text[s.end:]
	}
	return text
}

// copyWorkspace copies testdata/<name> to a temporary directory and returns its path.
func copyWorkspace(t *testing.T, name string) string {
	t.Helper()
	dst := t.TempDir()
	src := filepath.Join("testdata", name)
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	// Resolve symlinks (macOS's /var → /private/var) so that URIs round-trip.
	if real, err := filepath.EvalSymlinks(dst); err == nil {
		dst = real
	}
	return dst
}

// shutdown ends the session properly and checks that Serve returns nil.
func (c *testClient) shutdown() {
	c.t.Helper()
	if err := c.call(protocol.MethodShutdown, nil, nil); err != nil {
		c.t.Fatalf("shutdown: %v", err)
	}
	c.notify(protocol.MethodExit, nil)
	select {
	case err := <-c.served:
		if err != nil {
			c.t.Errorf("Serve after shutdown and exit = %v, want nil", err)
		}
		c.served <- err // for the cleanup
	case <-time.After(waitTimeout):
		c.t.Fatal("Serve did not return after exit")
	}
}

var _ io.Writer = (*lockedConn)(nil)
