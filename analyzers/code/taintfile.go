package code

import (
	"fmt"
	"hash/fnv"
	"hash/maphash"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/threatls/threatls/model"
)

// TaintFacts is what the taint engine read of one file: a summary of each function — what
// reaches its sinks, its return value and the arguments of its calls, from its parameters,
// the sources it reads and the calls it makes — and the checks that hold in it. Link joins
// the summaries of a service's files (graph.go). Plain data: nothing refers to the tree.
type TaintFacts struct {
	Funcs []Func
	// Module are the names other files qualify this file's functions by (its package's
	// directory, its file name); Package is the Go import path, when known.
	Module []string
	// Secrets are the secrets written in the file's literals.
	Secrets []Check
}

// Func is the summary of one function (or of the file's top level).
type Func struct {
	Key   string // Class.name, name; "" for the top level
	Name  string
	Class string
	Span  model.Span // its head
	Body  model.Span // all of it
	// Params are its parameters; Safe ones carry nothing an attacker shapes (numbers,
	// framework objects, dependencies).
	Params []Param
	// Entry is the index (+1) in Raw.Entries of the route it handles here, 0 when none.
	Entry int
	// Source is the kind of source its parameters are, when a setting or an annotation
	// says so (a queue listener).
	Source  string
	Origins []Origin
	Calls   []Call
	Sinks   []Sink
	Checks  []Check
	// Hits: origin → sink; Args: origin → argument of a call; Rets: origin → its value.
	Hits []Edge
	Args []Edge
	Rets []Edge
	// Flows are the client calls it makes (the spans of Raw.Flows), and Uses those its
	// calls are made on, for the stores a route reaches; Queries counts its database
	// queries (a query on a client the engine cannot trace still reaches a database).
	Flows   []model.Span
	Uses    []model.Span
	Queries int
}

// Param is a parameter.
type Param struct {
	Name string
	Safe bool
}

// Origin is where a label of the function comes from.
type Origin struct {
	Kind  uint8  // oSource, oParam, oCall, oName
	Src   string // the source kind
	Index int    // the parameter, or the call
	Span  model.Span
	What  string
}

// Call is a call the engine leaves to Link: a function of the code, or a library's.
type Call struct {
	Callee string // qualified
	Chain  []string
	Self   bool
	Argc   int
	Span   model.Span
}

// Sink is a place data must not reach unsanitised.
type Sink struct {
	Kind    string
	Accepts []string
	Span    model.Span // the call
	Arg     model.Span // what carries the data
	What    string
	// Store is the client call (a flow's span) the sink uses, when the engine can tell.
	Store model.Span
	Fix   []Edit
	Row   string
}

// Check is a check row that holds.
type Check struct {
	Check  string
	Span   model.Span
	Detail string
	Fix    []Edit
	Row    string
}

// Edge is a label reaching something: To is a sink or a call, Arg a call's argument (-1 its
// receiver, ≥1000 a keyword argument), O the origin, Clean the sink kinds made safe for.
type Edge struct {
	To    int
	Arg   int
	O     int32
	Clean uint32
}

// Edit is a text edit of a fix, in byte offsets of the file.
type Edit struct {
	Start, End int
	Text       string
}

// fnCache holds the analyses of functions by their text and context, shared by the files
// of a grammar: an edit re-analyses the function edited, the others come from here.
type fnCache struct {
	mu sync.Mutex
	m  map[uint64]*fnResult
}

const fnCacheMax = 50000

func (c *fnCache) get(k uint64) *fnResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

func (c *fnCache) put(k uint64, r *fnResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= fnCacheMax {
		c.m = map[uint64]*fnResult{}
	}
	c.m[k] = r
}

var caches sync.Map // *Language → *fnCache

func cacheOf(l *Language) *fnCache {
	v, _ := caches.LoadOrStore(l, &fnCache{})
	return v.(*fnCache)
}

// benchTaint, set by the benchmarks only, turns the taint engine off ("off") or its cache
// ("nocache"), to measure what each costs.
var benchTaint string

// taintStats counts, for the benchmarks, the functions analysed and those taken from the
// cache.
var taintStats struct {
	mu             sync.Mutex
	walked, cached int
}

