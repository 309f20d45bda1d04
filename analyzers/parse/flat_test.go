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

// TestFlattenAtMatchesFlatten checks that the children Top and Children list, and the
// subtree FlattenAt copies of each, are what the whole tree's Flatten holds at their place.
func TestFlattenAtMatchesFlatten(t *testing.T) {
	src := []byte("# a comment\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"logs-${var.env}\"\n  versioning { enabled = true }\n}\n\nlocals {\n  x = [1, 2, { a = local.y }]\n}\n")
	tr, err := Parse(context.Background(), HCL, src)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	full := tr.Flatten()
	top, ok := tr.Top()
	if !ok || top.StartByte != full.Nodes[0].StartByte || top.EndByte != full.Nodes[0].EndByte || top.Sym != full.Nodes[0].Sym {
		t.Fatalf("Top = %+v, the flat root is %+v", top.FlatNode, full.Nodes[0])
	}
	checked := 0
	var visit func(c Child, at int32)
	visit = func(c Child, at int32) {
		kids := tr.Children(c)
		if len(kids) != int(full.Nodes[at].ChildCount) {
			t.Fatalf("%s at %d: %d children, the flat tree has %d", tr.KindOf(c), c.StartByte, len(kids), full.Nodes[at].ChildCount)
		}
		k := full.Nodes[at].FirstChild
		for _, kid := range kids {
			want := full.Nodes[k]
			if kid.StartByte != want.StartByte || kid.EndByte != want.EndByte || kid.StartRow != want.StartRow ||
				kid.StartCol != want.StartCol || kid.EndRow != want.EndRow || kid.EndCol != want.EndCol ||
				kid.Sym != want.Sym || kid.Field != want.Field || kid.Flags != want.Flags || tr.KindOf(kid) != full.Kind(k) {
				t.Fatalf("child at %d: %+v, the flat tree has %+v", kid.StartByte, kid.FlatNode, want)
			}
			sub := tr.FlattenAt(kid)
			for j, n := range sub.Nodes {
				w := full.Nodes[k+int32(j)]
				rebase := func(i int32) int32 {
					if i < 0 {
						return -1
					}
					return i + k
				}
				if j == 0 {
					w.Parent, w.NextSibling = -1, -1
					n.NextSibling = -1
				}
				if n.StartByte != w.StartByte || n.EndByte != w.EndByte || n.Sym != w.Sym || n.Field != w.Field ||
					n.ChildCount != w.ChildCount || rebase(n.FirstChild) != w.FirstChild ||
					(j > 0 && (rebase(n.Parent) != w.Parent || rebase(n.NextSibling) != w.NextSibling)) {
					t.Fatalf("FlattenAt(%s at %d) node %d: %+v, the flat tree has %+v", tr.KindOf(kid), kid.StartByte, j, n, w)
				}
				checked++
			}
			visit(kid, k)
			k = full.Nodes[k].NextSibling
		}
	}
	visit(top, 0)
	if checked < 30 {
		t.Fatalf("only %d nodes compared", checked)
	}
}

// A Flat made from a released one's buffer holds its own tree, nothing of the other's.
func TestReleasedBufferIsReused(t *testing.T) {
	big, err := Parse(context.Background(), HCL, []byte("locals {\n  a = [1, 2, 3, { b = var.c }]\n  d = \"e-${f.g}\"\n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	defer big.Close()
	small, err := Parse(context.Background(), HCL, []byte("x {\n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	want := append([]FlatNode(nil), small.Flatten().Nodes...)
	for range 3 {
		f := big.Flatten()
		f.Release()
		if f.Nodes != nil {
			t.Fatal("a released Flat keeps its nodes")
		}
		got := small.Flatten()
		if len(got.Nodes) != len(want) {
			t.Fatalf("%d nodes after reuse, want %d", len(got.Nodes), len(want))
		}
		for i := range want {
			if got.Nodes[i] != want[i] {
				t.Fatalf("node %d after reuse: %+v, want %+v", i, got.Nodes[i], want[i])
			}
		}
		got.Release()
	}
}
