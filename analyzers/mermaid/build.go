package mermaid

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/threatls/threatls/model"
)

// fileModel collects the diagrams of one file and turns them into elements.
type fileModel struct {
	file     string
	src      []byte // the file's text; continuation markers inside fences blanked
	copied   bool   // src is a copy that may be written
	lines    []int  // offsets of line starts
	nodes    map[string]*node
	order    []string // node ids, first mention first
	zones    map[string]*zone
	zoneIDs  []string
	edges    []edge
	problems []model.Problem
}

// node is a node of the file's diagrams.
type node struct {
	def  mention // the first mention that gives a shape, else the first mention
	zone *zone   // the first subgraph that mentions it to be closed: the innermost
}

// zone is a subgraph.
type zone struct {
	id, title  string
	titleStart int
	idStart    int // -1 when the id is made from the title
	start, end int // the subgraph statement
	parent     *zone
	members    []string // node ids mentioned directly inside it
}

// edge is one pair of nodes a link joins.
type edge struct {
	from, to   string
	l          link
	start, end int
}

func newFileModel(file string, src []byte) *fileModel {
	lines := []int{0}
	for i, b := range src {
		if b == '\n' {
			lines = append(lines, i+1)
		}
	}
	return &fileModel{file: file, src: src, lines: lines, nodes: map[string]*node{}, zones: map[string]*zone{}}
}

// blank replaces src[start:end] by spaces, in a copy of the text: a tree's text is shared.
func (fm *fileModel) blank(start, end int) {
	if start >= end {
		return
	}
	if !fm.copied {
		fm.src, fm.copied = bytes.Clone(fm.src), true
	}
	for i := start; i < end && i < len(fm.src); i++ {
		if fm.src[i] != '\n' {
			fm.src[i] = ' '
		}
	}
}

func (fm *fileModel) span(start, end int) model.Span {
	return model.Span{File: fm.file, Start: fm.pos(start), End: fm.pos(end)}
}

func (fm *fileModel) pos(off int) model.Pos {
	l := sort.Search(len(fm.lines), func(i int) bool { return fm.lines[i] > off }) - 1
	return model.At(off, l, off-fm.lines[l])
}

func (fm *fileModel) problem(start, end int, format string, args ...any) {
	fm.problems = append(fm.problems, model.Problem{Span: fm.span(start, end), Message: "Mermaid: " + fmt.Sprintf(format, args...)})
}

// blanks are the ASCII spaces a statement is trimmed of.
const blanks = " \t\v\f\r"

// diagram reads the diagram written in src[start:end], line by line. A diagram that is not
// a flowchart is skipped.
func (fm *fileModel) diagram(start, end int) {
	header, frontMatter, accDescr := false, false, false
	var stack []*zone
	for ls := start; ls < end; {
		le := bytes.IndexByte(fm.src[ls:end], '\n')
		if le < 0 {
			le = end
		} else {
			le += ls
		}
		line := strings.TrimRight(string(fm.src[ls:le]), "\r")
		at := ls
		ls = le + 1
		switch t := strings.TrimSpace(line); {
		case frontMatter:
			frontMatter = t != "---"
			continue
		case accDescr:
			accDescr = !strings.Contains(t, "}")
			continue
		case !header && t == "---":
			frontMatter = true
			continue
		}
		if i := commentStart(line); i >= 0 {
			line = line[:i]
		}
		for _, r := range splitOutside(line, ';') {
			s := strings.TrimLeft(line[r[0]:r[1]], blanks)
			sAt := at + r[1] - len(s)
			if s = strings.TrimRight(s, blanks); s == "" {
				continue
			}
			if !header {
				if !fm.header(s, sAt) {
					return
				}
				header = true
				continue
			}
			fm.statement(s, sAt, &stack, &accDescr)
		}
	}
	for len(stack) > 0 {
		z := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if z != nil {
			fm.problem(z.start, z.end, "subgraph %s has no end", z.id)
			fm.close(z)
		}
	}
}

