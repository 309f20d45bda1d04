package yamlnode

import (
	"fmt"

	"github.com/threatls/threatls/model"
)

// Keys returns the set of ks: the keys a map of some schema may hold, or the values an enum
// allows.
func Keys(ks ...string) map[string]bool {
	m := make(map[string]bool, len(ks))
	for _, k := range ks {
		m[k] = true
	}
	return m
}

// Suggest returns the key of known that k is a likely typo of — at most two edits away, one
// for a key shorter than five bytes — or "". Of keys as close, the first in byte order wins.
func Suggest(k string, known map[string]bool) string {
	limit := 3
	if len(k) < 5 {
		limit = 2
	}
	best, bestD := "", limit
	for c := range known {
		if d := distance(k, c, limit); d < bestD || d == bestD && best != "" && c < best {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b, or limit when it is at least limit.
func distance(a, b string, limit int) int {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) >= limit || len(b) > 64 {
		return limit
	}
	prev := make([]int, len(a)+1)
	cur := make([]int, len(a)+1)
	for i := range prev {
		prev[i] = i
	}
	for j := 1; j <= len(b); j++ {
		cur[0] = j
		for i := 1; i <= len(a); i++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[i] = min(prev[i]+1, cur[i-1]+1, prev[i-1]+cost)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(a)], limit)
}

// Unique returns the entries of m (merge keys followed) without the keys given again, and a
// problem at each key given again: YAML forbids them, the decoder lets them pass. Only scalar
// keys are compared.
func Unique(m *Node) ([]Pair, []model.Problem) {
	var out []Pair
	var problems []model.Problem
	first := map[string]model.Span{}
	for _, p := range m.Entries() {
		if p.Key.Kind == Scalar {
			if at, dup := first[p.Key.Value]; dup {
				problems = append(problems, model.Problem{Span: p.Key.Span, Message: fmt.Sprintf(
					"key %q is given twice: line %d gives it first, this one is ignored", p.Key.Value, at.Start.Line+1)})
				continue
			}
			first[p.Key.Value] = p.Key.Span
		}
		out = append(out, p)
	}
	return out, problems
}

// Span covers the key and its value, or the key alone when the value is written elsewhere
// (an alias of an anchor defined before).
func (p Pair) Span() model.Span {
	sp := p.Key.Span
	if p.Value != nil && p.Value.Span.Start.Offset >= sp.End.Offset && p.Value.Span.End.Offset > sp.End.Offset {
		sp.End = p.Value.Span.End
	}
	return sp
}

// Reader reads the values of a document's maps against a schema, collecting what is wrong
// with them as problems. Every value is described in messages as `key of what`, what naming
// the map ("component \"api\""). The zero value is ready to use.
type Reader struct {
	Problems []model.Problem
}

// Problem records a problem at at.
func (r *Reader) Problem(at model.Span, format string, args ...any) {
	r.Problems = append(r.Problems, model.Problem{Span: at, Message: fmt.Sprintf(format, args...)})
}

// CheckKeys reports each key of m (merge keys followed) that known does not hold, naming
// the known key it is a likely typo of: unknown key "nmae" in what (did you mean "name"?).
func (r *Reader) CheckKeys(m *Node, known map[string]bool, what string) {
	for _, p := range m.Entries() {
		if k := p.Key.Value; !known[k] {
			msg := fmt.Sprintf("unknown key %q in %s", k, what)
			if s := Suggest(k, known); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			r.Problems = append(r.Problems, model.Problem{Span: p.Key.Span, Message: msg})
		}
	}
}

// Str returns the string under key in m and its node; the node is nil when the key is
// absent or null. Numbers and booleans are read as the text they are written with; a
// collection is reported.
func (r *Reader) Str(m *Node, key, what string) (string, *Node) {
	n := m.Get(key)
	if n == nil || n.Tag == "!!null" {
		return "", nil
	}
	s, ok := n.Str()
	if !ok {
		r.Problem(n.Span, "%s of %s must be a string", key, what)
	}
	return s, n
}

// Bool returns the boolean under key in m and its node; the node is nil when the key is
// absent, null or not a boolean (reported).
func (r *Reader) Bool(m *Node, key, what string) (bool, *Node) {
	n := m.Get(key)
	if n == nil || n.Tag == "!!null" {
		return false, nil
	}
	b, ok := n.Bool()
	if !ok {
		r.Problem(n.Span, "%s of %s must be true or false", key, what)
		return false, nil
	}
	return b, n
}
