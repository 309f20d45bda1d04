package cloudformation

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/threatls/threatls/analyzers/cloud"
	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// val is a property's value, resolved as far as the template allows, with the span it is
// written at. Intrinsic functions are evaluated where their inputs are literal (parameters'
// defaults, mappings, conditions); what only the deployment knows is a *cloud.Unknown.
type val struct {
	v      any // a scalar: nil, bool, int64, string, or *cloud.Unknown
	sp     model.Span
	isList bool
	list   []*val
	isObj  bool
	keys   []string
	obj    map[string]*val
	// ref is the logical ID of the resource a Ref or Fn::GetAtt names.
	ref string
	// via names the parameter the value came from.
	via string
	// absent is set for AWS::NoValue: the property is as good as not written.
	absent bool
}

// get returns the value of key k of an object (of the first item of a list), or nil.
func (v *val) get(k string) *val {
	if v == nil {
		return nil
	}
	if v.isList {
		if len(v.list) == 0 {
			return nil
		}
		return v.list[0].get(k)
	}
	if !v.isObj {
		return nil
	}
	x := v.obj[k]
	if x != nil && x.absent {
		return nil
	}
	return x
}

// items returns a list's items, or the value itself as a list of one.
func (v *val) items() []*val {
	switch {
	case v == nil || v.absent:
		return nil
	case v.isList:
		return v.list
	}
	return []*val{v}
}

// str returns a known string scalar.
func (v *val) str() (string, bool) {
	if v == nil {
		return "", false
	}
	switch x := v.v.(type) {
	case string:
		return x, true
	case int64, bool:
		s, _ := asString(x)
		return s, true
	}
	return "", false
}

func asString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int64:
		return strconv.FormatInt(x, 10), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// plain returns the model value of v: lists and maps of scalars, unknown parts as
// *cloud.Unknown.
func (v *val) plain(depth int) any {
	if v == nil || v.absent {
		return nil
	}
	if depth > maxDepth {
		return &cloud.Unknown{Note: "the value is nested too deeply"}
	}
	switch {
	case v.isList:
		out := make([]any, 0, len(v.list))
		for _, x := range v.list {
			if !x.absent {
				out = append(out, x.plain(depth+1))
			}
		}
		return out
	case v.isObj:
		out := make(map[string]any, len(v.keys))
		for _, k := range v.keys {
			if x := v.obj[k]; !x.absent {
				out[k] = x.plain(depth + 1)
			}
		}
		return out
	}
	return v.v
}

// unknownAt returns an unknown value written at sp.
func unknownAt(sp model.Span, format string, args ...any) *val {
	return &val{v: &cloud.Unknown{Note: fmt.Sprintf(format, args...)}, sp: sp}
}

// maxEval bounds the nodes evaluated for one template: YAML aliases share nodes, so that a
// small text can stand for a huge tree.
const maxEval = 200_000

// maxDepth bounds the nesting of values and the chains of references (conditions, parameters)
// the evaluator follows.
const maxDepth = 64

// pseudo are the pseudo parameters: known only when the stack is deployed, except
// AWS::NoValue (no value at all) and AWS::URLSuffix.
var pseudo = map[string]bool{"AWS::AccountId": true, "AWS::NotificationARNs": true, "AWS::Partition": true,
	"AWS::Region": true, "AWS::StackId": true, "AWS::StackName": true, "AWS::URLSuffix": true}