// header reads a diagram's first statement and reports whether it opens a flowchart.
func (fm *fileModel) header(s string, at int) bool {
	f := strings.Fields(s)
	if len(f) == 0 {
		return false
	}
	switch f[0] {
	case "flowchart", "graph", "flowchart-elk":
	default:
		return false
	}
	if len(f) > 1 {
		switch f[1] {
		case "TB", "TD", "BT", "RL", "LR":
		default:
			fm.problem(at, at+len(s), "cannot read the direction %q: use TB, TD, BT, RL or LR", f[1])
		}
	}
	if len(f) > 2 {
		fm.problem(at, at+len(s), "cannot read %q: the header is followed by more text; separate statements with a new line or ;", excerpt(s))
	}
	return true
}

// statement reads one statement of a flowchart.
func (fm *fileModel) statement(s string, at int, stack *[]*zone, accDescr *bool) {
	word := s
	if i := strings.IndexAny(s, " \t:"); i >= 0 {
		word = s[:i]
	}
	switch word {
	case "subgraph":
		*stack = append(*stack, fm.subgraph(s, at, *stack))
		return
	case "end":
		if s != "end" {
			break
		}
		if len(*stack) == 0 {
			fm.problem(at, at+len(s), "end without a subgraph")
			return
		}
		z := (*stack)[len(*stack)-1]
		*stack = (*stack)[:len(*stack)-1]
		if z != nil {
			fm.close(z)
		}
		return
	case "direction", "classDef", "class", "style", "click", "linkStyle", "accTitle":
		return
	case "accDescr":
		*accDescr = strings.Contains(s, "{") && !strings.Contains(s, "}")
		return
	}
	st, err := parseStatement(s, at)
	if err != nil {
		fm.problem(at, at+len(s), "cannot read %q: %v", excerpt(s), err)
		return
	}
	pairs := 0
	for i := range st.links {
		pairs += len(st.groups[i]) * len(st.groups[i+1])
	}
	if pairs > maxPairs {
		fm.problem(at, at+len(s), "cannot read %q: it links %d pairs of nodes, more than %d", excerpt(s), pairs, maxPairs)
		return
	}
	var top *zone
	if len(*stack) > 0 {
		top = (*stack)[len(*stack)-1]
	}
	for _, g := range st.groups {
		for _, m := range g {
			n := fm.nodes[m.id]
			if n == nil {
				n = &node{def: m}
				fm.nodes[m.id] = n
				fm.order = append(fm.order, m.id)
			} else if n.def.shape == "" && m.shape != "" {
				n.def = m
			}
			if top != nil {
				top.members = append(top.members, m.id)
			}
		}
	}
	for i, l := range st.links {
		left, right := st.groups[i], st.groups[i+1]
		for _, a := range left {
			for _, b := range right {
				fm.edges = append(fm.edges, edge{from: a.id, to: b.id, l: l, start: left[0].start, end: right[len(right)-1].end})
			}
		}
	}
}

// maxPairs bounds the edges one statement may draw (A & B & … --> C & D & …), so that a
// line of text cannot cost more than it is worth.
const maxPairs = 1000

var subgraphRE = regexp.MustCompile(`^([^\s\[\]"]+)\s*\[(.*)\]$`)

