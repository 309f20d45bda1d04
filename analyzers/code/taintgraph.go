package code

import (
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/threatls/threatls/model"
)

// The graph of a service's functions: each summary says which of its origins (sources,
// parameters, the values of its calls) reach its sinks, the arguments of its calls and its
// return value; calls join the summaries — an argument flows into the parameter of the
// function the call reaches, that function's return value into the call's value, and a
// call that reaches no function of the code passes its arguments and receiver to its value.
// From every source (a source read, a parameter of a route's handler, a secret or personal
// data by name) a search follows the labels to the sinks, with the sink kinds sanitisers
// made them safe for; a sink reached by a source of a kind it accepts is a finding.

// gfn is a function of the graph.
type gfn struct {
	f     *Func
	file  *model.FileFacts
	dir   string
	entry *model.Element // the route it handles, when it handles one
	// param and call give the origin of a parameter and of a call's value.
	param map[int]int32
	call  map[int]int32
	// hits, args and rets are the edges from each origin: to sinks, to call arguments, to
	// the return value.
	hits, args, rets map[int32][]Edge
	// targets are the functions each call reaches (nil: none of the code's).
	targets [][]int
	// callers are the calls that reach the function: (function, call).
	callers [][2]int
}

// flowGraph is the functions of one service.
type flowGraph struct {
	fns    []*gfn
	byName map[string][]int
}

// step is a call a finding's value went through, for its trace.
type step struct {
	span model.Span
	what string
}

// tfinding is a source reaching a sink.
type tfinding struct {
	fn     int // the sink's function
	sink   int
	srcFn  int
	srcO   int32
	srcKnd string
	src    Origin
	steps  []step
	// entry is the route whose input the source is, when the engine can tell.
	entry *model.Element
}

func newFlowGraph(files []*model.FileFacts) *flowGraph {
	g := &flowGraph{byName: map[string][]int{}}
	for _, ff := range files {
		r := rawOf(ff)
		if r.Taint == nil {
			continue
		}
		for i := range r.Taint.Funcs {
			fn := &r.Taint.Funcs[i]
			n := &gfn{f: fn, file: ff, dir: path.Dir(ff.File), param: map[int]int32{}, call: map[int]int32{},
				hits: map[int32][]Edge{}, args: map[int32][]Edge{}, rets: map[int32][]Edge{}}
			for o, or := range fn.Origins {
				switch or.Kind {
				case oParam:
					n.param[or.Index] = int32(o)
				case oCall:
					n.call[or.Index] = int32(o)
				}
			}
			for _, e := range fn.Hits {
				n.hits[e.O] = append(n.hits[e.O], e)
			}
			for _, e := range fn.Args {
				n.args[e.O] = append(n.args[e.O], e)
			}
			for _, e := range fn.Rets {
				n.rets[e.O] = append(n.rets[e.O], e)
			}
			g.fns = append(g.fns, n)
			if fn.Name != "" {
				g.byName[fn.Name] = append(g.byName[fn.Name], len(g.fns)-1)
			}
		}
	}
	for i, n := range g.fns {
		n.targets = make([][]int, len(n.f.Calls))
		for k, c := range n.f.Calls {
			n.targets[k] = g.resolve(i, c)
			for _, t := range n.targets[k] {
				g.fns[t].callers = append(g.fns[t].callers, [2]int{i, k})
			}
		}
	}
	return g
}

// resolve returns the functions a call of fn i reaches.
func (g *flowGraph) resolve(i int, c Call) []int {
	if len(c.Chain) == 0 {
		return nil
	}
	caller := g.fns[i]
	name := c.Chain[len(c.Chain)-1]
	var out []int
	for _, j := range g.byName[name] {
		if g.reaches(caller, c, g.fns[j]) {
			out = append(out, j)
		}
	}
	return out
}

// reaches reports whether call c of caller reaches function t.
func (g *flowGraph) reaches(caller *gfn, c Call, t *gfn) bool {
	sameFile := caller.file == t.file
	if c.Self {
		return t.f.Class != "" && t.f.Class == caller.f.Class
	}
	if len(c.Chain) == 1 {
		if t.f.Class != "" && t.f.Class != caller.f.Class {
			return false
		}
		if sameFile || t.f.Class != "" && t.f.Class == caller.f.Class && caller.dir == t.dir {
			return true
		}
		lang := rawOf(caller.file).Language
		if lang == "go" && caller.dir == t.dir {
			return true // a function of the package
		}
		// imported by name: from .repo import find, import {find} from './repo'
		if c.Callee != callName(c) {
			return moduleMatch(qualOf(c.Callee), t)
		}
		return false
	}
	q := qualOf(c.Callee)
	if q == "" {
		return false
	}
	last := lastPart(q)
	if t.f.Class != "" && strings.TrimLeft(last, "*") == t.f.Class {
		return true
	}
	if t.f.Class == "" && moduleMatch(q, t) {
		return true
	}
	return false
}

