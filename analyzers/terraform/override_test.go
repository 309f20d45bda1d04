package terraform_test

import (
	"testing"

	"github.com/threatls/threatls/analyzers/terraform"
	"github.com/threatls/threatls/model"
)

// An override file's blocks merge into the blocks they name, as Terraform merges them: an
// argument replaces the argument, nested blocks of a type replace all of that type, and an
// override file counts after the others whatever its name. Read as more blocks, the override
// was dropped: a bucket public through override.tf was reported private.
func TestOverrideFilesMerge(t *testing.T) {
	files := map[string]string{
		"m/main.tf": `resource "aws_s3_bucket" "b" {
  bucket = "data"
  acl    = "private"
}
resource "aws_security_group" "web" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
`,
		"m/override.tf": `resource "aws_s3_bucket" "b" {
  acl = "public-read"
}
`,
		"m/a_override.tf": `resource "aws_security_group" "web" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`,
	}
	var facts []*model.FileFacts
	for _, name := range []string{"m/a_override.tf", "m/main.tf", "m/override.tf"} {
		facts = append(facts, extractSrc(t, name, []byte(files[name])))
	}
	byName := map[string]*model.Element{}
	for _, e := range terraform.New().Link(facts) {
		byName[e.Name] = e
	}
	b := byName["aws_s3_bucket.b"]
	if b == nil || b.Span.File != "m/main.tf" {
		t.Fatalf("the bucket is main.tf's: %+v", b)
	}
	if acl, ok := b.Attrs.Get("public_acl"); !ok || acl.Value != true || acl.Span.File != "m/override.tf" {
		t.Errorf("public_acl = %+v, want true, read in override.tf", acl)
	}
	in := byName["aws_security_group.web.ingress[0]"]
	if in == nil || in.Span.File != "m/a_override.tf" || byName["aws_security_group.web.ingress[1]"] != nil {
		t.Errorf("the override's ingress replaces both of main.tf's: %+v, second %+v", in, byName["aws_security_group.web.ingress[1]"])
	}
}

// A module call whose source is outside the workspace says so (TLS-010), in every way a file
// is read (a fresh extract, a reextract after an edit): read as nothing, a workspace of
// registry modules looked like one without threats. A local module says nothing.
func TestOutsideModules(t *testing.T) {
	src := "module \"s3\" {\n  source  = \"terraform-aws-modules/s3-bucket/aws\"\n  version = \"4.1.0\"\n}\n" +
		"module \"net\" {\n  source = \"git::https://example.com/net.git?ref=v1\"\n}\n" +
		"module \"local\" {\n  source = \"./local\"\n}\n"
	ff := extractSrc(t, "main.tf", []byte(src))
	var got []string
	for _, p := range ff.Problems {
		if p.Code == model.ProblemOutside {
			got = append(got, p.Span.String())
		}
	}
	if len(got) != 2 || got[0] != "main.tf:2:3" || got[1] != "main.tf:6:3" {
		t.Errorf("outside modules reported at %v, want main.tf:2:3 and main.tf:6:3 (problems %v)", got, ff.Problems)
	}
}

// A local module source that climbs out of the workspace's root (a scan of one environment's
// directory, whose modules are a sibling of it) is outside the workspace too (TLS-010); one
// that climbs and stays inside is not.
func TestOutsideModulesClimbingOut(t *testing.T) {
	src := []byte("module \"s3\" {\n  source = \"../../modules/s3\"\n}\n")
	for file, want := range map[string]int{"infra/prod/main.tf": 0, "prod/main.tf": 1, "main.tf": 1} {
		n := 0
		for _, p := range extractSrc(t, file, src).Problems {
			if p.Code == model.ProblemOutside {
				n++
			}
		}
		if n != want {
			t.Errorf("%s calling ../../modules/s3: %d outside modules, want %d", file, n, want)
		}
	}
}
