package model

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// BuildOptions are what Build needs from outside the model.
type BuildOptions struct {
	// Classify returns the classification of a store or component that has none, and a note
	// saying which rule decided it; "" when no rule applies. Nil classifies nothing.
	Classify func(el *Element) (class, note string)
}

// Builder builds graphs one edit after another, reusing what did not change: an element
// whose inputs are the same elements (pointer for pointer) as in the previous build is the
// same *Element in the new graph, so that evaluation caches keyed by element stay valid.
// A Builder is not safe for concurrent use.
type Builder struct {
	memo map[string]*Element // derived elements of the previous build, by their inputs
	next map[string]*Element
}

// formatOrder ranks the formats of inferred elements: the first member of a fused element in
// this order gives it its ID.
var formatOrder = map[string]int{"terraform": 0, "kubernetes": 1, "compose": 2, "dockerfile": 3}

// Format returns the format part of an element ID: "terraform" for "terraform:./aws_s3_bucket.b".
func Format(id string) string {
	f, _, _ := strings.Cut(id, ":")
	return f
}

// maxHops bounds attack paths; maxPaths bounds how many are kept (the riskiest).
const (
	maxHops  = 8
	maxPaths = 500
)

// Build fuses the elements of every analyzer into one graph and derives the system's views:
// references resolved, fused elements (see docs/model.md), zones and boundary crossings,
// drift between documented and inferred elements, reachability from the internet and attack
// paths. What cannot be resolved is reported in Graph.Problems, never a failure.
func (b *Builder) Build(elements []*Element, opts BuildOptions) *Graph {
	b.next = map[string]*Element{}
	defer func() { b.memo, b.next = b.next, nil }()
	g := &Graph{byID: map[string]*Element{}, types: map[string]int{}}
	s := &sys{b: b, g: g, opts: opts}
	s.fuseNodes(elements)
	s.resolveFlows()
	s.zones()
	s.drift()
	s.index()
	s.paths()
	SortElements(g.elements)
	return g
}

// NewGraph builds a graph with no options and no previous build.
func NewGraph(elements []*Element) *Graph {
	return (&Builder{}).Build(elements, BuildOptions{})
}

type sys struct {
	b    *Builder
	g    *Graph
	opts BuildOptions
	// nodes are the fused components, stores, actors, zones and controls; flows the raw flows.
	nodes []*Element
	flows []*Element
	// fusedOf maps every member ID to the ID of the element it fused into.
	fusedOf map[string]string
	// aliases maps an alias to the fused nodes carrying it.
	aliases map[string][]*Element
	// members keeps the members of each fused node, in order.
	members map[string][]*Element
}

// memo returns the element built before from the same key, or builds it.
func (s *sys) memo(key string, build func() *Element) *Element {
	if el, ok := s.b.memo[key]; ok {
		s.b.next[key] = el
		return el
	}
	if el, ok := s.b.next[key]; ok {
		return el
	}
	el := build()
	s.b.next[key] = el
	return el
}

func ptrKey(els ...*Element) string {
	var sb strings.Builder
	for _, e := range els {
		fmt.Fprintf(&sb, "%p,", e)
	}
	return sb.String()
}

func rank(e *Element) int {
	switch e.Provenance {
	case Documented:
		return 100
	case Configured:
		return 200
	}
	if r, ok := formatOrder[Format(e.ID)]; ok {
		return r
	}
	return 50
}