func callName(c Call) string { return c.Chain[len(c.Chain)-1] }

// qualOf returns a qualified name without its last segment.
func qualOf(q string) string {
	if i := strings.LastIndexByte(q, '.'); i >= 0 {
		return q[:i]
	}
	return ""
}

func lastPart(q string) string {
	return q[strings.LastIndexAny(q, "./")+1:]
}

// moduleMatch reports whether a qualifier names t's module: its Go package, its file.
func moduleMatch(q string, t *gfn) bool {
	if q == "" {
		return false
	}
	last := lastPart(q)
	mods := rawOf(t.file).Taint.Module
	if slices.Contains(mods, last) {
		return true
	}
	// a relative module (./repo, .repo) resolved against nothing: its last name is enough
	return false
}

// bindHandlers marks the functions that handle the routes of the service: those Extract
// found in the route's file, and those a route names in another file (a Django view, an
// Express controller, a gRPC service's class).
func (g *flowGraph) bindHandlers(entries map[*model.FileFacts][]*model.Element) {
	for _, n := range g.fns {
		if n.f.Entry > 0 {
			if els := entries[n.file]; n.f.Entry-1 < len(els) {
				n.entry = els[n.f.Entry-1]
			}
		}
	}
	var files []*model.FileFacts
	for ff := range entries {
		files = append(files, ff)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].File < files[j].File })
	for _, ff := range files {
		r := rawOf(ff)
		for i, e := range r.Entries {
			if i >= len(entries[ff]) || e.Handler == "" {
				continue
			}
			bound := false
			for _, n := range g.fns {
				if n.file == ff && n.f.Entry == i+1 {
					bound = true
					break
				}
			}
			if bound {
				continue
			}
			ch := strings.Split(e.Handler, ".")
			last := ch[len(ch)-1]
			c := Call{Chain: ch, Callee: e.Handler}
			for _, j := range g.byName[last] {
				t := g.fns[j]
				if t.entry != nil || t.file == ff {
					continue
				}
				if len(ch) == 1 && (t.dir == path.Dir(ff.File)) || len(ch) > 1 && (moduleMatch(qualOf(c.Callee), t) || t.f.Class == ch[len(ch)-2]) {
					t.entry = entries[ff][i]
				}
			}
			if e.Protocol == "grpc" {
				for _, t := range g.fns {
					if t.entry == nil && t.f.Class != "" && t.f.Class == last && t.f.Name != "" {
						t.entry = entries[ff][i]
					}
				}
			}
		}
	}
}

// state of the search: an origin of a function, or its return value, with the sink kinds
// made safe for.
type gstate struct {
	fn    int
	o     int32 // -1: the return value
	clean uint32
}

type gprev struct {
	from gstate
	st   step
	ok   bool
}

// maxSearch bounds one search: a source whose value reaches this many places is followed
// no further (the findings so far are kept).
const maxSearch = 20000

// findings searches from every source of the graph.
func (g *flowGraph) findings() []tfinding {
	var out []tfinding
	for i, n := range g.fns {
		for o, or := range n.f.Origins {
			kind := ""
			switch or.Kind {
			case oSource, oName:
				kind = or.Src
			case oParam:
				if or.Index < len(n.f.Params) && n.f.Params[or.Index].Safe {
					continue
				}
				switch {
				case n.f.Source != "":
					kind = n.f.Source
				case n.entry != nil:
					kind = entrySource(n.entry)
				}
			}
			if kind == "" {
				continue
			}
			out = append(out, g.search(i, int32(o), kind)...)
		}
	}
	return out
}

// entrySource is the kind of source a route's handler's parameters are.
func entrySource(e *model.Element) string {
	switch p, _ := e.Attrs.At("protocol").Value.(string); p {
	case "grpc":
		return "grpc"
	case "mcp":
		return "tool"
	}
	return "http"
}

