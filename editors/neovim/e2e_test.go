// Package neovim_test drives a real, headless Neovim against threatls serve: the
// configuration of threatls.lua starts the server, and testdata/e2e.lua plays a user who
// opens a Terraform file, reads the diagnostics, hovers one, and applies its quick fix.
package neovim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/threatls/threatls/lsp/lsptest"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/threatls/threatls/knowledge"
)

const (
	// scriptTimeout bounds the Lua scenario (it gives up and reports what it waited for);
	// processTimeout bounds Neovim itself, should the script hang.
	scriptTimeout  = 30 * time.Second
	processTimeout = 90 * time.Second

	// fixID is the threat whose quick fix the scenario applies.
	fixID = "AWS-RDS-002"
)

var (
	wantRE   = regexp.MustCompile(`#\s*want((?:\s+"[^"]+")+)`)
	wantIDRE = regexp.MustCompile(`"([^"]+)"`)
	// attrRE finds the attribute the quick fix sets; group 1 starts at its name.
	attrRE  = regexp.MustCompile(`(storage_encrypted)\s*=\s*false`)
	fixedRE = regexp.MustCompile(`^storage_encrypted\s*=\s*true$`)
)

// result is what testdata/e2e.lua writes.
type result struct {
	Nvim               string           `json:"nvim"`
	Error              string           `json:"error"`
	Steps              []string         `json:"steps"`
	Events             []map[string]any `json:"events"`
	Filetype           string           `json:"filetype"`
	Root               string           `json:"root"`
	OffsetEncoding     string           `json:"offset_encoding"`
	Diagnostics        []diagnostic     `json:"diagnostics"`
	VimDiagnostics     int              `json:"vim_diagnostics"`
	Hover              any              `json:"hover"` // a string, or null
	HoverWindow        string           `json:"hover_window"`
	Actions            []action         `json:"actions"`
	UIActions          []string         `json:"ui_actions"`
	Chosen             string           `json:"chosen"`
	Text               string           `json:"text"`
	FinalDiagnostics   []diagnostic     `json:"final_diagnostics"`
	FinalVimDiags      int              `json:"final_vim_diagnostics"`
	SecondFiletype     string           `json:"second_filetype"`
	SecondClientSame   bool             `json:"second_client_same"`
	ClientsAfterSecond int              `json:"clients_after_second"`
	ThirdFiletype      string           `json:"third_filetype"`
	ThirdClientSame    bool             `json:"third_client_same"`
	ThirdDiagnostics   []diagnostic     `json:"third_diagnostics"`
	SeveritySort       bool             `json:"severity_sort"`
	Signs              []struct {
		Line  int    `json:"line"`
		Shown string `json:"shown"`
		Worst int    `json:"worst"`
	} `json:"signs"`
	PathsQuickfix []struct {
		File string `json:"file"`
		Line int    `json:"line"`
		Text string `json:"text"`
	} `json:"paths_quickfix"`
	Lenses       []string `json:"lenses"`
	LensQuickfix int      `json:"lens_quickfix"`
	ModelText    string   `json:"model_text"`
	Health       string   `json:"health"`
	Accepted     string   `json:"accepted"`
	AcceptPrompt string   `json:"accept_prompt"`
	AcceptedText string   `json:"accepted_text"`
	ElapsedMS    int      `json:"elapsed_ms"`
	LSPLog       string   `json:"lsp_log"`
}

type diagnostic struct {
	Code      string `json:"code"`
	Source    string `json:"source"`
	Severity  int    `json:"severity"`
	Message   string `json:"message"`
	Line      int    `json:"line"` // zero-based, as in LSP
	Character int    `json:"character"`
	EndLine   int    `json:"end_line"`
}

func (d diagnostic) String() string {
	return fmt.Sprintf("%d:%d %s %q", d.Line+1, d.Character+1, d.Code, d.Message)
}

type action struct {
	Title     string `json:"title"`
	Kind      string `json:"kind"`
	Preferred bool   `json:"preferred"`
	HasEdit   bool   `json:"has_edit"`
}

// want is an expected diagnostic: a code on a zero-based line, read from `# want "ID"`.
type want struct {
	Line int
	Code string
}

