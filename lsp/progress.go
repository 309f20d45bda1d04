package lsp

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/threatls/threatls/analyzers/parse"
)

// scan runs a scan of each of folders (a Load by default) in the caller's goroutine — a
// background one — reporting work-done progress when the client supports it, then publishes
// the diagnostics of every file whose findings changed. Scans run one at a time.
func (s *server) scan(ctx context.Context, title string, folders []*folder, run func(f *folder, report func(done, total int)) error) {
	s.scanMu.Lock()
	defer s.scanMu.Unlock()
	if run == nil {
		run = func(f *folder, report func(done, total int)) error {
			_, err := f.ws.Load(ctx, report)
			return err
		}
	}
	for _, f := range folders {
		start := time.Now()
		p := s.beginProgress(ctx, title)
		err := s.runScan(f, p.report, run)
		// The scan's garbage is collected before the editor's keystrokes meet it. Left to the
		// runtime, a collection ran as the load ended, while the last batches' garbage was still
		// live: it set the next one to start after a few megabytes, and that one — a second's
		// marking of a 20,000-file heap — fell on the first keystrokes after the load
		// (keystroke → diagnostics p99 140–208 ms there; 39 ms so).
		runtime.GC()
		snap := f.ws.Latest()
		msg := fmt.Sprintf("%d files", snap.Len())
		if err != nil {
			s.log.Warn("scan", zap.String("title", title), zap.String("folder", f.name), zap.Error(err))
			msg = "stopped: " + err.Error()
		}
		p.end(msg)
		s.log.Info("scanned", zap.String("title", title), zap.String("folder", f.name), zap.Int("files", snap.Len()),
			zap.Duration("took", time.Since(start)))
		f.wake()
	}
	go s.returnMemory(ctx)
}

// runScan runs one folder's scan. A scan that panicked (a bug) is reported to the user and
// ends as one that stopped: the workspace is left for its next update to build whole (the
// engine's restart), which the scan's end starts.
func (s *server) runScan(f *folder, report func(done, total int), run func(f *folder, report func(done, total int)) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v\n%s", r, debug.Stack())
			s.internalError("scanning "+f.name, err)
			first, _, _ := strings.Cut(err.Error(), "\n")
			err = errors.New("internal error: " + first)
		}
	}()
	return run(f, report)
}

// returnMemory gives the garbage of a scan back to the system once the editor pauses:
// reading a workspace makes much of it (each file's syntax before it is linked, and let go
// after; each file's tree, in C memory), and the runtime and the C allocator would keep the
// scan's peak for the rest of the session. Waiting for a second in which the server is idle
// (no update ended, none runs, no change waits) keeps the collection it takes off the
// keystrokes.
func (s *server) returnMemory(ctx context.Context) {
	last := s.updates.Load()
	for range 60 {
		select {
		case <-ctx.Done():
			return
		case <-time.After(s.pause):
		}
		// Idle: no update ended since the last look, none runs (one can take longer than
		// the pause), and no change waits for one.
		if n := s.updates.Load(); n != last || s.busy.Load() > 0 || s.changesWaiting() {
			last = n
			continue
		}
		debug.FreeOSMemory()
		parse.ReturnMemory() // the trees of the scan, closed: C memory the Go runtime does not see
		// What the heap holds then: live data, and the spans it is spread over (what stays
		// resident; their difference is what the scan's garbage left half-used).
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		s.log.Info("memory returned to the system", zap.Uint64("heap_live_mb", m.HeapAlloc>>20),
			zap.Uint64("heap_in_use_mb", m.HeapInuse>>20), zap.Uint64("released_mb", m.HeapReleased>>20))
		if s.memoryReturned != nil {
			s.memoryReturned()
		}
		return
	}
}

// changesWaiting reports whether a folder has changes staged that no update has taken yet.
func (s *server) changesWaiting() bool {
	return slices.ContainsFunc(s.folderList(), func(f *folder) bool { return f.ws.Pending() })
}

// progress is one work-done progress, created by the server. A nil progress reports nothing.
type progress struct {
	s     *server
	ctx   context.Context
	token protocol.ProgressToken

	mu      sync.Mutex
	percent uint32
	at      time.Time
}

// beginProgress creates a progress token and sends begin, or returns nil when the client
// does not support work-done progress or refuses the token.
func (s *server) beginProgress(ctx context.Context, title string) *progress {
	s.mu.Lock()
	supported := s.caps.workDoneProgress
	s.mu.Unlock()
	if !supported {
		return nil
	}
	token := protocol.String(fmt.Sprintf("threatls/progress/%d", s.progressSeq.Add(1)))
	if err := s.client.WorkDoneProgressCreate(ctx, &protocol.WorkDoneProgressCreateParams{Token: token}); err != nil {
		s.log.Debug("the client refused a progress token", zap.Error(err))
		return nil
	}
	p := &progress{s: s, ctx: ctx, token: token, at: time.Now()}
	p.send(&protocol.WorkDoneProgressBegin{Kind: "begin", Title: title, Percentage: ptr(uint32(0))})
	return p
}

// report sends how far the work is, at most every 100 ms and only when the percentage moved.
func (p *progress) report(done, total int) {
	if p == nil || total <= 0 {
		return
	}
	pct := uint32(min(100, done*100/total))
	p.mu.Lock()
	if pct == p.percent || (time.Since(p.at) < 100*time.Millisecond && done < total) {
		p.mu.Unlock()
		return
	}
	p.percent, p.at = pct, time.Now()
	p.mu.Unlock()
	msg := fmt.Sprintf("%d/%d files", done, total)
	p.send(&protocol.WorkDoneProgressReport{Kind: "report", Message: &msg, Percentage: &pct})
}

// end sends end with a final message.
func (p *progress) end(msg string) {
	if p == nil {
		return
	}
	p.send(&protocol.WorkDoneProgressEnd{Kind: "end", Message: &msg})
}

func (p *progress) send(value any) {
	raw, err := protocol.Marshal(value)
	if err != nil {
		p.s.log.Error("encoding progress", zap.Error(err))
		return
	}
	// The server's context, not the scan's: the end of a cancelled scan is still reported.
	if err := p.s.client.Progress(p.s.ctx, &protocol.ProgressParams{Token: p.token, Value: protocol.LSPAny(raw)}); err != nil {
		p.s.log.Debug("sending progress", zap.Error(err))
	}
}
