// Package lsp is threatls's language server: it keeps an engine workspace in step with the
// editor's documents and shows the threat model where people edit — a diagnostic per finding,
// a hover that explains it, quick fixes that mitigate or accept it.
//
// It is the only package that speaks the protocol (go.lsp.dev/protocol and jsonrpc2). Layers,
// bottom-up:
//
//	stream.go      Content-Length framing that survives malformed input
//	chain.go       the handler chain: lifecycle gate, panics, cancellation, ordering
//	server.go      initialize / initialized / shutdown / exit, and the session state
//	textsync.go    didOpen / didChange / didClose / didSave → engine.Workspace
//	workspace.go   didChangeWatchedFiles / didChangeConfiguration, watcher registration
//	progress.go    the workspace scan, with work-done progress
//	diagnostics.go findings → published diagnostics, per file, only when they change
//	folders.go     workspace folders: an engine.Workspace each, documents routed by URI
//	settings.go    settings: initializationOptions, didChangeConfiguration, workspace/configuration
//	view.go        what a model feature reads: the snapshot of the folder holding a document
//	hover.go       textDocument/hover: knowledge.Library.Brief of the findings under the cursor
//	codeaction.go  textDocument/codeAction: engine fixes as quick fixes
//	codelens.go, inlayhint.go, symbols.go, definition.go, documentlink.go, pulldiagnostics.go,
//	command.go (workspace/executeCommand), model.go (threatls/model), capabilities.go
//	position.go    the one converter between byte offsets and LSP positions
//	uri.go         the one mapping between document URIs and engine file keys
//
// Handlers never share half-built state: each reads one immutable engine.Snapshot.
package lsp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"

	"github.com/threatls/threatls/engine"
)

// Serve runs the language server over in and out (stdio, for `threatls serve`) until the
// client sends exit, closes the stream, or ctx is cancelled. It returns nil after an orderly
// shutdown and exit, and an error otherwise. Logs go to log only: out is the protocol.
func Serve(ctx context.Context, in io.Reader, out io.Writer, eng *engine.Engine, log *zap.Logger) error {
	return serve(ctx, in, out, eng, log, nil, nil)
}

// hooks let tests reach into a session: the server once made, a pause before each update of
// the model.
type hooks struct {
	server       func(*server)
	beforeUpdate func()
	// betweenBatches runs between two batches of a publication of diagnostics.
	betweenBatches func()
}

// serve is Serve with extra request handlers, which tests use to add a slow method, and hooks.
func serve(ctx context.Context, in io.Reader, out io.Writer, eng *engine.Engine, log *zap.Logger, extra map[string]extraMethod, h *hooks) error {
	if log == nil {
		log = zap.NewNop()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	st := newStream(in, out, log)
	conn := jsonrpc2.NewConn(st, jsonrpc2.WithCodec(codec{}))
	s := newServer(ctx, eng, log, conn)
	if h != nil {
		s.beforeUpdate = h.beforeUpdate
		s.betweenBatches = h.betweenBatches
		if h.server != nil {
			h.server(s)
		}
	}
	ch := newChain(ctx, s, log, extra)
	conn.Go(ctx, ch.handle)

	var err error
	select {
	case <-s.exited:
		err = s.exitErr()
	case <-st.ended: // the client is gone, even if requests are still running
		err = s.closedErr(st.endErr)
	case <-conn.Done():
		err = s.closedErr(conn.Err())
	case <-ctx.Done():
		err = ctx.Err()
	}
	cancel()    // ends in-flight requests, the queue worker and the background scans
	ch.wait()   // the queue worker has stopped: nothing writes any more
	s.bg.Wait() // nor does any scan
	// Closing the connection waits for its read loop, which a read of stdin that the client
	// keeps open never lets go: after exit, wait a moment, then leave it behind (the process
	// ends when Serve returns).
	closed := make(chan error, 1)
	go func() { closed <- conn.Close() }()
	select {
	case cerr := <-closed:
		if cerr != nil {
			log.Debug("closing the connection", zap.Error(cerr))
		}
	case <-time.After(closeGrace):
		log.Debug("the client's stream is still open; leaving it")
	}
	return err
}

// closeGrace is how long Serve waits for the connection to close after exit.
const closeGrace = 500 * time.Millisecond

// lifecycle is where the session is in the LSP's initialize…exit sequence.
type lifecycle int

const (
	uninitialized lifecycle = iota
	running                 // initialize answered
	shutDown                // shutdown answered: only exit is expected now
)

// server holds the session: the connection to the client, what was negotiated, and the
// workspace. Its handlers read immutable snapshots; the mutable parts are behind mu.
type server struct {
	ctx    context.Context // the server's lifetime, for everything not tied to one request
	eng    *engine.Engine
	log    *zap.Logger
	conn   jsonrpc2.Conn
	client protocol.Client
	maps   *mappers
	bg     sync.WaitGroup // background scans

	progressSeq atomic.Int64 // numbers the progress tokens of the session

	mu       sync.Mutex
	state    lifecycle
	ws       *engine.Workspace // the first folder's
	files    fileMap
	folders  []*folder
	enc      encoding
	caps     clientCaps
	cfg      engine.Config
	prefs    prefs     // the user's settings, cfg among them
	ext      clientExt // the model features' client capabilities, the diagnostics mode
	refresh  refresher
	scanMu   sync.Mutex // serialises scans, so that the last configuration wins
	exitOnce sync.Once
	exited   chan struct{}
	exitCode int

	// beforeUpdate, set by tests, runs before each update of the model (see update).
	beforeUpdate func()
	// betweenBatches, set by tests, runs between two batches of a publication.
	betweenBatches func()
	updates        atomic.Int64 // models updated, for tests
	// busy counts the updates running (a model update and its publication).
	busy atomic.Int32
	// pause is how long the editor must leave the server idle before the first scan's
	// garbage is given back (returnMemory); memoryReturned, set by tests, runs then.
	pause          time.Duration
	memoryReturned func()

	ai aiSession // AI enrichment: settings, session, client abilities (ai.go)
}

// clientCaps is what the server uses of the client's capabilities.
type clientCaps struct {
	workDoneProgress bool // window/workDoneProgress/create and $/progress
	watchDynamic     bool // client/registerCapability for workspace/didChangeWatchedFiles
	relativePattern  bool
}

func newServer(ctx context.Context, eng *engine.Engine, log *zap.Logger, conn jsonrpc2.Conn) *server {
	s := &server{
		ctx:    ctx,
		eng:    eng,
		log:    log,
		conn:   conn,
		client: protocol.ClientDispatcher(conn),
		cfg:    engine.DefaultConfig(),
		exited: make(chan struct{}),
		pause:  time.Second,
	}
	s.maps = newMappers()
	return s
}

// session returns a consistent view of what handlers need: the workspace, the file mapping
// and the encoding. The workspace is nil before initialize.
func (s *server) session() (*engine.Workspace, fileMap, encoding) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ws, s.files, s.enc
}

