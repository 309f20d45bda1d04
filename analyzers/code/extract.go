package code

import (
	"context"
	"fmt"
	"net/netip"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/threatls/threatls/analyzers/container"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// match is a query match grouped: its root capture's group (import, call, a pack's capture
// name…) and node, and its fields (import.module → module).
type match struct {
	group  string
	node   int32
	fields map[string][]int32
	pack   *Pack
}

func (m *match) one(field string) int32 {
	if ns := m.fields[field]; len(ns) > 0 {
		return ns[0]
	}
	return -1
}

// extract reads one file into raw facts, and the problems met.
func (a *Analyzer) extract(ctx context.Context, t *parse.Tree, file string) (*Raw, []model.Problem, []model.Span) {
	raw := &Raw{Language: a.l.Name}
	q, err := a.l.compiled(a.g.Lang)
	if err != nil {
		return raw, []model.Problem{{Span: model.Span{File: file}, Message: "not analysed: " + err.Error()}}, nil
	}
	flat := t.Flatten()
	f := newFile(a.l, a.g, file, t.Src, flat)
	ms, complete, err := t.Matches(ctx, q.q)
	var problems []model.Problem
	if err != nil {
		return raw, []model.Problem{{Span: model.Span{File: file}, Message: "not analysed: " + err.Error()}}, nil
	}
	if !complete {
		problems = append(problems, model.Problem{Span: model.Span{File: file},
			Message: fmt.Sprintf("partly analysed: reading the file took longer than %s; facts found until then are kept", parse.QueryBudget)})
	}
	x := &extractor{f: f, raw: raw, defAuth: map[int32]Auth{}, classPath: map[int32]string{}, defPath: map[int32]string{}, entryAt: map[int32]int{},
		frameworks: map[string]bool{}}
	x.run(a.l, q, ms)
	if p := x.taint(); p != nil {
		problems = append(problems, *p)
	}
	if p, ok := syntaxError(f); ok {
		problems = append(problems, p)
	}
	return raw, problems, x.defs
}

// extractor turns one file's matches into raw facts.
type extractor struct {
	f   *file
	raw *Raw
	// defAuth holds the auth markers of definitions; classPath the path prefix a class-level
	// annotation gives the routes of its methods.
	defAuth    map[int32]Auth
	classPath  map[int32]string
	defPath    map[int32]string // JAX-RS: @Path on a method, its verb apart
	classFW    map[int32]string
	entries    []*pending
	entryAt    map[int32]int // route call node → index in entries
	flowCalls  []*flowCall
	frameworks map[string]bool
	defs       []model.Span
	fns        []*function // the functions the taint engine analysed
	flowsIn    map[*function][]model.Span
}

// pending is an entry whose authentication is decided once every marker of the file is read.
type pending struct {
	e    Entry
	call *call
	def  int32 // the handler definition (annotated entries), or -1
	args []int32
	// handler is the handler argument of a registration (a function, a lambda, a name), or -1.
	handler int32
}

type flowCall struct {
	c  *call
	fl *Flow
}

func (x *extractor) run(l *Language, q *Query, ms []parse.Match) {
	f := x.f
	names := q.q.Names()
	var groups = map[string][]*match{}
	for _, pm := range ms {
		m := &match{node: -1, fields: map[string][]int32{}, pack: q.packOf(pm.Pattern)}
		for _, c := range pm.Captures {
			n := f.flat.Find(c.Start, c.End, c.Sym)
			if n < 0 {
				continue
			}
			name := names[c.Name]
			if strings.HasPrefix(name, "_") {
				continue // a capture only for predicates
			}
			if g, field, ok := strings.Cut(name, "."); ok {
				if m.group == "" {
					m.group = g
				}
				m.fields[field] = append(m.fields[field], n)
			} else {
				m.group, m.node = name, n
			}
		}
		if m.group != "" {
			if m.node < 0 { // a pattern whose root is not captured: its first field stands
				for _, ns := range m.fields {
					m.node = ns[0]
					break
				}
			}
			groups[m.group] = append(groups[m.group], m)
		}
	}
	for _, g := range groups {
		sort.SliceStable(g, func(i, j int) bool { return g[i].node < g[j].node })
	}

	// Imports first: they decide which packs apply and how names qualify.
	imported := map[int32]bool{}
	for _, m := range groups["import"] {
		x.importMatch(m)
		imported[m.node] = true
	}
	for _, p := range l.packs {
		if len(p.Imports) == 0 {
			f.packs[p] = true
			continue
		}
		for _, m := range append(append([]string(nil), f.modules...), l.Implicit...) {
			if p.enabledBy(m) {
				f.packs[p] = true
				break
			}
		}
	}
	// Calls and reads are registered before assignments evaluate what they hold.
	seen := map[int32]bool{}
	for _, m := range groups["call"] {
		if m.node < 0 || seen[m.node] {
			continue
		}
		seen[m.node] = true
		x.register(m)
	}
	sort.Slice(f.calls, func(i, j int) bool { return f.calls[i].start < f.calls[j].start })
	for _, m := range groups["read"] {
		x.readMatch(m)
	}
	// Assignments and declarations in the order written: each sees the bindings before it.
	binds := append(append(append([]*match(nil), groups["assign"]...), groups["decl"]...), groups["field"]...)
	sort.SliceStable(binds, func(i, j int) bool { return binds[i].node < binds[j].node })
	for _, m := range binds {
		if !imported[m.node] { // const express = require('express') is an import
			x.bindMatch(m)
		}
	}
	for _, c := range f.calls {
		x.resolve(c)
	}
	x.readFacts()
	if m := groups["main"]; len(m) > 0 {
		sp := f.headSpan(m[0].node)
		x.raw.Main = &sp
	}
	for _, c := range f.calls {
		if c.annotation {
			x.annotation(c)
		}
	}
	for _, c := range f.calls {
		if !c.annotation {
			x.callFact(c)
			x.callArgs(c)
		}
	}
	for _, m := range groups["class"] {
		x.classMatch(m)
	}
	for _, m := range groups["setting"] {
		x.settingMatch(m)
	}
	var capGroups []string
	for g := range groups {
		switch g {
		case "import", "call", "read", "assign", "decl", "field", "main", "class", "setting":
		default:
			capGroups = append(capGroups, g)
		}
	}
	sort.Strings(capGroups)
	for _, g := range capGroups {
		for _, m := range groups[g] {
			x.captureMatch(m)
		}
	}
	x.finishEntries()
	for fw := range x.frameworks {
		x.raw.Frameworks = append(x.raw.Frameworks, fw)
	}
	sort.Strings(x.raw.Frameworks)
	x.raw.Imports = f.modules
}

// enabledBy reports whether importing module enables the pack.
func (p *Pack) enabledBy(module string) bool {
	for _, imp := range p.Imports {
		if module == imp || strings.HasPrefix(module, imp) &&
			(strings.HasSuffix(imp, "/") || strings.HasSuffix(imp, ".") || module[len(imp)] == '.' || module[len(imp)] == '/') {
			return true
		}
	}
	return false
}

// importMatch binds the local name of an import.
func (x *extractor) importMatch(m *match) {
	f := x.f
	modNode := m.one("module")
	if modNode < 0 {
		return
	}
	module := f.keyText(modNode)
	module = strings.Join(strings.Fields(module), "")
	if module == "" {
		return
	}
	f.modules = append(f.modules, module)
	if m.one("wildcard") >= 0 {
		f.wild = append(f.wild, strings.TrimSuffix(module, ".*"))
		return
	}
	name := ""
	if n := m.one("name"); n >= 0 {
		name = strings.TrimSpace(f.text(n))
	}
	alias := ""
	if n := m.one("alias"); n >= 0 {
		alias = strings.TrimSpace(f.text(n))
	}
	qual := module
	if name != "" {
		qual = module + "." + name
	}
	switch {
	case alias == "_" || alias == ".":
		if alias == "." {
			f.wild = append(f.wild, module)
		}
		return
	case alias != "":
	case name != "":
		alias = name
	default:
		switch f.l.Imports {
		case "last":
			alias = goPackageName(module)
			if n, ok := f.l.PackageNames[module]; ok {
				alias = n
			}
		case "first":
			alias, _, _ = strings.Cut(module, ".")
			qual = alias
		default:
			f.wild = append(f.wild, module) // a namespace: its names are in scope
			return
		}
	}
	f.imports[alias] = qual
}

// goPackageName guesses the name a Go import path binds: its last element, without a major
// version (/v2), a gopkg.in version (.v3), or a go- prefix and -go suffix.
func goPackageName(p string) string {
	if !strings.Contains(p, "/") {
		if i := strings.LastIndexByte(p, '.'); i >= 0 {
			return p[i+1:] // a Java class: a.b.C binds C
		}
	}
	parts := strings.Split(p, "/")
	last := parts[len(parts)-1]
	if len(parts) > 1 && len(last) >= 2 && last[0] == 'v' && isDigits(last[1:]) {
		last = parts[len(parts)-2]
	}
	if i := strings.Index(last, ".v"); i > 0 && isDigits(last[i+2:]) {
		last = last[:i]
	}
	last = strings.TrimPrefix(last, "go-")
	last = strings.TrimSuffix(last, "-go")
	last = strings.TrimSuffix(last, ".go")
	last = strings.ReplaceAll(last, "-", "")
	return last
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// register records a call (or annotation) node: its callee chain and arguments.
func (x *extractor) register(m *match) {
	f := x.f
	n := m.node
	syn := &f.l.Syntax
	c := &call{node: n, recv: -1, target: -1}
	nd := &f.flat.Nodes[n]
	c.start, c.end = nd.StartByte, nd.EndByte
	c.annotation = has(syn.Decorators, f.k(n)) || has(syn.Decorators, f.k(f.parent(n)))
	var argsNode int32 = -1
	if cn := m.one("callee"); cn >= 0 {
		c.chain = f.chain(cn)
		argsNode = m.one("args")
	} else if sh, ok := syn.Calls[f.k(n)]; ok {
		c.chain = f.chain(n)
		argsNode = f.field(n, sh.Args)
		if sh.Function != "" {
			fn := f.unwrap(f.field(n, sh.Function))
			if msh, ok := syn.Members[f.k(fn)]; ok {
				c.recv = f.field(fn, msh.Object)
			}
		} else if sh.Object != "" {
			c.recv = f.field(n, sh.Object)
		}
	} else {
		c.chain = f.chain(n) // a marker annotation: a name without arguments
	}
	if len(c.chain) == 0 {
		return
	}
	pos := 0
	for _, a := range f.children(argsNode) {
		if sh, ok := syn.Keywords[f.k(a)]; ok {
			key := f.field(a, sh.Key)
			val := f.field(a, sh.Value)
			if key >= 0 && val >= 0 && key != val {
				c.args = append(c.args, arg{key: f.keyText(key), pos: -1, node: val})
				continue
			}
			if val >= 0 {
				a = val
			}
		}
		c.args = append(c.args, arg{pos: pos, node: a})
		pos++
	}
	f.calls = append(f.calls, c)
	f.callAt[n] = c
}

// resolve qualifies a call's callee and finds its row, once.
func (x *extractor) resolve(c *call) {
	if c.callee != "" {
		return
	}
	f := x.f
	names := f.qualify(c.chain, c.start)
	c.callee = names[0]
	if r := f.l.row(f, "call", names); r != nil {
		c.row = r
		c.callee = r.matched(names)
		return
	}
	// A constructor through a wildcard import (new HttpClient() with System.Net.Http in
	// scope): the candidate some row knows as a type names what the variable holds.
	for _, n := range names[1:] {
		if f.l.knownType(n) {
			c.callee = n
			return
		}
	}
}

// readMatch records a keyed read: os.environ["X"], process.env.X.
func (x *extractor) readMatch(m *match) {
	f := x.f
	obj, key := m.one("object"), m.one("key")
	if obj < 0 || key < 0 || m.node < 0 {
		return
	}
	chain := f.chain(obj)
	if chain == nil {
		return
	}
	k := f.keyText(key)
	if k == "" || strings.ContainsAny(k, " \n") {
		return
	}
	nd := &f.flat.Nodes[m.node]
	f.readAt[m.node] = &read{node: m.node, chain: chain, key: propertyName(k), keyNode: key, start: nd.StartByte, end: nd.EndByte}
}

// readFacts records the configuration reads, once every binding is known.
func (x *extractor) readFacts() {
	f := x.f
	var nodes []int32
	for n := range f.readAt {
		nodes = append(nodes, n)
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i] < nodes[j] })
	for _, n := range nodes {
		if rd := f.resolveRead(n); rd != nil && rd.row.Kind == KindConfig {
			x.raw.Configs = append(x.raw.Configs, Config{Name: rd.key, Source: sourceOf(rd.row), Span: f.nodeSpan(n)})
		}
	}
}

