package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// Nothing slips past: a security gate that can be passed by hiding a file is no gate. Each
// way of hiding a file from the scan that once worked is tried here, through the command
// line, with the exit code a CI job would see.

const openSSH = `resource "aws_security_group" "bastion" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A root given as a symbolic link is the directory it points to.
func TestSlipsRootSymlink(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, filepath.Join(dir, "real"), map[string]string{"main.tf": openSSH})
	link := filepath.Join(dir, "link")
	if err := os.Symlink(filepath.Join(dir, "real"), link); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "scan", "--fail-on", "high", link)
	if exitCode(err) != 1 || !strings.Contains(out, "AWS-SG-001") {
		t.Errorf("scan of a root that is a link: exit %d, want 1 with AWS-SG-001:\n%s", exitCode(err), out)
	}
}

// A link inside the workspace to a file outside it is not read: its text (a secret, say)
// never reaches a report. It is reported as not analysed.
func TestSlipsLinkOutside(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(dir, "outside")
	writeFiles(t, outside, map[string]string{"Dockerfile": "FROM alpine\nENV API_TOKEN=canary-d3adb33f-secret\n"})
	ws := filepath.Join(dir, "ws")
	writeFiles(t, ws, map[string]string{"main.tf": "resource \"aws_s3_bucket\" \"b\" {}\n"})
	if err := os.Symlink(filepath.Join(outside, "Dockerfile"), filepath.Join(ws, "Dockerfile")); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"text", "json", "sarif"} {
		out, err := run(t, "scan", "--format", format, ws)
		if err != nil && exitCode(err) != 1 {
			t.Fatalf("%s: %v\n%s", format, err, out)
		}
		if strings.Contains(out, "canary-d3adb33f") {
			t.Errorf("%s: the text of a file outside the workspace is in the report:\n%s", format, out)
		}
		if !strings.Contains(out, "TLS-009") || !strings.Contains(out, "outside the workspace") {
			t.Errorf("%s: the link out of the workspace is not reported as not analysed:\n%s", format, out)
		}
	}
}

// A link inside the workspace to a directory outside it is not read either, and says so: a
// Terraform module linked in from outside is applied, and nothing said it was not seen.
func TestSlipsLinkToADirectoryOutside(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(dir, "shared", "bucket")
	writeFiles(t, outside, map[string]string{"main.tf": "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n"})
	ws := filepath.Join(dir, "ws")
	writeFiles(t, ws, map[string]string{"main.tf": "module \"bucket\" {\n  source = \"./bucket\"\n}\n"})
	if err := os.Symlink(outside, filepath.Join(ws, "bucket")); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "scan", "--fail-on", "high", ws)
	if exitCode(err) != 1 || !strings.Contains(out, "bucket:1:1: TLS-009 high") || !strings.Contains(out, "a directory outside the workspace") {
		t.Errorf("exit %d, want 1 with the linked directory not analysed:\n%s", exitCode(err), out)
	}
	if strings.Contains(out, "AWS-S3-001") {
		t.Errorf("a file outside the workspace was read:\n%s", out)
	}
}

// A NUL byte early in a file, or padding past the size limit, does not make the gate pass.
func TestSlipsNULAndPadding(t *testing.T) {
	for name, text := range map[string]string{
		"nul":     "# \x00 not a binary file\n" + openSSH,
		"padding": openSSH + strings.Repeat("#\n", 3<<20),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"main.tf": text, "ok.tf": "locals {}\n"})
			out, err := run(t, "scan", "--fail-on", "high", "--max-file-size", "1000000", dir)
			if exitCode(err) != 1 {
				t.Errorf("exit %d, want 1: the file hid from the gate:\n%s", exitCode(err), out)
			}
			if name == "padding" && !strings.Contains(out, "TLS-009 high") {
				t.Errorf("a file over the size limit is not a finding:\n%s", out)
			}
			if name == "nul" && !strings.Contains(out, "AWS-SG-001") {
				t.Errorf("a file with a NUL byte is not read:\n%s", out)
			}
		})
	}
	// The severity is a setting: a team may decide that an over-size file does not fail.
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": strings.Repeat("#\n", 1000), "ok.tf": "locals {}\n"})
	out, err := run(t, "scan", "--fail-on", "high", "--max-file-size", "100", "--not-analysed-severity", "low", dir)
	if err != nil || !strings.Contains(out, "TLS-009 low") {
		t.Errorf("--not-analysed-severity low: %v\n%s", err, out)
	}
}

// A scan that read nothing says so and fails, instead of reporting a clean result.
func TestSlipsNothingRead(t *testing.T) {
	empty := t.TempDir()
	other := t.TempDir()
	writeFiles(t, other, map[string]string{"notes.txt": "nothing here", "src/app.rb": "puts 1"})
	big := t.TempDir()
	writeFiles(t, big, map[string]string{"main.tf": strings.Repeat("#\n", 1000)})
	for name, args := range map[string][]string{
		"empty":       {"scan", empty},
		"no format":   {"scan", other},
		"all skipped": {"scan", "--max-file-size", "100", big},
	} {
		out, err := run(t, args...)
		if exitCode(err) != 2 || !strings.Contains(err.Error()+out, "nothing to analyse") {
			t.Errorf("%s: exit %d (%v), want 2 with a reason:\n%s", name, exitCode(err), err, out)
		}
	}
}

// What the scanned files name — resource labels, file names — never reaches the terminal
// as control characters, and a newline in a file name does not split a finding; in JSON a
// file name that is not UTF-8 still names its file.
func TestSlipsTerminalAndJSON(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"main.tf":        strings.Replace(openSSH, `"bastion"`, "\"bas\\u001b[2Jtion\"", 1),
		"odd\nname.tf":   strings.Replace(openSSH, `"bastion"`, `"odd"`, 1),
		"bad\xffname.tf": strings.Replace(openSSH, `"bastion"`, `"bad"`, 1),
	})
	out, err := run(t, "scan", dir)
	if err != nil && exitCode(err) != 1 {
		t.Fatal(err)
	}
	if strings.ContainsAny(out, "\x1b\x00\x07") {
		t.Errorf("control characters reach the terminal:\n%q", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "name.tf") {
			t.Errorf("a newline in a file name split a finding: %q", line)
		}
	}
	if !strings.Contains(out, `odd\x0aname.tf`) {
		t.Errorf("the file name with a newline is not shown escaped:\n%s", out)
	}
	js, err := run(t, "scan", "--format", "json", dir)
	if err != nil && exitCode(err) != 1 {
		t.Fatal(err)
	}
	var doc struct {
		Findings []struct {
			Span struct {
				File     string `json:"file"`
				Encoding string `json:"file_encoding"`
			} `json:"span"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range doc.Findings {
		if f.Span.Encoding == "percent" {
			found = true
			if f.Span.File != "bad%FFname.tf" {
				t.Errorf("a name that is not UTF-8 is written %q, want bad%%FFname.tf", f.Span.File)
			}
		}
	}
	if !found {
		t.Errorf("no finding of the file whose name is not UTF-8 says how its name is encoded:\n%s", js)
	}
}