func (s *server) lifecycle() lifecycle {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// initialize negotiates the position encoding, reads the workspace root and the initial
// settings, and creates the workspace. It runs on the read loop, so that nothing is read
// before it is answered.
func (s *server) initialize(ctx context.Context, p *protocol.InitializeParams) (*protocol.InitializeResult, error) {
	root := ""
	if folders, ok := p.WorkspaceFolders.Get(); ok && len(folders) > 0 {
		root = rootOf(folders[0].URI)
	}
	if root == "" && p.RootURI != nil {
		root = rootOf(*p.RootURI)
	}
	if path, ok := p.RootPath.Get(); root == "" && ok && path != "" {
		root = rootOf(uri.File(path))
	}

	enc := encUTF16
	var caps clientCaps
	c := p.Capabilities
	if c.General != nil {
		for _, k := range c.General.PositionEncodings {
			if k == protocol.PositionEncodingKindUTF8 {
				enc = encUTF8
				break
			}
			if k == protocol.PositionEncodingKindUTF16 {
				break // the client prefers UTF-16
			}
		}
	}
	if c.Window != nil && c.Window.WorkDoneProgress != nil {
		caps.workDoneProgress = *c.Window.WorkDoneProgress
	}
	if c.Workspace != nil && c.Workspace.DidChangeWatchedFiles != nil {
		w := c.Workspace.DidChangeWatchedFiles
		caps.watchDynamic = w.DynamicRegistration != nil && *w.DynamicRegistration
		caps.relativePattern = w.RelativePatternSupport != nil && *w.RelativePatternSupport
	}

	cfg := s.initSettings(p)

	s.mu.Lock()
	s.state = running
	s.files = fileMap{root: root}
	s.enc = enc
	s.caps = caps
	s.cfg = cfg
	s.folders = s.openFolders(p, root, cfg)
	s.ws = s.folders[0].ws
	s.mu.Unlock()
	s.setAIClient(p.Capabilities)
	s.configureAI(p.InitializationOptions)
	s.log.Info("initialized", zap.String("root", root), zap.String("client", p.ClientInfo.Name),
		zap.String("positionEncoding", string(enc.kind())))

	res := &protocol.InitializeResult{
		Capabilities: protocol.ServerCapabilities{
			PositionEncoding: enc.kind(),
			TextDocumentSync: &protocol.TextDocumentSyncOptions{
				OpenClose: ptr(true),
				Change:    ptr(protocol.TextDocumentSyncKindIncremental),
				Save:      &protocol.SaveOptions{IncludeText: ptr(false)},
			},
			HoverProvider: protocol.Boolean(true),
			CodeActionProvider: &protocol.CodeActionOptions{
				CodeActionKinds: []protocol.CodeActionKind{protocol.CodeActionKindQuickFix},
				ResolveProvider: ptr(true),
			},
			ExecuteCommandProvider: protocol.ExecuteCommandOptions{Commands: commands},
		},
		ServerInfo: protocol.ServerInfo{Name: "threatls", Version: protocol.NewOptional(buildVersion())},
	}
	s.modelCapabilities(&res.Capabilities)
	return res, nil
}

// initialized starts the workspace scan (and the file watcher registration) in the
// background: neither blocks a request or a document notification.
func (s *server) initialized(context.Context) {
	s.goBackground(func() {
		s.registerWatchers(s.ctx)
		run := s.startSettings(s.ctx)
		s.scan(s.ctx, "Scanning the workspace", s.folderList(), run)
	})
}

// update is a folder's updater: whenever its workspace changed, it brings the model up to
// date — once for every change staged meanwhile, however fast the editor sends them — and
// publishes the diagnostics of the new snapshot. Handlers never wait for it: they answer from
// the newest snapshot.
//
// An update that panics (a bug) is reported to the user, and the updater goes on: the
// workspace builds its model again from every file at the next update (engine's restart),
// which the updater starts at once, unless the update that failed was already such a retry
// (then the next change starts it).
func (s *server) update(ctx context.Context, f *folder) {
	retried := false
	for {
		select {
		case <-f.kick:
		case <-ctx.Done():
			return
		}
		if err := s.updateOnce(ctx, f); err != nil {
			s.internalError("updating the model of "+f.name, err)
			if !retried {
				f.wake()
			}
			retried = true
			continue
		}
		retried = false
	}
}

// updateOnce brings f's model up to date and publishes its diagnostics; it returns what an
// update that panicked panicked with.
func (s *server) updateOnce(ctx context.Context, f *folder) (err error) {
	s.busy.Add(1)
	defer s.busy.Add(-1)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v\n%s", r, debug.Stack())
		}
	}()
	if s.beforeUpdate != nil {
		s.beforeUpdate()
	}
	t0 := time.Now()
	snap := f.ws.Update()
	s.updates.Add(1)
	t1 := time.Now()
	f.diags.publish(ctx, snap)
	s.log.Debug("updated", zap.String("folder", f.name), zap.Duration("model", t1.Sub(t0)), zap.Duration("published", time.Since(t1)))
	return nil
}

