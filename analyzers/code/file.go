package code

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// file is one source file being extracted: its flat tree, the names its imports and
// assignments bind, and the calls found in it. It lives for one Extract.
type file struct {
	l    *Language
	g    Grammar
	path string
	src  []byte
	flat *parse.Flat
	kind []string // node kinds by symbol, cached
	// lines holds the offset of every line start, for spans.
	lines []int

	imports  map[string]string // local name → qualified name
	modules  []string          // every module imported, as written
	wild     []string          // wildcard imports: names in them are in scope unqualified
	vars     map[string][]*binding
	packs    map[*Pack]bool // packs enabled by the file's imports
	calls    []*call
	callAt   map[int32]*call
	readAt   map[int32]*read
	bindings int

	// For the taint engine: the bindings outside functions, and the client calls of the
	// file's flows (with the technology of databases).
	topVars  map[string][]*binding
	flowAt   map[[2]uint32]bool
	flowTech map[[2]uint32]string
	matched  map[*regexp.Regexp]bool
}

// matches reports whether the file's text matches re, once per file.
func (f *file) matches(re *regexp.Regexp) bool {
	if v, ok := f.matched[re]; ok {
		return v
	}
	if f.matched == nil {
		f.matched = map[*regexp.Regexp]bool{}
	}
	v := re.Match(f.src)
	f.matched[re] = v
	return v
}

// binding is what a name holds from an offset on: the type of the value assigned (a
// qualified name) and, when the engine can tell, the value itself.
type binding struct {
	off    uint32
	typ    string
	val    *val
	decl   bool   // declared with a type (a field, a parameter), not assigned
	field  bool   // a struct field: reached through its receiver (s.db), never alone
	prefix string // the path prefix routes registered on it get (a router group)
}

// call is a call, a constructor, a composite literal or an annotation.
type call struct {
	node       int32
	start, end uint32
	chain      []string // the callee as written, segment by segment
	callee     string   // qualified
	row        *Row
	args       []arg
	recv       int32 // the callee's object (a method call's receiver), or -1
	annotation bool
	target     int32 // the definition an annotation applies to, or -1
}

// arg is an argument: positional (pos ≥ 0) or named (key).
type arg struct {
	key  string
	pos  int
	node int32
}

// read is a keyed read of a configuration object: os.environ["X"], process.env.X.
type read struct {
	node       int32
	chain      []string
	object     string // qualified, once resolved
	key        string
	keyNode    int32
	row        *Row
	resolved   bool
	start, end uint32
}

func newFile(l *Language, g Grammar, path string, src []byte, flat *parse.Flat) *file {
	f := &file{l: l, g: g, path: path, src: src, flat: flat, imports: map[string]string{}, vars: map[string][]*binding{},
		packs: map[*Pack]bool{}, callAt: map[int32]*call{}, readAt: map[int32]*read{}}
	f.lines = append(f.lines, 0)
	for i, c := range src {
		if c == '\n' {
			f.lines = append(f.lines, i+1)
		}
	}
	return f
}

func (f *file) k(n int32) string {
	if n < 0 {
		return ""
	}
	return f.flat.Kind(n)
}

func (f *file) text(n int32) string {
	if n < 0 {
		return ""
	}
	nd := &f.flat.Nodes[n]
	return string(f.src[nd.StartByte:nd.EndByte])
}

func (f *file) named(n int32) bool { return f.flat.Nodes[n].Flags&parse.FlatNamed != 0 }

// children returns the named children of n, comments left out.
func (f *file) children(n int32) []int32 {
	var out []int32
	if n < 0 {
		return nil
	}
	for c := f.flat.Nodes[n].FirstChild; c >= 0; c = f.flat.Nodes[c].NextSibling {
		if f.named(c) && !has(f.l.Syntax.Comments, f.k(c)) {
			out = append(out, c)
		}
	}
	return out
}