func (g *flowGraph) search(fn int, o int32, kind string) []tfinding {
	start := gstate{fn: fn, o: o}
	prev := map[gstate]gprev{start: {}}
	queue := []gstate{start}
	var out []tfinding
	seenSink := map[[2]int]bool{}
	push := func(s gstate, from gstate, st step) {
		if _, ok := prev[s]; ok || len(prev) >= maxSearch {
			return
		}
		prev[s] = gprev{from: from, st: st, ok: true}
		queue = append(queue, s)
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		n := g.fns[s.fn]
		if s.o < 0 {
			// The return value: into the value of every call that reaches the function.
			for _, c := range n.callers {
				cn := g.fns[c[0]]
				if co, ok := cn.call[c[1]]; ok {
					push(gstate{c[0], co, s.clean}, s, step{cn.f.Calls[c[1]].Span, "returned by " + n.f.Key})
				}
			}
			continue
		}
		for _, e := range n.hits[s.o] {
			clean := s.clean | e.Clean
			sk := &n.f.Sinks[e.To]
			if clean&sinkBit(sk.Kind) != 0 || !accepts(sk, kind) {
				continue
			}
			key := [2]int{s.fn, e.To}
			if seenSink[key] {
				continue
			}
			seenSink[key] = true
			tf := tfinding{fn: s.fn, sink: e.To, srcFn: fn, srcO: o, srcKnd: kind, src: g.fns[fn].f.Origins[o]}
			tf.steps = traceOf(prev, s)
			tf.entry = g.entryOf(fn, o)
			out = append(out, tf)
		}
		for _, e := range n.args[s.o] {
			clean := s.clean | e.Clean
			c := n.f.Calls[e.To]
			ts := n.targets[e.To]
			if len(ts) == 0 {
				// No function of the code: the call's value holds its arguments (a lookup's,
				// its receiver's only).
				if co, ok := n.call[e.To]; ok && (e.Arg < 0 || !lookupMethod(callName(c))) {
					push(gstate{s.fn, co, clean}, s, step{})
				}
				continue
			}
			if e.Arg < 0 {
				// a method of a tainted object: what it returns may be its fields (a getter)
				if co, ok := n.call[e.To]; ok {
					push(gstate{s.fn, co, clean}, s, step{})
				}
			}
			for _, t := range ts {
				tn := g.fns[t]
				if e.Arg < 0 || e.Arg >= 1000 {
					continue
				}
				if po, ok := tn.param[e.Arg]; ok {
					push(gstate{t, po, clean}, s, step{c.Span, "passed to " + tn.f.Key})
				}
			}
		}
		for _, e := range n.rets[s.o] {
			push(gstate{s.fn, -1, s.clean | e.Clean}, s, step{})
		}
	}
	return out
}

// accepts reports whether a sink is dangerous for a source kind.
func accepts(s *Sink, kind string) bool {
	if len(s.Accepts) == 0 {
		return slices.Contains(untrusted, kind)
	}
	return slices.Contains(s.Accepts, kind)
}

// traceOf returns the steps that led to s, in order.
func traceOf(prev map[gstate]gprev, s gstate) []step {
	var out []step
	for i := 0; i < 64; i++ {
		p, ok := prev[s]
		if !ok || !p.ok {
			break
		}
		if p.st.what != "" {
			out = append(out, p.st)
		}
		s = p.from
	}
	slices.Reverse(out)
	return out
}

// entryOf returns the route whose input an origin is: a parameter of its handler, or a
// source read inside it.
func (g *flowGraph) entryOf(fn int, o int32) *model.Element {
	n := g.fns[fn]
	if n.entry != nil {
		return n.entry
	}
	// a source read in a function the handler calls (one level)
	for _, c := range n.callers {
		if e := g.fns[c[0]].entry; e != nil {
			return e
		}
	}
	return nil
}

// flowsOf returns the client calls a function makes or uses, directly or through the
// functions it calls (the stores a route's handler reaches), and whether it queries a
// database through a client the engine could not trace.
func (g *flowGraph) flowsOf(fn int) ([]model.Span, bool) {
	seen := map[int]bool{fn: true}
	queue := []int{fn}
	var out []model.Span
	queries := false
	for len(queue) > 0 && len(seen) < 2000 {
		i := queue[0]
		queue = queue[1:]
		n := g.fns[i]
		out = append(out, n.f.Flows...)
		out = append(out, n.f.Uses...)
		if n.f.Queries > len(n.f.Uses) {
			queries = true
		}
		for _, ts := range n.targets {
			for _, t := range ts {
				if !seen[t] {
					seen[t] = true
					queue = append(queue, t)
				}
			}
		}
	}
	return out, queries
}
