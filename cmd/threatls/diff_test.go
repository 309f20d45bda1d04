package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// gitIn runs git in dir with a fixed identity.
func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// shopHistory makes a git repository of the shop: main holds the shop and a NetworkPolicy
// that admits only a gateway to the api; branch feature adds a public bucket and versioning of
// the images bucket (committed), then — in the work tree, not committed — removes the
// NetworkPolicy, moves the worker's manifest to another directory and shifts web.yaml's lines.
func shopHistory(t *testing.T) string {
	dir := t.TempDir()
	copyTree(t, shop, dir)
	write(t, filepath.Join(dir, "k8s", "policies.yaml"), `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api-from-gateway
  namespace: shop
spec:
  podSelector:
    matchLabels: {app: api}
  ingress:
    - from:
        - podSelector: {matchLabels: {app: gateway}}
`)
	gitIn(t, dir, "init", "-q", "-b", "main")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-qm", "the shop, the api admits only the gateway")
	gitIn(t, dir, "checkout", "-qb", "feature")
	write(t, filepath.Join(dir, "infra", "exports.tf"), `resource "aws_s3_bucket" "exports" {
  bucket = "shop-exports"
  acl    = "public-read"
}
`)
	data, _ := os.ReadFile(filepath.Join(dir, "infra", "data.tf"))
	write(t, filepath.Join(dir, "infra", "data.tf"), string(data)+`
resource "aws_s3_bucket_versioning" "images" {
  bucket = aws_s3_bucket.images.id
  versioning_configuration {
    status = "Enabled"
  }
}
`)
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-qm", "a public exports bucket; images keep their versions")
	gitIn(t, dir, "rm", "-q", "k8s/policies.yaml")
	gitIn(t, dir, "mv", "k8s/worker.yaml", "worker.yaml")
	if err := os.MkdirAll(filepath.Join(dir, "ops"), 0o755); err != nil {
		t.Fatal(err)
	}
	gitIn(t, dir, "mv", "worker.yaml", "ops/worker.yaml")
	web, _ := os.ReadFile(filepath.Join(dir, "k8s", "web.yaml"))
	write(t, filepath.Join(dir, "k8s", "web.yaml"), "# The storefront.\n# Served through the shop Ingress.\n"+string(web))
	return dir
}

type diffDoc struct {
	New      []jsonDiffFinding `json:"new"`
	Fixed    []jsonDiffFinding `json:"fixed"`
	Accepted []jsonDiffFinding `json:"accepted"`
	Model    struct {
		NewFlows     []struct{ From, To string } `json:"new_flows"`
		RemovedFlows []struct{ From, To string } `json:"removed_flows"`
		NewPaths     []struct{ Name string }     `json:"new_paths"`
		BrokenPaths  []struct{ Name string }     `json:"broken_paths"`
		ResidualBase float64                     `json:"residual_base"`
		ResidualHead float64                     `json:"residual_head"`
	} `json:"model"`
}

type jsonDiffFinding struct {
	ThreatID    string `json:"threat_id"`
	ElementName string `json:"element_name"`
	Location    string `json:"location"`
}

func keys(fs []jsonDiffFinding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ThreatID+" "+f.ElementName+" "+f.Location)
	}
	sort.Strings(out)
	return out
}

