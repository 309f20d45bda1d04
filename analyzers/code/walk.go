package code

import (
	"slices"
	"strconv"
	"strings"
)

// function is a definition the taint engine analyses on its own: a function, a method, a
// lambda that is a route's handler, or the file's top level.
type function struct {
	node       int32
	key        string // Class.name, name, enclosing$n for a lambda, "" for the top level
	name       string
	class      string
	params     []param
	body       int32
	start, end uint32
	recv       string // a Go method's receiver variable
	// entry is the index (+1) in Raw.Entries of the route it handles, 0 when none.
	entry int
	// source is the kind its parameters are of, when a setting source or a source
	// annotation makes them sources (kafkajs's eachMessage, @KafkaListener).
	source string
}

type param struct {
	name string
	typ  string
	// start and end are where the parameter is written.
	start, end uint32
	// safe: a number, a boolean, a framework object, a dependency: no text an attacker
	// shapes reaches it as a handler's parameter.
	safe bool
}

// state is what the variables of a function hold at a point of it.
type state struct {
	vars   map[string]taint
	types  map[string]string // the qualified type of local variables
	defs   map[string]int32  // the call whose value a local variable holds
	consts map[string]*val   // local variables holding a constant
	exited bool
}

func newState() *state {
	return &state{vars: map[string]taint{}, types: map[string]string{}, defs: map[string]int32{}, consts: map[string]*val{}}
}

func (s *state) clone() *state {
	c := &state{vars: make(map[string]taint, len(s.vars)), types: make(map[string]string, len(s.types)),
		defs: make(map[string]int32, len(s.defs)), consts: make(map[string]*val, len(s.consts)), exited: s.exited}
	for k, v := range s.vars {
		c.vars[k] = v
	}
	for k, v := range s.types {
		c.types[k] = v
	}
	for k, v := range s.defs {
		c.defs[k] = v
	}
	for k, v := range s.consts {
		c.consts[k] = v
	}
	return c
}

// joinStates merges the states of branches: a variable holds what it holds in any of them; a
// state that exited contributes nothing.
func joinStates(states ...*state) *state {
	var live []*state
	for _, s := range states {
		if s != nil && !s.exited {
			live = append(live, s)
		}
	}
	if len(live) == 0 {
		s := newState()
		s.exited = true
		if len(states) > 0 && states[0] != nil {
			s = states[0].clone()
			s.exited = true
		}
		return s
	}
	out := live[0].clone()
	for _, s := range live[1:] {
		for k, v := range s.vars {
			out.vars[k] = union(out.vars[k], v)
		}
		for k, v := range s.types {
			if _, ok := out.types[k]; !ok {
				out.types[k] = v
			}
		}
		for k, v := range s.defs {
			if _, ok := out.defs[k]; !ok {
				out.defs[k] = v
			}
		}
		for k, v := range out.consts {
			if s.consts[k] != v {
				delete(out.consts, k)
			}
		}
	}
	return out
}

// walker analyses one function.
type walker struct {
	f     *file
	rs    []role
	fn    *function
	res   *fnResult
	st    *state
	sep   map[int32]bool // lambdas analysed as functions of their own
	top   func(string, uint32) *binding
	lib   func(string) bool
	depth int

	names   map[string]int32 // name labels, by name
	srcAt   map[[2]uint32]int32
	sinkAt  map[[2]uint32]int
	callAt  map[uint32]int
	chkAt   map[[2]uint32]bool
	seen    map[hit]bool
	seenA   map[hit]bool
	seenR   map[lab]bool
	storeA  map[[2]uint32]int
	queryAt map[uint32]bool
}

func (w *walker) role(n int32) role {
	if n < 0 {
		return rNone
	}
	s := w.f.flat.Nodes[n].Sym
	if int(s) < len(w.rs) {
		return w.rs[s]
	}
	return rNone
}

// run analyses fn into w.res.
func (w *walker) run() {
	fn := w.fn
	w.st = newState()
	for i, p := range fn.params {
		o := w.res.origin(origin{kind: oParam, param: i, what: p.name, start: p.start, end: p.end})
		w.st.vars[p.name] = taint{{o: o}}
		if p.typ != "" {
			w.st.types[p.name] = p.typ
		}
	}
	if fn.recv != "" && fn.class != "" {
		w.st.types[fn.recv] = fn.class
	}
	if fn.key == "" {
		// The top level: every statement that is no definition, and the bodies of classes.
		w.topLevel(fn.node)
		return
	}
	if fn.body < 0 {
		return
	}
	if w.blockLike(fn.body) {
		w.stmt(fn.body)
		return
	}
	// An expression body: x => x.y
	w.ret(w.expr(fn.body))
}

func (w *walker) blockLike(n int32) bool {
	switch w.role(n) {
	case rBlock, rIf, rLoop, rBranch, rReturn, rExit, rAssign:
		return true
	}
	return false
}

func (w *walker) topLevel(n int32) {
	for _, c := range w.f.children(n) {
		switch w.role(c) {
		case rFunc, rComment:
			continue
		case rClass:
			sh := w.f.l.Syntax.Defs[w.f.k(c)]
			if b := w.f.field(c, sh.Body); b >= 0 {
				w.topLevel(b)
			}
			continue
		}
		if w.hasClassOrFunc(c) {
			w.topLevel(c) // a wrapper: export, decorated definition, namespace
			continue
		}
		w.st.exited = false
		w.stmt(c)
	}
}

// hasClassOrFunc reports whether n is a wrapper of a definition (export default class…).
func (w *walker) hasClassOrFunc(n int32) bool {
	for _, c := range w.f.children(n) {
		if r := w.role(c); r == rClass || r == rFunc && !w.sep[c] && w.f.l.Syntax.Defs[w.f.k(c)].Role != "" {
			return true
		}
	}
	return false
}

func (w *walker) ret(t taint) {
	for _, l := range t {
		if !w.seenR[l] {
			w.seenR[l] = true
			w.res.rets = append(w.res.rets, l)
		}
	}
}

// stmt runs a statement.
func (w *walker) stmt(n int32) {
	if n < 0 || w.st.exited {
		return
	}
	w.depth++
	defer func() { w.depth-- }()
	if w.depth > 200 {
		return
	}
	f := w.f
	switch w.role(n) {
	case rFunc, rClass, rComment, rLambda:
		return
	case rBlock:
		for _, c := range f.children(n) {
			if w.st.exited {
				return
			}
			w.stmt(c)
		}
	case rAssign:
		w.assign(n)
	case rIf:
		w.ifStmt(n)
	case rLoop:
		w.loop(n)
	case rBranch:
		w.branches(n)
	case rReturn:
		var t taint
		for _, c := range f.children(n) {
			t = union(t, w.expr(c))
		}
		w.ret(t)
		w.returned(n, t)
		w.st.exited = true
	case rExit:
		for _, c := range f.children(n) {
			w.expr(c)
		}
		w.st.exited = true
	default:
		w.expr(n)
	}
}

// returned checks a returned value against the function's name: a function that makes a
// token returns a secret value.
func (w *walker) returned(n int32, t taint) {
	if len(t) == 0 || w.fn.name == "" || !secretName(w.fn.name) || strings.HasPrefix(strings.ToLower(w.fn.name), "is") {
		return
	}
	for _, sk := range w.res.sinks {
		if sk.kind == "secret_value" {
			return // the secret was named where it was made
		}
	}
	nd := &w.f.flat.Nodes[n]
	w.secretValue(nd.StartByte, nd.EndByte, nd.StartByte, nd.EndByte, w.fn.name, t)
}

// branch runs the statement n from a copy of the current state and returns the state after.
func (w *walker) branch(from *state, n int32, guard []guarded) *state {
	saved := w.st
	w.st = from.clone()
	w.apply(guard)
	w.stmt(n)
	out := w.st
	w.st = saved
	return out
}

