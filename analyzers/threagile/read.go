package threagile

import (
	"fmt"
	"strings"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// The schema's property names of each object whose keys are checked.
var (
	topKeys = yamlnode.Keys("includes", "threagile_version", "title", "date", "author", "contributors",
		"management_summary_comment", "business_criticality", "application_description",
		"business_overview", "technical_overview", "questions", "abuse_cases",
		"security_requirements", "tags_available", "data_assets", "technical_assets",
		"trust_boundaries", "shared_runtimes", "individual_risk_categories", "risk_tracking",
		"diagram_tweak_suppress_edge_labels", "diagram_tweak_layout_left_to_right",
		"diagram_tweak_edge_layout", "diagram_tweak_nodesep", "diagram_tweak_ranksep",
		"diagram_tweak_invisible_connections_between_assets", "diagram_tweak_same_rank_assets")
	dataAssetKeys = yamlnode.Keys("id", "description", "usage", "tags", "origin", "owner", "quantity",
		"confidentiality", "integrity", "availability", "justification_cia_rating")
	assetKeys = yamlnode.Keys("id", "description", "type", "usage", "used_as_client_by_human",
		"out_of_scope", "justification_out_of_scope", "size", "technology", "technologies",
		"tags", "internet", "machine", "encryption", "owner", "confidentiality", "integrity",
		"availability", "justification_cia_rating", "multi_tenant", "redundant",
		"custom_developed_parts", "data_assets_processed", "data_assets_stored",
		"data_formats_accepted", "diagram_tweak_order", "communication_links")
	linkKeys = yamlnode.Keys("target", "description", "protocol", "authentication", "authorization",
		"tags", "vpn", "ip_filtered", "readonly", "usage", "data_assets_sent",
		"data_assets_received", "diagram_tweak_weight", "diagram_tweak_constraint")
	boundaryKeys = yamlnode.Keys("id", "description", "type", "tags", "technical_assets_inside",
		"trust_boundaries_nested")
	runtimeKeys = yamlnode.Keys("id", "description", "tags", "technical_assets_running")
)

// The schema's enums of the fields read.
var (
	assetTypes      = yamlnode.Keys("external-entity", "process", "datastore")
	encryptions     = yamlnode.Keys("none", "transparent", "data-with-symmetric-shared-key", "data-with-asymmetric-shared-key", "data-with-end-user-individual-key")
	authentications = yamlnode.Keys("none", "credentials", "session-id", "token", "client-certificate", "two-factor", "externalized")
	authorizations  = yamlnode.Keys("none", "technical-user", "end-user-identity-propagation")
	usages          = yamlnode.Keys("business", "devops")
	boundaryTypes   = yamlnode.Keys("network-on-prem", "network-dedicated-hoster", "network-virtual-lan",
		"network-cloud-provider", "network-cloud-security-group",
		"network-policy-namespace-isolation", "execution-environment")
)

// classes maps a Threagile confidentiality onto the model's classifications.
var classes = map[string]string{
	"public":                "public",
	"internal":              "internal",
	"restricted":            "confidential",
	"confidential":          "confidential",
	"strictly-confidential": "secret",
}

// protocol is how the model reads a Threagile protocol.
type protocol struct {
	name string // the model's protocol, lower case
	tls  bool   // encrypted in transit
	// local protocols do not cross a network (a library call, a local file): tls does not
	// apply to them and is left unset.
	local bool
}

// protocols maps every Threagile protocol but unknown-protocol. Encrypted are those Threagile
// itself counts as encrypted.
var protocols = map[string]protocol{
	"http":                                 {"http", false, false},
	"https":                                {"https", true, false},
	"ws":                                   {"ws", false, false},
	"wss":                                  {"wss", true, false},
	"reverse-proxy-web-protocol":           {"http", false, false},
	"reverse-proxy-web-protocol-encrypted": {"https", true, false},
	"mqtt":                                 {"mqtt", false, false},
	"jdbc":                                 {"jdbc", false, false},
	"jdbc-encrypted":                       {"jdbc", true, false},
	"odbc":                                 {"odbc", false, false},
	"odbc-encrypted":                       {"odbc", true, false},
	"sql-access-protocol":                  {"sql", false, false},
	"sql-access-protocol-encrypted":        {"sql", true, false},
	"nosql-access-protocol":                {"nosql", false, false},
	"nosql-access-protocol-encrypted":      {"nosql", true, false},
	"binary":                               {"tcp", false, false},
	"binary-encrypted":                     {"tcp", true, false},
	"text":                                 {"tcp", false, false},
	"text-encrypted":                       {"tcp", true, false},
	"ssh":                                  {"ssh", true, false},
	"ssh-tunnel":                           {"ssh", true, false},
	"smtp":                                 {"smtp", false, false},
	"smtp-encrypted":                       {"smtp", true, false},
	"pop3":                                 {"pop3", false, false},
	"pop3-encrypted":                       {"pop3", true, false},
	"imap":                                 {"imap", false, false},
	"imap-encrypted":                       {"imap", true, false},
	"ftp":                                  {"ftp", false, false},
	"ftps":                                 {"ftps", true, false},
	"sftp":                                 {"sftp", true, false},
	"scp":                                  {"scp", true, false},
	"ldap":                                 {"ldap", false, false},
	"ldaps":                                {"ldaps", true, false},
	"jms":                                  {"jms", false, false},
	"nfs":                                  {"nfs", false, false},
	"smb":                                  {"smb", false, false},
	"smb-encrypted":                        {"smb", true, false},
	"nrpe":                                 {"nrpe", false, false},
	"xmpp":                                 {"xmpp", false, false},
	"iiop":                                 {"iiop", false, false},
	"iiop-encrypted":                       {"iiop", true, false},
	"jrmp":                                 {"jrmp", false, false},
	"jrmp-encrypted":                       {"jrmp", true, false},
	"local-file-access":                    {"file", false, true},
	"in-process-library-call":              {"in-process", false, true},
	"inter-process-communication":          {"ipc", false, true},
	"container-spawning":                   {"container-spawning", false, true},
}

// categories maps the technology of a datastore onto the model's store category.
var categories = map[string]string{
	"database":                "database",
	"identity-store-database": "database",
	"file-server":             "file",
	"local-file-system":       "file",
	"block-storage":           "volume",
	"message-queue":           "queue",
	"vault":                   "secrets",
	"hsm":                     "secrets",
	"search-index":            "search",
	"search-engine":           "search",
	"data-lake":               "bucket",
}

// products maps the tags that name a product onto the model's technology: more precise than
// Threagile's technology types, as Threagile's documentation suggests tags be used.
var products = map[string]string{
	"postgres": "postgres", "postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql",
	"oracle": "oracle", "redis": "redis", "memcached": "memcached", "mongodb": "mongodb",
	"dynamodb": "dynamodb", "rabbitmq": "rabbitmq", "kafka": "kafka", "nginx": "nginx",
	"apache": "apache", "tomcat": "tomcat", "elasticsearch": "elasticsearch", "keycloak": "keycloak",
	"jenkins": "jenkins", "s3": "s3", "aws:s3": "s3", "lambda": "lambda", "ecs": "ecs", "eks": "eks",
	"ec2": "ec2", "aws:ec2": "ec2",
}

// filteringBoundaries are the boundary types that filter the traffic into them.
var filteringBoundaries = yamlnode.Keys("network-cloud-security-group", "network-policy-namespace-isolation")

// reader builds the elements of one file. It lives for one extract call.
type reader struct {
	yamlnode.Reader // the file's problems

	prefix string           // "threagile:<file>/"
	data   map[string]class // data assets by id
	assets map[string]*asset
	zones  map[string]*zone
	// Definitions in source order.
	assetList []*asset
	zoneList  []*zone
	runtimes  []yamlnode.Pair
	flows     []*model.Element
	flowIDs   map[string]bool
	// inside maps an asset id to the id of the boundary that lists it.
	inside map[string]string
	risks  []model.RiskEntry // risk_tracking entries about threatls's threats
}

type asset struct {
	id string
	m  *yamlnode.Node
	el *model.Element
}

type zone struct {
	id string
	m  *yamlnode.Node
	el *model.Element
	// parent is the id of the boundary that nests this one, parentAt where it says so.
	parent   string
	parentAt model.Span
}

// class is the classification of a data asset: a model classification ("" when the asset
// has no confidentiality) and why.
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
		prefix:  Name + ":" + file + "/",
		Reader:  yamlnode.Reader{Problems: problems},
		data:    map[string]class{},
		assets:  map[string]*asset{},
		zones:   map[string]*zone{},
		flowIDs: map[string]bool{},
		inside:  map[string]string{},
	}
	for _, d := range docs {
		r.document(d.Root)
	}
	r.resolve()
	r.resolveRisks()
	ff.Risks = r.risks
	for _, a := range r.assetList {
		ff.Elements = append(ff.Elements, a.el)
	}
	for _, z := range r.zoneList {
		ff.Elements = append(ff.Elements, z.el)
	}
	ff.Elements = append(ff.Elements, r.flows...)
	model.SortElements(ff.Elements)
	ignores, ps := analyzers.LineIgnores(src, file, []string{"#"}, analyzers.Spans(ff.Elements))
	ff.Ignores, ff.Problems = ignores, append(r.Problems, ps...)
	return ff
}