// eval resolves a node of the template.
func (t *template) eval(n *yamlnode.Node, depth int) *val {
	if n == nil {
		return &val{}
	}
	if depth > maxDepth {
		return unknownAt(n.Span, "the value is nested too deeply")
	}
	if t.budget--; t.budget < 0 {
		return unknownAt(n.Span, "the template is too large to evaluate (aliases repeat too much of it)")
	}
	if fn, arg, ok := intrinsic(n); ok {
		out := t.call(fn, arg, n, depth+1)
		out.sp = n.Span
		return out
	}
	switch n.Kind {
	case yamlnode.Map:
		out := &val{isObj: true, obj: map[string]*val{}, sp: n.Span}
		for _, p := range n.Entries() {
			k := p.Key.Value
			if _, dup := out.obj[k]; !dup {
				out.keys = append(out.keys, k)
			}
			x := t.eval(p.Value, depth+1)
			// A property is written where its key is: its span runs from the key to the
			// end of its value.
			x.sp.Start = p.Key.Span.Start
			if x.sp.File == "" || x.sp.End.Offset < p.Key.Span.End.Offset {
				x.sp.File, x.sp.End = p.Key.Span.File, p.Key.Span.End
			}
			out.obj[k] = x
		}
		return out
	case yamlnode.Seq:
		out := &val{isList: true, sp: n.Span}
		for _, it := range n.Items {
			x := t.eval(it, depth+1)
			if !x.absent {
				out.list = append(out.list, x)
			}
		}
		return out
	}
	return &val{v: scalar(n), sp: n.Span}
}

// scalar returns a scalar node's value as its tag says.
func scalar(n *yamlnode.Node) any {
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		b, _ := n.Bool()
		return b
	case "!!int":
		if i, ok := n.Int(); ok {
			return i
		}
	}
	return n.Value
}

// intrinsic reports whether n is an intrinsic function: a short-form tag (!Ref x), or a map of
// one key "Ref", "Condition" or "Fn::…" (the JSON and long YAML form). fn is the function's
// long name ("Fn::Sub", "Ref"); arg its argument.
func intrinsic(n *yamlnode.Node) (fn string, arg *yamlnode.Node, ok bool) {
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		name := n.Tag[1:]
		switch name {
		case "Ref", "Condition":
			fn = name
		default:
			fn = "Fn::" + name
		}
		// The argument is the node itself, its tag aside.
		cp := *n
		cp.Tag = map[yamlnode.Kind]string{yamlnode.Scalar: "!!str", yamlnode.Map: "!!map", yamlnode.Seq: "!!seq"}[n.Kind]
		return fn, &cp, true
	}
	if n.Kind == yamlnode.Map && len(n.Pairs) == 1 {
		k := n.Pairs[0].Key.Value
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, n.Pairs[0].Value, true
		}
	}
	return "", nil, false
}