// fuseNodes groups the non-flow elements that describe one thing and merges each group.
func (s *sys) fuseNodes(elements []*Element) {
	s.fusedOf = map[string]string{}
	s.aliases = map[string][]*Element{}
	s.members = map[string][]*Element{}
	seen := map[string]*Element{}
	var nodes []*Element
	for _, e := range elements {
		if e == nil || e.ID == "" {
			continue
		}
		if _, dup := seen[e.ID]; dup {
			continue // the internet actor, created by every analyzer that sees it
		}
		seen[e.ID] = e
		switch e.Kind {
		case Flow:
			s.flows = append(s.flows, e)
		case Path:
		default:
			nodes = append(nodes, e)
		}
	}
	sort.SliceStable(nodes, func(i, j int) bool {
		if ri, rj := rank(nodes[i]), rank(nodes[j]); ri != rj {
			return ri < rj
		}
		return nodes[i].ID < nodes[j].ID
	})
	// Union-find over nodes sharing an alias, across formats, within a family of kinds.
	parent := make([]int, len(nodes))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	type slot struct{ alias, family string }
	byAlias := map[slot][]int{}
	for i, e := range nodes {
		fam := family(e.Kind)
		if fam == "" && e.Provenance != Configured {
			continue // controls are not fused
		}
		for _, a := range aliasesOf(e) {
			byAlias[slot{a, fam}] = append(byAlias[slot{a, fam}], i)
		}
	}
	// Unions never put two elements of one format in a group: each format describes a thing
	// once, so a second element of the same format is another thing that merely shares a
	// name (a secret "db" beside a database "orders-db" that a diagram calls "db").
	formats := make([]map[string]bool, len(nodes))
	for i, e := range nodes {
		formats[i] = map[string]bool{Format(e.ID): true}
	}
	union := func(a, b int) {
		ra, rb := find(a), find(b)
		if ra == rb {
			return
		}
		for f := range formats[rb] {
			if formats[ra][f] {
				return
			}
		}
		parent[rb] = ra
		for f := range formats[rb] {
			formats[ra][f] = true
		}
	}
	slots := make([]slot, 0, len(byAlias))
	for k := range byAlias {
		slots = append(slots, k)
	}
	// The most specific names first: "name:ordersdb" decides before "name:db".
	sort.Slice(slots, func(i, j int) bool {
		if len(slots[i].alias) != len(slots[j].alias) {
			return len(slots[i].alias) > len(slots[j].alias)
		}
		if slots[i].alias != slots[j].alias {
			return slots[i].alias < slots[j].alias
		}
		return slots[i].family < slots[j].family
	})
	for _, k := range slots {
		idx := byAlias[k]
		if len(idx) < 2 || k.family == "" {
			continue
		}
		// One element per format: a format with two elements of the alias is ambiguous there.
		perFormat := map[string][]int{}
		for _, i := range idx {
			f := Format(nodes[i].ID)
			perFormat[f] = append(perFormat[f], i)
		}
		var pick []int
		for _, i := range idx {
			if len(perFormat[Format(nodes[i].ID)]) == 1 {
				pick = append(pick, i)
			}
		}
		for _, i := range pick[min(1, len(pick)):] {
			union(pick[0], i)
		}
	}
	// Configured entries without a kind attach to what they name, once the formats are fused.
	for i, e := range nodes {
		if e.Provenance != Configured || e.Kind != "" {
			continue
		}
		for _, a := range aliasesOf(e) {
			for _, fam := range []string{"node", "actor", "zone"} {
				for _, j := range byAlias[slot{a, fam}] {
					if j != i {
						union(j, i)
					}
				}
			}
		}
	}
	groups := map[int][]*Element{}
	var roots []int
	for i := range nodes {
		r := find(i)
		if _, ok := groups[r]; !ok {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], nodes[i])
	}
	for _, r := range roots {
		ms := groups[r]
		sort.SliceStable(ms, func(i, j int) bool { return rank(ms[i]) < rank(ms[j]) })
		if ms[0].Kind == "" { // only overrides: they match nothing
			for _, m := range ms {
				s.g.problems = append(s.g.problems, Problem{Span: m.Head,
					Message: fmt.Sprintf("%s matches no element of the workspace (by ID, name or alias); give it a kind to declare it", m.Name)})
			}
			continue
		}
		el := ms[0]
		if len(ms) > 1 {
			el = s.memo("fuse:"+ptrKey(ms...), func() *Element { return fuse(ms) })
		}
		el = s.classify(el)
		s.members[el.ID] = ms
		for _, m := range ms {
			s.fusedOf[m.ID] = el.ID
		}
		s.nodes = append(s.nodes, el)
		for _, a := range el.Aliases {
			s.aliases[a] = append(s.aliases[a], el)
		}
	}
}

// family groups kinds that may fuse: a diagram's component may be a manifest's store.
func family(k Kind) string {
	switch k {
	case Component, Store:
		return "node"
	case Actor:
		return "actor"
	case Zone:
		return "zone"
	}
	return ""
}

