package otm

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// The schema's property names of each object whose keys are checked.
var (
	topKeys = keys("otmVersion", "project", "representations", "assets", "trustZones",
		"components", "dataflows", "threats", "mitigations")
	projectKeys   = keys("name", "id", "description", "owner", "ownerContact", "tags", "attributes")
	assetKeys     = keys("name", "id", "description", "risk", "attributes")
	assetRiskKeys = keys("confidentiality", "integrity", "availability", "comment")
	zoneKeys      = keys("id", "name", "type", "description", "risk", "parent", "representations", "attributes")
	zoneRiskKeys  = keys("trustRating")
	parentKeys    = keys("trustZone", "component")
	componentKeys = keys("id", "name", "type", "description", "parent", "representations", "assets",
		"threats", "tags", "attributes")
	instanceKeys = keys("processed", "stored")
	// The specification's own example gives dataflows representations, which the schema does
	// not list.
	dataflowKeys = keys("id", "name", "description", "bidirectional", "source", "destination",
		"assets", "threats", "tags", "attributes", "representations")
)

// storeWords are the words of a component type that make the component a store, with the
// store category each implies ("" for none).
var storeWords = []struct{ word, category string }{
	{"database", "database"},
	{"storage", ""},
	{"bucket", "bucket"},
	{"cache", "cache"},
	{"queue", "queue"},
}

// technologies maps the tags that name a technology onto the model's technology.
var technologies = map[string]string{
	"postgres": "postgres", "postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql",
	"redis": "redis", "mongodb": "mongodb", "rabbitmq": "rabbitmq", "kafka": "kafka",
	"nginx": "nginx", "tomcat": "tomcat", "elasticsearch": "elasticsearch", "s3": "s3",
	"lambda": "lambda", "ecs": "ecs", "eks": "eks", "ec2": "ec2", "browser": "browser",
}

// componentAttrs and flowAttrs are the keys of the attributes map of a component or a
// dataflow read as the model's attributes of the same name, with the values they take.
var (
	componentAttrs = map[string]string{"technology": "string", "owner": "string", "in_scope": "bool",
		"internet_facing": "bool", "authenticates": "bool", "authorizes": "bool",
		"encrypted_at_rest": "bool", "public": "bool"}
	flowAttrs = map[string]string{"protocol": "string", "port": "port", "tls": "bool", "authenticated": "bool"}
)

// protocols maps the protocol names a dataflow may give (as a tag or in its attributes) onto
// whether they imply tls: 1 encrypted, 0 not, -1 either.
var protocols = map[string]int8{
	"http": 0, "https": 1, "ws": 0, "wss": 1, "grpc": -1, "grpcs": 1, "tcp": -1, "udp": -1,
	"postgres": -1, "mysql": -1, "redis": 0, "rediss": 1, "amqp": 0, "amqps": 1, "kafka": -1,
	"mqtt": 0, "mqtts": 1, "smtp": -1, "smtps": 1, "ssh": 1, "sftp": 1, "ftp": 0, "ftps": 1,
	"ldap": 0, "ldaps": 1, "jdbc": -1, "nfs": 0, "smb": -1,
}

// reader builds the elements of one file. It lives for one extract call.
type reader struct {
	prefix   string // "otm:<file>/"
	problems []model.Problem
	assets   map[string]class
	ids      map[string]string // every element id taken, and what took it
	zones    map[string]*zone
	comps    map[string]*comp
	// Definitions in source order.
	zoneList  []*zone
	compList  []*comp
	flowNodes []*yamlnode.Node
	flows     []*model.Element
}

type zone struct {
	id string
	el *model.Element
	// parent is the id of the enclosing trust zone, parentAt where it is named.
	parent   string
	parentAt model.Span
}

type comp struct {
	id string
	m  *yamlnode.Node
	el *model.Element
	// zone and comp are the ids the parent names (one of them), at where it names it.
	zone, comp string
	at         model.Span
}

// class is the classification of an asset and why.
type class struct {
	level string
	note  string
}