// document reads the definitions of one YAML document; references are resolved once every
// document is read.
func (r *reader) document(root *yamlnode.Node) {
	if root == nil {
		return
	}
	if root.Kind != yamlnode.Map {
		r.Problem(root.Span, "a Threagile model is a map of sections (title, data_assets, technical_assets, …)")
		return
	}
	r.CheckKeys(root, topKeys, "the model")
	if p, ok := root.Pair("includes"); ok && len(p.Value.Strings()) > 0 {
		r.Problem(p.Key.Span, "includes are not followed: what the included files define is missing from the model")
	}
	for _, p := range r.sections(root, "data_assets") {
		r.dataAsset(p)
	}
	for _, p := range r.sections(root, "technical_assets") {
		r.asset(p)
	}
	for _, p := range r.sections(root, "trust_boundaries") {
		r.boundary(p)
	}
	r.riskTracking(root)
	for _, p := range r.sections(root, "shared_runtimes") {
		if r.object(p, fmt.Sprintf("shared runtime %q", p.Key.Value), runtimeKeys) != nil {
			r.runtimes = append(r.runtimes, p)
		}
	}
}

func (r *reader) dataAsset(p yamlnode.Pair) {
	what := fmt.Sprintf("data asset %q", p.Key.Value)
	m := r.object(p, what, dataAssetKeys)
	id, idNode := r.id(p, m, what)
	if id == "" {
		return
	}
	if _, dup := r.data[id]; dup {
		r.Problem(idNode.Span, "duplicate data asset id %q", id)
		return
	}
	var c class
	if conf, _ := enum(r, m, "confidentiality", classes, what); conf != "" {
		c = class{classes[conf], fmt.Sprintf("data asset %s is %s", id, conf)}
	}
	for _, t := range m.Get("tags").Strings() {
		t = strings.ToLower(t)
		if (t == "pii" || t == "pci") && model.ClassRank(t) >= model.ClassRank(c.level) {
			c = class{t, fmt.Sprintf("data asset %s is tagged %s", id, t)}
		}
	}
	r.data[id] = c
}

