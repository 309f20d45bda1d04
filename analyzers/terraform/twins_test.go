package terraform_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/terraform"
	"github.com/threatls/threatls/model"
)

// A resource that main.tofu declares otherwise than main.tf is what OpenTofu applies, and is
// built as OpenTofu reads the directory, beside Terraform's: a bucket main.tofu makes public
// was read as main.tf's private one. A resource both declare alike is built once, and one
// only main.tf declares is Terraform's alone. The blocks nested in a twin are the twin's.
func TestTofuTwins(t *testing.T) {
	files := map[string]string{
		"m/main.tf": "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"data\"\n}\n" +
			"resource \"aws_s3_bucket\" \"same\" {\n  bucket = \"same\"\n}\n" +
			"resource \"aws_security_group\" \"web\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [\"10.0.0.0/8\"]\n  }\n}\n",
		"m/main.tofu": "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"data\"\n  acl    = \"public-read\"\n}\n" +
			"resource \"aws_s3_bucket\" \"same\" {\n  bucket = \"same\"\n}\n" +
			"resource \"aws_security_group\" \"web\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n",
		"m/other.tf": "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n",
	}
	var facts []*model.FileFacts
	for _, name := range []string{"m/main.tf", "m/main.tofu", "m/other.tf"} {
		facts = append(facts, extractSrc(t, name, []byte(files[name])))
	}
	byID := map[string]*model.Element{}
	var ids []string
	for _, e := range terraform.New().Link(facts) {
		byID[e.ID] = e
		ids = append(ids, e.ID)
	}
	b, twin := byID["terraform:m/aws_s3_bucket.b"], byID["terraform:m/aws_s3_bucket.b@main.tofu"]
	if b == nil || twin == nil {
		t.Fatalf("want the bucket as Terraform and as OpenTofu read it: %v", ids)
	}
	if acl, _ := b.Attrs.Get("public_acl"); acl.Value == true || b.Span.File != "m/main.tf" {
		t.Errorf("Terraform's bucket: public_acl %+v at %s, want not public, in main.tf", acl, b.Span)
	}
	if acl, _ := twin.Attrs.Get("public_acl"); acl.Value != true || twin.Span.File != "m/main.tofu" || twin.Name != "aws_s3_bucket.b" {
		t.Errorf("OpenTofu's bucket %q: public_acl %+v at %s, want public, in main.tofu", twin.Name, acl, twin.Span)
	}
	rule := byID["terraform:m/aws_security_group.web.ingress[0]@main.tofu"]
	if rule == nil || rule.Parent != "terraform:m/aws_security_group.web@main.tofu" {
		t.Errorf("OpenTofu's ingress rule %+v, want one whose parent is OpenTofu's group", rule)
	}
	for _, id := range ids {
		if id == "terraform:m/aws_s3_bucket.same@main.tofu" || id == "terraform:m/aws_s3_bucket.logs@main.tofu" {
			t.Errorf("%s: a resource declared alike, or by main.tf's sibling alone, is built once", id)
		}
	}
	if !slices.Contains(ids, "terraform:m/aws_s3_bucket.logs") {
		t.Errorf("other.tf's bucket is missing: %v", ids)
	}
}

// A variable, a local or a provider that a .tofu twin declares otherwise changes what OpenTofu
// applies of resources declared alike in other files: each element OpenTofu's reading makes
// otherwise is added beside Terraform's (with the .tofu file's name), a block nested in one
// with it; what reads nothing that differs, and a twin that differs only in its layout, add
// nothing.
func TestTofuTwinVariables(t *testing.T) {
	link := func(files map[string]string) map[string]*model.Element {
		var facts []*model.FileFacts
		for _, name := range slices.Sorted(maps.Keys(files)) {
			facts = append(facts, extractSrc(t, name, []byte(files[name])))
		}
		byID := map[string]*model.Element{}
		for _, e := range terraform.New().Link(facts) {
			byID[e.ID] = e
		}
		return byID
	}
	main := "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"data\"\n  acl    = var.acl\n}\n" +
		"resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n" +
		"resource \"aws_security_group\" \"web\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [local.cidr]\n  }\n}\n"
	byID := link(map[string]string{
		"m/main.tf":        main,
		"m/variables.tf":   "variable \"acl\" {\n  default = \"private\"\n}\nlocals {\n  cidr = \"10.0.0.0/8\"\n}\n",
		"m/variables.tofu": "variable \"acl\" {\n  default = \"public-read\"\n}\nlocals {\n  cidr = \"0.0.0.0/0\"\n}\n",
	})
	b, twin := byID["terraform:m/aws_s3_bucket.b"], byID["terraform:m/aws_s3_bucket.b@variables.tofu"]
	if b == nil || twin == nil {
		t.Fatalf("want the bucket as Terraform and as OpenTofu read it: %v", slices.Sorted(maps.Keys(byID)))
	}
	if acl, _ := b.Attrs.Get("public_acl"); acl.Value == true {
		t.Errorf("Terraform's bucket: public_acl %+v, want not public", acl)
	}
	if acl, _ := twin.Attrs.Get("public_acl"); acl.Value != true || twin.Span.File != "m/main.tf" {
		t.Errorf("OpenTofu's bucket: public_acl %+v at %s, want public, where main.tf declares it", acl, twin.Span)
	}
	if byID["terraform:m/aws_s3_bucket.logs@variables.tofu"] != nil {
		t.Error("a bucket that reads no variable got a twin")
	}
	// The rule's CIDR is the local's: the rule differs, its group (which says nothing of it)
	// does not, and stays the rule's parent.
	rule := byID["terraform:m/aws_security_group.web.ingress[0]@variables.tofu"]
	if rule == nil || rule.Parent != "terraform:m/aws_security_group.web" || fmt.Sprint(rule.Attrs.At("source_cidrs").Value) != "[0.0.0.0/0]" {
		t.Errorf("OpenTofu's ingress rule %v: want one open to 0.0.0.0/0, whose parent is the group", rule)
	}
	if byID["terraform:m/aws_security_group.web@variables.tofu"] != nil {
		t.Error("the group, which reads nothing that differs, got a twin")
	}
	// Laid out otherwise, said alike: no twin.
	byID = link(map[string]string{
		"m/main.tf":        main,
		"m/variables.tf":   "variable \"acl\" {\n  default = \"private\"\n}\nlocals {\n  cidr = \"10.0.0.0/8\"\n}\n",
		"m/variables.tofu": "variable \"acl\" {\n  default     = \"private\"\n}\n\nlocals {\n  cidr   = \"10.0.0.0/8\"\n}\n",
	})
	for id := range byID {
		if strings.Contains(id, "@") {
			t.Errorf("%s: a twin that differs in its layout alone made an element", id)
		}
	}
}