// A CloudFormation template is one whatever it is called: by its content, `infra.yaml` is no
// Kubernetes manifest that holds nothing, and `stack.json` no file threatls does not read.
// A manifest that carries a template in a ConfigMap stays a manifest.
func TestSlipsTemplateByContent(t *testing.T) {
	const yamlSSH = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Bastion:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: bastion
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
`
	const jsonSSH = `{"Resources": {"Jump": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "jump",
  "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}]}}}}
`
	const configMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: templates
data:
  bastion.yaml: |
    AWSTemplateFormatVersion: '2010-09-09'
    Resources: {}
`
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"deploy/infra.yaml": yamlSSH, "deploy/stack.json": jsonSSH,
		"k8s/templates.yaml": configMap, "package.json": `{"name": "app", "Resources": "AWS::S3::Bucket"}`})
	// A .json linked from outside is not read, and not reported unread: nothing says it is a
	// template (a .yaml would be: its name says Kubernetes).
	outside := t.TempDir()
	writeFiles(t, outside, map[string]string{"tsconfig.json": `{"compilerOptions": {}}`})
	if err := os.Symlink(filepath.Join(outside, "tsconfig.json"), filepath.Join(dir, "tsconfig.json")); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "scan", "--fail-on", "high", "--format", "json", dir)
	if exitCode(err) != 1 {
		t.Fatalf("scan: exit %d (%v), want 1 for the open SSH port of each template:\n%s", exitCode(err), err, out)
	}
	var doc struct {
		Files    int `json:"files"`
		Findings []struct {
			ThreatID string `json:"threat_id"`
			Span     struct {
				File string `json:"file"`
			} `json:"span"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	ssh := map[string]bool{}
	for _, f := range doc.Findings {
		if f.ThreatID == "AWS-SG-001" {
			ssh[f.Span.File] = true
		}
	}
	if !ssh["deploy/infra.yaml"] || !ssh["deploy/stack.json"] || len(ssh) != 2 {
		t.Errorf("AWS-SG-001 in %v, want deploy/infra.yaml and deploy/stack.json", ssh)
	}
	if strings.Contains(out, "tsconfig.json") {
		t.Errorf("the report names tsconfig.json, a link to outside that nothing says is a template:\n%s", out)
	}
	if doc.Files != 3 {
		t.Errorf("%d files read, want the two templates and the manifest (package.json is not one threatls reads)", doc.Files)
	}
}

// One byte no format allows, on a line of its own at the end of a file of any format threatls
// reads, costs nothing of what the file says: each of its threats is still reported, beside a
// syntax problem (TLS-001) that says where the byte is; so does a NUL byte halfway through. A
// NUL byte at the end of a CloudFormation template, an Actions workflow, an OTM or Threagile
// model once hid every threat of it (the YAML decoder refuses a whole document for one such
// byte); after a Terraform block it hid the block; in the middle of a Python file, what
// followed it (tree-sitter's lexers take a NUL byte for the end of the text). A stray "]", as
// a half-typed line leaves, costs nothing either: after a CloudFormation template's last
// resource it cost the template, after a workflow's last job the workflow.
func TestSlipsOneByteInEveryFormat(t *testing.T) {
	files := []string{
		"terraform/testdata/src/s3/main.tf",
		"cloudformation/testdata/src/s3/template.yaml",
		"cloudformation/testdata/twins/stack.template.json",
		"kubernetes/testdata/src/shop/api.yaml",
		"compose/testdata/src/shop/compose.yaml",
		"actions/testdata/src/pwn/.github/workflows/pr.yml",
		"otm/testdata/src/shop/shop.otm.yaml",
		"threagile/testdata/src/shop/shop.threagile.yaml",
		"appconfig/testdata/src/dotnet/Cart/appsettings.json",
		"dockerfile/testdata/src/run/tools/Dockerfile",
		"dockerfile/testdata/src/shop/web/Dockerfile",
		"code/testdata/taint/python/shop/security.py",
		"config/testdata/src/valid/services/api/.threatls.yaml",
	}
	threats := func(t *testing.T, dir string) (map[string]bool, bool) {
		t.Helper()
		out, err := run(t, "scan", "--format", "json", dir)
		if code := exitCode(err); code != 0 {
			t.Fatalf("scan exit %d: %v", code, err)
		}
		var report struct {
			Findings []struct {
				ThreatID string `json:"threat_id"`
				Element  string `json:"element"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(out), &report); err != nil {
			t.Fatal(err)
		}
		set, syntax := map[string]bool{}, false
		for _, f := range report.Findings {
			if strings.HasPrefix(f.ThreatID, "TLS-") {
				syntax = syntax || f.ThreatID == "TLS-001"
				continue
			}
			set[f.ThreatID+" "+f.Element] = true
		}
		return set, syntax
	}
	for _, rel := range files {
		text, err := os.ReadFile(filepath.Join("..", "..", "analyzers", filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		// The file keeps its path below testdata/ (a workflow is one under .github/workflows).
		name := rel[strings.Index(rel, "testdata/")+len("testdata/"):]
		clean := t.TempDir()
		writeFiles(t, clean, map[string]string{name: string(text)})
		want, _ := threats(t, clean)
		if len(want) == 0 {
			t.Fatalf("%s: no threat to hide", rel)
		}
		// A UTF-8 byte order mark first (a Windows editor's) takes nothing away either: a
		// Dockerfile with one was not analysed at all.
		bom := t.TempDir()
		writeFiles(t, bom, map[string]string{name: "\ufeff" + string(text)})
		got, _ := threats(t, bom)
		for k := range want {
			if !got[k] {
				t.Errorf("%s with a byte order mark: %s is no longer reported", rel, k)
			}
		}
		// The byte on a line of its own, at the end of the file, or halfway through it.
		lines := strings.SplitAfter(string(text), "\n")
		half := len(strings.Join(lines[:len(lines)/2], ""))
		for _, b := range []string{"\x00", "\xff", "\x07", "]"} {
			for _, at := range []int{len(text), half} {
				if at == half && b != "\x00" {
					continue // only a NUL byte is read as a space in every format
				}
				dir := t.TempDir()
				writeFiles(t, dir, map[string]string{name: string(text[:at]) + "\n" + b + "\n" + string(text[at:])})
				got, syntax := threats(t, dir)
				for k := range want {
					if !got[k] {
						t.Errorf("%s + %q at %d of %d bytes: %s is no longer reported", rel, b, at, len(text), k)
					}
				}
				if !syntax && b != "\xff" { // tree-sitter reads a byte that is not UTF-8 as one character
					t.Errorf("%s + %q at %d: no syntax problem says where the byte is", rel, b, at)
				}
			}
		}
	}
}

// A file saved as UTF-16 (Windows PowerShell's `>` writes it; kubectl reads it) says what it
// says in UTF-8: read as bytes, every other one a NUL, it said nothing and passed a gate.
func TestSlipsUTF16(t *testing.T) {
	for _, rel := range []string{
		"terraform/testdata/src/s3/main.tf",
		"kubernetes/testdata/src/shop/api.yaml",
		"cloudformation/testdata/twins/stack.template.json",
	} {
		text, err := os.ReadFile(filepath.Join("..", "..", "analyzers", filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		name, dir := path.Base(rel), t.TempDir()
		scan := func(text []byte) string {
			writeFiles(t, dir, map[string]string{name: string(text)})
			out, err := run(t, "scan", "--compact", dir)
			if exitCode(err) != 0 {
				t.Fatalf("%s: %v", rel, err)
			}
			return out
		}
		want := scan(text)
		units := utf16.Encode([]rune("\ufeff" + string(text)))
		le, be := make([]byte, 0, 2*len(units)), make([]byte, 0, 2*len(units))
		for _, u := range units {
			le = append(le, byte(u), byte(u>>8))
			be = append(be, byte(u>>8), byte(u))
		}
		for order, b := range map[string][]byte{"little-endian": le, "big-endian": be} {
			if got := scan(b); got != want {
				t.Errorf("%s in UTF-16 %s:\n%s\nwant, as in UTF-8:\n%s", rel, order, got, want)
			}
		}
	}
}

// What an override file says is what Terraform applies: a bucket made public in override.tf
// fails the gate (it was read as a second block of the bucket, and dropped).
func TestSlipsOverrideFile(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"main.tf":     "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"data\"\n  acl    = \"private\"\n}\n",
		"override.tf": "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n",
	})
	out, err := run(t, "scan", "--fail-on", "high", dir)
	if exitCode(err) != 1 || !strings.Contains(out, "override.tf:2:3: AWS-S3-001 critical") {
		t.Errorf("exit %d, want 1 and the public ACL at override.tf:2:3:\n%s", exitCode(err), out)
	}
}

// Terraform reads its JSON syntax beside its native one; threatls does not yet, so a
// *.tf.json file is a finding of its own (TLS-009) that fails the gate: a public bucket in
// main.tf.json passed it unseen.
func TestSlipsTerraformJSON(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"main.tf":          "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n",
		"main.tf.json":     `{"resource": {"aws_s3_bucket": {"b": {"acl": "public-read"}}}}`,
		"prod.tfvars.json": `{"public": true}`,
	})
	out, err := run(t, "scan", "--fail-on", "high", dir)
	if exitCode(err) != 1 || !strings.Contains(out, "main.tf.json:1:1: TLS-009 high") || !strings.Contains(out, "prod.tfvars.json:1:1: TLS-009 high") {
		t.Errorf("exit %d, want 1 and both JSON files not analysed:\n%s", exitCode(err), out)
	}
}

