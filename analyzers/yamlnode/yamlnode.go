// Package yamlnode reads YAML files — Kubernetes manifests, docker-compose files, Threagile
// and OTM models, threatls.yaml — into a small tree of nodes that know their byte span, for
// the analyzers of those formats.
//
// Decoding is go.yaml.in/yaml/v3's (anchors, aliases, merge keys, tags, block scalars as YAML
// means them); this package adds what an analyzer needs around it: a multi-document stream is
// split at its `---` lines and each document decoded alone, so that a syntax error costs only
// its document and is reported with its line (and Recover reads again, with tree-sitter's YAML
// grammar, every entry of that document outside the fault); positions become byte offsets;
// aliases share
// the node they refer to instead of copying it, so that an alias bomb stays as small as its
// text, and every walk over the tree is bounded.
package yamlnode

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/threatls/threatls/model"
)

// Kind is what a node is.
type Kind int

// Node kinds.
const (
	Scalar Kind = iota
	Map
	Seq
)

// Node is one YAML node. Nodes reached through an alias are shared: never modify them.
type Node struct {
	Kind Kind
	// Tag is the resolved tag: "!!str", "!!int", "!!bool", "!!null", "!!float", "!!map", …
	Tag string
	// Value is a scalar's value (quotes removed, escapes decoded, block scalars folded).
	Value string
	// Span is where the node is written: for a scalar the value itself, for a collection from
	// its first to its last character.
	Span model.Span
	// Pairs are a map's entries in source order (merge keys `<<` included as written).
	Pairs []Pair
	// Items are a sequence's items.
	Items []*Node
	// Comment is the comment on the node's line, without "#".
	Comment string
}

// Pair is one entry of a map.
type Pair struct {
	Key   *Node
	Value *Node
}

// Doc is one document of a stream.
type Doc struct {
	// Index is the document's position in the file, from 0.
	Index int
	// Root is the document's content; nil for an empty document or one that did not parse.
	Root *Node
	// Span covers the document's text (without its `---` line).
	Span model.Span
	// Recovered is set by Recover on a document that did not parse: Root is then what
	// tree-sitter's grammar recovered of it.
	Recovered bool
	// sum is the hash of the document's text, and decoded whether it decoded without error:
	// what Reparse takes a document over by.
	sum     uint64
	decoded bool
	// cleaning is what of the document's text was read as spaces (clean.go); after, the
	// problem of what follows the document's value (see decode).
	cleaning cleaning
	after    *model.Problem
	// shared is set when an alias makes a node of Root reachable twice.
	shared bool
}

// MaxNodes bounds the nodes any walk visits (Walk, merged Entries): shared nodes reached by
// several aliases count once per visit, so an alias bomb meets this limit instead of
// exhausting memory or time.
const MaxNodes = 100_000

// maxMergeDepth bounds the chain of merge keys (`<<: *a` where a has `<<: *b` …).
const maxMergeDepth = 16

// separators returns where the document separators of src are: the lines that begin with
// `---` or `...` followed by nothing, a blank or a tab (start and end of each, its newline
// excluded). It is the regular expression (?m)^(---|\.\.\.)([ \t].*)?\r?$ written out: a
// keystroke in a 5 MB stream looked for them with it in 76 ms.
func separators(src []byte) [][2]int {
	var out [][2]int
	for i, e := range model.Lines(src) {
		if separator(src[i:e]) {
			out = append(out, [2]int{i, e})
		}
	}
	return out
}

// separator reports whether line (without its newline) is a document marker, --- or ...
func separator(line []byte) bool {
	if len(line) < 3 || !(line[0] == '-' && line[1] == '-' && line[2] == '-' || line[0] == '.' && line[1] == '.' && line[2] == '.') {
		return false
	}
	rest := line[3:]
	return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || string(rest) == "\r"
}

