package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.uber.org/zap"
)

// The handler chain. Every message from the client goes through chain.handle, on the
// connection's read loop, in this order:
//
//  1. Panics: a panic anywhere below is recovered; a request answers InternalError, a
//     notification is logged, and the session goes on (jsonrpc2 alone would end it).
//  2. Whatever the state, $/cancelRequest (numeric or string id) cancels the named request's
//     context, and exit ends the session.
//  3. The lifecycle gate: before initialize, requests answer ServerNotInitialized; after
//     shutdown, InvalidRequest; notifications are dropped in both cases.
//  4. The route: unknown requests answer MethodNotFound, unknown notifications are logged
//     and ignored; known methods run where their route says (see routeKind).
//  5. Results: a notification never returns an error to jsonrpc2 (which would end the
//     session); a request's uncoded error becomes RequestFailed.
//
// Routes run in one of three places. Inline, on the read loop (initialize, shutdown), so that
// nothing is read before they answer. Ordered (document notifications): appended to an
// unbounded queue that one worker goroutine drains strictly in arrival order, with the
// server's lifetime context. Async (every other request): released from the read loop at
// once, so a slow request blocks nothing; it first waits until the worker has handled every
// notification that arrived before it (a hover after a didChange sees the change), then runs
// with a context that $/cancelRequest cancels; a cancelled request answers RequestCancelled.
type chain struct {
	ctx    context.Context
	s      *server
	log    *zap.Logger
	routes map[string]route
	q      *queue

	mu       sync.Mutex
	inflight map[jsonrpc2.ID]context.CancelFunc
	done     chan struct{} // closed when the worker has stopped
}

// routeKind says where a method runs.
type routeKind int

const (
	inline  routeKind = iota // on the read loop
	ordered                  // on the notification worker, in arrival order
	async                    // on a goroutine of its own
)

// route is how one method is handled. call decodes the params and runs the handler.
type route struct {
	kind   routeKind
	isCall bool
	call   func(ctx context.Context, params jsonrpc2.RawMessage) (any, error)
}

// requestFailed is the LSP's error code for a request that failed for a reason of its own.
const requestFailed jsonrpc2.Code = -32803

// extraMethod is a request handler added by tests.
type extraMethod func(ctx context.Context, params jsonrpc2.RawMessage) (any, error)

func newChain(ctx context.Context, s *server, log *zap.Logger, extra map[string]extraMethod) *chain {
	c := &chain{
		ctx:      ctx,
		s:        s,
		log:      log,
		routes:   s.routes(),
		q:        newQueue(),
		inflight: map[jsonrpc2.ID]context.CancelFunc{},
		done:     make(chan struct{}),
	}
	for method, h := range extra {
		c.routes[method] = route{kind: async, isCall: true, call: h}
	}
	go c.work()
	return c
}

// wait blocks until the worker has stopped (after the server's context is cancelled).
func (c *chain) wait() { <-c.done }

// handle is the jsonrpc2.Handler of the connection.
func (c *chain) handle(ctx context.Context, req *jsonrpc2.Request) (result any, err error) {
	isCall := req.IsCall()
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("handler panicked", zap.String("method", req.Method()), zap.Any("panic", r),
				zap.ByteString("stack", debug.Stack()))
			result, err = nil, nil
			if isCall {
				err = jsonrpc2.Errorf(jsonrpc2.InternalError, "internal error in %s: %v", req.Method(), r)
			}
		}
	}()

	method := req.Method()
	switch method {
	case protocol.MethodCancelRequest:
		c.cancel(req.Params())
		return nil, nil
	case protocol.MethodExit:
		c.s.exit()
		return nil, nil
	}

	switch c.s.lifecycle() {
	case uninitialized:
		if method != protocol.MethodInitialize {
			return c.refuse(req, jsonrpc2.NewError(jsonrpc2.ServerNotInitialized, "the server is not initialized"))
		}
	case running:
		if method == protocol.MethodInitialize {
			return c.refuse(req, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "the server is already initialized"))
		}
	case shutDown:
		return c.refuse(req, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "the server is shut down"))
	}

	r, ok := c.routes[method]
	if !ok || r.isCall != isCall {
		if isCall {
			return nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "method not found: %s", method)
		}
		c.log.Debug("ignoring notification", zap.String("method", method))
		return nil, nil
	}

	switch r.kind {
	case ordered:
		c.q.push(req.Clone())
		return nil, nil
	case async:
		return c.async(ctx, req, r)
	default:
		res, err := r.call(ctx, req.Params())
		return c.result(isCall, method, res, err)
	}
}

