package knowledge

import (
	"regexp"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"

	"github.com/threatls/threatls/model"
)

// The graph functions conditions may call (docs/model.md). They are declared with a late
// binding: a condition is compiled once, and each evaluation binds them to its own graph.
var graphFuncs = []struct {
	name   string
	params []*cel.Type
	result *cel.Type
}{
	{"inbound", []*cel.Type{cel.DynType}, cel.ListType(cel.DynType)},
	{"outbound", []*cel.Type{cel.DynType}, cel.ListType(cel.DynType)},
	{"zone", []*cel.Type{cel.DynType}, cel.DynType},
	{"zone_members", []*cel.Type{cel.DynType}, cel.ListType(cel.DynType)},
	{"reachable_from_internet", []*cel.Type{cel.DynType}, cel.BoolType},
	{"crosses_boundary", []*cel.Type{cel.DynType}, cel.BoolType},
	{"paths_to_assets", []*cel.Type{cel.DynType}, cel.ListType(cel.DynType)},
	{"paths_through", []*cel.Type{cel.DynType}, cel.ListType(cel.DynType)},
	{"has_type", []*cel.Type{cel.StringType}, cel.BoolType},
	{"known", []*cel.Type{cel.DynType}, cel.DynType},
}

// modelCall finds the calls of graph functions that read beyond the element (has_type reads
// only type counts, which the evaluation cache watches already).
var modelCall = regexp.MustCompile(`\b(inbound|outbound|zone|zone_members|reachable_from_internet|crosses_boundary|paths_to_assets|paths_through)\s*\(`)

func graphOptions() []cel.EnvOption {
	var opts []cel.EnvOption
	for _, f := range graphFuncs {
		opts = append(opts, cel.Function(f.name,
			cel.Overload(f.name+"_graph", f.params, f.result, cel.LateFunctionBinding())))
	}
	return opts
}

// graphView binds the graph functions to one graph. Element maps are built once per element
// and view.
type graphView struct {
	g     *model.Graph
	maps  map[string]map[string]any
	zones map[string]uint64
	funcs map[string]cel.LateBoundFunction
}

func newGraphView(g *model.Graph) *graphView {
	v := &graphView{g: g, maps: map[string]map[string]any{}, zones: map[string]uint64{}}
	list := func(els []*model.Element) ref.Val {
		out := make([]any, len(els))
		for i, e := range els {
			out[i] = v.elementMap(e)
		}
		return types.DefaultTypeAdapter.NativeToValue(out)
	}
	withEl := func(fn func(el *model.Element) ref.Val) cel.LateBoundFunction {
		return func(_ string, args ...ref.Val) ref.Val {
			el := v.arg(args)
			if el == nil {
				return types.NewErr("graph function: the argument is not an element")
			}
			return fn(el)
		}
	}
	v.funcs = map[string]cel.LateBoundFunction{
		"inbound":  withEl(func(el *model.Element) ref.Val { return list(g.Inbound(el.ID)) }),
		"outbound": withEl(func(el *model.Element) ref.Val { return list(g.Outbound(el.ID)) }),
		"zone": withEl(func(el *model.Element) ref.Val {
			if z := g.Zone(el.ID); z != nil {
				return types.DefaultTypeAdapter.NativeToValue(v.elementMap(z))
			}
			return types.DefaultTypeAdapter.NativeToValue(map[string]any{})
		}),
		"zone_members": withEl(func(el *model.Element) ref.Val {
			z := g.Zone(el.ID)
			if z == nil {
				return list(nil)
			}
			var others []*model.Element
			for _, m := range g.ZoneMembers(z.ID) {
				if m.ID != el.ID {
					others = append(others, m)
				}
			}
			return list(others)
		}),
		"reachable_from_internet": withEl(func(el *model.Element) ref.Val { return types.Bool(g.ReachableFromInternet(el.ID)) }),
		"crosses_boundary": withEl(func(el *model.Element) ref.Val {
			b, _ := el.Attrs["crosses_boundary"].Value.(bool)
			return types.Bool(el.Kind == model.Flow && b)
		}),
		"paths_to_assets": withEl(func(el *model.Element) ref.Val { return list(g.PathsFrom(el.ID)) }),
		"paths_through":   withEl(func(el *model.Element) ref.Val { return list(g.PathsThrough(el.ID)) }),
		"known": withEl(func(el *model.Element) ref.Val {
			return types.DefaultTypeAdapter.NativeToValue(v.elementMap(el))
		}),
		"has_type": func(_ string, args ...ref.Val) ref.Val {
			s, ok := args[0].Value().(string)
			return types.Bool(ok && g.TypeCounts()[s] > 0)
		},
	}
	return v
}

