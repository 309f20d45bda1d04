package yamlnode

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// The tree-sitter backend: tree-sitter's YAML grammar recovers from a syntax error by
// wrapping the broken part in an ERROR node and reading on, where yaml.v3 gives up on the
// whole document. Parse decodes with yaml.v3 (exact YAML semantics, at a fraction of
// tree-sitter's cost per edit); Recover reads again, with tree-sitter, the documents that did
// not parse, and keeps every entry outside the ERROR nodes, so that a half-typed manifest
// keeps the findings of what is intact. sitterDocs reads a whole stream with tree-sitter
// alone, for the tests that hold both backends to the same trees and for the benchmark that
// compares them.

// Recover gives every document of docs that did not parse — the one holding a problem of
// problems — a Root of what is intact of it, and marks it Recovered: the document as Salvage
// reads it alone (yaml.v3 once the definitions at the fault are blanked out: what it keeps
// is where the text says), else what tree-sitter recovers of it (everything outside its
// ERROR nodes, but a fault near the end can put what precedes it at the top of the
// document). docs and problems are Parse's; the problems stand (they say what is wrong),
// their message saying now that what is intact is read.
func Recover(src []byte, file string, docs []*Doc, problems []model.Problem) ([]*Doc, []model.Problem) {
	var lines []int // made for the first document that did not parse
	out := slices.Clone(problems)
	for _, d := range docs {
		if d.Root != nil {
			continue
		}
		for i, p := range out {
			if p.Span.Start.Offset >= d.Span.Start.Offset && p.Span.Start.Offset <= d.Span.End.Offset {
				// The stream's lines and cleaned text, for tree-sitter only: Salvage reads the
				// document alone, and a document typed into in a stream of 5 MB usually is
				// salvaged.
				if d.Root = salvageDoc(file, src, d); d.Root == nil {
					if lines == nil {
						lines = lineStarts(src)
						src = cleaned(src) // as Parse read it
					}
					d.Root = recoverDoc(file, src, lines, int(d.Span.Start.Offset), int(d.Span.End.Offset))
				}
				d.Recovered = d.Root != nil
				if d.Recovered {
					out[i].Message = strings.TrimSuffix(p.Message, ignored) + "; the rest of this document is read as far as it is intact"
				}
				break
			}
		}
	}
	return docs, out
}

// salvageDoc reads the document d of src as Salvage reads a text (blanking the definitions
// the decoder stops at, and parsing again), alone, its tree moved to where d is; nil when
// nothing of it parses. tree-sitter's recovery of a line of junk at the end of a pod's spec
// read spec, template and containers as entries of the top mapping: the privileged container
// above the junk was nowhere, and passed the gate.
func salvageDoc(file string, src []byte, d *Doc) *Node {
	start, end := int(d.Span.Start.Offset), int(d.Span.End.Offset)
	if end-start > maxSearch {
		return nil
	}
	text := src[start:end]
	docs, problems := Parse(text, file)
	docs, _ = Salvage(text, file, docs, problems)
	var root *Node
	for _, x := range docs {
		if x.Root != nil {
			if root != nil {
				return nil // a document of the stream read as two: not this one
			}
			root = x.Root
		}
	}
	return moveTree(root, int32(start), d.Span.Start.Line, false)
}

// recoverDoc reads the document src[start:end] with tree-sitter; nil when nothing is left.
func recoverDoc(file string, src []byte, lines []int, start, end int) *Node {
	tree, err := parse.Parse(context.Background(), parse.YAML, src[start:end])
	if err != nil {
		return nil
	}
	flat := tree.Flatten()
	tree.Close()
	c := &sitter{file: file, src: src, lines: lines, base: start, f: flat, anchors: map[string]*Node{}}
	if len(flat.Nodes) == 0 {
		return nil
	}
	if flat.Kind(0) == "ERROR" {
		return c.recovered(0)
	}
	// The stream holds the document, or, when the whole document is broken, an ERROR.
	return c.doc(0)
}

// sitterDocs reads every document of src with tree-sitter: Parse's documents, but all
// converted by the tree-sitter backend.
func sitterDocs(src []byte, file string) []*Doc {
	lines := lineStarts(src)
	var docs []*Doc
	for _, r := range documents(src) {
		docs = append(docs, &Doc{Index: len(docs), Span: span(file, src, lines, r[0], r[1]), Root: recoverDoc(file, src, lines, r[0], r[1])})
	}
	return docs
}