func (w *walker) ifStmt(n int32) {
	f := w.f
	sh := f.l.Flow.Ifs[f.k(n)]
	if in := f.field(n, sh.Init); in >= 0 {
		w.stmt(in)
	}
	cond := f.field(n, sh.Condition)
	w.expr(cond)
	then := f.field(n, sh.Then)
	var elses []int32
	if sh.Else != "" {
		for c := f.flat.Nodes[n].FirstChild; c >= 0; c = f.flat.Nodes[c].NextSibling {
			if f.flat.Field(c) == sh.Else {
				elses = append(elses, c)
			}
		}
	}
	known, value := w.constant(cond)
	pre := w.st
	var thenSt, elseSt *state
	if !known || value {
		thenSt = w.branch(pre, then, w.guards(cond, true))
	}
	if !known || !value {
		elseSt = pre.clone()
		saved := w.st
		w.st = elseSt
		w.apply(w.guards(cond, false))
		for _, e := range elses {
			if w.st.exited {
				break
			}
			if w.role(e) == rIf {
				w.ifStmt(e)
			} else if b := f.field(e, "body"); b >= 0 && w.role(e) != rBlock {
				w.stmt(b) // an else clause
			} else {
				w.stmt(e)
			}
		}
		elseSt = w.st
		w.st = saved
	}
	switch {
	case thenSt == nil:
		w.st = elseSt
	case elseSt == nil:
		w.st = thenSt
	default:
		w.st = joinStates(thenSt, elseSt)
	}
}

func (w *walker) loop(n int32) {
	f := w.f
	sh := f.l.Flow.Loops[f.k(n)]
	body := f.field(n, sh.Body)
	iter := f.field(n, sh.Iter)
	v := f.field(n, sh.Var)
	skip := map[int32]bool{body: true, iter: true, v: true}
	for _, c := range f.children(n) {
		if !skip[c] {
			w.stmt(c) // initialisers, conditions, updates
		}
	}
	var items taint
	if iter >= 0 {
		items = w.expr(iter)
	}
	if v >= 0 {
		for _, it := range w.items(v) {
			w.bindLeft(it, items, -1, false)
		}
		// for base in PARTNERS: the item of a constant collection is one of its constants
		if cv := w.constVal(iter); cv != nil && len(w.items(v)) == 1 {
			if lit := w.firstItem(iter); lit != nil {
				if name := w.varName(v); name != "" {
					w.st.consts[name] = lit
				}
			}
		}
	}
	if body < 0 {
		return
	}
	pre := w.st
	s1 := w.branch(pre, body, nil)
	s2 := w.branch(joinStates(pre, s1), body, nil)
	w.st = joinStates(pre, s1, s2)
	w.st.exited = pre.exited
}

func (w *walker) branches(n int32) {
	pre := w.st
	states := []*state{pre}
	for _, c := range w.f.children(n) {
		switch w.role(c) {
		case rComment:
			continue
		}
		states = append(states, w.branch(pre, c, nil))
	}
	w.st = joinStates(states...)
}

// assign runs an assignment and returns the value assigned.
func (w *walker) assign(n int32) taint {
	f := w.f
	sh := f.l.Flow.Assign[f.k(n)]
	left, right := f.field(n, sh.Left), f.field(n, sh.Right)
	if left < 0 {
		var t taint
		for _, c := range f.children(n) {
			t = union(t, w.expr(c))
		}
		return t
	}
	if right < 0 {
		// a declaration without a value: var r *http.Request, String s;
		if typ := w.declaredType(n); typ != "" {
			for _, l := range w.items(left) {
				if name := w.varName(l); name != "" {
					w.st.types[name] = typ
					delete(w.st.vars, name)
				}
			}
		}
		return nil
	}
	op := ""
	if le, rs := f.flat.Nodes[left].EndByte, f.flat.Nodes[right].StartByte; le <= rs {
		op = strings.TrimSpace(string(f.src[le:rs]))
	}
	augmented := op != "" && op != "=" && op != ":=" && !strings.HasPrefix(op, "=") && strings.HasSuffix(op, "=")
	// a, b = x, y: pairwise.
	ls, rs := w.items(left), w.items(right)
	if len(ls) > 1 && len(ls) == len(rs) {
		var all taint
		for i := range ls {
			t := w.expr(rs[i])
			w.bindLeft(ls[i], t, rs[i], augmented)
			all = union(all, t)
		}
		return all
	}
	t := w.expr(right)
	if len(ls) > 1 {
		for _, l := range ls {
			w.bindLeft(l, t, right, augmented)
		}
		return t
	}
	w.bindLeft(left, t, right, augmented)
	if typ := w.declaredType(n); typ != "" {
		if name := w.varName(left); name != "" {
			w.st.types[name] = typ // Statement stmt = conn.createStatement(): the type written
		}
	}
	return t
}

// declaredType returns the type a declaration writes for its variable (Statement stmt = …,
// var db *sql.DB = …), or "".
func (w *walker) declaredType(n int32) string {
	f := w.f
	for _, d := range []int32{n, f.parent(n)} {
		if d < 0 {
			continue
		}
		t := f.field(d, "type")
		if t < 0 {
			continue
		}
		raw := strings.TrimSpace(f.text(t))
		if raw == "var" || raw == "" || strings.Contains(f.k(t), "implicit") {
			return ""
		}
		return f.qualifyType(t)
	}
	return ""
}

// items returns the parts of a list of expressions (x, y) or n alone.
func (w *walker) items(n int32) []int32 {
	switch w.f.k(n) {
	case "expression_list", "pattern_list", "tuple_pattern", "tuple", "array_pattern", "list_pattern":
		return w.f.children(n)
	}
	return []int32{n}
}

// bindLeft gives the target of an assignment the value t (right is the value's node, or -1).
func (w *walker) bindLeft(left int32, t taint, right int32, augmented bool) {
	f := w.f
	left = f.unwrap(left)
	if left < 0 {
		return
	}
	syn := &f.l.Syntax
	k := f.k(left)
	switch {
	case has(syn.Identifiers, k):
		name := f.text(left)
		if p := f.parent(f.parent(left)); right >= 0 && (has(syn.Objects, f.k(f.parent(left))) || p >= 0 && has(syn.Objects, f.k(p))) {
			w.propertySet(name, left, right, t) // new Handler { Callback = … }
		}
		if augmented {
			t = union(w.st.vars[name], t)
			delete(w.st.consts, name)
		} else {
			w.setLocal(name, right)
		}
		w.st.vars[name] = t
		if secretName(name) && len(t) > 0 {
			nd := &f.flat.Nodes[left]
			w.secretValue(nd.StartByte, f.flat.Nodes[right].EndByte, f.flat.Nodes[right].StartByte, f.flat.Nodes[right].EndByte, name, t)
		}
		return
	case w.role(left) == rSubscript:
		sh := f.l.Flow.Subscripts[k]
		obj := f.field(left, sh.Object)
		w.expr(f.field(left, sh.Key))
		if ch := f.chain(obj); ch != nil {
			name := strings.Join(ch, ".")
			w.st.vars[name] = union(w.st.vars[name], t)
		}
		if key, ok := w.keyName(f.field(left, sh.Key)); ok && secretName(key) && len(t) > 0 && right >= 0 {
			nd := &f.flat.Nodes[left]
			w.secretValue(nd.StartByte, f.flat.Nodes[right].EndByte, f.flat.Nodes[right].StartByte, f.flat.Nodes[right].EndByte, key, t)
		}
		return
	}
	if ch := f.chain(left); ch != nil && len(ch) > 1 {
		name := strings.Join(ch, ".")
		if augmented {
			t = union(w.st.vars[name], t)
		} else {
			w.setLocal(name, right)
		}
		w.st.vars[name] = t
		// A property set: a sink (el.innerHTML = x) or a check (settings.DtdProcessing = Parse).
		prop := ch[len(ch)-1]
		nd := &f.flat.Nodes[left]
		if right >= 0 {
			w.propertySet(prop, left, right, t)
		}
		// The object holds what is put in it (coarsely): a local object, not this or self.
		if base := ch[0]; len(ch) == 2 && !isSelf(base) && base != w.fn.recv {
			if _, local := w.st.vars[base]; local {
				w.st.vars[base] = union(w.st.vars[base], t)
			}
		}
		if secretName(prop) && len(t) > 0 && right >= 0 {
			w.secretValue(nd.StartByte, f.flat.Nodes[right].EndByte, f.flat.Nodes[right].StartByte, f.flat.Nodes[right].EndByte, prop, t)
		}
		return
	}
	// A pattern: every name in it gets the value (const {id} = req.params).
	w.patternNames(left, func(n int32) {
		name := f.text(n)
		w.st.vars[name] = t
		delete(w.st.consts, name)
	})
}