// kubectl applies a manifest in JSON as it applies YAML (`kubectl get -o json` writes one): a
// privileged pod in pod.json fails the gate. It was read as no format at all.
func TestSlipsKubernetesJSON(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"pod.json": `{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "p"},
  "spec": {"containers": [{"name": "c", "image": "nginx:1.27", "securityContext": {"privileged": true}}]}
}
`,
		"package.json": `{"name": "web", "kind": "app", "apiVersion": "1"}`,
	})
	out, err := run(t, "scan", "--fail-on", "high", dir)
	if exitCode(err) != 1 || !strings.Contains(out, "pod.json:5:98: SYS-CONT-001 high") || strings.Contains(out, "package.json") {
		t.Errorf("exit %d, want 1 and the privileged container of pod.json, and nothing of package.json:\n%s", exitCode(err), out)
	}
}

// Files their tools read under names of their own are read: OpenTofu's *.tofu (and its
// overrides), and CloudFormation templates called *.template as AWS's samples are.
func TestSlipsToolNames(t *testing.T) {
	template, err := os.ReadFile(filepath.Join("..", "..", "analyzers", "cloudformation", "testdata", "twins", "stack.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"stack.template":       string(template),
		"main.tofu":            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"data\"\n}\n",
		"public_override.tofu": "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n",
	})
	out, err := run(t, "scan", "--fail-on", "high", dir)
	for _, want := range []string{"stack.template:14:9: AWS-RDS-002", "main.tofu:1:1: AWS-S3-005", "public_override.tofu:2:3: AWS-S3-001 critical"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q:\n%s", want, out)
		}
	}
	if exitCode(err) != 1 {
		t.Errorf("exit %d, want 1", exitCode(err))
	}
}