// sitter converts a flattened tree-sitter YAML tree into Nodes.
type sitter struct {
	file    string
	src     []byte
	lines   []int
	base    int
	f       *parse.Flat
	anchors map[string]*Node
	count   int
}

func (c *sitter) kind(i int32) string { return c.f.Kind(i) }

func (c *sitter) children(i int32) []int32 {
	var out []int32
	for ch := c.f.Nodes[i].FirstChild; ch >= 0; ch = c.f.Nodes[ch].NextSibling {
		out = append(out, ch)
	}
	return out
}

func (c *sitter) bounds(i int32) (int, int) {
	n := c.f.Nodes[i]
	return c.base + int(n.StartByte), c.base + int(n.EndByte)
}

func (c *sitter) text(i int32) string {
	s, e := c.bounds(i)
	return string(c.src[s:e])
}

func (c *sitter) span(start, end int) model.Span { return span(c.file, c.src, c.lines, start, end) }

func (c *sitter) doc(i int32) *Node {
	for _, ch := range c.children(i) {
		switch c.kind(ch) {
		case "block_node", "flow_node":
			return c.node(ch)
		case "document":
			return c.doc(ch)
		case "ERROR":
			return c.recovered(ch)
		}
	}
	return nil
}

// recovered reads what tree-sitter kept inside an ERROR node: the entries it recognised (a
// mapping's pairs, a sequence's items), as the mapping or sequence they belong to.
func (c *sitter) recovered(i int32) *Node {
	var pairs, items bool
	c.eachRecovered(i, func(ch int32) {
		switch c.kind(ch) {
		case "block_mapping_pair", "flow_pair":
			pairs = true
		case "block_sequence_item":
			items = true
		}
	})
	switch {
	case pairs:
		return c.mapping(i, "")
	case items:
		return c.sequence(i, "")
	}
	return nil
}

// eachRecovered calls f on the children of i, descending into nested ERROR nodes.
func (c *sitter) eachRecovered(i int32, f func(int32)) {
	for _, ch := range c.children(i) {
		if c.kind(ch) == "ERROR" {
			c.eachRecovered(ch, f)
			continue
		}
		f(ch)
	}
}

// node converts a block_node or flow_node: its anchor, tag and content.
func (c *sitter) node(i int32) *Node {
	if c.count >= MaxNodes {
		return nil
	}
	var anchor, tag string
	var out *Node
	prefixed := -1 // where an anchor or a tag starts the node: yaml.v3 places it there
	for _, ch := range c.children(i) {
		switch c.kind(ch) {
		case "anchor":
			anchor = strings.TrimPrefix(c.text(ch), "&")
			if prefixed < 0 {
				prefixed, _ = c.bounds(ch)
			}
		case "tag":
			tag = c.text(ch)
			if prefixed < 0 {
				prefixed, _ = c.bounds(ch)
			}
		case "alias":
			return c.anchors[strings.TrimPrefix(c.text(ch), "*")] // shared, as yaml.v3's are
		case "block_mapping", "flow_mapping":
			out = c.mapping(ch, anchor)
		case "block_sequence", "flow_sequence":
			out = c.sequence(ch, anchor)
		case "plain_scalar", "double_quote_scalar", "single_quote_scalar", "block_scalar":
			out = c.scalar(ch)
		case "ERROR":
			if out == nil {
				out = c.recovered(ch)
			}
		}
	}
	if out == nil {
		if tag == "" {
			return nil
		}
		s, _ := c.bounds(i)
		out = &Node{Kind: Scalar, Tag: "!!null", Span: c.span(s, s)} // "!!str" alone, say
	}
	if tag != "" {
		out.Tag = shortTag(tag)
	}
	if prefixed >= 0 && (out.Kind != Scalar || tag != "") {
		// yaml.v3 starts a collection at its anchor or tag, a scalar at its tag (!Ref Vpc).
		out.Span = c.span(prefixed, max(prefixed, int(out.Span.End.Offset)))
	}
	if anchor != "" {
		c.anchors[anchor] = out
	}
	return out
}

// shortTag writes a tag as yaml.v3's ShortTag does.
func shortTag(t string) string {
	if strings.HasPrefix(t, "!<tag:yaml.org,2002:") {
		return "!!" + strings.TrimSuffix(strings.TrimPrefix(t, "!<tag:yaml.org,2002:"), ">")
	}
	return t
}

