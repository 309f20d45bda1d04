package terraform_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/terraform"
	"github.com/threatls/threatls/model"
)

func spanText(src []byte, sp model.Span) string { return string(src[sp.Start.Offset:sp.End.Offset]) }

func TestSpans(t *testing.T) {
	src := []byte("# leading\nresource \"aws_db_instance\" \"main\" {\n  engine            = \"postgres\"\n  storage_encrypted = false\n}\n")
	ff, els := link(t, "db/main.tf", src)
	if len(ff.Problems) != 0 {
		t.Fatal(ff.Problems)
	}
	el := els["aws_db_instance.main"]
	if el == nil {
		t.Fatal("no element")
	}
	if el.ID != "terraform:db/aws_db_instance.main" {
		t.Errorf("ID = %s", el.ID)
	}
	if got := spanText(src, el.Head); got != `resource "aws_db_instance" "main"` {
		t.Errorf("head = %q", got)
	}
	if got := spanText(src, el.Span); !strings.HasPrefix(got, "resource") || !strings.HasSuffix(got, "}") {
		t.Errorf("span = %q", got)
	}
	a := el.Attrs.At("encrypted_at_rest")
	if got := spanText(src, a.Span); got != "storage_encrypted = false" {
		t.Errorf("encrypted_at_rest span = %q", got)
	}
	if a.Span.File != "db/main.tf" || a.Span.Start.Line != 3 || a.Span.Start.Col != 2 || a.Span.End.Col != 27 {
		t.Errorf("encrypted_at_rest span = %+v", a.Span)
	}
	d := el.Attrs.At("deletion_protection")
	if d.Origin != model.Defaulted || d.Span != el.Head || d.Note != "deletion_protection defaults to false" {
		t.Errorf("deletion_protection = %+v", d)
	}
}

func TestNotes(t *testing.T) {
	src := []byte(`variable "enc" {}
variable "kms" { default = "aws:kms" }
resource "aws_db_instance" "a" {
  storage_encrypted = var.enc
}
resource "aws_s3_bucket" "b" {}
resource "aws_s3_bucket_server_side_encryption_configuration" "b" {
  bucket = aws_s3_bucket.b.id
  rule {
    apply_server_side_encryption_by_default { sse_algorithm = var.kms }
  }
}
`)
	_, els := link(t, "main.tf", src)
	a := els["aws_db_instance.a"].Attrs.At("encrypted_at_rest")
	if a.Origin != model.Unknown || a.Value != nil || a.Note != "var.enc has no default" {
		t.Errorf("encrypted_at_rest = %+v", a)
	}
	b := els["aws_s3_bucket.b"]
	k := b.Attrs.At("kms_managed_key")
	if k.Value != true || k.Origin != model.Read || k.Note != "from var.kms" || spanText(src, k.Span) != "sse_algorithm = var.kms" {
		t.Errorf("kms_managed_key = %+v", k)
	}
	want := []model.Related{{Span: els["aws_s3_bucket_server_side_encryption_configuration.b"].Head,
		Message: "encryption configured by aws_s3_bucket_server_side_encryption_configuration.b"}}
	if !reflect.DeepEqual(b.Related, want) {
		t.Errorf("related = %+v", b.Related)
	}
	if p := els["aws_s3_bucket_server_side_encryption_configuration.b"].Parent; p != b.ID {
		t.Errorf("companion parent = %q", p)
	}
}

