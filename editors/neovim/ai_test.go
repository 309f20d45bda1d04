package neovim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threatls/threatls/lsp/lsptest"
)

var fenceRE = regexp.MustCompile("(?s)```[a-z]*\n(.*?)```")

// TestNeovimAIFix: in a real Neovim with AI turned on, "Explain and fix with AI" from the
// code action menu is resolved lazily with the model's explanation and a verified edit, which
// Neovim applies: the diagnostic goes, and the explanation is shown.
func TestNeovimAIFix(t *testing.T) {
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		t.Fatalf("nvim is not installed (%v): see TestNeovimEndToEnd", err)
	}
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		var req struct {
			Messages []struct{ Content string } `json:"messages"`
		}
		body, _ := io.ReadAll(r.Body)
		json.Unmarshal(body, &req)
		block := ""
		if ms := fenceRE.FindAllStringSubmatch(req.Messages[len(req.Messages)-1].Content, -1); len(ms) > 0 {
			block = ms[len(ms)-1][1]
		}
		content, _ := json.Marshal(map[string]any{
			"explanation": "Snapshots of the orders database can be read by anyone who gets one.",
			"steps":       []string{"Set storage_encrypted = true."},
			"fixed_block": regexp.MustCompile(`storage_encrypted = false`).ReplaceAllString(block, "storage_encrypted = true"),
		})
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": "x", "object": "chat.completion", "choices": []any{map[string]any{
			"index": 0, "finish_reason": "stop", "message": map[string]any{"role": "assistant", "content": string(content)}}}})
	}))
	defer srv.Close()

	here := thisDir(t)
	tmp := t.TempDir()
	bin := lsptest.Build(t)
	ws := filepath.Join(tmp, "ws")
	lsptest.CopyDir(t, filepath.Join(here, "testdata", "workspace"), ws)
	if err := os.Mkdir(filepath.Join(ws, ".terraform"), 0o755); err != nil {
		t.Fatal(err)
	}
	xdg := filepath.Join(tmp, "xdg")
	serverLog := filepath.Join(tmp, "threatls.log")
	resultFile := filepath.Join(tmp, "result.json")
	settings, _ := json.Marshal(map[string]any{"threatls": map[string]any{"ai": map[string]any{
		"enabled": true, "baseURL": srv.URL + "/v1", "model": "test-model", "cacheDir": filepath.Join(tmp, "ai-cache")}}})

	ctx, cancel := context.WithTimeout(t.Context(), processTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, nvim, "--headless", "--clean", "-n", "-u", filepath.Join(here, "testdata", "init.lua"))
	cmd.Dir = ws
	cmd.Env = append(os.Environ(),
		"XDG_CONFIG_HOME="+xdg, "XDG_DATA_HOME="+xdg, "XDG_STATE_HOME="+xdg, "XDG_CACHE_HOME="+xdg,
		"OPENAI_API_KEY=sk-e2e-test",
		"THREATLS_RTP="+here,
		"THREATLS_CMD="+bin,
		"THREATLS_LOG="+serverLog,
		"E2E_SCRIPT="+filepath.Join(here, "testdata", "ai.lua"),
		"E2E_FILE="+filepath.Join(ws, "main.tf"),
		"E2E_SETTINGS="+string(settings),
		"E2E_RESULT="+resultFile,
		fmt.Sprintf("E2E_TIMEOUT_MS=%d", scriptTimeout.Milliseconds()),
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	runErr := cmd.Run()
	var res struct {
		Error      string   `json:"error"`
		Steps      []string `json:"steps"`
		Menu       []string `json:"menu"`
		Messages   []string `json:"messages"`
		FinalCodes []string `json:"final_codes"`
		Text       string   `json:"text"`
		ElapsedMS  int      `json:"elapsed_ms"`
		Resolved   *struct {
			Title       string `json:"title"`
			HasEdit     bool   `json:"has_edit"`
			Command     string `json:"command"`
			Explanation string `json:"explanation"`
		} `json:"resolved"`
	}
	b, err := os.ReadFile(resultFile)
	if err != nil {
		t.Fatalf("nvim (exit: %v) wrote no result: %v\n%s\n%s", runErr, err, out.String(), readFile(serverLog))
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("result %s: %v", b, err)
	}
	if res.Error != "" {
		t.Fatalf("scenario stopped after steps %v: %s\nmenu: %q\nmessages: %q\n%s", res.Steps, res.Error, res.Menu, res.Messages, readFile(serverLog))
	}
	t.Logf("scenario %d ms; menu %q", res.ElapsedMS, res.Menu)
	if !slices.Contains(res.Menu, "Show remediation of AWS-RDS-002") {
		t.Errorf("no Show remediation in the menu: %q", res.Menu)
	}
	if r := res.Resolved; r == nil || !r.HasEdit || r.Command != "threatls.showRemediation" ||
		!strings.Contains(r.Explanation, "can be read by anyone who gets one") || !strings.Contains(r.Explanation, "verified") {
		t.Errorf("resolved action: %+v", res.Resolved)
	}
	if !strings.Contains(res.Text, "storage_encrypted = true") || slices.Contains(res.FinalCodes, "AWS-RDS-002") || !slices.Contains(res.FinalCodes, "AWS-SG-001") {
		t.Errorf("after the fix: codes %v, text:\n%s", res.FinalCodes, res.Text)
	}
	if requests.Load() != 1 {
		t.Errorf("%d requests to the endpoint, want 1", requests.Load())
	}
}

func readFile(p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		return err.Error()
	}
	return string(b)
}