// subgraph reads `subgraph id [Title]`, `subgraph id["Title"]`, `subgraph "Title"`,
// `subgraph Title words` or `subgraph id`, and returns its zone (nil when it cannot be read:
// its end still closes it).
func (fm *fileModel) subgraph(s string, at int, stack []*zone) *zone {
	rest := strings.TrimLeft(s[len("subgraph"):], blanks)
	restAt := at + len(s) - len(rest)
	if rest == "" {
		fm.problem(at, at+len(s), "a subgraph needs an id or a title: subgraph backend [Backend]")
		return nil
	}
	id, title, titleAt, idAt := rest, rest, restAt, -1
	if m := subgraphRE.FindStringSubmatchIndex(rest); m != nil {
		id, idAt = rest[m[2]:m[3]], restAt+m[2]
		title, titleAt = unquote(rest[m[4]:m[5]], restAt+m[4])
	} else if strings.HasPrefix(rest, `"`) {
		title, titleAt = unquote(rest, restAt)
		id = strings.Join(strings.Fields(title), "_")
	} else {
		id = strings.Join(strings.Fields(rest), "_")
	}
	if id == "" {
		fm.problem(at, at+len(s), "a subgraph needs an id or a title: subgraph backend [Backend]")
		return nil
	}
	if z := fm.zones[id]; z != nil {
		return z // opened again (in another diagram of the file): the same zone
	}
	z := &zone{id: id, title: title, titleStart: titleAt, idStart: idAt, start: at, end: at + len(s)}
	if len(stack) > 0 {
		z.parent = stack[len(stack)-1]
	}
	fm.zones[id] = z
	fm.zoneIDs = append(fm.zoneIDs, id)
	return z
}

// close gives a subgraph the nodes it mentions that no subgraph closed earlier has taken:
// an inner subgraph closes first, so a node belongs to the innermost one, as Mermaid draws it.
func (fm *fileModel) close(z *zone) {
	for _, id := range z.members {
		if n := fm.nodes[id]; n != nil && n.zone == nil {
			n.zone = z
		}
	}
	z.members = nil // read: a zone opened again only adds what it mentions then
}

func (fm *fileModel) nodeID(id string) string { return "mermaid:" + fm.file + "/" + id }
func (fm *fileModel) zoneID(id string) string { return "mermaid:" + fm.file + "/zone:" + id }

// elements turns what the diagrams said into elements.
func (fm *fileModel) elements() []*model.Element {
	var out []*model.Element
	for _, id := range fm.zoneIDs {
		out = append(out, fm.zoneElement(fm.zones[id]))
	}
	names := map[string]string{}
	for _, id := range fm.order {
		if fm.zones[id] != nil {
			continue // a link to a subgraph: the subgraph is the endpoint
		}
		e := fm.nodeElement(id, fm.nodes[id])
		names[id] = e.Name
		out = append(out, e)
	}
	endpoint := func(id string) (string, string) {
		if z := fm.zones[id]; z != nil {
			return fm.zoneID(id), z.title
		}
		return fm.nodeID(id), names[id]
	}
	count := map[string]int{}
	flow := func(from, to string, ed edge) {
		key := from + "->" + to
		count[key]++
		fromID, fromName := endpoint(from)
		toID, toName := endpoint(to)
		sp := fm.span(ed.start, ed.end)
		e := &model.Element{ID: fmt.Sprintf("mermaid:%s/%s#%d", fm.file, key, count[key]), Kind: model.Flow,
			Type: "mermaid_edge", Name: fromName + " -> " + toName, Span: sp, Head: sp,
			From: fromID, To: toID, Provenance: model.Documented}
		if ed.l.text != "" {
			e.Set("label", ed.l.text, fm.span(ed.l.textStart, ed.l.textStart+len(ed.l.text)))
			fm.labelAttrs(e, ed.l.text, ed.l.textStart)
		}
		out = append(out, e)
	}
	for _, ed := range fm.edges {
		if ed.l.invisible {
			continue
		}
		if ed.l.forward {
			flow(ed.from, ed.to, ed)
		}
		if ed.l.backward {
			flow(ed.to, ed.from, ed)
		}
	}
	return out
}

// trustLevels and trustSynonyms name a zone's trust level in a subgraph's title (or id); a
// level named outright wins over a synonym ("Public internet" is internet).
var (
	trustLevels   = map[string]string{"internet": "internet", "dmz": "dmz", "internal": "internal", "restricted": "restricted"}
	trustSynonyms = map[string]string{"public": "dmz", "private": "internal", "backend": "internal",
		"data": "restricted", "secure": "restricted"}
)