// DocumentAt returns the bytes [lo, hi) of the document of src that holds offset off: from
// the line after the marker before it (or the start of src) to the next marker line (or the
// end). A marker at the start of a line always is one (YAML forbids it in any scalar), so the
// document is found from its own lines, however long the stream.
func DocumentAt(src []byte, off int) (lo, hi int) {
	off = min(max(off, 0), len(src))
	line := bytes.LastIndexByte(src[:off], '\n') + 1
	for s := line; s > 0; {
		p := bytes.LastIndexByte(src[:s-1], '\n') + 1
		if separator(src[p : s-1]) {
			lo = s
			break
		}
		s = p
	}
	hi = len(src)
	for s := line; s < len(src); {
		e := bytes.IndexByte(src[s:], '\n')
		if e < 0 {
			e = len(src)
		} else {
			e += s
		}
		if s != line && separator(src[s:e]) {
			hi = s
			break
		}
		s = e + 1
	}
	return lo, hi
}

// Parse reads every document of src. file is the name spans carry. A document that does not
// parse has a nil Root and a problem at the line the decoder stopped at; the others are read.
func Parse(src []byte, file string) ([]*Doc, []model.Problem) {
	return parseDocs(src, file, nil)
}

// Reparse is Parse of src, the text of a stream after an edit, taking over the documents of
// prev (Parse's or Reparse's of its text before, in the same file) whose text did not change:
// a keystroke in a stream of thousands of manifests decodes the document it is in, not the
// stream (yaml.v3 reads 5 MB in about 0.3 s; a document's tree is moved to where the
// document now is instead). What it returns equals Parse(src, file); prev is not modified.
func Reparse(src []byte, file string, prev []*Doc) ([]*Doc, []model.Problem) {
	byText := make(map[uint64][]*Doc, len(prev))
	for _, d := range prev {
		if d.decoded && d.Span.File == file {
			byText[d.sum] = append(byText[d.sum], d)
		}
	}
	return parseDocs(src, file, byText)
}

// textSeed hashes the text of documents (Doc.sum).
var textSeed = maphash.MakeSeed()

// documents returns where the documents of src are (start and end of each): the text between
// two separators, or before the first or after the last, but for what holds nothing but
// blank lines and comments after the first document.
func documents(src []byte) [][2]int {
	var out [][2]int
	start := 0
	add := func(end int) {
		if !blank(src[start:end]) || len(out) == 0 {
			out = append(out, [2]int{start, end})
		}
	}
	for _, m := range separators(src) {
		add(m[0])
		start = m[1]
		if start < len(src) && src[start] == '\n' {
			start++
		}
	}
	add(len(src))
	return out
}

func parseDocs(src []byte, file string, byText map[uint64][]*Doc) ([]*Doc, []model.Problem) {
	lines := lineStarts(src)
	var docs []*Doc
	var problems []model.Problem
	// read is src with the characters YAML does not allow read as spaces (clean.go): a copy
	// made for the first document that holds one.
	read, copied := src, false
	for _, r := range documents(src) {
		start, end := r[0], r[1]
		text := src[start:end]
		d := &Doc{Index: len(docs), Span: span(file, src, lines, start, end), sum: maphash.Bytes(textSeed, text)}
		docs = append(docs, d)
		if old := taken(byText, d); old != nil {
			d.decoded, d.shared, d.cleaning = old.decoded, old.shared, old.cleaning
			off, dl := d.Span.Start.Offset-old.Span.Start.Offset, d.Span.Start.Line-old.Span.Start.Line
			d.Root = moveTree(old.Root, off, dl, old.shared)
			if old.after != nil {
				p := *old.after
				p.Span = p.Span.Shift(off, dl)
				d.after = &p
				problems = append(problems, p)
			}
			if d.cleaning.n > 0 {
				problems = append(problems, cleanProblem(file, src, lines, start, d.cleaning))
			}
			continue
		}
		if d.cleaning = scan(text); d.cleaning.n > 0 {
			if !copied {
				read, copied = append([]byte(nil), src...), true
			}
			blankDisallowed(read[start:end])
			text = read[start:end]
		}
		root, after, err := decode(text)
		if err != nil {
			problems = append(problems, problem(file, read, lines, start, end, err))
		}
		if after != nil {
			p := problem(file, read, lines, start, end, after)
			p.Message = strings.TrimSuffix(p.Message, ignored) + "; what follows the document's value is not read"
			d.after = &p
			problems = append(problems, p)
		}
		if d.cleaning.n > 0 {
			// After the problem of a document that does not parse, which Recover looks for.
			problems = append(problems, cleanProblem(file, src, lines, start, d.cleaning))
		}
		if err != nil {
			continue
		}
		d.decoded = true
		if root == nil {
			continue
		}
		c := converter{file: file, src: read, lines: lines, base: start, end: end, seen: map[*yaml.Node]*Node{}}
		d.Root, d.shared = c.convert(root), c.shared
	}
	return docs, problems
}