// resolveRead qualifies the object of the read at n and finds its row, once: nil when no
// row knows it.
func (f *file) resolveRead(n int32) *read {
	rd := f.readAt[n]
	if rd == nil {
		return nil
	}
	if !rd.resolved {
		rd.resolved = true
		names := f.qualify(rd.chain, rd.start)
		rd.object = names[0]
		rd.row = f.l.row(f, "read", names)
	}
	if rd.row == nil {
		return nil
	}
	return rd
}

// bindMatch records what an assignment or a typed declaration binds.
func (x *extractor) bindMatch(m *match) {
	f := x.f
	nameNode := m.one("name")
	if nameNode < 0 {
		return
	}
	chain := f.chain(nameNode)
	if chain == nil {
		return
	}
	name := strings.Join(chain, ".")
	off := f.flat.Nodes[m.node].StartByte
	if m.group == "decl" || m.group == "field" {
		if t := m.one("type"); t >= 0 {
			f.bind(name, off, f.qualifyType(t), nil, true)
			if m.group == "field" {
				if bs := f.vars[name]; len(bs) > 0 {
					bs[len(bs)-1].field = true
				}
			}
		}
		return
	}
	vn := f.unwrap(m.one("value"))
	if vn < 0 {
		return
	}
	if c := f.callAt[vn]; c != nil {
		x.resolve(c)
		typ := c.callee
		if c.row != nil && c.row.Returns != "" {
			typ = c.row.Returns
		}
		v := f.eval(vn)
		f.bind(name, off, typ, v, false)
		if c.row != nil && c.row.Prefix != "" {
			p := x.receiverPrefix(c)
			if s, ok := f.argVal(c, c.row.Prefix, 0).str(); ok {
				p = joinPath(p, s)
			}
			f.vars[name][len(f.vars[name])-1].prefix = p
		}
		return
	}
	v := f.eval(vn)
	typ := ""
	if v.k == vUnknown {
		// An alias of a module or a typed value: db = sqlalchemy, client = self.client.
		if c := f.chain(vn); c != nil {
			qs := f.qualify(c, off)
			if qs[0] != strings.Join(c, ".") || f.l.knownType(qs[0]) {
				typ = qs[0]
			}
		}
	}
	f.bind(name, off, typ, v, false)
}