// taint runs the taint engine over the file, once the extractor has read it. A defect of
// the engine costs the file its taint facts (and says so), never its other facts.
func (x *extractor) taint() (problem *model.Problem) {
	defer func() {
		if r := recover(); r != nil {
			x.raw.Taint = nil
			problem = &model.Problem{Span: model.Span{File: x.f.path},
				Message: fmt.Sprintf("partly analysed: the taint engine failed on this file (%v); its other facts are kept", r)}
		}
	}()
	f := x.f
	l := f.l
	if benchTaint == "off" {
		return nil
	}
	rs := l.rolesOf(f.g.Lang, f.flat)
	f.flowAt = map[[2]uint32]bool{}
	f.flowTech = map[[2]uint32]string{}
	for _, fl := range x.raw.Flows {
		k := [2]uint32{uint32(fl.Span.Start.Offset), uint32(fl.Span.End.Offset)}
		f.flowAt[k] = true
		if fl.Kind == KindStore && fl.Category == "database" {
			f.flowTech[k] = fl.Technology
		}
	}
	fns, sep := x.functions(rs.bySym)
	f.topVars = map[string][]*binding{}
	for name, bs := range f.vars {
		for _, b := range bs {
			if !insideAny(fns, b.off) {
				f.topVars[name] = append(f.topVars[name], b)
			}
		}
	}
	top := func(name string, off uint32) *binding {
		bs := f.topVars[name]
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
	lib := l.libraryFunc()
	ctx := x.contextHash()
	cache := cacheOf(l)
	seps := make([]uint32, 0, len(sep))
	for n := range sep {
		seps = append(seps, f.flat.Nodes[n].StartByte)
	}
	slices.Sort(seps)
	facts := &TaintFacts{Module: f.moduleNames()}
	x.placeFlows()
	for _, fn := range fns {
		key := fnKey(f, fn, seps, ctx)
		res := cache.get(key)
		if benchTaint == "nocache" {
			res = nil
		}
		if res == nil {
			w := &walker{f: f, rs: rs.bySym, fn: fn, res: &fnResult{base: fn.start}, sep: sep, top: top, lib: lib,
				names: map[string]int32{}, srcAt: map[[2]uint32]int32{}, sinkAt: map[[2]uint32]int{}, callAt: map[uint32]int{},
				chkAt: map[[2]uint32]bool{}, seen: map[hit]bool{}, seenA: map[hit]bool{}, seenR: map[lab]bool{}, storeA: map[[2]uint32]int{},
				queryAt: map[uint32]bool{}}
			w.run()
			res = w.res.relative(fn.start)
			cache.put(key, res)
			taintStats.mu.Lock()
			taintStats.walked++
			taintStats.mu.Unlock()
		} else {
			taintStats.mu.Lock()
			taintStats.cached++
			taintStats.mu.Unlock()
		}
		facts.Funcs = append(facts.Funcs, x.summary(fn, res, top))
	}
	facts.Secrets = x.scanSecrets(rs.bySym)
	x.raw.Taint = facts
	return nil
}

// insideAny reports whether off lies in the body of one of the functions (not the top level).
func insideAny(fns []*function, off uint32) bool {
	for _, fn := range fns {
		if fn.key != "" && fn.start <= off && off < fn.end {
			return true
		}
	}
	return false
}

// relative returns the result with offsets relative to base (modulo 2³²: a span before
// base wraps around and comes back when base is added).
func (r *fnResult) relative(base uint32) *fnResult {
	out := *r
	out.base = 0
	out.origins = append([]origin(nil), r.origins...)
	for i := range out.origins {
		out.origins[i].start -= base
		out.origins[i].end -= base
	}
	out.calls = append([]xcall(nil), r.calls...)
	for i := range out.calls {
		out.calls[i].start -= base
		out.calls[i].end -= base
	}
	out.sinks = append([]sinkSite(nil), r.sinks...)
	for i := range out.sinks {
		s := &out.sinks[i]
		s.start -= base
		s.end -= base
		s.aStart -= base
		s.aEnd -= base
		s.fix = relEdits(s.fix, base)
	}
	out.checks = append([]checkHit(nil), r.checks...)
	for i := range out.checks {
		c := &out.checks[i]
		c.start -= base
		c.end -= base
		c.fix = relEdits(c.fix, base)
	}
	out.stores = append([]storeRef(nil), r.stores...)
	for i := range out.stores {
		if out.stores[i].name == "" {
			out.stores[i].start -= base
			out.stores[i].end -= base
		}
	}
	return &out
}

func relEdits(es []edit, base uint32) []edit {
	if len(es) == 0 {
		return nil
	}
	out := make([]edit, len(es))
	for i, e := range es {
		out[i] = edit{start: e.start - base, end: e.end - base, text: e.text}
		if e.abs {
			out[i] = e // an import at the top of the file: absolute (the context hash holds it)
		}
	}
	return out
}

// summary turns a cached result into the file's facts for fn.
func (x *extractor) summary(fn *function, r *fnResult, top func(string, uint32) *binding) Func {
	f := x.f
	base := fn.start
	sp := func(s, e uint32) model.Span { return f.span(s+base, e+base) }
	out := Func{Key: fn.key, Name: fn.name, Class: fn.class, Entry: fn.entry, Source: fn.source, Queries: r.queries}
	storeSpan := func(i int, at uint32) (model.Span, bool) {
		if i < 0 || i >= len(r.stores) {
			return model.Span{}, false
		}
		st := r.stores[i]
		var key [2]uint32
		if st.name != "" {
			if b := top(st.name, at+base); b != nil && b.val != nil && b.val.call != nil {
				nd := &f.flat.Nodes[b.val.call.node]
				key = [2]uint32{nd.StartByte, nd.EndByte}
			}
		} else {
			key = [2]uint32{st.start + base, st.end + base}
		}
		if !f.flowAt[key] {
			return model.Span{}, false
		}
		return f.span(key[0], key[1]), true
	}
	for _, u := range r.uses {
		if sp, ok := storeSpan(u, 0); ok {
			out.Uses = append(out.Uses, sp)
		}
	}
	if fn.node >= 0 && fn.key != "" {
		out.Span = f.headSpan(fn.node)
		out.Body = f.nodeSpan(fn.node)
	} else {
		out.Span = f.span(0, 0)
		out.Body = f.span(0, uint32(len(f.src)))
	}
	for _, p := range fn.params {
		out.Params = append(out.Params, Param{Name: p.name, Safe: p.safe})
	}
	for _, o := range r.origins {
		out.Origins = append(out.Origins, Origin{Kind: o.kind, Src: o.src, Index: o.param, Span: sp(o.start, o.end), What: o.what})
	}
	for _, c := range r.calls {
		out.Calls = append(out.Calls, Call{Callee: c.callee, Chain: c.chain, Self: c.self, Argc: c.argc, Span: sp(c.start, c.end)})
	}
	// Rows that the file's text silences (a parser hardened elsewhere in the file) are
	// read here, not in the cached analysis.
	sinkAt := make([]int, len(r.sinks))
	for i, s := range r.sinks {
		sinkAt[i] = -1
		if !f.fileAllows(s.row) {
			continue
		}
		sinkAt[i] = len(out.Sinks)
		sk := Sink{Kind: s.kind, Accepts: s.accepts, Span: sp(s.start, s.end), Arg: sp(s.aStart, s.aEnd), What: s.what,
			Fix: absEdits(s.fix, base)}
		if s.row != nil {
			sk.Row = s.row.Pos()
		}
		if sp, ok := storeSpan(s.store, s.start); ok {
			sk.Store = sp
		}
		out.Sinks = append(out.Sinks, sk)
	}
	for _, c := range r.checks {
		if !f.fileAllows(c.row) {
			continue
		}
		ck := Check{Check: c.check, Span: sp(c.start, c.end), Detail: c.detail, Fix: absEdits(c.fix, base)}
		if c.row != nil {
			ck.Row = c.row.Pos()
		}
		out.Checks = append(out.Checks, ck)
	}
	for _, h := range r.hits {
		if to := sinkAt[h.to]; to >= 0 {
			out.Hits = append(out.Hits, Edge{To: to, Arg: h.arg, O: h.l.o, Clean: h.l.clean})
		}
	}
	for _, h := range r.args {
		out.Args = append(out.Args, Edge{To: h.to, Arg: h.arg, O: h.l.o, Clean: h.l.clean})
	}
	for _, l := range r.rets {
		out.Rets = append(out.Rets, Edge{O: l.o, Clean: l.clean})
	}
	if fn.key != "" {
		for _, sp := range x.flowsIn[fn] {
			out.Flows = append(out.Flows, sp)
		}
	}
	return out
}

// placeFlows gives each client call of the file to the innermost function holding it.
func (x *extractor) placeFlows() {
	x.flowsIn = map[*function][]model.Span{}
	for _, fl := range x.raw.Flows {
		off := uint32(fl.Span.Start.Offset)
		var best *function
		for _, g := range x.fns {
			if g.key != "" && g.start <= off && off < g.end && (best == nil || g.start >= best.start && g.end <= best.end) {
				best = g
			}
		}
		if best != nil {
			x.flowsIn[best] = append(x.flowsIn[best], fl.Span)
		}
	}
}

func absEdits(es []edit, base uint32) []Edit {
	var out []Edit
	for _, e := range es {
		if e.abs {
			out = append(out, Edit{Start: int(e.start), End: int(e.end), Text: e.text})
			continue
		}
		out = append(out, Edit{Start: int(e.start + base), End: int(e.end + base), Text: e.text})
	}
	return out
}

// fnKey is the cache key of a function's analysis: its text, where it sits (its class,
// its name), the lambdas in it that are functions of their own, and the file's context.
func fnKey(f *file, fn *function, seps []uint32, ctx uint64) uint64 {
	var h maphash.Hash
	h.SetSeed(keySeed)
	h.Write(f.src[fn.start:fn.end])
	fmt.Fprintf(&h, "\x00%s\x00%s\x00%s\x00%d\x00%s", fn.key, fn.class, fn.recv, len(fn.params), fn.source)
	for _, s := range seps {
		if fn.start <= s && s < fn.end {
			fmt.Fprintf(&h, "\x00%d", s-fn.start)
		}
	}
	if fn.key == "" {
		h.Write(f.src) // the top level reads the whole file
	}
	return h.Sum64() ^ ctx
}

// keySeed seeds the hashes of the cache's keys, once per process.
var keySeed = maphash.MakeSeed()

// contextHash hashes what a function's analysis reads beyond its own text: the imports,
// the packs they enable, the top-level bindings (their types, constant values, whether they
// are clients of a store) and the databases of the file.
func (x *extractor) contextHash() uint64 {
	f := x.f
	h := fnv.New64a()
	h.Write([]byte(f.l.Name + "\x00" + string(f.g.Lang) + "\x00" + f.path))
	var keys []string
	for k, v := range f.imports {
		keys = append(keys, k+"="+v)
	}
	sort.Strings(keys)
	h.Write([]byte(strings.Join(keys, "\x00")))
	h.Write([]byte(strings.Join(f.modules, "\x00")))
	h.Write([]byte(strings.Join(f.wild, "\x00")))
	var names []string
	for n := range f.topVars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, b := range f.topVars[n] {
			fmt.Fprintf(h, "\x00%s:%s:%v:%v:%s", n, b.typ, b.field, b.decl, valKey(b.val))
			if b.val != nil && b.val.call != nil {
				nd := &f.flat.Nodes[b.val.call.node]
				k := [2]uint32{nd.StartByte, nd.EndByte}
				fmt.Fprintf(h, ":%v:%s", f.flowAt[k], f.flowTech[k])
			}
		}
	}
	var techs []string
	for _, t := range f.flowTech {
		techs = append(techs, t)
	}
	sort.Strings(techs)
	h.Write([]byte(strings.Join(techs, ",")))
	if bytesImport := strings.Index(string(f.src), "import ("); bytesImport >= 0 {
		fmt.Fprintf(h, "\x00import@%d", bytesImport) // a Go fix that adds an import writes there
	}
	return h.Sum64()
}