func TestValues(t *testing.T) {
	src := []byte(`locals {
  n     = 42
  f     = 1.5
  neg   = -3
  hex   = 0x10
  s     = "a\"b\\c\u00e9 $${x}"
  t     = ["a", 1, true, null]
  o     = { a = 1, "b" : [2] }
  j     = jsonencode({ k = "v" })
  r     = aws_s3_bucket.b.id
  i     = aws_s3_bucket.b[0].id
  tpl   = "x-${var.y}"
  c     = var.a ? 1 : 2
  h     = <<-EOT
    {
      "a": 1
    }
  EOT
}
`)
	ff := extractSrc(t, "main.tf", src)
	if len(ff.Problems) != 0 {
		t.Fatal(ff.Problems)
	}
	b := ff.Raw.(*terraform.Raw).Blocks[0]
	lit := func(name string) any { return literal(b.Attr(name).Expr) }
	for name, want := range map[string]any{"n": int64(42), "f": 1.5, "neg": int64(-3), "hex": int64(16),
		"s": "a\"b\\c\u00e9 ${x}", "h": "{\n  \"a\": 1\n}\n"} {
		if got := lit(name); !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", name, got, want)
		}
	}
	if got := lit("t"); !reflect.DeepEqual(got, []any{"a", int64(1), true, nil}) {
		t.Errorf("t = %#v", got)
	}
	if o := b.Attr("o").Expr; o.Kind != terraform.Object || !reflect.DeepEqual(o.Keys, []string{"a", "b"}) {
		t.Errorf("o = %+v", o)
	}
	if j := b.Attr("j").Expr; j.Kind != terraform.Object || j.Keys[0] != "k" {
		t.Errorf("j = %+v", j)
	}
	if r := b.Attr("r").Expr; r.Kind != terraform.Ref || r.RefString() != "aws_s3_bucket.b.id" || r.Indexed {
		t.Errorf("r = %+v", r)
	}
	if r := b.Attr("i").Expr; r.Kind != terraform.Ref || r.RefString() != "aws_s3_bucket.b.id" || !r.Indexed {
		t.Errorf("i = %+v", r)
	}
	if e := b.Attr("tpl").Expr; e.Kind != terraform.Template || len(e.Elems) != 2 || e.Elems[0].Lit != "x-" ||
		e.Elems[1].RefString() != "var.y" || e.Text == "" {
		t.Errorf("tpl = %+v, want the template x-${var.y}", e)
	}
	if e := b.Attr("c").Expr; e.Kind != terraform.Cond || len(e.Elems) != 3 || e.Elems[0].RefString() != "var.a" {
		t.Errorf("c = %+v, want a conditional", e)
	}
}

func TestMatch(t *testing.T) {
	a := terraform.New()
	for _, c := range []struct {
		path, lang string
		want       bool
	}{{"infra/main.tf", "", true}, {"main.tf.json", "", false}, {"", "terraform", true}, {"x.yaml", "yaml", false}} {
		if got := a.Match(c.path, c.lang); got != c.want {
			t.Errorf("Match(%q, %q) = %v", c.path, c.lang, got)
		}
	}
	if a.Name() != "terraform" || a.Comment("threatls:ignore X y") != "# threatls:ignore X y" {
		t.Error("Name or Comment")
	}
}

// Link is deterministic and leaves its input as it was.
func TestLinkPure(t *testing.T) {
	facts, _ := workspace(t, "testdata/src/s3")
	before := make([]terraform.Raw, len(facts))
	for i, f := range facts {
		before[i] = *f.Raw.(*terraform.Raw)
	}
	a := terraform.New()
	first := a.Link(facts)
	rev := append([]*model.FileFacts(nil), facts...)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	second := terraform.New().Link(rev)
	if third := a.Link(rev); !reflect.DeepEqual(first, third) {
		t.Error("a cached Link differs")
	}
	if !reflect.DeepEqual(first, second) {
		t.Error("Link depends on the order of its input")
	}
	for i, f := range facts {
		if !reflect.DeepEqual(before[i], *f.Raw.(*terraform.Raw)) {
			t.Errorf("Link modified the facts of %s", f.File)
		}
	}
}

func TestEdgeInputs(t *testing.T) {
	for _, src := range []string{"", "\n", "\xff\xfe\x00", "resource", "resource \"a\" \"b\" {", "}}}}", "a = ",
		"resource \"aws_s3_bucket\" \"b\" { acl = " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + " }",
		"locals { x = " + strings.Repeat("(", 3000) + "1" + strings.Repeat(")", 3000) + " }",
		"# threatls:ignore",
	} {
		ff := extractSrc(t, "e.tf", []byte(src))
		terraform.New().Link([]*model.FileFacts{ff})
		if len(ff.Problems) > 2 {
			t.Errorf("%.20q: %d problems", src, len(ff.Problems))
		}
	}
}

