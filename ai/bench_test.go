package ai

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/threatls/threatls/engine"
)

// TestPromptIsSmall: what is sent for any finding of the example workspace is the finding,
// its card and its element's block — a few kilobytes, never whole files.
func TestPromptIsSmall(t *testing.T) {
	eng := testEngine(t)
	snap := load(t, eng, "../testdata/examples/shop")
	var total, n, largest int
	for _, f := range snap.Findings() {
		req, err := BuildRequest(eng, snap, f, Config{Model: "m", MaxTokens: DefaultMaxTokens})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := req.Body()
		total += len(body)
		n++
		largest = max(largest, len(body))
		if len(body) > 16<<10 {
			t.Errorf("%s at %s: a %d-byte request", f.ThreatID, f.Span, len(body))
		}
	}
	t.Logf("%d findings: %d bytes per request on average (about %d tokens at 4 bytes a token), largest %d bytes; the system prompt is %d bytes",
		n, total/n, total/n/4, largest, len(systemPrompt))
}

// BenchmarkEnrich compares a request answered by the endpoint (a local fake: no network, no
// model — the floor of a real request) with the same request answered from the disk cache,
// with and without a proposed fix to verify.
func BenchmarkEnrich(b *testing.B) {
	eng := testEngine(b)
	snap := load(b, eng, "testdata/ws")
	var x rdsFixture
	x.eng, x.snap = eng, snap
	for _, f := range snap.Findings() {
		if f.ThreatID == "AWS-RDS-002" {
			x.f = f
		}
	}
	req, _ := BuildRequest(eng, snap, x.f, Config{Model: "m"})
	x.block = string(snap.File("db.tf").Text[req.Block.Start:req.Block.End])
	fixed := strings.Replace(x.block, "storage_encrypted   = false", "storage_encrypted   = true", 1)
	b.Run("build-request", func(b *testing.B) {
		for range b.N {
			if _, err := BuildRequest(eng, snap, x.f, Config{Model: "m"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, tc := range []struct {
		name, fix string
		cached    bool
	}{{"endpoint", "", false}, {"cache-hit", "", true}, {"cache-hit+verify", fixed, true}} {
		b.Run(tc.name, func(b *testing.B) {
			srv := newFake(b, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, answerJSON("Encrypt it.", tc.fix)) })
			cfg := testConfig(b, srv)
			cfg.CacheDir = b.TempDir()
			cfg.Budget = b.N + 10
			s := testService(b, cfg, eng, nil)
			if tc.cached {
				s.Enrich(context.Background(), snap, engine.DefaultConfig(), x.f)
			}
			b.ResetTimer()
			for range b.N {
				if !tc.cached {
					s.cache = nil
				}
				if e := s.Enrich(context.Background(), snap, engine.DefaultConfig(), x.f); e.Error != "" || e.Cached != tc.cached {
					b.Fatalf("%+v", e)
				}
			}
		})
	}
}
