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
			if err := writeStreamed(&got, wrap(streamPlaceholder), n, func(i int) (any, error) { return es[i], nil }); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), whole) {
				t.Errorf("%d elements at depth %d:\nstreamed:\n%s\nwhole:\n%s", n, depth, got.Bytes(), whole)
			}
		}
	}
}
