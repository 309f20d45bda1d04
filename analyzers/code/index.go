package code

import (
	"sort"
	"strings"
	"sync"

	"github.com/threatls/threatls/analyzers/parse"
)

// index finds the rows of a language by key.
type index struct {
	exact map[string][]*Row // what + "\x00" + key
	globs map[string][]*Row // what → rows whose key has a wildcard
	// types holds every prefix of a call row's qualified name that ends a segment: a
	// declared type that is one is worth qualifying through a wildcard import.
	types map[string]bool
}

// buildIndex indexes the rows of the model (taint false) or those of the taint engine: the
// taint kinds, and the type rows keyed by a parameter name.
func buildIndex(packs []*Pack, taint bool) index {
	ix := index{exact: map[string][]*Row{}, globs: map[string][]*Row{}, types: map[string]bool{}}
	for _, p := range packs {
		for _, r := range p.Rows {
			if (taintKind(r.Kind) || r.Param != "") != taint {
				continue
			}
			what, key := r.key()
			if r.callRE != nil {
				ix.globs[what] = append(ix.globs[what], r)
			} else {
				ix.exact[what+"\x00"+key] = append(ix.exact[what+"\x00"+key], r)
			}
			if what == "call" || what == "super" {
				for i := range key {
					if key[i] == '.' && !strings.Contains(key[:i], "*") {
						ix.types[key[:i]] = true
					}
				}
				ix.types[r.Returns] = true
			}
		}
	}
	return ix
}

// row returns the first row of an enabled pack that one of names (the qualified names a
// call may mean, the likeliest first) keys.
func (l *Language) row(f *file, what string, names []string) *Row {
	for _, n := range names {
		for _, r := range l.idx.exact[what+"\x00"+n] {
			if r.applies(f) {
				return trace(r)
			}
		}
	}
	globs := l.idx.globs[what]
	if len(globs) == 0 {
		return nil
	}
	for _, n := range names {
		last := n[strings.LastIndexByte(n, '.')+1:]
		for _, r := range globs {
			if strings.HasPrefix(last, r.lastPre) && strings.HasSuffix(last, r.lastSuf) && r.applies(f) && r.callRE.MatchString(n) {
				return trace(r)
			}
		}
	}
	return nil
}

// traceRow, when set (by a test), is told of every row that matches something: the test
// that every row of the packs is exercised by testdata reads it.
var traceRow func(*Row)

func trace(r *Row) *Row {
	if r != nil && traceRow != nil {
		traceRow(r)
	}
	return r
}

// applies reports whether the row's pack is enabled in f, and the row reads f's path.
func (r *Row) applies(f *file) bool {
	return f.packs[r.pack] && (r.fileRE == nil || r.fileRE.MatchString(f.path))
}

// matched returns the name of names the row keys.
func (r *Row) matched(names []string) string {
	_, key := r.key()
	for _, n := range names {
		if n == key || r.callRE != nil && r.callRE.MatchString(n) {
			return n
		}
	}
	return names[0]
}

// captureRow returns the row of a pack capture: the match's own pack first.
func (l *Language) captureRow(f *file, name string, p *Pack) *Row {
	rows := l.idx.exact["capture\x00"+name]
	for _, r := range rows {
		if r.pack == p && r.applies(f) {
			return trace(r)
		}
	}
	for _, r := range rows {
		if r.applies(f) {
			return trace(r)
		}
	}
	return nil
}

// knownType reports whether a qualified name is a type some row knows.
func (l *Language) knownType(q string) bool { return l.idx.types[q] }

// Query is a language's query compiled for one grammar, and which pack each pattern
// comes from.
type Query struct {
	q      *parse.Query
	starts []int
	owners []*Pack
}

// packOf returns the pack whose patterns hold pattern i, or nil for base.scm.
func (cq *Query) packOf(i int) *Pack {
	start := cq.q.PatternStart(i)
	j := sort.Search(len(cq.starts), func(k int) bool { return cq.starts[k] > start }) - 1
	if j < 0 {
		return nil
	}
	return cq.owners[j]
}

// compiled returns the language's query compiled for grammar g, compiled once for the
// life of the process (and never closed).
func (l *Language) compiled(g parse.Lang) (*Query, error) {
	queriesMu.Lock()
	defer queriesMu.Unlock()
	k := queryKey{l, g}
	if q, ok := queries[k]; ok {
		return q.q, q.err
	}
	src, starts, owners := l.querySource(g)
	pq, err := parse.NewQuery(g, src)
	var cq *Query
	if err == nil {
		cq = &Query{q: pq, starts: starts, owners: owners}
	}
	queries[k] = compiledQuery{cq, err}
	return cq, err
}

type queryKey struct {
	l *Language
	g parse.Lang
}

type compiledQuery struct {
	q   *Query
	err error
}

var (
	queriesMu sync.Mutex
	queries   = map[queryKey]compiledQuery{}
)
