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
	topKeys = yamlnode.Keys("otmVersion", "project", "representations", "assets", "trustZones",
		"components", "dataflows", "threats", "mitigations")
	projectKeys   = yamlnode.Keys("name", "id", "description", "owner", "ownerContact", "tags", "attributes")
	assetKeys     = yamlnode.Keys("name", "id", "description", "risk", "attributes")
	assetRiskKeys = yamlnode.Keys("confidentiality", "integrity", "availability", "comment")
	zoneKeys      = yamlnode.Keys("id", "name", "type", "description", "risk", "parent", "representations", "attributes")
	zoneRiskKeys  = yamlnode.Keys("trustRating")
	parentKeys    = yamlnode.Keys("trustZone", "component")
	componentKeys = yamlnode.Keys("id", "name", "type", "description", "parent", "representations", "assets",
		"threats", "tags", "attributes")
	instanceKeys = yamlnode.Keys("processed", "stored")
	// The specification's own example gives dataflows representations, which the schema does
	// not list.
	dataflowKeys = yamlnode.Keys("id", "name", "description", "bidirectional", "source", "destination",
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
	yamlnode.Reader // the file's problems

	prefix string // "otm:<file>/"
	assets map[string]class
	ids    map[string]string // every element id taken, and what took it
	zones  map[string]*zone
	comps  map[string]*comp
	// Definitions in source order.
	zoneList  []*zone
	compList  []*comp
	flowNodes []*yamlnode.Node
	flows     []*model.Element
	risks     []model.RiskEntry // threat states about threatls's threats
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
		docs, problems = yamlnode.Salvage(src, file, docs, problems)
	}
	r := &reader{
		prefix: Name + ":" + file + "/",
		Reader: yamlnode.Reader{Problems: problems},
		assets: map[string]class{},
		ids:    map[string]string{},
		zones:  map[string]*zone{},
		comps:  map[string]*comp{},
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
	ignores, ps := analyzers.LineIgnores(src, file, []string{"#"}, analyzers.Spans(ff.Elements))
	ff.Ignores, ff.Problems = ignores, append(r.Problems, ps...)
	ff.Risks = r.risks
	return ff
}

