package code

import (
	"strconv"
	"strings"
)

// valKind is what the engine can tell of an expression's value.
type valKind uint8

const (
	vUnknown valKind = iota
	vStr             // a string, with holes (\x00) where parts are not known
	vEnv             // a configuration value: an environment variable or property, and what follows it
	vBool
	vNum
	vNull
	vList
	vObj
)

// hole stands for the unknown parts of a string.
const hole = "\x00"

// val is an expression's value as far as the engine can tell without running anything.
type val struct {
	k      valKind
	s      string // vStr: the text; vEnv: the name; vNum: the number as written
	suffix string // vEnv: text after the value (${API}/v1 → /v1)
	b      bool
	def    *val   // vEnv: its default, when the code gives one
	source string // vEnv: env, property, appsettings
	items  []*val // vList
	keys   []string
	vals   []*val // vObj, in order
	node   int32
	call   *call // the call whose result it is
	read   *read
}

func (v *val) known() bool { return v != nil && v.k != vUnknown }

// str returns a string value and whether it is whole.
func (v *val) str() (string, bool) {
	if v == nil || v.k != vStr {
		return "", false
	}
	return v.s, !strings.Contains(v.s, hole)
}

// get returns the value of key in an object value.
func (v *val) get(key string) *val {
	if v == nil || v.k != vObj {
		return nil
	}
	for i, k := range v.keys {
		if k == key {
			return v.vals[i]
		}
	}
	return nil
}

const maxEvalDepth = 24

// eval returns the value of the expression n.
func (f *file) eval(n int32) *val { return f.evalDepth(n, 0) }

func (f *file) evalDepth(n int32, depth int) *val {
	n = f.unwrap(n)
	if n < 0 || depth > maxEvalDepth {
		return &val{node: n}
	}
	syn := &f.l.Syntax
	k := f.k(n)
	switch {
	case has(syn.Strings, k):
		return f.evalString(n, depth)
	case has(syn.True, k):
		return &val{k: vBool, b: true, node: n}
	case has(syn.False, k):
		return &val{k: vBool, b: false, node: n}
	case has(syn.Booleans, k):
		switch strings.ToLower(f.text(n)) {
		case "true":
			return &val{k: vBool, b: true, node: n}
		case "false":
			return &val{k: vBool, b: false, node: n}
		}
	case has(syn.Null, k):
		return &val{k: vNull, node: n}
	case has(syn.Numbers, k):
		return &val{k: vNum, s: f.text(n), node: n}
	case has(syn.Lists, k) && !f.pairsOnly(n):
		v := &val{k: vList, node: n}
		for _, c := range f.children(n) {
			v.items = append(v.items, f.evalDepth(c, depth+1))
		}
		return v
	case has(syn.Objects, k) || has(syn.Lists, k):
		v := &val{k: vObj, node: n}
		for _, c := range f.children(n) {
			sh, ok := syn.Pairs[f.k(c)]
			if !ok {
				continue
			}
			v.keys = append(v.keys, f.keyText(f.field(c, sh.Key)))
			v.vals = append(v.vals, f.evalDepth(f.field(c, sh.Value), depth+1))
		}
		return v
	case has(syn.Concat, k) || has(syn.Fallbacks, k):
		cs := f.children(n)
		if len(cs) < 2 {
			break
		}
		l, r := cs[0], cs[len(cs)-1]
		op := strings.TrimSpace(string(f.src[f.flat.Nodes[l].EndByte:f.flat.Nodes[r].StartByte]))
		switch op {
		case "+":
			return concat(f.evalDepth(l, depth+1), f.evalDepth(r, depth+1), n)
		case "||", "??", "or", "?:":
			v := f.evalDepth(l, depth+1)
			if v.k == vEnv && v.def == nil {
				c := *v
				c.def = f.evalDepth(r, depth+1)
				return &c
			}
			if !v.known() {
				return f.evalDepth(r, depth+1)
			}
			return v
		}
	}
	if sh, ok := syn.Lambdas[k]; ok {
		if b := f.field(n, sh.Body); b >= 0 {
			if v := f.evalDepth(b, depth+1); v.known() {
				return v
			}
		}
		return &val{node: n}
	}
	if sh, ok := syn.Literals[k]; ok {
		if b := f.field(n, sh.Body); b >= 0 {
			if v := f.evalDepth(b, depth+1); v.known() {
				return v
			}
		}
	}
	if c := f.callAt[n]; c != nil {
		switch {
		case c.row != nil && c.row.Kind == KindConfig:
			return f.configVal(c, depth)
		case c.row != nil && c.row.Kind == KindIdentity:
			return f.argVal(c, "arg0", depth+1)
		}
		return &val{node: n, call: c}
	}
	if r := f.resolveRead(n); r != nil {
		return &val{k: vEnv, s: r.key, source: sourceOf(r.row), node: n, read: r}
	}
	if c := f.chain(n); c != nil {
		off := f.flat.Nodes[n].StartByte
		for i := len(c); i >= 1; i-- {
			if b := f.lookup(strings.Join(c[:i], "."), off); b != nil && b.val != nil && i == len(c) {
				return b.val
			}
		}
	}
	return &val{node: n}
}