func valKey(v *val) string {
	if v == nil {
		return ""
	}
	switch v.k {
	case vStr, vNum, vEnv:
		return fmt.Sprintf("%d:%s", v.k, v.s)
	case vBool:
		return fmt.Sprintf("%d:%v", v.k, v.b)
	}
	return fmt.Sprint(v.k)
}

// functions lists the functions of the file to analyse, the top level first, and the
// lambdas that are functions of their own (a route's handler, a callback a source row
// names, a lambda assigned to a name).
func (x *extractor) functions(rs []role) ([]*function, map[int32]bool) {
	f := x.f
	l := f.l
	roleOf := func(n int32) role {
		if s := f.flat.Nodes[n].Sym; int(s) < len(rs) {
			return rs[s]
		}
		return rNone
	}
	sep := map[int32]bool{}
	handlerOf := map[int32]int{} // function node → entry index + 1
	byName := map[string]int{}   // a handler named by an entry of the file
	classHandler := map[string]int{}
	for i, p := range x.entries {
		switch {
		case p.def >= 0 && f.defRole(p.def) == "class":
			handlerOf[p.def] = i + 1
			classHandler[f.defName(p.def)] = i + 1
		case p.def >= 0:
			handlerOf[p.def] = i + 1
		case p.handler >= 0:
			h := f.unwrap(p.handler)
			if r := roleOf(h); r == rLambda || r == rFunc {
				sep[h] = true
				handlerOf[h] = i + 1
			} else if ch := f.chain(h); ch != nil {
				if p.e.Protocol == "grpc" {
					classHandler[ch[len(ch)-1]] = i + 1
				}
				byName[ch[len(ch)-1]] = i + 1
			}
		}
	}
	// Callbacks that setting sources name (kafkajs's eachMessage) are functions of their own.
	sourceOf := map[int32]string{}
	for _, c := range f.calls {
		for _, a := range c.args {
			if a.key == "" {
				continue
			}
			v := f.unwrap(a.node)
			if r := roleOf(v); r != rLambda && r != rFunc {
				continue
			}
			for _, r := range l.taintRows(f, "setting", []string{a.key}) {
				if r.Kind == KindSource {
					sep[v] = true
					sourceOf[v] = sourceKindOf(r)
				}
			}
		}
		// Object literal arguments: {eachMessage: async ({message}) => …}
		for _, a := range c.args {
			n := f.unwrap(a.node)
			if !has(l.Syntax.Objects, f.k(n)) {
				continue
			}
			for _, p := range f.children(n) {
				sh, ok := l.Syntax.Pairs[f.k(p)]
				if !ok {
					continue
				}
				v := f.unwrap(f.field(p, sh.Value))
				if r := roleOf(v); v < 0 || r != rLambda && r != rFunc {
					continue
				}
				for _, r := range l.taintRows(f, "setting", []string{f.keyText(f.field(p, sh.Key))}) {
					if r.Kind == KindSource {
						sep[v] = true
						sourceOf[v] = sourceKindOf(r)
					}
				}
			}
		}
	}
	// Annotations that make a definition's parameters sources (@KafkaListener).
	for _, c := range f.calls {
		if !c.annotation || c.target < 0 {
			continue
		}
		for _, r := range l.taintRows(f, "call", f.qualify(c.chain, c.start)) {
			if r.Kind == KindSource && r.Arg == "target" {
				sourceOf[c.target] = sourceKindOf(r)
			}
		}
	}
	// Lambdas assigned to a name are functions of that name.
	named := map[int32]string{}
	for n := range f.flat.Nodes {
		nn := int32(n)
		if roleOf(nn) != rAssign {
			continue
		}
		sh := l.Flow.Assign[f.k(nn)]
		left, right := f.field(nn, sh.Left), f.unwrap(f.field(nn, sh.Right))
		if right >= 0 && (roleOf(right) == rLambda) && has(l.Syntax.Identifiers, f.k(f.unwrap(left))) {
			sep[right] = true
			named[right] = f.text(f.unwrap(left))
		}
	}

	topFn := &function{node: 0, key: "", body: 0, start: 0, end: uint32(len(f.src))}
	out := []*function{topFn}
	ordinal := map[string]int{}
	var walk func(n int32, encl *function, class string)
	walk = func(n int32, encl *function, class string) {
		for c := f.flat.Nodes[n].FirstChild; c >= 0; c = f.flat.Nodes[c].NextSibling {
			r := roleOf(c)
			switch {
			case r == rClass:
				walk(c, encl, f.defName(c))
				continue
			case r == rFunc && x.wrapper(c, rs):
				walk(c, encl, class) // a decorated definition: the definition inside is the function
				continue
			case r == rFunc || r == rLambda && sep[c]:
				label := named[c]
				if e, ok := handlerOf[c]; ok && label == "" && r == rLambda {
					p := x.entries[e-1].e
					label = strings.TrimSpace(p.Method + " " + p.Path) // the route it handles
				}
				fn := x.function(c, encl, class, label, ordinal)
				if e, ok := handlerOf[c]; ok {
					fn.entry = e
				} else if e, ok := byName[fn.name]; ok && fn.name != "" && r == rFunc {
					fn.entry = e
				} else if e, ok := classHandler[fn.class]; ok && fn.class != "" && r == rFunc && fn.name != "" && !x.private(c, fn.name) {
					fn.entry = e // a method of a servlet, a gRPC service, a controller
				}
				if k, ok := sourceOf[c]; ok {
					fn.source = k
				}
				if fn.entry > 0 {
					typedParams(fn, x.entries[fn.entry-1].e.Path)
				}
				out = append(out, fn)
				walk(c, fn, fn.class)
				continue
			}
			walk(c, encl, class)
		}
	}
	walk(0, topFn, "")
	x.fns = out
	return out, sep
}

