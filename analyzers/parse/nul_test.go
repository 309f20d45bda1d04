package parse

import (
	"context"
	"strings"
	"testing"
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