// aliasesOf returns e's aliases, its ID as an alias ("id:…"), its name as an alias, and for
// the internet actor "name:internet".
func aliasesOf(e *Element) []string {
	out := []string{"id:" + e.ID}
	add := func(a string) {
		if a != "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	for _, a := range e.Aliases {
		add(a)
	}
	add(NameAlias(e.Name)) // its name as users write it: aws_subnet.private, api.stripe.com
	if e.ID == Internet {
		add(NameAlias("internet"))
	}
	return out
}

// fuse merges the members of one group, the first giving ID, kind and location.
func fuse(ms []*Element) *Element {
	p := ms[0]
	el := &Element{ID: p.ID, Kind: p.Kind, Type: p.Type, Name: p.Name, Span: p.Span, Head: p.Head,
		Parent: p.Parent, Provenance: p.Provenance, Attrs: map[string]Attr{}}
	if p.Provenance == Configured && p.Kind == "" {
		for _, m := range ms {
			if m.Kind != "" {
				el.Kind = m.Kind
			}
		}
	}
	aliases := map[string]bool{}
	for _, m := range ms {
		el.Members = append(el.Members, m.ID)
		el.Sources = append(el.Sources, m.Span)
		el.Related = append(el.Related, m.Related...)
		if m != p {
			el.Related = append(el.Related, Related{Span: m.Head, Message: "also described here: " + m.Name})
		}
		for _, a := range m.Aliases {
			if !aliases[a] {
				aliases[a] = true
				el.Aliases = append(el.Aliases, a)
			}
		}
		for k, a := range m.Attrs {
			cur, ok := el.Attrs[k]
			switch {
			case !ok, m.Provenance == Configured:
				el.Attrs[k] = a
			case m.Provenance == Documented && cur.Origin != Unknown:
				// A document never overrides what runs: a disagreement is drift.
			case weak(cur.Origin) && !weak(a.Origin):
				el.Attrs[k] = a
			}
		}
	}
	return el
}

func weak(o Origin) bool { return o == Defaulted || o == Unknown }

// classify gives a store or component without a classification the one opts.Classify finds.
func (s *sys) classify(el *Element) *Element {
	if s.opts.Classify == nil || (el.Kind != Store && el.Kind != Component) {
		return el
	}
	if a, ok := el.Attrs["classification"]; ok && !weak(a.Origin) {
		return el
	}
	return s.memo("class:"+ptrKey(el), func() *Element {
		class, note := s.opts.Classify(el)
		if class == "" && el.Kind != Store {
			return el
		}
		if class == "" {
			class, note = "internal", "nothing says what it holds: internal unless threatls.yaml says otherwise"
		}
		c := el.clone()
		c.Attrs["classification"] = Attr{Value: class, Origin: Defaulted, Span: el.Head, Note: note}
		return c
	})
}

// clone copies e with its own attribute map (everything else is shared and immutable).
func (e *Element) clone() *Element {
	c := *e
	c.Attrs = make(map[string]Attr, len(e.Attrs)+4)
	for k, v := range e.Attrs {
		c.Attrs[k] = v
	}
	return &c
}

// resolve maps an endpoint (an ID, a member's ID or a reference) to a fused node's ID.
func (s *sys) resolve(id string) (string, bool) {
	if f, ok := s.fusedOf[id]; ok {
		return f, true
	}
	alias, ok := RefAlias(id)
	if !ok {
		return id, false
	}
	var best *Element
	for _, e := range s.aliases[alias] {
		if best == nil || refRank(e) < refRank(best) {
			best = e
		}
	}
	if best == nil {
		return id, false
	}
	return best.ID, true
}

func refRank(e *Element) int {
	switch e.Kind {
	case Component, Store:
		return 0
	case Actor:
		return 1
	}
	return 2
}