func extract(src []byte, file string) *model.FileFacts {
	ff := &model.FileFacts{File: file, Format: Name}
	docs, problems := yamlnode.Parse(src, file)
	if len(problems) > 0 {
		docs = yamlnode.Salvage(src, file, docs, problems)
	}
	r := &reader{
		prefix:   Name + ":" + file + "/",
		problems: problems,
		assets:   map[string]class{},
		ids:      map[string]string{},
		zones:    map[string]*zone{},
		comps:    map[string]*comp{},
	}
	for _, d := range docs {
		r.document(d.Root)
	}
	r.resolve()
	for _, z := range r.zoneList {
		ff.Elements = append(ff.Elements, z.el)
	}
	for _, c := range r.compList {
		ff.Elements = append(ff.Elements, c.el)
	}
	ff.Elements = append(ff.Elements, r.flows...)
	model.SortElements(ff.Elements)
	defs := make([]model.Span, len(ff.Elements))
	for i, e := range ff.Elements {
		defs[i] = e.Span
	}
	ignores, ps := analyzers.LineIgnores(src, file, []string{"#"}, defs)
	ff.Ignores, ff.Problems = ignores, append(r.problems, ps...)
	return ff
}

// document reads the definitions of one document; references are resolved once every
// document is read.
func (r *reader) document(root *yamlnode.Node) {
	if root == nil {
		return
	}
	if root.Kind != yamlnode.Map {
		r.problem(root.Span, "an OTM document is a map (otmVersion, project, trustZones, components, dataflows, …)")
		return
	}
	r.checkKeys(root, topKeys, "the document")
	if p, ok := root.Pair("project"); ok && p.Value != nil && p.Value.Kind == yamlnode.Map {
		r.checkKeys(p.Value, projectKeys, "the project")
	}
	for _, m := range r.list(root, "assets") {
		r.asset(m)
	}
	for _, m := range r.list(root, "trustZones") {
		r.zone(m)
	}
	for _, m := range r.list(root, "components") {
		r.component(m)
	}
	r.flowNodes = append(r.flowNodes, r.list(root, "dataflows")...)
}

func (r *reader) asset(m *yamlnode.Node) {
	r.checkKeys(m, assetKeys, "an asset")
	id, idNode := r.id(m, "asset")
	if id == "" {
		return
	}
	if _, dup := r.assets[id]; dup {
		r.problem(idNode.Span, "duplicate asset id %q", id)
		return
	}
	var c class
	if risk := r.object(m, "risk", assetRiskKeys, "the risk of asset "+id); risk != nil {
		if v, n := r.number(risk, "confidentiality", "asset "+id); n != nil {
			c = class{classOf(v), fmt.Sprintf("asset %s has confidentiality %s", id, n.Value)}
		}
	}
	r.assets[id] = c
}

func (r *reader) zone(m *yamlnode.Node) {
	r.checkKeys(m, zoneKeys, "a trust zone")
	id, idNode := r.id(m, "trust zone")
	if !r.claim(id, idNode, "trust zone") {
		return
	}
	typ, _ := r.str(m, "type", "trust zone "+id)
	el := r.element(m, id, model.Zone, typ, "trust_zone")
	what := fmt.Sprintf("trust zone %q", el.Name)
	if risk := r.object(m, "risk", zoneRiskKeys, "the risk of "+what); risk != nil {
		if v, n := r.number(risk, "trustRating", what); n != nil {
			declare(el, "trust", trustOf(v), n.Span, "trustRating "+n.Value)
		}
	}
	z := &zone{id: id, el: el}
	if parent := r.object(m, "parent", parentKeys, "the parent of "+what); parent != nil {
		if c, n := r.str(parent, "component", what); c != "" {
			r.problem(n.Span, "the parent of %s must be a trust zone, not component %q", what, c)
		}
		if p, n := r.str(parent, "trustZone", what); p != "" {
			z.parent, z.parentAt = p, n.Span
		}
	}
	r.zones[id] = z
	r.zoneList = append(r.zoneList, z)
}

func (r *reader) component(m *yamlnode.Node) {
	r.checkKeys(m, componentKeys, "a component")
	id, idNode := r.id(m, "component")
	if !r.claim(id, idNode, "component") {
		return
	}
	typ, _ := r.str(m, "type", "component "+id)
	kind, category := storeKind(typ)
	tags := r.items(m, "tags", "component "+id)
	for _, it := range tags {
		switch k := model.Kind(strings.ToLower(it.Value)); k {
		case model.Component, model.Store, model.Actor:
			kind = k
		}
	}
	el := r.element(m, id, kind, typ, "component")
	what := fmt.Sprintf("component %q", el.Name)
	if category != "" && kind == model.Store {
		declare(el, "category", category, m.Get("type").Span, "type "+typ)
	}
	for _, it := range tags {
		if t := technologies[strings.ToLower(it.Value)]; t != "" {
			declare(el, "technology", t, it.Span, "tag "+it.Value)
			break
		}
	}
	r.attributes(el, m, componentAttrs, what)
	c := &comp{id: id, m: m, el: el}
	if parent := r.object(m, "parent", parentKeys, "the parent of "+what); parent != nil {
		z, zn := r.str(parent, "trustZone", what)
		p, pn := r.str(parent, "component", what)
		switch {
		case z != "" && p != "":
			r.problem(pn.Span, "the parent of %s is a trust zone or a component, not both: the trust zone is read", what)
			fallthrough
		case z != "":
			c.zone, c.at = z, zn.Span
		case p != "":
			c.comp, c.at = p, pn.Span
		}
	}
	r.comps[id] = c
	r.compList = append(r.compList, c)
}

