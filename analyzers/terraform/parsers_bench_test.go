package terraform

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/threatls/threatls/analyzers/parse"
)

// BenchmarkParsers compares reading a generated 1 MB .tf file with tree-sitter and Extract
// (what a load does per file) to HashiCorp's own parser (hclsyntax, a syntax tree only, no
// extraction): whether a second parser for closed files would be worth its cost. On this
// project's 2-core machine: 1.9 MB/s against 3.4 MB/s.
//
//	go test -run '^$' -bench Parsers -benchtime 5x ./analyzers/terraform/
func BenchmarkParsers(b *testing.B) {
	var buf bytes.Buffer
	for i := 0; buf.Len() < 1<<20; i++ {
		fmt.Fprintf(&buf, "resource \"aws_s3_bucket\" \"b%d\" {\n  bucket = \"bucket-${var.x}-%d\"\n  tags = { Name = \"n%d\", x = var.y[0] }\n"+
			"  policy = jsonencode({a = [1,2,3]})\n  count = var.n > 0 ? 1 : 0\n  dynamic \"x\" {\n    for_each = var.z\n    content { a = x.value }\n  }\n}\n\n", i, i, i)
	}
	text := buf.Bytes()
	a := New().(*Analyzer)
	b.Run("tree-sitter+extract", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			t, err := parse.Parse(context.Background(), parse.HCL, text)
			if err != nil {
				b.Fatal(err)
			}
			a.Extract(t, "main.tf")
			t.Close()
		}
	})
	b.Run("hclsyntax", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			if _, d := hclsyntax.ParseConfig(text, "main.tf", hcl.InitialPos); d.HasErrors() {
				b.Fatal(d)
			}
		}
	})
}