func sourceOf(r *Row) string {
	if r.Source != "" {
		return r.Source
	}
	return "env"
}

// configVal is the value a configuration read gives: the variable, with its default.
func (f *file) configVal(c *call, depth int) *val {
	r := c.row
	key := r.Key
	if key == "" {
		key = "arg0"
	}
	kv := f.argVal(c, key, depth+1)
	name, ok := kv.str()
	if !ok || name == "" {
		return &val{node: c.node, call: c}
	}
	v := &val{k: vEnv, s: r.KeyPrefix + propertyName(name), source: sourceOf(r), node: c.node, call: c}
	if r.Default != "" {
		if d := f.argVal(c, r.Default, depth+1); d.known() {
			v.def = d
		}
	}
	return v
}

// propertyName returns the name a Spring placeholder holds: orders.url for ${orders.url:x}.
func propertyName(s string) string {
	if strings.HasPrefix(s, "${") && strings.HasSuffix(s, "}") {
		s = s[2 : len(s)-1]
		s, _, _ = strings.Cut(s, ":")
	}
	return strings.TrimSpace(s)
}

// keyText is the text of an object key or keyword: its string value, or the identifier.
func (f *file) keyText(n int32) string {
	if n < 0 {
		return ""
	}
	n = f.unwrap(n)
	if has(f.l.Syntax.Strings, f.k(n)) {
		s, _ := f.evalString(n, 0).str()
		return s
	}
	return strings.TrimSpace(f.text(n))
}

func (f *file) evalString(n int32, depth int) *val {
	syn := &f.l.Syntax
	var b strings.Builder
	var env *val
	parts := 0
	for c := f.flat.Nodes[n].FirstChild; c >= 0; c = f.flat.Nodes[c].NextSibling {
		k := f.k(c)
		switch {
		case has(syn.StringParts, k):
			b.WriteString(f.text(c))
			parts++
		case has(syn.Interpolations, k):
			parts++
			var inner int32 = -1
			for _, x := range f.children(c) {
				if !strings.Contains(f.k(x), "brace") && !strings.Contains(f.k(x), "clause") {
					inner = x
					break
				}
			}
			v := f.evalDepth(inner, depth+1)
			switch {
			case v.k == vStr:
				b.WriteString(v.s)
			case v.k == vEnv && b.Len() == 0 && env == nil:
				env = v
			default:
				b.WriteString(hole)
			}
		}
	}
	if env != nil {
		c := *env
		c.suffix += b.String()
		c.node = n
		return &c
	}
	if parts == 0 {
		return &val{k: vStr, s: unquote(f.text(n)), node: n}
	}
	return &val{k: vStr, s: b.String(), node: n}
}

// unquote strips a string literal's prefix and quotes: r"…", b'…', @"…", $"…", `…`, """…""".
func unquote(s string) string {
	s = strings.TrimLeft(s, "rRbBuUfF@$")
	for _, q := range []string{`"""`, `'''`, `"`, `'`, "`"} {
		if len(s) >= 2*len(q) && strings.HasPrefix(s, q) && strings.HasSuffix(s, q) {
			return s[len(q) : len(s)-len(q)]
		}
	}
	return s
}

// concat joins the values of a + b.
func concat(a, b *val, n int32) *val {
	switch {
	case a.k == vStr && b.k == vStr:
		return &val{k: vStr, s: a.s + b.s, node: n}
	case a.k == vStr:
		return &val{k: vStr, s: a.s + hole, node: n}
	case a.k == vEnv && b.k == vStr:
		c := *a
		c.suffix += b.s
		c.node = n
		return &c
	case a.k == vEnv:
		c := *a
		c.suffix += hole
		c.node = n
		return &c
	}
	return &val{node: n}
}

// argNode returns the node of the argument spec names in c, or -1.
func (f *file) argNode(c *call, spec string) int32 {
	switch {
	case spec == "last":
		for i := len(c.args) - 1; i >= 0; i-- {
			if c.args[i].pos >= 0 {
				return c.args[i].node
			}
		}
		return -1
	case strings.HasPrefix(spec, "arg"):
		i := 0
		for _, ch := range spec[3:] {
			i = 10*i + int(ch-'0')
		}
		for _, a := range c.args {
			if a.pos == i {
				return a.node
			}
		}
		return -1
	case strings.HasPrefix(spec, "kw:"):
		key := spec[3:]
		for _, a := range c.args {
			if a.key == key {
				return a.node
			}
		}
		// A property of an object literal argument: new Pool({host: …}); a dotted key looks
		// into a keyword's object: kw:Params.Bucket.
		if first, rest, ok := strings.Cut(key, "."); ok {
			for _, a := range c.args {
				if a.key == first {
					if v := f.property(a.node, rest); v >= 0 {
						return v
					}
				}
			}
		}
		for _, a := range c.args {
			if a.pos < 0 {
				continue
			}
			n := f.unwrap(a.node)
			if lit := f.callAt[n]; lit != nil && lit != c {
				// A literal of an options type: redis.NewClient(&redis.Options{Addr: …}).
				if _, ok := f.l.Syntax.Literals[f.k(n)]; ok {
					for _, la := range lit.args {
						if la.key == key {
							return la.node
						}
					}
				}
			}
			if !has(f.l.Syntax.Objects, f.k(n)) {
				continue
			}
			for _, p := range f.children(n) {
				if sh, ok := f.l.Syntax.Pairs[f.k(p)]; ok && f.keyText(f.field(p, sh.Key)) == key {
					return f.field(p, sh.Value)
				}
			}
		}
		return -1
	case spec == "receiver":
		return c.recv
	case strings.HasPrefix(spec, "field:"):
		for _, a := range c.args {
			if a.key == spec {
				return a.node
			}
		}
	}
	return -1
}

