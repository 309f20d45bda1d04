// Package e2e_test drives threatls serve over stdio with a scripted client built on the npm
// packages VS Code's own language client uses (vscode-jsonrpc, vscode-languageserver-protocol):
// client.mjs plays a VS Code-like session — initialize, the workspace scan with progress,
// diagnostics in UTF-16, hover, a quick fix applied as an incremental change, typing a broken
// block, an untitled document, cancellation, shutdown and exit — and asserts as it goes.
//
// It needs Node.js and the packages of package-lock.json: `npm ci --prefix lsp/e2e` from the
// repository root (CI's .ci/run does it).
package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"github.com/threatls/threatls/lsp/lsptest"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// processTimeout bounds node and the server; client.mjs gives up by itself after 30 s.
const processTimeout = 90 * time.Second

const installHint = "npm ci --prefix lsp/e2e"

func TestVSCodeJSONRPCClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not installed (%v). This test runs a scripted client on vscode-jsonrpc: "+
			"install Node.js 20 or later (`apt-get install -y nodejs npm`), then run `%s` "+
			"from the repository root.", err, installHint)
	}
	here := thisDir(t)
	if _, err := os.Stat(filepath.Join(here, "node_modules", "vscode-languageserver-protocol", "package.json")); err != nil {
		t.Fatalf("the npm packages of the scripted client are not installed (%v): run `%s` "+
			"from the repository root.", err, installHint)
	}

	tmp := t.TempDir()
	bin := lsptest.Build(t)
	ws := filepath.Join(tmp, "ws")
	lsptest.CopyDir(t, filepath.Join(here, "testdata", "workspace"), ws)
	serverLog := filepath.Join(tmp, "threatls.log")

	ctx, cancel := context.WithTimeout(t.Context(), processTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(here, "client.mjs"), bin, ws, serverLog)
	cmd.Dir = here
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second

	start := time.Now()
	runErr := cmd.Run()
	elapsed := time.Since(start).Round(time.Millisecond)
	if ctx.Err() != nil {
		t.Fatalf("node client.mjs did not finish within %v (killed); its output:\n%s\n%s",
			processTimeout, out.String(), readLog(serverLog))
	}
	if runErr != nil {
		t.Fatalf("node client.mjs: %v (after %v); its output:\n%s\n%s", runErr, elapsed, out.String(), readLog(serverLog))
	}
	t.Logf("client.mjs (%v):\n%s", elapsed, strings.TrimSpace(out.String()))

	// A clean session logs no warning and no error.
	if b, err := os.ReadFile(serverLog); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			var entry struct{ Level string }
			if json.Unmarshal([]byte(line), &entry) == nil && (entry.Level == "warn" || entry.Level == "error") {
				t.Errorf("server logged: %s", line)
			}
		}
	}
}

func readLog(path string) string {
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "threatls --log-file: (none)"
	case err != nil:
		return "threatls --log-file: " + err.Error()
	}
	return "threatls --log-file (" + path + "):\n" + string(b)
}

func thisDir(t *testing.T) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("runtime.Caller failed")
	}
	return filepath.Dir(file)
}
