package ai

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
	"go.uber.org/zap"

	"github.com/threatls/threatls/analyzers/all"
	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// fake is an OpenAI-compatible chat-completions server: every request is recorded, and
// handle (which the test sets) answers it. n counts the requests, from 1.
type fake struct {
	srv *httptest.Server

	mu       sync.Mutex
	bodies   [][]byte
	requests []*http.Request
	inflight int
	peak     int
	handle   func(w http.ResponseWriter, r *http.Request, n int)
}

func newFake(t testing.TB, handle func(w http.ResponseWriter, r *http.Request, n int)) *fake {
	t.Helper()
	f := &fake{handle: handle}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.bodies = append(f.bodies, body)
		f.requests = append(f.requests, r.Clone(context.Background()))
		n := len(f.bodies)
		f.inflight++
		f.peak = max(f.peak, f.inflight)
		h := f.handle
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			f.inflight--
			f.mu.Unlock()
		}()
		h(w, r, n)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.bodies)
}

// reply answers with a chat completion whose message is content.
func reply(w http.ResponseWriter, content string) {
	replyWith(w, openai.ChatCompletionChoice{Message: openai.ChatCompletionMessage{Role: "assistant", Content: content},
		FinishReason: openai.FinishReasonStop})
}

func replyWith(w http.ResponseWriter, c openai.ChatCompletionChoice) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(openai.ChatCompletionResponse{ID: "chatcmpl-test", Object: "chat.completion",
		Model: "test-model", Choices: []openai.ChatCompletionChoice{c},
		Usage: openai.Usage{PromptTokens: 100, CompletionTokens: 50, TotalTokens: 150}})
}

// answerJSON is the model's answer, as the prompt asks for it.
func answerJSON(explanation, fixed string, steps ...string) string {
	b, _ := json.Marshal(answer{Explanation: explanation, Steps: steps, FixedBlock: fixed})
	return string(b)
}

// testConfig points a session at the fake server, with a cache of its own.
func testConfig(t testing.TB, f *fake) Config {
	return Config{BaseURL: f.srv.URL + "/v1", Model: "test-model", Budget: 50, Concurrency: 2,
		Timeout: 5 * time.Second, MaxTokens: DefaultMaxTokens, CacheDir: filepath.Join(t.TempDir(), "cache"), key: "sk-test-key"}
}

func testEngine(t testing.TB) *engine.Engine {
	t.Helper()
	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return engine.New(lib, all.Analyzers(), nil)
}

// load scans dir (relative to the package) into a snapshot.
func load(t testing.TB, eng *engine.Engine, dir string) *engine.Snapshot {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := eng.Workspace(abs, engine.DefaultConfig()).Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// finding returns the one finding of threat id in file.
func finding(t *testing.T, snap *engine.Snapshot, id, file string) model.Finding {
	t.Helper()
	for _, f := range snap.Findings() {
		if f.ThreatID == id && f.Span.File == file {
			return f
		}
	}
	t.Fatalf("no %s finding in %s", id, file)
	return model.Finding{}
}

func engineWith(lib *knowledge.Library) *engine.Engine { return engine.New(lib, all.Analyzers(), nil) }

// TestMain runs the package's tests in a temporary directory of their own and fails the run
// when a scratch copy of a workspace (engine.Scratch, behind the verification of fixes) is
// left there: each session must be closed (testService), as the server and the command line
// close theirs.
func TestMain(m *testing.M) {
	tmp, err := os.MkdirTemp("", "threatls-ai-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("TMPDIR", tmp)
	code := m.Run()
	left, _ := filepath.Glob(filepath.Join(tmp, "threatls-whatif-*"))
	if len(left) > 0 && code == 0 {
		fmt.Fprintf(os.Stderr, "%d scratch copies of a workspace were left behind, e.g. %s\n", len(left), left[0])
		code = 1
	}
	os.RemoveAll(tmp)
	os.Exit(code)
}

// testService is New for a test: the session is closed when the test ends.
func testService(tb testing.TB, cfg Config, eng *engine.Engine, log *zap.Logger, opts ...Option) *Service {
	s := New(cfg, eng, log, opts...)
	tb.Cleanup(s.Close)
	return s
}
