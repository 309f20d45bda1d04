package parse

import (
	"context"
	"testing"
)

// TestFlattenMatchesNodes checks that a Flat holds what walking the tree's nodes reads, on a
// text with a syntax error among well-formed blocks.
func TestFlattenMatchesNodes(t *testing.T) {
	src := []byte(`resource "aws_s3_bucket" "b" {
  bucket = "logs-${var.env}"
  tags   = { Name = "x", Team = local.team }
}

resource "aws_db_instance" "db" {
  storage_encrypted = 
}

locals {
  policy = <<-EOT
    {"Version": "2012-10-17"}
  EOT
}
`)
	tr, err := Parse(context.Background(), HCL, src)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	f := tr.Flatten()
	i := int32(0)
	var walk func(n *Node, parent int32, field string)
	walk = func(n *Node, parent int32, field string) {
		me := i
		if int(me) >= len(f.Nodes) {
			t.Fatalf("the flat tree has %d nodes, fewer than the tree", len(f.Nodes))
		}
		fn := f.Nodes[me]
		sp, ep := n.StartPosition(), n.EndPosition()
		if f.Kind(me) != n.Kind() || f.Field(me) != field || fn.Parent != parent ||
			fn.StartByte != uint32(n.StartByte()) || fn.EndByte != uint32(n.EndByte()) ||
			fn.StartRow != uint32(sp.Row) || fn.StartCol != uint32(sp.Column) ||
			fn.EndRow != uint32(ep.Row) || fn.EndCol != uint32(ep.Column) ||
			fn.ChildCount != uint32(n.ChildCount()) ||
			(fn.Flags&FlatNamed != 0) != n.IsNamed() || (fn.Flags&FlatMissing != 0) != n.IsMissing() ||
			(fn.Flags&FlatError != 0) != n.IsError() || (fn.Flags&FlatHasError != 0) != n.HasError() {
			t.Fatalf("node %d: flat %+v (%s, field %q), tree %s (field %q) at %d", me, fn, f.Kind(me), f.Field(me), n.Kind(), field, n.StartByte())
		}
		i++
		prev := int32(-1)
		for c := uint(0); c < n.ChildCount(); c++ {
			if c == 0 && fn.FirstChild != i {
				t.Fatalf("node %d: first child %d, want %d", me, fn.FirstChild, i)
			}
			if prev >= 0 && f.Nodes[prev].NextSibling != i {
				t.Fatalf("node %d: next sibling %d, want %d", prev, f.Nodes[prev].NextSibling, i)
			}
			prev = i
			walk(n.Child(c), me, n.FieldNameForChild(uint32(c)))
		}
	}
	walk(tr.Root(), -1, "")
	if int(i) != len(f.Nodes) {
		t.Fatalf("walked %d nodes, the flat tree has %d", i, len(f.Nodes))
	}
	if !tr.Root().HasError() {
		t.Fatal("the text was meant to hold a syntax error")
	}
}