// call evaluates the intrinsic function fn on arg.
func (t *template) call(fn string, arg *yamlnode.Node, n *yamlnode.Node, depth int) *val {
	args := func() []*yamlnode.Node {
		if arg != nil && arg.Kind == yamlnode.Seq {
			return arg.Items
		}
		return nil
	}
	switch fn {
	case "Ref":
		return t.ref(arg.String(), n.Span, depth)
	case "Fn::GetAtt":
		var res, attr string
		if s, ok := arg.Str(); ok {
			res, attr, _ = strings.Cut(s, ".")
		} else if a := args(); len(a) == 2 {
			res, attr = a[0].String(), a[1].String()
		}
		return &val{v: &cloud.Unknown{Note: fmt.Sprintf("%s.%s is known only when the stack is deployed", res, attr),
			NotStar: true}, ref: t.resourceID(res)}
	case "Fn::Sub":
		return t.sub(arg, n, depth)
	case "Fn::Join":
		a := args()
		if len(a) != 2 {
			return unknownAt(n.Span, "Fn::Join takes a delimiter and a list")
		}
		sep := t.eval(a[0], depth)
		list := t.eval(a[1], depth)
		s, ok := sep.str()
		if !ok || !list.isList {
			return t.unknownFrom(list, "Fn::Join of values known only when the stack is deployed")
		}
		parts := make([]string, 0, len(list.list))
		for _, x := range list.list {
			p, ok := x.str()
			if !ok {
				return t.unknownFrom(x, "Fn::Join of values known only when the stack is deployed")
			}
			parts = append(parts, p)
		}
		return &val{v: strings.Join(parts, s)}
	case "Fn::If":
		a := args()
		if len(a) != 3 {
			return unknownAt(n.Span, "Fn::If takes a condition and two values")
		}
		name := a[0].String()
		c, known := t.condition(name, depth)
		if !known {
			out := unknownAt(n.Span, "the value depends on the condition %s, which only the deployment decides", name)
			out.v.(*cloud.Unknown).MaybeNull = true
			return out
		}
		if c {
			return t.eval(a[1], depth)
		}
		return t.eval(a[2], depth)
	case "Fn::Select":
		a := args()
		if len(a) != 2 {
			return unknownAt(n.Span, "Fn::Select takes an index and a list")
		}
		i, ok := t.eval(a[0], depth).str()
		list := t.eval(a[1], depth)
		idx, err := strconv.Atoi(i)
		if !ok || err != nil || !list.isList || idx < 0 || idx >= len(list.list) {
			return t.unknownFrom(list, "Fn::Select of a value known only when the stack is deployed")
		}
		return list.list[idx]
	case "Fn::Split":
		a := args()
		if len(a) != 2 {
			return unknownAt(n.Span, "Fn::Split takes a delimiter and a string")
		}
		sep, ok1 := t.eval(a[0], depth).str()
		s, ok2 := t.eval(a[1], depth).str()
		if !ok1 || !ok2 || sep == "" {
			return unknownAt(n.Span, "Fn::Split of a value known only when the stack is deployed")
		}
		out := &val{isList: true}
		for _, p := range strings.Split(s, sep) {
			out.list = append(out.list, &val{v: p, sp: n.Span})
		}
		return out
	case "Fn::FindInMap":
		a := args()
		if len(a) < 3 {
			return unknownAt(n.Span, "Fn::FindInMap takes a map name and two keys")
		}
		var keys []string
		for _, x := range a[:3] {
			s, ok := t.eval(x, depth).str()
			if !ok {
				return unknownAt(n.Span, "Fn::FindInMap with a key known only when the stack is deployed")
			}
			keys = append(keys, s)
		}
		if v := t.mappings.Path(keys...); v != nil {
			return t.eval(v, depth)
		}
		return unknownAt(n.Span, "the mapping %s has no %s.%s", keys[0], keys[1], keys[2])
	case "Fn::Base64":
		return t.eval(arg, depth)
	case "Condition":
		c, known := t.condition(arg.String(), depth)
		if !known {
			return unknownAt(n.Span, "the condition %s is decided only by the deployment", arg.String())
		}
		return &val{v: c}
	case "Fn::ImportValue":
		return unknownAt(n.Span, "an export of another stack (Fn::ImportValue)")
	case "Fn::GetAZs":
		return unknownAt(n.Span, "the region's availability zones are known only when the stack is deployed")
	}
	return unknownAt(n.Span, "%s is known only when the stack is deployed", fn)
}

// unknownFrom returns an unknown value that keeps the note of v's unknown part.
func (t *template) unknownFrom(v *val, otherwise string) *val {
	if note := cloud.UnknownNote(v.plain(0)); note != "" {
		return &val{v: &cloud.Unknown{Note: note}}
	}
	return &val{v: &cloud.Unknown{Note: otherwise}}
}

// ref resolves Ref name: a parameter's value (its default), a pseudo parameter, or a
// resource (whose ID the deployment decides).
func (t *template) ref(name string, sp model.Span, depth int) *val {
	if name == "AWS::NoValue" {
		return &val{absent: true}
	}
	if pseudo[name] {
		return &val{v: &cloud.Unknown{Note: name + " is known only when the stack is deployed", NotStar: true}}
	}
	if p := t.params.Get(name); p != nil {
		def := p.Get("Default")
		if def == nil {
			return &val{v: &cloud.Unknown{Note: "parameter " + name + " has no default"}, via: "parameter " + name}
		}
		v := t.eval(def, depth)
		typ := p.Get("Type").String()
		if s, ok := v.str(); ok && (strings.HasPrefix(typ, "CommaDelimitedList") || strings.HasPrefix(typ, "List<")) {
			out := &val{isList: true}
			for _, part := range strings.Split(s, ",") {
				out.list = append(out.list, &val{v: strings.TrimSpace(part), sp: def.Span})
			}
			v = out
		}
		v.via = "parameter " + name
		return v
	}
	if id := t.resourceID(name); id != "" {
		return &val{v: &cloud.Unknown{Note: "Ref " + name + " is known only when the stack is deployed", NotStar: true}, ref: id}
	}
	return unknownAt(sp, "%s is not a parameter or a resource of the template", name)
}