// internalError logs a panic of the server's own work (a bug), with its stack, and tells the
// user what failed, in one line.
func (s *server) internalError(what string, err error) {
	s.log.Error("internal error", zap.String("while", what), zap.Error(err))
	first, _, _ := strings.Cut(err.Error(), "\n")
	msg := fmt.Sprintf("threatls: internal error while %s (%s). It tries again; the log has the details for a bug report.", what, first)
	if err := s.client.ShowMessage(s.ctx, &protocol.ShowMessageParams{Type: protocol.MessageTypeError, Message: msg}); err != nil {
		s.log.Debug("showing a message", zap.Error(err))
	}
}

// shutdown answers null; from now on only exit is expected.
func (s *server) shutdown() {
	s.mu.Lock()
	s.state = shutDown
	s.mu.Unlock()
	s.log.Info("shutdown")
}

// exit ends Serve: with success after shutdown, with an error otherwise (the LSP's exit
// codes 0 and 1).
func (s *server) exit() {
	s.exitOnce.Do(func() {
		s.mu.Lock()
		if s.state != shutDown {
			s.exitCode = 1
		}
		s.mu.Unlock()
		s.log.Info("exit", zap.Int("code", s.exitCode))
		close(s.exited)
	})
}

// ErrExitWithoutShutdown is Serve's error when the client sends exit before shutdown: the
// process then exits with 1, as the protocol says.
var ErrExitWithoutShutdown = errors.New("lsp: exit without shutdown")

var errExitWithoutShutdown = ErrExitWithoutShutdown

func (s *server) exitErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.exitCode != 0 {
		return errExitWithoutShutdown
	}
	return nil
}

// closedErr is Serve's error when the input ended (or failed) without exit.
func (s *server) closedErr(connErr error) error {
	if connErr != nil && !errors.Is(connErr, io.EOF) && !errors.Is(connErr, io.ErrClosedPipe) && !errors.Is(connErr, net.ErrClosed) {
		return fmt.Errorf("lsp: connection: %w", connErr)
	}
	if s.lifecycle() == shutDown {
		return nil
	}
	return errors.New("lsp: the client closed the connection without shutdown")
}

// goBackground runs f on a goroutine that Serve waits for, recovering a panic.
func (s *server) goBackground(f func()) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("background task panicked", zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))
			}
		}()
		f()
	}()
}

func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func ptr[T any](v T) *T { return &v }

// codec marshals payloads with the protocol package's union-aware encoding, as the stock
// connection does (its codec is not exported).
type codec struct{}

func (codec) Marshal(v any) ([]byte, error) {
	switch m := v.(type) {
	case jsonrpc2.RawMessage:
		if m == nil {
			return []byte("null"), nil
		}
		return m, nil
	case *jsonrpc2.RawMessage:
		if m == nil || *m == nil {
			return []byte("null"), nil
		}
		return *m, nil
	}
	b, err := protocol.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("lsp: marshal %T: %w", v, err)
	}
	return b, nil
}

func (codec) Unmarshal(data []byte, v any) error {
	if p, ok := v.(*jsonrpc2.RawMessage); ok {
		*p = append(jsonrpc2.RawMessage(nil), data...)
		return nil
	}
	if err := protocol.Unmarshal(data, v); err != nil {
		return fmt.Errorf("lsp: unmarshal %T: %w", v, err)
	}
	return nil
}
