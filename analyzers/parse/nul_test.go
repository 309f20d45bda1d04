package parse

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// A NUL byte is read as a space: no grammar threatls parses allows one, and tree-sitter's
// lexers take it for the end of the text, so everything after it was an error.
func TestNULIsReadAsASpace(t *testing.T) {
	src := []byte("resource \"a\" \"b\" {\n  x = 1\n\x00\n  y = 2 \x00\n}\n")
	tree, err := Parse(context.Background(), HCL, src)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	if tree.Root().HasError() {
		t.Fatalf("the NUL bytes broke the parse: %s", tree.Root().ToSexp())
	}
	if first, n := tree.NUL(); first != 27 || n != 2 {
		t.Errorf("NUL() = %d, %d; want 27, 2", first, n)
	}
	if string(tree.Src) != string(src) {
		t.Error("the tree's text is not the text")
	}
	// A Plain tree's analyzer reads Src: it holds the spaces.
	plain, _ := Parse(context.Background(), Plain, src)
	if first, n := plain.NUL(); first != 27 || n != 2 || string(plain.Src) != strings.ReplaceAll(string(src), "\x00", " ") {
		t.Errorf("a Plain tree: NUL() = %d, %d, Src %q", first, n, plain.Src)
	}
	clean, _ := Parse(context.Background(), Plain, []byte("a: 1\n"))
	if first, n := clean.NUL(); first != -1 || n != 0 {
		t.Errorf("a text without NUL: NUL() = %d, %d", first, n)
	}
}

// A parse's budget is the CPU time the parse uses where the system gives a thread's CPU time
// (Linux), not wall time: wall time also passes for a parse the machine does not run (every
// core busy with other work), and a 2 KB file gave up after 500 ms of it in a loaded CI run.
// Here the wall clock jumps an hour ahead while the parse runs: the parse completes. Where the
// budget is wall time, the same parse gives up, as it says it does.
func TestBudgetIsCPUTime(t *testing.T) {
	var src strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&src, "resource \"aws_s3_bucket\" \"b%d\" {\n  bucket = \"b%d\"\n  tags = { n = %d }\n}\n", i, i, i)
	}
	calls := 0
	wallNow = func() time.Time {
		calls++
		if calls > 1 {
			return time.Now().Add(time.Hour)
		}
		return time.Now()
	}
	defer func() { wallNow = time.Now }()
	tree, err := Parse(context.Background(), HCL, []byte(src.String()))
	if _, cpu := threadCPU(); !cpu {
		if !errors.Is(err, ErrBudget) {
			t.Fatalf("the budget is wall time here: an hour past it, the parse must give up (err %v)", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("the parse gave up on wall time: %v", err)
	}
	defer tree.Close()
	if calls < 3 || tree.Root().HasError() {
		t.Fatalf("%d reads of the clock, error %v: the test needs a parse that checks its budget", calls, tree.Root().HasError())
	}
}