// pairsOnly reports whether every named child of n is a pair: a literal of keyed elements
// (Go's {Addr: "x"}) is an object even where unkeyed ones make a list.
func (f *file) pairsOnly(n int32) bool {
	cs := f.children(n)
	if len(cs) == 0 {
		return false
	}
	for _, c := range cs {
		if _, ok := f.l.Syntax.Pairs[f.k(c)]; !ok {
			return false
		}
	}
	return true
}

// property returns the value node of key in the object literal n, or -1.
func (f *file) property(n int32, key string) int32 {
	n = f.unwrap(n)
	if !has(f.l.Syntax.Objects, f.k(n)) {
		return -1
	}
	for _, p := range f.children(n) {
		if sh, ok := f.l.Syntax.Pairs[f.k(p)]; ok && f.keyText(f.field(p, sh.Key)) == key {
			return f.field(p, sh.Value)
		}
	}
	return -1
}

// argVal evaluates the first alternative of spec that c has.
func (f *file) argVal(c *call, spec ArgSpec, depth int) *val {
	for _, alt := range spec.alts() {
		switch alt {
		case "callee":
			return &val{k: vStr, s: c.callee, node: c.node}
		case "target":
			if c.target >= 0 {
				return &val{k: vStr, s: f.defName(c.target), node: c.target}
			}
			continue
		}
		if n := f.argNode(c, alt); n >= 0 {
			return f.evalDepth(n, depth)
		}
	}
	return &val{node: -1}
}

// present reports whether c has an argument spec names.
func (f *file) present(c *call, spec ArgSpec) bool {
	for _, alt := range spec.alts() {
		if f.argNode(c, alt) >= 0 {
			return true
		}
	}
	return false
}

// holds reports whether a condition holds of c.
func (f *file) holds(c *call, cond *Cond) bool {
	if cond == nil {
		return true
	}
	ok := false
	for _, want := range cond.Equals {
		if w, isStr := want.(string); isStr && w == "absent" {
			if !f.present(c, cond.Arg) {
				ok = true
			}
			continue
		}
		if !f.present(c, cond.Arg) {
			continue
		}
		if w, isStr := want.(string); isStr && w == "*" {
			ok = true
			continue
		}
		if equal(f.argVal(c, cond.Arg, 0), want) {
			ok = true
		}
	}
	return ok != cond.Not
}

// equal compares a value with a literal of a row: a string, a bool or a number. A list
// equals a literal when one of its items does.
func equal(v *val, want any) bool {
	switch v.k {
	case vStr:
		s, whole := v.str()
		w, ok := want.(string)
		return ok && whole && s == w
	case vBool:
		w, ok := want.(bool)
		return ok && w == v.b
	case vNum:
		switch w := want.(type) {
		case int:
			return v.s == strconv.Itoa(w)
		case string:
			return v.s == w
		}
	case vList:
		for _, it := range v.items {
			if equal(it, want) {
				return true
			}
		}
	case vNull:
		return want == nil
	}
	return false
}

// attrValue converts a value to what an attribute holds: bool, int64, string or []any.
func attrValue(v *val) (any, bool) {
	switch v.k {
	case vBool:
		return v.b, true
	case vStr:
		s, whole := v.str()
		return s, whole
	case vNum:
		var n int64
		for _, c := range v.s {
			if c < '0' || c > '9' {
				return v.s, true
			}
			n = 10*n + int64(c-'0')
		}
		return n, true
	case vList:
		var out []any
		for _, it := range v.items {
			if x, ok := attrValue(it); ok {
				out = append(out, x)
			}
		}
		return out, true
	}
	return nil, false
}

// strings returns the strings a value holds: itself, or the strings of a list.
func (v *val) strings() []string {
	switch v.k {
	case vStr:
		if s, ok := v.str(); ok {
			return []string{s}
		}
	case vList:
		var out []string
		for _, it := range v.items {
			out = append(out, it.strings()...)
		}
		return out
	}
	return nil
}
