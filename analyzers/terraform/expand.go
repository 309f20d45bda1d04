package terraform

import (
	"fmt"
	"sort"

	"github.com/threatls/threatls/model"
)

// maxInstances bounds the instances a for_each or dynamic block expands to.
const maxInstances = 256

// expand applies count, for_each and dynamic blocks where their values are known, before
// anything is built: a resource with count = 0 or an empty for_each does not exist; a
// for_each makes one resource per key, named addr["key"], in which each.key and each.value
// are replaced by their values (the resource without index refers to the first); a dynamic
// block becomes the blocks it makes, its iterator replaced likewise. A count keeps one
// element for its instances (count.index stays unknown); an unknown for_each keeps one whose
// each.* are unknown.
func (m *module) expand() {
	m.instances = map[string][]instance{}
	// A for_each over another resource (for_each = aws_s3_bucket.site) waits for that
	// resource's instances: such resources are expanded after the others.
	overResource := func(r *res) bool {
		a := m.attr(r.b, "for_each")
		return a != nil && a.Expr.Kind == Ref && len(a.Expr.Path) == 2 && m.resources[a.Expr.Path[0]+"."+a.Expr.Path[1]] != nil
	}
	done := map[*res][]*res{}
	for pass := 0; pass < 2; pass++ {
		for _, r := range m.order {
			if overResource(r) == (pass == 1) {
				done[r] = m.expandOne(r)
			}
		}
	}
	order := make([]*res, 0, len(m.order))
	for _, r := range m.order {
		order = append(order, done[r]...)
	}
	m.order = order
}

// expandOne applies count, for_each and dynamic blocks to r and returns what replaces it.
func (m *module) expandOne(r *res) []*res {
	var order []*res
	{
		if a := m.attr(r.b, "count"); a != nil {
			v, _ := m.resolve(a.Expr)
			if n, ok := asInt(v); ok && known(v) && n.(int64) <= 0 {
				delete(m.resources, r.addr)
				return nil
			}
			if !known(v) {
				r.maybe = "count = " + exprText(a.Expr) + ": " + unknownNote(v)
			}
		}
		if a := m.attr(r.b, "for_each"); a != nil {
			v, _ := m.resolve(a.Expr)
			keys, vals, ok := eachItems(v)
			if ok && len(keys) == 0 {
				delete(m.resources, r.addr)
				return nil
			}
			if ok {
				for i, k := range keys {
					bind := map[string]any{"each": map[string]any{"key": k, "value": vals[i]}}
					nr := &res{b: m.substBlock(r.b, bind, 0), typ: r.typ, name: r.name, data: r.data,
						addr: fmt.Sprintf("%s[%q]", r.addr, k)}
					if i == 0 {
						m.resources[r.addr] = nr
					}
					m.resources[nr.addr] = nr
					m.instances[r.addr] = append(m.instances[r.addr], instance{key: k, r: nr})
					order = append(order, nr)
				}
				return order
			}
			note := unknownNote(v)
			if note == "" {
				note = "for_each is not a map or a set of strings"
			}
			r.b = m.substBlock(r.b, map[string]any{"each": &unknownVal{Note: note}}, 0)
		} else if hasDynamic(r.b, 0) {
			r.b = m.substBlock(r.b, nil, 0)
		}
		order = append(order, r)
	}
	return order
}

// instance is one instance of a resource with for_each.
type instance struct {
	key string
	r   *res
}

// eachItems returns the keys and values a for_each value iterates over: a map's entries, or a
// set of strings (key and value both the string). ok is false when the value is not known.
func eachItems(v any) (keys []string, vals []any, ok bool) {
	if !known(v) {
		return nil, nil, false
	}
	switch x := v.(type) {
	case map[string]any:
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			vals = append(vals, x[k])
		}
	case []any:
		seen := map[string]bool{}
		for _, y := range x {
			s, isStr := asString(y)
			if !isStr {
				return nil, nil, false
			}
			if !seen[s.(string)] {
				seen[s.(string)] = true
				keys = append(keys, s.(string))
				vals = append(vals, s)
			}
		}
	default:
		return nil, nil, false
	}
	if len(keys) > maxInstances {
		return nil, nil, false
	}
	return keys, vals, true
}

func hasDynamic(b *Block, depth int) bool {
	if depth > maxDepth {
		return false
	}
	for _, c := range b.Blocks {
		if c.Type == "dynamic" || hasDynamic(c, depth+1) {
			return true
		}
	}
	return false
}

// substBlock returns a copy of b in which references to the names of bind (each, an
// iterator) are replaced by their values, and dynamic blocks by the blocks they make. b is
// returned itself when nothing changes.
func (m *module) substBlock(b *Block, bind map[string]any, depth int) *Block {
	if depth > maxDepth {
		return b
	}
	out := &Block{Type: b.Type, Labels: b.Labels, Span: b.Span, Head: b.Head}
	m.log.derive(out, b)
	for _, a := range b.Attrs {
		out.Attrs = append(out.Attrs, &Attribute{Name: a.Name, Span: a.Span, Expr: m.subst(a.Expr, bind, 0)})
	}
	for _, c := range b.Blocks {
		if c.Type != "dynamic" || len(c.Labels) != 1 {
			out.Blocks = append(out.Blocks, m.substBlock(c, bind, depth+1))
			continue
		}
		out.Blocks = append(out.Blocks, m.dynamic(c, bind, depth+1)...)
	}
	return out
}