// zoneElement makes the zone of a subgraph.
func (fm *fileModel) zoneElement(z *zone) *model.Element {
	sp := fm.span(z.start, z.end)
	e := &model.Element{ID: fm.zoneID(z.id), Kind: model.Zone, Type: "mermaid_subgraph", Name: z.title,
		Span: sp, Head: sp, Provenance: model.Documented, Aliases: aliases(z.id, z.title)}
	ws := words(z.title, z.titleStart)
	if z.idStart >= 0 {
		ws = append(ws, words(z.id, z.idStart)...)
	}
	if w, level, ok := firstIn(ws, trustLevels); ok {
		e.Set("trust", level, fm.span(w.start, w.end))
	} else if w, level, ok := firstIn(ws, trustSynonyms); ok {
		e.Set("trust", level, fm.span(w.start, w.end))
	}
	if z.parent != nil {
		e.Set("parent", fm.zoneID(z.parent.id), sp)
	}
	return e
}

func (fm *fileModel) text(start, end int) string { return string(fm.src[start:end]) }

// firstIn returns the first of ws that m holds, and its value there.
func firstIn(ws []word, m map[string]string) (word, string, bool) {
	for _, w := range ws {
		if v, ok := m[w.w]; ok {
			return w, v, true
		}
	}
	return word{}, "", false
}

// storeWords hint that a node is a store: its category and technology.
var storeWords = map[string][2]string{
	"db": {"database", ""}, "database": {"database", ""}, "databases": {"database", ""},
	"postgres": {"database", "postgres"}, "postgresql": {"database", "postgres"}, "psql": {"database", "postgres"},
	"mysql": {"database", "mysql"}, "mariadb": {"database", "mysql"},
	"mongo": {"database", "mongodb"}, "mongodb": {"database", "mongodb"},
	"redis": {"cache", "redis"}, "memcached": {"cache", "memcached"}, "cache": {"cache", ""},
	"s3": {"bucket", "s3"}, "bucket": {"bucket", ""}, "buckets": {"bucket", ""},
	"queue": {"queue", ""}, "queues": {"queue", ""}, "sqs": {"queue", "sqs"},
	"rabbitmq": {"queue", "rabbitmq"}, "kafka": {"queue", "kafka"},
}

// actorWords hint that a node is outside the system, unless a componentWord says it is a
// part of it ("Admin UI", "User Service").
var (
	actorWords = map[string]bool{"user": true, "users": true, "browser": true, "browsers": true,
		"client": true, "clients": true, "internet": true, "customer": true, "customers": true,
		"admin": true, "admins": true, "administrator": true, "administrators": true,
		"visitor": true, "visitors": true, "partner": true, "partners": true, "thirdparty": true}
	componentWords = map[string]bool{"api": true, "service": true, "services": true, "svc": true,
		"server": true, "app": true, "application": true, "ui": true, "panel": true, "portal": true,
		"backend": true, "frontend": true, "worker": true, "gateway": true, "dashboard": true,
		"console": true, "handler": true, "function": true, "lambda": true, "job": true}
)