// .gitignore leaves out untracked files only, as git does: a file committed with `git add -f`
// is checked out and applied, so it is read, in the repository's root as in a directory below
// it, and in a git worktree (whose .git is a file). It passed the gate unseen. An untracked
// file .gitignore names is still left out.
func TestSlipsIgnoredButTracked(t *testing.T) {
	repo := t.TempDir()
	public := "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n"
	writeFiles(t, repo, map[string]string{
		".gitignore":         "hidden.tf\nbuild/\n",
		"infra/main.tf":      "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n",
		"infra/hidden.tf":    public,
		"infra/build/gen.tf": strings.ReplaceAll(public, "\"b\"", "\"g\""),
	})
	gitIn(t, repo, "init", "-q")
	gitIn(t, repo, "add", ".gitignore", "infra/main.tf")
	gitIn(t, repo, "add", "-f", "infra/hidden.tf", "infra/build/gen.tf")
	gitIn(t, repo, "commit", "-q", "-m", "x")
	writeFiles(t, repo, map[string]string{"infra/build/untracked.tf": strings.ReplaceAll(public, "\"b\"", "\"u\"")})
	worktree := filepath.Join(t.TempDir(), "wt")
	gitIn(t, repo, "worktree", "add", "-q", worktree)
	writeFiles(t, worktree, map[string]string{"infra/build/untracked.tf": strings.ReplaceAll(public, "\"b\"", "\"u\"")})
	for _, dir := range []string{repo, filepath.Join(repo, "infra"), worktree} {
		out, err := run(t, "scan", "--compact", "--fail-on", "high", dir)
		if exitCode(err) != 1 || !strings.Contains(out, "hidden.tf:2:3: AWS-S3-001") || !strings.Contains(out, "gen.tf:2:3: AWS-S3-001") {
			t.Errorf("%s: exit %d, want 1 and both tracked files read:\n%s", dir, exitCode(err), out)
		}
		// (Below the root, the root's .gitignore is not read: more is read, not less.)
		if dir != filepath.Join(repo, "infra") && strings.Contains(out, "untracked.tf") {
			t.Errorf("%s: an untracked file .gitignore names was read:\n%s", dir, out)
		}
	}
}