func (c *sitter) mapping(i int32, anchor string) *Node {
	c.count++
	out := &Node{Kind: Map, Tag: "!!map"}
	if anchor != "" {
		c.anchors[anchor] = out // before the entries: an alias inside refers to it
	}
	start, _ := c.bounds(i)
	end := start
	var last *Pair
	// Inside an ERROR, a pair may come apart: its key, ":", then its value's nodes.
	var loose *Pair
	flush := func() {
		if loose == nil {
			return
		}
		if loose.Value == nil {
			at := int(loose.Key.Span.End.Offset)
			loose.Value = &Node{Kind: Scalar, Tag: "!!null", Span: c.span(at, at)}
		}
		out.Pairs = append(out.Pairs, *loose)
		end = max(end, int(loose.Key.Span.End.Offset), int(loose.Value.Span.End.Offset))
		loose = nil
	}
	c.eachRecovered(i, func(ch int32) {
		if c.kind(ch) != "block_sequence_item" && c.kind(ch) != "comment" && c.kind(ch) != ":" && loose != nil && loose.Value == nil && c.kind(ch) != "block_node" {
			flush()
		}
		if next := c.f.Nodes[ch].NextSibling; (c.kind(ch) == "flow_node" || c.kind(ch) == "block_node") && next >= 0 && c.kind(next) == ":" && c.f.Field(ch) == "" {
			flush()
			if k := c.node(ch); k != nil {
				loose = &Pair{Key: k}
			}
			return
		}
		if loose != nil {
			switch c.kind(ch) {
			case ":", "comment":
				return
			case "block_node":
				loose.Value = c.node(ch)
				flush()
				return
			case "block_sequence_item":
				if loose.Value == nil {
					s, _ := c.bounds(ch)
					loose.Value = &Node{Kind: Seq, Tag: "!!seq", Span: c.span(s, s+1)}
				}
				if loose.Value.Kind == Seq {
					for _, g := range c.children(ch) {
						if k := c.kind(g); k == "block_node" || k == "flow_node" {
							if v := c.node(g); v != nil {
								loose.Value.Items = append(loose.Value.Items, v)
								loose.Value.Span = c.span(int(loose.Value.Span.Start.Offset), int(max(loose.Value.Span.End.Offset, v.Span.End.Offset)))
							}
						}
					}
				}
				return
			}
			flush()
		}
		switch c.kind(ch) {
		case "block_mapping_pair", "flow_pair":
			p, ok := c.pair(ch)
			if !ok {
				return
			}
			out.Pairs = append(out.Pairs, p)
			last = &out.Pairs[len(out.Pairs)-1]
			end = max(end, int(p.Key.Span.End.Offset))
			if p.Value != nil && !c.isAlias(ch) {
				end = max(end, int(p.Value.Span.End.Offset))
			}
		case "flow_node": // a key without a value in a flow mapping: {a, b}
			if k := c.node(ch); k != nil {
				s, _ := c.bounds(ch)
				_, e := c.bounds(ch)
				out.Pairs = append(out.Pairs, Pair{Key: k, Value: &Node{Kind: Scalar, Tag: "!!null", Span: c.span(e, e)}})
				end = max(end, e)
				_ = s
			}
		case "comment":
			if last != nil {
				attachComment(c, ch, last)
			}
		}
	})
	flush()
	out.Span = c.span(start, end)
	return out
}

// isAlias reports whether the value of a pair is an alias.
func (c *sitter) isAlias(pair int32) bool {
	for _, ch := range c.children(pair) {
		if c.f.Field(ch) == "value" {
			for _, g := range c.children(ch) {
				if c.kind(g) == "alias" {
					return true
				}
			}
		}
	}
	return false
}

// attachComment gives a comment on the line of the last entry to that entry's value.
func attachComment(c *sitter, comment int32, p *Pair) {
	s, _ := c.bounds(comment)
	target := p.Value
	if target == nil || target.Kind != Scalar {
		target = p.Key
	}
	if target != nil && target.Comment == "" && lineOf(c.lines, s) == int(target.Span.Start.Line) {
		target.Comment = strings.TrimSpace(strings.TrimPrefix(c.text(comment), "#"))
	}
}

func (c *sitter) pair(i int32) (Pair, bool) {
	var p Pair
	colon := -1
	for _, ch := range c.children(i) {
		switch c.f.Field(ch) {
		case "key":
			p.Key = c.node(ch)
		case "value":
			p.Value = c.node(ch)
		default:
			if c.kind(ch) == ":" {
				_, colon = c.bounds(ch)
			}
		}
	}
	if p.Key == nil {
		return p, false
	}
	if p.Value == nil { // `key:` with nothing after: null, where yaml.v3 places it
		at := colon
		if at < 0 {
			at = int(p.Key.Span.End.Offset)
		}
		p.Value = &Node{Kind: Scalar, Tag: "!!null", Span: c.span(at, at)}
	}
	return p, true
}