func TestNeovimEndToEnd(t *testing.T) {
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		t.Fatalf("nvim is not installed (%v). This test drives a real Neovim (0.7 or later): "+
			"install it with `apt-get install -y neovim` (CI does).", err)
	}

	here := thisDir(t)
	tmp := t.TempDir()
	bin := lsptest.Build(t)

	// The workspace: testdata/workspace plus a .terraform directory, the root marker that
	// must win over the directory of a file deeper down.
	ws := filepath.Join(tmp, "ws")
	lsptest.CopyDir(t, filepath.Join(here, "testdata", "workspace"), ws)
	if err := os.Mkdir(filepath.Join(ws, ".terraform"), 0o755); err != nil {
		t.Fatal(err)
	}
	mainTF := filepath.Join(ws, "main.tf")
	src, err := os.ReadFile(mainTF)
	if err != nil {
		t.Fatal(err)
	}
	wants := parseWants(string(src))
	var codes []string
	for _, w := range wants {
		codes = append(codes, w.Code)
	}
	if !containsWant(wants, fixID) {
		t.Fatalf("testdata main.tf has no `# want %q`", fixID)
	}

	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatalf("threat library: %v", err)
	}
	threat := lib.Threat(fixID)
	if threat == nil {
		t.Fatalf("%s is not in the threat library", fixID)
	}

	// Neovim's own state (lsp.log, shada, swap) stays in the temp dir.
	xdg := filepath.Join(tmp, "xdg")
	serverLog := filepath.Join(tmp, "threatls.log")
	resultFile := filepath.Join(tmp, "result.json")

	ctx, cancel := context.WithTimeout(t.Context(), processTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, nvim, "--headless", "--clean", "-n", "-u", filepath.Join(here, "testdata", "init.lua"))
	cmd.Dir = ws
	cmd.Env = append(os.Environ(),
		"XDG_CONFIG_HOME="+xdg, "XDG_DATA_HOME="+xdg, "XDG_STATE_HOME="+xdg, "XDG_CACHE_HOME="+xdg,
		"THREATLS_RTP="+here,
		"THREATLS_CMD="+bin,
		"THREATLS_LOG="+serverLog,
		"E2E_SCRIPT="+filepath.Join(here, "testdata", "e2e.lua"),
		"E2E_FILE="+mainTF,
		"E2E_SECOND="+filepath.Join(ws, "env", "variables.tf"),
		"E2E_THIRD="+filepath.Join(ws, "k8s", "app.yaml"),
		"E2E_WANT="+strings.Join(codes, ","),
		"E2E_FIX="+fixID,
		"E2E_RESULT="+resultFile,
		fmt.Sprintf("E2E_TIMEOUT_MS=%d", scriptTimeout.Milliseconds()),
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second

	var res result
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		t.Logf("nvim output:\n%s", out.String())
		if len(res.Events) > 0 {
			t.Logf("steps completed: %v", res.Steps)
			t.Log("messages from the server, in order:")
			for _, e := range res.Events {
				b, _ := json.Marshal(e)
				t.Logf("  %s", b)
			}
		}
		logFile(t, "threatls --log-file", serverLog)
		logFile(t, "Neovim lsp.log", filepath.Join(xdg, "nvim", "lsp.log"))
	})

	start := time.Now()
	runErr := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("nvim did not exit within %v (killed)", processTimeout)
	}
	b, err := os.ReadFile(resultFile)
	if err != nil {
		t.Fatalf("nvim (exit: %v) wrote no result: %v", runErr, err)
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("result %s: %v", b, err)
	}
	if runErr != nil {
		t.Errorf("nvim: %v", runErr)
	}
	t.Logf("Neovim %s, scenario %d ms, process %v", res.Nvim, res.ElapsedMS, time.Since(start).Round(time.Millisecond))
	if res.Error != "" {
		t.Fatalf("scenario stopped after steps %v: %s", res.Steps, res.Error)
	}
	for _, e := range res.Events {
		if e["null_diagnostics"] == true {
			t.Errorf("the server published diagnostics: null (for %v); an empty list clears them", e["uri"])
		}
	}

	// A clean session logs no warning and no error (a warning would also flag settings the
	// server could not read).
	if b, err := os.ReadFile(serverLog); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			var entry struct{ Level string }
			if json.Unmarshal([]byte(line), &entry) == nil && (entry.Level == "warn" || entry.Level == "error") {
				t.Errorf("server logged: %s", line)
			}
		}
	}

	// The configuration: filetype, root, one client per root.
	if res.Filetype != "terraform" {
		t.Errorf("filetype of main.tf = %q, want terraform", res.Filetype)
	}
	if res.Root != ws {
		t.Errorf("root dir = %q, want %q (the directory holding .terraform)", res.Root, ws)
	}
	if res.OffsetEncoding != "utf-16" {
		t.Errorf("offset encoding = %q, want utf-16 (all Neovim 0.7 speaks)", res.OffsetEncoding)
	}
	if res.SecondFiletype != "terraform" || !res.SecondClientSame || res.ClientsAfterSecond != 1 {
		t.Errorf("env/variables.tf: filetype %q, shares main.tf's client: %v, clients running: %d; "+
			"want terraform, true, 1", res.SecondFiletype, res.SecondClientSame, res.ClientsAfterSecond)
	}

	// A Kubernetes manifest: the same server attaches, and reports the attack path that the
	// manifest's workloads form (from the exposed web front to the database).
	paths := 0
	for _, d := range res.ThirdDiagnostics {
		if strings.HasPrefix(d.Code, "SYS-PATH-") {
			paths++
		}
	}
	if res.ThirdFiletype != "yaml" || !res.ThirdClientSame || paths != 2 {
		t.Errorf("k8s/app.yaml: filetype %q, shares main.tf's client: %v, attack-path diagnostics %d of %+v; want yaml, true, 2 (entry and asset)",
			res.ThirdFiletype, res.ThirdClientSame, paths, res.ThirdDiagnostics)
	}

	// The sign column shows the most severe finding of a line.
	if !res.SeveritySort {
		t.Errorf("severity_sort is not set on threatls's diagnostics namespace")
	}
	signName := map[int]string{1: "DiagnosticSignError", 2: "DiagnosticSignWarn", 3: "DiagnosticSignInfo", 4: "DiagnosticSignHint"}
	for _, sg := range res.Signs {
		if want := signName[sg.Worst]; sg.Shown != want {
			t.Errorf("line %d of k8s/app.yaml shows sign %s, want %s (its most severe finding)", sg.Line, sg.Shown, want)
		}
	}
	if len(res.Signs) == 0 {
		t.Errorf("no sign placed in k8s/app.yaml")
	}

	// The plugin's commands: the attack path's hops in the quickfix list (also from a code
	// lens), the model, :checkhealth, and accepting a risk with the reason typed.
	hops := 0
	for _, q := range res.PathsQuickfix {
		if strings.Contains(q.Text, "hop ") && q.Line > 0 && strings.HasSuffix(q.File, ".yaml") {
			hops++
		}
	}
	if hops < 2 {
		t.Errorf(":ThreatlsPaths quickfix = %+v, want the hops of the attack path with their places", res.PathsQuickfix)
	}
	if len(res.Lenses) == 0 || !strings.Contains(res.Lenses[0], "attack path") || res.LensQuickfix == 0 {
		t.Errorf("code lenses %q, their command filled %d quickfix entries", res.Lenses, res.LensQuickfix)
	}
	for _, want := range []string{"## zone", "Deployment/web", "## flows", "## attack paths"} {
		if !strings.Contains(res.ModelText, want) {
			t.Errorf(":ThreatlsModel lacks %q:\n%s", want, res.ModelText)
		}
	}
	for _, want := range []string{"OK: Neovim", "OK: setup() has run", ": threatls ", "running for " + ws} {
		if !strings.Contains(res.Health, want) {
			t.Errorf(":checkhealth threatls lacks %q:\n%s", want, res.Health)
		}
	}
	if !strings.Contains(res.AcceptedText, "threatls:ignore "+res.Accepted+" bastion for the e2e test\n") || !strings.Contains(res.AcceptPrompt, res.Accepted) {
		t.Errorf(":ThreatlsAcceptRisk (prompt %q) left main.tf:\n%s", res.AcceptPrompt, res.AcceptedText)
	}

	// Diagnostics, one to one with the wants.
	checkDiagnostics(t, "on open", res.Diagnostics, wants)
	if res.VimDiagnostics != len(res.Diagnostics) {
		t.Errorf("Neovim shows %d diagnostics, the server published %d", res.VimDiagnostics, len(res.Diagnostics))
	}

	// Hover.
	hover, _ := res.Hover.(string)
	if !strings.Contains(hover, threat.Title) {
		t.Errorf("hover on %s does not mention its title %q:\n%s", fixID, threat.Title, hover)
	}

	if !strings.Contains(res.HoverWindow, threat.Title) {
		t.Errorf("the window of vim.lsp.buf.hover() (K) on %s does not show its title %q:\n%s", fixID, threat.Title, res.HoverWindow)
	}

	// Code actions: asked with the diagnostic's range, and as vim.lsp.buf.code_action() asks
	// with the cursor on it (Neovim 0.7 then sends context.diagnostics with byte columns).
	var acceptRisk bool
	for _, a := range res.Actions {
		if strings.HasPrefix(a.Title, "Accept risk") {
			acceptRisk = true
		}
	}
	if !acceptRisk {
		t.Errorf("no \"Accept risk\" code action for %s among %+v", fixID, res.Actions)
	}
	for _, a := range res.Actions {
		if !slices.Contains(res.UIActions, a.Title) {
			t.Errorf("vim.lsp.buf.code_action() on %s does not offer %q; it offers %q", fixID, a.Title, res.UIActions)
		}
	}

	// The fix: storage_encrypted = true, and not one character more changed — on its line,
	// the text before the attribute (non-ASCII) and the comment after it are intact, which
	// they are not if the edit's range was counted in bytes instead of UTF-16 units.
	fixLine := lineOf(wants, fixID)
	before, after := strings.Split(string(src), "\n"), strings.Split(res.Text, "\n")
	if len(before) != len(after) {
		t.Errorf("quick fix %q changed the number of lines (%d -> %d); edited text:\n%s",
			res.Chosen, len(before), len(after), res.Text)
	} else {
		for i := range before {
			switch {
			case i == fixLine:
				if !fixedAttr(before[i], after[i]) {
					t.Errorf("quick fix %q: line %d is %q, want %q with storage_encrypted = true",
						res.Chosen, i+1, after[i], before[i])
				}
			case before[i] != after[i]:
				t.Errorf("quick fix %q changed line %d: %q -> %q", res.Chosen, i+1, before[i], after[i])
			}
		}
	}

	// After the edit: the fixed diagnostic is gone, the others remain where they were.
	var rest []want
	for _, w := range wants {
		if w.Code != fixID {
			rest = append(rest, w)
		}
	}
	checkDiagnostics(t, "after the fix", res.FinalDiagnostics, rest)
	if res.FinalVimDiags != len(res.FinalDiagnostics) {
		t.Errorf("after the fix Neovim shows %d diagnostics, the server published %d", res.FinalVimDiags, len(res.FinalDiagnostics))
	}
}

