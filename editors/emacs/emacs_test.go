// Package emacs_test is the smoke test of editors/emacs/threatls.el: Debian's Emacs with
// eglot, in batch mode, opens a Terraform file of a project and receives threatls's
// diagnostics (testdata/smoke.el).
package emacs_test

import (
	"bytes"
	"context"
	"fmt"
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

func TestEglot(t *testing.T) {
	emacs, err := exec.LookPath("emacs")
	if err != nil {
		t.Fatalf("emacs is not installed (%v): `apt-get install -y emacs-nox elpa-eglot` (make test does)", err)
	}
	_, file, _, _ := runtime.Caller(0)
	here := filepath.Dir(file)
	tmp := t.TempDir()
	ws := filepath.Join(tmp, "ws")
	lsptest.CopyDir(t, filepath.Join(here, "..", "neovim", "testdata", "workspace"), ws)
	if err := os.Mkdir(filepath.Join(ws, ".git"), 0o755); err != nil { // the project's root
		t.Fatal(err)
	}
	mainTF := filepath.Join(ws, "main.tf")
	src, err := os.ReadFile(mainTF)
	if err != nil {
		t.Fatal(err)
	}
	// Every `# want "ID"` of main.tf is a diagnostic on its line, and nothing else.
	want := map[string]bool{}
	for i, line := range strings.Split(string(src), "\n") {
		for _, m := range regexp.MustCompile(`"([A-Z]+-[A-Z0-9]+-\d+)"`).FindAllStringSubmatch(line[strings.Index(line+"# want", "# want"):], -1) {
			want[fmt.Sprintf("%d %s", i+1, m[1])] = true
		}
	}
	bin := lsptest.Build(t)
	res, serverLog := filepath.Join(tmp, "result"), filepath.Join(tmp, "threatls.log")

	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, emacs, "--batch", "-l", filepath.Join(here, "testdata", "smoke.el"))
	cmd.Env = append(os.Environ(), "HOME="+tmp,
		"THREATLS_EL="+filepath.Join(here, "threatls.el"), "THREATLS_CMD="+bin, "THREATLS_LOG="+serverLog,
		"SMOKE_FILE="+mainTF, "SMOKE_RESULT="+res, "SMOKE_TIMEOUT=30", fmt.Sprintf("SMOKE_WANT=%d", len(want)))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	if err := cmd.Run(); err != nil {
		if strings.Contains(out.String(), "Cannot open load file") && strings.Contains(out.String(), "eglot") {
			t.Fatalf("eglot is not installed: `apt-get install -y elpa-eglot` (make test does)\n%s", out.String())
		}
		t.Fatalf("emacs --batch: %v\n%s", err, out.String())
	}
	b, err := os.ReadFile(res)
	if err != nil {
		t.Fatalf("smoke.el wrote no result: %v\n%s", err, out.String())
	}
	t.Logf("Emacs with eglot, %v:\n%s", time.Since(start).Round(time.Millisecond), b)

	got := map[string]bool{}
	server := ""
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.SplitN(line, "\t", 3)
		switch f[0] {
		case "error":
			t.Fatalf("smoke.el: %s\n%s", f[1], out.String())
		case "server":
			server = f[1]
		case "diagnostic":
			m := regexp.MustCompile(`^threatls \[([A-Z0-9-]+)\]`).FindStringSubmatch(f[2])
			if m == nil {
				t.Errorf("diagnostic %q does not come from threatls", line)
				continue
			}
			got[f[1]+" "+m[1]] = true
		}
	}
	if server != "threatls" {
		t.Errorf("eglot's server is %q, want threatls", server)
	}
	for k := range want {
		if !got[k] {
			t.Errorf("missing diagnostic (line and code) %s; got %v", k, got)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("unexpected diagnostic %s", k)
		}
	}
}
