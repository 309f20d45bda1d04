package terraform

import (
	"strings"

	"github.com/threatls/threatls/analyzers/cloud"
	"github.com/threatls/threatls/mapping"
	"github.com/threatls/threatls/model"
)

// rows is the resource mapping (mapping.Builtin): what each resource type means.
var rows = mapping.Builtin()

// row returns the mapping row of a resource type, or nil.
func row(typ string) *mapping.Row { return rows.Lookup(mapping.Terraform, typ) }

// mapped creates the element of r from its mapping row — kind, technology and the
// attributes the row maps — and returns it, or nil when no row maps r's type.
func (m *module) mapped(r *res) *model.Element {
	rw := row(r.typ)
	if rw == nil {
		return nil
	}
	el := m.element(r, rw.Kind, rw.Technology)
	mapping.Apply(el, rw, mapping.Terraform, reader{m: m, b: r.b})
	return el
}

// reader reads a block's arguments for the mapper: a path steps through nested blocks (the
// first of a type) and then into the value of an argument (maps by key, lists by their first
// item).
type reader struct {
	m *module
	b *Block
}

func (h reader) Get(path string) (mapping.Value, bool) {
	if head, rest, ok := strings.Cut(path, "[*]"); ok {
		return h.every(head, strings.TrimPrefix(rest, "."))
	}
	parts := strings.Split(path, ".")
	b := h.b
	for i, p := range parts {
		if a := h.m.attr(b, p); a != nil {
			v, via := h.m.resolve(a.Expr)
			for _, step := range parts[i+1:] {
				var ok bool
				if v, ok = stepInto(v, step); !ok {
					return mapping.Value{}, false
				}
			}
			out := mapping.Value{V: v, Span: a.Span, Via: via}
			if !known(v) {
				out.Unknown, out.MaybeNull = unknownNote(v), cloud.MaybeNull(v)
			}
			return out, true
		}
		nb := b.First(p)
		if nb == nil {
			return mapping.Value{}, false
		}
		b = nb
	}
	return mapping.Value{V: h.m.blockValue(b, 0), Span: b.Head}, true
}

// stepInto returns the value of key k of v (of the first item of v when it is a list).
func stepInto(v any, k string) (any, bool) {
	if l, ok := v.([]any); ok {
		if len(l) == 0 {
			return nil, false
		}
		v = l[0]
	}
	switch x := v.(type) {
	case map[string]any:
		y, ok := x[k]
		return y, ok
	case *unknownVal:
		return x, true
	}
	return nil, false
}

// blockValue returns a block's arguments and nested blocks (the first of each type) as a map.
func (m *module) blockValue(b *Block, depth int) map[string]any {
	out := make(map[string]any, len(b.Attrs)+len(b.Blocks))
	m.readAll(b)
	for _, a := range b.Attrs {
		out[a.Name], _ = m.resolve(a.Expr)
	}
	if depth < 4 {
		for _, c := range b.Blocks {
			if _, dup := out[c.Type]; !dup {
				out[c.Type] = m.blockValue(c, depth+1)
			}
		}
	}
	return out
}

// every reads head[*].rest: the value at rest of every nested block at head (or of every item
// of the list at head), as a list, written where the first is.
func (h reader) every(head, rest string) (mapping.Value, bool) {
	dir, last := "", head
	if i := strings.LastIndexByte(head, '.'); i >= 0 {
		dir, last = head[:i], head[i+1:]
	}
	parent := h.b
	if dir != "" {
		for _, p := range strings.Split(dir, ".") {
			if parent = parent.First(p); parent == nil {
				return mapping.Value{}, false
			}
		}
	}
	var items []reader
	if a := h.m.attr(parent, last); a != nil {
		// A list written as an argument: step into each item's value.
		v, via := h.m.resolve(a.Expr)
		l, ok := v.([]any)
		if !ok {
			out := mapping.Value{V: v, Span: a.Span, Via: via}
			if !known(v) {
				out.Unknown = unknownNote(v)
			}
			return out, true
		}
		var vals []any
		for _, it := range l {
			if rest == "" {
				vals = append(vals, it)
				continue
			}
			x := it
			for _, step := range strings.Split(rest, ".") {
				if x, ok = stepInto(x, step); !ok {
					break
				}
			}
			if ok {
				vals = append(vals, x)
			}
		}
		out := mapping.Value{V: vals, Span: a.Span, Via: via}
		if !known(vals) {
			out.Unknown = unknownNote(vals)
		}
		return out, true
	}
	for _, nb := range parent.Nested(last) {
		items = append(items, reader{m: h.m, b: nb})
	}
	if len(items) == 0 {
		return mapping.Value{}, false
	}
	out := mapping.Value{Span: items[0].b.Head}
	var vals []any
	for _, it := range items {
		var v mapping.Value
		ok := true
		if rest == "" {
			v = mapping.Value{V: h.m.blockValue(it.b, 0)}
		} else if v, ok = it.Get(rest); !ok {
			continue
		}
		if v.Unknown != "" && out.Unknown == "" {
			out.Unknown = v.Unknown
		}
		vals = append(vals, v.V)
	}
	out.V = vals
	return out, true
}