// storeKind returns the kind a component's type implies: a store when it names one, with the
// store category it implies ("" for none).
func storeKind(typ string) (model.Kind, string) {
	for _, w := range storeWords {
		if strings.Contains(strings.ToLower(typ), w.word) {
			return model.Store, w.category
		}
	}
	if hasWord(typ, "db") {
		return model.Store, "database"
	}
	return model.Component, ""
}

// element starts the element of a trust zone or a component defined by m, of type typ (def
// when empty).
func (r *reader) element(m *yamlnode.Node, id string, kind model.Kind, typ, def string) *model.Element {
	name, _ := r.str(m, "name", def+" "+id)
	if name == "" {
		name = id
	}
	if typ == "" {
		typ = def
	}
	return &model.Element{
		ID: r.prefix + id, Kind: kind, Type: "otm_" + snake(typ), Name: name,
		Span: m.Span, Head: head(m), Provenance: model.Documented, Aliases: aliases(id, name),
	}
}

// resolve follows the references between definitions: parents, assets stored and carried,
// the ends of dataflows.
func (r *reader) resolve() {
	for _, z := range r.zoneList {
		if z.parent != "" && r.zones[z.parent] == nil {
			r.problem(z.parentAt, "trust zone %q has unknown parent trust zone %q", z.el.Name, z.parent)
			z.parent = ""
		}
	}
	// A parent cycle is reported at the parent that closes it, which is dropped.
	for _, z := range r.zoneList {
		chain := []string{z.id}
		for p := z.parent; p != "" && len(chain) <= len(r.zoneList); p = r.zones[p].parent {
			chain = append(chain, p)
			if p == z.id {
				r.problem(z.parentAt, "trust zones are parents of each other in a cycle: %s", strings.Join(chain, " → "))
				z.parent = ""
				break
			}
		}
	}
	for _, z := range r.zoneList {
		if z.parent != "" {
			declare(z.el, "parent", r.zones[z.parent].el.ID, z.parentAt, "in trust zone "+z.parent)
		}
	}
	for _, c := range r.compList {
		what := fmt.Sprintf("component %q", c.el.Name)
		switch {
		case c.zone != "" && r.zones[c.zone] == nil:
			r.problem(c.at, "%s is in unknown trust zone %q", what, c.zone)
			c.zone = ""
		case c.comp != "" && r.comps[c.comp] == nil:
			if r.zones[c.comp] != nil {
				r.problem(c.at, "the parent of %s is trust zone %q: write it as parent: {trustZone: %s}", what, c.comp, c.comp)
			} else {
				r.problem(c.at, "%s has unknown parent component %q", what, c.comp)
			}
			c.comp = ""
		}
	}
	for _, c := range r.compList {
		chain := []string{c.id}
		for p := c.comp; p != "" && len(chain) <= len(r.compList); p = r.comps[p].comp {
			chain = append(chain, p)
			if p == c.id {
				r.problem(c.at, "components are parents of each other in a cycle: %s", strings.Join(chain, " → "))
				c.comp = ""
				break
			}
		}
	}
	for _, c := range r.compList {
		if c.comp != "" {
			c.el.Parent = r.comps[c.comp].el.ID
		}
		// The zone is the trust zone of the first ancestor that names one.
		a := c
		for range len(r.compList) {
			if a.comp == "" {
				break
			}
			a = r.comps[a.comp]
		}
		switch {
		case c.zone != "":
			declare(c.el, "zone", r.zones[c.zone].el.ID, c.at, "in trust zone "+c.zone)
		case a.zone != "":
			declare(c.el, "zone", r.zones[a.zone].el.ID, c.at, fmt.Sprintf("in trust zone %s through parent component %s", a.zone, c.comp))
		}
		what := fmt.Sprintf("component %q", c.el.Name)
		if inst := r.object(c.m, "assets", instanceKeys, "the assets of "+what); inst != nil {
			r.assetRefs(inst, "processed", what)
			stored := r.assetRefs(inst, "stored", what)
			stored.declare(c.el)
		}
	}
	for _, m := range r.flowNodes {
		r.dataflow(m)
	}
}