// resolveFlows points flows at fused nodes, adds an actor for what a reference names but the
// workspace does not define, and fuses flows that several formats describe.
func (s *sys) resolveFlows() {
	byNode := map[string]*Element{}
	for _, n := range s.nodes {
		byNode[n.ID] = n
	}
	type pair struct{ from, to string }
	groups := map[pair][]*Element{}
	var order []pair
	for _, f := range s.flows {
		from, okF := s.resolve(f.From)
		to, okT := s.resolve(f.To)
		for _, end := range []struct {
			id *string
			ok bool
		}{{&from, okF}, {&to, okT}} {
			if end.ok || byNode[*end.id] != nil {
				continue
			}
			alias, isRef := RefAlias(*end.id)
			if f.Provenance == Configured {
				s.g.problems = append(s.g.problems, Problem{Span: f.Head,
					Message: fmt.Sprintf("flow %s: %s is not an element of the workspace", f.Name, strings.TrimPrefix(strings.TrimPrefix(*end.id, "ref:"), "name:"))})
				*end.id = ""
				continue
			}
			if !isRef {
				continue // an end outside the workspace (a rule of a group defined elsewhere): kept as written
			}
			// A service named but not defined here: keep the flow, towards an actor.
			name := strings.TrimPrefix(alias, "name:")
			id := "actor:" + name
			if byNode[id] == nil {
				a := s.memo("unresolved:"+id+ptrKey(f), func() *Element {
					a := &Element{ID: id, Kind: Actor, Type: "unresolved", Name: name, Span: f.Span, Head: f.Head,
						Aliases: []string{alias}}
					a.Default("in_scope", false, "named by "+f.Name+" but not defined in the workspace")
					return a
				})
				byNode[id] = a
				s.nodes = append(s.nodes, a)
			}
			*end.id = id
		}
		if (from == "" || to == "") && f.Provenance == Configured {
			continue
		}
		p := pair{from, to}
		if _, ok := groups[p]; !ok {
			order = append(order, p)
		}
		groups[p] = append(groups[p], s.retarget(f, from, to))
	}
	s.flows = s.flows[:0]
	for _, p := range order {
		s.flows = append(s.flows, s.fuseFlows(groups[p])...)
	}
	for _, n := range s.nodes {
		s.g.add(n)
	}
}

// retarget returns f with the given endpoints (f itself when they are its own).
func (s *sys) retarget(f *Element, from, to string) *Element {
	if f.From == from && f.To == to {
		return f
	}
	return s.memo("flow:"+ptrKey(f)+from+">"+to, func() *Element {
		c := f.clone()
		c.From, c.To = from, to
		return c
	})
}

// fuseFlows fuses the flows between one pair of nodes: each documented or configured flow
// joins the first inferred flow of a compatible port; what stays apart is returned as is.
// Flows of one format stay apart (two variables may name the same service).
func (s *sys) fuseFlows(fs []*Element) []*Element {
	if len(fs) == 1 {
		return fs
	}
	var out []*Element
	joined := map[*Element][]*Element{}
	for _, f := range fs {
		var into *Element
		for _, o := range out {
			if Format(o.ID) != Format(f.ID) && o.From != "" && o.To != "" && portsAgree(o, f) {
				into = o
				break
			}
		}
		if into == nil {
			out = append(out, f)
			continue
		}
		joined[into] = append(joined[into], f)
	}
	for i, o := range out {
		if ms := joined[o]; len(ms) > 0 {
			all := append([]*Element{o}, ms...)
			sort.SliceStable(all, func(a, b int) bool { return rank(all[a]) < rank(all[b]) })
			out[i] = s.memo("fuseflow:"+ptrKey(all...), func() *Element {
				f := fuse(all)
				f.From, f.To = o.From, o.To
				return f
			})
			for _, m := range all {
				s.fusedOf[m.ID] = out[i].ID
			}
			s.members[out[i].ID] = all
		}
	}
	return out
}

func portsAgree(a, b *Element) bool {
	pa, okA := a.Attrs["port"]
	pb, okB := b.Attrs["port"]
	if !okA || !okB || pa.Value == nil || pb.Value == nil {
		return true
	}
	return pa.Value == pb.Value
}