// document reads the definitions of one document; references are resolved once every
// document is read.
func (r *reader) document(root *yamlnode.Node) {
	if root == nil {
		return
	}
	if root.Kind != yamlnode.Map {
		r.Problem(root.Span, "an OTM document is a map (otmVersion, project, trustZones, components, dataflows, …)")
		return
	}
	r.CheckKeys(root, topKeys, "the document")
	if p, ok := root.Pair("project"); ok && p.Value != nil && p.Value.Kind == yamlnode.Map {
		r.CheckKeys(p.Value, projectKeys, "the project")
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
	r.CheckKeys(m, assetKeys, "an asset")
	id, idNode := r.id(m, "asset")
	if id == "" {
		return
	}
	if _, dup := r.assets[id]; dup {
		r.Problem(idNode.Span, "duplicate asset id %q", id)
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
	r.CheckKeys(m, zoneKeys, "a trust zone")
	id, idNode := r.id(m, "trust zone")
	if !r.claim(id, idNode, "trust zone") {
		return
	}
	typ, _ := r.Str(m, "type", "trust zone "+id)
	el := r.element(m, id, model.Zone, typ, "trust_zone")
	what := fmt.Sprintf("trust zone %q", el.Name)
	if risk := r.object(m, "risk", zoneRiskKeys, "the risk of "+what); risk != nil {
		if v, n := r.number(risk, "trustRating", what); n != nil {
			analyzers.Declare(el, "trust", trustOf(v), n.Span, "trustRating "+n.Value)
		}
	}
	z := &zone{id: id, el: el}
	if parent := r.object(m, "parent", parentKeys, "the parent of "+what); parent != nil {
		if c, n := r.Str(parent, "component", what); c != "" {
			r.Problem(n.Span, "the parent of %s must be a trust zone, not component %q", what, c)
		}
		if p, n := r.Str(parent, "trustZone", what); p != "" {
			z.parent, z.parentAt = p, n.Span
		}
	}
	r.zones[id] = z
	r.zoneList = append(r.zoneList, z)
}

func (r *reader) component(m *yamlnode.Node) {
	r.CheckKeys(m, componentKeys, "a component")
	id, idNode := r.id(m, "component")
	if !r.claim(id, idNode, "component") {
		return
	}
	typ, _ := r.Str(m, "type", "component "+id)
	kind, category := storeKind(typ)
	tags := r.items(m, "tags", "component "+id)
	for _, it := range tags {
		switch k := model.Kind(strings.ToLower(it.Value)); k {
		case model.Component, model.Store, model.Actor:
			kind = k
		}
	}
	el := r.element(m, id, kind, typ, "component")
	r.threatStates(m, el.ID)
	what := fmt.Sprintf("component %q", el.Name)
	if category != "" && kind == model.Store {
		analyzers.Declare(el, "category", category, m.Get("type").Span, "type "+typ)
	}
	for _, it := range tags {
		if t := technologies[strings.ToLower(it.Value)]; t != "" {
			analyzers.Declare(el, "technology", t, it.Span, "tag "+it.Value)
			break
		}
	}
	r.attributes(el, m, componentAttrs, what)
	c := &comp{id: id, m: m, el: el}
	if parent := r.object(m, "parent", parentKeys, "the parent of "+what); parent != nil {
		z, zn := r.Str(parent, "trustZone", what)
		p, pn := r.Str(parent, "component", what)
		switch {
		case z != "" && p != "":
			r.Problem(pn.Span, "the parent of %s is a trust zone or a component, not both: the trust zone is read", what)
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
	name, _ := r.Str(m, "name", def+" "+id)
	if name == "" {
		name = id
	}
	if typ == "" {
		typ = def
	}
	return &model.Element{
		ID: r.prefix + id, Kind: kind, Type: "otm_" + snake(typ), Name: name,
		Span: m.Span, Head: head(m), Provenance: model.Documented, Aliases: analyzers.NameAliases(id, name),
	}
}

// resolve follows the references between definitions: parents, assets stored and carried,
// the ends of dataflows.
func (r *reader) resolve() {
	for _, z := range r.zoneList {
		if z.parent != "" && r.zones[z.parent] == nil {
			r.Problem(z.parentAt, "trust zone %q has unknown parent trust zone %q", z.el.Name, z.parent)
			z.parent = ""
		}
	}
	// A parent cycle is reported at the parent that closes it, which is dropped.
	zoneParent := func(id string) string { return r.zones[id].parent }
	for _, z := range r.zoneList {
		if cycle := analyzers.Cycle(z.id, zoneParent, len(r.zoneList)); cycle != nil {
			r.Problem(z.parentAt, "trust zones are parents of each other in a cycle: %s", strings.Join(cycle, " → "))
			z.parent = ""
		}
	}
	for _, z := range r.zoneList {
		if z.parent != "" {
			analyzers.Declare(z.el, "parent", r.zones[z.parent].el.ID, z.parentAt, "in trust zone "+z.parent)
		}
	}
	for _, c := range r.compList {
		what := fmt.Sprintf("component %q", c.el.Name)
		switch {
		case c.zone != "" && r.zones[c.zone] == nil:
			r.Problem(c.at, "%s is in unknown trust zone %q", what, c.zone)
			c.zone = ""
		case c.comp != "" && r.comps[c.comp] == nil:
			if r.zones[c.comp] != nil {
				r.Problem(c.at, "the parent of %s is trust zone %q: write it as parent: {trustZone: %s}", what, c.comp, c.comp)
			} else {
				r.Problem(c.at, "%s has unknown parent component %q", what, c.comp)
			}
			c.comp = ""
		}
	}
	compParent := func(id string) string { return r.comps[id].comp }
	for _, c := range r.compList {
		if cycle := analyzers.Cycle(c.id, compParent, len(r.compList)); cycle != nil {
			r.Problem(c.at, "components are parents of each other in a cycle: %s", strings.Join(cycle, " → "))
			c.comp = ""
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
			analyzers.Declare(c.el, "zone", r.zones[c.zone].el.ID, c.at, "in trust zone "+c.zone)
		case a.zone != "":
			analyzers.Declare(c.el, "zone", r.zones[a.zone].el.ID, c.at, fmt.Sprintf("in trust zone %s through parent component %s", a.zone, c.comp))
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
	r.CheckKeys(m, dataflowKeys, "a dataflow")
	id, idNode := r.id(m, "dataflow")
	if !r.claim(id, idNode, "dataflow") {
		return
	}
	name, _ := r.Str(m, "name", "dataflow "+id)
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
	r.threatStates(m, el.ID)
	for _, it := range r.items(m, "tags", what) {
		r.tag(el, it)
	}
	r.attributes(el, m, flowAttrs, what)
	data := r.assetRefs(m, "assets", what)
	data.declare(el)
	r.flows = append(r.flows, el)
	if b, n := r.Bool(m, "bidirectional", what); n != nil && b {
		back := *el
		back.ID, back.Name, back.From, back.To = el.ID+"/reverse", name+" (reverse)", to, from
		back.Attrs = el.Attrs.Clone(0)
		r.flows = append(r.flows, &back)
	}
}

// end returns the element ID of the component or trust zone a dataflow names under key.
func (r *reader) end(m *yamlnode.Node, key, what string) (string, bool) {
	id, n := r.Str(m, key, what)
	switch {
	case id == "":
		r.Problem(head(m), "%s has no %s: it is left out", what, key)
	case r.comps[id] != nil:
		return r.comps[id].el.ID, true
	case r.zones[id] != nil:
		return r.zones[id].el.ID, true
	default:
		r.Problem(n.Span, "%s has unknown %s %q: it is left out", what, key, id)
	}
	return "", false
}

// tag reads what a dataflow's tag says of its protocol, encryption and authentication.
func (r *reader) tag(el *model.Element, it *yamlnode.Node) {
	t := strings.ToLower(it.Value)
	note := "tag " + it.Value
	if tls, ok := protocols[t]; ok {
		analyzers.Declare(el, "protocol", t, it.Span, note)
		if tls >= 0 {
			analyzers.Declare(el, "tls", tls == 1, it.Span, note)
		}
		return
	}
	switch t {
	case "tls", "ssl", "encrypted":
		analyzers.Declare(el, "tls", true, it.Span, note)
	case "plaintext", "unencrypted":
		analyzers.Declare(el, "tls", false, it.Span, note)
	case "mtls":
		analyzers.Declare(el, "tls", true, it.Span, note)
		analyzers.Declare(el, "authenticated", true, it.Span, note)
	case "authenticated":
		analyzers.Declare(el, "authenticated", true, it.Span, note)
	case "unauthenticated", "anonymous":
		analyzers.Declare(el, "authenticated", false, it.Span, note)
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
				r.Problem(n.Span, "attributes.%s of %s must be a string", k, what)
				continue
			}
			if k == "protocol" {
				s = strings.ToLower(s)
				if tls, ok := protocols[s]; ok && tls >= 0 && attrs.Get("tls") == nil {
					analyzers.Declare(el, "tls", tls == 1, n.Span, "protocol "+s)
				}
			}
			analyzers.Declare(el, k, s, n.Span, "")
		case "bool":
			b, ok := n.Bool()
			if !ok {
				r.Problem(n.Span, "attributes.%s of %s must be true or false", k, what)
				continue
			}
			analyzers.Declare(el, k, b, n.Span, "")
		case "port":
			v, ok := n.Int()
			if !ok || v < 1 || v > 65535 {
				r.Problem(n.Span, "attributes.port of %s must be a number from 1 to 65535", what)
				continue
			}
			analyzers.Declare(el, k, v, n.Span, "")
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
	l.at = p.Span()
	for _, it := range r.items(m, key, what) {
		c, ok := r.assets[it.Value]
		if !ok {
			r.Problem(it.Span, "%s refers to unknown asset %q", what, it.Value)
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
		analyzers.Declare(e, "data", l.ids, l.at, "")
	}
	if l.top != nil {
		analyzers.Declare(e, "classification", l.class.level, l.top.Span, l.class.note)
	}
}

// list returns the map items of the list under key in m; anything else is reported.
func (r *reader) list(m *yamlnode.Node, key string) []*yamlnode.Node {
	p, ok := m.Pair(key)
	if !ok || p.Value == nil || p.Value.Tag == "!!null" {
		return nil
	}
	if p.Value.Kind != yamlnode.Seq {
		r.Problem(p.Key.Span, "%s must be a list", key)
		return nil
	}
	var out []*yamlnode.Node
	for _, it := range p.Value.Items {
		if it != nil && it.Kind == yamlnode.Map {
			out = append(out, it)
		} else if it != nil {
			r.Problem(it.Span, "an item of %s must be a map", key)
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
		r.Problem(n.Span, "%s of %s must be a list", key, what)
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
		r.Problem(n.Span, "%s must be a map", what)
		return nil
	}
	r.CheckKeys(n, known, what)
	return n
}

// id returns the id of the definition m, reporting a missing one.
func (r *reader) id(m *yamlnode.Node, what string) (string, *yamlnode.Node) {
	id, n := r.Str(m, "id", what)
	if id == "" {
		r.Problem(head(m), "this %s has no id: it is left out", what)
	}
	return id, n
}

// claim takes id for an element, reporting an id taken before.
func (r *reader) claim(id string, n *yamlnode.Node, what string) bool {
	if id == "" {
		return false
	}
	if prev, dup := r.ids[id]; dup {
		r.Problem(n.Span, "duplicate id %q: it is already the id of a %s", id, prev)
		return false
	}
	r.ids[id] = what
	return true
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
		r.Problem(n.Span, "%s of %s must be a number from 0 to 100", key, what)
		return 0, nil
	}
	return v, n
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

// head is the first line of a definition m: its first entry.
func head(m *yamlnode.Node) model.Span {
	if len(m.Pairs) > 0 {
		return m.Pairs[0].Span()
	}
	return m.Span
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
	return strings.Trim(model.Separated(strings.ToLower(s), '_'), "_")
}