func (w *walker) patternNames(n int32, fn func(int32)) {
	f := w.f
	if k := f.k(n); has(f.l.Syntax.Identifiers, k) || strings.HasSuffix(k, "identifier_pattern") {
		fn(n)
		return
	}
	for _, c := range f.children(n) {
		// {a: b} binds b; a default's value is no name.
		if sh, ok := f.l.Syntax.Pairs[f.k(c)]; ok {
			if v := f.field(c, sh.Value); v >= 0 {
				w.patternNames(v, fn)
			}
			continue
		}
		w.patternNames(c, fn)
	}
}

// setLocal records what a plain assignment gives a local variable beside its taint: the
// type of a call's value (cur = conn.cursor()), the call itself, or a constant.
func (w *walker) setLocal(name string, right int32) {
	f := w.f
	delete(w.st.consts, name)
	delete(w.st.defs, name)
	delete(w.st.types, name)
	right = f.unwrap(right)
	if right < 0 {
		return
	}
	if v := w.constVal(right); v != nil {
		w.st.consts[name] = v // []byte("…") is a constant, not a call's value
		return
	}
	if c := f.callAt[right]; c != nil && !c.annotation {
		w.st.defs[name] = right
		if q := w.qualify(c.chain, c.start); len(q) > 0 {
			typ := q[0]
			if r := f.l.row(f, "call", q); r != nil && r.Returns != "" {
				typ = r.Returns
			}
			w.st.types[name] = typ
		}
		return
	}
	if v := w.constVal(right); v != nil {
		w.st.consts[name] = v
		return
	}
	if ch := f.chain(right); ch != nil {
		// An alias: x = y keeps what y is.
		from := strings.Join(ch, ".")
		if t, ok := w.st.types[from]; ok {
			w.st.types[name] = t
		}
		if d, ok := w.st.defs[from]; ok {
			w.st.defs[name] = d
		}
	}
}

// constVal returns the value of n when it is a constant the engine can tell.
func (w *walker) constVal(n int32) *val {
	f := w.f
	n = f.unwrap(n)
	if n < 0 {
		return nil
	}
	syn := &f.l.Syntax
	k := f.k(n)
	switch {
	case has(syn.Strings, k):
		if w.hasInterpolation(n) {
			return nil
		}
		return f.evalString(n, maxEvalDepth)
	case has(syn.True, k), has(syn.False, k), has(syn.Booleans, k), has(syn.Null, k), has(syn.Numbers, k):
		return f.eval(n)
	case strings.Contains(k, "array_creation") && !strings.Contains(f.text(n), "{"):
		return &val{k: vList, node: n} // new byte[16]: zeros
	case has(syn.Lists, k), has(syn.Objects, k):
		for _, c := range f.children(n) {
			if sh, ok := syn.Pairs[f.k(c)]; ok {
				c = f.field(c, sh.Value)
			}
			if w.constVal(c) == nil {
				return nil
			}
		}
		return &val{k: vList, node: n}
	case has(syn.Identifiers, k):
		name := f.text(n)
		if v, ok := w.st.consts[name]; ok {
			return v
		}
		if _, local := w.st.vars[name]; local {
			return nil
		}
		if b := w.top(name, f.flat.Nodes[n].StartByte); b != nil && b.val != nil && b.val.known() && b.val.k != vEnv {
			return b.val
		}
	}
	if _, ok := syn.Literals[k]; ok {
		// a composite literal of constants: []byte("0123456789abcdef")
		if c := f.callAt[n]; c != nil {
			for _, a := range c.args {
				if w.constVal(a.node) == nil {
					return nil
				}
			}
			return &val{k: vList, node: n}
		}
	}
	if c := f.callAt[n]; c != nil && len(c.args) == 1 && len(c.chain) == 1 {
		// a conversion of a constant: []byte("…"), bytes("…"), str(1)
		if v := w.constVal(c.args[0].node); v != nil {
			return v
		}
	}
	if c := f.callAt[n]; c != nil && len(c.args) > 0 && len(c.chain) > 0 {
		// Set.of("a", "b"), frozenset({"a"}), Arrays.asList(…): a collection of constants
		switch c.chain[len(c.chain)-1] {
		case "of", "asList", "copyOf", "frozenset", "set", "tuple", "list", "Set", "List", "HashSet", "ImmutableSet", "ofEntries":
			for _, a := range c.args {
				if w.constVal(a.node) == nil {
					return nil
				}
			}
			return &val{k: vList, node: n}
		}
	}
	if strings.Contains(k, "object_creation") {
		// new() { "pdf", "csv" }, new HashSet<string> { … }: constants in an initializer
		items := 0
		for _, ch := range f.children(n) {
			if has(syn.Objects, f.k(ch)) || has(syn.Lists, f.k(ch)) {
				for _, it := range f.children(ch) {
					if w.constVal(it) == nil {
						return nil
					}
					items++
				}
			}
		}
		if items > 0 {
			return &val{k: vList, node: n}
		}
	}
	if sh, ok := syn.Calls[k]; ok && sh.Object != "" && f.callAt[n] == nil {
		// "…".getBytes(): a call the engine did not register (its object is no name)
		if len(f.children(f.field(n, sh.Args))) == 0 {
			if v := w.constVal(f.field(n, sh.Object)); v != nil && v.k == vStr {
				return v
			}
		}
	}
	if c := f.callAt[n]; c != nil && len(c.args) == 0 && c.recv >= 0 {
		// a method of a constant without arguments: "…".getBytes(), b"…".hex()
		if v := w.constVal(c.recv); v != nil && v.k == vStr {
			return v
		}
	}
	if strings.Contains(k, "conversion") || strings.Contains(k, "cast_expression") {
		// []byte("…"), (byte[]) x: the operand
		if cs := f.children(n); len(cs) > 0 {
			return w.constVal(cs[len(cs)-1])
		}
	}
	if strings.Contains(k, "array_creation") && !strings.Contains(f.text(n), "{") {
		return &val{k: vList, node: n} // new byte[16]: zeros
	}
	return nil
}

func (w *walker) hasInterpolation(n int32) bool {
	for c := w.f.flat.Nodes[n].FirstChild; c >= 0; c = w.f.flat.Nodes[c].NextSibling {
		if has(w.f.l.Syntax.Interpolations, w.f.k(c)) {
			return true
		}
	}
	return false
}

// unparen strips parentheses (not the other wrappers unwrap strips: a negation is one).
func (w *walker) unparen(n int32) int32 {
	f := w.f
	for i := 0; n >= 0 && i < 8 && strings.Contains(f.k(n), "parenthesized"); i++ {
		cs := f.children(n)
		if len(cs) != 1 {
			return n
		}
		n = cs[0]
	}
	return n
}

