package yamlnode

import (
	"bytes"
	"slices"
	"sort"
	"strings"

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
// problems are those of the first parse; Salvage returns the documents of the last, and the
// problems, those of a document it read in part saying so.
func Salvage(src []byte, file string, docs []*Doc, problems []model.Problem) ([]*Doc, []model.Problem) {
	first, reported := docs, slices.Clone(problems)
	buf := slices.Clone(src)
	blankDisallowed(buf) // as Parse reads it: the decodes below are of buf itself
	tried := map[int]bool{}
	for i := 0; i < maxSalvage; i++ {
		p, d, ok := failure(docs, problems)
		if !ok {
			break
		}
		l := lineStart(buf, int(p.Span.Start.Offset))
		if blankLine(buf, l) {
			l = nextLine(buf, l)
		}
		// The decoder often names the start of the mapping that holds the fault, a line that
		// is not at fault itself: the fault is then the first line the document stops parsing
		// at (junk after the last entry of a workflow blanked its top-level entries one by one).
		// When the decoder stops at the end of the text (an unclosed [ on the last line), the
		// search finds the line too.
		start, end := int(d.Span.Start.Offset), int(d.Span.End.Offset)
		if (l < 0 || !tried[l]) && end-start <= maxSearch && !flow(buf[start:end]) && (l < 0 || !breaks(buf, start, l)) {
			if f := firstBreak(buf, start, end); f >= 0 {
				l = f
			}
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
	// A document read in part says so, as Recover's does.
	for i, p := range reported {
		for _, d := range first {
			if d.Failed() && d.Index < len(docs) && docs[d.Index].Root != nil &&
				d.Span.Start.Offset <= p.Span.Start.Offset && p.Span.Start.Offset <= d.Span.End.Offset {
				reported[i].Message = strings.TrimSuffix(p.Message, ignored) + "; the rest of this document is read as far as it is intact"
				break
			}
		}
	}
	return docs, reported
}

// failure returns the first of problems that is in a document of docs that did not parse (the
// others say what was read as spaces), and the document.
func failure(docs []*Doc, problems []model.Problem) (model.Problem, *Doc, bool) {
	for _, p := range problems {
		for _, d := range docs {
			if d.Failed() && d.Span.Start.Offset <= p.Span.Start.Offset && p.Span.Start.Offset <= d.Span.End.Offset {
				return p, d, true
			}
		}
	}
	return model.Problem{}, nil, false
}

// maxSearch bounds the document Salvage searches for its first broken line: each step of the
// search decodes a prefix of it.
const maxSearch = 1 << 20

// flow reports whether a document is a flow collection ({…} or […], JSON): a prefix of one
// never parses, so its broken line cannot be searched for by prefixes.
func flow(doc []byte) bool {
	for l := 0; l < len(doc); l = lineEnd(doc, l) + 1 {
		if t := bytes.TrimSpace(doc[l:lineEnd(doc, l)]); len(t) > 0 && t[0] != '#' {
			return t[0] == '{' || t[0] == '['
		}
	}
	return false
}

// parses reports whether the text decodes.
func parses(text []byte) bool {
	_, _, err := decode(text)
	return err == nil
}

// breaks reports whether the line at l is the first that breaks the document starting at
// start: the document parses up to it, and not up to its end.
func breaks(buf []byte, start, l int) bool {
	return parses(buf[start:l]) && !parses(buf[start:lineEnd(buf, l)])
}

// firstBreak returns the start of the first line of the document buf[start:end] up to whose
// end the document does not parse, or -1: a binary search, on the assumption that a block
// document that does not parse up to a line does not parse up to any later one.
func firstBreak(buf []byte, start, end int) int {
	var lines []int
	for l := start; l < end; l = lineEnd(buf, l) + 1 {
		lines = append(lines, l)
	}
	i := sort.Search(len(lines), func(i int) bool { return !parses(buf[start:min(end, lineEnd(buf, lines[i]))]) })
	if i == len(lines) {
		return -1
	}
	return lines[i]
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
