package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestMain lets the test binary stand in for threatls: with THREATLS_BE_CLI=1 it runs the
// command line, so that scripts (the GitHub Action's) can call it without a build.
func TestMain(m *testing.M) {
	if os.Getenv("THREATLS_BE_CLI") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type actionStep struct {
	Name string            `yaml:"name"`
	ID   string            `yaml:"id"`
	If   string            `yaml:"if"`
	Run  string            `yaml:"run"`
	Uses string            `yaml:"uses"`
	Env  map[string]string `yaml:"env"`
}

type actionFile struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

// stepEnv is a step's env with ${{ inputs.X }} replaced by the input's value (its default
// unless set) — what GitHub does.
func stepEnv(a actionFile, s actionStep, inputs map[string]string) []string {
	var env []string
	for k, v := range s.Env {
		for name, in := range a.Inputs {
			val, ok := inputs[name]
			if !ok {
				val = in.Default
			}
			v = strings.ReplaceAll(v, "${{ inputs."+name+" }}", val)
		}
		env = append(env, k+"="+v)
	}
	return env
}

// TestAction runs the GitHub Action's steps as a runner would — the same commands from
// action.yml, with the runner's environment — on the scripted history of the shop: install
// from a release directory (checked against its SHA256SUMS), diff on a pull request (SARIF
// and a job summary of what the change adds, failing on its new critical finding), scan on a
// push.
func TestAction(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	steps := map[string]actionStep{}
	for _, s := range a.Runs.Steps {
		steps[s.Name] = s
	}
	install, runStep, upload, summary := steps["Install threatls"], steps["Run threatls"], steps["Upload SARIF"], steps["Job summary"]
	if a.Runs.Using != "composite" || install.Run == "" || runStep.Run == "" || summary.Run == "" ||
		!strings.HasPrefix(upload.Uses, "github/codeql-action/upload-sarif@") {
		t.Fatalf("action.yml does not have the expected steps: %+v", a.Runs.Steps)
	}
	actionPath, _ := filepath.Abs(filepath.Join("..", "..")) // GITHUB_ACTION_PATH

	// A release directory holding "the binary" for this runner: the test binary as threatls.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	releases := t.TempDir()
	rel := filepath.Join(releases, "download", "v9.9.9")
	shim := "#!/bin/sh\nTHREATLS_BE_CLI=1 exec " + self + " \"$@\"\n"
	write(t, filepath.Join(rel, "threatls-linux-amd64"), shim)
	sum := sha256.Sum256([]byte(shim))
	write(t, filepath.Join(rel, "SHA256SUMS"), hex.EncodeToString(sum[:])+"  threatls-linux-amd64\n")

	runner := t.TempDir()
	ghPath, ghOutput := filepath.Join(runner, "path"), filepath.Join(runner, "output")
	base := append(os.Environ(), "GITHUB_ACTION_PATH="+actionPath, "RUNNER_TEMP="+runner,
		"RUNNER_OS=Linux", "RUNNER_ARCH=X64", "GITHUB_PATH="+ghPath, "GITHUB_OUTPUT="+ghOutput,
		"THREATLS_RELEASES=file://"+releases)
	runIn := func(dir string, s actionStep, inputs map[string]string, extra ...string) (string, int) {
		cmd := exec.Command("bash", "-c", s.Run)
		cmd.Dir = dir
		cmd.Env = append(append(append([]string{}, base...), stepEnv(a, s, inputs)...), extra...)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), code
	}

	repo := shopHistory(t)
	if out, code := runIn(repo, install, map[string]string{"version": "v9.9.9"}); code != 0 || !strings.Contains(out, "threatls ") {
		t.Fatalf("install: exit %d\n%s", code, out)
	}
	binDir := strings.TrimSpace(string(mustRead(t, ghPath)))
	pathEnv := "PATH=" + binDir + string(os.PathListSeparator) + os.Getenv("PATH")

	// A tampered binary is refused.
	write(t, filepath.Join(rel, "threatls-linux-amd64"), shim+"# tampered\n")
	if out, code := runIn(repo, install, map[string]string{"version": "v9.9.9"}); code == 0 {
		t.Errorf("install of a binary that does not match SHA256SUMS succeeded:\n%s", out)
	}

	// Pull request: diff against the base branch; the new public bucket is critical.
	out, code := runIn(repo, runStep, map[string]string{"base": "main"}, pathEnv, "GITHUB_EVENT_NAME=pull_request")
	if code != 1 {
		t.Errorf("diff on a pull request: exit %d, want 1 (a new critical finding)\n%s", code, out)
	}
	outputs := string(mustRead(t, ghOutput))
	sarifFile := filepath.Join(repo, "threatls.sarif")
	if !strings.Contains(outputs, "sarif-file=threatls.sarif") {
		t.Errorf("outputs %q: no sarif-file", outputs)
	}
	sarif := mustRead(t, sarifFile)
	if errs := schemaErrors(t, "sarif-schema-2.1.0.json", sarif); len(errs) > 0 || !strings.Contains(string(sarif), "AWS-S3-001") || strings.Contains(string(sarif), "SYS-SECRET-001") {
		t.Errorf("the SARIF holds the new findings only, and validates: %v", errs)
	}
	stepSummary := filepath.Join(runner, "step-summary.md")
	var summaryFile string
	for _, line := range strings.Split(outputs, "\n") {
		if v, ok := strings.CutPrefix(line, "summary-file="); ok {
			summaryFile = v
		}
	}
	if out, code := runIn(repo, summary, nil, "SUMMARY="+summaryFile, "GITHUB_STEP_SUMMARY="+stepSummary); code != 0 {
		t.Fatalf("job summary: exit %d\n%s", code, out)
	}
	if s := string(mustRead(t, stepSummary)); !strings.Contains(s, "threatls: 7 new findings, 1 fixed finding") || !strings.Contains(s, "new attack path") {
		t.Errorf("job summary:\n%s", s)
	}

	// Push: scan the whole repository; fail-on "" never fails.
	_ = os.Remove(ghOutput)
	out, code = runIn(repo, runStep, map[string]string{"fail-on": ""}, pathEnv, "GITHUB_EVENT_NAME=push")
	if code != 0 || !strings.Contains(string(mustRead(t, ghOutput)), "summary-file=") {
		t.Errorf("scan on a push: exit %d\n%s", code, out)
	}
	if s := string(mustRead(t, filepath.Join(runner, "threatls-summary.md"))); !strings.HasPrefix(s, "# Threat model of ") {
		t.Errorf("scan's job summary is not the Markdown report:\n%.300s", s)
	}
}