// firstItem returns the first item of a constant collection (a literal, or a name bound to
// one), or nil.
func (w *walker) firstItem(n int32) *val {
	f := w.f
	n = f.unwrap(n)
	if ch := f.chain(n); ch != nil {
		if b := w.top(strings.Join(ch, "."), f.flat.Nodes[n].StartByte); b != nil && b.val != nil && b.val.node >= 0 {
			n = f.unwrap(b.val.node)
		}
	}
	if !has(f.l.Syntax.Lists, f.k(n)) {
		return nil
	}
	for _, c := range f.children(n) {
		return w.constVal(c)
	}
	return nil
}

// constant reports whether a condition is a constant, and its value: if false, if DEBUG
// (a constant of the file), if not True.
func (w *walker) constant(n int32) (known, value bool) {
	n = w.unparen(n)
	if n < 0 {
		return false, false
	}
	if neg, inner := w.negation(n); neg {
		k, v := w.constant(inner)
		return k, !v
	}
	v := w.constVal(n)
	if v == nil {
		return false, false
	}
	switch v.k {
	case vBool:
		return true, v.b
	case vNull:
		return true, false
	case vNum:
		return true, v.s != "0"
	}
	return false, false
}

// negation reports whether n is a "not" and what it negates.
func (w *walker) negation(n int32) (bool, int32) {
	f := w.f
	k := f.k(n)
	cs := f.children(n)
	if len(cs) != 1 {
		return false, -1
	}
	if has(f.l.Flow.Negations, k) {
		return true, cs[0]
	}
	op := strings.TrimSpace(string(f.src[f.flat.Nodes[n].StartByte:f.flat.Nodes[cs[0]].StartByte]))
	if op != "" && has(f.l.Flow.Negations, op) {
		return true, cs[0]
	}
	return false, -1
}

// keyName returns the string a subscript's key or a pair's key holds.
func (w *walker) keyName(n int32) (string, bool) {
	n = w.f.unwrap(n)
	if n < 0 || !has(w.f.l.Syntax.Strings, w.f.k(n)) {
		return "", false
	}
	s, ok := w.f.evalString(n, maxEvalDepth).str()
	return s, ok && s != ""
}

// qualify qualifies a chain written in the function: through its local variables' types,
// then the file's top-level bindings and imports.
func (w *walker) qualify(chain []string, off uint32) []string {
	if len(chain) == 0 {
		return nil
	}
	for i := len(chain); i >= 1; i-- {
		if t, ok := w.st.types[strings.Join(chain[:i], ".")]; ok && t != "" {
			// A value of a type of the code's own (s *Server) reaches a field whose type
			// says more: s.db.Query with db *sql.DB.
			if i < len(chain) && !strings.ContainsAny(t, "./") {
				if fb := w.top(chain[i], off); fb != nil && fb.field && fb.typ != "" {
					return []string{join(fb.typ, chain[i+1:])}
				}
			}
			return []string{join(t, chain[i:])}
		}
	}
	if _, local := w.st.vars[chain[0]]; local && len(chain) > 1 {
		// A local variable of no type the engine knows: its methods are nobody's rows but
		// globs' (*.execute).
		return []string{strings.Join(chain, ".")}
	}
	return w.f.qualifyWith(chain, off, w.top)
}

// expr evaluates an expression: the labels of its value. Calls in it are checked against
// the taint rows as they are met.
func (w *walker) expr(n int32) taint {
	f := w.f
	n = f.unwrap(n)
	if n < 0 {
		return nil
	}
	w.depth++
	defer func() { w.depth-- }()
	if w.depth > 200 {
		return nil
	}
	switch w.role(n) {
	case rAssign:
		return w.assign(n)
	case rFunc, rClass, rComment:
		return nil
	case rLambda:
		if w.sep[n] {
			return nil
		}
		return w.lambda(n, nil)
	case rBlock, rIf, rLoop, rBranch, rReturn, rExit:
		w.stmt(n)
		return nil
	case rString:
		var t taint
		for c := f.flat.Nodes[n].FirstChild; c >= 0; c = f.flat.Nodes[c].NextSibling {
			if has(f.l.Syntax.Interpolations, f.k(c)) {
				for _, x := range f.children(c) {
					t = union(t, w.expr(x))
				}
			}
		}
		return t.cleaned(w.prefixMask(n))
	case rBool:
		for _, c := range f.children(n) {
			w.expr(c)
		}
		return nil
	case rTernary:
		sh := f.l.Flow.Ternaries[f.k(n)]
		cond := f.field(n, sh.Key)
		var t taint
		for _, c := range f.children(n) {
			if c == cond {
				w.expr(c)
				continue
			}
			t = union(t, w.expr(c))
		}
		return t
	case rSubscript:
		sh := f.l.Flow.Subscripts[f.k(n)]
		obj, key := f.field(n, sh.Object), f.field(n, sh.Key)
		w.expr(key)
		if w.constCollection(obj) {
			return nil // COLUMNS[order]: one of the table's constants
		}
		t := w.expr(obj)
		if name, ok := w.keyName(key); ok {
			t = union(t, w.nameLabel(name, key))
			if r := w.sourceRow(w.chainNames(obj, n)); r != nil && len(t) == 0 {
				t = w.source(r, n)
			}
		}
		return t
	}
	if c := f.callAt[n]; c != nil {
		if c.annotation {
			return nil
		}
		return w.call(c)
	}
	syn := &f.l.Syntax
	k := f.k(n)
	if has(syn.Identifiers, k) || has(syn.Self, k) {
		return w.ident(n)
	}
	if _, ok := syn.Members[k]; ok {
		return w.member(n)
	}
	if has(syn.Concat, k) {
		cs := f.children(n)
		if len(cs) >= 2 {
			op := strings.TrimSpace(string(f.src[f.flat.Nodes[cs[0]].EndByte:f.flat.Nodes[cs[len(cs)-1]].StartByte]))
			if has(f.l.Flow.CompareOps, op) {
				for _, c := range cs {
					w.expr(c)
				}
				return nil
			}
			if op == "+" || op == "%" {
				var t taint
				for _, c := range cs {
					t = union(t, w.expr(c))
				}
				return t.cleaned(w.prefixMask(cs[0]))
			}
		}
	}
	if has(syn.Numbers, k) || has(syn.True, k) || has(syn.False, k) || has(syn.Null, k) || has(syn.Booleans, k) {
		return nil
	}
	if neg, inner := w.negation(n); neg {
		w.expr(inner)
		return nil
	}
	if has(syn.Objects, k) {
		// an object literal: each key's rows see its value
		var t taint
		for _, c := range f.children(n) {
			if sh, ok := syn.Pairs[f.k(c)]; ok {
				v := f.field(c, sh.Value)
				vt := w.expr(v)
				if v >= 0 {
					w.settingRows(f.keyText(f.field(c, sh.Key)), v, vt)
				}
				t = union(t, vt)
				continue
			}
			t = union(t, w.expr(c))
		}
		return t
	}
	var t taint
	for _, c := range f.children(n) {
		t = union(t, w.expr(c))
	}
	return t
}

// lambda runs a lambda's body in the enclosing function (a callback sees its variables),
// its parameters holding items (what the call it is given to iterates).
func (w *walker) lambda(n int32, items taint) taint {
	f := w.f
	sh, _ := f.l.defShape(f.k(n))
	if _, ok := f.l.Syntax.Lambdas[f.k(n)]; ok && sh.Body == "" {
		sh.Body = f.l.Syntax.Lambdas[f.k(n)].Body
	}
	saved := w.st
	w.st = saved.clone()
	w.st.exited = false
	for _, p := range w.paramNodes(n) {
		w.st.vars[p.name] = items
	}
	body := f.field(n, sh.Body)
	var t taint
	savedRets := len(w.res.rets)
	if w.blockLike(body) {
		w.stmt(body)
		// what the lambda returns is its value, not the enclosing function's
		for _, l := range w.res.rets[savedRets:] {
			t = union(t, taint{l})
			delete(w.seenR, l)
		}
		w.res.rets = w.res.rets[:savedRets]
	} else {
		t = w.expr(body)
	}
	w.st = saved
	return t
}

