package mermaid

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// The flowchart subset read here:
//
//	flowchart LR | graph TD …            header (other diagram types are skipped)
//	id  id[Label]  id(Label)  id([Label])  id[(Label)]  id((Label))  id(((Label)))
//	id>Label]  id{Label}  id{{Label}}  id[/Label/]  id[\Label\]  id[[Label]]  id["Label"]
//	id@{ shape: cyl, label: "Label" }  id:::class
//	A --> B   A --- B   A -.-> B   A ==> B   A <--> B   A --o B   A --x B   A ~~~ B
//	A -- text --> B   A -->|text| B   A -. text .-> B   A == text ==> B
//	A --> B --> C   A & B --> C & D   statements separated by ";"
//	subgraph id [Title] | subgraph id["Title"] | subgraph Title … end   (nested)
//	%% comment   A --> B %% trailing comment   %%{init: …}%%   --- front matter ---
//	classDef class style click linkStyle direction accTitle accDescr   (ignored)

// mention is a node named in a statement. Offsets are into the file.
type mention struct {
	id         string
	start, end int    // the id through its shape and class
	shape      string // "" when the statement gives none
	label      string // the label as written, quotes removed
	labelStart int
}

// link is the arrow between two groups of nodes.
type link struct {
	text              string
	textStart         int
	forward, backward bool
	invisible         bool // ~~~: layout only, no data moves
}

// statement is a node statement: groups of nodes (A & B) joined by links.
type statement struct {
	groups [][]mention
	links  []link
}

// shapes are the node shapes, longest opener first. A shape whose closer is not found gives
// way to the next one that opens the same way: A[(x) y] is a rectangle.
var shapes = []struct {
	open  string
	close []string
	name  string
}{
	{"(((", []string{")))"}, "double_circle"},
	{"((", []string{"))"}, "circle"},
	{"([", []string{"])"}, "stadium"},
	{"(", []string{")"}, "round"},
	{"[[", []string{"]]"}, "subroutine"},
	{"[(", []string{")]"}, "cylinder"},
	{"[/", []string{"/]", `\]`}, "parallelogram"},
	{`[\`, []string{`\]`, "/]"}, "parallelogram"},
	{"[", []string{"]"}, "rect"},
	{"{{", []string{"}}"}, "hexagon"},
	{"{", []string{"}"}, "rhombus"},
	{">", []string{"]"}, "asymmetric"},
}

// newShapes maps the shape names of the id@{ shape: … } syntax to the classic ones that
// decide an element's kind; the others are rectangles.
var newShapes = map[string]string{
	"cyl": "cylinder", "cylinder": "cylinder", "db": "cylinder", "database": "cylinder",
	"das": "cylinder", "h-cyl": "cylinder", "lin-cyl": "cylinder", "disk": "cylinder",
	"circle": "circle", "circ": "circle", "sm-circ": "circle", "dbl-circ": "double_circle",
	"double-circle": "double_circle",
	"subproc":       "subroutine", "subroutine": "subroutine", "fr-rect": "subroutine",
}

var (
	// textLinkRE opens a link with its text inside: "-- text -->", "== text ==>", "-. text .->".
	textLinkRE = regexp.MustCompile(`^([<xo]?)(--|==|-\.)[ \t]`)
	// linkRE is a link without inner text.
	linkRE = regexp.MustCompile(`^([<xo]?)(-{2,}|={2,}|-?\.+-|~{3,})([>xo]?)`)
	// closers end the text of a link opened by textLinkRE.
	closers = map[string]*regexp.Regexp{
		"--": regexp.MustCompile(`(-{2,})([>xo]?)`),
		"==": regexp.MustCompile(`(={2,})([>xo]?)`),
		"-.": regexp.MustCompile(`(\.+-)([>xo]?)`),
	}
	textLinkExamples = map[string]string{"--": "A -- text --> B", "==": "A == text ==> B", "-.": "A -. text .-> B"}
)

// scanner reads one statement, s, written at offset base of the file.
type scanner struct {
	s    string
	base int
	i    int
}

func (c *scanner) space() {
	for c.i < len(c.s) && (c.s[c.i] == ' ' || c.s[c.i] == '\t') {
		c.i++
	}
}

func (c *scanner) rest() string { return c.s[c.i:] }

// parseStatement reads a node statement; the error says what could not be read.
func parseStatement(s string, base int) (statement, error) {
	c := &scanner{s: s, base: base}
	var st statement
	for {
		g, err := c.group()
		if err != nil {
			return st, err
		}
		st.groups = append(st.groups, g)
		c.space()
		if c.i == len(c.s) {
			return st, nil
		}
		l, err := c.link()
		if err != nil {
			return st, err
		}
		st.links = append(st.links, l)
		c.space()
		if c.i == len(c.s) {
			return st, errors.New("a link needs a node after it")
		}
	}
}

// group reads A or A & B & ….
func (c *scanner) group() ([]mention, error) {
	var g []mention
	for {
		c.space()
		m, err := c.node()
		if err != nil {
			return nil, err
		}
		g = append(g, m)
		c.space()
		if c.i < len(c.s) && c.s[c.i] == '&' {
			c.i++
			continue
		}
		return g, nil
	}
}

// node reads an id with its optional shape and class.
func (c *scanner) node() (mention, error) {
	start := c.i
	id := c.id()
	if id == "" {
		if c.i == len(c.s) {
			return mention{}, errors.New("a node id is missing")
		}
		return mention{}, fmt.Errorf("expected a node id at %q", excerpt(c.rest()))
	}
	m := mention{id: id, start: c.base + start}
	if err := c.shape(&m); err != nil {
		return m, err
	}
	if strings.HasPrefix(c.rest(), ":::") {
		c.i += 3
		n := c.i
		for c.i < len(c.s) && isClassChar(c.s[c.i]) {
			c.i++
		}
		if c.i == n {
			return m, errors.New("a class name is missing after :::")
		}
	}
	m.end = c.base + c.i
	return m, nil
}

func isClassChar(b byte) bool {
	return b == '_' || b == '-' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

// id reads a node id: everything up to a space, a bracket, a link or a class.
func (c *scanner) id() string {
	start := c.i
	for c.i < len(c.s) {
		if strings.IndexByte(" \t[](){}|&;\"'<>`", c.s[c.i]) >= 0 {
			break
		}
		r := c.rest()
		if strings.HasPrefix(r, "--") || strings.HasPrefix(r, "==") || strings.HasPrefix(r, "-.") ||
			strings.HasPrefix(r, "~~") || strings.HasPrefix(r, ":::") || strings.HasPrefix(r, "@{") {
			break
		}
		c.i++
	}
	return c.s[start:c.i]
}

