package terraform_test

import (
	"slices"
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
