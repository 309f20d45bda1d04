package code

import (
	"fmt"
	"strconv"
	"strings"
)

// Checks are calls and settings that are findings of their own when their conditions hold:
// a broken cipher, a cookie without Secure, a JWT decoded without pinned algorithms. Their
// rows (kind check) name the finding (check:), the conditions on the arguments (when:, all:)
// and, when the fix is mechanical, the fix (fix:).

// taintRows returns every row of the taint index, of an enabled pack, that one of names keys.
func (l *Language) taintRows(f *file, what string, names []string) []*Row {
	var out []*Row
	seen := map[*Row]bool{}
	for _, n := range names {
		for _, r := range l.tidx.exact[what+"\x00"+n] {
			if !seen[r] && r.applies(f) {
				seen[r] = true
				out = append(out, trace(r))
			}
		}
	}
	for _, r := range l.tidx.globs[what] {
		if seen[r] || !r.applies(f) {
			continue
		}
		for _, n := range names {
			last := n[strings.LastIndexByte(n, '.')+1:]
			if strings.HasPrefix(last, r.lastPre) && strings.HasSuffix(last, r.lastSuf) && r.callRE.MatchString(n) {
				seen[r] = true
				out = append(out, trace(r))
				break
			}
		}
	}
	return out
}

// holdsAll reports whether every condition holds of c.
func (w *walker) holdsAll(c *call, conds []*Cond) bool {
	for _, cond := range conds {
		if !w.condHolds(c, cond) {
			return false
		}
	}
	return true
}

// condHolds is Cond for check rows: Equals compares an argument's value, or its qualified
// name (hashlib.md5 given as digestmod); Below a number; Match the value or text.
func (w *walker) condHolds(c *call, cond *Cond) bool {
	if cond == nil {
		return true
	}
	f := w.f
	spec := cond.Arg
	if spec == "" {
		spec = "arg0"
	}
	if cond.Receiver {
		rc := w.receiverCall(c)
		if rc == nil {
			return cond.Not
		}
		c = rc
	}
	node := int32(-1)
	for _, alt := range spec.alts() {
		switch {
		case alt == "receiver":
			node = c.recv
		case alt == "callee":
			// the callee as written, calls stepped over: policy.SetIsOriginAllowed(…).AllowCredentials
			text := strings.Join(c.chain, ".")
			ok := cond.matchRE != nil && cond.matchRE.MatchString(text)
			for _, want := range cond.Equals {
				if s, isStr := want.(string); isStr && (text == s || strings.HasSuffix(text, "."+s)) {
					ok = true
				}
			}
			return ok != cond.Not
		default:
			node = f.argNode(c, alt)
			if node < 0 && strings.HasPrefix(alt, "kw:") {
				node = w.initializerNode(c, alt[3:])
			}
		}
		if node >= 0 {
			break
		}
	}
	present := node >= 0
	ok := false
	var v *val
	if present {
		v = f.eval(node)
		if !v.known() {
			if cv := w.constVal(node); cv != nil {
				v = cv
			}
		}
	}
	for _, want := range cond.Equals {
		if s, isStr := want.(string); isStr && s == "absent" {
			ok = ok || !present
			continue
		}
		if !present {
			continue
		}
		if s, isStr := want.(string); isStr && s == "*" {
			ok = true
			continue
		}
		if equal(v, want) || w.nameEquals(node, want) {
			ok = true
		}
	}
	if cond.Below != 0 && present && v.k == vNum {
		if n, err := strconv.ParseInt(strings.ReplaceAll(v.s, "_", ""), 0, 64); err == nil && n < cond.Below {
			ok = true
		}
	}
	if cond.Const && present && w.constVal(node) != nil {
		ok = true
	}
	if cond.Type != "" && present {
		if name := w.varName(node); name != "" {
			typ := w.st.types[name]
			if typ == "" {
				if b := w.top(name, f.flat.Nodes[node].StartByte); b != nil {
					typ = b.typ
				}
			}
			if typ == cond.Type || strings.HasSuffix(typ, "."+cond.Type) {
				ok = true
			}
		}
	}
	if cond.matchRE != nil && present {
		text := strings.TrimSpace(f.text(node))
		if s, whole := v.str(); whole {
			text = s
		}
		if cond.matchRE.MatchString(text) {
			ok = true
		}
	}
	return ok != cond.Not
}