func (r *reader) dataflow(m *yamlnode.Node) {
	r.checkKeys(m, dataflowKeys, "a dataflow")
	id, idNode := r.id(m, "dataflow")
	if !r.claim(id, idNode, "dataflow") {
		return
	}
	name, _ := r.str(m, "name", "dataflow "+id)
	if name == "" {
		name = id
	}
	what := fmt.Sprintf("dataflow %q", name)
	from, ok1 := r.end(m, "source", what)
	to, ok2 := r.end(m, "destination", what)
	if !ok1 || !ok2 {
		return
	}
	el := &model.Element{
		ID: r.prefix + id, Kind: model.Flow, Type: "otm_dataflow", Name: name,
		Span: m.Span, Head: head(m), From: from, To: to, Provenance: model.Documented,
	}
	for _, it := range r.items(m, "tags", what) {
		r.tag(el, it)
	}
	r.attributes(el, m, flowAttrs, what)
	data := r.assetRefs(m, "assets", what)
	data.declare(el)
	r.flows = append(r.flows, el)
	if b, n := r.boolean(m, "bidirectional", what); n != nil && b {
		back := *el
		back.ID, back.Name, back.From, back.To = el.ID+"/reverse", name+" (reverse)", to, from
		back.Attrs = make(map[string]model.Attr, len(el.Attrs))
		for k, v := range el.Attrs {
			back.Attrs[k] = v
		}
		r.flows = append(r.flows, &back)
	}
}

// end returns the element ID of the component or trust zone a dataflow names under key.
func (r *reader) end(m *yamlnode.Node, key, what string) (string, bool) {
	id, n := r.str(m, key, what)
	switch {
	case id == "":
		r.problem(head(m), "%s has no %s: it is left out", what, key)
	case r.comps[id] != nil:
		return r.comps[id].el.ID, true
	case r.zones[id] != nil:
		return r.zones[id].el.ID, true
	default:
		r.problem(n.Span, "%s has unknown %s %q: it is left out", what, key, id)
	}
	return "", false
}

// tag reads what a dataflow's tag says of its protocol, encryption and authentication.
func (r *reader) tag(el *model.Element, it *yamlnode.Node) {
	t := strings.ToLower(it.Value)
	note := "tag " + it.Value
	if tls, ok := protocols[t]; ok {
		declare(el, "protocol", t, it.Span, note)
		if tls >= 0 {
			declare(el, "tls", tls == 1, it.Span, note)
		}
		return
	}
	switch t {
	case "tls", "ssl", "encrypted":
		declare(el, "tls", true, it.Span, note)
	case "plaintext", "unencrypted":
		declare(el, "tls", false, it.Span, note)
	case "mtls":
		declare(el, "tls", true, it.Span, note)
		declare(el, "authenticated", true, it.Span, note)
	case "authenticated":
		declare(el, "authenticated", true, it.Span, note)
	case "unauthenticated", "anonymous":
		declare(el, "authenticated", false, it.Span, note)
	}
}

// attributes reads the keys of the attributes map of m that known names as the model's
// attributes of the same name. A protocol is read in lower case and implies tls when the map
// does not say.
func (r *reader) attributes(el *model.Element, m *yamlnode.Node, known map[string]string, what string) {
	attrs := m.Get("attributes")
	if attrs == nil || attrs.Kind != yamlnode.Map {
		return
	}
	for _, p := range attrs.Entries() {
		k, n := p.Key.Value, p.Value
		if known[k] == "" || n == nil || n.Tag == "!!null" {
			continue
		}
		switch known[k] {
		case "string":
			s, ok := n.Str()
			if !ok || s == "" {
				r.problem(n.Span, "attributes.%s of %s must be a string", k, what)
				continue
			}
			if k == "protocol" {
				s = strings.ToLower(s)
				if tls, ok := protocols[s]; ok && tls >= 0 && attrs.Get("tls") == nil {
					declare(el, "tls", tls == 1, n.Span, "protocol "+s)
				}
			}
			declare(el, k, s, n.Span, "")
		case "bool":
			b, ok := n.Bool()
			if !ok {
				r.problem(n.Span, "attributes.%s of %s must be true or false", k, what)
				continue
			}
			declare(el, k, b, n.Span, "")
		case "port":
			v, ok := n.Int()
			if !ok || v < 1 || v > 65535 {
				r.problem(n.Span, "attributes.port of %s must be a number from 1 to 65535", what)
				continue
			}
			declare(el, k, v, n.Span, "")
		}
	}
}

