package lsp

import (
	"bytes"
	"container/list"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"go.lsp.dev/protocol"

	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// This file is the only place that converts between byte offsets and LSP positions. Every
// other file goes through a mapper; position_test.go fails on a hand-rolled conversion.

// encoding is the unit an LSP position's character counts, negotiated at initialize.
type encoding int

const (
	encUTF16 encoding = iota // the LSP default: UTF-16 code units
	encUTF8                  // UTF-8 code units, i.e. bytes
)

func (e encoding) kind() protocol.PositionEncodingKind {
	if e == encUTF8 {
		return protocol.PositionEncodingKindUTF8
	}
	return protocol.PositionEncodingKindUTF16
}

// mapper converts between byte offsets into one text and LSP positions. A mapper is
// immutable and safe for concurrent use.
//
// Lines end at "\n", "\r\n" or "\r", as the LSP specifies. Offsets and positions that fall
// outside the text are clamped to it; a position inside a character (between the two halves
// of a surrogate pair, or past the end of a line) is moved to the start of that character (or
// the end of the line). Bytes that are not valid UTF-8 count as one unit each, as the
// U+FFFD an editor shows for them does.
type mapper struct {
	text  []byte
	enc   encoding
	lines []int // offset of the start of each line; lines[0] == 0
}

func newMapper(text []byte, enc encoding) *mapper {
	return &mapper{text: text, enc: enc, lines: lineStarts(text)}
}

// indexed counts the bytes lineStarts has read (tests read it).
var indexed atomic.Int64

// lineStarts returns the offset of the start of each line of text: after "\n", "\r\n" and a
// lone "\r". A text without "\r" is read by bytes.IndexByte (a 4.5 MB file's took 11 ms byte
// by byte). A keystroke's text reads only the lines around its edit (mapper.edited).
func lineStarts(text []byte) []int {
	indexed.Add(int64(len(text)))
	lines := make([]int, 1, bytes.Count(text, []byte{'\n'})+1)
	if bytes.IndexByte(text, '\r') < 0 {
		for i := 0; ; {
			j := bytes.IndexByte(text[i:], '\n')
			if j < 0 {
				return lines
			}
			i += j + 1
			lines = append(lines, i)
		}
	}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			lines = append(lines, i+1)
		case '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			lines = append(lines, i+1)
		}
	}
	return lines
}

// edited returns the mapper of text, the text of m after the edit e (text = e applied to
// m.text), its line index made from m's: the lines before the edit and after it are m's,
// moved; only those around the edit are read again. A keystroke in a 5 MB document read the
// whole text to index it again: 3.5 ms and 2 MB of garbage each, on the path that every
// document notification and the requests after them wait for.
func (m *mapper) edited(e parse.Edit, text []byte) *mapper {
	if !fits(e, m.text, text) {
		return newMapper(text, m.enc)
	}
	delta := len(text) - len(m.text)
	// The lines read again: from the start of the line before the edit's (a "\r" that ends it
	// may pair with a "\n" the edit brings) to the start of the second line after the edit's
	// end (the same, after it). Outside them every line start is m's, moved by delta.
	first := max(m.lineOf(e.Start)-1, 0)
	last := m.lineOf(e.End) + 2 // the index of the first line start kept after the edit
	from := m.lines[first]
	to := len(text) // where the lines read again end, in text
	if last < len(m.lines) {
		to = m.lines[last] + delta
	}
	lines := make([]int, 0, len(m.lines)+strings.Count(e.Text, "\n")+1)
	lines = append(lines, m.lines[:first]...)
	for _, l := range lineStarts(text[from:to]) {
		if from+l < to || to == len(text) && last >= len(m.lines) {
			lines = append(lines, from+l)
		}
	}
	if last < len(m.lines) {
		for _, l := range m.lines[last:] {
			lines = append(lines, l+delta)
		}
	}
	return &mapper{text: text, enc: m.enc, lines: lines}
}

// lineOf returns the line that holds the byte offset off.
func (m *mapper) lineOf(off int) int {
	return sort.Search(len(m.lines), func(i int) bool { return m.lines[i] > off }) - 1
}

// position returns the LSP position of a byte offset.
func (m *mapper) position(offset int) protocol.Position {
	offset = min(max(offset, 0), len(m.text))
	for offset > 0 && offset < len(m.text) && !utf8.RuneStart(m.text[offset]) {
		offset--
	}
	line := m.lineOf(offset)
	start := m.lines[line]
	// An offset between "\r" and "\n" belongs to the line the pair ends.
	if end := m.lineEnd(line); offset > end {
		offset = end
	}
	return protocol.Position{Line: uint32(line), Character: uint32(m.units(m.text[start:offset]))}
}

// offset returns the byte offset of an LSP position.
func (m *mapper) offset(p protocol.Position) int {
	if int(p.Line) >= len(m.lines) {
		return len(m.text)
	}
	start, end := m.lines[p.Line], m.lineEnd(int(p.Line))
	want := int(p.Character)
	if m.enc == encUTF8 {
		off := min(start+want, end)
		for off > start && off < len(m.text) && !utf8.RuneStart(m.text[off]) {
			off--
		}
		return off
	}
	off, units := start, 0
	for off < end {
		r, size := utf8.DecodeRune(m.text[off:end])
		n := 1
		if r >= 0x10000 && size > 1 {
			n = 2
		}
		if units+n > want {
			break
		}
		units += n
		off += size
	}
	return off
}

// rangeOf returns the LSP range of the bytes [start, end).
func (m *mapper) rangeOf(start, end int) protocol.Range {
	if end < start {
		end = start
	}
	return protocol.Range{Start: m.position(start), End: m.position(end)}
}