// resourceID returns name when it is the logical ID of a resource of the template.
func (t *template) resourceID(name string) string {
	if t.resources.Get(name) != nil {
		return name
	}
	return ""
}

// sub evaluates Fn::Sub: "text ${Param} ${Res.Attr} ${!Literal}", or [text, {var: value}].
func (t *template) sub(arg, n *yamlnode.Node, depth int) *val {
	text, vars := arg, (*yamlnode.Node)(nil)
	if arg != nil && arg.Kind == yamlnode.Seq && len(arg.Items) == 2 {
		text, vars = arg.Items[0], arg.Items[1]
	}
	s, ok := text.Str()
	if !ok {
		return unknownAt(n.Span, "Fn::Sub of a value that is not a string")
	}
	var b strings.Builder
	var unknown *cloud.Unknown
	literal := false
	ref := ""
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			literal = literal || strings.Trim(s, "*") != ""
			break
		}
		b.WriteString(s[:i])
		literal = literal || strings.Trim(s[:i], "*") != ""
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		name := s[i+2 : i+j]
		s = s[i+j+1:]
		if strings.HasPrefix(name, "!") {
			b.WriteString("${" + name[1:] + "}")
			literal = true
			continue
		}
		var v *val
		if x := vars.Get(name); x != nil {
			v = t.eval(x, depth)
		} else if res, _, dotted := strings.Cut(name, "."); dotted && t.resourceID(res) != "" {
			v = &val{v: &cloud.Unknown{Note: name + " is known only when the stack is deployed", NotStar: true}, ref: res}
		} else {
			v = t.ref(name, n.Span, depth)
		}
		if v.ref != "" && ref == "" {
			ref = v.ref
		}
		if p, ok := v.str(); ok {
			b.WriteString(p)
			continue
		}
		if unknown == nil {
			unknown = &cloud.Unknown{Note: cloud.UnknownNote(v.plain(0))}
			if unknown.Note == "" {
				unknown.Note = "${" + name + "} is not a string"
			}
		}
	}
	if unknown != nil {
		unknown.NotStar = literal
		return &val{v: unknown, ref: ref}
	}
	return &val{v: b.String()}
}

// condition evaluates the condition called name: known when its inputs are literal.
func (t *template) condition(name string, depth int) (value, known bool) {
	if c, ok := t.conds[name]; ok {
		return c.value, c.known
	}
	if depth > maxDepth {
		return false, false
	}
	t.conds[name] = condResult{} // a cycle is unknown
	v, k := t.condExpr(t.conditions.Get(name), depth+1)
	t.conds[name] = condResult{value: v, known: k}
	return v, k
}

type condResult struct{ value, known bool }

func (t *template) condExpr(n *yamlnode.Node, depth int) (bool, bool) {
	if n == nil || depth > maxDepth {
		return false, false
	}
	fn, arg, ok := intrinsic(n)
	if !ok {
		if b, ok := n.Bool(); ok {
			return b, true
		}
		return false, false
	}
	var items []*yamlnode.Node
	if arg != nil && arg.Kind == yamlnode.Seq {
		items = arg.Items
	}
	switch fn {
	case "Condition":
		return t.condition(arg.String(), depth)
	case "Fn::Equals":
		if len(items) != 2 {
			return false, false
		}
		a, ok1 := t.eval(items[0], depth).str()
		b, ok2 := t.eval(items[1], depth).str()
		if !ok1 || !ok2 {
			return false, false
		}
		return a == b, true
	case "Fn::Not":
		if len(items) != 1 {
			return false, false
		}
		v, k := t.condExpr(items[0], depth+1)
		return !v, k
	case "Fn::And", "Fn::Or":
		and := fn == "Fn::And"
		allKnown := true
		for _, it := range items {
			v, k := t.condExpr(it, depth+1)
			switch {
			case k && v != and:
				return v, true // a false in an And, a true in an Or decides
			case !k:
				allKnown = false
			}
		}
		return and, allKnown
	}
	return false, false
}