// Failed reports whether the document did not parse: a problem says why, and Root is nil
// unless Recover read what is intact of it. A document holding characters YAML does not
// allow, read as spaces, has not failed for them.
func (d *Doc) Failed() bool { return !d.decoded }

// decodes counts the documents yaml.v3 decoded, for the tests that hold Reparse to decoding
// only what an edit changed.
var decodes atomic.Int64

// taken returns the document of byText whose text is d's (same hash and length), preferring
// one where d is; nil when there is none.
func taken(byText map[uint64][]*Doc, d *Doc) *Doc {
	var out *Doc
	n := d.Span.End.Offset - d.Span.Start.Offset
	for _, old := range byText[d.sum] {
		if old.Span.End.Offset-old.Span.Start.Offset != n {
			continue
		}
		if old.Span.Start == d.Span.Start {
			return old
		}
		if out == nil {
			out = old
		}
	}
	return out
}

// moveTree returns the tree of root moved by off bytes and lines lines: a document begins a
// line, so its columns stay. An unmoved tree is root itself (trees are never modified). The
// copy's nodes, pairs and items are three allocations, not one per node: half of a 5 MB
// stream is moved by a keystroke in its middle. When an alias makes a node reachable twice
// (shared), the copy keeps it shared; otherwise it needs no index of the nodes it copied,
// which cost a third of the copy.
func moveTree(root *Node, off, lines int32, shared bool) *Node {
	if root == nil || off == 0 && lines == 0 {
		return root
	}
	return copyTree(root, off, lines, "", shared)
}

// Retag returns a copy of the tree of root whose spans name file instead of the file they
// name. The copy keeps what an alias shares shared.
func Retag(root *Node, file string) *Node {
	if root == nil {
		return nil
	}
	return copyTree(root, 0, 0, file, true)
}

// copyTree copies the tree of root, moving its spans by off bytes and lines lines and, when
// file is not "", naming file in them.
func copyTree(root *Node, off, lines int32, file string, shared bool) *Node {
	// When shared: the nodes counted, and the copy of each node copied.
	var counted map[*Node]bool
	var seen map[*Node]*Node
	if shared {
		counted, seen = map[*Node]bool{}, map[*Node]*Node{}
	}
	var nodes, pairs, items int
	var count func(n *Node)
	count = func(n *Node) {
		if n == nil || counted[n] {
			return
		}
		if counted != nil {
			counted[n] = true
		}
		nodes++
		pairs += len(n.Pairs)
		items += len(n.Items)
		for _, p := range n.Pairs {
			count(p.Key)
			count(p.Value)
		}
		for _, it := range n.Items {
			count(it)
		}
	}
	count(root)
	// Appends never grow the slabs (they are counted), so pointers into them stay.
	out := make([]Node, 0, nodes)
	pairSlab := make([]Pair, pairs)
	itemSlab := make([]*Node, items)
	var move func(n *Node) *Node
	move = func(n *Node) *Node {
		if n == nil {
			return nil
		}
		if m, ok := seen[n]; ok {
			return m // shared, or a self-reference: its copy, complete or under way
		}
		out = append(out, Node{Kind: n.Kind, Tag: n.Tag, Value: n.Value, Span: n.Span, Comment: n.Comment})
		m := &out[len(out)-1]
		if seen != nil {
			seen[n] = m
		}
		m.Span = m.Span.Shift(off, lines)
		if file != "" {
			m.Span.File = file
		}
		if n.Pairs != nil {
			m.Pairs, pairSlab = pairSlab[:len(n.Pairs):len(n.Pairs)], pairSlab[len(n.Pairs):]
			for j, p := range n.Pairs {
				m.Pairs[j] = Pair{Key: move(p.Key), Value: move(p.Value)}
			}
		}
		if n.Items != nil {
			m.Items, itemSlab = itemSlab[:len(n.Items):len(n.Items)], itemSlab[len(n.Items):]
			for j, it := range n.Items {
				m.Items[j] = move(it)
			}
		}
		return m
	}
	return move(root)
}