// dynamic returns the blocks a dynamic block makes: one per item of its for_each when that is
// known, else one whose iterator is unknown.
func (m *module) dynamic(d *Block, bind map[string]any, depth int) []*Block {
	content := d.First("content")
	if content == nil {
		return nil
	}
	iter := d.Labels[0]
	if a := m.attr(d, "iterator"); a != nil && a.Expr.Kind == Ref && len(a.Expr.Path) == 1 {
		iter = a.Expr.Path[0]
	}
	with := func(v any) map[string]any {
		nb := make(map[string]any, len(bind)+1)
		for k, x := range bind {
			nb[k] = x
		}
		nb[iter] = v
		return nb
	}
	make1 := func(nb map[string]any) *Block {
		c := m.substBlock(content, nb, depth+1)
		c.Type, c.Labels, c.Span, c.Head = d.Labels[0], nil, d.Span, d.Head
		return c
	}
	fe := m.attr(d, "for_each")
	var v any = &unknownVal{Note: "the dynamic block has no for_each"}
	if fe != nil {
		v, _ = m.eval(m.subst(fe.Expr, bind, 0), 0)
	}
	if l, ok := v.([]any); ok && known(v) && len(l) <= maxInstances {
		var out []*Block
		for i, x := range l {
			out = append(out, make1(with(map[string]any{"key": int64(i), "value": x})))
		}
		return out
	}
	if keys, vals, ok := eachItems(v); ok {
		var out []*Block
		for i, k := range keys {
			out = append(out, make1(with(map[string]any{"key": k, "value": vals[i]})))
		}
		return out
	}
	note := unknownNote(v)
	if note == "" {
		note = "the for_each of the dynamic block is not a collection"
	}
	return []*Block{make1(with(&unknownVal{Note: note}))}
}

// subst returns e with the references to bound names replaced by their values (with e's
// spans); e itself when it refers to none.
func (m *module) subst(e *Expr, bind map[string]any, depth int) *Expr {
	if e == nil || len(bind) == 0 || depth > maxDepth {
		return e
	}
	switch e.Kind {
	case Ref:
		if len(e.Path) == 0 {
			return e
		}
		v, ok := bind[e.Path[0]]
		if !ok {
			return e
		}
		for _, step := range e.Path[1:] {
			if u, isU := v.(*unknownVal); isU {
				v = u
				break
			}
			o, isObj := v.(map[string]any)
			if !isObj {
				v = &unknownVal{Note: fmt.Sprintf("%s has no attribute %s", e.RefString(), step)}
				break
			}
			if v, ok = o[step]; !ok {
				v = &unknownVal{Note: fmt.Sprintf("%s is not set", e.RefString())}
				break
			}
		}
		for _, st := range e.Index {
			if st.Key == nil || st.Splat {
				v = &unknownVal{Note: e.RefString() + " with a splat is not evaluated"}
				break
			}
			k, _ := m.eval(m.subst(st.Key, bind, depth+1), 0)
			if x, ok := index(v, k); ok {
				v = x
			} else {
				v = &unknownVal{Note: fmt.Sprintf("%s has no element %s", e.RefString(), show(k))}
				break
			}
		}
		return valueExpr(v, e.Span, 0)
	case Literal, Computed:
		return e
	}
	out := *e
	out.Elems = make([]*Expr, len(e.Elems))
	changed := false
	for i, x := range e.Elems {
		out.Elems[i] = m.subst(x, bind, depth+1)
		changed = changed || out.Elems[i] != x
	}
	if !changed {
		return e
	}
	return &out
}

// valueExpr returns an expression whose value is v, written at sp.
func valueExpr(v any, sp model.Span, depth int) *Expr {
	if depth > maxDepth {
		return &Expr{Kind: Computed, Span: sp, Lit: &unknownVal{Note: "the value is nested too deeply"}}
	}
	switch x := v.(type) {
	case []any:
		e := &Expr{Kind: Tuple, Span: sp}
		for _, y := range x {
			e.Elems = append(e.Elems, valueExpr(y, sp, depth+1))
		}
		return e
	case map[string]any:
		e := &Expr{Kind: Object, Span: sp}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			e.Keys = append(e.Keys, k)
			e.Elems = append(e.Elems, valueExpr(x[k], sp, depth+1))
		}
		return e
	case *unknownVal:
		return &Expr{Kind: Computed, Span: sp, Lit: x, Text: x.Note}
	}
	return &Expr{Kind: Literal, Span: sp, Lit: v}
}