// refuse answers a request with err, or drops a notification.
func (c *chain) refuse(req *jsonrpc2.Request, err *jsonrpc2.Error) (any, error) {
	if req.IsCall() {
		return nil, err
	}
	c.log.Debug("dropping notification", zap.String("method", req.Method()), zap.String("reason", err.Message))
	return nil, nil
}

// async runs a request off the read loop, after the notifications that preceded it.
func (c *chain) async(ctx context.Context, req *jsonrpc2.Request, r route) (any, error) {
	after := c.q.pushed()
	id := req.ID()
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.mu.Lock()
	c.inflight[id] = cancel
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.inflight, id)
		c.mu.Unlock()
	}()
	jsonrpc2.Async(ctx) // from here on the read loop goes on without us

	t0 := time.Now()
	if err := c.q.waitFor(rctx, after); err != nil {
		return nil, protocol.ErrRequestCancelled
	}
	t1 := time.Now()
	res, err := r.call(rctx, req.Params())
	c.log.Debug("answered", zap.String("method", req.Method()), zap.Duration("waited", t1.Sub(t0)), zap.Duration("took", time.Since(t1)))
	if rctx.Err() != nil {
		return nil, protocol.ErrRequestCancelled
	}
	return c.result(true, req.Method(), res, err)
}

// result turns a handler's return into what jsonrpc2 sends: errors of requests get a code,
// errors of notifications are logged and swallowed.
func (c *chain) result(isCall bool, method string, res any, err error) (any, error) {
	if err == nil {
		if isNil(res) {
			return nil, nil
		}
		return res, nil
	}
	if !isCall {
		c.log.Warn("notification failed", zap.String("method", method), zap.Error(err))
		return nil, nil
	}
	c.log.Debug("request failed", zap.String("method", method), zap.Error(err))
	var wire *jsonrpc2.Error
	if errors.As(err, &wire) {
		return nil, err
	}
	return nil, jsonrpc2.NewError(requestFailed, err.Error())
}

// cancel handles $/cancelRequest: the id may be a number or a string.
func (c *chain) cancel(params jsonrpc2.RawMessage) {
	var p struct {
		ID json.RawMessage `json:"id"`
	}
	if err := json.Unmarshal(params, &p); err != nil {
		c.log.Debug("malformed $/cancelRequest", zap.Error(err))
		return
	}
	id := decodeID(p.ID)
	c.mu.Lock()
	cancel := c.inflight[id]
	c.mu.Unlock()
	if cancel != nil {
		c.log.Debug("cancelling request", zap.Any("id", p.ID))
		cancel()
	}
}

// work is the notification worker: it handles document notifications one at a time, in
// the order they arrived, with the server's context.
func (c *chain) work() {
	defer close(c.done)
	for {
		req, ok := c.q.pop(c.ctx)
		if !ok {
			return
		}
		c.runOrdered(req)
		c.q.finish()
	}
}

func (c *chain) runOrdered(req *jsonrpc2.Request) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("notification handler panicked", zap.String("method", req.Method()),
				zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))
		}
	}()
	res, err := c.routes[req.Method()].call(c.ctx, req.Params())
	_, _ = c.result(false, req.Method(), res, err)
}

// isNil reports whether v is nil or a nil pointer, map or slice… (typed nils marshal badly).
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// request makes the route of a request whose params decode into P.
func request[P any, R any](kind routeKind, f func(context.Context, *P) (R, error)) route {
	return route{kind: kind, isCall: true, call: func(ctx context.Context, raw jsonrpc2.RawMessage) (any, error) {
		var p P
		if err := decode(raw, &p); err != nil {
			return nil, err
		}
		return f(ctx, &p)
	}}
}

// checked makes r refuse params that check rejects, before they are decoded: a request gets
// InvalidParams, a notification is dropped and rejected is told why.
func checked(r route, check func([]byte) error, rejected func(error)) route {
	call := r.call
	r.call = func(ctx context.Context, raw jsonrpc2.RawMessage) (any, error) {
		if err := check(raw); err != nil {
			if !r.isCall && rejected != nil {
				rejected(err)
			}
			return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, fmt.Sprintf("invalid params: %v", err))
		}
		return call(ctx, raw)
	}
	return r
}

// notification makes the route of a notification whose params decode into P.
func notification[P any](kind routeKind, f func(context.Context, *P) error) route {
	return route{kind: kind, call: func(ctx context.Context, raw jsonrpc2.RawMessage) (any, error) {
		var p P
		if err := decode(raw, &p); err != nil {
			return nil, err
		}
		return nil, f(ctx, &p)
	}}
}