// decode runs yaml.v3 on one document; a panic in the decoder is an error of the document.
// after is the error of what follows the document's value in text: yaml.v3 reads one value
// and stops, so a stray "]" after a JSON object, or a second object, was never read and
// never reported. text is read as Parse reads it: what YAML does not allow, bytes that are not
// UTF-8 among it, already spaces (clean.go).
func decode(text []byte) (root *yaml.Node, after, err error) {
	defer func() {
		if r := recover(); r != nil {
			root, after, err = nil, nil, fmt.Errorf("yaml: %v", r)
		}
	}()
	decodes.Add(1)
	dec := yaml.NewDecoder(bytes.NewReader(text))
	var n yaml.Node
	if err := dec.Decode(&n); err != nil {
		if err == io.EOF {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	var more yaml.Node
	switch err := dec.Decode(&more); {
	case err == io.EOF:
	case err != nil:
		after = err
	default:
		after = fmt.Errorf("yaml: line %d: a second value, not read", more.Line)
	}
	if n.Kind == 0 || len(n.Content) == 0 {
		return nil, after, nil
	}
	if n.Kind == yaml.DocumentNode {
		return n.Content[0], after, nil
	}
	return &n, after, nil
}

var errLine = regexp.MustCompile(`line (\d+)`)

func problem(file string, src []byte, lines []int, start, end int, err error) model.Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	off := start
	if m := errLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		if strings.Contains(msg, "did not find expected") {
			// yaml.v3 numbers the lines of its parser's errors from 0 (its scanner's from 1).
			n++
		}
		first := lineOf(lines, start)
		if l := first + n - 1; l < len(lines) {
			off = max(lines[l], start)
		}
		msg = strings.TrimSpace(errLine.ReplaceAllString(msg, ""))
		msg = strings.TrimPrefix(strings.TrimPrefix(msg, ":"), " ")
	}
	lineEnd := bytes.IndexByte(src[off:], '\n')
	if lineEnd < 0 {
		lineEnd = len(src) - off
	}
	return model.Problem{Span: span(file, src, lines, off, min(off+lineEnd, end)),
		Message: "YAML does not parse: " + msg + "; the rest of this document is ignored"}
}

type converter struct {
	file   string
	src    []byte
	lines  []int
	base   int // offset of the document in src
	end    int // where the document ends in src: no node reaches past it
	seen   map[*yaml.Node]*Node
	count  int
	shared bool // a node was reached twice (see Doc)
}

func (c *converter) convert(n *yaml.Node) *Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return nil
		}
		return c.convert(n.Alias) // shared: converted once, whatever the number of aliases
	}
	if out, ok := c.seen[n]; ok {
		c.shared = true
		return out // an alias to an anchor seen before (or a self-reference: its partial node)
	}
	c.count++
	out := &Node{Tag: n.ShortTag(), Comment: strings.TrimSpace(strings.TrimPrefix(n.LineComment, "#"))}
	c.seen[n] = out
	start := c.offset(n.Line, n.Column)
	switch n.Kind {
	case yaml.MappingNode:
		out.Kind = Map
		end := start
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := c.convert(n.Content[i]), c.convert(n.Content[i+1])
			if k == nil {
				continue
			}
			out.Pairs = append(out.Pairs, Pair{Key: k, Value: v})
			end = max(end, int(k.Span.End.Offset))
			if v != nil && n.Content[i+1].Kind != yaml.AliasNode {
				end = max(end, int(v.Span.End.Offset))
			}
		}
		out.Span = c.span(start, end)
	case yaml.SequenceNode:
		out.Kind = Seq
		end := start
		for _, it := range n.Content {
			v := c.convert(it)
			out.Items = append(out.Items, v)
			if v != nil && it.Kind != yaml.AliasNode {
				end = max(end, int(v.Span.End.Offset))
			}
		}
		out.Span = c.span(start, max(end, start+1))
	default:
		out.Kind = Scalar
		out.Value = n.Value
		out.Span = c.span(start, c.scalarEnd(start, n))
	}
	return out
}