// arg finds the element a graph function was called with: its ID, or a map with an "id".
func (v *graphView) arg(args []ref.Val) *model.Element {
	if len(args) != 1 {
		return nil
	}
	if s, ok := args[0].Value().(string); ok {
		return v.g.Element(s)
	}
	m, ok := args[0].(traits.Mapper)
	if !ok {
		return nil
	}
	id, found := m.Find(types.String("id"))
	if !found {
		return nil
	}
	s, ok := id.Value().(string)
	if !ok {
		return nil
	}
	return v.g.Element(s)
}

// elementMap is what a condition sees of an element: e, or an element a graph function
// returns. A flow's map also has its endpoints (without theirs).
func (v *graphView) elementMap(el *model.Element) map[string]any {
	if m, ok := v.maps[el.ID]; ok {
		return m
	}
	m := baseMap(el)
	if el.Kind == model.Flow || el.Kind == model.Path {
		for _, end := range []struct{ key, id string }{{"from", el.From}, {"to", el.To}} {
			if e := v.g.Element(end.id); e != nil {
				m[end.key] = baseMap(e)
			} else {
				m[end.key] = map[string]any{}
			}
		}
	}
	v.maps[el.ID] = m
	return m
}

// baseMap exposes el's identity and known attributes. Unknown attributes are left out: the
// partial evaluation marks them unknown.
func baseMap(el *model.Element) map[string]any {
	attrs := make(map[string]any, len(el.Attrs))
	for k, a := range el.Attrs {
		if a.Origin != model.Unknown {
			attrs[k] = a.Value
		}
	}
	return map[string]any{"id": el.ID, "kind": string(el.Kind), "type": el.Type, "name": el.Name,
		"provenance": string(el.Provenance), "attrs": attrs}
}

// deps digests what the graph functions can read about el: its flows and their other ends,
// its zone and the zone's members, its reachability and its paths. Two evaluations of a
// model-level rule on the same element with the same digest give the same result.
func (v *graphView) deps(el *model.Element) uint64 {
	d := uint64(14695981039346656037)
	ptr := func(e *model.Element) { d = mix(d, uint64(uintptrOf(e))) }
	g := v.g
	for _, fs := range [][]*model.Element{g.Inbound(el.ID), g.Outbound(el.ID)} {
		for _, f := range fs {
			ptr(f)
			ptr(g.Element(f.From))
			ptr(g.Element(f.To))
		}
		d = mix(d, ';')
	}
	if el.Kind == model.Flow || el.Kind == model.Path {
		ptr(g.Element(el.From))
		ptr(g.Element(el.To))
	}
	if z := g.Zone(el.ID); z != nil {
		ptr(z)
		d = mix(d, v.zoneDigest(z.ID))
	}
	if g.ReachableFromInternet(el.ID) {
		d = mix(d, 'R')
	}
	for _, p := range g.PathsThrough(el.ID) {
		ptr(p)
	}
	return d
}

func (v *graphView) zoneDigest(id string) uint64 {
	if d, ok := v.zones[id]; ok {
		return d
	}
	d := uint64(14695981039346656037)
	for _, m := range v.g.ZoneMembers(id) {
		d = mix(d, uint64(uintptrOf(m)))
	}
	v.zones[id] = d
	return d
}

// mix folds x into the digest d (the finalizer of SplitMix64 over d's FNV-style product).
func mix(d, x uint64) uint64 {
	d = (d ^ x) * 1099511628211
	d ^= d >> 31
	d *= 0x9e3779b97f4a7c15
	return d ^ d>>29
}
