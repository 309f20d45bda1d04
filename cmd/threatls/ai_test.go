package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

const shopDir = "../../testdata/examples/shop"

// fakeAI is an OpenAI-compatible endpoint answering every request with answer (a chat
// completion's content), or with the HTTP status when it is not 200.
func fakeAI(t *testing.T, status int, answer string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if status != http.StatusOK {
			w.WriteHeader(status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": "x", "object": "chat.completion", "choices": []any{map[string]any{
			"index": 0, "finish_reason": "stop", "message": map[string]any{"role": "assistant", "content": answer}}}})
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// aiEnv gives the command line a key and a cache of its own.
func aiEnv(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-test")
	t.Setenv("OPENAI_BASE_URL", "")
	t.Setenv("THREATLS_AI_MODEL", "")
	t.Setenv("THREATLS_CACHE_DIR", t.TempDir())
}

// TestScanAIChangesNoFinding: scan --ai --format json carries an enrichment per finding, and
// every other byte of every finding, the summary, the count and the exit code are those of
// the scan without --ai — whether the endpoint answers or fails.
func TestScanAIChangesNoFinding(t *testing.T) {
	aiEnv(t)
	plain, err := run(t, "scan", "--format", "json", "--fail-on", "medium", shopDir)
	code := exitCode(err)
	if code != 1 {
		t.Fatalf("the example should fail --fail-on medium: exit %d", code)
	}
	ok, okCount := fakeAI(t, 200, `{"explanation": "Because.", "steps": ["Do it."], "fixed_block": ""}`)
	failing, failCount := fakeAI(t, 500, "")
	for name, srv := range map[string]*httptest.Server{"answering": ok, "failing": failing} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("THREATLS_CACHE_DIR", t.TempDir())
			out, err := run(t, "scan", "--format", "json", "--fail-on", "medium", "--ai", "--ai-base-url", srv.URL+"/v1",
				"--ai-model", "test-model", "--ai-budget", "500", shopDir)
			if got := exitCode(err); got != code {
				t.Errorf("exit %d with --ai, %d without", got, code)
			}
			var a, b struct {
				Summary  json.RawMessage
				Findings []map[string]json.RawMessage
			}
			if err := json.Unmarshal([]byte(plain), &a); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(out), &b); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Summary, b.Summary) || len(a.Findings) != len(b.Findings) {
				t.Fatalf("summary or count differ:\n%s\n%s", a.Summary, b.Summary)
			}
			enriched := 0
			for i := range a.Findings {
				if e, ok := b.Findings[i]["enrichment"]; ok {
					enriched++
					var en struct{ Model, Text, Error string }
					json.Unmarshal(e, &en)
					if name == "answering" && (en.Text == "" || en.Model != "test-model") || name == "failing" && !strings.Contains(en.Error, "HTTP 500") {
						t.Errorf("finding %d: enrichment %s", i, e)
					}
					delete(b.Findings[i], "enrichment")
				}
				if len(a.Findings[i]) != len(b.Findings[i]) {
					t.Fatalf("finding %d: other fields than enrichment differ", i)
				}
				for k, v := range a.Findings[i] {
					if !bytes.Equal(v, b.Findings[i][k]) {
						t.Errorf("finding %d, %s: %s without --ai, %s with", i, k, v, b.Findings[i][k])
					}
				}
			}
			if enriched < len(a.Findings)/2 {
				t.Errorf("%d of %d findings enriched", enriched, len(a.Findings))
			}
		})
	}
	if okCount.Load() == 0 || failCount.Load() == 0 {
		t.Errorf("requests: %d answered, %d failed", okCount.Load(), failCount.Load())
	}
	// Without a key the scan still runs, and says why there is no enrichment.
	t.Setenv("OPENAI_API_KEY", "")
	out, err := run(t, "scan", "--format", "json", "--fail-on", "medium", "--ai", shopDir)
	if exitCode(err) != code || !strings.Contains(out, `"error": "AI is not configured: AI is on but no API key is set`) {
		t.Errorf("without a key: exit %d\n%.600s", exitCode(err), out)
	}
}

func TestExplainFileLine(t *testing.T) {
	out, err := run(t, "explain", shopDir+"/k8s/api.yaml:23")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"k8s/api.yaml:23:22 SYS-FLOW-001 medium", "Make `tls` true", "value: rediss://cache:6380",
		"If the control is already in place"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain FILE:LINE lacks %q:\n%s", want, out)
		}
	}
	out, err = run(t, "explain", "--format", "json", shopDir+"/infra/data.tf:8")
	if err != nil {
		t.Fatal(err)
	}
	var gs []struct {
		ThreatID string `json:"threat_id"`
		Path     struct {
			Ranked []struct {
				Control   string `json:"control"`
				RiskAfter int    `json:"risk_after"`
			} `json:"ranked"`
		} `json:"path"`
	}
	// Line 8 is the orders database: its provider-managed key (CLOUD-KMS-001) and the attack
	// path that ends there, whose controls are ranked.
	if err := json.Unmarshal([]byte(out), &gs); err != nil || len(gs) != 2 || gs[0].ThreatID != "CLOUD-KMS-001" ||
		gs[1].ThreatID != "SYS-PATH-003" || len(gs[1].Path.Ranked) == 0 {
		t.Errorf("explain --format json: %v\n%s", err, out)
	}
	out, err = run(t, "explain", "--format", "markdown", shopDir+"/infra/data.tf:37")
	if err != nil || strings.Count(out, "### Remediation of") != 3 || !strings.Contains(out, "```diff") {
		t.Errorf("explain --format markdown: %v\n%s", err, out)
	}
	if _, err := run(t, "explain", shopDir+"/infra/data.tf:2"); err == nil || !strings.Contains(err.Error(), "no finding on line 2 of infra/data.tf; its findings are on lines 8, 26, 33, 37, 41, 66") {
		t.Errorf("a line without findings: %v", err)
	}
	if out, err := run(t, "explain", "aws-s3-001"); err != nil || !strings.HasPrefix(out, "## AWS-S3-001") {
		t.Errorf("explain ID: %v\n%.200s", err, out)
	}
}

