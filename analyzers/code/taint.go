package code

import (
	"slices"
)

// The taint engine follows values inside each function, in the order written: through
// assignments, concatenation, formatting and interpolation, builders and collections (a
// collection holds what was put in it, as a whole), branches (both sides, joined; a branch
// whose condition is a constant false never runs) and loops. A value is a set of labels:
// where it may come from — a source (request input, a model's output…), a parameter of the
// function, or the result of a call the engine does not know yet — and the sink kinds a
// sanitiser made it safe for on the way. A value overwritten by a constant carries nothing.
//
// A function's analysis (fnResult) says what reaches what: which labels reach each sink,
// its return value and the arguments of its calls. It depends only on the function's text
// and the file's imports and top-level bindings, so it is cached by them: an edit of one
// function re-analyses only that function. Link joins the results of a service's functions
// (graph.go): a call's arguments flow into the parameters of the function it reaches (of the
// file, the package or module, the class), that function's return into the call's value; a
// call that reaches no function passes its arguments and receiver to its value.

// SinkKinds are what a sink may be (a sink row's sink_kind). The position of each is its
// bit in a label's clean mask: keep the order, add at the end.
var SinkKinds = []string{"sql", "nosql", "command", "code", "path", "ssrf", "xss", "template", "ldap", "xpath",
	"redirect", "deserialisation", "xxe", "log", "weak_hash", "prompt", "secret_value"}

// SourceKinds are what a source may be: request input (http), an RPC message (grpc), a
// queue's payload (queue), an agent tool's input (tool), a model's output (llm), a secret or
// personal data (by its name), non-cryptographic randomness (random).
var SourceKinds = []string{"http", "grpc", "queue", "tool", "llm", "secret", "pii", "random"}

// untrusted are the source kinds a sink accepts when its row names none.
var untrusted = []string{"http", "grpc", "queue", "tool", "llm"}

func sinkBit(kind string) uint32 {
	if i := slices.Index(SinkKinds, kind); i >= 0 {
		return 1 << uint(i)
	}
	return 0
}

func maskOf(kinds []string) uint32 {
	if len(kinds) == 0 {
		return ^uint32(0)
	}
	var m uint32
	for _, k := range kinds {
		m |= sinkBit(k)
	}
	return m
}

// lab is one label of a value: an origin of the function (an index in fnResult.origins)
// and the sink kinds the value was made safe for since.
type lab struct {
	o     int32
	clean uint32
}

// taint is a set of labels, sorted, without duplicates.
type taint []lab

// maxLabels bounds the labels of one value: beyond it the value keeps the first ones (a
// value built from hundreds of parts is tainted by the first of them already).
const maxLabels = 24

func union(a, b taint) taint {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := make(taint, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var x lab
		switch {
		case j >= len(b) || i < len(a) && less(a[i], b[j]):
			x = a[i]
			i++
		case i >= len(a) || less(b[j], a[i]):
			x = b[j]
			j++
		default:
			x = a[i]
			i++
			j++
		}
		out = append(out, x)
		if len(out) >= maxLabels {
			break
		}
	}
	return out
}

func less(a, b lab) bool { return a.o < b.o || a.o == b.o && a.clean < b.clean }

// cleaned returns t made safe for the sink kinds of mask.
func (t taint) cleaned(mask uint32) taint {
	if len(t) == 0 {
		return nil
	}
	out := make(taint, len(t))
	for i, l := range t {
		out[i] = lab{l.o, l.clean | mask}
	}
	slices.SortFunc(out, func(a, b lab) int {
		switch {
		case less(a, b):
			return -1
		case less(b, a):
			return 1
		}
		return 0
	})
	return slices.Compact(out)
}

// Origins of labels.
const (
	oSource uint8 = iota // a source row's call or read, a setting source's parameter
	oParam               // a parameter of the function
	oCall                // the value of a call the engine resolves later (an xcall)
	oName                // a secret or personal data, by its name
)

// origin is where a label comes from. Offsets are relative to the function's start in a
// cached result.
type origin struct {
	kind       uint8
	src        string // the source kind
	param      int    // oParam: the parameter; oCall: the call
	start, end uint32
	what       string // what a person recognises: r.FormValue("q"), the parameter's name
}

// xcall is a call no taint row resolves: Link finds the function it reaches, if it is the
// code's own, else its value is what its arguments and receiver are.
type xcall struct {
	chain      []string
	callee     string // qualified
	start, end uint32
	self       bool // called on this, self or the method's receiver
	argc       int
}

// sinkSite is a call (or an assignment) that data must not reach unsanitised.
type sinkSite struct {
	row        *Row
	kind       string
	accepts    []string
	start, end uint32 // the call
	aStart     uint32 // the argument (or value) that carries the data
	aEnd       uint32
	what       string // the callee, as written
	store      int    // the store client call the sink uses: an index in fnResult.stores, or -1
	fix        []edit
	// name is the name a secret_value sink writes to.
	name string
}

// edit is a text edit of a fix, relative to the function in a cached result.
type edit struct {
	start, end uint32
	text       string
	abs        bool // in offsets of the file, not of the function (an import added)
}

// storeRef is the client call a sink uses: a call of the function (start, end), or the
// top-level variable holding one (name).
type storeRef struct {
	name       string
	start, end uint32
}

// hit says that a label reaches a sink (or a call's argument, or the return value).
type hit struct {
	to  int // sink, or call
	arg int // the argument of a call (-1 the receiver)
	l   lab
}

// checkHit is a check row that holds at a call or setting.
type checkHit struct {
	row        *Row
	check      string
	start, end uint32
	detail     string
	fix        []edit
}

// fnResult is the analysis of one function: what reaches what.
type fnResult struct {
	origins []origin
	calls   []xcall
	sinks   []sinkSite
	checks  []checkHit
	hits    []hit // to a sink
	args    []hit // to a call's argument
	rets    []lab // to the return value
	// stores are the spans of client calls the function's sinks use (relative), for the
	// flows they belong to.
	stores []storeRef
	// queries counts the calls that query a database (sql and nosql sinks, tainted or not);
	// uses are the stores (indexes in stores) calls are made on.
	queries int
	uses    []int
	// base is the offset the relative offsets start from.
	base uint32
}

func (r *fnResult) origin(o origin) int32 {
	r.origins = append(r.origins, o)
	return int32(len(r.origins) - 1)
}