// offset turns yaml.v3's one-based line and character column (relative to the document)
// into a byte offset of the file.
func (c *converter) offset(line, col int) int {
	l := lineOf(c.lines, c.base) + line - 1
	if l < 0 || l >= len(c.lines) {
		return c.base
	}
	off := c.lines[l]
	for i := 1; i < col && off < len(c.src) && c.src[off] != '\n'; i++ {
		_, w := utf8.DecodeRune(c.src[off:])
		off += w
	}
	return off
}

// scalarEnd finds where the scalar starting at start ends in the source: a quoted scalar at
// its closing quote, a block scalar where its indented lines end, a plain one at the end of
// its line (before a comment or a flow indicator).
func (c *converter) scalarEnd(start int, n *yaml.Node) int {
	src := c.src[:c.end]
	if start >= len(src) {
		return start
	}
	lineEnd := func(p int) int {
		if e := bytes.IndexByte(src[p:], '\n'); e >= 0 {
			return p + e
		}
		return len(src)
	}
	switch n.Style {
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		q := byte('"')
		if n.Style == yaml.SingleQuotedStyle {
			q = '\''
		}
		// The node starts at its anchor or tag when it has one (`&a "x"`): its value at the
		// quote after them.
		from := start
		if i := bytes.IndexByte(src[start:lineEnd(start)], q); i >= 0 {
			from = start + i
		}
		for p := from + 1; p < len(src); p++ {
			switch {
			case q == '"' && src[p] == '\\':
				p++
			case src[p] == q && q == '\'' && p+1 < len(src) && src[p+1] == '\'':
				p++
			case src[p] == q:
				return p + 1
			}
		}
		return lineEnd(start)
	case yaml.LiteralStyle, yaml.FoldedStyle:
		end := lineEnd(start)
		indent := -1
		for p := end + 1; p < len(src); {
			e := lineEnd(p)
			line := src[p:e]
			if len(bytes.TrimSpace(line)) > 0 {
				in := len(line) - len(bytes.TrimLeft(line, " "))
				if indent < 0 {
					indent = in
				}
				if in < indent || indent == 0 {
					break
				}
				end = e
			}
			p = e + 1
		}
		return end
	}
	end := lineEnd(start)
	if i := bytes.Index(src[start:end], []byte(" #")); i >= 0 {
		end = start + i
	}
	for _, stop := range []byte{',', ']', '}'} {
		if i := bytes.IndexByte(src[start:end], stop); i >= 0 && n.Value != "" && !strings.ContainsRune(n.Value, rune(stop)) {
			end = start + i
		}
	}
	if v := n.Value; v != "" && !strings.Contains(v, "\n") && start+len(v) <= end && string(src[start:start+len(v)]) == v {
		return start + len(v)
	}
	return start + len(bytes.TrimRight(src[start:end], " \t\r"))
}

func (c *converter) span(start, end int) model.Span {
	return span(c.file, c.src, c.lines, start, end)
}

func span(file string, src []byte, lines []int, start, end int) model.Span {
	return model.Span{File: file, Start: pos(lines, start), End: pos(lines, max(start, end))}
}

func pos(lines []int, off int) model.Pos {
	l := lineOf(lines, off)
	return model.At(off, l, off-lines[l])
}

func lineStarts(src []byte) []int {
	out := []int{0}
	for i, b := range src {
		if b == '\n' {
			out = append(out, i+1)
		}
	}
	return out
}

// lineOf returns the zero-based line holding off.
func lineOf(lines []int, off int) int {
	lo, hi := 0, len(lines)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if lines[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// blank reports whether text holds nothing but blank lines and comments.
func blank(text []byte) bool {
	for len(text) > 0 {
		line := text
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = nil
		}
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			return false
		}
	}
	return true
}

// Get returns the value of key in a map (following merge keys), or nil. Nil-safe.
func (n *Node) Get(key string) *Node {
	p, _ := n.Pair(key)
	return p.Value
}

// Pair returns the entry of key in a map (following merge keys), so that a caller has the
// key's span too.
func (n *Node) Pair(key string) (Pair, bool) {
	if n == nil || n.Kind != Map {
		return Pair{}, false
	}
	// A key written in the map comes before what merge keys bring (see merge): most lookups
	// end here, without making the merged entries.
	merges := false
	for i, p := range n.Pairs {
		switch {
		case p.Key.isMerge():
			merges = true
		case p.Key.Value == key && i < MaxNodes:
			return p, true
		}
	}
	if !merges {
		return Pair{}, false
	}
	for _, p := range n.Entries() {
		if p.Key.Value == key {
			return p, true
		}
	}
	return Pair{}, false
}