// shape reads the shape and label that follow an id, if any.
func (c *scanner) shape(m *mention) error {
	r := c.rest()
	if strings.HasPrefix(r, "@{") {
		return c.shapeData(m)
	}
	opened := false
	for _, sh := range shapes {
		if !strings.HasPrefix(r, sh.open) {
			continue
		}
		opened = true
		if label, at, end, ok := c.label(c.i+len(sh.open), sh.close); ok {
			m.shape, m.label, m.labelStart = sh.name, label, c.base+at
			c.i = end
			return nil
		}
	}
	if opened {
		return fmt.Errorf("the shape of node %s is not closed", m.id)
	}
	return nil
}

// label reads a label starting at p up to the first of closers (after a quoted string when
// the label is quoted). It returns the label, its offset in s, the offset after the closer.
func (c *scanner) label(p int, closers []string) (string, int, int, bool) {
	s := c.s
	q := p
	for q < len(s) && (s[q] == ' ' || s[q] == '\t') {
		q++
	}
	if q < len(s) && s[q] == '"' {
		e := strings.IndexByte(s[q+1:], '"')
		if e < 0 {
			return "", 0, 0, false
		}
		after := q + 1 + e + 1
		for after < len(s) && (s[after] == ' ' || s[after] == '\t') {
			after++
		}
		for _, cl := range closers {
			if strings.HasPrefix(s[after:], cl) {
				return s[q+1 : q+1+e], q + 1, after + len(cl), true
			}
		}
		return "", 0, 0, false
	}
	k, cl := -1, ""
	for _, x := range closers {
		if i := strings.Index(s[p:], x); i >= 0 && (k < 0 || i < k) {
			k, cl = i, x
		}
	}
	if k < 0 {
		return "", 0, 0, false
	}
	raw := s[p : p+k]
	trimmed := strings.TrimLeft(raw, " \t")
	return strings.TrimRight(trimmed, " \t"), p + len(raw) - len(trimmed), p + k + len(cl), true
}