// zones resolves each node's zone, creates the internet's zone, and derives the zone
// attributes of flows: from_zone, to_zone, from_trust, to_trust, crosses_boundary.
func (s *sys) zones() {
	g := s.g
	zoneOf := map[string]string{}
	needInternet := false
	for i, n := range s.nodes {
		if n.Kind == Zone {
			if a, ok := n.Attrs["parent"]; ok {
				if v, ok := a.Value.(string); ok {
					if r, ok := s.resolveZone(v); ok && r != v {
						s.nodes[i] = s.memo("zparent:"+ptrKey(n)+r, func() *Element {
							c := n.clone()
							a.Value = r
							c.Attrs["parent"] = a
							return c
						})
						g.byID[n.ID] = s.nodes[i]
					}
				}
			}
			continue
		}
		z := ""
		if a, ok := n.Attrs["zone"]; ok {
			z, _ = a.Value.(string)
		}
		if n.ID == Internet || (n.Kind == Actor && z == "" && n.Type == "internet") {
			z = InternetZone
		}
		if z == "" {
			continue
		}
		if r, ok := s.resolveZone(z); ok {
			z = r
		}
		if z == InternetZone {
			needInternet = true
		}
		zoneOf[n.ID] = z
	}
	if needInternet && g.byID[InternetZone] == nil {
		span := Span{}
		if in := g.byID[Internet]; in != nil {
			span = in.Head
		}
		z := s.memo("internetzone:"+span.String(), func() *Element {
			z := &Element{ID: InternetZone, Kind: Zone, Type: "internet", Name: "internet", Span: span, Head: span}
			z.Default("trust", "internet", "the internet is the least trusted zone")
			z.Default("in_scope", false, "outside the system")
			return z
		})
		s.nodes = append(s.nodes, z)
		g.add(z)
	}
	g.zoneOf = zoneOf
	for i, f := range s.flows {
		fz, tz := zoneOf[f.From], zoneOf[f.To]
		ft, tt := s.trust(fz), s.trust(tz)
		crosses := fz != tz && fz != "" && tz != ""
		key := fmt.Sprintf("fz:%p|%s|%s|%s|%s", f, fz, tz, ft, tt)
		s.flows[i] = s.memo(key, func() *Element {
			c := f.clone()
			derive := func(name string, v any) {
				c.Attrs[name] = Attr{Value: v, Origin: Defaulted, Span: f.Head, Note: "derived from the zones of the flow's ends"}
			}
			if fz != "" {
				derive("from_zone", fz)
				derive("from_trust", ft)
			}
			if tz != "" {
				derive("to_zone", tz)
				derive("to_trust", tt)
			}
			if fz != "" && tz != "" {
				derive("crosses_boundary", crosses)
			}
			return c
		})
	}
}

// resolveZone maps a zone reference (an ID, a member ID or a ref) to the fused zone's ID.
func (s *sys) resolveZone(z string) (string, bool) {
	if z == InternetZone {
		return z, true
	}
	if r, ok := s.resolve(z); ok {
		return r, true
	}
	if alias, ok := RefAlias(z); ok {
		for _, e := range s.aliases[alias] {
			if e.Kind == Zone {
				return e.ID, true
			}
		}
		if alias == NameAlias("internet") {
			return InternetZone, true
		}
	}
	return z, s.g.byID[z] != nil
}

func (s *sys) trust(zone string) string {
	if zone == "" {
		return ""
	}
	if z := s.g.byID[zone]; z != nil {
		if t, ok := z.Attrs["trust"].Value.(string); ok {
			return t
		}
	}
	return ""
}