func (r *reader) asset(p yamlnode.Pair) {
	title := p.Key.Value
	what := fmt.Sprintf("technical asset %q", title)
	m := r.object(p, what, assetKeys)
	id, idNode := r.id(p, m, what)
	if id == "" {
		return
	}
	if _, dup := r.assets[id]; dup {
		r.Problem(idNode.Span, "duplicate technical asset id %q", id)
		return
	}
	typ, typNode := enum(r, m, "type", assetTypes, what)
	if typ == "" {
		if typNode == nil {
			r.Problem(p.Key.Span, "%s has no type (process, datastore or external-entity): it is read as a process", what)
		}
		typ = "process"
	}
	kind := model.Component
	switch typ {
	case "datastore":
		kind = model.Store
	case "external-entity":
		kind = model.Actor
	}
	el := &model.Element{
		ID: r.prefix + id, Kind: kind, Type: "threagile_" + snake(typ), Name: title,
		Span: p.Span(), Head: p.Key.Span, Provenance: model.Documented, Aliases: analyzers.NameAliases(id, title),
	}
	tech, techNode := r.Str(m, "technology", what)
	if tech == "" {
		if items := r.items(m.Get("technologies"), "technologies of "+what); len(items) > 0 {
			tech, techNode = items[0].Value, items[0]
		}
	}
	if c := categories[tech]; c != "" && kind == model.Store {
		analyzers.Declare(el, "category", c, techNode.Span, "technology "+tech)
	}
	product := ""
	for _, it := range r.items(m.Get("tags"), "tags of "+what) {
		if product = products[strings.ToLower(it.Value)]; product != "" {
			analyzers.Declare(el, "technology", product, it.Span, "tag "+it.Value)
			break
		}
	}
	if product == "" && tech != "" && tech != "unknown-technology" {
		analyzers.Declare(el, "technology", tech, techNode.Span, "")
	}
	if b, n := r.Bool(m, "internet", what); n != nil {
		analyzers.Declare(el, "internet_facing", b, n.Span, "")
	}
	if b, n := r.Bool(m, "out_of_scope", what); n != nil {
		analyzers.Declare(el, "in_scope", !b, n.Span, fmt.Sprintf("out_of_scope: %t", b))
	}
	if s, n := r.Str(m, "owner", what); s != "" {
		analyzers.Declare(el, "owner", s, n.Span, "")
	}
	if e, n := enum(r, m, "encryption", encryptions, what); e != "" {
		analyzers.Declare(el, "encrypted_at_rest", e != "none", n.Span, "encryption: "+e)
	}
	a := &asset{id: id, m: m, el: el}
	r.assets[id] = a
	r.assetList = append(r.assetList, a)
}