// private reports whether a method is its class's own: a private method, a
// name with a leading underscore, an unexported Go method, a constructor.
func (x *extractor) private(d int32, name string) bool {
	f := x.f
	if strings.HasPrefix(name, "_") || f.l.Name == "go" && name != "" && strings.ToLower(name[:1]) == name[:1] {
		return true
	}
	head := f.text(d)
	if i := strings.Index(head, name); i >= 0 {
		head = head[:i]
	}
	return strings.Contains(head, "private ")
}

// wrapper reports whether the definition d only wraps another (Python's decorated
// definition): its body is the body of a definition among its children.
func (x *extractor) wrapper(d int32, rs []role) bool {
	f := x.f
	sh, _ := f.l.defShape(f.k(d))
	body := f.field(d, sh.Body)
	for _, c := range f.children(d) {
		if s := f.flat.Nodes[c].Sym; int(s) < len(rs) && rs[s] == rFunc {
			csh, _ := f.l.defShape(f.k(c))
			if f.field(c, csh.Body) == body {
				return true
			}
		}
	}
	return false
}

// typedRE finds the parameters a route's path converts to numbers or identifiers: Flask's
// <int:id>, ASP.NET's {id:int}, FastAPI's {id:int}.
var typedRE = regexp.MustCompile(`<(?:int|float|uuid):(\w+)>|\{(\w+):(?:int|long|guid|bool|decimal|double|float|uuid)\}`)

