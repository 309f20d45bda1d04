package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const pwnWorkflow = `name: PR
on:
  pull_request_target:
jobs:
  build:
    runs-on: ubuntu-latest
    permissions: write-all
    env:
      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: npm ci && npm test
`

const bucketTF = `resource "aws_s3_bucket" "logs" {
  bucket = "logs"
  acl    = "public-read"
}
`

// TestScanFileInItsProject: a file given alone is analysed as part of its repository (the
// nearest directory with a .git or a threatls.yaml): a workflow is a workflow because of
// where it sits.
func TestScanFileInItsProject(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".git", "HEAD"), "ref: refs/heads/main\n")
	wf := filepath.Join(dir, ".github", "workflows", "ci.yml")
	write(t, wf, pwnWorkflow)
	whole, err := run(t, "scan", "--compact", dir)
	if exitCode(err) != 0 || !strings.Contains(whole, "SYS-CI-001") {
		t.Fatalf("the repository's scan does not find the pwn request (%v):\n%s", err, whole)
	}
	alone, err := run(t, "scan", "--compact", wf)
	if exitCode(err) != 0 {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(whole), "\n") {
		if strings.Contains(line, ".github/workflows/ci.yml:") && !strings.Contains(alone, line[strings.Index(line, ".github"):]) {
			t.Errorf("scanning the file alone misses %q:\n%s", line, alone)
		}
	}
}

// TestScanFilters: --exclude, .gitignore (and --no-gitignore), --min-severity, --threats,
// --skip and --compact, and their defaults from the scan: section of a parent's threatls.yaml.
func TestScanFilters(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "infra", "main.tf"), bucketTF)
	write(t, filepath.Join(dir, "vendor2", "main.tf"), strings.ReplaceAll(bucketTF, "logs", "vendored"))
	write(t, filepath.Join(dir, "build", "main.tf"), strings.ReplaceAll(bucketTF, "logs", "built"))
	write(t, filepath.Join(dir, ".gitignore"), "build/\n")
	count := func(out, s string) int { return strings.Count(out, s) }

	out, _ := run(t, "scan", "--compact", dir)
	if count(out, "aws_s3_bucket.logs") == 0 || count(out, "aws_s3_bucket.vendored") == 0 || count(out, "aws_s3_bucket.built") != 0 {
		t.Errorf("default: want logs and vendored, not the git-ignored build:\n%s", out)
	}
	if out, _ := run(t, "scan", "--compact", "--no-gitignore", dir); count(out, "aws_s3_bucket.built") == 0 {
		t.Errorf("--no-gitignore: the ignored directory is not read:\n%s", out)
	}
	if out, _ := run(t, "scan", "--compact", "--exclude", "vendor2/**", dir); count(out, "vendored") != 0 || count(out, "aws_s3_bucket.logs") == 0 {
		t.Errorf("--exclude vendor2/**:\n%s", out)
	}
	out, _ = run(t, "scan", "--compact", "--min-severity", "critical", dir)
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[:2] {
		if !strings.Contains(line, " critical ") {
			t.Errorf("--min-severity critical shows %q", line)
		}
	}
	out, _ = run(t, "scan", "--compact", "--threats", "AWS-S3-001,AWS-S3-003", "--skip", "AWS-S3-003", dir)
	if count(out, "AWS-S3-001") != 2 || count(out, "AWS-S3-00") != 2 {
		t.Errorf("--threats AWS-S3-001,AWS-S3-003 --skip AWS-S3-003: want the two AWS-S3-001 only:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || strings.HasPrefix(lines[1], " ") {
		t.Errorf("--compact: want one line per finding and a summary:\n%s", out)
	}
	if _, err := run(t, "scan", "--threats", dir, dir); exitCode(err) != 2 || !strings.Contains(err.Error(), "--threat-dir") {
		t.Errorf("--threats DIR: %v, want a pointer to --threat-dir", err)
	}

	// Settings of the parent's threatls.yaml apply to a scan of a subdirectory.
	write(t, filepath.Join(dir, "threatls.yaml"), "version: 1\nscan:\n  skip: [AWS-S3-001]\n  fail_on: medium\n")
	out, err := run(t, "scan", "--compact", filepath.Join(dir, "infra"))
	if count(out, "AWS-S3-001") != 0 || exitCode(err) != 1 {
		t.Errorf("scan: section of the parent's threatls.yaml (skip AWS-S3-001, fail_on medium): exit %d\n%s", exitCode(err), out)
	}
}

// TestScanBaseline: with --baseline only the findings new since the baseline are reported,
// and --fail-on counts those only.
func TestScanBaseline(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "main.tf"), bucketTF)
	base := filepath.Join(t.TempDir(), "base.json")
	if _, err := run(t, "scan", "--format", "json", "-o", base, dir); err != nil {
		t.Fatal(err)
	}
	// Lines move, and a second bucket appears.
	write(t, filepath.Join(dir, "main.tf"), "# logs\n\n"+bucketTF+strings.ReplaceAll(bucketTF, "logs", "exports"))
	out, err := run(t, "scan", "--compact", "--baseline", base, "--fail-on", "critical", dir)
	if exitCode(err) != 1 || count(out, "aws_s3_bucket.logs") != 0 || count(out, "aws_s3_bucket.exports") == 0 {
		t.Errorf("--baseline: exit %d, want 1 and the exports bucket only:\n%s", exitCode(err), out)
	}
	write(t, filepath.Join(dir, "main.tf"), "# logs\n"+bucketTF)
	if _, err := run(t, "scan", "--baseline", base, "--fail-on", "low", dir); exitCode(err) != 0 {
		t.Errorf("--baseline with nothing new: exit %d, want 0", exitCode(err))
	}
	if _, err := run(t, "scan", "--baseline", filepath.Join(dir, "main.tf"), dir); exitCode(err) != 2 {
		t.Errorf("--baseline that is not a report: exit %d, want 2", exitCode(err))
	}
	_ = os.Remove(base)
}

func count(s, sub string) int { return strings.Count(s, sub) }