// fixedAttr reports whether after is before with its storage_encrypted attribute set to
// true, all else kept (the spacing around "=" may change).
func fixedAttr(before, after string) bool {
	m := attrRE.FindStringSubmatchIndex(before)
	if m == nil {
		return false
	}
	prefix, suffix := before[:m[2]], before[m[1]:]
	if !strings.HasPrefix(after, prefix) || !strings.HasSuffix(after, suffix) || len(after) < len(prefix)+len(suffix) {
		return false
	}
	return fixedRE.MatchString(after[len(prefix) : len(after)-len(suffix)])
}

// checkDiagnostics matches got against wants one to one, by code and line.
func checkDiagnostics(t *testing.T, when string, got []diagnostic, wants []want) {
	t.Helper()
	left := map[want]int{}
	for _, w := range wants {
		left[w]++
	}
	for _, d := range got {
		if d.Source != "threatls" {
			t.Errorf("%s: diagnostic %v has source %q, want threatls", when, d, d.Source)
		}
		if d.Message == "" {
			t.Errorf("%s: diagnostic %v has no message", when, d)
		}
		k := want{Line: d.Line, Code: d.Code}
		if left[k] == 0 {
			t.Errorf("%s: unexpected diagnostic %v (add `# want %q` to its line in testdata if it is right)", when, d, d.Code)
			continue
		}
		left[k]--
	}
	for _, w := range wants {
		if left[w] > 0 {
			left[w]--
			t.Errorf("%s: no %s diagnostic on line %d; got %v", when, w.Code, w.Line+1, got)
		}
	}
}

// parseWants reads `# want "ID" ...` comments; lines are zero-based.
func parseWants(src string) []want {
	var out []want
	for i, line := range strings.Split(src, "\n") {
		m := wantRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		for _, id := range wantIDRE.FindAllStringSubmatch(m[1], -1) {
			out = append(out, want{Line: i, Code: id[1]})
		}
	}
	return out
}

func containsWant(ws []want, code string) bool { return lineOf(ws, code) >= 0 }

func lineOf(ws []want, code string) int {
	for _, w := range ws {
		if w.Code == code {
			return w.Line
		}
	}
	return -1
}

func thisDir(t *testing.T) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("runtime.Caller failed")
	}
	return filepath.Dir(file)
}

func logFile(t *testing.T, what, path string) {
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		t.Logf("%s: (none)", what)
	case err != nil:
		t.Logf("%s: %v", what, err)
	default:
		t.Logf("%s (%s):\n%s", what, path, b)
	}
}