// TestDiffShopHistory runs threatls diff on the scripted history and asserts exactly what the
// change adds and removes; the move and the shifted lines add and remove nothing.
func TestDiffShopHistory(t *testing.T) {
	dir := shopHistory(t)
	status := gitIn(t, dir, "status", "--porcelain")
	head := gitIn(t, dir, "rev-parse", "HEAD")

	out, err := run(t, "diff", "--format", "json", dir) // base: the merge base with main
	if err != nil {
		t.Fatal(err)
	}
	var d diffDoc
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	path := "internet → Deployment/web → Deployment/api → aws_db_instance.orders"
	wantNew := []string{
		"AWS-S3-001 aws_s3_bucket.exports infra/exports.tf:3:3",
		"AWS-S3-003 aws_s3_bucket.exports infra/exports.tf:1:1",
		"AWS-S3-004 aws_s3_bucket.exports infra/exports.tf:1:1",
		"AWS-S3-005 aws_s3_bucket.exports infra/exports.tf:1:1",
		"AWS-S3-006 aws_s3_bucket.exports infra/exports.tf:1:1",
		"SYS-PATH-003 " + path + " infra/data.tf:8:1",
		"SYS-PATH-003 " + path + " k8s/web.yaml:11:3",
	}
	if got := keys(d.New); strings.Join(got, "\n") != strings.Join(wantNew, "\n") {
		t.Errorf("new:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantNew, "\n"))
	}
	wantFixed := []string{"AWS-S3-005 aws_s3_bucket.images infra/data.tf:37:1"}
	if got := keys(d.Fixed); strings.Join(got, "\n") != strings.Join(wantFixed, "\n") {
		t.Errorf("fixed: %q, want %q", got, wantFixed)
	}
	var paths []string
	for _, p := range d.Model.NewPaths {
		paths = append(paths, p.Name)
	}
	wantPaths := []string{path, "internet → Deployment/web → Deployment/api → aws_sqs_queue.orders"}
	if strings.Join(paths, "\n") != strings.Join(wantPaths, "\n") || len(d.Model.BrokenPaths) != 0 {
		t.Errorf("new paths %q (want %q), broken %v (want none)", paths, wantPaths, d.Model.BrokenPaths)
	}
	if len(d.Model.NewFlows) != 1 || d.Model.NewFlows[0].From != "Deployment/web" || d.Model.NewFlows[0].To != "Deployment/api" || len(d.Model.RemovedFlows) != 0 {
		t.Errorf("new flows %v (want web → api, unblocked), removed %v (want none)", d.Model.NewFlows, d.Model.RemovedFlows)
	}
	if d.Model.ResidualHead <= d.Model.ResidualBase {
		t.Errorf("residual risk %v → %v: want it to grow", d.Model.ResidualBase, d.Model.ResidualHead)
	}
	if gitIn(t, dir, "status", "--porcelain") != status || gitIn(t, dir, "rev-parse", "HEAD") != head {
		t.Error("diff changed the work tree or HEAD")
	}

	// --fail-on counts new findings only: the shop's own high findings do not fail it.
	if _, err := run(t, "diff", "--fail-on", "critical", dir); exitCode(err) != 1 {
		t.Errorf("--fail-on critical with a new critical finding: exit %d, want 1", exitCode(err))
	}
	if _, err := run(t, "diff", "--fail-on", "high", "HEAD", dir); exitCode(err) != 0 {
		t.Errorf("--fail-on high against HEAD (no new high finding): exit %d, want 0 (%v)", exitCode(err), err)
	}
	// Against HEAD: only the work tree's changes.
	out, err = run(t, "diff", "--format", "json", "HEAD", dir)
	if err != nil {
		t.Fatal(err)
	}
	d = diffDoc{}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.New) != 2 || len(d.Fixed) != 0 {
		t.Errorf("against HEAD: new %q, fixed %q; want the path's two findings only", keys(d.New), keys(d.Fixed))
	}
	for _, format := range []string{"text", "sarif", "markdown"} {
		out, err := run(t, "diff", "--format", format, dir)
		if err != nil || !strings.Contains(out, "AWS-S3-001") {
			t.Errorf("--format %s: %v\n%s", format, err, out)
		}
	}
}

// TestDiffErrors: a base that does not exist, a shallow clone without the base, and a
// directory outside git get a clear error and exit status 2.
func TestDiffErrors(t *testing.T) {
	dir := shopHistory(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"diff", "no-such-rev", dir}, `the base revision "no-such-rev" does not exist`},
		{[]string{"diff", "main", t.TempDir()}, "is not in a git repository"},
	} {
		_, err := run(t, tc.args...)
		if exitCode(err) != 2 || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want exit 2 and %q", tc.args, err, tc.want)
		}
	}
	shallow := filepath.Join(t.TempDir(), "clone")
	gitIn(t, dir, "clone", "-q", "--depth", "1", "--branch", "feature", "file://"+dir, shallow)
	_, err := run(t, "diff", "HEAD~1", shallow)
	if exitCode(err) != 2 || err == nil || !strings.Contains(err.Error(), "shallow clone") {
		t.Errorf("shallow clone: %v, want exit 2 and a word about the shallow clone", err)
	}
}