// receiverPrefix returns the path prefix of what c is called on (a router group), or "".
func (x *extractor) receiverPrefix(c *call) string {
	if c.recv < 0 {
		return ""
	}
	ch := x.f.chain(c.recv)
	if ch == nil {
		return ""
	}
	if b := x.f.lookup(strings.Join(ch, "."), c.start); b != nil {
		return b.prefix
	}
	return ""
}

// defOf returns the definition an annotation applies to: the definition that follows it
// (past other annotations), else the one that holds it.
func (x *extractor) defOf(n int32) int32 {
	f := x.f
	syn := &f.l.Syntax
	// The annotation node itself, when the call is inside it (a Python decorator's call).
	if has(syn.Decorators, f.k(f.parent(n))) {
		n = f.parent(n)
	}
	for s := f.flat.Nodes[n].NextSibling; s >= 0; s = f.flat.Nodes[s].NextSibling {
		k := f.k(s)
		if !f.named(s) || has(syn.Decorators, k) || has(syn.Comments, k) {
			continue
		}
		if _, ok := syn.Defs[k]; ok {
			return s
		}
		break
	}
	for p := f.parent(n); p >= 0; p = f.parent(p) {
		if _, ok := syn.Defs[f.k(p)]; ok {
			return p
		}
	}
	return -1
}

// defName is the name of a definition.
func (f *file) defName(d int32) string {
	sh := f.l.Syntax.Defs[f.k(d)]
	return strings.TrimSpace(f.text(f.field(d, sh.Name)))
}

func (f *file) defRole(d int32) string {
	if d < 0 {
		return ""
	}
	return f.l.Syntax.Defs[f.k(d)].Role
}

// classOf returns the class that holds a definition, or -1.
func (f *file) classOf(d int32) int32 {
	for p := f.parent(d); p >= 0; p = f.parent(p) {
		if f.defRole(p) == "class" {
			return p
		}
	}
	return -1
}

// annotation reads an annotation: a route on a method, a prefix on a class, an auth marker.
func (x *extractor) annotation(c *call) {
	f := x.f
	c.target = x.defOf(c.node)
	if c.target < 0 {
		return
	}
	r := c.row
	role := f.defRole(c.target)
	if r == nil {
		// An annotation no pack knows: its name alone may say it authenticates.
		if a, ok := x.authByName(c.node, c.chain); ok && role != "field" {
			x.mark(c.target, a)
		}
		return
	}
	x.framework(r)
	switch r.Kind {
	case KindEntry:
		if !f.holds(c, r.When) {
			return
		}
		p := x.str(c, r.Path, "arg0|kw:value|kw:path")
		if role == "class" {
			x.classPath[c.target] = p
			return
		}
		if r.PathOnly {
			x.defPath[c.target] = p
			return
		}
		e := x.entry(c, r, p)
		e.Span = f.nodeSpan(c.node)
		e.Handler = f.defName(c.target)
		x.entries = append(x.entries, &pending{e: e, call: c, def: c.target, handler: -1})
	case KindAuth, KindAnonymous:
		if !f.holds(c, r.When) || r.Kind == KindAuth && r.Arg != "" && !x.argAuth(c, r) {
			return
		}
		x.mark(c.target, Auth{Set: true, Value: r.Kind == KindAuth, Span: f.nodeSpan(c.node), Note: noteOr(r, f.text(c.node))})
	case KindConfig:
		// @Value("${orders.url}") String url: the field holds the property.
		v := f.configVal(c, 0)
		if v.k == vEnv {
			name := f.defName(c.target)
			f.bind(name, f.flat.Nodes[c.target].StartByte, "", v, false)
			x.raw.Configs = append(x.raw.Configs, Config{Name: v.s, Source: v.source, Span: f.nodeSpan(c.node)})
		}
	case KindServer:
		x.raw.Servers = append(x.raw.Servers, Mark{Span: f.nodeSpan(c.node), Framework: r.FrameworkName()})
	case KindControl:
		x.control(c, r, f.nodeSpan(c.node))
	}
}

func noteOr(r *Row, s string) string {
	if r.Note != "" {
		return r.Note
	}
	return strings.Join(strings.Fields(s), " ")
}

// mark records an auth marker on a definition; a method's own marker wins over its class's.
func (x *extractor) mark(d int32, a Auth) {
	if old, ok := x.defAuth[d]; ok && old.Set && !a.Value && old.Value {
		// [Authorize] and [AllowAnonymous] on one definition: anonymous wins, as in ASP.NET.
	} else if ok && old.Set && old.Value == a.Value {
		return
	}
	x.defAuth[d] = a
}

// authByName reports whether a middleware or a decorator that no pack knows says by its
// name that it authenticates: requireAuth, login_required, verifyToken.
func (x *extractor) authByName(n int32, chain []string) (Auth, bool) {
	re := x.f.l.authRE
	if re == nil || len(chain) == 0 {
		return Auth{}, false
	}
	last := chain[len(chain)-1]
	if !re.MatchString(last) {
		return Auth{}, false
	}
	return Auth{Set: true, Value: true, Span: x.f.nodeSpan(n), Note: last + " looks like an authentication check (by its name)"}, true
}

// str reads a string argument, trying spec then the fallback spec.
func (x *extractor) str(c *call, spec ArgSpec, fallback ArgSpec) string {
	if spec == "" {
		spec = fallback
	}
	v := x.f.argVal(c, spec, 0)
	s, _ := v.str()
	if v.k == vUnknown && v.node >= 0 && has(x.f.l.Syntax.Identifiers, x.f.k(v.node)) && strings.Contains(string(spec), "field:") {
		s = x.f.text(v.node) // a captured name: export function GET
	}
	return strings.ReplaceAll(s, hole, "…")
}

// entry makes an entry of a route-like call or annotation.
func (x *extractor) entry(c *call, r *Row, p string) Entry {
	f := x.f
	e := Entry{Path: p, Protocol: r.Protocol, Type: r.Type, Framework: r.FrameworkName(), Offset: int(c.start)}
	if e.Protocol == "" {
		e.Protocol = "http"
	}
	switch {
	case r.Method != "" && !strings.HasPrefix(r.Method, "field:") && !strings.HasPrefix(r.Method, "kw:") && !strings.HasPrefix(r.Method, "arg"):
		e.Method = r.Method
	case r.Method != "":
		e.Method = strings.ToUpper(x.mapValue(r, x.str(c, ArgSpec(r.Method), "")))
	}
	if r.Methods != "" {
		if ms := x.names(f.argVal(c, r.Methods, 0)); len(ms) > 0 {
			for i := range ms {
				ms[i] = strings.ToUpper(ms[i])
			}
			e.Method = strings.Join(ms, ",")
		}
	}
	if m := methodPath.FindStringSubmatch(e.Path); m != nil && (e.Method == "" || e.Method == "*") {
		e.Method, e.Path = m[1], m[2] // Go 1.22's mux: "GET /users/{id}"
	}
	if e.Method == "" && e.Protocol == "http" {
		e.Method = "*"
	}
	if r.svcRE != nil {
		if m := r.svcRE.FindStringSubmatch(f.text(c.node)); len(m) > 1 {
			e.Path = m[1]
		}
	}
	if r.Path == "file" {
		e.Path = fileRoute(f.path)
	}
	if e.Type == "" {
		switch e.Protocol {
		case "grpc":
			e.Type = "rpc"
		case "mcp":
			e.Type = "tool"
		default:
			e.Type = "route"
		}
	}
	return e
}