// What the workspace applies from outside it is said, file by file, where it is named: a
// module from the registry, a kustomization's remote base, a chart dependency from a
// repository (TLS-010, info: it does not fail a gate at high). Read as nothing, a deployment
// made of remote bases scanned as one without a threat.
func TestSlipsOutsideSources(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"infra/main.tf":               "module \"s3\" {\n  source = \"terraform-aws-modules/s3-bucket/aws\"\n}\n",
		"deploy/kustomization.yaml":   "resources:\n  - github.com/example/platform//base?ref=v1\n  - local.yaml\n",
		"deploy/local.yaml":           "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
		"charts/shop/Chart.yaml":      "apiVersion: v2\nname: shop\nversion: 1.0.0\ndependencies:\n  - name: redis\n    version: 17.0.0\n    repository: https://charts.example.com/stable\n",
		"charts/shop/templates/.keep": "",
	})
	out, err := run(t, "scan", "--fail-on", "high", dir)
	for _, want := range []string{"infra/main.tf:2:3: TLS-010 info", "deploy/kustomization.yaml:2:5: TLS-010 info",
		"charts/shop/Chart.yaml:7:17: TLS-010 info"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q:\n%s", want, out)
		}
	}
	if exitCode(err) != 0 {
		t.Errorf("exit %d, want 0: an outside source is info\n%s", exitCode(err), out)
	}
}

