package ai

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/model"
)

// rdsFixture is the workspace of testdata/ws and its AWS-RDS-002 finding (storage not
// encrypted), with the block the model is shown.
type rdsFixture struct {
	eng   *engine.Engine
	snap  *engine.Snapshot
	f     model.Finding
	block string
}

func newRDS(t *testing.T) rdsFixture {
	t.Helper()
	eng := testEngine(t)
	snap := load(t, eng, "testdata/ws")
	f := finding(t, snap, "AWS-RDS-002", "db.tf")
	req, err := BuildRequest(eng, snap, f, Config{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if req.Block == nil {
		t.Fatal("no block for the RDS finding")
	}
	return rdsFixture{eng, snap, f, string(snap.File("db.tf").Text[req.Block.Start:req.Block.End])}
}

func TestEnrichVerifiedFixThenCacheHit(t *testing.T) {
	x := newRDS(t)
	fixed := strings.Replace(x.block, "storage_encrypted   = false", "storage_encrypted   = true", 1)
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, "```json\n"+answerJSON("The orders database keeps its data unencrypted.", fixed,
			"Set storage_encrypted = true on aws_db_instance.orders in db.tf.")+"\n```")
	})
	s := testService(t, testConfig(t, srv), x.eng, nil)
	e := s.Enrich(context.Background(), x.snap, engine.DefaultConfig(), x.f)
	if e.Error != "" {
		t.Fatalf("enrichment failed: %s", e.Error)
	}
	if e.Cached || !strings.Contains(e.Text, "unencrypted") || !strings.Contains(e.Text, "1. Set storage_encrypted") {
		t.Errorf("enrichment = %+v", e)
	}
	if e.Fix == nil || !e.Fix.Verified || e.Fix.Edit == nil {
		t.Fatalf("fix = %+v, want verified", e.Fix)
	}
	after, err := engine.ApplyEdits(x.snap.File("db.tf").Text, []model.TextEdit{*e.Fix.Edit})
	if err != nil || !strings.Contains(string(after), "storage_encrypted   = true") || strings.Contains(string(after), "= false\n  publicly") {
		t.Errorf("applying the verified edit gives:\n%s (%v)", after, err)
	}
	if !strings.Contains(e.Fix.Diff, "-  storage_encrypted   = false\n+  storage_encrypted   = true\n") {
		t.Errorf("diff:\n%s", e.Fix.Diff)
	}
	if srv.count() != 1 {
		t.Fatalf("%d requests, want 1", srv.count())
	}
	// The request is the chat-completions call, with the key and the model.
	r := srv.requests[0]
	if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer sk-test-key" {
		t.Errorf("request %s %s, Authorization %q", r.Method, r.URL.Path, r.Header.Get("Authorization"))
	}
	var sent openai.ChatCompletionRequest
	if err := json.Unmarshal(srv.bodies[0], &sent); err != nil || sent.Model != "test-model" || len(sent.Messages) != 2 {
		t.Errorf("request body: %v %+v", err, sent)
	}

	// Asked again: the answer comes from the disk cache, the server sees nothing, and the
	// fix is verified again against the workspace as it is.
	start := time.Now()
	e2 := s.Enrich(context.Background(), x.snap, engine.DefaultConfig(), x.f)
	t.Logf("cache hit, fix re-verified: %v", time.Since(start))
	if !e2.Cached || e2.Text != e.Text || e2.Fix == nil || !e2.Fix.Verified {
		t.Errorf("second enrichment = %+v", e2)
	}
	if srv.count() != 1 {
		t.Errorf("%d requests after a cache hit, want 1", srv.count())
	}
	// Another session (a new process) reads the same cache.
	s2 := testService(t, testConfig(t, srv), x.eng, nil)
	s2.cache = s.cache
	if e3 := s2.Enrich(context.Background(), x.snap, engine.DefaultConfig(), x.f); !e3.Cached {
		t.Errorf("a new session missed the disk cache: %+v", e3)
	}
	// A changed block makes the cached answer stale: the same fingerprint, another request.
	text := strings.Replace(string(x.snap.File("db.tf").Text), "db.t3.micro", "db.t3.small", 1)
	changed, err := x.eng.WhatIf(context.Background(), x.snap, engine.DefaultConfig(), "db.tf", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	f2 := finding(t, changed, "AWS-RDS-002", "db.tf")
	if f2.Fingerprint != x.f.Fingerprint {
		t.Fatal("the fingerprint changed with the instance class")
	}
	if e4 := s.Enrich(context.Background(), changed, engine.DefaultConfig(), f2); e4.Cached || srv.count() != 2 {
		t.Errorf("an edited block was answered from the cache: %+v, %d requests", e4, srv.count())
	}
}