func (r *reader) boundary(p yamlnode.Pair) {
	title := p.Key.Value
	what := fmt.Sprintf("trust boundary %q", title)
	m := r.object(p, what, boundaryKeys)
	id, idNode := r.id(p, m, what)
	if id == "" {
		return
	}
	if _, dup := r.zones[id]; dup {
		r.Problem(idNode.Span, "duplicate trust boundary id %q", id)
		return
	}
	typ, typNode := enum(r, m, "type", boundaryTypes, what)
	el := &model.Element{
		ID: r.prefix + "zone:" + id, Kind: model.Zone, Type: "threagile_trust_boundary", Name: title,
		Span: p.Span(), Head: p.Key.Span, Provenance: model.Documented, Aliases: analyzers.NameAliases(id, title),
	}
	if typ != "" {
		el.Type = "threagile_" + snake(typ)
	}
	named := func(word string) (model.Span, bool) {
		if strings.Contains(strings.ToLower(title), word) {
			return p.Key.Span, true
		}
		return idNode.Span, strings.Contains(strings.ToLower(id), word)
	}
	if at, ok := named("internet"); ok {
		analyzers.Declare(el, "trust", "internet", at, "the boundary is named for the internet")
	} else if at, ok := named("dmz"); ok {
		analyzers.Declare(el, "trust", "dmz", at, "the boundary is named a DMZ")
	} else if typ != "" {
		analyzers.Declare(el, "trust", "internal", typNode.Span, "type "+typ+": a boundary around the system's own assets")
	} else {
		el.Default("trust", "internal", "a trust boundary encloses the system's own assets")
	}
	if filteringBoundaries[typ] {
		analyzers.Declare(el, "segmented", true, typNode.Span, "type "+typ+" filters the traffic into the boundary")
	}
	z := &zone{id: id, m: m, el: el}
	r.zones[id] = z
	r.zoneList = append(r.zoneList, z)
}