// names returns the strings a value holds, or the last names of the constants it names:
// ["GET", "POST"], RequestMethod.POST, {RequestMethod.GET, RequestMethod.PUT}.
func (x *extractor) names(v *val) []string {
	if ss := v.strings(); len(ss) > 0 {
		return ss
	}
	if v.k == vList {
		var out []string
		for _, it := range v.items {
			out = append(out, x.names(it)...)
		}
		return out
	}
	if v.node >= 0 {
		if ch := x.f.chain(v.node); ch != nil {
			return []string{ch[len(ch)-1]}
		}
	}
	return nil
}

// mapValue maps a value through the row's values table (doGet → GET), or returns it.
func (x *extractor) mapValue(r *Row, s string) string {
	if v, ok := r.Values[s]; ok {
		return fmt.Sprint(v)
	}
	return s
}

// fileRoute derives a route from a file-based router's path: pages/api/users/[id].ts is
// /api/users/{id}; app/api/users/route.ts is /api/users.
func fileRoute(p string) string {
	for _, root := range []string{"/app/", "/pages/"} {
		if i := strings.LastIndex("/"+p, root); i >= 0 {
			p = ("/" + p)[i+len(root)-1:]
			break
		}
	}
	p = strings.TrimSuffix(p, path.Ext(p))
	p = strings.TrimSuffix(p, "/route")
	p = strings.TrimSuffix(p, "/index")
	p = dynamicSegment.ReplaceAllString(p, "{$1}")
	if p == "" {
		p = "/"
	}
	return p
}

var methodPath = regexp.MustCompile(`^(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS|CONNECT|TRACE)\s+(/\S*)$`)

var dynamicSegment = regexp.MustCompile(`\[(?:\.\.\.)?([^\]]+)\]`)

// callFact reads a call that is not an annotation.
func (x *extractor) callFact(c *call) {
	f := x.f
	r := c.row
	if r == nil {
		return
	}
	if !f.holds(c, r.When) && r.Kind != KindControl && r.Kind != KindOption {
		return
	}
	x.framework(r)
	sp := f.nodeSpan(c.node)
	switch r.Kind {
	case KindServer:
		x.raw.Servers = append(x.raw.Servers, Mark{Span: f.headSpan(c.node), Framework: r.FrameworkName()})
	case KindEntry:
		e := x.entry(c, r, x.str(c, r.Path, "arg0"))
		e.Span = f.headSpan(c.node)
		if c.recv >= 0 {
			e.Receiver = strings.Join(f.chain(c.recv), ".")
		}
		h := r.Handler
		if h == "" {
			h = "last"
		}
		var mids []int32
		pathNode := f.argNode(c, firstAlt(r.Path, "arg0"))
		handler := int32(-1)
		for _, alt := range ArgSpec(h).alts() {
			if handler = f.argNode(c, alt); handler >= 0 {
				break
			}
		}
		if handler >= 0 {
			if hc := f.callAt[f.unwrap(handler)]; hc != nil && len(r.UnlessCall) > 0 {
				x.resolve(hc)
				if contains(r.UnlessCall, hc.callee) {
					return
				}
			}
			if ch := f.chain(handler); ch != nil {
				e.Handler = strings.Join(ch, ".")
			}
		}
		for _, a := range c.args {
			if a.node != pathNode && a.node != handler {
				mids = append(mids, a.node)
			}
		}
		if e.Path == "" && r.Protocol != "" && r.Protocol != "http" {
			e.Path = e.Handler
		}
		if pre := x.receiverPrefix(c); pre != "" && e.Protocol == "http" {
			e.Path = joinPath(pre, e.Path)
		}
		x.entryAt[c.node] = len(x.entries)
		x.entries = append(x.entries, &pending{e: e, call: c, def: -1, args: mids, handler: handler})
	case KindMiddleware:
		if r.Prefix != "" {
			x.mount(c, r)
		}
		mw := Middleware{Offset: int(c.start)}
		if c.recv >= 0 {
			mw.Receiver = strings.Join(f.chain(c.recv), ".")
		}
		for _, a := range c.args {
			if au, ok := x.authOf(a.node); ok {
				mw.Auth = au
				break
			}
		}
		if mw.Auth.Set {
			x.raw.Middleware = append(x.raw.Middleware, mw)
		}
	case KindAuth, KindAnonymous:
		if r.On == "receiver" {
			return // read with the entries: app.MapGet(…).RequireAuthorization()
		}
		if x.insideEntry(c) || x.inSignature(c) >= 0 {
			return // read with the entry, or the definition, it belongs to
		}
		if x.usedAsMiddleware(c) {
			return
		}
		// Anywhere else an auth call is a reference (a guard class extending it), unless the
		// row says it protects the whole service.
		if r.Kind == KindAuth && r.On == "component" && (r.Arg == "" || x.argAuth(c, r)) {
			x.raw.Controls = append(x.raw.Controls, Control{Attr: "authenticates", Value: true, Span: sp,
				Note: noteOr(r, f.text(c.node))})
		}
	case KindOutbound, KindStore, KindLLM:
		x.flow(c, r)
	case KindConfig:
		v := f.configVal(c, 0)
		if v.k == vEnv {
			x.raw.Configs = append(x.raw.Configs, Config{Name: v.s, Source: v.source, Span: sp})
		}
	case KindOption:
		if !f.holds(c, r.When) {
			return
		}
		value := r.Value
		if value == nil {
			value = true
		}
		x.option(c.start, c.end, r, value, sp, noteOr(r, f.text(c.node)))
	case KindControl:
		x.control(c, r, sp)
	}
}

func firstAlt(s ArgSpec, def string) string {
	if a := s.alts(); len(a) > 0 {
		return a[0]
	}
	return def
}

// mount records the prefix a middleware call gives the routes of a module it mounts:
// app.use('/products', products) with products required from ./routes/products.
func (x *extractor) mount(c *call, r *Row) {
	f := x.f
	p, ok := f.argVal(c, r.Prefix, 0).str()
	if !ok || p == "" {
		return
	}
	for _, a := range c.args {
		n := f.unwrap(a.node)
		var module string
		if cl := f.callAt[n]; cl != nil && len(cl.chain) == 1 && cl.chain[0] == "require" && len(cl.args) > 0 {
			module, _ = f.eval(cl.args[0].node).str()
		} else if ch := f.chain(n); len(ch) == 1 {
			module = f.imports[ch[0]]
		}
		if !strings.HasPrefix(module, ".") {
			continue
		}
		x.raw.Mounts = append(x.raw.Mounts, Mount{Prefix: p, Module: relativeModule(f.path, module)})
	}
}

// relativeModule resolves a relative module (./routes/users, ..db, .routes.bp) against
// the file that imports it: a workspace path without extension.
func relativeModule(file, module string) string {
	dir := path.Dir(file)
	if strings.HasPrefix(module, "./") || strings.HasPrefix(module, "../") {
		m := path.Join(dir, module)
		return strings.TrimSuffix(m, path.Ext(m))
	}
	// Python: one dot per level up, then dotted names.
	i := 0
	for i < len(module) && module[i] == '.' {
		i++
	}
	for j := 1; j < i; j++ {
		dir = path.Dir(dir)
	}
	return path.Join(dir, strings.ReplaceAll(module[i:], ".", "/"))
}

