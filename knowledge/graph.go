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

// modelCall finds the calls of graph functions that read beyond the element: findings of
// such rules name the element's flows and zone as related places.
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
// and view. While rec is set, the view records there every part of the graph an evaluation
// reads (see model.Dep), so that the caller can redo it when one of them changes.
type graphView struct {
	g     *model.Graph
	maps  map[string]map[string]any
	funcs map[string]cel.LateBoundFunction
	rec   map[model.Dep]struct{}
}

func newGraphView(g *model.Graph) *graphView {
	v := &graphView{g: g, maps: map[string]map[string]any{}}
	flows := func(kind model.DepKind, id string, els []*model.Element) ref.Val {
		v.read(kind, id)
		out := make([]any, len(els))
		for i, e := range els {
			out[i] = v.elementMap(e)
		}
		return types.DefaultTypeAdapter.NativeToValue(out)
	}
	// Lists whose Dep changes whenever one of their elements does (zone members, paths) are
	// recorded by the list alone.
	list := func(kind model.DepKind, id string, els []*model.Element) ref.Val {
		v.read(kind, id)
		out := make([]any, len(els))
		for i, e := range els {
			out[i] = v.mapOf(e)
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
		"inbound":  withEl(func(el *model.Element) ref.Val { return flows(model.DepInbound, el.ID, g.Inbound(el.ID)) }),
		"outbound": withEl(func(el *model.Element) ref.Val { return flows(model.DepOutbound, el.ID, g.Outbound(el.ID)) }),
		"zone": withEl(func(el *model.Element) ref.Val {
			if z := v.zone(el.ID); z != nil {
				return types.DefaultTypeAdapter.NativeToValue(v.elementMap(z))
			}
			return types.DefaultTypeAdapter.NativeToValue(map[string]any{})
		}),
		"zone_members": withEl(func(el *model.Element) ref.Val {
			z := v.zone(el.ID)
			if z == nil {
				return list(model.DepMembers, "", nil)
			}
			var others []*model.Element
			for _, m := range g.ZoneMembers(z.ID) {
				if m.ID != el.ID {
					others = append(others, m)
				}
			}
			return list(model.DepMembers, z.ID, others)
		}),
		"reachable_from_internet": withEl(func(el *model.Element) ref.Val {
			v.read(model.DepReach, el.ID)
			return types.Bool(g.ReachableFromInternet(el.ID))
		}),
		"crosses_boundary": withEl(func(el *model.Element) ref.Val {
			b, _ := el.Attrs.At("crosses_boundary").Value.(bool)
			return types.Bool(el.Kind == model.Flow && b)
		}),
		"paths_to_assets": withEl(func(el *model.Element) ref.Val { return list(model.DepPaths, el.ID, g.PathsFrom(el.ID)) }),
		"paths_through":   withEl(func(el *model.Element) ref.Val { return list(model.DepPaths, el.ID, g.PathsThrough(el.ID)) }),
		"known": withEl(func(el *model.Element) ref.Val {
			return types.DefaultTypeAdapter.NativeToValue(v.elementMap(el))
		}),
		"has_type": func(_ string, args ...ref.Val) ref.Val {
			s, ok := args[0].Value().(string)
			if ok {
				v.read(model.DepTypePresent, s)
			}
			return types.Bool(ok && g.TypeCounts()[s] > 0)
		},
	}
	return v
}

// read records that the evaluation in progress read a part of the graph.
func (v *graphView) read(kind model.DepKind, id string) {
	if v.rec != nil {
		v.rec[model.Dep{Kind: kind, ID: id}] = struct{}{}
	}
}

// element returns the element of ID id, recording the read.
func (v *graphView) element(id string) *model.Element {
	v.read(model.DepElement, id)
	return v.g.Element(id)
}

func (v *graphView) zone(id string) *model.Element {
	v.read(model.DepZone, id)
	if z := v.g.ZoneID(id); z != "" {
		return v.element(z)
	}
	return nil
}

// arg finds the element a graph function was called with: its ID, or a map with an "id".
func (v *graphView) arg(args []ref.Val) *model.Element {
	if len(args) != 1 {
		return nil
	}
	if s, ok := args[0].Value().(string); ok {
		return v.element(s)
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
	return v.element(s)
}

// elementMap is what a condition sees of an element: e, or an element a graph function
// returns, with the reads it costs. A flow's map also has its endpoints (without theirs).
func (v *graphView) elementMap(el *model.Element) map[string]any {
	v.read(model.DepElement, el.ID)
	if el.Kind == model.Flow || el.Kind == model.Path {
		v.read(model.DepElement, el.From)
		v.read(model.DepElement, el.To)
	}
	return v.mapOf(el)
}

// mapOf is elementMap without recording.
func (v *graphView) mapOf(el *model.Element) map[string]any {
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
	attrs := make(map[string]any, el.Attrs.Len())
	for k, a := range el.Attrs.All() {
		if a.Origin != model.Unknown {
			attrs[k] = a.Value
		}
	}
	return map[string]any{"id": el.ID, "kind": string(el.Kind), "type": el.Type, "name": el.Name,
		"provenance": string(el.Provenance), "attrs": attrs}
}