// field returns the child of n a Shape field names: a field name, "#i" (the i-th named
// child, negative from the end) or "@kind" (the first named child of that kind). A dotted
// path descends: "declarator.name".
func (f *file) field(n int32, name string) int32 {
	if n < 0 || name == "" {
		return -1
	}
	if first, rest, ok := strings.Cut(name, "."); ok {
		return f.field(f.field(n, first), rest)
	}
	switch name[0] {
	case '#':
		i, err := strconv.Atoi(name[1:])
		cs := f.children(n)
		if err != nil || len(cs) == 0 {
			return -1
		}
		if i < 0 {
			i += len(cs)
		}
		if i < 0 || i >= len(cs) {
			return -1
		}
		return cs[i]
	case '@':
		for _, c := range f.children(n) {
			if f.k(c) == name[1:] {
				return c
			}
		}
		return -1
	}
	for c := f.flat.Nodes[n].FirstChild; c >= 0; c = f.flat.Nodes[c].NextSibling {
		if f.flat.Field(c) == name {
			return c
		}
	}
	return -1
}

func (f *file) parent(n int32) int32 {
	if n < 0 {
		return -1
	}
	return f.flat.Nodes[n].Parent
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// span returns the model span of [start, end).
func (f *file) span(start, end uint32) model.Span {
	return model.Span{File: f.path, Start: f.pos(int(start)), End: f.pos(int(end))}
}

func (f *file) nodeSpan(n int32) model.Span {
	nd := &f.flat.Nodes[n]
	return f.span(nd.StartByte, nd.EndByte)
}

// headSpan is the first line of n.
func (f *file) headSpan(n int32) model.Span {
	nd := &f.flat.Nodes[n]
	end := nd.EndByte
	if i := strings.IndexByte(string(f.src[nd.StartByte:end]), '\n'); i >= 0 {
		end = nd.StartByte + uint32(i)
	}
	return f.span(nd.StartByte, end)
}

func (f *file) pos(off int) model.Pos {
	line := sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > off }) - 1
	return model.At(off, line, off-f.lines[line])
}

// unwrap returns the node an expression stands for: through parentheses, await, pointers.
func (f *file) unwrap(n int32) int32 {
	for i := 0; n >= 0 && i < 8 && has(f.l.Syntax.Unwrap, f.k(n)); i++ {
		cs := f.children(n)
		if len(cs) == 0 {
			return n
		}
		n = cs[0]
	}
	return n
}

// chain returns an expression as the segments of a dotted name — a.b.c for a.b.c, a.b().c
// and this.a.b alike (calls in the middle are stepped over) — or nil when it is no such
// name (a literal, an arithmetic expression, a lambda).
func (f *file) chain(n int32) []string {
	return f.chainDepth(n, 0)
}

func (f *file) chainDepth(n int32, depth int) []string {
	n = f.unwrap(n)
	if n < 0 || depth > 32 {
		return nil
	}
	k := f.k(n)
	syn := &f.l.Syntax
	switch {
	case has(syn.Identifiers, k), has(syn.Self, k):
		return []string{f.text(n)}
	case has(syn.Types, k):
		cs := f.children(n)
		if len(cs) == 0 {
			return nil
		}
		return f.chainDepth(cs[0], depth+1)
	}
	if sh, ok := syn.Members[k]; ok {
		obj := f.chainDepth(f.field(n, sh.Object), depth+1)
		prop := f.field(n, sh.Property)
		if obj == nil || prop < 0 {
			return nil
		}
		p := f.chainDepth(prop, depth+1)
		if p == nil {
			return nil
		}
		return append(obj, p...)
	}
	if sh, ok := syn.Calls[k]; ok {
		if sh.Function != "" {
			return f.chainDepth(f.field(n, sh.Function), depth+1)
		}
		m := f.chainDepth(f.field(n, sh.Property), depth+1)
		if sh.Object != "" {
			if o := f.field(n, sh.Object); o >= 0 {
				obj := f.chainDepth(o, depth+1)
				if obj == nil || m == nil {
					return nil
				}
				return append(obj, m...)
			}
		}
		return m
	}
	// Names written as one node (dotted_name, scoped_identifier, qualified_name): split.
	t := f.text(n)
	if t != "" && len(t) < 256 && dotted(t) {
		return strings.Split(t, ".")
	}
	return nil
}

