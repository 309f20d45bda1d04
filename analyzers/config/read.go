package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// The keys of each part of the file, in the order the messages list them.
var (
	topKeys     = []string{"version", "zones", "elements", "flows", "assets", "risks", "mitigations", "scan"}
	zoneKeys    = []string{"name", "trust", "segmented", "parent", "owner", "attrs"}
	elementKeys = []string{"name", "kind", "classification", "owner", "in_scope", "data", "zone", "attrs"}
	flowKeys    = []string{"from", "to", "protocol", "port", "tls", "authenticated", "data", "classification", "label", "attrs"}
	assetKeys   = []string{"name", "classification", "stored_in"}
)

// kinds are the kinds an element entry may declare: zones and flows have sections of their own.
var kinds = map[string]model.Kind{"component": model.Component, "store": model.Store, "actor": model.Actor}

// maxValueNodes bounds the nodes of one attrs: value (YAML aliases can make a small text a
// large value), and maxValueDepth its nesting.
const (
	maxValueNodes = 10_000
	maxValueDepth = 32
)

// reader reads one file's first document.
type reader struct {
	file, src string
	elements  []*model.Element
	problems  []model.Problem
	declared  map[string]model.Span // the key of every zone and element name → its name's span
	assets    map[string]model.Span // the same for assets
	flows     map[string]int        // "from->to" → flows so far
	zones     []*zoneEntry
	risks     []model.RiskEntry // the risk register: risks: and mitigations:
	budget    int               // nodes left for the attrs: value being read
	// refused are the offsets of keys reported as holding an API key (see refuseKeys).
	refused map[int32]bool
}

// zoneEntry is what the cycle check needs of a zone.
type zoneEntry struct {
	e              *model.Element
	key, parentKey string
	parentSpan     model.Span
	name           string
}

// set records the attribute value that threatls.yaml states at at.
func set(e *model.Element, name string, v any, at model.Span) {
	analyzers.Declare(e, name, v, at, "threatls.yaml")
}

func (r *reader) problem(at model.Span, format string, args ...any) {
	r.problems = append(r.problems, model.Problem{Span: at, Message: fmt.Sprintf(format, args...)})
}

// line returns the first line of n's span: where a problem about n is reported.
func (r *reader) line(n *yamlnode.Node) model.Span { return firstLine(r.src, n.Span) }

// at returns where a problem about p's value is reported: the value's first line, or the key
// when the value is missing.
func (r *reader) at(p yamlnode.Pair) model.Span {
	if p.Value == nil || p.Value.Tag == "!!null" {
		return p.Key.Span
	}
	return r.line(p.Value)
}

// head returns the span of an entry's `key: value` (the value when it is a scalar on the
// key's line), or the entry's first line when the pair comes from elsewhere (a merge key).
func (r *reader) head(it *yamlnode.Node, p yamlnode.Pair) model.Span {
	sp := p.Key.Span
	if p.Value != nil && p.Value.Kind == yamlnode.Scalar && p.Value.Span.Start.Line == sp.Start.Line {
		sp.End = p.Value.Span.End
	}
	if !it.Span.Contains(sp) {
		return r.line(it)
	}
	return sp
}

// key is what two names that denote the same element share: the ID itself for a name with
// a colon, else the name alias; "" for a name that can match nothing.
func key(name string) string {
	if strings.Contains(name, ":") {
		return "id:" + name
	}
	return model.NameAlias(name)
}

// ref is a flow endpoint, a zone or a parent named in the file: an element ID as it is, a
// name as a reference to its alias.
func ref(name string) string {
	if strings.Contains(name, ":") {
		return name
	}
	return model.Ref(model.NameAlias(name))
}

