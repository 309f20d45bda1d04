package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
)

// A report of a large workspace holds tens of thousands of findings: built whole, then
// encoded, it cost several times its own size in memory (a 46 MB JSON report of 5,000 files
// took the scan from 650 to 910 MB). The reports are written as they are encoded: the
// document around the findings first, then each finding as it is made.

// streamed is an array of a document that writeStreamed writes element by element: n
// elements that elem makes, in order. Its place in the document holds streamMark(i), i its
// index among writeStreamed's arrays.
type streamed struct {
	n    int
	elem func(i int) (any, error)
}

// streamMark is what stands in the document for the i-th array that is written element by
// element.
func streamMark(i int) string { return fmt.Sprintf("\x00threatls-stream-%d\x00", i) }

// streamSlice streams the elements of a slice the document already holds.
func streamSlice[T any](xs []T) streamed {
	return streamed{len(xs), func(i int) (any, error) { return xs[i], nil }}
}

// withMarks returns a copy of the struct *v whose fields of the JSON names in names hold
// streamMark(i), i the name's index, and the other exported fields their values: the document
// writeStreamed writes with those arrays streamed (TestDocumentJSONIsWhole).
func withMarks(v any, names ...string) any {
	rv := reflect.Indirect(reflect.ValueOf(v))
	rt := rv.Type()
	var fields []reflect.StructField
	var from, mark []int
	for i := range rt.NumField() {
		f := rt.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		k := slices.Index(names, name)
		if k >= 0 {
			f.Type = reflect.TypeFor[any]()
		}
		fields, from, mark = append(fields, f), append(from, i), append(mark, k)
	}
	out := reflect.New(reflect.StructOf(fields)).Elem()
	for j, i := range from {
		if mark[j] >= 0 {
			out.Field(j).Set(reflect.ValueOf(streamMark(mark[j])))
		} else {
			out.Field(j).Set(rv.Field(i))
		}
	}
	return out.Interface()
}

// writeStreamed writes doc — whose fields holding streamMark(i) are the arrays[i] — exactly
// as an encoder with an indent of two spaces and no HTML escaping writes the whole document,
// without holding the arrays' encoding.
func writeStreamed(w io.Writer, doc any, arrays ...streamed) error {
	head, err := encodeIndented(doc, "")
	if err != nil {
		return err
	}
	type place struct {
		at, end int
		a       streamed
	}
	places := make([]place, 0, len(arrays))
	for i, a := range arrays {
		mark, _ := json.Marshal(streamMark(i))
		at := bytes.Index(head, mark)
		if at < 0 {
			return fmt.Errorf("internal error: the document has no place for its array %d", i)
		}
		places = append(places, place{at, at + len(mark), a})
	}
	slices.SortFunc(places, func(x, y place) int { return x.at - y.at })
	bw := bufio.NewWriterSize(w, 64<<10)
	from := 0
	for _, p := range places {
		line := bytes.LastIndexByte(head[:p.at], '\n') + 1
		depth := len(head[line:p.at]) - len(bytes.TrimLeft(head[line:p.at], " "))
		bw.Write(head[from:p.at])
		if err := writeArray(bw, p.a, depth); err != nil {
			return err
		}
		from = p.end
	}
	bw.Write(head[from:])
	return bw.Flush()
}

// writeArray writes a's elements as the array of a field indented by depth spaces.
func writeArray(bw *bufio.Writer, a streamed, depth int) error {
	if a.n == 0 {
		bw.WriteString("[]")
		return nil
	}
	inner := strings.Repeat(" ", depth+2)
	bw.WriteByte('[')
	for i := range a.n {
		v, err := a.elem(i)
		if err != nil {
			return err
		}
		b, err := encodeIndented(v, inner)
		if err != nil {
			return err
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
		bw.WriteString(inner)
		bw.Write(b)
	}
	bw.WriteByte('\n')
	bw.WriteString(strings.Repeat(" ", depth))
	bw.WriteByte(']')
	return nil
}

// encodeIndented encodes v as writeJSON does, each line after the first starting with
// prefix, without the final newline.
func encodeIndented(v any, prefix string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent(prefix, "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	if prefix == "" {
		return b, nil // the whole document keeps its newline
	}
	return bytes.TrimSuffix(b, []byte("\n")), nil
}
