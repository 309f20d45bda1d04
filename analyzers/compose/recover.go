package compose

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// maxRecover bounds how many broken entries decode blanks out before it gives up.
const maxRecover = 8

// decode reads the first document of a Compose file (Compose reads no other). When it does
// not parse, the entry that breaks it — a service, or a top-level key — is blanked out
// (replaced by spaces, so that offsets stay true) and the rest is read again. The decoder's
// first error is the problem reported, saying what was skipped.
//
// The entry blamed is the one holding the line the decoder names, when the text parses up
// to its start and not up to its end; otherwise (the decoder often names the start of the
// enclosing mapping) a binary search finds the first entry whose end ends a prefix of the
// file that does not parse.
func decode(src []byte, file string) (*yamlnode.Node, []model.Problem) {
	docs, problems := yamlnode.Parse(src, file)
	if len(docs) == 0 {
		return nil, problems
	}
	if docs[0].Root != nil || len(problems) == 0 || problems[0].Span.End.Offset > docs[0].Span.End.Offset {
		return docs[0].Root, problems
	}
	e := newEntries(src[:docs[0].Span.End.Offset], file)
	first, line := problems[0], int(problems[0].Span.Start.Line)
	var skipped []string
	for i := range maxRecover {
		k, ok := e.at(line)
		if !ok || !e.confirm(k) {
			k, ok = e.search()
		}
		if !ok || !e.blank(k) {
			break
		}
		d, ps := yamlnode.Parse(e.text, file)
		if i == 0 && !e.span(k).Contains(model.Span{File: file, Start: first.Span.Start, End: first.Span.Start}) {
			// The decoder named the start of an enclosing mapping: point at the entry.
			sp := e.span(k)
			n := firstLineLen(src[sp.Start.Offset:])
			first.Span = model.Span{File: file, Start: sp.Start, End: sp.Start}
			first.Span.End.Offset += int32(n)
			first.Span.End.Col += int32(n)
		}
		skipped = append(skipped, e.name(k))
		if len(d) > 0 && d[0].Root != nil {
			first.Message = strings.TrimSuffix(first.Message, "; the rest of this document is ignored") +
				"; " + strings.Join(skipped, ", ") + " skipped"
			return d[0].Root, append([]model.Problem{first}, problems[1:]...)
		}
		if len(ps) == 0 {
			break
		}
		line = int(ps[0].Span.Start.Line)
	}
	return nil, problems
}

// A byte order mark may come before it, at the top of the file.
var servicesLine = regexp.MustCompile(`^(\x{FEFF})?services:\s*(#.*)?$`)

// indent returns the column a line's content starts at (a tab, which YAML forbids in
// indentation, counting as 8), or -1 for a blank or comment line.
func indent(l []byte) int {
	n := 0
	for i, c := range l {
		switch c {
		case ' ':
			n++
		case '\t':
			n += 8 - n%8
		case '\r', '\n':
			return -1
		case '#':
			if i == 0 || l[i-1] == ' ' || l[i-1] == '\t' {
				return -1
			}
			return n
		default:
			return n
		}
	}
	return -1
}

// firstLineLen returns the length of b's first line, without its line break and trailing
// spaces.
func firstLineLen(b []byte) int {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return len(bytes.TrimRight(b, " \t\r"))
}

// entries are the entries of a Compose file's text: top-level keys, and services.
type entries struct {
	file  string
	src   []byte // the source
	text  []byte // a copy of the source, blanked entry by entry
	lines [][]byte
	offs  []int // offs[i] is where line i starts; offs[len(lines)] the end
	// bounds are the first lines of the entries, from 0, then len(lines).
	bounds []int
}

func newEntries(src []byte, file string) *entries {
	e := &entries{file: file, src: src, text: append([]byte(nil), src...)}
	e.lines = bytes.SplitAfter(e.text, []byte("\n"))
	e.offs = make([]int, len(e.lines)+1)
	for i, l := range e.lines {
		e.offs[i+1] = e.offs[i] + len(l)
	}
	e.bounds = []int{0}
	level := -1 // the indentation of services, while inside services:
	for i, l := range e.lines {
		in := indent(l)
		switch {
		case in < 0:
			continue
		case in == 0:
			level = -1
			if servicesLine.Match(bytes.TrimRight(l, "\r\n")) {
				level = 0
			}
		case level == 0:
			level = in
		case in != level:
			continue
		}
		if i > 0 {
			e.bounds = append(e.bounds, i)
		}
	}
	e.bounds = append(e.bounds, len(e.lines))
	return e
}

// at returns the entry holding line, unless line is where services: is written (the
// decoder names it for an error anywhere under it).
func (e *entries) at(line int) (int, bool) {
	k := sort.SearchInts(e.bounds, line+1) - 1
	if k < 0 || k+1 >= len(e.bounds) || line >= len(e.lines) ||
		servicesLine.Match(e.line(line)) {
		return 0, false
	}
	return k, true
}

// parses reports whether the text up to line parses.
func (e *entries) parses(line int) bool {
	d, _ := yamlnode.Parse(e.text[:e.offs[line]], e.file)
	return len(d) == 0 || !d[0].Failed()
}

// confirm reports whether entry k is the first that breaks the text: the text up to its
// start parses, up to its end it does not.
func (e *entries) confirm(k int) bool {
	return e.parses(e.bounds[k]) && !e.parses(e.bounds[k+1])
}

// search returns the first entry such that the text up to its end does not parse.
func (e *entries) search() (int, bool) {
	parses := e.parses
	lo, hi := 0, len(e.bounds)-1
	if parses(e.bounds[hi]) {
		return 0, false
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if parses(e.bounds[mid]) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, true
}

// blank replaces entry k with spaces, keeping line breaks; false when it already was.
func (e *entries) blank(k int) bool {
	changed := false
	for i := e.offs[e.bounds[k]]; i < e.offs[e.bounds[k+1]]; i++ {
		if c := e.text[i]; c != '\n' && c != ' ' {
			e.text[i] = ' '
			changed = true
		}
	}
	return changed
}

// line returns line i of the source, without its line break.
func (e *entries) line(i int) []byte {
	return bytes.TrimRight(e.src[e.offs[i]:e.offs[i+1]], "\r\n")
}

// span returns where entry k starts (its key) and ends.
func (e *entries) span(k int) model.Span {
	start, end := e.bounds[k], e.bounds[k+1]
	l := e.line(start)
	in := len(l) - len(bytes.TrimLeft(l, " \t"))
	return model.Span{File: e.file,
		Start: model.At(e.offs[start]+in, start, in),
		End:   model.At(e.offs[end], end, 0)}
}

// name says what entry k is: service "api", or networks:.
func (e *entries) name(k int) string {
	l := e.line(e.bounds[k])
	key, _, _ := strings.Cut(string(bytes.TrimSpace(l)), ":")
	key = strings.TrimSpace(key)
	if indent(l) > 0 {
		return fmt.Sprintf("service %q", key)
	}
	return key + ":"
}