// A module vendored where the scan does not look (vendor/ is left out by default, like any
// dependency directory) is applied by Terraform when the workspace calls it: its public
// bucket fails the gate. The scan said "0 findings, 1 file" and exited 0.
func TestSlipsVendoredModule(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"main.tf":                   "module \"s3\" {\n  source = \"./vendor/modules/s3\"\n}\n",
		"vendor/modules/s3/main.tf": "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"data\"\n  acl    = \"public-read\"\n}\n",
	})
	out, err := run(t, "scan", "--fail-on", "high", dir)
	if exitCode(err) != 1 || !strings.Contains(out, "vendor/modules/s3/main.tf:3:3: AWS-S3-001 critical") {
		t.Errorf("exit %d, want 1 and the public ACL of the vendored module:\n%s", exitCode(err), out)
	}
}

// OpenTofu reads main.tofu instead of main.tf: a bucket main.tofu makes public fails the gate
// though main.tf keeps it private. Of the two blocks of one address, main.tf's counted alone.
func TestSlipsTofuTwin(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"main.tf":   "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"data\"\n}\n",
		"main.tofu": "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"data\"\n  acl    = \"public-read\"\n}\n",
	})
	out, err := run(t, "scan", "--fail-on", "high", dir)
	if exitCode(err) != 1 || !strings.Contains(out, "main.tofu:3:3: AWS-S3-001 critical") {
		t.Errorf("exit %d, want 1 and the public ACL OpenTofu applies at main.tofu:3:3:\n%s", exitCode(err), out)
	}
}