func TestEnrichProposedFixes(t *testing.T) {
	x := newRDS(t)
	for _, tc := range []struct {
		name, fixed, reason string
	}{
		{"breaks the file", strings.Replace(strings.Replace(x.block, "storage_encrypted   = false", "storage_encrypted   = true", 1), "}\n", "", 1),
			"no longer parses"},
		{"fixes it but opens a worse one", strings.Replace(strings.Replace(x.block, "storage_encrypted   = false", "storage_encrypted   = true", 1),
			"publicly_accessible = false", "publicly_accessible = true", 1), "opens AWS-RDS-001 (high)"},
		{"does not fix it", strings.Replace(x.block, "db.t3.micro", "db.t3.large", 1), "the finding is still there"},
		{"suppresses it", "# threatls:ignore AWS-RDS-002 not needed\n" + x.block, "suppresses the finding"},
		{"invents a secret", strings.Replace(x.block, "var.db_password", `"__REDACTED_7__"`, 1), "__REDACTED_7__"},
		{"changes nothing", x.block, "the block as it is"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
				reply(w, answerJSON("Encrypt the storage.", tc.fixed))
			})
			e := testService(t, testConfig(t, srv), x.eng, nil).Enrich(context.Background(), x.snap, engine.DefaultConfig(), x.f)
			if e.Error != "" || e.Text == "" {
				t.Fatalf("enrichment = %+v", e)
			}
			if e.Fix == nil || e.Fix.Verified || e.Fix.Edit != nil || !strings.Contains(e.Fix.Reason, tc.reason) {
				t.Fatalf("fix = %+v, want unverified because %q", e.Fix, tc.reason)
			}
			if md := e.Markdown(); !strings.Contains(md, "unverified") || !strings.Contains(md, tc.reason) {
				t.Errorf("the advice does not say it is unverified and why:\n%s", md)
			}
		})
	}
}