// ident evaluates a name.
func (w *walker) ident(n int32) taint {
	f := w.f
	name := f.text(n)
	t, ok := w.st.vars[name]
	if !ok {
		if r := w.sourceRow(w.qualify([]string{name}, f.flat.Nodes[n].StartByte)); r != nil {
			t = w.source(r, n)
		}
	}
	return union(t, w.nameLabel(name, n))
}

// member evaluates a.b.c: a variable of that name, a source, or what its object holds.
func (w *walker) member(n int32) taint {
	f := w.f
	ch := f.chain(n)
	if ch == nil {
		var t taint
		for _, c := range f.children(n) {
			t = union(t, w.expr(c))
		}
		return t
	}
	full := strings.Join(ch, ".")
	if t, ok := w.st.vars[full]; ok {
		return union(t, w.nameLabel(ch[len(ch)-1], n))
	}
	if r := w.sourceRow(w.chainNames(n, n)); r != nil {
		return w.source(r, n)
	}
	sh := f.l.Syntax.Members[f.k(n)]
	t := w.expr(f.field(n, sh.Object))
	return union(t, w.nameLabel(ch[len(ch)-1], n))
}

func (w *walker) chainNames(obj, at int32) []string {
	ch := w.f.chain(obj)
	if ch == nil {
		return nil
	}
	return w.qualify(ch, w.f.flat.Nodes[at].StartByte)
}

// sourceRow returns the source row of a name or of one of its prefixes: request.args.get
// is a source when request.args is.
func (w *walker) sourceRow(names []string) *Row {
	f := w.f
	l := f.l
	for _, n := range names {
		for q := n; q != ""; {
			for _, r := range l.tidx.exact["call\x00"+q] {
				if r.Kind == KindSource && r.Arg == "" && r.applies(f) {
					return trace(r)
				}
			}
			i := strings.LastIndexByte(q, '.')
			if i < 0 || strings.LastIndexByte(q[:i], '/') > i {
				break
			}
			q = q[:i]
		}
	}
	return nil
}

// source returns the label of a source read at n.
func (w *walker) source(r *Row, n int32) taint {
	nd := &w.f.flat.Nodes[n]
	key := [2]uint32{nd.StartByte, nd.EndByte}
	o, ok := w.srcAt[key]
	if !ok {
		kind := r.SourceKind
		if kind == "" {
			kind = "http"
		}
		o = w.res.origin(origin{kind: oSource, src: kind, start: nd.StartByte, end: nd.EndByte, what: short(w.f.text(n))})
		w.srcAt[key] = o
	}
	return taint{{o: o}}
}

// nameLabel labels a value by its name: a password, a token, an e-mail address.
func (w *walker) nameLabel(name string, n int32) taint {
	kind := nameKind(name)
	if kind == "" {
		return nil
	}
	o, ok := w.names[name]
	if !ok {
		nd := &w.f.flat.Nodes[n]
		o = w.res.origin(origin{kind: oName, src: kind, start: nd.StartByte, end: nd.EndByte, what: name})
		w.names[name] = o
	}
	return taint{{o: o}}
}

func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// call evaluates a call: its arguments, then what its rows say.
func (w *walker) call(c *call) taint {
	f := w.f
	var recvT taint
	if c.recv >= 0 {
		recvT = w.expr(c.recv)
	}
	names := w.qualify(c.chain, c.start)
	rows := f.l.taintRows(f, "call", names)
	// Lambdas given to a call run with what the call iterates: its receiver and the other
	// arguments (items.forEach(x => …)).
	var others taint = recvT
	argsT := make([]taint, len(c.args))
	for i, a := range c.args {
		if w.role(f.unwrap(a.node)) == rLambda || w.role(f.unwrap(a.node)) == rFunc {
			continue
		}
		argsT[i] = w.expr(a.node)
		others = union(others, argsT[i])
	}
	for i, a := range c.args {
		n := f.unwrap(a.node)
		if (w.role(n) == rLambda || w.role(n) == rFunc) && !w.sep[n] {
			argsT[i] = w.lambda(n, others)
		}
	}
	for i, a := range c.args {
		if a.key != "" {
			w.settingRows(a.key, a.node, argsT[i])
		}
	}
	// new X { A = b }: the initializer's settings
	for _, ch := range f.children(c.node) {
		if has(f.l.Syntax.Objects, f.k(ch)) {
			all := w.expr(ch)
			recvT = union(recvT, all)
		}
	}
	var all taint = recvT
	for _, t := range argsT {
		all = union(all, t)
	}
	value := all
	resolved := false
	isLib := w.library(names)
	for _, r := range rows {
		switch r.Kind {
		case KindSource:
			if r.Arg != "" {
				continue // the parameters of a definition: read where functions are found
			}
			if r.To == "arg0" {
				// c.ShouldBindJSON(&req): the argument receives the input
				if n := f.argNode(c, "arg0"); n >= 0 {
					if name := w.varName(n); name != "" {
						w.st.vars[name] = union(w.st.vars[name], w.source(r, n))
					}
				}
				continue
			}
			value = w.source(r, c.node)
			resolved = true
		case KindSanitiser:
			if r.Guard {
				value, resolved = nil, true
				continue
			}
			value, resolved = all.cleaned(maskOf(r.Kinds)), true
		case KindPropagator:
			switch {
			case r.To == "receiver":
				w.intoReceiver(c, all)
				continue
			case strings.HasPrefix(r.To, "arg"):
				// json.Unmarshal(data, &v), dec.Decode(&v): the argument receives the rest
				target := f.argNode(c, r.To)
				var from taint = recvT
				for i, a := range c.args {
					if a.node != target {
						from = union(from, argsT[i])
					}
				}
				if name := w.varName(target); name != "" && len(from) > 0 {
					w.st.vars[name] = union(w.st.vars[name], from)
				}
			}
			resolved = true
		case KindSink:
			if r.SinkKind == "sql" || r.SinkKind == "nosql" {
				if _, ok := w.queryAt[c.start]; !ok {
					w.queryAt[c.start] = true
					w.res.queries++
					if i := w.storeOf(c); i >= 0 && !slices.Contains(w.res.uses, i) {
						w.res.uses = append(w.res.uses, i)
					}
				}
			}
			w.sink(c, r, argsT, recvT)
			// what a sink returns (rows, a file's content, a response) is not its argument
			value, resolved = nil, true
		case KindCheck:
			w.check(c, r)
		}
	}
	if mr := f.l.row(f, "call", names); mr != nil && mr.Kind == KindLLM {
		// A model's answer is untrusted; what reaches its prompt is a sink of its own.
		if mr.Prompt != "" {
			w.promptSink(c, mr, argsT)
		}
		value = w.source(llmRow, c.node) // its answer, not its prompt, is what comes back
		resolved = true
	}
	last := c.chain[len(c.chain)-1]
	if c.recv >= 0 && !resolved && lookupMethod(last) && w.objectReceiver(c) {
		// cache.Get(ctx, key), params.get("q"): what a lookup returns is what its receiver
		// holds, not its key
		value = recvT
	}
	if c.recv >= 0 && !resolved && w.constCollection(c.recv) {
		switch last {
		case "get", "getOrDefault", "GetValueOrDefault", "at", "__getitem__":
			// a lookup in a constant table gives one of its constants (or the default)
			value, resolved = nil, true
			for i, a := range c.args {
				if i > 0 || a.pos > 0 {
					value = union(value, argsT[i])
				}
			}
			return value
		}
	}
	if has(f.l.Flow.Mutators, last) && c.recv >= 0 {
		w.intoReceiver(c, all)
	}
	if has(f.l.Flow.ExitCalls, last) {
		defer func() { w.st.exited = true }()
	}
	if !resolved && len(c.args) > 0 && c.args[0].pos == 0 {
		// a format call whose format fixes the host: fmt.Sprintf("https://api/%s", id)
		value = value.cleaned(w.prefixMask(c.args[0].node))
	} else if !resolved && c.recv >= 0 {
		value = value.cleaned(w.prefixMask(c.recv)) // "https://api/{}".format(id)
	}
	if resolved || isLib || len(c.chain) == 0 {
		return value
	}
	// A call of the code's own, maybe: Link decides.
	k, ok := w.callAt[c.start]
	if !ok {
		self := len(c.chain) == 2 && (isSelf(c.chain[0]) || c.chain[0] == w.fn.recv)
		callee := ""
		if len(names) > 0 {
			callee = names[0]
		}
		w.res.calls = append(w.res.calls, xcall{chain: c.chain, callee: callee, start: c.start, end: c.end, self: self, argc: len(c.args)})
		k = len(w.res.calls) - 1
		w.callAt[c.start] = k
	}
	for _, l := range recvT {
		w.argHit(k, -1, l)
	}
	for i, a := range c.args {
		idx := a.pos
		if idx < 0 {
			idx = 1000 + i // a keyword argument: no parameter by position
		}
		for _, l := range argsT[i] {
			w.argHit(k, idx, l)
		}
	}
	o := w.res.origin(origin{kind: oCall, param: k, start: c.start, end: c.end})
	return taint{{o: o}}
}