// receiverCall returns the call that made c's receiver: the receiver itself when it is a
// call, or the call a local variable holds.
func (w *walker) receiverCall(c *call) *call {
	f := w.f
	r := f.unwrap(c.recv)
	if r < 0 {
		return nil
	}
	if rc := f.callAt[r]; rc != nil {
		return rc
	}
	if name := w.varName(r); name != "" {
		if d, ok := w.st.defs[name]; ok {
			return f.callAt[d]
		}
		if b := w.top(name, c.start); b != nil && b.val != nil && b.val.call != nil {
			return b.val.call
		}
	}
	return nil
}

// initializerNode returns the value of key in an object initializer of the call (C#'s
// new CookieOptions { Secure = true }), or -1.
func (w *walker) initializerNode(c *call, key string) int32 {
	f := w.f
	for _, ch := range f.children(c.node) {
		if !has(f.l.Syntax.Objects, f.k(ch)) {
			continue
		}
		if v := f.property(ch, key); v >= 0 {
			return v
		}
		for _, p := range f.children(ch) {
			if sh, ok := f.l.Syntax.Pairs[f.k(p)]; ok && f.keyText(f.field(p, sh.Key)) == key {
				return f.field(p, sh.Value)
			}
		}
	}
	return -1
}

// nameEquals reports whether the expression n names want: its qualified name, or its text,
// or its last segment (DtdProcessing.Parse matches "Parse" and "DtdProcessing.Parse").
func (w *walker) nameEquals(n int32, want any) bool {
	s, ok := want.(string)
	if !ok {
		return false
	}
	ch := w.f.chain(n)
	if ch == nil {
		return false
	}
	text := strings.Join(ch, ".")
	if text == s || strings.HasSuffix(text, "."+s) {
		return true
	}
	for _, q := range w.qualify(ch, w.f.flat.Nodes[n].StartByte) {
		if q == s || strings.HasSuffix(q, "."+s) {
			return true
		}
	}
	return false
}

// check records a check row's finding at a call, when its conditions hold.
func (w *walker) check(c *call, r *Row) {
	if !w.condHolds(c, r.When) || !w.holdsAll(c, r.All) {
		return
	}
	key := [2]uint32{c.start, uint32(len(r.Check))}
	if w.chkAt[key] {
		return
	}
	w.chkAt[key] = true
	h := checkHit{row: r, check: r.Check, start: c.start, end: c.end, detail: short(w.f.text(c.node))}
	if r.Fix != nil {
		h.fix = w.fixOf(c, r, -1)
	}
	w.res.checks = append(w.res.checks, h)
}

// checkSetting records a check row keyed by a setting (a keyword argument, a property set,
// a field of a literal) when its conditions hold of the value.
func (w *walker) checkSetting(r *Row, key string, value int32) {
	f := w.f
	nd := &f.flat.Nodes[value]
	c := &call{node: value, start: nd.StartByte, end: nd.EndByte, recv: -1, target: -1, chain: []string{key},
		args: []arg{{pos: 0, node: value}}}
	if !w.condHolds(c, r.When) || !w.holdsAll(c, r.All) {
		return
	}
	k := [2]uint32{nd.StartByte, uint32(len(r.Check))}
	if w.chkAt[k] {
		return
	}
	w.chkAt[k] = true
	h := checkHit{row: r, check: r.Check, start: nd.StartByte, end: nd.EndByte, detail: key + " = " + short(f.text(value))}
	if r.Fix != nil && r.Fix.With != "" {
		h.fix = w.replaceText(value, r.Fix.Old, r.Fix.With)
	}
	w.res.checks = append(w.res.checks, h)
}