// nodeElement makes the component, store or actor of a node: a cylinder is a store, a circle
// an actor, a subroutine a component; other shapes take their kind from the words of the
// label and id (storeWords, then actorWords), component when none says.
func (fm *fileModel) nodeElement(id string, n *node) *model.Element {
	m := n.def
	sp := fm.span(m.start, m.end)
	name := cleanLabel(m.label)
	if name == "" {
		name = id
	}
	e := &model.Element{ID: fm.nodeID(id), Kind: model.Component, Type: "mermaid_node", Name: name,
		Span: sp, Head: sp, Provenance: model.Documented, Aliases: aliases(id, name)}
	if first, _, ok := strings.Cut(strings.TrimSpace(breakRE.ReplaceAllString(m.label, "\n")), "\n"); ok {
		e.Aliases = addAlias(e.Aliases, model.NameAlias(cleanLabel(first)))
	}
	ws := append(words(m.label, m.labelStart), words(id, m.start)...)
	var parts []word // the words and their camel-case parts: "OrdersDB" is "orders" "db"
	for _, w := range ws {
		parts = append(parts, w)
		parts = append(parts, camel(fm.text(w.start, w.end), w.start)...)
	}
	store := func() (word, [2]string, bool) {
		for _, w := range parts {
			if h, ok := storeWords[w.w]; ok {
				return w, h, true
			}
			if len(w.w) > 2 && strings.HasSuffix(w.w, "db") {
				return w, [2]string{"database", ""}, true
			}
		}
		return word{}, [2]string{}, false
	}
	actor := func() bool {
		hit := false
		for i, w := range ws {
			if componentWords[w.w] {
				return false
			}
			hit = hit || actorWords[w.w] || w.w == "party" && i > 0 && (ws[i-1].w == "third" || ws[i-1].w == "3rd")
		}
		return hit
	}
	sw, hint, isStore := store()
	switch {
	case m.shape == "cylinder":
		e.Kind = model.Store
	case m.shape == "circle" || m.shape == "double_circle":
		e.Kind = model.Actor
	case m.shape == "subroutine":
	case isStore:
		e.Kind = model.Store
	case actor():
		e.Kind = model.Actor
	}
	if e.Kind == model.Store && isStore {
		note := fmt.Sprintf("the diagram calls it %q", fm.text(sw.start, sw.end))
		guess(e, "category", hint[0], fm.span(sw.start, sw.end), note)
		if hint[1] != "" {
			guess(e, "technology", hint[1], fm.span(sw.start, sw.end), note)
		}
	}
	if e.Kind == model.Actor {
		for _, w := range ws {
			if w.w == "internet" {
				e.Aliases = addAlias(e.Aliases, "name:internet")
			}
		}
	}
	if n.zone != nil {
		e.Set("zone", fm.zoneID(n.zone.id), sp)
	}
	return e
}

// guess records an attribute read from a word of the diagram rather than stated by it.
func guess(e *model.Element, name string, v any, at model.Span, note string) {
	e.SetNote(name, v, at, note)
}

var (
	protocols = map[string]string{"https": "https", "http": "http", "grpc": "grpc", "grpcs": "grpc",
		"tcp": "tcp", "udp": "udp", "sql": "postgres", "postgres": "postgres", "postgresql": "postgres",
		"psql": "postgres", "mysql": "mysql", "redis": "redis", "rediss": "redis", "amqp": "amqp",
		"amqps": "amqp", "kafka": "kafka", "smtp": "smtp", "smtps": "smtp", "ws": "websocket",
		"wss": "websocket", "ssh": "ssh"}
	tlsOn   = map[string]bool{"https": true, "tls": true, "mtls": true, "ssl": true, "encrypted": true, "rediss": true, "amqps": true, "smtps": true, "grpcs": true, "wss": true}
	tlsOff  = map[string]bool{"plaintext": true, "unencrypted": true, "cleartext": true}
	authOn  = map[string]bool{"jwt": true, "oauth": true, "oauth2": true, "oidc": true, "mtls": true, "token": true, "tokens": true, "bearer": true, "apikey": true, "password": true, "sigv4": true, "iam": true, "saml": true, "hmac": true}
	authOff = map[string]bool{"anonymous": true, "unauthenticated": true, "unauthed": true, "noauth": true}
	negate  = map[string]bool{"no": true, "without": true, "non": true}
)