func (c *sitter) sequence(i int32, anchor string) *Node {
	c.count++
	out := &Node{Kind: Seq, Tag: "!!seq"}
	if anchor != "" {
		c.anchors[anchor] = out
	}
	start, _ := c.bounds(i)
	flow := c.kind(i) == "flow_sequence"
	end := start
	c.eachRecovered(i, func(ch int32) {
		var item int32 = -1
		switch c.kind(ch) {
		case "block_sequence_item":
			for _, g := range c.children(ch) {
				if k := c.kind(g); k == "block_node" || k == "flow_node" {
					item = g
				}
			}
			if item < 0 { // "- " with nothing after: null
				_, e := c.bounds(ch)
				out.Items = append(out.Items, &Node{Kind: Scalar, Tag: "!!null", Span: c.span(e, e)})
				return
			}
		case "flow_node":
			item = ch
		case "flow_pair": // [a: 1]: a single-pair map
			p, ok := c.pair(ch)
			if ok {
				m := &Node{Kind: Map, Tag: "!!map", Pairs: []Pair{p}, Span: c.span(int(p.Key.Span.Start.Offset), int(p.Value.Span.End.Offset))}
				out.Items = append(out.Items, m)
				end = max(end, int(m.Span.End.Offset))
			}
			return
		default:
			return
		}
		v := c.node(item)
		out.Items = append(out.Items, v)
		if v != nil && !c.aliasNode(item) {
			end = max(end, int(v.Span.End.Offset))
		}
	})
	if flow && len(out.Items) == 0 {
		end = start + 1
	}
	out.Span = c.span(start, max(end, start+1))
	return out
}

func (c *sitter) aliasNode(i int32) bool {
	for _, ch := range c.children(i) {
		if c.kind(ch) == "alias" {
			return true
		}
	}
	return false
}

func (c *sitter) scalar(i int32) *Node {
	c.count++
	s, e := c.bounds(i)
	raw := c.src[s:e]
	out := &Node{Kind: Scalar, Tag: "!!str", Span: c.span(s, e)}
	switch c.kind(i) {
	case "plain_scalar":
		if ch := c.children(i); len(ch) == 1 {
			switch c.kind(ch[0]) {
			case "integer_scalar":
				out.Tag = "!!int"
			case "float_scalar":
				out.Tag = "!!float"
			case "boolean_scalar":
				out.Tag = "!!bool"
			case "null_scalar":
				out.Tag = "!!null"
			}
		}
		out.Value = fold(string(raw))
		switch {
		case out.Tag == "!!str" && out.Value == "<<":
			out.Tag = "!!merge"
		case out.Tag == "!!str" && timestamp.MatchString(out.Value):
			out.Tag = "!!timestamp"
		}
	case "single_quote_scalar":
		out.Value = strings.ReplaceAll(fold(string(raw[1:max(1, len(raw)-1)])), "''", "'")
	case "double_quote_scalar":
		out.Value = unescape(string(raw[1:max(1, len(raw)-1)]))
	case "block_scalar":
		out.Value = blockScalar(raw)
		out.Span = c.span(s, trimBlockEnd(c.src, s, e))
	}
	return out
}

// timestamp is what yaml.v3 resolves a plain scalar to !!timestamp for.
var timestamp = regexp.MustCompile(`^\d{4}-\d\d?-\d\d?(?:(?:[Tt]|[ \t]+)\d\d?:\d\d:\d\d(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d\d?(?::\d\d)?))?)?$`)

// fold joins the lines of a multi-line flow scalar: a line break becomes a space, an empty
// line a newline; leading and trailing spaces of each line go.
func fold(s string) string {
	if !strings.ContainsAny(s, "\n") {
		return s
	}
	lines := strings.Split(s, "\n")
	var b strings.Builder
	pendingBreaks := 0
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if i > 0 && l == "" {
			pendingBreaks++
			continue
		}
		if i > 0 {
			if pendingBreaks > 0 {
				b.WriteString(strings.Repeat("\n", pendingBreaks))
			} else {
				b.WriteString(" ")
			}
		}
		pendingBreaks = 0
		b.WriteString(l)
	}
	return b.String()
}