// shapeData reads id@{ shape: cyl, label: "Orders" }.
func (c *scanner) shapeData(m *mention) error {
	p := c.i + 2
	end, inQ := -1, false
	for j := p; j < len(c.s); j++ {
		if c.s[j] == '"' {
			inQ = !inQ
		} else if c.s[j] == '}' && !inQ {
			end = j
			break
		}
	}
	if end < 0 {
		return fmt.Errorf("the shape of node %s is not closed", m.id)
	}
	m.shape = "rect"
	for _, f := range splitOutside(c.s[p:end], ',') {
		k, v, ok := strings.Cut(c.s[p+f[0]:p+f[1]], ":")
		if !ok {
			continue
		}
		at := p + f[0] + len(k) + 1
		lead := len(v) - len(strings.TrimLeft(v, " \t"))
		v, at = strings.TrimSpace(v), at+lead
		if uq, ok := strings.CutPrefix(v, `"`); ok && strings.HasSuffix(uq, `"`) {
			v, at = strings.TrimSuffix(uq, `"`), at+1
		}
		switch strings.TrimSpace(k) {
		case "shape":
			if s, ok := newShapes[v]; ok {
				m.shape = s
			}
		case "label":
			m.label, m.labelStart = v, c.base+at
		}
	}
	c.i = end + 1
	return nil
}

// link reads the link between two node groups, with its text in it or after it (|text|).
func (c *scanner) link() (link, error) {
	r := c.rest()
	var l link
	var startMark, endMark string
	if m := textLinkRE.FindStringSubmatchIndex(r); m != nil {
		startMark = r[m[2]:m[3]]
		open, body := r[m[4]:m[5]], r[m[5]:]
		loc := closers[open].FindStringSubmatchIndex(body)
		if loc == nil {
			return l, fmt.Errorf("the link's text is not closed: write %s", textLinkExamples[open])
		}
		text := body[:loc[0]]
		l.text, l.textStart = unquote(text, c.base+c.i+m[5])
		c.i += m[5] + loc[1]
		endMark = body[loc[4]:loc[5]]
		if endMark != "" && endMark != ">" && c.i < len(c.s) && c.s[c.i] != ' ' && c.s[c.i] != '\t' {
			c.i-- // x or o starting the next node's id, not an arrow head
			endMark = ""
		}
	} else if m := linkRE.FindStringSubmatchIndex(r); m != nil {
		startMark, endMark = r[m[2]:m[3]], r[m[6]:m[7]]
		body := r[m[4]:m[5]]
		c.i += m[1]
		if endMark != "" && endMark != ">" && c.i < len(c.s) && c.s[c.i] != ' ' && c.s[c.i] != '\t' && c.s[c.i] != '|' {
			c.i--
			endMark = ""
		}
		if endMark == "" && (body == "--" || body == "==") {
			return l, fmt.Errorf("%q is not a link (-->, ---, -.->, ==>)", excerpt(r))
		}
		l.invisible = strings.HasPrefix(body, "~")
	} else {
		return l, fmt.Errorf("expected a link (-->, ---, -.->, ==>) at %q", excerpt(r))
	}
	// An arrow head points the flow; a link without one (A --- B) is read left to right.
	l.forward = endMark != "" || startMark == ""
	l.backward = startMark != ""
	c.space()
	if c.i < len(c.s) && c.s[c.i] == '|' {
		e := strings.IndexByte(c.s[c.i+1:], '|')
		if e < 0 {
			return l, errors.New("the link's |text| is not closed")
		}
		if l.text != "" {
			return l, errors.New("the link has two texts")
		}
		l.text, l.textStart = unquote(c.s[c.i+1:c.i+1+e], c.base+c.i+1)
		c.i += e + 2
	}
	return l, nil
}

// unquote trims s, written at offset at, and removes its quotes; it returns the text and
// where it starts.
func unquote(s string, at int) (string, int) {
	t := strings.TrimLeft(s, " \t")
	at += len(s) - len(t)
	t = strings.TrimRight(t, " \t")
	if len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"' {
		return t[1 : len(t)-1], at + 1
	}
	return t, at
}

// excerpt shortens s for a message.
func excerpt(s string) string {
	if len(s) > 40 {
		i := 40
		for i > 0 && s[i]&0xC0 == 0x80 {
			i--
		}
		return s[:i] + "…"
	}
	return s
}

// splitOutside returns the [start, end) ranges of s between separators sep that are outside
// double quotes and brackets.
func splitOutside(s string, sep byte) [][2]int {
	var out [][2]int
	depth, inQ, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == '"':
			inQ = !inQ
		case inQ:
		case ch == '[' || ch == '(' || ch == '{':
			depth++
		case ch == ']' || ch == ')' || ch == '}':
			if depth > 0 {
				depth--
			}
		case ch == sep && depth == 0:
			out = append(out, [2]int{start, i})
			start = i + 1
		}
	}
	return append(out, [2]int{start, len(s)})
}

// commentStart returns where a %% comment starts in line, outside double quotes, or -1.
func commentStart(line string) int {
	inQ := false
	for i := 0; i+1 < len(line); i++ {
		switch {
		case line[i] == '"':
			inQ = !inQ
		case !inQ && line[i] == '%' && line[i+1] == '%':
			return i
		}
	}
	return -1
}
