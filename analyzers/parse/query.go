package parse

import (
	"context"
	"fmt"
	"sync"
	"time"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// Query is a compiled tree-sitter query of one language. Compile it once (compiling costs
// milliseconds) and run it on any number of trees, from any number of goroutines: each run
// takes a cursor of its own. Close it exactly once, or never for a query kept for the life of
// the process; extra calls are ignored.
type Query struct {
	lang  Lang
	q     *sitter.Query
	names []string
	once  sync.Once
}

// QueryError is a query that does not compile: where and why.
type QueryError struct {
	Lang         Lang
	Offset       int // byte offset in the query source
	Row, Column  int // zero-based
	Message, Why string
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("query for %s:%d:%d: %s (%s)", e.Lang, e.Row+1, e.Column+1, e.Why, e.Message)
}

// NewQuery compiles src, a tree-sitter query, for l. A pattern that names a node type or a
// field the grammar does not have is a *QueryError.
func NewQuery(l Lang, src string) (*Query, error) {
	tl, err := l.language()
	if err != nil {
		return nil, err
	}
	q, qerr := sitter.NewQuery(tl, src)
	if qerr != nil {
		why := map[sitter.QueryErrorKind]string{
			sitter.QueryErrorSyntax: "syntax error", sitter.QueryErrorNodeType: "unknown node type",
			sitter.QueryErrorField: "unknown field", sitter.QueryErrorCapture: "unknown capture",
			sitter.QueryErrorPredicate: "bad predicate", sitter.QueryErrorStructure: "impossible pattern",
			sitter.QueryErrorLanguage: "language mismatch",
		}[qerr.Kind]
		return nil, &QueryError{Lang: l, Offset: int(qerr.Offset), Row: int(qerr.Row), Column: int(qerr.Column),
			Message: qerr.Message, Why: why}
	}
	return &Query{lang: l, q: q, names: q.CaptureNames()}, nil
}

// Lang returns the language the query was compiled for.
func (q *Query) Lang() Lang { return q.lang }

// Names returns the capture names, indexed by Capture.Name. The slice must not be modified.
func (q *Query) Names() []string { return q.names }

// Patterns returns how many patterns the query has.
func (q *Query) Patterns() int { return int(q.q.PatternCount()) }

// PatternStart returns the byte offset in the query source where pattern i starts, so that a
// query assembled from several files can tell which file a match comes from.
func (q *Query) PatternStart(i int) int { return int(q.q.StartByteForPattern(uint(i))) }

// Close releases the query's C memory.
func (q *Query) Close() { q.once.Do(q.q.Close) }

// Capture is a captured node as plain data: it outlives the tree. Name indexes Query.Names;
// Sym is the node's kind (as FlatNode.Sym), which with the byte range finds the node in the
// tree's Flat.
type Capture struct {
	Name       uint32
	Start, End uint32
	Sym        uint16
}

// Match is one match of a pattern, its captures in the order tree-sitter gives them (a
// quantified capture appears once per node).
type Match struct {
	Pattern  int
	Captures []Capture
}

// QueryBudget bounds one run of a query: past it the run stops, keeping the matches found so
// far, and Matches says so. A pathological file (a minified bundle, a huge literal) costs at
// most this much.
const QueryBudget = 2 * time.Second

// maxInProgress bounds the matches a cursor keeps in progress at once; beyond it tree-sitter
// drops the oldest, which costs matches on very deep trees but never time.
const maxInProgress = 2048

var cursors = make(chan *sitter.QueryCursor, 2*poolSize)

func getCursor() *sitter.QueryCursor {
	select {
	case c := <-cursors:
		return c
	default:
		c := sitter.NewQueryCursor()
		c.SetMatchLimit(maxInProgress)
		return c
	}
}

func putCursor(c *sitter.QueryCursor) {
	select {
	case cursors <- c:
	default:
		c.Close()
	}
}

// Matches runs q over the whole of t and returns every match as plain data. complete is
// false when the run stopped early: ctx was done or QueryBudget passed. A Plain tree has no
// matches.
func (t *Tree) Matches(ctx context.Context, q *Query) (ms []Match, complete bool, err error) {
	if t.t == nil {
		return nil, true, nil
	}
	if q.lang != t.Lang {
		return nil, false, fmt.Errorf("parse: a %s query run on a %s tree", q.lang, t.Lang)
	}
	c := getCursor()
	defer putCursor(c)
	// MatchesWithOptions would take a progress callback, but its binding registers the
	// callback's payload and never releases it: the timeout bounds the C side instead, and
	// ctx is checked between matches.
	c.SetTimeoutMicros(uint64(QueryBudget / time.Microsecond))
	start := time.Now()
	it := c.Matches(q.q, t.t.RootNode(), t.Src)
	for m := it.Next(); m != nil; m = it.Next() {
		caps := make([]Capture, len(m.Captures))
		for i := range m.Captures {
			n := &m.Captures[i].Node
			caps[i] = Capture{Name: m.Captures[i].Index, Start: uint32(n.StartByte()), End: uint32(n.EndByte()), Sym: n.KindId()}
		}
		ms = append(ms, Match{Pattern: int(m.PatternIndex), Captures: caps})
		if ctx.Err() != nil {
			return ms, false, nil
		}
	}
	return ms, time.Since(start) < QueryBudget, nil
}

// Find returns the index of the node of f that spans [start, end) and has the kind sym, or -1.
// Nodes are in pre-order, so by start offset: a binary search finds the first that starts at
// start, and the few nested nodes that start there too are compared.
func (f *Flat) Find(start, end uint32, sym uint16) int32 {
	lo, hi := 0, len(f.Nodes)
	for lo < hi {
		mid := (lo + hi) / 2
		if f.Nodes[mid].StartByte < start {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	for i := lo; i < len(f.Nodes) && f.Nodes[i].StartByte == start; i++ {
		if n := &f.Nodes[i]; n.EndByte == end && n.Sym == sym {
			return int32(i)
		}
	}
	return -1
}