// unescape decodes the inside of a double-quoted scalar.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch == '\n' {
			// A line break folds like a plain scalar's; an escaped one (\ at the end of a line) is dropped.
			j := i + 1
			for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
				j++
			}
			trimmed := strings.TrimRight(b.String(), " \t")
			b.Reset()
			b.WriteString(trimmed)
			if j < len(s) && s[j] == '\n' {
				for j < len(s) && (s[j] == '\n' || s[j] == ' ' || s[j] == '\t') {
					if s[j] == '\n' {
						b.WriteByte('\n')
					}
					j++
				}
			} else {
				b.WriteByte(' ')
			}
			i = j - 1
			continue
		}
		if ch != '\\' || i+1 >= len(s) {
			b.WriteByte(ch)
			continue
		}
		i++
		switch e := s[i]; e {
		case '0':
			b.WriteByte(0)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 't', '\t':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'v':
			b.WriteByte('\v')
		case 'f':
			b.WriteByte('\f')
		case 'r':
			b.WriteByte('\r')
		case 'e':
			b.WriteByte(0x1b)
		case ' ', '"', '/', '\\':
			b.WriteByte(e)
		case 'N':
			b.WriteRune('\u0085')
		case '_':
			b.WriteRune('\u00a0')
		case 'L':
			b.WriteRune('\u2028')
		case 'P':
			b.WriteRune('\u2029')
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+n < len(s)+0 && i+n <= len(s)-1+1 {
				if v, err := strconv.ParseUint(s[i+1:min(len(s), i+1+n)], 16, 32); err == nil && utf8.ValidRune(rune(v)) {
					b.WriteRune(rune(v))
					i += n
					continue
				}
			}
			b.WriteByte('\\')
			b.WriteByte(e)
		case '\n': // an escaped line break: the break and the next line's indentation go
			for i+1 < len(s) && (s[i+1] == ' ' || s[i+1] == '\t') {
				i++
			}
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String()
}

// blockScalar decodes a literal (|) or folded (>) block scalar from its header on.
func blockScalar(raw []byte) string {
	header, body, _ := bytes.Cut(raw, []byte("\n"))
	h := strings.TrimSpace(string(header))
	if i := strings.Index(h, " #"); i >= 0 {
		h = strings.TrimSpace(h[:i])
	}
	folded := strings.HasPrefix(h, ">")
	chomp := byte(0)
	indent := 0
	for _, r := range h[1:] {
		switch {
		case r == '+' || r == '-':
			chomp = byte(r)
		case r >= '1' && r <= '9':
			indent = int(r - '0')
		}
	}
	lines := strings.Split(string(body), "\n")
	if indent == 0 {
		for _, l := range lines {
			if strings.TrimSpace(l) != "" {
				indent = len(l) - len(strings.TrimLeft(l, " "))
				break
			}
		}
	}
	var content []string
	for _, l := range lines {
		if len(l) >= indent {
			content = append(content, l[indent:])
		} else {
			content = append(content, strings.TrimLeft(l, " "))
		}
	}
	// Trailing empty lines are chomped below.
	trailing := 0
	for len(content) > 0 && strings.TrimSpace(content[len(content)-1]) == "" {
		content = content[:len(content)-1]
		trailing++
	}
	var text string
	if !folded {
		text = strings.Join(content, "\n")
	} else {
		var b strings.Builder
		for i, l := range content {
			if i > 0 {
				prev := content[i-1]
				switch {
				case l == "" || prev == "":
					b.WriteByte('\n')
				case strings.HasPrefix(l, " ") || strings.HasPrefix(prev, " "):
					b.WriteByte('\n')
				default:
					b.WriteByte(' ')
				}
			}
			b.WriteString(l)
		}
		text = strings.ReplaceAll(b.String(), "\n\n", "\n")
	}
	if len(content) == 0 {
		return ""
	}
	switch chomp {
	case '-':
		return text
	case '+':
		return text + strings.Repeat("\n", trailing)
	}
	return text + "\n"
}

// trimBlockEnd ends a block scalar's span at its last non-empty line, as Parse does.
func trimBlockEnd(src []byte, start, end int) int {
	for end > start && (src[end-1] == '\n' || src[end-1] == ' ' || src[end-1] == '\r') {
		end--
	}
	return end
}

// ignored ends the message of a document that does not parse (see problem).
const ignored = "; the rest of this document is ignored"
