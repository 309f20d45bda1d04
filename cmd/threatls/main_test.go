package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
)

// run executes the command line in process and returns stdout and the error.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRoot()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err := root.Execute()
	if errOut.Len() > 0 {
		t.Logf("stderr: %s", errOut.String())
	}
	return out.String(), err
}

func exitCode(err error) int {
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if err != nil {
		return 2
	}
	return 0
}

func TestScanText(t *testing.T) {
	out, err := run(t, "scan", "testdata/ws")
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`(?m)^testdata/ws/main\.tf:4:3: AWS-RDS-\d+ \w+ .*aws_db_instance\.orders`)
	if !line.MatchString(out) {
		t.Errorf("no finding on storage_encrypted of aws_db_instance.orders:\n%s", out)
	}
	if strings.Contains(out, "aws_ebs_volume.scratch") {
		t.Errorf("the encrypted volume is reported:\n%s", out)
	}
}

func TestScanFailOn(t *testing.T) {
	_, err := run(t, "scan", "--fail-on", "low", "testdata/ws")
	if got := exitCode(err); got != 1 {
		t.Errorf("--fail-on low: exit %d, want 1 (%v)", got, err)
	}
	_, err = run(t, "scan", "--fail-on", "bogus", "testdata/ws")
	if got := exitCode(err); got != 2 {
		t.Errorf("--fail-on bogus: exit %d, want 2", got)
	}
}

func TestScanSARIF(t *testing.T) {
	out, err := run(t, "scan", "--format", "sarif", "testdata/ws")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("SARIF is not JSON: %v\n%s", err, out)
	}
	if doc.Version != "2.1.0" || len(doc.Runs) != 1 || len(doc.Runs[0].Results) == 0 {
		t.Errorf("unexpected SARIF: %s", out)
	}
}

func TestScanOneFile(t *testing.T) {
	out, err := run(t, "scan", "testdata/ws/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	// The file is analysed with its whole project (here, the repository), and its findings'
	// paths lead to it from the current directory.
	first, _, _ := strings.Cut(out, ":1:1: ")
	if !strings.HasSuffix(filepath.ToSlash(first), "testdata/ws/main.tf") || !sameFile(first, "testdata/ws/main.tf") {
		t.Errorf("paths of a one-file scan should lead to the file from here:\n%s", out)
	}
}

func TestScanJSONOfOneFile(t *testing.T) {
	out, err := run(t, "scan", "--format", "json", "testdata/ws/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid([]byte(out)) || !strings.Contains(out, "aws_db_instance.orders") {
		t.Errorf("unexpected JSON report: %s", out)
	}
}

// TestScanBadInput: a file that does not parse, a binary file, an over-size file and a
// symlink loop cost their own findings, never the scan.
func TestScanBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("broken.tf", "resource \"aws_db_instance\" \"a\" {\n  storage_encrypted = false\n}\n\nresource \"aws_s3_bucket\" {{{\n")
	write("binary.tf", "resource \x00\x01\x02")
	write("big.tf", strings.Repeat("# padding\n", 2000))
	if err := os.Symlink("loop.tf", filepath.Join(dir, "loop.tf")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(".", filepath.Join(dir, "self")); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "scan", "--max-file-size", "10000", dir)
	if err != nil {
		t.Fatal(err)
	}
	// A file of a format threatls reads is parsed whatever bytes it holds; one it cannot read
	// is a finding of its own (TLS-009), not only a line at the end.
	for _, want := range []string{"broken.tf:2:3: AWS-RDS-", "TLS-001", "binary.tf:1:1: TLS-001",
		"big.tf:1:1: TLS-009 high big.tf was not analysed: 20000 bytes is over", "big.tf: skipped: 20000 bytes is over",
		"loop.tf:1:1: TLS-009 high", "loop.tf: skipped:"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestExplainAndRules(t *testing.T) {
	out, err := run(t, "explain", "aws-s3-001")
	if err != nil || !strings.Contains(out, "## AWS-S3-001") || !strings.Contains(out, "How to fix it") {
		t.Errorf("explain: %v\n%s", err, out)
	}
	if _, err := run(t, "explain", "NOPE-1"); exitCode(err) != 2 {
		t.Errorf("explain of an unknown ID should fail")
	}
	out, err = run(t, "rules")
	if err != nil || !strings.Contains(out, "AWS-S3-001") || !strings.Contains(out, "TLS-002") {
		t.Errorf("rules: %v\n%s", err, out)
	}
}

func sameFile(a, b string) bool {
	ia, err1 := os.Stat(a)
	ib, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(ia, ib)
}

// A command that reads a workspace and ends collects garbage twice as often as Go's default
// (its peak memory is the heap let grow between collections); a GOGC the user set stands.
func TestBatchCommandsCollectOften(t *testing.T) {
	was := debug.SetGCPercent(100)
	defer debug.SetGCPercent(was)
	if _, err := run(t, "scan", "--format", "json", "../../testdata/examples/shop"); exitCode(err) == 2 {
		t.Fatal(err)
	}
	got := debug.SetGCPercent(100)
	if _, set := os.LookupEnv("GOGC"); set {
		if got != 100 {
			t.Errorf("GOGC is set, and scan changed the target to %d", got)
		}
		return
	}
	if got != batchGCPercent {
		t.Errorf("scan ran with a target of %d, want %d", got, batchGCPercent)
	}
}