// dotted reports whether s is a plain dotted name: a.b.C, with $ and _ allowed.
func dotted(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && s[i-1] != '.', c == '_', c == '$', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return true
}

// bind records that name holds typ (and v) from off on.
func (f *file) bind(name string, off uint32, typ string, v *val, decl bool) {
	if name == "" || name == "_" {
		return
	}
	f.bindings++
	f.vars[name] = append(f.vars[name], &binding{off: off, typ: typ, val: v, decl: decl})
}

// lookup returns the binding of name in force at off: the last one before it, else (a name
// assigned later in the file, as fields are in constructors) the first.
func (f *file) lookup(name string, off uint32) *binding {
	bs := f.vars[name]
	if len(bs) == 0 {
		return nil
	}
	var best *binding
	for _, b := range bs {
		if b.off <= off {
			best = b
		}
	}
	if best == nil {
		best = bs[0]
	}
	return best
}

// qualify returns the qualified names a chain written at off may mean, the most likely
// first: through the variables it starts with (their types), through the imports, then
// through wildcard imports.
func (f *file) qualify(chain []string, off uint32) []string {
	return f.qualifyWith(chain, off, f.lookup)
}

// qualifyWith is qualify through the bindings lookup finds.
func (f *file) qualifyWith(chain []string, off uint32, lookup func(string, uint32) *binding) []string {
	if len(chain) == 0 {
		return nil
	}
	// The longest prefix bound to a typed variable: self.client.get with self.client a
	// httpx.Client is httpx.Client.get.
	for i := len(chain); i >= 1; i-- {
		b := lookup(strings.Join(chain[:i], "."), off)
		if b == nil || b.typ == "" || b.field {
			continue
		}
		// A value of a type of the code's own (s *Service) reaches a field: its type says
		// more (s.events with events *sqs.Client).
		if i < len(chain) && !strings.ContainsAny(b.typ, "./") {
			if fb := lookup(chain[i], off); fb != nil && fb.field && fb.typ != "" {
				return []string{join(fb.typ, chain[i+1:])}
			}
		}
		return []string{join(b.typ, chain[i:])}
	}
	if q, ok := f.imports[chain[0]]; ok {
		return []string{join(q, chain[1:])}
	}
	// A field of the receiver (this.rest, s.db): its declared type.
	if len(chain) >= 2 {
		if b := lookup(chain[1], off); b != nil && b.typ != "" && (b.decl || isSelf(chain[0])) {
			return []string{join(b.typ, chain[2:])}
		}
	}
	name := strings.Join(chain, ".")
	out := []string{name}
	for _, w := range f.wild {
		out = append(out, w+"."+name)
	}
	for _, w := range f.l.Implicit {
		out = append(out, w+"."+name)
	}
	return out
}

func isSelf(s string) bool { return s == "this" || s == "self" }

func join(q string, rest []string) string {
	if len(rest) == 0 {
		return q
	}
	return q + "." + strings.Join(rest, ".")
}

// qualifyType qualifies a type as written in a declaration: *sql.DB, List<Foo>, Foo[].
func (f *file) qualifyType(n int32) string {
	c := f.chain(n)
	if c == nil {
		return ""
	}
	qs := f.qualify(c, f.flat.Nodes[n].StartByte)
	// A type through a wildcard import is known only when a row names it; the bare name is
	// kept otherwise, which rows can still match by suffix.
	for _, q := range qs {
		if f.l.knownType(q) || f.l.tidx.types[q] {
			return q
		}
	}
	return qs[0]
}
