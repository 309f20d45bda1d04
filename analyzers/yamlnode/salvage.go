package yamlnode

import (
	"bytes"
	"slices"

	"github.com/threatls/threatls/model"
)

// maxSalvage bounds how many definitions salvage blanks out.
const maxSalvage = 8

// Salvage reads what it can of a text that does not parse: it blanks out the definition at
// the line the decoder stopped at — the line and the lines indented below it, newlines kept so
// that every offset, line and column stays true — and parses again, until the text parses.
// The decoder names a line at or before the fault; when blanking it is not enough, the next
// line is blanked, then the definitions enclosing it. The problems of the first parse are the
// ones reported: they say what is wrong, later parses only what was left out. docs and
// problems are those of the first parse; Salvage returns the documents of the last.
func Salvage(src []byte, file string, docs []*Doc, problems []model.Problem) []*Doc {
	buf := slices.Clone(src)
	tried := map[int]bool{}
	for i := 0; i < maxSalvage; i++ {
		p, ok := failure(docs, problems)
		if !ok {
			break
		}
		l := lineStart(buf, int(p.Span.Start.Offset))
		if blankLine(buf, l) {
			l = nextLine(buf, l)
		}
		for l >= 0 && tried[l] {
			l = parentLine(buf, l)
		}
		if l < 0 {
			break
		}
		tried[l] = true
		blankBlock(buf, l)
		docs, problems = Parse(buf, file)
	}
	return docs
}

// failure returns the first of problems that is in a document of docs that did not parse (the
// others say what was read as spaces).
func failure(docs []*Doc, problems []model.Problem) (model.Problem, bool) {
	for _, p := range problems {
		for _, d := range docs {
			if d.Failed() && d.Span.Start.Offset <= p.Span.Start.Offset && p.Span.Start.Offset <= d.Span.End.Offset {
				return p, true
			}
		}
	}
	return model.Problem{}, false
}

func lineStart(b []byte, off int) int {
	off = min(max(off, 0), len(b))
	return bytes.LastIndexByte(b[:off], '\n') + 1
}

func lineEnd(b []byte, start int) int {
	if i := bytes.IndexByte(b[start:], '\n'); i >= 0 {
		return start + i
	}
	return len(b)
}

// blankLine reports whether the line at start holds nothing but spaces or a comment.
func blankLine(b []byte, start int) bool {
	t := bytes.TrimSpace(b[start:lineEnd(b, start)])
	return len(t) == 0 || t[0] == '#'
}

func indent(b []byte, start int) int {
	line := b[start:lineEnd(b, start)]
	return len(line) - len(bytes.TrimLeft(line, " \t"))
}

// nextLine returns the start of the first line after the one at start that is not blank, or -1.
func nextLine(b []byte, start int) int {
	for l := lineEnd(b, start) + 1; l < len(b); l = lineEnd(b, l) + 1 {
		if !blankLine(b, l) {
			return l
		}
	}
	return -1
}

// parentLine returns the start of the closest line before the one at start that is indented
// less, or -1.
func parentLine(b []byte, start int) int {
	in := indent(b, start)
	for l := start; l > 0; {
		l = lineStart(b, l-1)
		if !blankLine(b, l) && indent(b, l) < in {
			return l
		}
	}
	return -1
}

// blankBlock replaces with spaces the line at start and the lines after it indented more.
func blankBlock(b []byte, start int) {
	in := indent(b, start)
	for l := start; l < len(b); l = lineEnd(b, l) + 1 {
		if l != start && !blankLine(b, l) && indent(b, l) <= in {
			return
		}
		for i := l; i < lineEnd(b, l); i++ {
			if b[i] != '\r' {
				b[i] = ' '
			}
		}
	}
}