// framework records the framework of a row that shapes the service: servers, entries,
// middleware, auth and controls (client libraries show on their flows instead).
func (x *extractor) framework(r *Row) {
	switch r.Kind {
	case KindServer, KindEntry, KindMiddleware, KindAuth, KindAnonymous:
		x.frameworks[r.FrameworkName()] = true
	}
}

// insideEntry reports whether c is inside the arguments of a route registration.
func (x *extractor) insideEntry(c *call) bool {
	for _, p := range x.entries {
		if p.call != nil && p.def < 0 && p.call.start < c.start && c.end <= p.call.end {
			return true
		}
	}
	return false
}

// usedAsMiddleware reports whether c is an argument of a middleware installation.
func (x *extractor) usedAsMiddleware(c *call) bool {
	for p := x.f.parent(c.node); p >= 0; p = x.f.parent(p) {
		if o := x.f.callAt[p]; o != nil && o.row != nil && o.row.Kind == KindMiddleware {
			return true
		}
	}
	return false
}

// inSignature returns the function definition whose parameters hold c (FastAPI's
// Depends(get_user) in a handler's parameters), or -1.
func (x *extractor) inSignature(c *call) int32 {
	f := x.f
	for p := f.parent(c.node); p >= 0; p = f.parent(p) {
		if f.defRole(p) == "function" {
			body := f.field(p, f.l.Syntax.Defs[f.k(p)].Body)
			if body >= 0 && c.end <= f.flat.Nodes[body].StartByte {
				return p
			}
			return -1
		}
	}
	return -1
}

// argAuth reports whether the argument an auth row names (Depends(get_current_user)) says
// it authenticates: by its row, or by its name.
func (x *extractor) argAuth(c *call, r *Row) bool {
	n := x.f.argNode(c, firstAlt(r.Arg, "arg0"))
	if n < 0 {
		return false
	}
	a, ok := x.authOf(n)
	return ok && a.Value
}

// authOf reports whether an expression is an auth marker: a call or a name with an auth or
// anonymous row, or a name that says it authenticates; a list holds one.
func (x *extractor) authOf(n int32) (Auth, bool) {
	f := x.f
	n = f.unwrap(n)
	if n < 0 {
		return Auth{}, false
	}
	if has(f.l.Syntax.Lists, f.k(n)) {
		for _, it := range f.children(n) {
			if a, ok := x.authOf(it); ok {
				return a, true
			}
		}
		return Auth{}, false
	}
	if c := f.callAt[n]; c != nil {
		if c.row != nil && (c.row.Kind == KindAuth || c.row.Kind == KindAnonymous) {
			if c.row.Kind == KindAuth && c.row.Arg != "" && !x.argAuth(c, c.row) {
				return Auth{}, false
			}
			x.framework(c.row)
			return Auth{Set: true, Value: c.row.Kind == KindAuth, Span: f.nodeSpan(n), Note: noteOr(c.row, f.text(n))}, true
		}
		return x.authByName(n, c.chain)
	}
	chain := f.chain(n)
	if chain == nil {
		return Auth{}, false
	}
	if r := f.l.row(f, "call", f.qualify(chain, f.flat.Nodes[n].StartByte)); r != nil && (r.Kind == KindAuth || r.Kind == KindAnonymous) {
		return Auth{Set: true, Value: r.Kind == KindAuth, Span: f.nodeSpan(n), Note: noteOr(r, f.text(n))}, true
	}
	return x.authByName(n, chain)
}