func TestExplainAI(t *testing.T) {
	aiEnv(t)
	srv, n := fakeAI(t, 200, `{"explanation": "The compose file holds the orders database password.", "steps": [], "fixed_block": ""}`)
	out, err := run(t, "explain", "--ai", "--ai-base-url", srv.URL+"/v1", shopDir+"/compose.yaml:12")
	if err != nil || !strings.Contains(out, "#### AI explanation (gpt-4o-mini)") || !strings.Contains(out, "holds the orders database password") || n.Load() != 1 {
		t.Errorf("explain --ai: %v, %d requests\n%s", err, n.Load(), out)
	}
	out, _ = run(t, "explain", "--ai", "--ai-base-url", srv.URL+"/v1", shopDir+"/compose.yaml:12")
	if !strings.Contains(out, "(gpt-4o-mini, cached)") || n.Load() != 1 {
		t.Errorf("the second explain --ai was not answered from the cache (%d requests):\n%s", n.Load(), out)
	}
}

func TestAIPreview(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", "")
	out, err := run(t, "ai", "preview", shopDir+"/compose.yaml:12")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# SYS-SECRET-001 at compose.yaml:12:7: 1 secret(s) replaced by placeholders",
		"POST https://api.openai.com/v1/chat/completions\nno key\n", `postgres://orders:__REDACTED_1__@orders-db`} {
		if !strings.Contains(out, want) {
			t.Errorf("preview lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "orders:dev@") {
		t.Error("the preview shows the password")
	}
	t.Setenv("OPENAI_API_KEY", "sk-secret-key-of-the-user-000000")
	out, _ = run(t, "ai", "preview", "--ai-api-version", "2024-10-21", "--ai-base-url", "https://x.openai.azure.com", "--ai-model", "dep1", shopDir+"/compose.yaml:12")
	if !strings.Contains(out, "POST https://x.openai.azure.com/openai/deployments/dep1/chat/completions?api-version=2024-10-21\napi-key: <key, not shown>") ||
		strings.Contains(out, "sk-secret-key") {
		t.Errorf("Azure preview:\n%.400s", out)
	}
}

func TestModelAIReview(t *testing.T) {
	aiEnv(t)
	srv, _ := fakeAI(t, 200, `{"suggestions": [{"title": "Order totals can be tampered with", "stride": ["Tampering"],
		"elements": ["kubernetes:shop/Deployment/api", "kubernetes:shop/Deployment/nowhere"], "rationale": "r", "mitigation": "m"},
		{"title": "Refund abuse", "stride": ["Repudiation"], "elements": ["kubernetes:shop/Deployment/api"], "rationale": "r", "mitigation": "m"}]}`)
	out, err := run(t, "model", "--ai-review", "--ai-base-url", srv.URL+"/v1", shopDir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "id: AI-REVIEW-001\n  title: Refund abuse") || strings.Contains(out, "id: AI-REVIEW-002") ||
		!strings.Contains(out, `"Order totals can be tampered with": it cites "kubernetes:shop/Deployment/nowhere"`) {
		t.Errorf("model --ai-review:\n%s", out)
	}
	file := filepath.Join(t.TempDir(), "threats", "suggested.yaml")
	os.MkdirAll(filepath.Dir(file), 0o755)
	os.WriteFile(file, []byte(out), 0o644)
	scan, _ := run(t, "scan", "--threat-dir", filepath.Dir(file), shopDir)
	if !strings.Contains(scan, "AI-REVIEW-001") {
		t.Errorf("the adopted suggestion is not a finding:\n%s", scan)
	}
}

func TestAICache(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x.json"), []byte("{}"), 0o600)
	out, err := run(t, "ai", "cache", "--dir", dir)
	if err != nil || !strings.Contains(out, ": 1 cached answers") {
		t.Errorf("ai cache: %v %s", err, out)
	}
	if out, err := run(t, "ai", "cache", "--clear", "--dir", dir); err != nil || !strings.HasPrefix(out, "cleared ") {
		t.Errorf("ai cache --clear: %v %s", err, out)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Error("the cache is still there")
	}
}