// resolve follows the references between definitions: data assets stored and carried, link
// targets, the assets inside boundaries and the boundaries nested in them.
func (r *reader) resolve() {
	for _, a := range r.assetList {
		what := fmt.Sprintf("technical asset %q", a.el.Name)
		r.dataRefs(a.m, "data_assets_processed", what)
		stored := r.dataRefs(a.m, "data_assets_stored", what)
		stored.declare(a.el)
		r.links(a)
	}
	for _, z := range r.zoneList {
		what := fmt.Sprintf("trust boundary %q", z.el.Name)
		for _, it := range r.items(z.m.Get("technical_assets_inside"), "technical_assets_inside of "+what) {
			a, ok := r.assets[it.Value]
			switch {
			case !ok:
				r.Problem(it.Span, "%s lists unknown technical asset %q", what, it.Value)
			case r.inside[a.id] != "":
				r.Problem(it.Span, "technical asset %q is already inside trust boundary %q", a.id, r.inside[a.id])
			default:
				r.inside[a.id] = z.id
				analyzers.Declare(a.el, "zone", z.el.ID, it.Span, "inside trust boundary "+z.id)
			}
		}
		for _, it := range r.items(z.m.Get("trust_boundaries_nested"), "trust_boundaries_nested of "+what) {
			c, ok := r.zones[it.Value]
			switch {
			case !ok:
				r.Problem(it.Span, "%s nests unknown trust boundary %q", what, it.Value)
			case c.parent != "":
				r.Problem(it.Span, "trust boundary %q is already nested in %q", c.id, c.parent)
			default:
				c.parent, c.parentAt = z.id, it.Span
			}
		}
	}
	// A nesting cycle is reported at the entry that closes it, which is dropped.
	zoneParent := func(id string) string { return r.zones[id].parent }
	for _, z := range r.zoneList {
		if cycle := analyzers.Cycle(z.id, zoneParent, len(r.zoneList)); cycle != nil {
			r.Problem(z.parentAt, "trust boundaries are nested in a cycle: %s", strings.Join(cycle, " → "))
			z.parent = ""
		}
	}
	for _, z := range r.zoneList {
		if z.parent != "" {
			analyzers.Declare(z.el, "parent", r.zones[z.parent].el.ID, z.parentAt, "nested in trust boundary "+z.parent)
		}
	}
	for _, p := range r.runtimes {
		what := fmt.Sprintf("shared runtime %q", p.Key.Value)
		for _, it := range r.items(p.Value.Get("technical_assets_running"), "technical_assets_running of "+what) {
			if r.assets[it.Value] == nil {
				r.Problem(it.Span, "%s runs unknown technical asset %q", what, it.Value)
			}
		}
	}
}

// links reads the communication links of a into flows.
func (r *reader) links(a *asset) {
	for _, p := range r.sections(a.m, "communication_links") {
		title := p.Key.Value
		what := fmt.Sprintf("communication link %q of %q", title, a.el.Name)
		m := r.object(p, what, linkKeys)
		if m == nil {
			continue
		}
		lid := linkID(title)
		id := a.el.ID + "/" + lid
		if lid == "" || r.flowIDs[id] {
			r.Problem(p.Key.Span, "%s needs a title of its own: its id %q is empty or taken", what, lid)
			continue
		}
		r.flowIDs[id] = true
		target, tn := r.Str(m, "target", what)
		if target == "" {
			r.Problem(p.Key.Span, "%s has no target", what)
			continue
		}
		to, ok := r.assets[target]
		if !ok {
			r.Problem(tn.Span, "communication link %q targets unknown asset %q", title, target)
			continue
		}
		el := &model.Element{
			ID: id, Kind: model.Flow, Type: "threagile_communication_link", Name: title,
			Span: p.Span(), Head: p.Key.Span, From: a.el.ID, To: to.el.ID, Provenance: model.Documented,
		}
		if n := m.Get("protocol"); n != nil && n.Value == "unknown-protocol" {
			el.SetUnknown("protocol", n.Span, "protocol: unknown-protocol")
		} else if v, n := enum(r, m, "protocol", protocols, what); v != "" {
			pr := protocols[v]
			analyzers.Declare(el, "protocol", pr.name, n.Span, "protocol: "+v)
			if !pr.local {
				analyzers.Declare(el, "tls", pr.tls, n.Span, "protocol: "+v)
			}
		}
		if v, n := enum(r, m, "authentication", authentications, what); v != "" {
			analyzers.Declare(el, "authenticated", v != "none", n.Span, "authentication: "+v)
		}
		if v, n := enum(r, m, "authorization", authorizations, what); v != "" {
			analyzers.Declare(el, "authorization", v, n.Span, "")
		}
		for _, k := range []string{"vpn", "ip_filtered", "readonly"} {
			if b, n := r.Bool(m, k, what); n != nil {
				analyzers.Declare(el, k, b, n.Span, "")
			}
		}
		if v, n := enum(r, m, "usage", usages, what); v != "" {
			analyzers.Declare(el, "usage", v, n.Span, "")
		}
		sent := r.dataRefs(m, "data_assets_sent", what)
		recv := r.dataRefs(m, "data_assets_received", what)
		if len(sent.ids) > 0 {
			analyzers.Declare(el, "data", sent.ids, sent.at, "")
		}
		if len(recv.ids) > 0 {
			analyzers.Declare(el, "data_received", recv.ids, recv.at, "")
		}
		if recv.top != nil && (sent.top == nil || model.ClassRank(recv.class.level) > model.ClassRank(sent.class.level)) {
			sent.top, sent.class = recv.top, recv.class
		}
		if sent.top != nil {
			analyzers.Declare(el, "classification", sent.class.level, sent.top.Span, sent.class.note)
		}
		r.flows = append(r.flows, el)
	}
}