// typedParams marks safe the handler's parameters its route converts to a number.
func typedParams(fn *function, path string) {
	for _, m := range typedRE.FindAllStringSubmatch(path, -1) {
		name := m[1] + m[2]
		for i := range fn.params {
			if fn.params[i].name == name {
				fn.params[i].safe = true
			}
		}
	}
}

func sourceKindOf(r *Row) string {
	if r.SourceKind != "" {
		return r.SourceKind
	}
	return "http"
}

// function describes the definition d.
func (x *extractor) function(d int32, encl *function, class, assigned string, ordinal map[string]int) *function {
	f := x.f
	l := f.l
	nd := &f.flat.Nodes[d]
	fn := &function{node: d, class: class, start: nd.StartByte, end: nd.EndByte, body: -1}
	sh, _ := l.defShape(f.k(d))
	if sh.Body == "" {
		if lsh, ok := l.Syntax.Lambdas[f.k(d)]; ok {
			sh.Body = lsh.Body
		}
	}
	fn.body = f.field(d, sh.Body)
	if sh.Name != "" {
		fn.name = strings.TrimSpace(f.text(f.field(d, sh.Name)))
	}
	if fn.name == "" {
		fn.name = assigned
	}
	if l.Flow.Receiver != "" {
		if rn := f.field(d, l.Flow.Receiver); rn >= 0 {
			w := &walker{f: f}
			for _, c := range f.children(rn) {
				for _, p := range w.paramOf(c) {
					fn.recv = p.name
					t := strings.TrimLeft(strings.TrimSpace(f.text(f.field(c, l.Flow.Params[f.k(c)].Type))), "*")
					if i := strings.IndexByte(t, '['); i >= 0 {
						t = t[:i]
					}
					fn.class = t
				}
			}
		}
	}
	w := &walker{f: f}
	fn.params = w.paramNodes(d)
	for i, p := range fn.params {
		if p.typ != "" {
			continue
		}
		// a parameter a pack types by its name: Django's request, Express's req
		for _, r := range l.taintRows(f, "param", []string{p.name}) {
			if r.Kind == KindType && r.Returns != "" {
				fn.params[i].typ, fn.params[i].safe = r.Returns, true
				break
			}
		}
	}
	if receivers := l.Flow.Receivers; len(fn.params) > 0 && has(receivers, fn.params[0].name) && class != "" {
		fn.recv = fn.params[0].name
		fn.params = fn.params[1:]
	}
	switch {
	case fn.name != "" && fn.class != "":
		fn.key = fn.class + "." + fn.name
	case fn.name != "":
		fn.key = fn.name
	default:
		base := encl.key
		if base == "" {
			base = "(top level)"
		}
		ordinal[base]++
		fn.key = fmt.Sprintf("%s$%d", base, ordinal[base])
		fn.name = ""
	}
	return fn
}