// Path follows keys through nested maps: n.Path("spec", "template", "spec").
func (n *Node) Path(keys ...string) *Node {
	for _, k := range keys {
		n = n.Get(k)
	}
	return n
}

// Entries returns a map's entries with merge keys (`<<: *base`, `<<: [*a, *b]`) expanded as
// YAML defines them: the map's own keys win over merged ones, earlier merged maps over later
// ones. Expansion is bounded in depth and size.
func (n *Node) Entries() []Pair {
	if n == nil || n.Kind != Map {
		return nil
	}
	hasMerge := false
	for _, p := range n.Pairs {
		if p.Key.isMerge() {
			hasMerge = true
			break
		}
	}
	if !hasMerge {
		return n.Pairs
	}
	var out []Pair
	seen := map[string]bool{}
	budget := MaxNodes
	n.merge(&out, seen, 0, &budget)
	return out
}

func (n *Node) merge(out *[]Pair, seen map[string]bool, depth int, budget *int) {
	if depth > maxMergeDepth {
		return
	}
	var merged []*Node
	for _, p := range n.Pairs {
		if *budget <= 0 {
			return
		}
		*budget--
		if p.Key.isMerge() {
			switch {
			case p.Value == nil:
			case p.Value.Kind == Map:
				merged = append(merged, p.Value)
			case p.Value.Kind == Seq:
				for _, it := range p.Value.Items {
					if it != nil && it.Kind == Map {
						merged = append(merged, it)
					}
				}
			}
			continue
		}
		if !seen[p.Key.Value] {
			seen[p.Key.Value] = true
			*out = append(*out, p)
		}
	}
	for _, m := range merged {
		if m != n {
			m.merge(out, seen, depth+1, budget)
		}
	}
}

func (n *Node) isMerge() bool { return n.Value == "<<" && n.Tag == "!!merge" }

// Walk calls fn for n and every node below it, depth first, until fn returns false for a
// node (its children are then skipped) or MaxNodes nodes have been visited.
func (n *Node) Walk(fn func(*Node) bool) {
	budget := MaxNodes
	n.walk(fn, &budget, 0)
}

func (n *Node) walk(fn func(*Node) bool, budget *int, depth int) {
	if n == nil || *budget <= 0 || depth > 256 {
		return
	}
	*budget--
	if !fn(n) {
		return
	}
	for _, p := range n.Pairs {
		p.Key.walk(fn, budget, depth+1)
		p.Value.walk(fn, budget, depth+1)
	}
	for _, it := range n.Items {
		it.walk(fn, budget, depth+1)
	}
}

// Str returns a scalar's value; ok is false for a collection, a null or a missing node.
func (n *Node) Str() (string, bool) {
	if n == nil || n.Kind != Scalar || n.Tag == "!!null" {
		return "", false
	}
	return n.Value, true
}

// String returns a scalar's value, or "".
func (n *Node) String() string {
	s, _ := n.Str()
	return s
}

// Bool returns a scalar's boolean value (YAML 1.2 true/false, and the YAML 1.1 yes/no/on/off
// that Kubernetes and Compose users still write when quoted as strings is not a bool).
func (n *Node) Bool() (bool, bool) {
	s, ok := n.Str()
	if !ok {
		return false, false
	}
	switch strings.ToLower(s) {
	case "true", "yes", "on":
		return true, true
	case "false", "no", "off":
		return false, true
	}
	return false, false
}

// Int returns a scalar's integer value.
func (n *Node) Int() (int64, bool) {
	s, ok := n.Str()
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 0, 64)
	return v, err == nil
}

// Strings returns the scalar items of a sequence, or a scalar as a one-item list.
func (n *Node) Strings() []string {
	if n == nil {
		return nil
	}
	if n.Kind == Scalar {
		if s, ok := n.Str(); ok {
			return []string{s}
		}
		return nil
	}
	var out []string
	for _, it := range n.Items {
		if s, ok := it.Str(); ok {
			out = append(out, s)
		}
	}
	return out
}