// fixOf computes the edits of a row's fix at c (node: the sink's argument, or -1).
func (w *walker) fixOf(c *call, r *Row, node int32) []edit {
	f := w.f
	fx := r.Fix
	switch {
	case fx.Callee != "":
		n := w.calleeNode(c)
		if n < 0 {
			return nil
		}
		if strings.Contains(fx.Callee, ".") {
			fn := w.calleeExpr(c)
			if fn < 0 {
				return nil
			}
			return w.withImport(w.replaceText(fn, "", fx.Callee), fx.Callee)
		}
		return w.replaceText(n, "", fx.Callee)
	case fx.Arg != "":
		for _, alt := range fx.Arg.alts() {
			if n := f.argNode(c, alt); n >= 0 {
				es := w.replaceText(n, fx.Old, fx.With)
				if f.l.Name == "go" && fx.Old == "" && strings.Contains(fx.With, ".") && dotted(fx.With) {
					es = w.withImport(es, fx.With)
				}
				return es
			}
		}
		return nil
	case fx.Add != "":
		add := strings.ReplaceAll(fx.Add, "{alg}", w.jwtAlgorithm())
		args := w.argsNode(c)
		if args < 0 {
			args = w.initializer(c)
		}
		if args < 0 {
			return nil
		}
		nd := &f.flat.Nodes[args]
		end := nd.EndByte - 1 // before the closing parenthesis or brace
		if end <= nd.StartByte || f.src[end] != ')' && f.src[end] != '}' {
			return nil
		}
		body := strings.TrimRight(string(f.src[nd.StartByte+1:end]), " \t\n\r")
		switch {
		case strings.TrimSpace(body) == "":
			return []edit{{start: end, end: end, text: add}}
		case strings.HasSuffix(body, ","):
			// a literal written one element per line: a line of its own, indented alike
			at := nd.StartByte + 1 + uint32(len(body))
			line := body[strings.LastIndexByte(body, '\n')+1:]
			indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
			return []edit{{start: at, end: at, text: "\n" + indent + add + ","}}
		}
		at := nd.StartByte + 1 + uint32(len(body))
		return []edit{{start: at, end: at, text: ", " + add}}
	case fx.Placeholder != "":
		return w.parameterise(c, r, node)
	}
	return nil
}

// replaceText replaces the text of n, or old inside it.
func (w *walker) replaceText(n int32, old, with string) []edit {
	nd := &w.f.flat.Nodes[n]
	if old == "" {
		return []edit{{start: nd.StartByte, end: nd.EndByte, text: with}}
	}
	text := string(w.f.src[nd.StartByte:nd.EndByte])
	i := strings.Index(text, old)
	if i < 0 {
		return nil
	}
	return []edit{{start: nd.StartByte + uint32(i), end: nd.StartByte + uint32(i+len(old)), text: with}}
}

// calleeNode returns the node of a call's method or function name (the last segment).
func (w *walker) calleeNode(c *call) int32 {
	f := w.f
	sh, ok := f.l.Syntax.Calls[f.k(c.node)]
	if !ok {
		return -1
	}
	if sh.Property != "" {
		return f.field(c.node, sh.Property)
	}
	fn := f.unwrap(f.field(c.node, sh.Function))
	if msh, ok := f.l.Syntax.Members[f.k(fn)]; ok {
		return f.field(fn, msh.Property)
	}
	return fn
}

// calleeExpr returns the whole callee expression of a call (md5.Sum in md5.Sum(x)).
func (w *walker) calleeExpr(c *call) int32 {
	f := w.f
	sh, ok := f.l.Syntax.Calls[f.k(c.node)]
	if !ok || sh.Function == "" {
		return -1
	}
	return f.field(c.node, sh.Function)
}

// initializer returns the object initializer of a constructor call (C#), or -1.
func (w *walker) initializer(c *call) int32 {
	f := w.f
	for _, ch := range f.children(c.node) {
		if has(f.l.Syntax.Objects, f.k(ch)) {
			return ch
		}
	}
	return -1
}

// jwtAlgorithm is the algorithm a fix pins JWTs to: the one the file names, else HS256.
func (w *walker) jwtAlgorithm() string {
	for _, a := range []string{"RS256", "RS384", "RS512", "ES256", "ES384", "PS256", "EdDSA", "HS384", "HS512"} {
		if strings.Contains(string(w.f.src), `"`+a+`"`) || strings.Contains(string(w.f.src), `'`+a+`'`) {
			return a
		}
	}
	return "HS256"
}

