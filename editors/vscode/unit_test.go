// Package vscode_test runs the VS Code extension's unit tests (src/test/*.test.ts: the
// model, the diagram, finding the server, the crash policy, the manifest) under Node's test
// runner, so that `go test ./...` covers them. The real VS Code test is e2e/ (make
// test-vscode).
package vscode_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestExtensionUnits(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	here := filepath.Dir(file)
	if _, err := os.Stat(filepath.Join(here, "node_modules", "typescript", "package.json")); err != nil {
		t.Fatalf("the extension's npm packages are not installed (%v): run `npm ci --prefix editors/vscode` "+
			"from the repository root (make test does).", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "test", "--silent")
	cmd.Dir = here
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("npm test (tsc, then node --test): %v\n%s", err, out)
	}
	summary := []string{}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "# pass") || strings.HasPrefix(line, "# fail") {
			summary = append(summary, line)
		}
	}
	if len(summary) == 0 || !strings.Contains(strings.Join(summary, " "), "# fail 0") {
		t.Fatalf("node --test ran no test or did not report:\n%s", out)
	}
	t.Log(strings.Join(summary, ", "))
}