func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		"resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n",
		"variable \"v\" { default = [1, {a = true}] }\nlocals { l = var.v }\n",
		"resource \"aws_iam_policy\" \"p\" {\n  policy = <<EOF\n{\"Statement\": []}\nEOF\n}\n",
		"# threatls:ignore X until=2020-01-01 r\nresource \"a\" \"b\" { x = = }\n",
		"resource \"aws_subnet\" \"s\" { vpc_id = aws_vpc.v.id }\nresource \"aws_vpc\" \"v\" {}\n" +
			"resource \"aws_route\" \"r\" {\n  route_table_id = aws_vpc.v.main_route_table_id\n  destination_cidr_block = \"0.0.0.0/0\"\n  gateway_id = \"igw-1\"\n}\n" +
			"resource \"aws_security_group\" \"g\" {\n  vpc_id = aws_vpc.v.id\n  ingress {\n    security_groups = [aws_security_group.g.id]\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n" +
			"resource \"aws_instance\" \"i\" {\n  subnet_id = aws_subnet.s.id\n  vpc_security_group_ids = [aws_security_group.g.id]\n}\n",
		"resource \"aws_ecs_task_definition\" \"t\" {\n  container_definitions = jsonencode([{ image = \"a:1\", environment = [{ name = \"X_TOKEN\", value = \"v\" }] }])\n}\n" +
			"resource \"aws_ecs_service\" \"s\" {\n  task_definition = aws_ecs_task_definition.t.arn\n  load_balancer { target_group_arn = aws_lb_target_group.g.arn }\n}\n" +
			"resource \"aws_lambda_function_url\" \"u\" { function_name = \"f\" }\nresource \"aws_apigatewayv2_api\" \"a\" {}\n",
	} {
		f.Add([]byte(s))
	}
	f.Add([]byte("variable \"l\" { default = [\"a\"] }\nlocals { m = merge({a = 1}, {b = var.l[0]}) }\n" +
		"resource \"aws_s3_bucket\" \"b\" {\n  for_each = toset(var.l)\n  bucket = format(\"%s-%d\", each.key, local.m.a)\n  acl = var.l[0] == \"a\" ? \"private\" : null\n}\n" +
		"resource \"aws_security_group\" \"g\" {\n  dynamic \"ingress\" {\n    for_each = [22, 443]\n    content { from_port = ingress.value\n cidr_blocks = [cidrsubnet(\"10.0.0.0/16\", 8, ingress.key)] }\n  }\n}\n"))
	a := terraform.New()
	f.Fuzz(func(t *testing.T, src []byte) {
		ff := extractSrc(t, "f.tf", src)
		els := a.Link([]*model.FileFacts{ff})
		syntax := 0
		for _, p := range ff.Problems {
			if strings.HasPrefix(p.Message, "syntax error") {
				syntax++
			}
		}
		if syntax > 1 {
			t.Errorf("%d syntax problems", syntax)
		}
		for _, e := range els {
			if int(e.Span.End.Offset) > len(src) || e.Head.End.Offset > e.Span.End.Offset {
				t.Errorf("%s: span %+v out of range", e.ID, e.Span)
			}
			_, _ = a.Fix(src, e, model.FixOp{Op: "set", Path: "x.y", Value: "1"})
		}
	})
}

// BenchmarkLink links a workspace of 300 files (60 modules of 5 files); Extract is not timed.
func BenchmarkLink(b *testing.B) {
	var facts []*model.FileFacts
	for _, dir := range []string{"s3", "iam", "network", "rds", "volumes"} {
		root := "testdata/src/" + dir
		for m := 0; m < 60; m++ {
			fs, _ := workspace(b, root)
			for _, f := range fs {
				c := *f
				c.File = fmt.Sprintf("m%d/%s", m, f.File)
				facts = append(facts, &c)
			}
		}
	}
	a := terraform.New()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.Link(facts)
	}
}

func TestLocalCycles(t *testing.T) {
	src := "variable \"v\" { default = [var.v, var.v, var.v] }\nlocals {\n  a = [local.a, local.a, local.b, local.b, var.v]\n  b = [local.a, local.b, local.a, local.b]\n}\n" +
		"resource \"aws_kms_key\" \"k\" { enable_key_rotation = local.b }\n"
	_, els := link(t, "main.tf", []byte(src))
	if a := els["aws_kms_key.k"].Attrs.At("key_rotation"); a.Origin != model.Unknown {
		t.Errorf("key_rotation = %+v", a)
	}
}

// A fault after a definition's closing brace (stray characters, a control byte) is not the
// definition's: recovery blanks what follows the definition, and the definitions on both sides
// keep their facts. It blanked the definition before, and with it a public bucket. (A stray
// closing brace still costs the definition before it: its braces do not balance.)
func TestFaultAfterADefinitionKeepsIt(t *testing.T) {
	for _, junk := range []string{"\x01", ")", "  = x", "  ]] garbage"} {
		src := "resource \"aws_s3_bucket\" \"a\" {\n  acl = \"public-read\"\n}\n" + junk + "\n" +
			"resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n"
		ff := extractSrc(t, "m.tf", []byte(src))
		var addrs []string
		for _, e := range terraform.New().Link([]*model.FileFacts{ff}) {
			if e.Type == "aws_s3_bucket" {
				addrs = append(addrs, e.Name)
			}
		}
		if len(addrs) != 2 || len(ff.Problems) != 1 || ff.Problems[0].Span.Start.Line != 3 {
			t.Errorf("%q: buckets %v, problems %v; want both buckets and the fault on line 4", junk, addrs, ff.Problems)
		}
	}
}