func (w *walker) argHit(k, arg int, l lab) {
	h := hit{to: k, arg: arg, l: l}
	if !w.seenA[h] {
		w.seenA[h] = true
		w.res.args = append(w.res.args, h)
	}
}

// objectReceiver reports whether a call is made on an object (a variable, a field), not on
// a module or a class (Paths.get, requests.get).
func (w *walker) objectReceiver(c *call) bool {
	if len(c.chain) < 2 {
		return false
	}
	head := c.chain[0]
	if _, imported := w.f.imports[head]; imported {
		return false
	}
	if _, local := w.st.vars[head]; local || isSelf(head) || head == w.fn.recv {
		return true
	}
	return head != "" && strings.ToLower(head[:1]) == head[:1]
}

// lookupMethod reports whether a method name reads a value by its key (a map's, a cache's,
// a store's): the value is the receiver's, not the key's.
func lookupMethod(name string) bool {
	switch name {
	case "get", "Get", "HGet", "hget", "Load", "Lookup", "lookup", "getItem", "GetString", "HGetAll", "hgetall":
		return true
	}
	return false
}

// library reports whether a qualified callee is a library's (the language's standard
// library, a package a module path says is no file of the workspace): its value is what
// its arguments and receiver are, and no function of the code is behind it.
func (w *walker) library(names []string) bool {
	if len(names) == 0 || w.lib == nil {
		return false
	}
	return w.lib(names[0])
}

// intoReceiver puts t into what c is called on, when that is a variable (a builder, a
// collection).
func (w *walker) intoReceiver(c *call, t taint) {
	if len(t) == 0 || c.recv < 0 {
		return
	}
	r := w.f.unwrap(c.recv)
	for {
		// sb.append(a).append(b): the builder is the first receiver.
		inner := w.f.callAt[r]
		if inner == nil || inner.recv < 0 {
			break
		}
		r = w.f.unwrap(inner.recv)
	}
	if ch := w.f.chain(r); ch != nil {
		name := strings.Join(ch, ".")
		w.st.vars[name] = union(w.st.vars[name], t)
	}
}

// sink checks what reaches a sink's argument.
func (w *walker) sink(c *call, r *Row, argsT []taint, recvT taint) {
	f := w.f
	if !w.condHolds(c, r.When) || !w.holdsAll(c, r.All) {
		return
	}
	var t taint
	node := int32(-1)
	if r.Arg == "" {
		t = recvT
		for i := range c.args {
			t = union(t, argsT[i])
		}
		if len(c.args) > 0 {
			node = c.args[0].node
		}
	} else {
		for _, alt := range r.Arg.alts() {
			if alt == "receiver" {
				t, node = union(t, recvT), c.recv
				break
			}
			if n := f.argNode(c, alt); n >= 0 {
				for i, a := range c.args {
					if a.node == n {
						t = union(t, argsT[i])
					}
				}
				if node < 0 {
					node = n
				}
				if a := f.unwrap(n); a != n || !w.isArg(c, n) {
					// a property of an options object: its own value
					t = union(t, w.exprOnce(n))
				}
				break
			}
		}
	}
	w.sinkHits(c, r, r.SinkKind, r.Accepts, node, t)
}

func (w *walker) isArg(c *call, n int32) bool {
	for _, a := range c.args {
		if a.node == n {
			return true
		}
	}
	return false
}

// exprOnce evaluates a node that was evaluated as part of its parent already: labels only,
// no sink is recorded twice (sinks are deduplicated by their call).
func (w *walker) exprOnce(n int32) taint { return w.expr(n) }

// promptSink checks what reaches the prompt of a call to a model provider.
func (w *walker) promptSink(c *call, mr *Row, argsT []taint) {
	f := w.f
	var t taint
	node := int32(-1)
	for _, alt := range mr.Prompt.alts() {
		if n := f.argNode(c, alt); n >= 0 {
			node = n
			found := false
			for i, a := range c.args {
				if a.node == n {
					t, found = union(t, argsT[i]), true
				}
			}
			if !found {
				t = union(t, w.expr(n))
			}
			break
		}
	}
	if node < 0 {
		return
	}
	accepts := []string{"http", "grpc", "queue", "tool"}
	if mr.Provider != "ollama" {
		accepts = append(accepts, "pii")
	}
	w.sinkHits(c, &Row{Kind: KindSink, SinkKind: "prompt"}, "prompt", accepts, node, t)
}

// sinkHits records the labels of t that reach a sink of kind at c.
func (w *walker) sinkHits(c *call, r *Row, kind string, accepts []string, node int32, t taint) {
	bit := sinkBit(kind)
	var live taint
	for _, l := range t {
		if l.clean&bit == 0 {
			live = append(live, l)
		}
	}
	if len(live) == 0 {
		return
	}
	key := [2]uint32{c.start, uint32(sinkBit(kind))}
	i, ok := w.sinkAt[key]
	if !ok {
		s := sinkSite{row: r, kind: kind, accepts: accepts, start: c.start, end: c.end, what: strings.Join(c.chain, "."), store: -1}
		if node >= 0 {
			nd := &w.f.flat.Nodes[node]
			s.aStart, s.aEnd = nd.StartByte, nd.EndByte
		} else {
			s.aStart, s.aEnd = c.start, c.end
		}
		if r.Fix != nil {
			s.fix = w.fixOf(c, r, node)
		}
		s.store = w.storeOf(c)
		w.res.sinks = append(w.res.sinks, s)
		i = len(w.res.sinks) - 1
		w.sinkAt[key] = i
	}
	for _, l := range live {
		h := hit{to: i, l: l}
		if !w.seen[h] {
			w.seen[h] = true
			w.res.hits = append(w.res.hits, h)
		}
	}
}

// secretValue records a value written to a secret's name (a token, a key, a password): a
// sink for non-cryptographic randomness.
func (w *walker) secretValue(start, end, vStart, vEnd uint32, name string, t taint) {
	var live taint
	for _, l := range t {
		if w.res.origins[l.o].kind != oName {
			live = append(live, l)
		}
	}
	if len(live) == 0 {
		return
	}
	key := [2]uint32{start, sinkBit("secret_value")}
	i, ok := w.sinkAt[key]
	if !ok {
		w.res.sinks = append(w.res.sinks, sinkSite{row: secretRow, kind: "secret_value", accepts: []string{"random"},
			start: start, end: end, aStart: vStart, aEnd: vEnd, what: name, name: name, store: -1})
		i = len(w.res.sinks) - 1
		w.sinkAt[key] = i
	}
	for _, l := range live {
		h := hit{to: i, l: l}
		if !w.seen[h] {
			w.seen[h] = true
			w.res.hits = append(w.res.hits, h)
		}
	}
}

