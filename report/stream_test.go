package report

import (
	"bytes"
	"fmt"
	"testing"
)

// writeStreamed writes what encoding the whole document writes, byte for byte: the array at
// any depth, empty or not, with elements that hold HTML characters, nested arrays and
// objects.
func TestStreamedIsWhole(t *testing.T) {
	type elem struct {
		Name  string         `json:"name"`
		Tags  []string       `json:"tags"`
		Attrs map[string]any `json:"attrs"`
	}
	elems := func(n int) []any {
		var out []any
		for i := range n {
			out = append(out, elem{Name: fmt.Sprintf("<a&b> %d", i), Tags: []string{"x", "y"}, Attrs: map[string]any{"n": i, "z": []int{}}})
		}
		return out
	}
	for _, n := range []int{0, 1, 3} {
		for depth, wrap := range []func(any) any{
			func(a any) any { return map[string]any{"version": 1, "findings": a, "skipped": []string{}} },
			func(a any) any { return map[string]any{"runs": []any{map[string]any{"results": a, "tool": "t"}}} },
		} {
			es := elems(n)
			whole, err := encodeIndented(wrap(nonNil(es)), "")
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := writeStreamed(&got, wrap(streamMark(0)), streamSlice(es)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), whole) {
				t.Errorf("%d elements at depth %d:\nstreamed:\n%s\nwhole:\n%s", n, depth, got.Bytes(), whole)
			}
		}
	}
}

// Several arrays are each written in their place, whatever their order in the document and
// in writeStreamed's arguments.
func TestStreamedArraysInPlace(t *testing.T) {
	a, b := []any{"<x>", 1}, []any{}
	c := []any{map[string]any{"k": []int{1, 2}}}
	whole, err := encodeIndented(map[string]any{"a": a, "b": map[string]any{"c": c, "d": true}, "e": b}, "")
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	doc := map[string]any{"a": streamMark(2), "b": map[string]any{"c": streamMark(0), "d": true}, "e": streamMark(1)}
	if err := writeStreamed(&got, doc, streamSlice(c), streamSlice(b), streamSlice(a)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), whole) {
		t.Errorf("streamed:\n%s\nwhole:\n%s", got.Bytes(), whole)
	}
}

// `threatls report --format json` writes the Document, byte for byte as encoding it whole
// would: every field, in its order, the streamed lists in their places.
func TestDocumentJSONIsWhole(t *testing.T) {
	for name, r := range map[string]Result{"fixture": fixture(t), "empty": {Root: "."}} {
		d := NewDocument(r, nil, library(t), DocumentOptions{Version: "test"})
		var whole, got bytes.Buffer
		if err := writeJSON(&whole, d); err != nil {
			t.Fatal(err)
		}
		if err := DocumentJSON(&got, d); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), whole.Bytes()) {
			t.Errorf("%s: DocumentJSON differs from the whole document:\n%s\nwhole:\n%s", name, got.Bytes(), whole.Bytes())
		}
	}
}