// A kustomize base vendored where the scan does not look is applied by `kubectl apply -k` when
// an overlay of the workspace lists it: its privileged container fails the gate, as a file
// the base lists alone does. The scan said "0 findings, 1 file" and exited 0.
func TestSlipsKustomizeBaseInVendor(t *testing.T) {
	deployment := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\nspec:\n  selector: {matchLabels: {app: %s}}\n" +
		"  template:\n    metadata: {labels: {app: %s}}\n    spec:\n      containers:\n        - name: c\n          image: acme/%s:1.0\n" +
		"          securityContext:\n            privileged: true\n"
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"overlays/prod/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: prod\n" +
			"resources:\n  - ../../vendor/acme/base\n  - ../../vendor/acme/extra/worker.yaml\n",
		"vendor/acme/base/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - api.yaml\n",
		"vendor/acme/base/api.yaml":           fmt.Sprintf(deployment, "api", "api", "api", "api"),
		"vendor/acme/extra/worker.yaml":       fmt.Sprintf(deployment, "worker", "worker", "worker", "worker"),
		"vendor/acme/extra/unlisted.yaml":     fmt.Sprintf(deployment, "unlisted", "unlisted", "unlisted", "unlisted"),
	})
	out, err := run(t, "scan", "--fail-on", "high", dir)
	for _, want := range []string{"vendor/acme/base/api.yaml:14:25: SYS-CONT-001", "vendor/acme/extra/worker.yaml:14:25: SYS-CONT-001"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q", want)
		}
	}
	if strings.Contains(out, "unlisted") {
		t.Error("a manifest no kustomization lists, in a directory the scan leaves out, was read")
	}
	if exitCode(err) != 1 {
		t.Errorf("exit %d, want 1 for the privileged containers of the vendored base:\n%s", exitCode(err), out)
	}
}

// OpenTofu reads variables.tofu instead of variables.tf: the bucket main.tf declares, whose
// ACL is the variable's default, is public as OpenTofu applies it though Terraform keeps it
// private. Only main.tf's reading counted, and the scan exited 0.
func TestSlipsTofuTwinVariable(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"main.tf":        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"data\"\n  acl    = var.acl\n}\n",
		"variables.tf":   "variable \"acl\" {\n  default = \"private\"\n}\n",
		"variables.tofu": "variable \"acl\" {\n  default = \"public-read\"\n}\n",
	})
	out, err := run(t, "scan", "--fail-on", "high", dir)
	if exitCode(err) != 1 || !strings.Contains(out, "main.tf:3:3: AWS-S3-001 critical") {
		t.Errorf("exit %d, want 1 and the public ACL OpenTofu applies at main.tf:3:3:\n%s", exitCode(err), out)
	}
}

// A line of junk at the end of a manifest's pod spec, or of a Helm template's, left the
// privileged container above it unread: the manifest's findings were all tentative, the
// template was not read at all, and the gate passed both. What is intact is read where it is.
func TestSlipsJunkAfterAPrivilegedContainer(t *testing.T) {
	pod := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\nspec:\n  template:\n    spec:\n      containers:\n" +
		"        - name: app\n          image: \"x:1\"\n          securityContext:\n            privileged: true\n      junk: [\n"
	for name, text := range map[string]string{
		"deploy.yaml":                 fmt.Sprintf(pod, "app"),
		"chart/templates/deploy.yaml": fmt.Sprintf(pod, "{{ .Release.Name }}"),
	} {
		dir := t.TempDir()
		files := map[string]string{name: text}
		if strings.HasPrefix(name, "chart/") {
			files["chart/Chart.yaml"] = "apiVersion: v2\nname: app\nversion: 1.0.0\n"
		}
		writeFiles(t, dir, files)
		out, err := run(t, "scan", "--fail-on", "high", dir)
		if want := name + ":12:25: SYS-CONT-001 high"; exitCode(err) != 1 || !strings.Contains(out, want) {
			t.Errorf("%s: exit %d, want 1 and %q:\n%s", name, exitCode(err), want, out)
		}
	}
}

// A kustomize patch that makes the base's container privileged is what an overlay applies,
// in the overlay or vendored where the scan does not look: the patch was read as a fragment
// of nothing and the base as it is, and the gate passed.
func TestSlipsKustomizePatch(t *testing.T) {
	for _, patch := range []string{"overlay/priv.yaml", "vendor/patches/priv.yaml"} {
		dir := t.TempDir()
		rel, _ := filepath.Rel("overlay", patch)
		writeFiles(t, dir, map[string]string{
			"base/kustomization.yaml": "resources:\n  - deploy.yaml\n",
			"base/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n" +
				"      containers:\n        - name: api\n          image: acme/api:1.0\n        - name: log\n          image: acme/log:1.0\n",
			"overlay/kustomization.yaml": "resources:\n  - ../base\npatches:\n  - path: " + filepath.ToSlash(rel) + "\n",
			patch: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n" +
				"      containers:\n        - name: api\n          securityContext:\n            privileged: true\n",
		})
		out, err := run(t, "scan", "--fail-on", "high", dir)
		if exitCode(err) != 1 || !strings.Contains(out, patch+":11:25: SYS-CONT-001 high") {
			t.Errorf("%s: exit %d, want 1 and the privileged container the patch makes:\n%s", patch, exitCode(err), out)
		}
	}
}