// labelAttrs reads an edge's protocol, port, TLS and authentication from its text, written
// at offset at. Each attribute spans the words that decided it.
func (fm *fileModel) labelAttrs(e *model.Element, text string, at int) {
	ws := words(text, at)
	set := func(name string, v any, from, to word) { e.Set(name, v, fm.span(from.start, to.end)) }
	for _, w := range ws {
		if p, ok := protocols[w.w]; ok {
			set("protocol", p, w, w)
			break
		}
	}
	port := func(colon bool) bool {
		for _, w := range ws {
			i, j := w.start-at, w.end-at
			if len(w.w) < 2 || strings.Trim(w.w, "0123456789") != "" || (i > 0 && text[i-1] == '.') || (j < len(text) && text[j] == '.') {
				continue
			}
			if colon && (i == 0 || text[i-1] != ':') {
				continue
			}
			var n int64
			fmt.Sscan(w.w, &n)
			if n >= 1 && n <= 65535 {
				set("port", n, w, w)
				return true
			}
		}
		return false
	}
	if !port(true) {
		port(false)
	}
	tls, auth := false, false
	for i, w := range ws {
		negated := i > 0 && negate[ws[i-1].w]
		switch {
		case tlsOff[w.w]:
			set("tls", false, w, w)
			tls = true
		case negated && (w.w == "tls" || w.w == "ssl" || w.w == "encryption"):
			set("tls", false, ws[i-1], w)
			tls = true
		case authOff[w.w]:
			set("authenticated", false, w, w)
			auth = true
		case negated && strings.HasPrefix(w.w, "auth"):
			set("authenticated", false, ws[i-1], w)
			auth = true
		}
	}
	for i, w := range ws {
		if !tls && tlsOn[w.w] {
			set("tls", true, w, w)
			tls = true
		}
		if !auth && (authOn[w.w] || strings.HasPrefix(w.w, "auth") || w.w == "key" && i > 0 && ws[i-1].w == "api") {
			from := w
			if w.w == "key" {
				from = ws[i-1]
			}
			set("authenticated", true, from, w)
			auth = true
		}
	}
	if !tls {
		for _, w := range ws {
			if w.w == "http" || w.w == "ws" {
				set("tls", false, w, w)
				break
			}
		}
	}
}

// word is a run of ASCII letters and digits, lower-cased, with its offsets in the file.
type word struct {
	w          string
	start, end int
}

func isAlnum(b byte) bool {
	return '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

// words splits s, written at offset at, into words.
func words(s string, at int) []word {
	var out []word
	for i := 0; i < len(s); {
		if !isAlnum(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isAlnum(s[j]) {
			j++
		}
		out = append(out, word{strings.ToLower(s[i:j]), at + i, at + j})
		i = j
	}
	return out
}

// camel splits a word written in camel case ("OrdersDB", "userCache") into its parts; it
// returns nothing for a word of one part.
func camel(s string, at int) []word {
	var out []word
	start := 0
	isUpper := func(b byte) bool { return 'A' <= b && b <= 'Z' }
	isLower := func(b byte) bool { return 'a' <= b && b <= 'z' }
	for i := 1; i < len(s); i++ {
		if isLower(s[i-1]) && isUpper(s[i]) || i+1 < len(s) && isUpper(s[i-1]) && isUpper(s[i]) && isLower(s[i+1]) {
			out = append(out, word{strings.ToLower(s[start:i]), at + start, at + i})
			start = i
		}
	}
	if len(out) == 0 {
		return nil
	}
	return append(out, word{strings.ToLower(s[start:]), at + start, at + len(s)})
}

var (
	breakRE = regexp.MustCompile(`(?i)<br\s*/?>`)
	tagRE   = regexp.MustCompile(`<[^>]*>`)
)

// cleanLabel turns a label as written into a name: line breaks become spaces, HTML tags,
// Markdown-string backticks and bold markers go.
func cleanLabel(s string) string {
	s = breakRE.ReplaceAllString(s, " ")
	s = tagRE.ReplaceAllString(s, "")
	s = strings.Trim(strings.TrimSpace(s), "`")
	s = strings.ReplaceAll(s, "**", "")
	return strings.Join(strings.Fields(s), " ")
}

// aliases returns the name aliases of an id and a name, without duplicates.
func aliases(id, name string) []string {
	return addAlias(addAlias(nil, model.NameAlias(id)), model.NameAlias(name))
}

func addAlias(as []string, a string) []string {
	if a == "" {
		return as
	}
	for _, x := range as {
		if x == a {
			return as
		}
	}
	return append(as, a)
}