var secretRow = &Row{Kind: KindSink, SinkKind: "secret_value"}

var llmRow = &Row{Kind: KindSource, SourceKind: "llm"}

// storeOf returns the client call a sink is made on (cur.execute → conn.cursor() →
// psycopg2.connect(…)), as an index in the result's stores, or -1: a call of the function,
// or the top-level variable that holds one.
func (w *walker) storeOf(c *call) int {
	f := w.f
	r := c.recv
	add := func(s storeRef) int {
		key := [2]uint32{s.start, s.end}
		if s.name != "" {
			key = [2]uint32{^uint32(0), uint32(len(s.name))}
			for i, x := range w.res.stores {
				if x.name == s.name {
					return i
				}
			}
		}
		if j, ok := w.storeA[key]; ok && s.name == "" {
			return j
		}
		w.res.stores = append(w.res.stores, s)
		w.storeA[key] = len(w.res.stores) - 1
		return len(w.res.stores) - 1
	}
	for i := 0; i < 6 && r >= 0; i++ {
		r = f.unwrap(r)
		var cn int32 = -1
		if f.callAt[r] != nil {
			cn = r
		} else if ch := f.chain(r); ch != nil {
			name := strings.Join(ch, ".")
			if d, ok := w.st.defs[name]; ok {
				cn = d
			} else if _, local := w.st.vars[name]; !local {
				if b := w.top(name, c.start); b != nil && b.val != nil && b.val.call != nil {
					return add(storeRef{name: name})
				}
			}
		}
		if cn < 0 {
			return -1
		}
		nd := &f.flat.Nodes[cn]
		key := [2]uint32{nd.StartByte, nd.EndByte}
		if f.flowAt[key] {
			return add(storeRef{start: nd.StartByte, end: nd.EndByte})
		}
		r = f.callAt[cn].recv
	}
	return -1
}

// guarded is a variable a check made safe for the sink kinds of mask.
type guarded struct {
	name string
	mask uint32
}

func (w *walker) apply(gs []guarded) {
	for _, g := range gs {
		if t, ok := w.st.vars[g.name]; ok {
			w.st.vars[g.name] = t.cleaned(g.mask)
		}
	}
}

// guards returns the variables made safe where cond evaluates to want: a guard sanitiser
// (strings.HasPrefix(p, base), p.startswith(BASE)), membership of a constant collection
// (x in ALLOWED, ALLOWED.contains(x), allowed[x]), through not, and, or.
func (w *walker) guards(cond int32, want bool) []guarded {
	f := w.f
	n := w.unparen(cond)
	if n < 0 {
		return nil
	}
	if neg, inner := w.negation(n); neg {
		return w.guards(inner, !want)
	}
	k := f.k(n)
	cs := f.children(n)
	if (has(f.l.Syntax.Concat, k) || has(f.l.Syntax.Fallbacks, k) || has(f.l.Flow.Booleans, k)) && len(cs) == 2 {
		op := strings.TrimSpace(string(f.src[f.flat.Nodes[cs[0]].EndByte:f.flat.Nodes[cs[1]].StartByte]))
		switch op {
		case "&&", "and":
			if want {
				return append(w.guards(cs[0], true), w.guards(cs[1], true)...)
			}
			return nil
		case "||", "or":
			if !want {
				return append(w.guards(cs[0], false), w.guards(cs[1], false)...)
			}
			return nil
		case "in", "not in":
			if (op == "in") == want && w.constCollection(cs[1]) {
				if name := w.varName(cs[0]); name != "" {
					return []guarded{{name, ^uint32(0)}}
				}
			}
			return nil
		case "==", "===", "is":
			// x == "literal": x holds the literal there
			if want && w.constVal(cs[1]) != nil {
				if name := w.varName(cs[0]); name != "" {
					return []guarded{{name, ^uint32(0)}}
				}
			}
			return nil
		case "!=", "!==", "is not":
			if !want && w.constVal(cs[1]) != nil {
				if name := w.varName(cs[0]); name != "" {
					return []guarded{{name, ^uint32(0)}}
				}
			}
			return nil
		}
	}
	if w.role(n) == rSubscript && want {
		sh := f.l.Flow.Subscripts[k]
		if w.constCollection(f.field(n, sh.Object)) {
			if name := w.varName(f.field(n, sh.Key)); name != "" {
				return []guarded{{name, ^uint32(0)}}
			}
		}
		return nil
	}
	c := f.callAt[n]
	if c == nil || !want {
		return nil
	}
	names := w.qualify(c.chain, c.start)
	for _, r := range f.l.taintRows(f, "call", names) {
		if r.Kind != KindSanitiser || !r.Guard {
			continue
		}
		spec := r.Arg
		if spec == "" {
			spec = "arg0"
		}
		for _, alt := range spec.alts() {
			var an int32 = -1
			if alt == "receiver" {
				an = c.recv
			} else {
				an = f.argNode(c, alt)
			}
			if name := w.varName(an); name != "" {
				return []guarded{{name, maskOf(r.Kinds)}}
			}
		}
	}
	// ALLOWED.contains(x), allowed.has(x): membership of a constant collection.
	last := c.chain[len(c.chain)-1]
	switch last {
	case "contains", "Contains", "includes", "has", "containsKey", "ContainsKey", "__contains__":
		if c.recv >= 0 && w.constCollection(c.recv) && len(c.args) > 0 {
			if name := w.varName(c.args[0].node); name != "" {
				return []guarded{{name, ^uint32(0)}}
			}
		}
	}
	return nil
}