func decode(raw jsonrpc2.RawMessage, p any) error {
	if len(raw) == 0 {
		return nil
	}
	if err := protocol.Unmarshal(raw, p); err != nil {
		return jsonrpc2.NewError(jsonrpc2.InvalidParams, fmt.Sprintf("invalid params: %v", err))
	}
	return nil
}

// routes is the table of the methods the server handles, and how each runs.
func (s *server) routes() map[string]route {
	type none struct{}
	return map[string]route{
		protocol.MethodInitialize: request(inline, s.initialize),
		protocol.MethodShutdown: request(inline, func(context.Context, *none) (any, error) {
			s.shutdown()
			return nil, nil
		}),
		protocol.MethodInitialized: notification(ordered, func(ctx context.Context, _ *protocol.InitializedParams) error {
			s.initialized(ctx)
			return nil
		}),
		protocol.MethodTextDocumentDidOpen:             notification(ordered, s.didOpen),
		protocol.MethodTextDocumentDidChange:           checked(notification(ordered, s.didChange), changesHaveText, s.rejectedChange),
		protocol.MethodTextDocumentDidClose:            notification(ordered, s.didClose),
		protocol.MethodTextDocumentDidSave:             notification(ordered, s.didSave),
		protocol.MethodWorkspaceDidChangeWatchedFiles:  notification(ordered, s.didChangeWatchedFiles),
		protocol.MethodWorkspaceDidChangeConfiguration: notification(ordered, s.didChangeConfiguration),
		protocol.MethodTextDocumentHover:               request(async, s.hover),
		protocol.MethodTextDocumentCodeAction:          request(async, s.codeAction),
		protocol.MethodCodeActionResolve:               request(async, s.resolveCodeAction),
		// The model's features, one file each (codelens.go, inlayhint.go, symbols.go, …).
		protocol.MethodTextDocumentCodeLens:       request(async, s.codeLens),
		protocol.MethodTextDocumentInlayHint:      request(async, s.inlayHint),
		protocol.MethodTextDocumentDocumentSymbol: request(async, s.documentSymbol),
		protocol.MethodWorkspaceSymbol:            request(async, s.workspaceSymbol),
		protocol.MethodTextDocumentDefinition:     request(async, s.definition),
		protocol.MethodTextDocumentReferences:     request(async, s.references),
		protocol.MethodTextDocumentDocumentLink:   request(async, s.documentLink),
		protocol.MethodTextDocumentDiagnostic:     request(async, s.documentDiagnostic),
		protocol.MethodWorkspaceDiagnostic:        request(async, s.workspaceDiagnostic),
		protocol.MethodWorkspaceExecuteCommand:    request(async, s.executeCommand),
		methodModel:                               request(async, s.model),
		// folders.go
		protocol.MethodWorkspaceDidChangeWorkspaceFolders: notification(ordered, s.didChangeWorkspaceFolders),
	}
}

// queue is the unbounded FIFO of document notifications. Pushing never blocks the read loop.
// It counts what was pushed and what was finished, so that a request can wait for the
// notifications that arrived before it.
type queue struct {
	mu       sync.Mutex
	items    []*jsonrpc2.Request
	wake     chan struct{} // signalled on push
	in, out  uint64        // notifications pushed, finished
	progress chan struct{} // closed (and replaced) each time out grows
}

func newQueue() *queue {
	return &queue{wake: make(chan struct{}, 1), progress: make(chan struct{})}
}

func (q *queue) push(req *jsonrpc2.Request) {
	q.mu.Lock()
	q.items = append(q.items, req)
	q.in++
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// pushed returns how many notifications have been pushed so far.
func (q *queue) pushed() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.in
}

// pop waits for the next notification; it returns false when ctx is done.
func (q *queue) pop(ctx context.Context) (*jsonrpc2.Request, bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			req := q.items[0]
			q.items[0] = nil
			q.items = q.items[1:]
			q.mu.Unlock()
			return req, true
		}
		q.mu.Unlock()
		select {
		case <-q.wake:
		case <-ctx.Done():
			return nil, false
		}
	}
}

// finish records that the notification last popped has been handled.
func (q *queue) finish() {
	q.mu.Lock()
	q.out++
	close(q.progress)
	q.progress = make(chan struct{})
	q.mu.Unlock()
}

// waitFor waits until n notifications have been handled, or ctx is done.
func (q *queue) waitFor(ctx context.Context, n uint64) error {
	for {
		q.mu.Lock()
		if q.out >= n {
			q.mu.Unlock()
			return nil
		}
		ch := q.progress
		q.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