// assetList is a list of asset ids read from a definition.
type assetList struct {
	ids []any      // the ids of known assets
	at  model.Span // the key and its list
	// top is the item naming the most sensitive asset (the first of equals), class its
	// classification; nil when no asset listed has one.
	top   *yamlnode.Node
	class class
}

// assetRefs reads the asset ids listed under key in m; unknown ids are reported.
func (r *reader) assetRefs(m *yamlnode.Node, key, what string) assetList {
	var l assetList
	p, ok := m.Pair(key)
	if !ok {
		return l
	}
	l.at = pairSpan(p)
	for _, it := range r.items(m, key, what) {
		c, ok := r.assets[it.Value]
		if !ok {
			r.problem(it.Span, "%s refers to unknown asset %q", what, it.Value)
			continue
		}
		l.ids = append(l.ids, it.Value)
		if c.level != "" && (l.top == nil || model.ClassRank(c.level) > model.ClassRank(l.class.level)) {
			l.top, l.class = it, c
		}
	}
	return l
}

// declare sets data and classification on e from the assets listed.
func (l assetList) declare(e *model.Element) {
	if len(l.ids) > 0 {
		declare(e, "data", l.ids, l.at, "")
	}
	if l.top != nil {
		declare(e, "classification", l.class.level, l.top.Span, l.class.note)
	}
}

// list returns the map items of the list under key in m; anything else is reported.
func (r *reader) list(m *yamlnode.Node, key string) []*yamlnode.Node {
	p, ok := m.Pair(key)
	if !ok || p.Value == nil || p.Value.Tag == "!!null" {
		return nil
	}
	if p.Value.Kind != yamlnode.Seq {
		r.problem(p.Key.Span, "%s must be a list", key)
		return nil
	}
	var out []*yamlnode.Node
	for _, it := range p.Value.Items {
		if it != nil && it.Kind == yamlnode.Map {
			out = append(out, it)
		} else if it != nil {
			r.problem(it.Span, "an item of %s must be a map", key)
		}
	}
	return out
}

// items returns the string items of the list under key in m; anything else is reported.
func (r *reader) items(m *yamlnode.Node, key, what string) []*yamlnode.Node {
	n := m.Get(key)
	if n == nil || n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yamlnode.Seq {
		r.problem(n.Span, "%s of %s must be a list", key, what)
		return nil
	}
	var out []*yamlnode.Node
	for _, it := range n.Items {
		if s, ok := it.Str(); ok && s != "" {
			out = append(out, it)
		}
	}
	return out
}

// object returns the map under key in m, with its keys checked; nil when absent or null,
// reported when not a map.
func (r *reader) object(m *yamlnode.Node, key string, known map[string]bool, what string) *yamlnode.Node {
	n := m.Get(key)
	if n == nil || n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yamlnode.Map {
		r.problem(n.Span, "%s must be a map", what)
		return nil
	}
	r.checkKeys(n, known, what)
	return n
}

// id returns the id of the definition m, reporting a missing one.
func (r *reader) id(m *yamlnode.Node, what string) (string, *yamlnode.Node) {
	id, n := r.str(m, "id", what)
	if id == "" {
		r.problem(head(m), "this %s has no id: it is left out", what)
	}
	return id, n
}

// claim takes id for an element, reporting an id taken before.
func (r *reader) claim(id string, n *yamlnode.Node, what string) bool {
	if id == "" {
		return false
	}
	if prev, dup := r.ids[id]; dup {
		r.problem(n.Span, "duplicate id %q: it is already the id of a %s", id, prev)
		return false
	}
	r.ids[id] = what
	return true
}

// checkKeys reports the keys of m that known does not hold.
func (r *reader) checkKeys(m *yamlnode.Node, known map[string]bool, what string) {
	for _, p := range m.Entries() {
		if k := p.Key.Value; !known[k] {
			msg := fmt.Sprintf("unknown key %q in %s", k, what)
			if s := suggest(k, known); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			r.problems = append(r.problems, model.Problem{Span: p.Key.Span, Message: msg})
		}
	}
}