// TestEnrichFailures drives the real client through every way a request can fail: each
// gives a short note, no text and no fix, and the snapshot's findings are untouched.
func TestEnrichFailures(t *testing.T) {
	x := newRDS(t)
	before, _ := json.Marshal(x.snap.Findings())
	status := func(code int, body string) func(http.ResponseWriter, *http.Request, int) {
		return func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			w.Write([]byte(body))
		}
	}
	apiError := `{"error":{"message":"nope","type":"invalid_request_error"}}`
	for _, tc := range []struct {
		name     string
		handle   func(http.ResponseWriter, *http.Request, int)
		timeout  time.Duration
		want     string
		requests int
	}{
		{"401", status(401, `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}`), 0, "refused the credentials (HTTP 401)", 1},
		{"403", status(403, apiError), 0, "refused the credentials (HTTP 403)", 1},
		{"404 unknown model", status(404, apiError), 0, "HTTP 404", 1},
		{"400", status(400, apiError), 0, "rejected the request (HTTP 400): nope", 1},
		{"429 every time", func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Retry-After", "0")
			status(429, `{"error":{"message":"Rate limit reached","type":"requests"}}`)(w, r, n)
		}, 0, "rate limiting (HTTP 429)", maxAttempts},
		{"429 asking for an hour", func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Retry-After", "3600")
			status(429, apiError)(w, r, n)
		}, 0, "asks to wait 1h0m0s: not waiting", 1},
		{"500 every time", status(500, apiError), 0, "failed (HTTP 500)", maxAttempts},
		{"502 not JSON", status(502, "<html>Bad gateway</html>"), 0, "failed (HTTP 502)", maxAttempts},
		{"malformed JSON", status(200, `{"id": "x", "choices": [`), 0, "not valid JSON", 1},
		{"truncated JSON", func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"{\"explanation\": \"cut`))
		}, 0, "not valid JSON", 1},
		{"oversized", func(w http.ResponseWriter, r *http.Request, n int) {
			reply(w, answerJSON(strings.Repeat("very long ", 20000), ""))
		}, 0, "over 64 KiB", 1},
		{"explanation too long", func(w http.ResponseWriter, r *http.Request, n int) {
			reply(w, answerJSON(strings.Repeat("long ", 1500), ""))
		}, 0, "longer than asked", 1},
		{"not the JSON asked for", func(w http.ResponseWriter, r *http.Request, n int) {
			reply(w, "I think you should encrypt the database.")
		}, 0, "not the JSON object asked for", 1},
		{"cut at the token limit", func(w http.ResponseWriter, r *http.Request, n int) {
			replyWith(w, openai.ChatCompletionChoice{Message: openai.ChatCompletionMessage{Role: "assistant", Content: `{"explanation": "Encr`},
				FinishReason: openai.FinishReasonLength})
		}, 0, "cut off at the token limit", 1},
		{"refusal", func(w http.ResponseWriter, r *http.Request, n int) {
			replyWith(w, openai.ChatCompletionChoice{Message: openai.ChatCompletionMessage{Role: "assistant", Refusal: "I can't help with that."},
				FinishReason: openai.FinishReasonStop})
		}, 0, "declined", 1},
		{"content filter", func(w http.ResponseWriter, r *http.Request, n int) {
			replyWith(w, openai.ChatCompletionChoice{Message: openai.ChatCompletionMessage{Role: "assistant"},
				FinishReason: openai.FinishReasonContentFilter})
		}, 0, "content filter", 1},
		{"no choices", func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"id":"x","object":"chat.completion","choices":[]}`))
		}, 0, "no choices", 1},
		{"timeout", func(w http.ResponseWriter, r *http.Request, n int) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, 300 * time.Millisecond, "no answer within 300ms", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFake(t, tc.handle)
			cfg := testConfig(t, srv)
			if tc.timeout > 0 {
				cfg.Timeout = tc.timeout
			}
			s := testService(t, cfg, x.eng, nil, WithBackoff(time.Millisecond))
			e := s.Enrich(context.Background(), x.snap, engine.DefaultConfig(), x.f)
			if !strings.Contains(e.Error, tc.want) || e.Text != "" || e.Fix != nil {
				t.Errorf("enrichment = %+v, want the note %q", e, tc.want)
			}
			if srv.count() != tc.requests {
				t.Errorf("%d requests, want %d", srv.count(), tc.requests)
			}
			if md := e.Markdown(); !strings.Contains(md, "Not available: "+e.Error) {
				t.Errorf("markdown of a failure:\n%s", md)
			}
			// A failure is not cached: the next request asks again.
			if entries, _ := os.ReadDir(cfg.CacheDir); len(entries) > 0 {
				t.Errorf("a failure was cached: %d entries", len(entries))
			}
		})
	}
	after, _ := json.Marshal(x.snap.Findings())
	if string(before) != string(after) {
		t.Error("the findings changed")
	}
}

func TestEnrich429HonoursRetryAfter(t *testing.T) {
	x := newRDS(t)
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(429)
			w.Write([]byte(`{"error":{"message":"slow down","type":"requests"}}`))
			return
		}
		reply(w, answerJSON("Encrypt it.", ""))
	})
	// The backoff is an hour: only the Retry-After of one second can make this pass in time.
	s := testService(t, testConfig(t, srv), x.eng, nil, WithBackoff(time.Hour))
	start := time.Now()
	e := s.Enrich(context.Background(), x.snap, engine.DefaultConfig(), x.f)
	took := time.Since(start)
	if e.Error != "" || srv.count() != 2 {
		t.Fatalf("enrichment = %+v after %d requests", e, srv.count())
	}
	if took < time.Second {
		t.Errorf("retried after %v, before the Retry-After of 1s", took)
	}
}

func TestEnrich5xxBacksOff(t *testing.T) {
	x := newRDS(t)
	var times []time.Time
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		times = append(times, time.Now())
		if n < 3 {
			w.WriteHeader(503)
			return
		}
		reply(w, answerJSON("Encrypt it.", ""))
	})
	s := testService(t, testConfig(t, srv), x.eng, nil, WithBackoff(50*time.Millisecond))
	if e := s.Enrich(context.Background(), x.snap, engine.DefaultConfig(), x.f); e.Error != "" {
		t.Fatalf("enrichment = %+v", e)
	}
	if len(times) != 3 {
		t.Fatalf("%d attempts", len(times))
	}
	if d1, d2 := times[1].Sub(times[0]), times[2].Sub(times[1]); d1 < 50*time.Millisecond || d2 < 100*time.Millisecond {
		t.Errorf("waits %v then %v, want at least 50ms then 100ms (doubling)", d1, d2)
	}
}

func TestEnrichNoNetwork(t *testing.T) {
	x := newRDS(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there any more
	cfg := Config{BaseURL: "http://" + addr + "/v1", Model: "m", Budget: 5, Concurrency: 1, Timeout: 5 * time.Second,
		MaxTokens: 100, CacheDir: t.TempDir()}
	e := testService(t, cfg, x.eng, nil, WithBackoff(time.Millisecond)).Enrich(context.Background(), x.snap, engine.DefaultConfig(), x.f)
	if !strings.Contains(e.Error, "cannot be reached") {
		t.Errorf("enrichment = %+v", e)
	}
}

func TestEnrichCancelledMidRequest(t *testing.T) {
	x := newRDS(t)
	arrived, gone := make(chan struct{}), make(chan struct{})
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		close(arrived)
		<-r.Context().Done() // the client hung up
		close(gone)
	})
	s := testService(t, testConfig(t, srv), x.eng, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Enrichment)
	go func() { done <- s.Enrich(ctx, x.snap, engine.DefaultConfig(), x.f) }()
	<-arrived
	start := time.Now()
	cancel()
	select {
	case e := <-done:
		if e.Error != "cancelled" {
			t.Errorf("enrichment = %+v", e)
		}
		t.Logf("returned %v after the cancellation", time.Since(start))
	case <-time.After(3 * time.Second):
		t.Fatal("Enrich did not return after its context was cancelled")
	}
	select {
	case <-gone:
	case <-time.After(3 * time.Second):
		t.Error("the request was not aborted on the server's side")
	}
}

func TestBudgetAndConcurrency(t *testing.T) {
	eng := testEngine(t)
	snap := load(t, eng, "testdata/ws")
	var mu sync.Mutex
	release := make(chan struct{})
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		<-release
		reply(w, answerJSON("ok", ""))
	})
	cfg := testConfig(t, srv)
	cfg.Budget, cfg.Concurrency = 3, 1
	s := testService(t, cfg, eng, nil)
	fs := snap.Findings()
	if len(fs) < 5 {
		t.Fatalf("%d findings", len(fs))
	}
	var wg sync.WaitGroup
	results := make([]Enrichment, 5)
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := s.Enrich(context.Background(), snap, engine.DefaultConfig(), fs[i])
			mu.Lock()
			results[i] = e
			mu.Unlock()
		}()
	}
	time.Sleep(200 * time.Millisecond)
	close(release)
	wg.Wait()
	var ok, spent int
	for _, e := range results {
		switch {
		case e.Error == "":
			ok++
		case strings.Contains(e.Error, "budget is spent"):
			spent++
		default:
			t.Errorf("unexpected note %q", e.Error)
		}
	}
	if ok != 3 || spent != 2 || srv.count() != 3 || s.Left() != 0 {
		t.Errorf("%d answered, %d over budget, %d requests, %d left; want 3, 2, 3, 0", ok, spent, srv.count(), s.Left())
	}
	if srv.peak != 1 {
		t.Errorf("%d requests in flight at once, want at most 1", srv.peak)
	}
}

func TestAzure(t *testing.T) {
	x := newRDS(t)
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, answerJSON("ok", "")) })
	cfg := testConfig(t, srv)
	cfg.BaseURL, cfg.APIVersion, cfg.Model = srv.srv.URL, "2024-10-21", "my-gpt4o"
	if e := testService(t, cfg, x.eng, nil).Enrich(context.Background(), x.snap, engine.DefaultConfig(), x.f); e.Error != "" {
		t.Fatalf("enrichment = %+v", e)
	}
	r := srv.requests[0]
	if r.URL.Path != "/openai/deployments/my-gpt4o/chat/completions" || r.URL.Query().Get("api-version") != "2024-10-21" ||
		r.Header.Get("api-key") != "sk-test-key" {
		t.Errorf("Azure request: %s ?%s api-key %q", r.URL.Path, r.URL.RawQuery, r.Header.Get("api-key"))
	}
}

// TestEnrichUntitledIsUnverified: a fix of a document without a file (an untitled buffer)
// cannot be checked on a copy of the workspace: it is advice, and says why.
func TestEnrichUntitledIsUnverified(t *testing.T) {
	x := newRDS(t)
	text := x.snap.File("db.tf").Text
	snap, err := x.eng.Workspace("", engine.DefaultConfig()).Open("untitled:Untitled-1", "terraform", 1, text)
	if err != nil {
		t.Fatal(err)
	}
	f := finding(t, snap, "AWS-RDS-002", "untitled:Untitled-1")
	fixed := strings.Replace(x.block, "storage_encrypted   = false", "storage_encrypted   = true", 1)
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, answerJSON("Encrypt it.", fixed)) })
	e := testService(t, testConfig(t, srv), x.eng, nil).Enrich(context.Background(), snap, engine.DefaultConfig(), f)
	if e.Error != "" || e.Fix == nil || e.Fix.Verified || !strings.Contains(e.Fix.Reason, "could not be checked") {
		t.Errorf("enrichment = %+v, fix %+v", e, e.Fix)
	}
}
