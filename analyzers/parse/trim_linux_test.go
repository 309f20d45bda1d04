package parse

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestReturnMemory: the C memory of a large tree, once closed, leaves the process's resident
// set when ReturnMemory is called (glibc keeps it otherwise: all of it).
//
// Most of it, not all of it every time: in about one run of this package in ten on a loaded
// machine, 53–59 MB of a 190 MB tree stayed, and stayed a second later. malloc_info then
// shows it free in a per-thread arena of four 64 MB heaps, where malloc_trim returns the free
// chunks' pages but not the arena's top; a fixed trim threshold (mallopt M_TRIM_THRESHOLD)
// did not change it, nor did returning the Go heap first. So the bound is half of the
// tree, which a ReturnMemory that returned nothing fails by far.
func TestReturnMemory(t *testing.T) {
	rss := func() int64 {
		b, err := os.ReadFile("/proc/self/statm")
		if err != nil {
			t.Fatal(err)
		}
		var size, res int64
		fmt.Sscan(string(b), &size, &res)
		return res * int64(os.Getpagesize())
	}
	var b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, "resource \"aws_s3_bucket\" \"b%d\" {\n  bucket = \"name-%d\"\n  tags = { a = \"b\" }\n}\n", i, i)
	}
	ReturnMemory() // what earlier tests freed would otherwise hold the new tree unseen
	before := rss()
	tr, err := Parse(context.Background(), HCL, []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	grown := rss() - before
	t.Logf("a tree of %d KB of Terraform: %d MB of C memory, %.0f× its source", b.Len()>>10, grown>>20, float64(grown)/float64(b.Len()))
	if grown < 50<<20 {
		t.Fatalf("the tree of %d KB grew the resident set by %d MB only: the test measures nothing", b.Len()>>10, grown>>20)
	}
	tr.Close()
	ReturnMemory()
	if left := rss() - before; left > grown/2 {
		t.Fatalf("a tree of %d MB closed, %d MB still resident after ReturnMemory", grown>>20, left>>20)
	}
}