// finishEntries decides the authentication of every entry of the file and adds them.
func (x *extractor) finishEntries() {
	f := x.f
	// Auth calls in a function's parameters mark the function.
	for _, c := range f.calls {
		if c.row == nil || c.annotation || (c.row.Kind != KindAuth && c.row.Kind != KindAnonymous) || c.row.On == "receiver" {
			continue
		}
		if d := x.inSignature(c); d >= 0 {
			if a, ok := x.authOf(c.node); ok {
				x.mark(d, a)
			}
		}
	}
	// The auth calls of the file, once: nested in registrations, or called on them.
	var nested []*call
	onReceiver := map[int32]*call{}
	for _, c := range f.calls {
		if c.row == nil || c.row.Kind != KindAuth && c.row.Kind != KindAnonymous {
			continue
		}
		if c.row.On == "receiver" {
			if c.recv >= 0 {
				onReceiver[f.unwrap(c.recv)] = c
			}
		} else {
			nested = append(nested, c)
		}
	}
	for _, p := range x.entries {
		e := &p.e
		switch {
		case p.def >= 0:
			if a, ok := x.defAuth[p.def]; ok {
				e.Auth = a
			} else if cl := f.classOf(p.def); cl >= 0 {
				if a, ok := x.defAuth[cl]; ok {
					e.Auth = a
				}
			}
			if e.Path == "" {
				e.Path = x.defPath[p.def]
			}
			if cl := f.classOf(p.def); cl >= 0 {
				if pre, ok := x.classPath[cl]; ok {
					e.Path = joinPath(pre, e.Path)
				}
				if strings.Contains(e.Path, "[controller]") {
					e.Path = strings.ReplaceAll(e.Path, "[controller]", strings.ToLower(strings.TrimSuffix(f.defName(cl), "Controller")))
				}
			}
		default:
			for _, a := range p.args {
				if au, ok := x.authOf(a); ok {
					e.Auth = au
					break
				}
			}
			if !e.Auth.Set {
				// Auth calls nested in the registration: dependencies=[Depends(verify)].
				for _, c := range nested {
					if p.call.start < c.start && c.end <= p.call.end {
						if au, ok := x.authOf(c.node); ok {
							e.Auth = au
							break
						}
					}
				}
			}
			if !e.Auth.Set {
				for _, mw := range x.raw.Middleware {
					if mw.Receiver == e.Receiver && mw.Offset < e.Offset {
						e.Auth = mw.Auth
					}
				}
			}
		}
		// Auth called on the registration: app.MapGet(…).RequireAuthorization().
		if p.call != nil {
			if c := onReceiver[p.call.node]; c != nil {
				e.Auth = Auth{Set: true, Value: c.row.Kind == KindAuth, Span: f.nodeSpan(c.node), Note: noteOr(c.row, c.chain[len(c.chain)-1])}
			}
		}
		if e.Auth.Set {
			x.raw.Handlers = append(x.raw.Handlers, Handler{Name: e.Handler, Auth: e.Auth})
		}
		x.raw.Entries = append(x.raw.Entries, *e)
	}
	// Definitions with markers that are not entries here: handlers of routes elsewhere
	// (Django views, Express controllers).
	var ds []int32
	for d := range x.defAuth {
		ds = append(ds, d)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	for _, d := range ds {
		if f.defRole(d) == "function" {
			x.raw.Handlers = append(x.raw.Handlers, Handler{Name: f.defName(d), Auth: x.defAuth[d]})
		}
	}
}

// joinPath joins a class-level prefix and a method's path.
func joinPath(pre, p string) string {
	switch {
	case pre == "":
		return p
	case p == "" || p == "/":
		return pre
	}
	return strings.TrimSuffix(pre, "/") + "/" + strings.TrimPrefix(p, "/")
}

// flow reads a client call: where it goes, and what its arguments say of the connection.
func (x *extractor) flow(c *call, r *Row) {
	f := x.f
	fl := &Flow{Kind: r.Kind, Client: c.callee, Framework: r.FrameworkName(), Protocol: r.Protocol,
		Technology: r.Technology, Category: r.Category, Provider: r.Provider, Span: f.nodeSpan(c.node),
		Attrs: map[string]model.Attr{}}
	if r.TechArg != "" {
		if t, ok := f.argVal(c, r.TechArg, 0).str(); ok {
			if m, ok := r.TechMap[t]; ok {
				t = m
			}
			fl.Technology = t
		}
	}
	if fl.Kind == KindLLM {
		fl.Technology = r.Provider
	}
	if fl.Technology == "from_url" {
		fl.Technology = ""
	}
	if fl.Protocol == "" && fl.Kind == KindStore {
		fl.Protocol = protocolOf(fl.Technology)
	}
	sp := fl.Span
	set := func(name string, v any, at model.Span, note string) {
		fl.Attrs[name] = model.Attr{Value: v, Origin: model.Read, Span: at, Note: note}
	}
	// Where it goes: a URL or DSN, a host (and port), a resource's name, or the SDK's host.
	var addr *val
	var spec ArgSpec
	for _, s := range []ArgSpec{r.URL, r.Host, r.Name} {
		if s != "" && f.present(c, s) {
			addr, spec = f.argVal(c, s, 0), s
			break
		}
	}
	hostOnly := spec != "" && (spec == r.Host || spec == r.Name)
	var ad *Address
	if addr != nil {
		if ad = x.address(addr, hostOnly); ad == nil {
			fl.Param = x.param(addr.node) // resolved by Link from the calls of the function
		}
	}
	if ad == nil && fl.Param == nil && r.Env != "" {
		ad = x.address(&val{k: vEnv, s: r.Env, node: c.node}, false)
	}
	if ad != nil {
		applyAddress(fl, ad)
	}
	if port := f.argVal(c, r.Port, 0); r.Port != "" && port.k == vNum {
		if p, err := strconv.ParseInt(port.s, 10, 64); err == nil && p > 0 && p < 65536 {
			fl.Port = p
			set("port", p, f.nodeSpan(port.node), "")
		}
	}
	if fl.To == "" && fl.Env == "" && r.Target != "" {
		fl.To, fl.Host = "actor:"+r.Target, r.Target
	}
	if fl.Kind == KindStore && fl.Technology == "" {
		fl.Technology = fl.Protocol
		if fl.Technology == "" {
			fl.Technology = "database"
		}
	}
	if fl.Protocol != "" {
		if _, ok := fl.Attrs["protocol"]; !ok {
			set("protocol", fl.Protocol, fl.Span, "")
		}
	}
	for _, k := range sortedKeys(r.Set) {
		set(k, r.Set[k], fl.Span, fl.Client)
	}
	if _, ok := fl.Attrs["tls"]; !ok {
		switch {
		case fl.Protocol == "https":
			set("tls", true, fl.Span, fl.Client+" speaks HTTPS")
		case fl.Env != "":
			fl.Attrs["tls"] = model.Attr{Origin: model.Unknown, Span: sp, Note: "the address comes from " + fl.Env + ": its scheme decides"}
		}
	}
	for _, o := range r.Options {
		if !f.present(c, o.Arg) || !f.holds(c, o.When) {
			continue
		}
		v := f.argVal(c, o.Arg, 0)
		value := o.Value
		if value == nil {
			value, _ = attrValue(v)
			if mv, ok := r.Values[fmt.Sprint(value)]; ok {
				value = mv
			}
		}
		if value == nil {
			continue
		}
		at := fl.Span
		if v.node >= 0 {
			at = f.nodeSpan(v.node)
		}
		set(o.Attr, value, at, strings.Join(strings.Fields(f.text(v.node)), " "))
	}
	if r.Prompt != "" {
		if pv := f.argVal(c, r.Prompt, 0); pv.node >= 0 {
			set("prompt", promptParts(f, pv), f.nodeSpan(pv.node), "what the call puts in the prompt, as written")
		}
	}
	set("client", c.callee, fl.Span, "")
	if fl.Key == "" {
		switch {
		case fl.To != "":
			fl.Key = fl.To
		case fl.Param != nil:
			fl.Key = "param:" + fl.Param.Func + "/" + strconv.Itoa(fl.Param.Index) + "/" + fl.Client
		case fl.Kind == KindStore:
			fl.Key = "store:" + fl.Technology
		default:
			return // a client call that names nowhere: nothing to draw
		}
	}
	x.raw.Flows = append(x.raw.Flows, *fl)
	x.flowCalls = append(x.flowCalls, &flowCall{c: c, fl: &x.raw.Flows[len(x.raw.Flows)-1]})
}

func sortedKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// promptParts lists what reaches a prompt: the contents of messages, or the argument, as
// written (shortened).
func promptParts(f *file, v *val) []any {
	var out []any
	add := func(n int32) {
		if n < 0 {
			return
		}
		t := strings.Join(strings.Fields(f.text(n)), " ")
		if len(t) > 80 {
			t = t[:77] + "..."
		}
		out = append(out, t)
	}
	switch v.k {
	case vList:
		for _, it := range v.items {
			if c := it.get("content"); c != nil {
				add(c.node)
			} else {
				add(it.node)
			}
		}
	default:
		add(v.node)
	}
	return out
}

// address returns where a value written as an address leads: a configuration value, or a
// URL, DSN or host written in the code (nil when it is neither).
func (x *extractor) address(v *val, hostOnly bool) *Address {
	f := x.f
	sp := model.Span{}
	if v.node >= 0 {
		sp = f.nodeSpan(v.node)
	}
	ad := &Address{Attrs: map[string]model.Attr{}}
	switch v.k {
	case vEnv:
		ad.Env = v.s
		fallback := ""
		if s, ok := v.def.str(); ok && s != "" {
			fallback, _, _ = endpoint(s, hostOnly)
		}
		ad.To = model.EnvRef(v.s, fallback)
		ad.Attrs["config"] = model.Attr{Value: v.s, Origin: model.Read, Span: sp, Note: "the address is read from " + v.s}
		ad.Attrs["tls"] = model.Attr{Origin: model.Unknown, Span: sp, Note: "the address comes from " + v.s + ": its scheme decides"}
		return ad
	case vStr:
		s := v.s
		if i := strings.Index(s, hole); i >= 0 {
			s = s[:i]
			if !hostComplete(s) {
				return nil
			}
		}
		if s == "" {
			return nil
		}
		to, host, ep := endpoint(s, hostOnly)
		if ep == nil {
			return nil
		}
		ad.To, ad.Host = to, host
		endpointAttrs(ad, ep, sp)
		return ad
	}
	return nil
}

// Address is where a call goes, as far as its arguments say.
type Address struct {
	To, Env, Host string
	Protocol      string // what the URL's scheme says
	Port          int64
	Attrs         map[string]model.Attr
}

// applyAddress gives a flow what its address says.
func applyAddress(fl *Flow, ad *Address) {
	fl.To, fl.Env, fl.Host = ad.To, ad.Env, ad.Host
	if ad.Env != "" {
		fl.Key = "env:" + ad.Env
	}
	if ad.Protocol != "" && (fl.Protocol == "" || fl.Kind == KindOutbound && (fl.Protocol == "http" || fl.Protocol == "https")) {
		fl.Protocol = ad.Protocol
	}
	if ad.Port > 0 {
		fl.Port = ad.Port
	}
	for k, v := range ad.Attrs {
		if k == "protocol" {
			v.Value = fl.Protocol
		} else if cur, ok := fl.Attrs[k]; ok && cur.Origin != model.Unknown {
			continue // an option of the call says more than the address
		}
		fl.Attrs[k] = v
	}
}

// param returns the parameter of the enclosing function that the expression n is, or nil.
func (x *extractor) param(n int32) *ParamRef {
	f := x.f
	n = f.unwrap(n)
	if n < 0 || !has(f.l.Syntax.Identifiers, f.k(n)) {
		return nil
	}
	name := f.text(n)
	for p := f.parent(n); p >= 0; p = f.parent(p) {
		if f.defRole(p) != "function" {
			continue
		}
		for i, pn := range f.params(p) {
			if pn == name {
				return &ParamRef{Func: f.defName(p), Index: i, Module: f.moduleNames()}
			}
		}
		return nil
	}
	return nil
}

// moduleNames are the names a call from another file may qualify a function of this file
// by: its directory (a Go package, a Java package) and its file name without extension (a
// Python or JavaScript module).
func (f *file) moduleNames() []string {
	dir := path.Base(path.Dir(f.path))
	stem := strings.TrimSuffix(path.Base(f.path), path.Ext(f.path))
	return []string{dir, stem}
}

// params returns the names of a function's parameters, the receiver (self, cls) left out.
func (f *file) params(d int32) []string {
	sh := f.l.Syntax.Defs[f.k(d)]
	ps := f.field(d, sh.Params)
	var out []string
	for _, c := range f.children(ps) {
		var names []int32
		if has(f.l.Syntax.Identifiers, f.k(c)) {
			names = []int32{c}
		} else {
			for g := f.flat.Nodes[c].FirstChild; g >= 0; g = f.flat.Nodes[g].NextSibling {
				if fn := f.flat.Field(g); fn == "name" || fn == "pattern" {
					names = append(names, g)
				}
			}
			if len(names) == 0 {
				for _, g := range f.children(c) {
					if has(f.l.Syntax.Identifiers, f.k(g)) {
						names = append(names, g)
						break
					}
				}
			}
		}
		for _, n := range names {
			out = append(out, f.text(n))
		}
	}
	if len(out) > 0 && (out[0] == "self" || out[0] == "cls") {
		out = out[1:]
	}
	return out
}

// callArgs records the addresses a call passes to a function of the service: the
// parameters of that function then lead where they do (clients.NewPayments(addr)).
func (x *extractor) callArgs(c *call) {
	if c.row != nil || c.annotation || len(c.chain) == 0 {
		return
	}
	for _, a := range c.args {
		if a.pos < 0 {
			continue
		}
		v := x.f.eval(a.node)
		if v.k != vEnv && v.k != vStr {
			continue
		}
		if v.k == vStr {
			// A string passed along is an address only when it says so itself (a URL, a DSN,
			// host:port): "HS256" given to jwtauth.New is no host.
			if s, _ := v.str(); !strings.Contains(s, "://") && !hostPortish(s) {
				continue
			}
		}
		if ad := x.address(v, false); ad != nil {
			x.resolve(c)
			qual := ""
			if i := strings.LastIndexByte(c.callee, '.'); i >= 0 && len(c.chain) > 1 {
				qual = c.callee[:i]
			}
			x.raw.Args = append(x.raw.Args, CallArg{Func: c.chain[len(c.chain)-1], Qual: qual, Index: a.pos, Address: *ad})
		}
	}
}

// hostPortish reports whether s looks like host:port.
func hostPortish(s string) bool {
	h, p, ok := strings.Cut(s, ":")
	return ok && h != "" && isDigits(p)
}

// hostComplete reports whether the start of a URL written before an unknown part holds the
// whole host: "http://orders:8080/" + id does, "http://" + host does not.
func hostComplete(s string) bool {
	i := strings.Index(s, "://")
	if i < 0 {
		return false
	}
	rest := s[i+3:]
	return strings.ContainsAny(rest, "/?#:")
}

// endpoint turns an address written in the code into a flow endpoint: a service of the
// workspace by name, an external actor, or "" for the host itself.
func endpoint(s string, hostOnly bool) (to, host string, ep *container.Endpoint) {
	name := "URL"
	if hostOnly {
		name = "HOST"
	}
	e, ok := container.Parse(name, s)
	if !ok {
		return "", "", nil
	}
	h := e.Host
	switch {
	case container.Local(h):
		return "", h, &e
	case validIP(h):
		return "actor:" + h, h, &e
	}
	for _, suf := range []string{".svc.cluster.local", ".cluster.local", ".svc"} {
		if strings.HasSuffix(h, suf) {
			first, _, _ := strings.Cut(h, ".")
			return model.Ref(model.NameAlias(first)), h, &e
		}
	}
	if strings.Contains(h, ".") && e.Service == "" {
		return "actor:" + h, h, &e
	}
	return model.Ref(model.NameAlias(h)), h, &e
}

func validIP(h string) bool {
	_, err := netip.ParseAddr(h)
	return err == nil
}

// endpointAttrs sets what an address written in the code says of protocol, port, TLS and
// credentials.
func endpointAttrs(ad *Address, ep *container.Endpoint, at model.Span) {
	set := func(name string, v any, note string) {
		ad.Attrs[name] = model.Attr{Value: v, Origin: model.Read, Span: at, Note: note}
	}
	scheme := ep.Scheme
	if p := container.Protocol(scheme); strings.Contains(p, "+") {
		scheme, _, _ = strings.Cut(scheme, "+") // a SQLAlchemy driver: postgresql+psycopg2
	}
	if scheme != "" {
		ad.Protocol = container.Protocol(scheme)
		set("protocol", ad.Protocol, "")
	}
	port := ep.Port
	if port == 0 {
		port = container.DefaultPort(scheme)
	}
	if port > 0 {
		ad.Port = port
		set("port", port, "")
	}
	switch {
	case ep.TLS != container.TLSUnsaid:
		set("tls", ep.TLS == container.TLSOn, ep.TLSNote)
	case scheme == "https" || scheme == "grpcs" || scheme == "wss":
		set("tls", true, scheme+":// is encrypted")
	case scheme != "":
		set("tls", false, scheme+":// asks for no TLS")
	}
	if ep.Password != "" {
		set("authenticated", true, "the address carries credentials")
	}
}

// protocolOf is the wire protocol of a store technology.
func protocolOf(tech string) string {
	switch tech {
	case "postgres", "mysql", "redis", "mongodb", "kafka", "amqp", "memcached", "cassandra", "sqlserver",
		"oracle", "nats", "elasticsearch", "sqlite":
		return tech
	case "rabbitmq":
		return "amqp"
	case "s3", "sqs", "sns", "dynamodb", "kinesis", "secretsmanager":
		return "https"
	}
	return ""
}

// option applies an option call or setting: to the client call that holds it, else to the
// file's flows of the row's protocol, else to the service.
func (x *extractor) option(start, end uint32, r *Row, value any, sp model.Span, note string) {
	var best *flowCall
	for _, fc := range x.flowCalls {
		if fc.c.start <= start && end <= fc.c.end && (best == nil || fc.c.start >= best.c.start) {
			best = fc
		}
	}
	if best != nil && r.On != "component" {
		best.fl.Attrs[r.Attr] = model.Attr{Value: value, Origin: model.Read, Span: sp, Note: note}
		return
	}
	x.raw.Controls = append(x.raw.Controls, Control{Attr: r.Attr, Value: value, Span: sp, Note: note,
		Protocol: r.Protocol, OnFlows: r.On != "component"})
}

// control records a control row's attribute on the service.
func (x *extractor) control(c *call, r *Row, sp model.Span) {
	f := x.f
	if !f.holds(c, r.When) {
		return
	}
	value := r.Value
	if value == nil && r.Arg != "" {
		value, _ = attrValue(f.argVal(c, r.Arg, 0))
		if mv, ok := r.Values[fmt.Sprint(value)]; ok {
			value = mv
		}
	}
	if value == nil {
		value = true
	}
	if r.On == "flow" {
		x.option(c.start, c.end, r, value, sp, noteOr(r, f.text(c.node)))
		return
	}
	x.raw.Controls = append(x.raw.Controls, Control{Attr: r.Attr, Value: value, Span: sp, Note: noteOr(r, f.text(c.node))})
}

// classMatch reads a class's supertypes: gRPC service bases, trust managers, servlets.
func (x *extractor) classMatch(m *match) {
	f := x.f
	for _, sn := range m.fields["super"] {
		chain := f.chain(sn)
		if chain == nil {
			continue
		}
		names := f.qualify(chain, f.flat.Nodes[sn].StartByte)
		r := f.l.row(f, "super", names)
		if r == nil {
			continue
		}
		x.framework(r)
		head := f.headSpan(m.node)
		c := &call{node: sn, start: f.flat.Nodes[sn].StartByte, end: f.flat.Nodes[sn].EndByte, chain: chain,
			callee: r.matched(names), row: r, recv: -1, target: m.node}
		switch r.Kind {
		case KindEntry:
			e := x.entry(c, r, "")
			if e.Path == "" {
				e.Path = strings.Join(chain, ".")
			}
			e.Span = head
			if n := m.one("name"); n >= 0 {
				e.Handler = f.text(n)
			}
			x.entries = append(x.entries, &pending{e: e, call: c, def: m.node, handler: -1})
		case KindControl:
			x.control(c, r, head)
		case KindServer:
			x.raw.Servers = append(x.raw.Servers, Mark{Span: head, Framework: r.FrameworkName()})
		case KindStore, KindOutbound, KindLLM:
			c.node = m.node // the flow is the class: a repository interface
			x.flow(c, r)
		}
	}
}

// settingMatch reads a keyword argument, an object key or a field set in a literal that a
// row knows: InsecureSkipVerify: true, rejectUnauthorized: false.
func (x *extractor) settingMatch(m *match) {
	f := x.f
	kn, vn := m.one("key"), m.one("value")
	if kn < 0 || vn < 0 {
		return
	}
	key := f.keyText(kn)
	r := f.l.row(f, "setting", []string{key})
	if r == nil {
		return
	}
	switch r.Kind {
	case KindOutbound, KindStore, KindLLM:
		// A client configured by a property: BaseAddress = new Uri(…), BucketName = "x".
		nd := &f.flat.Nodes[m.node]
		c := &call{node: m.node, start: nd.StartByte, end: nd.EndByte, recv: -1, target: -1, chain: []string{key},
			callee: key, row: r, args: []arg{{pos: 0, node: vn}}}
		x.flow(c, r)
		return
	}
	v := f.eval(vn)
	if r.When != nil {
		ok := false
		for _, w := range r.When.Equals {
			if equal(v, w) || w == "*" {
				ok = true
			}
		}
		if ok == r.When.Not {
			return
		}
	}
	value := r.Value
	if value == nil {
		t := strings.TrimSpace(f.text(vn))
		if ch := f.chain(vn); ch != nil {
			t = ch[len(ch)-1]
		}
		if mv, ok := r.Values[t]; ok {
			value = mv
		} else if s, ok := v.str(); ok {
			if mv, ok := r.Values[s]; ok {
				value = mv
			} else {
				value = s
			}
		} else if av, ok := attrValue(v); ok {
			value = av
		} else {
			return
		}
	}
	if mv, ok := r.Values[fmt.Sprint(value)]; ok {
		value = mv
	}
	x.framework(r)
	nd := &f.flat.Nodes[m.node]
	note := noteOr(r, f.text(m.node))
	if r.Kind == KindControl && r.On == "component" {
		x.raw.Controls = append(x.raw.Controls, Control{Attr: r.Attr, Value: value, Span: f.nodeSpan(m.node), Note: note})
		return
	}
	x.option(nd.StartByte, nd.EndByte, r, value, f.nodeSpan(m.node), note)
}

// captureMatch reads a match of a pack's own capture: an entry, a control or an auth rule
// whose shape base.scm does not select.
func (x *extractor) captureMatch(m *match) {
	f := x.f
	r := f.l.captureRow(f, m.group, m.pack)
	if r == nil || m.node < 0 {
		return
	}
	nd := &f.flat.Nodes[m.node]
	c := &call{node: m.node, start: nd.StartByte, end: nd.EndByte, recv: -1, target: -1, chain: []string{m.group}, callee: m.group, row: r}
	for field, ns := range m.fields {
		for _, n := range ns {
			c.args = append(c.args, arg{key: "field:" + field, pos: -1, node: n})
		}
	}
	x.framework(r)
	sp := f.nodeSpan(m.node)
	if at := m.one("at"); at >= 0 {
		sp = f.nodeSpan(at) // the part of the match the fact is about
	}
	switch r.Kind {
	case KindEntry:
		e := x.entry(c, r, x.str(c, r.Path, ""))
		e.Span = f.headSpan(m.node)
		if n := m.one("handler"); n >= 0 {
			e.Handler = strings.TrimSpace(f.text(n))
		}
		def := int32(-1)
		if _, ok := f.l.Syntax.Defs[f.k(m.node)]; ok {
			def = m.node
		}
		x.entries = append(x.entries, &pending{e: e, call: c, def: def, handler: -1})
	case KindControl:
		x.control(c, r, sp)
	case KindAuth:
		x.raw.Controls = append(x.raw.Controls, Control{Attr: "authenticates", Value: true, Span: sp, Note: noteOr(r, f.text(m.node))})
	case KindAnonymous:
		for _, n := range m.fields["path"] {
			if s, ok := f.eval(n).str(); ok {
				x.raw.Anonymous = append(x.raw.Anonymous, Pattern{Path: s, Span: f.nodeSpan(n)})
			}
		}
	case KindServer:
		x.raw.Servers = append(x.raw.Servers, Mark{Span: f.headSpan(m.node), Framework: r.FrameworkName()})
	case KindOutbound, KindStore, KindLLM:
		x.flow(c, r)
	case KindConfig:
		if n := m.one("key"); n >= 0 {
			if s, ok := f.eval(n).str(); ok {
				x.raw.Configs = append(x.raw.Configs, Config{Name: propertyName(s), Source: sourceOf(r), Span: sp})
			}
		}
	}
}

// syntaxError returns a problem for the first syntax error of the file, if any.
func syntaxError(f *file) (model.Problem, bool) {
	if len(f.flat.Nodes) == 0 || f.flat.Nodes[0].Flags&parse.FlatHasError == 0 {
		return model.Problem{}, false
	}
	for i := range f.flat.Nodes {
		n := &f.flat.Nodes[i]
		if n.Flags&(parse.FlatError|parse.FlatMissing) == 0 {
			continue
		}
		what := "syntax error"
		if n.Flags&parse.FlatMissing != 0 {
			what = "syntax error: " + f.flat.Kind(int32(i)) + " missing"
		}
		sp := f.span(n.StartByte, n.EndByte)
		if n.EndByte-n.StartByte > 80 {
			sp = f.span(n.StartByte, n.StartByte)
		}
		return model.Problem{Span: sp, Message: what + "; the rest of the file was analysed"}, true
	}
	return model.Problem{}, false
}