func list(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

func describe(n *yamlnode.Node) string {
	switch {
	case n == nil || n.Tag == "!!null":
		return "nothing"
	case n.Kind == yamlnode.Map:
		return "a map"
	case n.Kind == yamlnode.Seq:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}

func (r *reader) root(n *yamlnode.Node) {
	if n.Kind != yamlnode.Map {
		r.problem(r.line(n), "threatls.yaml must be a map of %s", list(topKeys))
		return
	}
	r.refused = map[int32]bool{}
	r.refuseKeys(n, 0)
	for _, p := range r.pairs(n) {
		if r.refused[p.Key.Span.Start.Offset] {
			continue
		}
		switch p.Key.Value {
		case "version":
			if v, ok := p.Value.Int(); !ok || v != 1 {
				r.problem(r.at(p), "version %s is not supported: threatls.yaml is at version 1", describe(p.Value))
			}
		case "zones":
			for _, it := range r.entries(p, "a zone") {
				r.zone(it)
			}
		case "elements":
			for _, it := range r.entries(p, "an element") {
				r.element(it)
			}
		case "flows":
			for _, it := range r.entries(p, "a flow") {
				r.flow(it)
			}
		case "assets":
			for _, it := range r.entries(p, "an asset") {
				r.asset(it)
			}
		case "ai", "openai", "llm":
			r.problem(p.Key.Span, aiSectionMessage)
		case "risks":
			for _, it := range r.entries(p, "a risk") {
				r.risk(it, model.Accepted)
			}
		case "mitigations":
			for _, it := range r.entries(p, "a mitigation") {
				r.risk(it, model.Mitigated)
			}
		case "scan":
			r.scan(p)
		default:
			r.problem(p.Key.Span, "unknown key %s: threatls.yaml has %s", describe(p.Key), list(topKeys))
		}
	}
	r.cycles()
}

// entries returns the map items of a section.
func (r *reader) entries(p yamlnode.Pair, what string) []*yamlnode.Node {
	v := p.Value
	if v == nil || v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yamlnode.Seq {
		r.problem(r.at(p), "%s must be a list of entries (- name: …), not %s", p.Key.Value, describe(v))
		return nil
	}
	var out []*yamlnode.Node
	for _, it := range v.Items {
		if it == nil || it.Kind != yamlnode.Map {
			if it != nil {
				r.problem(r.line(it), "%s entry must be a map (- name: …), not %s", what, describe(it))
			}
			continue
		}
		out = append(out, it)
	}
	return out
}

// fields returns the pairs of an entry whose keys are among keys, reporting the others.
func (r *reader) fields(it *yamlnode.Node, what string, keys []string) map[string]yamlnode.Pair {
	out := map[string]yamlnode.Pair{}
	for _, p := range r.pairs(it) {
		if r.refused[p.Key.Span.Start.Offset] {
			continue
		}
		if !slices.Contains(keys, p.Key.Value) || p.Key.Kind != yamlnode.Scalar {
			r.problem(p.Key.Span, "unknown key %s in %s: use %s", describe(p.Key), what, list(keys))
			continue
		}
		out[p.Key.Value] = p
	}
	return out
}

// pairs returns a map's entries, reporting and leaving out a key given twice (YAML forbids
// it; the decoder lets it pass).
func (r *reader) pairs(n *yamlnode.Node) []yamlnode.Pair {
	out, problems := yamlnode.Unique(n)
	r.problems = append(r.problems, problems...)
	return out
}

// str reads a string value; a number or a boolean is read as its text.
func (r *reader) str(p yamlnode.Pair) (string, bool) {
	s, ok := p.Value.Str()
	if !ok || s == "" {
		r.problem(r.at(p), "%s must be a string, not %s", p.Key.Value, describe(p.Value))
		return "", false
	}
	return s, true
}

func (r *reader) boolean(p yamlnode.Pair) (bool, bool) {
	if p.Value != nil && p.Value.Tag == "!!bool" {
		return p.Value.Bool()
	}
	r.problem(r.at(p), "%s must be true or false, not %s", p.Key.Value, describe(p.Value))
	return false, false
}

func (r *reader) port(p yamlnode.Pair) (int64, bool) {
	if v, ok := p.Value.Int(); ok && p.Value.Tag == "!!int" && v >= 1 && v <= 65535 {
		return v, true
	}
	r.problem(r.at(p), "port must be a number from 1 to 65535, not %s", describe(p.Value))
	return 0, false
}

func (r *reader) enum(p yamlnode.Pair, valid []string) (string, bool) {
	s, ok := p.Value.Str()
	if ok && slices.Contains(valid, s) {
		return s, true
	}
	r.problem(r.at(p), "%s %s is not valid: use %s", p.Key.Value, describe(p.Value), list(valid))
	return "", false
}

// named is a name written in a list, with where it is written.
type named struct {
	name string
	at   model.Span
}

// names reads a list of names (data: [card-data]); a single name is a list of one.
func (r *reader) names(p yamlnode.Pair) ([]named, bool) {
	v := p.Value
	if s, ok := v.Str(); ok && s != "" {
		return []named{{s, v.Span}}, true
	}
	bad := func() ([]named, bool) {
		r.problem(r.at(p), "%s must be a list of names: %s: [a, b]", p.Key.Value, p.Key.Value)
		return nil, false
	}
	if v == nil || v.Kind != yamlnode.Seq {
		return bad()
	}
	var out []named
	for _, it := range v.Items {
		s, ok := it.Str()
		if !ok || s == "" {
			return bad()
		}
		out = append(out, named{s, it.Span})
	}
	return out, true
}

func namesValue(ns []named) []any {
	out := make([]any, len(ns))
	for i, n := range ns {
		out[i] = n.name
	}
	return out
}

// name reads an entry's name and makes sure no other entry has it.
func (r *reader) name(it *yamlnode.Node, f map[string]yamlnode.Pair, what string, seen map[string]model.Span) (string, yamlnode.Pair, bool) {
	p, ok := f["name"]
	if !ok {
		r.problem(r.line(it), "%s needs a name: - name: …", what)
		return "", p, false
	}
	name, ok := r.str(p)
	if !ok {
		return "", p, false
	}
	k := key(name)
	if k == "" {
		r.problem(p.Value.Span, "name %q has no letter or digit: it can name nothing", name)
		return "", p, false
	}
	if prev, dup := seen[k]; dup {
		r.problem(p.Value.Span, "duplicate name %q: line %d already declares %q", name, prev.Start.Line+1, r.src[prev.Start.Offset:prev.End.Offset])
		return "", p, false
	}
	seen[k] = p.Value.Span
	return name, p, true
}

// entry makes the element of a zone or element entry.
func (r *reader) entry(it *yamlnode.Node, name string, np yamlnode.Pair, kind model.Kind, typ string) *model.Element {
	e := &model.Element{ID: "config:" + r.file + "/" + name, Kind: kind, Type: typ, Name: name,
		Span: it.Span, Head: r.head(it, np), Provenance: model.Configured, Aliases: aliases(name)}
	r.elements = append(r.elements, e)
	return e
}

// aliases are what the model matches a configured name with: its name alias, and the ID
// itself (as "id:<ID>") for a name that is an element ID.
func aliases(name string) []string {
	var out []string
	if a := model.NameAlias(name); a != "" {
		out = append(out, a)
	}
	if strings.Contains(name, ":") {
		out = append(out, "id:"+name)
	}
	return out
}

func (r *reader) zone(it *yamlnode.Node) {
	f := r.fields(it, "a zone", zoneKeys)
	name, np, ok := r.name(it, f, "a zone", r.declared)
	if !ok {
		return
	}
	e := r.entry(it, name, np, model.Zone, "config_zone")
	z := &zoneEntry{e: e, key: key(name), name: name}
	r.zones = append(r.zones, z)
	for _, k := range zoneKeys[1:] {
		p, ok := f[k]
		if !ok {
			continue
		}
		switch k {
		case "trust":
			if v, ok := r.enum(p, model.TrustLevels); ok {
				set(e, k, v, p.Value.Span)
			}
		case "segmented":
			if v, ok := r.boolean(p); ok {
				set(e, k, v, p.Value.Span)
			}
		case "parent":
			if v, ok := r.ref(p); ok {
				set(e, k, v, p.Value.Span)
				z.parentKey, z.parentSpan = key(p.Value.Value), p.Value.Span
			}
		case "owner":
			if v, ok := r.str(p); ok {
				set(e, k, v, p.Value.Span)
			}
		case "attrs":
			r.attrs(e, p)
		}
	}
}

// ref reads a name that refers to an element or a zone.
func (r *reader) ref(p yamlnode.Pair) (string, bool) {
	s, ok := r.str(p)
	if !ok {
		return "", false
	}
	if key(s) == "" {
		r.problem(p.Value.Span, "%s %q has no letter or digit: it can name nothing", p.Key.Value, s)
		return "", false
	}
	return ref(s), true
}

func (r *reader) element(it *yamlnode.Node) {
	f := r.fields(it, "an element", elementKeys)
	name, np, ok := r.name(it, f, "an element", r.declared)
	if !ok {
		return
	}
	var kind model.Kind // none: the entry only overrides, and must match an element
	if p, ok := f["kind"]; ok {
		if s, _ := p.Value.Str(); kinds[s] != "" {
			kind = kinds[s]
		} else {
			r.problem(r.at(p), "kind %s is not valid: use component, store or actor (zones go under zones:, flows under flows:)", describe(p.Value))
		}
	}
	e := r.entry(it, name, np, kind, "config_element")
	r.common(e, f, elementKeys[2:])
}

// common reads the attributes elements and flows share.
func (r *reader) common(e *model.Element, f map[string]yamlnode.Pair, keys []string) {
	for _, k := range keys {
		p, ok := f[k]
		if !ok {
			continue
		}
		switch k {
		case "classification":
			if v, ok := r.enum(p, model.Classifications); ok {
				set(e, k, v, p.Value.Span)
			}
		case "owner", "label":
			if v, ok := r.str(p); ok {
				set(e, k, v, p.Value.Span)
			}
		case "protocol":
			if v, ok := r.str(p); ok {
				set(e, k, strings.ToLower(v), p.Value.Span)
			}
		case "in_scope", "tls", "authenticated":
			if v, ok := r.boolean(p); ok {
				set(e, k, v, p.Value.Span)
			}
		case "port":
			if v, ok := r.port(p); ok {
				set(e, k, v, p.Value.Span)
			}
		case "data":
			if ns, ok := r.names(p); ok {
				set(e, k, namesValue(ns), p.Value.Span)
			}
		case "zone":
			if v, ok := r.ref(p); ok {
				set(e, k, v, p.Value.Span)
			}
		case "attrs":
			r.attrs(e, p)
		}
	}
}

func (r *reader) flow(it *yamlnode.Node) {
	f := r.fields(it, "a flow", flowKeys)
	fp, okFrom := f["from"]
	tp, okTo := f["to"]
	if !okFrom || !okTo {
		r.problem(r.line(it), "a flow needs from: and to:")
		return
	}
	from, ok1 := r.ref(fp)
	to, ok2 := r.ref(tp)
	if !ok1 || !ok2 {
		return
	}
	pair := fp.Value.Value + "->" + tp.Value.Value
	r.flows[pair]++
	e := &model.Element{ID: fmt.Sprintf("config:%s/flow/%s#%d", r.file, pair, r.flows[pair]), Kind: model.Flow,
		Type: "config_flow", Name: fp.Value.Value + " -> " + tp.Value.Value, Span: it.Span, Head: r.head(it, fp),
		From: from, To: to, Provenance: model.Configured}
	r.elements = append(r.elements, e)
	r.common(e, f, flowKeys[2:])
}

func (r *reader) asset(it *yamlnode.Node) {
	f := r.fields(it, "an asset", assetKeys)
	name, np, ok := r.name(it, f, "an asset", r.assets)
	if !ok {
		return
	}
	class, classAt := "", model.Span{}
	if p, ok := f["classification"]; ok {
		if v, ok := r.enum(p, model.Classifications); ok {
			class, classAt = v, p.Value.Span
		}
	}
	p, ok := f["stored_in"]
	if !ok {
		return
	}
	stores, ok := r.names(p)
	if !ok {
		return
	}
	seen := map[string]bool{}
	for _, s := range stores {
		if key(s.name) == "" {
			r.problem(s.at, "stored_in: %q has no letter or digit: it can name nothing", s.name)
			continue
		}
		if seen[key(s.name)] {
			r.problem(s.at, "stored_in names %q twice", s.name)
			continue
		}
		seen[key(s.name)] = true
		e := &model.Element{ID: "config:" + r.file + "/asset/" + name + "/" + s.name, Type: "config_asset",
			Name: s.name, Span: it.Span, Head: s.at, Provenance: model.Configured, Aliases: aliases(s.name)}
		if class != "" {
			set(e, "classification", class, classAt)
		}
		set(e, "data", []any{name}, np.Value.Span)
		r.elements = append(r.elements, e)
	}
}

// attrs reads `attrs: {name: value, …}`: any attribute, overriding what was inferred.
func (r *reader) attrs(e *model.Element, p yamlnode.Pair) {
	if p.Value == nil || p.Value.Kind != yamlnode.Map {
		r.problem(r.at(p), "attrs must be a map of attributes: attrs: {backup: true}, not %s", describe(p.Value))
		return
	}
	for _, ap := range r.pairs(p.Value) {
		k := ap.Key.Value
		if r.refused[ap.Key.Span.Start.Offset] {
			continue
		}
		if ap.Key.Kind != yamlnode.Scalar || k == "" {
			r.problem(ap.Key.Span, "attrs: an attribute name must be a string")
			continue
		}
		r.budget = maxValueNodes
		v, ok := r.value("attrs."+k, ap.Value, 0)
		if !ok {
			continue
		}
		switch k {
		case "classification":
			if _, ok := r.enum(ap, model.Classifications); !ok {
				continue
			}
		case "trust":
			if _, ok := r.enum(ap, model.TrustLevels); !ok {
				continue
			}
		}
		set(e, k, v, ap.Value.Span)
	}
}

// value converts a YAML value into a model value: bool, int64, string, []any, map[string]any.
func (r *reader) value(what string, n *yamlnode.Node, depth int) (any, bool) {
	if n == nil {
		return nil, false
	}
	if r.budget <= 0 || depth > maxValueDepth {
		if r.budget >= 0 {
			r.problem(r.line(n), "%s is too large: more than %d values or %d levels", what, maxValueNodes, maxValueDepth)
			r.budget = -1 // said once
		}
		return nil, false
	}
	r.budget--
	if n.Tag == "!!null" {
		r.problem(r.line(n), "%s has no value", what)
		return nil, false
	}
	switch n.Kind {
	case yamlnode.Seq:
		out := make([]any, 0, len(n.Items))
		for i, it := range n.Items {
			v, ok := r.value(fmt.Sprintf("%s[%d]", what, i), it, depth+1)
			if !ok {
				return nil, false
			}
			out = append(out, v)
		}
		return out, true
	case yamlnode.Map:
		out := map[string]any{}
		for _, p := range n.Entries() {
			v, ok := r.value(what+"."+p.Key.Value, p.Value, depth+1)
			if !ok {
				return nil, false
			}
			out[p.Key.Value] = v
		}
		return out, true
	}
	switch n.Tag {
	case "!!bool":
		b, _ := n.Bool()
		return b, true
	case "!!int":
		if i, ok := n.Int(); ok {
			return i, true
		}
	}
	return n.Value, true
}

// cycles reports the zones that are their own ancestors, and drops their parent.
func (r *reader) cycles() {
	byKey := map[string]*zoneEntry{}
	for _, z := range r.zones {
		byKey[z.key] = z
	}
	parent := func(key string) string {
		if z := byKey[key]; z != nil {
			return z.parentKey
		}
		return ""
	}
	for _, z := range r.zones {
		cycle := analyzers.Cycle(z.key, parent, len(r.zones))
		if cycle == nil {
			continue
		}
		for i, k := range cycle {
			cycle[i] = byKey[k].name
		}
		r.problem(z.parentSpan, "zone %q is its own ancestor: %s", z.name, strings.Join(cycle, " → "))
		z.e.Attrs.Delete("parent")
	}
}
