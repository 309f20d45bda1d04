package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// A report of a large workspace holds tens of thousands of findings: built whole, then
// encoded, it cost several times its own size in memory (a 46 MB JSON report of 5,000 files
// took the scan from 650 to 910 MB). The reports are written as they are encoded: the
// document around the findings first, then each finding as it is made.

// streamPlaceholder stands in the document for the array that is written element by element.
const streamPlaceholder = "\x00threatls-stream\x00"

// writeStreamed writes doc — whose one field holding streamPlaceholder is an array of n
// elements that elem makes, in order — exactly as an encoder with an indent of two spaces
// and no HTML escaping writes the whole document, without holding the array.
func writeStreamed(w io.Writer, doc any, n int, elem func(i int) (any, error)) error {
	head, err := encodeIndented(doc, "")
	if err != nil {
		return err
	}
	mark, _ := json.Marshal(streamPlaceholder)
	at := bytes.Index(head, mark)
	if at < 0 {
		return fmt.Errorf("internal error: the document has no place for its array")
	}
	line := bytes.LastIndexByte(head[:at], '\n') + 1
	depth := len(head[line:at]) - len(bytes.TrimLeft(head[line:at], " "))
	inner := strings.Repeat(" ", depth+2)
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(head[:at])
	if n == 0 {
		bw.WriteString("[]")
	} else {
		bw.WriteByte('[')
		for i := range n {
			v, err := elem(i)
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
	}
	bw.Write(head[at+len(mark):])
	return bw.Flush()
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