// span returns the byte offsets [start, end) of an LSP range; a reversed range is emptied
// at its start.
func (m *mapper) span(r protocol.Range) (start, end int) {
	start, end = m.offset(r.Start), m.offset(r.End)
	if end < start {
		end = start
	}
	return start, end
}

// lineEnd returns the offset of the line terminator of line (or the end of the text).
func (m *mapper) lineEnd(line int) int {
	if line+1 >= len(m.lines) {
		return len(m.text)
	}
	end := m.lines[line+1] - 1 // the '\n' or lone '\r'
	if m.text[end] == '\n' && end > m.lines[line] && m.text[end-1] == '\r' {
		end--
	}
	return end
}

// units counts the position units of b.
func (m *mapper) units(b []byte) int {
	if m.enc == encUTF8 {
		return len(b)
	}
	return model.UTF16Len(b)
}

// contains reports whether the byte offset off lies in [start, end], the end included so
// that a cursor just after an underlined word still finds it.
func contains(start, end, off int) bool { return start <= off && off <= end }

// overlaps reports whether [s1, e1] and [s2, e2] share at least one offset.
func overlaps(s1, e1, s2, e2 int) bool { return s1 <= e2 && s2 <= e1 }

// mappers caches the mappers of the two latest texts of each document an editor holds (the
// editor's, and the newest snapshot's, which may lag behind), so that the line index of a
// large document is built once per version of its text, not once per request; and the
// mappers of the latest text of the closedMappers files not open used last (the places of
// the diagnostics of a workspace, mostly).
type mappers struct {
	mu    sync.Mutex
	byKey map[string][2]*mapper
	// next is, by file, the edit a document notification is about to make of the text of a
	// mapper: the text it makes gets its mapper from that one's (see expect).
	next map[string]nextEdit
	// open are the documents an editor holds; closed the other files with a mapper, the
	// one used last first, and where each is in it.
	open     map[string]bool
	closed   *list.List
	inClosed map[string]*list.Element
}

// closedMappers is how many files not open keep a mapper. Kept for every file whose
// diagnostics were published, they held a line index of each file of the workspace, and the
// text of its version before the last (8 bytes a line: 19 MB for the 2.4 million lines of the
// 20,000 files of BenchmarkProtocol); a file's index is made again in the time it takes to
// find its line ends.
const closedMappers = 256

type nextEdit struct {
	from *mapper
	e    parse.Edit
}

func newMappers() *mappers {
	return &mappers{byKey: map[string][2]*mapper{}, next: map[string]nextEdit{},
		open: map[string]bool{}, closed: list.New(), inClosed: map[string]*list.Element{}}
}

// get returns the mapper of text, a text of the file key.
func (ms *mappers) get(key string, text []byte, enc encoding) *mapper {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	pair := ms.byKey[key]
	for _, m := range pair {
		if m != nil && m.enc == enc && sameSlice(m.text, text) {
			ms.used(key)
			return m
		}
	}
	var m *mapper
	if n, ok := ms.next[key]; ok && n.from.enc == enc && n.makes(text) {
		m = n.from.edited(n.e, text)
	} else {
		m = newMapper(text, enc)
	}
	if ms.open[key] {
		ms.byKey[key] = [2]*mapper{m, pair[0]}
	} else {
		ms.byKey[key] = [2]*mapper{m, nil} // the text on disk: the one before is gone
	}
	ms.used(key)
	return m
}

// used records that the mapper of key was just used: a file not open becomes the first of
// closed, and the last one goes when there are more than closedMappers.
func (ms *mappers) used(key string) {
	if ms.open[key] {
		return
	}
	if e, ok := ms.inClosed[key]; ok {
		ms.closed.MoveToFront(e)
		return
	}
	ms.inClosed[key] = ms.closed.PushFront(key)
	for ms.closed.Len() > closedMappers {
		last := ms.closed.Remove(ms.closed.Back()).(string)
		delete(ms.inClosed, last)
		delete(ms.byKey, last)
	}
}

// hold records that an editor opened the file key: its mappers are kept until it is closed.
func (ms *mappers) hold(key string) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	ms.open[key] = true
	if e, ok := ms.inClosed[key]; ok {
		ms.closed.Remove(e)
		delete(ms.inClosed, key)
	}
}

// expect records that the text of from, a mapper of the file key, is about to be edited by
// e: the mapper of the text that makes is made from from's when first asked for. (Made after
// the edit was staged, it came too late when the model's update of the new text was
// published first.)
func (ms *mappers) expect(key string, from *mapper, e parse.Edit) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	ms.next[key] = nextEdit{from: from, e: e}
}

// forget drops what the mappers know of the file key (the editor closed it).
func (ms *mappers) forget(key string) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	delete(ms.byKey, key)
	delete(ms.next, key)
	delete(ms.open, key)
	if e, ok := ms.inClosed[key]; ok {
		ms.closed.Remove(e)
		delete(ms.inClosed, key)
	}
}

// fits reports whether e is an edit of old whose result is as long as text.
func fits(e parse.Edit, old, text []byte) bool {
	return e.Start >= 0 && e.Start <= e.End && e.End <= len(old) && len(text) == len(old)-(e.End-e.Start)+len(e.Text)
}

// makes reports whether text is the edit applied to the mapper's text, byte for byte.
func (n nextEdit) makes(text []byte) bool {
	old, e := n.from.text, n.e
	if !fits(e, old, text) {
		return false
	}
	mid := e.Start + len(e.Text)
	return string(text[e.Start:mid]) == e.Text && bytes.Equal(text[:e.Start], old[:e.Start]) && bytes.Equal(text[mid:], old[e.End:])
}

// sameSlice reports whether a and b are the same bytes in memory (texts are immutable).
func sameSlice(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
