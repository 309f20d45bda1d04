package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xeipuuv/gojsonschema"
	"go.yaml.in/yaml/v3"
)

// modelWorkspace writes a small Terraform workspace: a security group open to the internet
// on 443 and a public, unencrypted database of customers (pii).
func modelWorkspace(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := `resource "aws_security_group" "web" {
  name = "web"

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_db_instance" "customers" {
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  storage_encrypted   = false
  publicly_accessible = true
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// schemaErrors validates doc (JSON) against a schema the report package's tests keep.
func schemaErrors(t *testing.T, schema string, doc []byte) []string {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("..", "..", "report", "testdata", "model", schema))
	if err != nil {
		t.Fatal(err)
	}
	res, err := gojsonschema.Validate(gojsonschema.NewReferenceLoader("file://"+filepath.ToSlash(path)),
		gojsonschema.NewBytesLoader(doc))
	if err != nil {
		t.Fatalf("%s: %v", schema, err)
	}
	var out []string
	for _, e := range res.Errors() {
		out = append(out, e.String())
	}
	return out
}

func TestModelMermaid(t *testing.T) {
	out, err := run(t, "model", modelWorkspace(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"flowchart LR\n",
		`n_terraform_aws_db_instance_customers[("aws_db_instance.customers")]`,
		`subgraph z_terraform_aws_security_group_web["aws_security_group.web"]`,
		`n_actor_internet -->|"tcp`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in:\n%s", want, out)
		}
	}
}

func TestModelJSONToFile(t *testing.T) {
	dir := modelWorkspace(t)
	file := filepath.Join(t.TempDir(), "model.json")
	out, err := run(t, "model", "--format", "json", "-o", file, dir)
	if err != nil || out != "" {
		t.Fatalf("err %v, stdout %q", err, out)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version  int
		Elements []struct {
			ID      string
			Sources []string
		}
		Flows []struct{ From, To string }
		Paths []struct {
			Risk           int
			Classification string
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	found := false
	for _, e := range doc.Elements {
		if e.ID == "terraform:./aws_db_instance.customers" {
			found = len(e.Sources) == 1 && e.Sources[0] == "main.tf:12:1"
		}
	}
	if doc.Version != 1 || !found || len(doc.Flows) == 0 || doc.Flows[0].From != "actor:internet" {
		t.Errorf("model JSON:\n%s", b)
	}
	if len(doc.Paths) != 1 || doc.Paths[0].Classification != "pii" {
		t.Errorf("the public database of customers is an attack path: %+v", doc.Paths)
	}
}

func TestModelOTM(t *testing.T) {
	out, err := run(t, "model", "--format", "otm", modelWorkspace(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range schemaErrors(t, "otm-0.2.0.schema.json", []byte(out)) {
		t.Error(e)
	}
	var doc struct {
		Project    struct{ Name string }
		Components []struct {
			ID      string
			Threats []struct{ Threat string }
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	var threats []string
	for _, c := range doc.Components {
		if c.ID == "terraform:./aws_db_instance.customers" {
			for _, th := range c.Threats {
				threats = append(threats, th.Threat)
			}
		}
	}
	if !strings.Contains(strings.Join(threats, " "), "AWS-RDS-") {
		t.Errorf("the database's findings are its threats: %v", threats)
	}
}

func TestModelThreagile(t *testing.T) {
	out, err := run(t, "model", "--format", "threagile", modelWorkspace(t))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := yaml.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	doc, _ := json.Marshal(v)
	for _, e := range schemaErrors(t, "threagile.schema.json", doc) {
		t.Error(e)
	}
	if !strings.Contains(out, "aws_db_instance.customers:") {
		t.Errorf("no technical asset for the database:\n%s", out)
	}
}

func TestModelPaths(t *testing.T) {
	dir := modelWorkspace(t)
	out, err := run(t, "model", "--paths", dir)
	if err != nil {
		t.Fatal(err)
	}
	head := regexp.MustCompile(`(?m)^risk \d+ +aws_db_instance\.customers \(pii\)\n  ` + regexp.QuoteMeta(filepath.Join(dir, "main.tf")) + `:12:1: `)
	if !head.MatchString(out) || !strings.HasSuffix(out, "1 attack path\n") {
		t.Errorf("paths:\n%s", out)
	}
	out, err = run(t, "model", "--paths", "--format", "json", dir)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc) != 2 || len(doc["paths"].([]any)) != 1 {
		t.Errorf("paths as JSON (%v):\n%s", err, out)
	}
}

func TestModelBadFlags(t *testing.T) {
	dir := modelWorkspace(t)
	for _, args := range [][]string{
		{"model", "--format", "svg", dir},
		{"model", "--paths", "--format", "dot", dir},
	} {
		if _, err := run(t, args...); exitCode(err) != 2 {
			t.Errorf("%v: exit %d, want 2", args, exitCode(err))
		}
	}
}