func (w *walker) argsNode(c *call) int32 {
	f := w.f
	sh, ok := f.l.Syntax.Calls[f.k(c.node)]
	if !ok || sh.Args == "" {
		return -1
	}
	return f.field(c.node, sh.Args)
}

// withImport adds the import a replaced callee needs (Go: sha256.Sum256 needs
// crypto/sha256), when the file lacks it.
func (w *walker) withImport(edits []edit, callee string) []edit {
	f := w.f
	if f.l.Name != "go" {
		return edits
	}
	pkg := callee[:strings.IndexByte(callee, '.')]
	if _, ok := f.imports[pkg]; ok {
		return edits
	}
	path := map[string]string{"sha256": "crypto/sha256", "sha512": "crypto/sha512", "rand": "crypto/rand", "aes": "crypto/aes"}[pkg]
	if path == "" {
		return nil
	}
	src := string(f.src)
	i := strings.Index(src, "import (")
	if i < 0 {
		j := strings.Index(src, "\nimport ")
		if j < 0 {
			return nil
		}
		at := uint32(j + 1)
		return append([]edit{{start: at, end: at, text: fmt.Sprintf("import %q\n", path), abs: true}}, edits...)
	}
	at := uint32(i + len("import (\n"))
	if int(at) > len(src) {
		return nil
	}
	return append([]edit{{start: at, end: at, text: fmt.Sprintf("\t%q\n", path), abs: true}}, edits...)
}

// parameterise turns a query built by concatenation or interpolation into a parameterised
// one: "… WHERE name = '" + name + "'" becomes "… WHERE name = ?" with name passed apart.
// Nothing is changed when the query is built otherwise (a variable, a format call), or when
// the call passes values already.
func (w *walker) parameterise(c *call, r *Row, node int32) []edit {
	f := w.f
	if node < 0 || len(c.args) != 1 || c.args[0].node != node {
		return nil
	}
	lits, exprs, quote, ok := w.queryParts(node)
	if !ok || len(exprs) == 0 {
		return nil
	}
	ph := r.Fix.Placeholder
	if m, ok := strings.CutPrefix(ph, "driver:"); ok {
		tech := w.storeTechnology(c)
		ph = ""
		for _, kv := range strings.Split(m, ",") {
			if k, v, ok := strings.Cut(kv, "="); ok && k == tech {
				ph = v
			}
		}
		if ph == "" {
			return nil
		}
	}
	var b strings.Builder
	b.WriteString(quote)
	for i, l := range lits {
		if i > 0 {
			// strip the quotes around a value: '…' + x + '…'; a value inside a longer SQL
			// string ('%' + x + '%') is no simple parameter: no fix
			prev := b.String()
			inside := strings.Count(prev[len(quote):], "'")%2 == 1
			switch {
			case inside && strings.HasSuffix(prev, "'") && strings.HasPrefix(l, "'"):
				b.Reset()
				b.WriteString(prev[:len(prev)-1])
				l = l[1:]
			case inside:
				return nil
			}
			switch ph {
			case "$":
				b.WriteString("$" + strconv.Itoa(i))
			default:
				b.WriteString(ph)
			}
		}
		b.WriteString(l)
	}
	b.WriteString(quote)
	var vals []string
	for _, e := range exprs {
		vals = append(vals, strings.TrimSpace(f.text(e)))
	}
	switch r.Fix.Args {
	case "tuple":
		if len(vals) == 1 {
			b.WriteString(", (" + vals[0] + ",)")
		} else {
			b.WriteString(", (" + strings.Join(vals, ", ") + ")")
		}
	case "list":
		b.WriteString(", [" + strings.Join(vals, ", ") + "]")
	default:
		b.WriteString(", " + strings.Join(vals, ", "))
	}
	nd := &f.flat.Nodes[node]
	return []edit{{start: nd.StartByte, end: nd.EndByte, text: b.String()}}
}

