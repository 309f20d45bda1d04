package parse

import (
	"bytes"
	"context"
	"fmt"
	"testing"
)

// A keystroke in a large file hands the parser a few chunks of text around the edit, not the
// rest of the file at each place it lexes anew (each hand-over is copied into C memory).
func TestReparseReadsLittle(t *testing.T) {
	var b bytes.Buffer
	for i := 0; b.Len() < 2<<20; i++ {
		fmt.Fprintf(&b, "resource \"aws_s3_bucket\" \"b%d\" {\n  bucket = \"bucket-%d\"\n  tags = { Name = \"n%d\" }\n}\n\n", i, i, i)
	}
	text := b.Bytes()
	doc, err := NewDocument(context.Background(), HCL, text)
	if err != nil {
		t.Fatal(err)
	}
	defer doc.Close()
	at := bytes.Index(text[len(text)/2:], []byte(`bucket = "`)) + len(text)/2 + len(`bucket = "`)
	before := handed.Load()
	if err := doc.Apply(context.Background(), []Edit{{Start: at, End: at, Text: "x"}}); err != nil {
		t.Fatal(err)
	}
	if n := handed.Load() - before; n > 8*readChunk {
		t.Errorf("a one-character edit of a %d-byte text handed the parser %d bytes", len(text), n)
	}
	if doc.Tree().Root().HasError() {
		t.Error("the reparsed tree has errors")
	}
}