// drift compares documented elements with what the workspace shows and records each
// disagreement as an attribute spanning the document's line, for the library to report.
func (s *sys) drift() {
	documented := func(id string) *Element {
		for _, m := range s.members[id] {
			if m.Provenance == Documented {
				return m
			}
		}
		return nil
	}
	inferred := func(id string) bool {
		ms := s.members[id]
		if len(ms) == 0 {
			e := s.g.byID[id]
			return e != nil && e.Provenance == Inferred
		}
		for _, m := range ms {
			if m.Provenance == Inferred {
				return true
			}
		}
		return false
	}
	anyInferred := false
	for _, n := range s.nodes {
		if n.Provenance == Inferred && n.Kind != Zone && n.ID != Internet && Format(n.ID) != "actor" {
			anyInferred = true
			break
		}
	}
	if !anyInferred {
		return // a repository of documents only: nothing to drift from
	}
	set := func(el *Element, name string, at Span, note string) *Element {
		return s.memo("drift:"+name+ptrKey(el)+at.String(), func() *Element {
			c := el.clone()
			c.Attrs[name] = Attr{Value: true, Origin: Read, Span: at, Note: note}
			return c
		})
	}
	for i, n := range s.nodes {
		if n.Kind == Zone {
			continue
		}
		d := documented(n.ID)
		switch {
		case d != nil && !inferred(n.ID) && n.ID != Internet && n.Kind != Actor:
			s.nodes[i] = set(n, "not_implemented", d.Head, d.Name+" is in the design ("+d.Span.File+") but nothing in the workspace implements it")
		case d != nil && inferred(n.ID):
			dz, _ := d.Attrs["zone"].Value.(string)
			if dz == "" {
				continue
			}
			dzr, _ := s.resolveZone(dz)
			iz := s.g.zoneOf[n.ID]
			// Only a zone the workspace knows too can disagree: a subgraph that matches no
			// namespace, network or subnet says nothing the workspace could contradict.
			if iz != "" && dzr != iz && s.documentedZone(iz) != dzr && inferred(dzr) {
				zn := func(id string) string {
					if z := s.g.byID[id]; z != nil {
						return z.Name
					}
					return id
				}
				s.nodes[i] = set(n, "zone_drift", d.Attrs["zone"].Span,
					fmt.Sprintf("the design puts %s in %s; the workspace puts it in %s", d.Name, zn(dzr), zn(iz)))
			}
		}
		s.g.byID[s.nodes[i].ID] = s.nodes[i]
	}
	for i, f := range s.flows {
		ms := s.members[f.ID]
		if len(ms) == 0 {
			ms = []*Element{f}
		}
		var doc *Element
		inf := false
		for _, m := range ms {
			if m.Provenance == Documented && doc == nil {
				doc = m
			}
			if m.Provenance == Inferred {
				inf = true
			}
		}
		switch {
		case doc != nil && !inf && inferred(f.From) && inferred(f.To):
			s.flows[i] = set(f, "not_implemented", doc.Head, "the design shows this flow; nothing in the workspace implements it")
		case doc == nil && inf:
			df, dt := documented(f.From), documented(f.To)
			if df != nil && dt != nil && df.Span.File == dt.Span.File {
				s.flows[i] = set(f, "undocumented", df.Head,
					fmt.Sprintf("%s → %s exists in the workspace but not in %s", s.name(f.From), s.name(f.To), df.Span.File))
			}
		}
	}
}

// documentedZone returns the zone a documented zone fused with, to compare zones across
// formats: an inferred zone fused with a subgraph compares equal to it.
func (s *sys) documentedZone(id string) string {
	return s.fusedOf[id]
}

func (s *sys) name(id string) string {
	if e := s.g.byID[id]; e != nil {
		return e.Name
	}
	return id
}

// index adds the flows and the adjacency.
func (s *sys) index() {
	g := s.g
	for _, n := range s.nodes {
		g.add(n) // replaces earlier versions (drift, zone parents)
	}
	g.elements = g.elements[:0]
	seen := map[string]bool{}
	for _, n := range s.nodes {
		if !seen[n.ID] {
			seen[n.ID] = true
			g.elements = append(g.elements, g.byID[n.ID])
		}
	}
	g.in, g.out = map[string][]*Element{}, map[string][]*Element{}
	for _, f := range s.flows {
		if seen[f.ID] {
			continue
		}
		seen[f.ID] = true
		g.byID[f.ID] = f
		g.elements = append(g.elements, f)
		g.out[f.From] = append(g.out[f.From], f)
		g.in[f.To] = append(g.in[f.To], f)
	}
	g.members = map[string][]*Element{}
	for _, e := range g.elements {
		if z := g.zoneOf[e.ID]; z != "" {
			g.members[z] = append(g.members[z], e)
		}
	}
	g.types = map[string]int{}
	for _, e := range g.elements {
		g.types[e.Type]++
	}
	// Reachability from the internet over flows no policy blocks.
	g.reach = map[string]bool{}
	queue := []string{Internet}
	g.reach[Internet] = true
	for _, e := range g.elements {
		// Exposed by their own attributes: a public bucket, an instance open to the internet.
		if e.Kind == Store && boolAttr(e, "public") || e.Kind == Component && boolAttr(e, "internet_facing") {
			g.reach[e.ID] = true
			queue = append(queue, e.ID)
		}
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, f := range g.out[id] {
			if blocked(f) || g.reach[f.To] {
				continue
			}
			g.reach[f.To] = true
			queue = append(queue, f.To)
		}
	}
}

func blocked(f *Element) bool { b, _ := f.Attrs["blocked"].Value.(bool); return b }

func (g *Graph) add(e *Element) {
	if _, ok := g.byID[e.ID]; !ok {
		g.elements = append(g.elements, e)
	}
	g.byID[e.ID] = e
}