// dataList is a list of data asset ids read from a definition.
type dataList struct {
	ids []any      // the ids of known data assets
	at  model.Span // the key and its list
	// top is the item naming the most sensitive data asset (the first of equals), class its
	// classification; nil when no asset listed has one.
	top   *yamlnode.Node
	class class
}

// dataRefs reads the data asset ids listed under key in m; unknown ids are reported.
func (r *reader) dataRefs(m *yamlnode.Node, key, what string) dataList {
	var l dataList
	p, ok := m.Pair(key)
	if !ok {
		return l
	}
	l.at = p.Span()
	for _, it := range r.items(p.Value, key+" of "+what) {
		c, ok := r.data[it.Value]
		if !ok {
			r.Problem(it.Span, "%s refers to unknown data asset %q", what, it.Value)
			continue
		}
		l.ids = append(l.ids, it.Value)
		if c.level != "" && (l.top == nil || model.ClassRank(c.level) > model.ClassRank(l.class.level)) {
			l.top, l.class = it, c
		}
	}
	return l
}

// declare sets data and classification on a store or component from the data it stores.
func (l dataList) declare(e *model.Element) {
	if len(l.ids) > 0 {
		analyzers.Declare(e, "data", l.ids, l.at, "")
	}
	if l.top != nil {
		analyzers.Declare(e, "classification", l.class.level, l.top.Span, l.class.note)
	}
}

// sections returns the entries of the map under key in m (titles to definitions).
func (r *reader) sections(m *yamlnode.Node, key string) []yamlnode.Pair {
	p, ok := m.Pair(key)
	if !ok || p.Value == nil || p.Value.Tag == "!!null" {
		return nil
	}
	if p.Value.Kind != yamlnode.Map {
		r.Problem(p.Key.Span, "%s must be a map of titles to definitions", key)
		return nil
	}
	return p.Value.Entries()
}

// object returns the map defining p's title, with its keys checked, or nil.
func (r *reader) object(p yamlnode.Pair, what string, known map[string]bool) *yamlnode.Node {
	if p.Value == nil || p.Value.Kind != yamlnode.Map {
		r.Problem(p.Key.Span, "%s must be a map of its properties", what)
		return nil
	}
	r.CheckKeys(p.Value, known, what)
	return p.Value
}

// id returns the id of the definition m of p, reporting a missing one.
func (r *reader) id(p yamlnode.Pair, m *yamlnode.Node, what string) (string, *yamlnode.Node) {
	if m == nil {
		return "", nil
	}
	id, n := r.Str(m, "id", what)
	if id == "" {
		r.Problem(p.Key.Span, "%s has no id: it is left out", what)
	}
	return id, n
}

// enum returns the value under key in m if allowed holds it; a value it does not hold is
// reported and returned as "". The node is nil when the key is absent or null.
func enum[V any](r *reader, m *yamlnode.Node, key string, allowed map[string]V, what string) (string, *yamlnode.Node) {
	s, n := r.Str(m, key, what)
	if s == "" {
		return "", n
	}
	if _, ok := allowed[s]; !ok {
		r.Problem(n.Span, "unknown %s %q in %s", key, s, what)
		return "", n
	}
	return s, n
}

// items returns the string items of a list (of ids, of technologies); anything else is
// reported.
func (r *reader) items(n *yamlnode.Node, what string) []*yamlnode.Node {
	if n == nil || n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yamlnode.Seq {
		r.Problem(n.Span, "%s must be a list", what)
		return nil
	}
	var out []*yamlnode.Node
	for _, it := range n.Items {
		if s, ok := it.Str(); ok && s != "" {
			out = append(out, it)
		} else if it != nil {
			r.Problem(it.Span, "an item of %s must be a string", what)
		}
	}
	return out
}

// linkID derives a communication link's id from its title as Threagile does.
func linkID(title string) string {
	return strings.Trim(model.Separated(strings.ToLower(title), '-'), "-")
}

func snake(s string) string { return strings.ReplaceAll(s, "-", "_") }