// str returns the string under key in m and its node; the node is nil when the key is
// absent or null. Numbers and booleans are read as the text they are written with.
func (r *reader) str(m *yamlnode.Node, key, what string) (string, *yamlnode.Node) {
	n := m.Get(key)
	if n == nil || n.Tag == "!!null" {
		return "", nil
	}
	s, ok := n.Str()
	if !ok {
		r.problem(n.Span, "%s of %s must be a string", key, what)
	}
	return s, n
}

// number returns the number from 0 to 100 under key in m and its node; the node is nil when
// the key is absent, null or not such a number (reported).
func (r *reader) number(m *yamlnode.Node, key, what string) (float64, *yamlnode.Node) {
	n := m.Get(key)
	if n == nil || n.Tag == "!!null" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if n.Kind != yamlnode.Scalar || err != nil || v < 0 || v > 100 {
		r.problem(n.Span, "%s of %s must be a number from 0 to 100", key, what)
		return 0, nil
	}
	return v, n
}

// boolean returns the boolean under key in m and its node; the node is nil when the key is
// absent, null or not a boolean (reported).
func (r *reader) boolean(m *yamlnode.Node, key, what string) (bool, *yamlnode.Node) {
	n := m.Get(key)
	if n == nil || n.Tag == "!!null" {
		return false, nil
	}
	b, ok := n.Bool()
	if !ok {
		r.problem(n.Span, "%s of %s must be true or false", key, what)
		return false, nil
	}
	return b, n
}

func (r *reader) problem(at model.Span, format string, args ...any) {
	r.problems = append(r.problems, model.Problem{Span: at, Message: fmt.Sprintf(format, args...)})
}

// trustOf maps a trustRating onto the model's trust levels.
func trustOf(rating float64) string {
	switch {
	case rating <= 25:
		return "internet"
	case rating <= 50:
		return "dmz"
	case rating <= 75:
		return "internal"
	}
	return "restricted"
}

// classOf maps an asset's confidentiality onto the nearest of the model's classifications
// spread over 0–100 by rank: public 0, internal 25, confidential 50, pii 75, secret 100.
func classOf(confidentiality float64) string {
	switch {
	case confidentiality < 12.5:
		return "public"
	case confidentiality < 37.5:
		return "internal"
	case confidentiality < 62.5:
		return "confidential"
	case confidentiality < 87.5:
		return "pii"
	}
	return "secret"
}

// declare records a value the document declares.
func declare(e *model.Element, name string, v any, at model.Span, note string) {
	if e.Attrs == nil {
		e.Attrs = map[string]model.Attr{}
	}
	e.Attrs[name] = model.Attr{Value: v, Origin: model.Declared, Span: at, Note: note}
}

// head is the first line of a definition m: its first entry.
func head(m *yamlnode.Node) model.Span {
	if len(m.Pairs) > 0 {
		return pairSpan(m.Pairs[0])
	}
	return m.Span
}

// pairSpan covers a key and its value.
func pairSpan(p yamlnode.Pair) model.Span {
	sp := p.Key.Span
	if p.Value != nil && p.Value.Span.End.Offset > sp.End.Offset {
		sp.End = p.Value.Span.End
	}
	return sp
}

// aliases returns the name aliases of an id and a name, without repeats.
func aliases(id, name string) []string {
	var out []string
	for _, s := range []string{id, name} {
		if a := model.NameAlias(s); a != "" && (len(out) == 0 || out[0] != a) {
			out = append(out, a)
		}
	}
	return out
}

var nonAlnum = regexp.MustCompile(`[^a-z0-9]+`)

// hasWord reports whether s, split at every character that is not a letter or a digit,
// holds word.
func hasWord(s, word string) bool {
	for _, w := range nonAlnum.Split(strings.ToLower(s), -1) {
		if w == word {
			return true
		}
	}
	return false
}

func snake(s string) string {
	return strings.Trim(nonAlnum.ReplaceAllString(strings.ToLower(s), "_"), "_")
}

func keys(ks ...string) map[string]bool {
	m := make(map[string]bool, len(ks))
	for _, k := range ks {
		m[k] = true
	}
	return m
}

// suggest returns the known key closest to k when it is a likely typo of it (two edits away at
// most, one for short keys), or "".
func suggest(k string, known map[string]bool) string {
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