// constCollection reports whether n is a collection of constants: a literal, or a name
// bound to one (a module-level ALLOWED_HOSTS, a local set), or a name in capitals.
func (w *walker) constCollection(n int32) bool {
	f := w.f
	n = f.unwrap(n)
	if n < 0 {
		return false
	}
	if v := w.constVal(n); v != nil {
		return true
	}
	ch := f.chain(n)
	if ch == nil {
		return false
	}
	last := ch[len(ch)-1]
	if _, local := w.st.vars[last]; local && len(ch) == 1 {
		return false
	}
	upper := strings.ToUpper(last) == last && strings.ContainsAny(last, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	if upper {
		return true
	}
	if b := w.top(strings.Join(ch, "."), f.flat.Nodes[n].StartByte); b != nil && b.val != nil {
		if b.val.k == vList || b.val.k == vObj {
			return true
		}
		if b.val.node >= 0 && b.val.node != n {
			if v := w.constVal(b.val.node); v != nil && (v.k == vList || v.k == vObj) {
				return true
			}
		}
	}
	return false
}

// varName returns the variable an expression is: x, self.x, or "".
func (w *walker) varName(n int32) string {
	f := w.f
	n = f.unwrap(n)
	if n < 0 {
		return ""
	}
	ch := f.chain(n)
	if ch == nil {
		return ""
	}
	return strings.Join(ch, ".")
}

// paramNodes returns the parameters of a function or lambda node.
func (w *walker) paramNodes(d int32) []param {
	f := w.f
	sh, _ := f.l.defShape(f.k(d))
	ps := int32(-1)
	if sh.Params != "" {
		ps = f.field(d, sh.Params)
	}
	if ps < 0 {
		// x => …: a lambda of one parameter written bare
		if _, ok := f.l.Syntax.Lambdas[f.k(d)]; ok {
			for c := f.flat.Nodes[d].FirstChild; c >= 0; c = f.flat.Nodes[c].NextSibling {
				fld := f.flat.Field(c)
				if fld == "parameter" || fld == "parameters" {
					ps = c
					break
				}
			}
		}
	}
	if ps < 0 {
		return nil
	}
	if has(f.l.Syntax.Identifiers, f.k(ps)) {
		return []param{{name: f.text(ps), start: f.flat.Nodes[ps].StartByte, end: f.flat.Nodes[ps].EndByte}}
	}
	var out []param
	for _, c := range f.children(ps) {
		out = append(out, w.paramOf(c)...)
	}
	return out
}

func (w *walker) paramOf(c int32) []param {
	f := w.f
	syn := &f.l.Syntax
	k := f.k(c)
	if has(syn.Identifiers, k) {
		return []param{{name: f.text(c), start: f.flat.Nodes[c].StartByte, end: f.flat.Nodes[c].EndByte}}
	}
	sh, ok := f.l.Flow.Params[k]
	if !ok {
		// a pattern: every name in it
		var out []param
		w.patternNames(c, func(n int32) {
			out = append(out, param{name: f.text(n), start: f.flat.Nodes[n].StartByte, end: f.flat.Nodes[n].EndByte})
		})
		if len(out) > 1 {
			return out
		}
		if len(out) == 1 {
			return out
		}
		return nil
	}
	nn := f.field(c, sh.Name)
	if nn < 0 {
		for _, g := range f.children(c) {
			if has(syn.Identifiers, f.k(g)) {
				nn = g
				break
			}
		}
	}
	if nn < 0 {
		return nil
	}
	p := param{name: strings.TrimLeft(f.text(nn), "*&."), start: f.flat.Nodes[c].StartByte, end: f.flat.Nodes[c].EndByte}
	if !has(syn.Identifiers, f.k(nn)) {
		var names []param
		w.patternNames(nn, func(n int32) { names = append(names, param{name: f.text(n)}) })
		if len(names) > 0 {
			return names
		}
	}
	if t := f.field(c, sh.Type); t >= 0 {
		p.typ = f.qualifyType(t)
		raw := strings.TrimSpace(f.text(t))
		p.safe = w.safeType(raw, p.typ)
	}
	if d := f.field(c, sh.Default); d >= 0 && f.callAt[f.unwrap(d)] != nil {
		p.safe = true // a dependency: FastAPI's Depends(…)
	}
	return []param{p}
}

// safeType reports whether a parameter type carries no attacker-shaped text.
func (w *walker) safeType(raw, qual string) bool {
	raw = strings.TrimLeft(strings.TrimSpace(raw), "*&")
	raw = strings.TrimSuffix(raw, "?")
	for _, s := range w.f.l.Flow.SafeTypes {
		if raw == s || qual == s || strings.HasSuffix(qual, "."+s) {
			return true
		}
	}
	// a type some row knows (http.Request, HttpServletRequest, gin.Context): its reads
	// are sources, not the object itself
	return w.f.l.knownType(qual) || w.f.l.tidx.types[qual] || w.typedByRows(qual)
}

func (w *walker) typedByRows(q string) bool {
	for _, r := range w.f.l.tidx.exact["call\x00"+q] {
		_ = r
		return true
	}
	return false
}

// settingRows reads the rows of a keyword argument or an object's key: checks and sinks
// ({__html: x}, {$where: x}).
func (w *walker) settingRows(key string, value int32, t taint) {
	f := w.f
	for _, r := range f.l.taintRows(f, "setting", []string{key}) {
		switch r.Kind {
		case KindCheck:
			w.checkSetting(r, key, value)
		case KindSink:
			nd := &f.flat.Nodes[value]
			c := &call{node: value, start: nd.StartByte, end: nd.EndByte, chain: []string{key}, recv: -1, target: -1}
			w.sinkHits(c, r, r.SinkKind, r.Accepts, value, t)
		}
	}
}

// fileAllows reports whether a row's Unless and Also hold of the file's text. It is read
// when a function's result becomes the file's facts, not in the cached analysis.
func (f *file) fileAllows(r *Row) bool {
	if r == nil {
		return true
	}
	if r.unlessRE != nil && f.matches(r.unlessRE) {
		return false
	}
	return r.alsoRE == nil || f.matches(r.alsoRE)
}

// propertySet reads an assignment to a property: obj.innerHTML = x, s.DtdProcessing = …
func (w *walker) propertySet(prop string, left, right int32, t taint) {
	f := w.f
	for _, r := range f.l.taintRows(f, "setting", []string{prop}) {
		switch r.Kind {
		case KindSink:
			nd := &f.flat.Nodes[left]
			c := &call{node: left, start: nd.StartByte, end: f.flat.Nodes[right].EndByte, chain: f.chain(left), recv: -1, target: -1}
			w.sinkHits(c, r, r.SinkKind, r.Accepts, right, t)
		case KindCheck:
			w.checkSetting(r, prop, right)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// prefixMask returns the sink kinds a value built from n is safe for by the constant text
// it starts with: a URL whose scheme and host are written cannot be sent elsewhere (ssrf,
// redirect); a path starting with one slash stays on the site (redirect).
func (w *walker) prefixMask(n int32) uint32 {
	if w.configured(n) {
		// a base URL from configuration (pricingUrl + "/prices/" + sku): the deployment, not
		// the input, chooses the host
		return sinkBit("ssrf") | sinkBit("redirect")
	}
	var prefix strings.Builder
	w.constPrefix(n, &prefix, 0)
	p := prefix.String()
	if i := strings.IndexAny(p, "{%$"); i >= 0 {
		p = p[:i] // a format's placeholder: what follows is not written
	}
	return urlMask(p)
}

// configured reports whether the value n is built from starts with a configuration value.
func (w *walker) configured(n int32) bool {
	f := w.f
	for i := 0; i < 16; i++ {
		n = f.unwrap(n)
		if n < 0 {
			return false
		}
		if has(f.l.Syntax.Concat, f.k(n)) {
			cs := f.children(n)
			if len(cs) == 0 {
				return false
			}
			n = cs[0]
			continue
		}
		break
	}
	if v := f.eval(n); v.k == vEnv {
		return true
	}
	return false
}

// constPrefix writes the constant text n starts with; it reports whether all of n is
// constant (so that what follows it continues the prefix).
func (w *walker) constPrefix(n int32, b *strings.Builder, depth int) bool {
	f := w.f
	n = f.unwrap(n)
	if n < 0 || depth > 16 {
		return false
	}
	k := f.k(n)
	if has(f.l.Syntax.Concat, k) {
		cs := f.children(n)
		if len(cs) != 2 {
			return false
		}
		op := strings.TrimSpace(string(f.src[f.flat.Nodes[cs[0]].EndByte:f.flat.Nodes[cs[1]].StartByte]))
		if op != "+" {
			// "%s/x" % y: the format's text up to its first verb
			if op == "%" {
				w.constPrefix(cs[0], b, depth+1)
				s := b.String()
				if i := strings.IndexByte(s, '%'); i >= 0 {
					b.Reset()
					b.WriteString(s[:i])
				}
			}
			return false
		}
		return w.constPrefix(cs[0], b, depth+1) && w.constPrefix(cs[1], b, depth+1)
	}
	if w.role(n) == rString {
		if !w.hasInterpolation(n) {
			b.WriteString(unquote(f.text(n)))
			return true
		}
		for c := f.flat.Nodes[n].FirstChild; c >= 0; c = f.flat.Nodes[c].NextSibling {
			kc := f.k(c)
			if has(f.l.Syntax.Interpolations, kc) {
				return false
			}
			if has(f.l.Syntax.StringParts, kc) {
				b.WriteString(f.text(c))
			}
		}
		return true
	}
	if v := w.constVal(n); v != nil && v.k == vStr {
		b.WriteString(v.s)
		return true
	}
	return false
}

// urlMask is prefixMask of a literal text a value starts with.
func urlMask(s string) uint32 {
	if i := strings.Index(s, "://"); i > 0 {
		rest := s[i+3:]
		if j := strings.IndexByte(rest, '/'); j > 0 {
			return sinkBit("ssrf") | sinkBit("redirect")
		}
		return 0
	}
	if len(s) >= 2 && s[0] == '/' && s[1] != '/' && s[1] != '\\' {
		return sinkBit("redirect")
	}
	return 0
}
