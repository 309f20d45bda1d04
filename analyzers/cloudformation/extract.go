package cloudformation

import (
	"fmt"
	"sort"
	"strings"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/cloud"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/mapping"
	"github.com/threatls/threatls/model"
)

// rows is the resource mapping.
var rows = mapping.Builtin()

// template is one template being read. It lives for one Extract call.
type template struct {
	file string
	root *yamlnode.Node
	// params, conditions, mappings, resources and globals are the template's sections (nil
	// when absent).
	params, conditions, mappings, resources, globals *yamlnode.Node
	conds                                            map[string]condResult
	res                                              []*resource
	byID                                             map[string]*resource
	els                                              []*model.Element
	problems                                         []model.Problem
	// flowNames keeps the names of flows the template creates unique.
	flowNames map[string]bool
	// budget is what is left of maxEval.
	budget int
}

// resource is one resource of the template and the element built for it.
type resource struct {
	id, typ string
	key     *yamlnode.Node // the logical ID
	node    *yamlnode.Node // the resource's map
	props   *val           // its resolved Properties
	el      *model.Element
}

// span covers the resource from its logical ID to the end of its definition.
func (r *resource) span() model.Span {
	sp := r.key.Span
	if r.node != nil {
		sp.End = r.node.Span.End
	}
	return sp
}

// Extract reads one template into its elements, its suppressions and its problems.
func (a Analyzer) Extract(t *parse.Tree, file string) *model.FileFacts {
	ff := &model.FileFacts{File: file, Format: Name}
	if t == nil {
		return ff
	}
	docs, problems := yamlnode.Parse(t.Src, file)
	if len(problems) > 0 {
		// A template with a syntax error keeps what is intact around it (a half-typed
		// resource costs that resource, not the template).
		docs, problems = yamlnode.Salvage(t.Src, file, docs, problems)
	}
	ff.Problems = problems
	var root *yamlnode.Node
	for _, d := range docs {
		if d.Root != nil && d.Root.Kind == yamlnode.Map {
			root = d.Root
			break
		}
	}
	if root == nil {
		if len(problems) == 0 && len(strings.TrimSpace(string(t.Src))) > 0 {
			ff.Problems = append(ff.Problems, model.Problem{Span: model.Span{File: file},
				Message: "not a CloudFormation template: the file holds no mapping with Resources; it was not analysed"})
		}
		return ff
	}
	tp := &template{file: file, root: root, params: root.Get("Parameters"), conditions: root.Get("Conditions"),
		mappings: root.Get("Mappings"), resources: root.Get("Resources"), globals: root.Get("Globals"),
		conds: map[string]condResult{}, byID: map[string]*resource{}, flowNames: map[string]bool{}, budget: maxEval}
	if tp.resources == nil || tp.resources.Kind != yamlnode.Map {
		at := root.Span
		at.End = at.Start
		ff.Problems = append(ff.Problems, model.Problem{Span: at,
			Message: "not a CloudFormation template: it has no Resources section; it was not analysed"})
		return ff
	}
	tp.read()
	tp.build()
	ff.Elements = tp.els
	ff.Problems = append(ff.Problems, tp.problems...)
	defs := make([]model.Span, 0, len(tp.els))
	for _, e := range tp.els {
		defs = append(defs, e.Span)
	}
	sort.SliceStable(defs, func(i, j int) bool { return defs[i].Start.Offset < defs[j].Start.Offset })
	igs, ps := analyzers.LineIgnores(t.Src, file, []string{"#"}, defs)
	if isJSON(t.Src, file) {
		igs, ps = nil, nil // "#" is no comment in JSON
	}
	mi, mp := tp.metadataIgnores()
	ff.Ignores = append(igs, mi...)
	ff.Problems = append(ff.Problems, append(ps, mp...)...)
	sort.SliceStable(ff.Problems, func(i, j int) bool {
		return ff.Problems[i].Span.Start.Offset < ff.Problems[j].Span.Start.Offset
	})
	return ff
}

// read collects the resources that the template deploys: those without a Condition, or whose
// Condition is true or unknown.
func (t *template) read() {
	for _, p := range t.resources.Entries() {
		id, n := p.Key.Value, p.Value
		if n == nil || n.Kind != yamlnode.Map {
			t.problems = append(t.problems, model.Problem{Span: p.Key.Span,
				Message: fmt.Sprintf("resource %s is not a mapping with a Type; it was not analysed", id)})
			continue
		}
		typ, ok := n.Get("Type").Str()
		if !ok {
			t.problems = append(t.problems, model.Problem{Span: p.Key.Span,
				Message: fmt.Sprintf("resource %s has no Type; it was not analysed", id)})
			continue
		}
		if c, ok := n.Get("Condition").Str(); ok {
			if v, known := t.condition(c, 0); known && !v {
				continue // not deployed
			}
		}
		r := &resource{id: id, typ: typ, key: p.Key, node: n}
		t.res = append(t.res, r)
		t.byID[id] = r
	}
	for _, r := range t.res {
		props := r.node.Get("Properties")
		if g := t.globalsFor(r.typ); g != nil {
			props = merge(g, props)
		}
		r.props = t.eval(props, 0)
		if !r.props.isObj {
			r.props = &val{isObj: true, obj: map[string]*val{}, sp: r.key.Span}
		}
	}
}

