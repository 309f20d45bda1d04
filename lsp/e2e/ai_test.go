package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threatls/threatls/lsp/lsptest"
)

var fenceRE = regexp.MustCompile("(?s)```[a-z]*\n(.*?)```")

// TestVSCodeJSONRPCClientAI runs ai.mjs: "Explain and fix with AI" through the scripted
// client, against a fake OpenAI-compatible endpoint that proposes the fix of AWS-RDS-002 and
// hangs on AWS-SG-001 until the client cancels.
func TestVSCodeJSONRPCClientAI(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not installed (%v): see TestVSCodeJSONRPCClient", err)
	}
	here := thisDir(t)
	if _, err := os.Stat(filepath.Join(here, "node_modules", "vscode-languageserver-protocol", "package.json")); err != nil {
		t.Fatalf("the npm packages of the scripted client are not installed (%v): run `%s`.", err, installHint)
	}
	var answered, aborted atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []struct{ Content string } `json:"messages"`
		}
		body, _ := io.ReadAll(r.Body)
		json.Unmarshal(body, &req)
		user := req.Messages[len(req.Messages)-1].Content
		if strings.Contains(user, "ID: AWS-SG-001") {
			<-r.Context().Done() // hangs until the client cancels
			aborted.Add(1)
			return
		}
		block := ""
		if ms := fenceRE.FindAllStringSubmatch(user, -1); len(ms) > 0 {
			block = ms[len(ms)-1][1]
		}
		content, _ := json.Marshal(map[string]any{
			"explanation": "The orders database is unencrypted, readable by anyone who gets a snapshot.",
			"steps":       []string{"Set storage_encrypted = true."},
			"fixed_block": strings.Replace(block, "storage_encrypted = false", "storage_encrypted = true", 1),
		})
		answered.Add(1)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": "x", "object": "chat.completion", "choices": []any{map[string]any{
			"index": 0, "finish_reason": "stop", "message": map[string]any{"role": "assistant", "content": string(content)}}}})
	}))
	defer srv.Close()

	tmp := t.TempDir()
	bin := lsptest.Build(t)
	ws := filepath.Join(tmp, "ws")
	lsptest.CopyDir(t, filepath.Join(here, "testdata", "workspace"), ws)
	serverLog := filepath.Join(tmp, "threatls.log")
	ctx, cancel := context.WithTimeout(t.Context(), processTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(here, "ai.mjs"), bin, ws, serverLog, srv.URL+"/v1")
	cmd.Dir = here
	cmd.Env = append(os.Environ(), "OPENAI_API_KEY=sk-e2e-test", "XDG_CACHE_HOME="+filepath.Join(tmp, "cache"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		t.Fatalf("node ai.mjs: %v; its output:\n%s\n%s", err, out.String(), readLog(serverLog))
	}
	t.Logf("ai.mjs:\n%s", strings.TrimSpace(out.String()))
	if answered.Load() != 1 {
		t.Errorf("the endpoint answered %d requests, want 1", answered.Load())
	}
	deadline := time.Now().Add(5 * time.Second)
	for aborted.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if aborted.Load() != 1 {
		t.Errorf("the cancelled request was not aborted at the endpoint")
	}
}