// queryParts splits a concatenation or an interpolated string into its literal texts (as
// written, without quotes) and the expressions between them. quote is the quote to write
// the result with.
func (w *walker) queryParts(n int32) (lits []string, exprs []int32, quote string, ok bool) {
	f := w.f
	n = f.unwrap(n)
	syn := &f.l.Syntax
	var parts []int32
	var flatten func(n int32) bool
	flatten = func(n int32) bool {
		n = f.unwrap(n)
		if has(syn.Concat, f.k(n)) {
			cs := f.children(n)
			if len(cs) != 2 {
				return false
			}
			op := strings.TrimSpace(string(f.src[f.flat.Nodes[cs[0]].EndByte:f.flat.Nodes[cs[1]].StartByte]))
			if op != "+" {
				return false
			}
			return flatten(cs[0]) && flatten(cs[1])
		}
		parts = append(parts, n)
		return true
	}
	if has(syn.Strings, f.k(n)) && w.hasInterpolation(n) {
		// f"…{x}…", `…${x}…`, $"…{x}…": the text between the holes
		text := f.text(n)
		q, _, ok := splitQuote(text)
		if !ok {
			return nil, nil, "", false
		}
		cur := ""
		for c := f.flat.Nodes[n].FirstChild; c >= 0; c = f.flat.Nodes[c].NextSibling {
			k := f.k(c)
			switch {
			case has(syn.StringParts, k):
				cur += f.text(c)
			case has(syn.Interpolations, k):
				var inner int32 = -1
				for _, x := range f.children(c) {
					if !strings.Contains(f.k(x), "brace") && !strings.Contains(f.k(x), "clause") {
						inner = x
						break
					}
				}
				if inner < 0 {
					return nil, nil, "", false
				}
				lits = append(lits, cur)
				cur = ""
				exprs = append(exprs, inner)
			}
		}
		lits = append(lits, cur)
		return lits, exprs, q, true
	}
	if !flatten(n) {
		return nil, nil, "", false
	}
	cur := ""
	inLit := false
	for _, p := range parts {
		if has(syn.Strings, f.k(p)) && !w.hasInterpolation(p) {
			q, body, ok := splitQuote(f.text(p))
			if !ok {
				return nil, nil, "", false
			}
			if quote == "" {
				quote = q
			} else if q != quote {
				return nil, nil, "", false
			}
			cur += body
			inLit = true
			continue
		}
		if !inLit && len(exprs) == 0 && len(lits) == 0 {
			lits = append(lits, "")
		} else {
			lits = append(lits, cur)
		}
		cur = ""
		exprs = append(exprs, p)
	}
	lits = append(lits, cur)
	if quote == "" {
		return nil, nil, "", false
	}
	return lits, exprs, quote, true
}

// splitQuote splits a string literal into its quote and body: "…", '…', `…`, f"…", $"…".
func splitQuote(s string) (q, body string, ok bool) {
	s = strings.TrimLeft(s, "fFrRbBuU$@")
	for _, q := range []string{`"""`, `'''`, `"`, `'`, "`"} {
		if len(s) >= 2*len(q) && strings.HasPrefix(s, q) && strings.HasSuffix(s, q) {
			return q, s[len(q) : len(s)-len(q)], true
		}
	}
	return "", "", false
}

// storeTechnology returns the technology of the database a sink queries: the store of its
// client call, else the database of the file's flows when they all agree, else "".
func (w *walker) storeTechnology(c *call) string {
	f := w.f
	if i := w.storeOf(c); i >= 0 {
		st := w.res.stores[i]
		key := [2]uint32{st.start, st.end}
		if st.name != "" {
			if b := w.top(st.name, c.start); b != nil && b.val != nil && b.val.call != nil {
				nd := &f.flat.Nodes[b.val.call.node]
				key = [2]uint32{nd.StartByte, nd.EndByte}
			}
		}
		if t := f.flowTech[key]; t != "" {
			return t
		}
	}
	tech := ""
	for _, t := range f.flowTech {
		if t == "" {
			continue
		}
		if tech != "" && tech != t {
			return ""
		}
		tech = t
	}
	return tech
}