// Patches a kustomization writes in itself — JSON 6902 operations for a target, a strategic
// merge patch — are applied as patch files are: the host network one turns on and the
// privileged container the other makes fail the gate, where each is written.
func TestSlipsKustomizeInlinePatch(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"base/kustomization.yaml": "resources:\n  - deploy.yaml\n",
		"base/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n" +
			"      containers:\n        - name: api\n          image: acme/api:1.0\n          securityContext:\n            runAsNonRoot: true\n",
		"overlay/kustomization.yaml": "resources:\n  - ../base\npatches:\n" +
			"  - target:\n      kind: Deployment\n      name: api\n    patch: |-\n" +
			"      - op: add\n        path: /spec/template/spec/hostNetwork\n        value: true\n" +
			"      - op: remove\n        path: /spec/template/spec/containers/0/securityContext/runAsNonRoot\n" +
			"  - patch: |-\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata:\n        name: api\n" +
			"      spec:\n        template:\n          spec:\n            containers:\n              - name: api\n" +
			"                securityContext:\n                  privileged: true\n",
	})
	out, err := run(t, "scan", "--fail-on", "high", dir)
	for _, want := range []string{"overlay/kustomization.yaml:7:12: SYS-CONT-003 high", "overlay/kustomization.yaml:13:12: SYS-CONT-001 high",
		"overlay/kustomization.yaml:7:12: SYS-CONT-002 medium"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q", want)
		}
	}
	if exitCode(err) != 1 {
		t.Errorf("exit %d, want 1:\n%s", exitCode(err), out)
	}
}

// A Compose service that extends a service of another file inherits what that file says:
// a privileged base in common.yml, a file no Compose tool finds by its name, passed the gate
// unread, said only by a low problem. The file is not read as Compose, and the gate says so
// (TLS-009, whose severity is a setting); a base file Compose's names make threatls read is
// read even where the scan does not look (vendor/), and the service inherits what it says:
// api is privileged where the base says so.
func TestSlipsComposeExtendsAnotherFile(t *testing.T) {
	for _, base := range []string{"common.yml", "docker-compose.base.yml", "vendor/acme/docker-compose.base.yml"} {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{
			"docker-compose.yml": "services:\n  api:\n    extends:\n      file: " + base + "\n      service: base\n    image: acme/api:1.0\n",
			base:                 "services:\n  base:\n    image: acme/base:1.0\n    privileged: true\n",
		})
		out, err := run(t, "scan", "--fail-on", "high", dir)
		if exitCode(err) != 1 {
			t.Errorf("%s: exit %d, want 1:\n%s", base, exitCode(err), out)
		}
		want := "docker-compose.yml:3:5: TLS-009 high"
		if base != "common.yml" {
			want = base + ":4:5: SYS-CONT-001 high [ElevationOfPrivilege] api runs a privileged container"
		}
		if !strings.Contains(out, want) {
			t.Errorf("%s: no %q:\n%s", base, want, out)
		}
	}
	// The setting says how much an unread base weighs.
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"docker-compose.yml": "services:\n  api:\n    extends:\n      file: common.yml\n      service: base\n",
		"common.yml":         "services:\n  base:\n    privileged: true\n",
	})
	if out, err := run(t, "scan", "--fail-on", "high", "--not-analysed-severity", "low", dir); exitCode(err) != 0 || !strings.Contains(out, "TLS-009 low") {
		t.Errorf("--not-analysed-severity low: exit %d, want 0 and TLS-009 low:\n%s", exitCode(err), out)
	}
}