// globalsFor returns the SAM Globals section that applies to a serverless resource type.
func (t *template) globalsFor(typ string) *yamlnode.Node {
	if t.globals == nil || !strings.HasPrefix(typ, "AWS::Serverless::") {
		return nil
	}
	return t.globals.Get(strings.TrimPrefix(typ, "AWS::Serverless::"))
}

// merge returns the properties of a resource over the globals of its type: the resource's own
// keys win (SAM merges maps deeper, which matters little for what is read here).
func merge(global, own *yamlnode.Node) *yamlnode.Node {
	out := &yamlnode.Node{Kind: yamlnode.Map, Tag: "!!map", Span: global.Span}
	if own != nil {
		out.Span = own.Span
		out.Pairs = append(out.Pairs, own.Pairs...)
	}
	for _, p := range global.Pairs {
		if own.Get(p.Key.Value) == nil {
			out.Pairs = append(out.Pairs, p)
		}
	}
	return out
}

// element creates the element of r: kind and technology from its row, or the given ones.
func (t *template) element(r *resource, kind model.Kind, tech string) *model.Element {
	el := &model.Element{ID: Name + ":" + t.file + "/" + r.id, Kind: kind, Type: r.typ, Name: r.id,
		Span: r.span(), Head: r.key.Span}
	el.Set("technology", tech, r.key.Span)
	el.Set("in_scope", true, r.key.Span)
	el.Set("cloud", "aws", r.key.Span)
	r.el = el
	t.els = append(t.els, el)
	return el
}

// mapped creates the element of r from its mapping row, or returns nil when no row maps r's
// type.
func (t *template) mapped(r *resource) *model.Element {
	rw := rows.Lookup(mapping.CloudFormation, r.typ)
	if rw == nil {
		return nil
	}
	el := t.element(r, rw.Kind, rw.Technology)
	mapping.Apply(el, rw, mapping.CloudFormation, reader{r.props})
	return el
}

// nested creates the element of a part of r (an inline ingress rule): name and type get the
// part's name, index its position among the parts.
func (t *template) nested(r *resource, part string, index int, v *val, kind model.Kind, tech string) *model.Element {
	name := fmt.Sprintf("%s.%s[%d]", r.id, part, index)
	el := &model.Element{ID: Name + ":" + t.file + "/" + name, Kind: kind, Type: r.typ + "." + part, Name: name,
		Span: v.sp, Head: v.sp}
	if r.el != nil {
		el.Parent = r.el.ID
	}
	el.Set("technology", tech, v.sp)
	el.Set("in_scope", true, v.sp)
	el.Set("cloud", "aws", v.sp)
	t.els = append(t.els, el)
	return el
}

// reader reads a resource's resolved Properties for the mapper.
type reader struct{ props *val }

func (r reader) Get(p string) (mapping.Value, bool) {
	if head, rest, ok := strings.Cut(p, "[*]"); ok {
		list, found := r.Get(head)
		if !found {
			return list, false
		}
		l, isList := list.V.([]any)
		if !isList {
			return list, true
		}
		var vals []any
		for _, it := range l {
			x, ok := it, true
			if rest = strings.TrimPrefix(rest, "."); rest != "" {
				for _, step := range strings.Split(rest, ".") {
					m, isMap := x.(map[string]any)
					if !isMap {
						ok = false
						break
					}
					if x, ok = m[step]; !ok {
						break
					}
				}
			}
			if ok {
				vals = append(vals, x)
			}
		}
		list.V = vals
		return list, true
	}
	v := r.props
	for _, k := range strings.Split(p, ".") {
		if v = v.get(k); v == nil {
			return mapping.Value{}, false
		}
	}
	out := mapping.Value{V: v.plain(0), Span: v.sp, Via: v.via}
	if note := unknownNote(out.V); note != "" {
		out.Unknown, out.MaybeNull = note, cloud.MaybeNull(out.V)
	}
	return out, true
}

// metadataIgnores reads the suppressions of every resource's Metadata: threatls: {ignore:
// ["ID reason", …]}.
func (t *template) metadataIgnores() ([]model.Ignore, []model.Problem) {
	var out []model.Ignore
	var problems []model.Problem
	for _, r := range t.res {
		list := r.node.Path("Metadata", "threatls", "ignore")
		if list == nil {
			continue
		}
		target := r.span()
		for _, it := range append(list.Items, scalarOf(list)...) {
			s, ok := it.Str()
			if !ok {
				continue
			}
			igs, ps := analyzers.ParseIgnore("# "+analyzers.IgnoreMarker+" "+s, it.Span, target)
			out, problems = append(out, igs...), append(problems, ps...)
		}
	}
	return out, problems
}

func scalarOf(n *yamlnode.Node) []*yamlnode.Node {
	if n.Kind == yamlnode.Scalar {
		return []*yamlnode.Node{n}
	}
	return nil
}
