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
	// infoMemo holds what fusion needs of each element, and classMemo each element's
	// classified copy, for the previous and the current build.
	infoMemo             map[*Element]*elInfo
	classMemo, classNext map[*Element]*Element
	zoneMemo, zoneNext   map[zoneKey]*Element
	// bySlot indexes the elements of the previous build (present) by alias; multi holds the
	// aliases more than one element carries.
	bySlot  map[slot][]*Element
	present map[*Element]bool
	multi   map[slot]bool
	// plans holds, per shared alias, the pairs of elements it fuses (see plan), and sorted its
	// elements in order (see sortedSlot); an alias whose elements change loses both.
	plans  map[slot][][2]*Element
	sorted map[slot][]*Element
}

// elInfo is what fusion needs of an element, computed once per element (and forgotten when
// the element leaves the model, see updateAliases).
type elInfo struct {
	aliases []string
	rank    int
	dir     string // the directory of its file, with a trailing slash ("" at the root)
}

func (b *Builder) info(e *Element) *elInfo {
	in, ok := b.infoMemo[e]
	if !ok {
		if b.infoMemo == nil {
			b.infoMemo = map[*Element]*elInfo{}
		}
		in = &elInfo{aliases: aliasesOf(e), rank: rank(e), dir: dirOf(e.Span.File)}
		b.infoMemo[e] = in
	}
	return in
}

// aliases returns aliasesOf(e), computed once per element.
func (b *Builder) aliases(e *Element) []string { return b.info(e).aliases }

func dirOf(file string) string {
	if i := strings.LastIndexByte(file, '/'); i >= 0 {
		return file[:i+1]
	}
	return ""
}

// commonDir is the length of the longest common directory prefix of two directories.
func commonDir(a, b string) int {
	n := 0
	for i := 0; i < len(a) && i < len(b) && a[i] == b[i]; i++ {
		if a[i] == '/' {
			n = i + 1
		}
	}
	return n
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
	b.classNext = make(map[*Element]*Element, len(b.classMemo))
	b.zoneNext = make(map[zoneKey]*Element, len(b.zoneMemo))
	defer func() {
		b.memo, b.next = b.next, nil
		b.classMemo, b.classNext = b.classNext, nil
		b.zoneMemo, b.zoneNext = b.zoneNext, nil
	}()
	g := &Graph{byID: map[string]*Element{}, types: map[string]int{}}
	s := &sys{b: b, g: g, opts: opts}
	s.fuseNodes(elements)
	s.resolveFlows()
	s.zones()
	s.drift()
	s.index()
	s.paths()
	SortElements(g.elements)
	g.members = map[string][]*Element{}
	for _, e := range g.elements {
		if z := g.zoneOf[e.ID]; z != "" {
			g.members[z] = append(g.members[z], e)
		}
	}
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
	// final maps an element to what it became when that is another element (fused,
	// classified); refs memoises the resolution of references.
	final map[*Element]*Element
	refs  map[refKey]*Element
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
// It runs on every edit over every element, so the alias index is kept by the Builder and
// updated with the elements that came and went; only elements that share an alias are
// grouped and sorted.
func (s *sys) fuseNodes(elements []*Element) {
	b := s.b
	s.fusedOf = map[string]string{}
	s.members = map[string][]*Element{}
	var nodes []*Element
	var actors map[string]bool
	for _, e := range elements {
		if e == nil || e.ID == "" {
			continue
		}
		switch e.Kind {
		case Flow:
			s.flows = append(s.flows, e)
			continue
		case Path:
			continue
		}
		if Format(e.ID) == "actor" { // the internet, an external host: several analyzers make it
			if actors == nil {
				actors = map[string]bool{}
			}
			if actors[e.ID] {
				continue
			}
			actors[e.ID] = true
			// Analyzers that re-link make a new one on every edit: keep the one of the previous
			// build while it says the same, so that what flows from it is not re-evaluated.
			e = s.memo("actor:"+e.ID+"@"+e.Span.String(), func() *Element { return e })
		}
		nodes = append(nodes, e)
	}
	b.updateAliases(nodes)

	// Union-find over the elements of shared aliases only.
	parent := map[*Element]*Element{}
	var find func(e *Element) *Element
	find = func(e *Element) *Element {
		p, ok := parent[e]
		if !ok || p == e {
			return e
		}
		r := find(p)
		parent[e] = r
		return r
	}
	// Unions never put two elements of one format in a group: each format describes a thing
	// once, so a second element of the same format is another thing that merely shares a
	// name (a secret "db" beside a database "orders-db" that a diagram calls "db").
	formats := map[*Element]map[string]bool{}
	formatsOf := func(r *Element) map[string]bool {
		if f, ok := formats[r]; ok {
			return f
		}
		return map[string]bool{Format(r.ID): true}
	}
	union := func(x, y *Element) {
		rx, ry := find(x), find(y)
		if rx == ry {
			return
		}
		fx, fy := formatsOf(rx), formatsOf(ry)
		for f := range fy {
			if fx[f] {
				return
			}
		}
		parent[ry] = rx
		parent[rx] = rx
		for f := range fy {
			fx[f] = true
		}
		formats[rx] = fx
		delete(formats, ry)
	}
	// The most specific names first: "name:ordersdb" decides before "name:db".
	shared := make([]slot, 0, len(b.multi))
	for k := range b.multi {
		shared = append(shared, k)
	}
	sort.Slice(shared, func(i, j int) bool {
		if len(shared[i].alias) != len(shared[j].alias) {
			return len(shared[i].alias) > len(shared[j].alias)
		}
		if shared[i].alias != shared[j].alias {
			return shared[i].alias < shared[j].alias
		}
		return shared[i].family < shared[j].family
	})
	for _, k := range shared {
		if k.family == "" {
			continue
		}
		for _, p := range b.plan(k) {
			union(p[0], p[1])
		}
	}
	// Configured entries without a kind attach to what they name, once the formats are fused.
	for _, e := range nodes {
		if e.Provenance != Configured || e.Kind != "" {
			continue
		}
		for _, a := range b.aliases(e) {
			for _, fam := range []string{"node", "actor", "zone"} {
				for _, o := range b.sortedSlot(slot{a, fam}) {
					if o != e {
						union(o, e)
					}
				}
			}
			if id, ok := strings.CutPrefix(a, "id:"); ok {
				for _, o := range nodes { // an ID written in threatls.yaml: rare, so a scan
					if o.ID == id && o != e {
						union(o, e)
					}
				}
			}
		}
	}
	groups := map[*Element][]*Element{}
	for e := range parent {
		r := find(e)
		groups[r] = append(groups[r], e)
	}
	s.final = make(map[*Element]*Element, len(parent))
	for _, e := range nodes {
		ms := []*Element{e}
		if _, grouped := parent[e]; grouped {
			r := find(e)
			ms = groups[r]
			if ms == nil {
				continue // emitted with the first member met
			}
			delete(groups, r)
			sort.Slice(ms, func(i, j int) bool {
				if ri, rj := b.info(ms[i]).rank, b.info(ms[j]).rank; ri != rj {
					return ri < rj
				}
				return ms[i].ID < ms[j].ID
			})
		}
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
		if len(ms) > 1 || ms[0].Provenance != Inferred {
			s.members[el.ID] = ms
		}
		for _, m := range ms {
			if len(ms) > 1 {
				s.fusedOf[m.ID] = el.ID
			}
			if m != el {
				s.final[m] = el
			}
		}
		s.nodes = append(s.nodes, el)
		s.g.byID[el.ID] = el
	}
}

// updateAliases brings the alias index up to the current nodes: the aliases of elements
// gone are removed, those of elements new are added.
func (b *Builder) updateAliases(nodes []*Element) {
	if b.bySlot == nil {
		b.bySlot, b.present, b.multi = map[slot][]*Element{}, map[*Element]bool{}, map[slot]bool{}
		b.plans = map[slot][][2]*Element{}
	}
	now := make(map[*Element]bool, len(nodes))
	for _, e := range nodes {
		now[e] = true
		fam := family(e.Kind)
		if b.present[e] || fam == "" && e.Provenance != Configured {
			continue // indexed already; or a control, which is not fused
		}
		for _, a := range b.aliases(e) {
			k := slot{a, fam}
			b.bySlot[k] = append(b.bySlot[k], e)
			delete(b.plans, k)
			delete(b.sorted, k)
			if len(b.bySlot[k]) > 1 {
				b.multi[k] = true
			}
		}
	}
	for e := range b.present {
		if now[e] {
			continue
		}
		fam := family(e.Kind)
		if fam == "" && e.Provenance != Configured {
			continue
		}
		for _, a := range b.info(e).aliases {
			k := slot{a, fam}
			els := slices.DeleteFunc(b.bySlot[k], func(x *Element) bool { return x == e })
			delete(b.plans, k)
			delete(b.sorted, k)
			switch len(els) {
			case 0:
				delete(b.bySlot, k)
				delete(b.multi, k)
			case 1:
				b.bySlot[k] = els
				delete(b.multi, k)
			default:
				b.bySlot[k] = els
			}
		}
		delete(b.infoMemo, e)
	}
	b.present = now
}

// sortedSlot returns the elements of an alias, by rank and ID. The slice must not be
// modified.
func (b *Builder) sortedSlot(k slot) []*Element {
	if els, ok := b.sorted[k]; ok {
		return els
	}
	els := slices.Clone(b.bySlot[k])
	sort.Slice(els, func(i, j int) bool {
		if ri, rj := b.info(els[i]).rank, b.info(els[j]).rank; ri != rj {
			return ri < rj
		}
		return els[i].ID < els[j].ID
	})
	if b.sorted == nil {
		b.sorted = map[slot][]*Element{}
	}
	b.sorted[k] = els
	return els
}

// plan returns the pairs of elements an alias fuses (for zones, see below). When each format has one element of
// the alias, they all fuse. When a format has several (a monorepo with an "api" per stack),
// an element fuses with the element of another format nearest to it in the directory tree,
// when each is the other's unique nearest: stacks/prod/k8s/api.yaml with
// stacks/prod/compose.yaml, not with stacks/dev/compose.yaml.
func (b *Builder) plan(k slot) [][2]*Element {
	if p, ok := b.plans[k]; ok {
		return p
	}
	els := b.sortedSlot(k)
	if k.family == "zone" {
		// A namespace, a compose network and a VPC are different boundaries even when they
		// share a name: inferred zones never fuse with each other. A documented or configured
		// zone fuses with the one inferred zone of its name, if there is exactly one.
		var inferred, declared []*Element
		for _, e := range els {
			switch {
			case e.Provenance == Inferred:
				inferred = append(inferred, e)
			case e.Kind != "":
				declared = append(declared, e)
			}
		}
		var pairs [][2]*Element
		switch {
		case len(inferred) == 1:
			for _, d := range declared {
				pairs = append(pairs, [2]*Element{inferred[0], d})
			}
		case len(inferred) == 0:
			for _, d := range declared[min(1, len(declared)):] {
				pairs = append(pairs, [2]*Element{declared[0], d})
			}
		}
		b.plans[k] = pairs
		return pairs
	}
	byFormat := map[string][]*Element{}
	var formats []string
	for _, e := range els {
		if e.Provenance == Configured && e.Kind == "" {
			continue // overrides attach later
		}
		f := Format(e.ID)
		if byFormat[f] == nil {
			formats = append(formats, f)
		}
		byFormat[f] = append(byFormat[f], e)
	}
	var pairs [][2]*Element
	single := true
	for _, f := range formats {
		single = single && len(byFormat[f]) == 1
	}
	if single {
		for i := 1; i < len(formats); i++ {
			pairs = append(pairs, [2]*Element{byFormat[formats[0]][0], byFormat[formats[i]][0]})
		}
	} else {
		nearest := func(x *Element, f string) *Element {
			best, bestN, tie := (*Element)(nil), -1, false
			for _, y := range byFormat[f] {
				n := commonDir(b.info(x).dir, b.info(y).dir)
				switch {
				case n > bestN:
					best, bestN, tie = y, n, false
				case n == bestN:
					tie = true
				}
			}
			if tie {
				return nil
			}
			return best
		}
		for i, fa := range formats {
			for _, fb := range formats[i+1:] {
				for _, x := range byFormat[fa] {
					if y := nearest(x, fb); y != nil && nearest(y, fa) == x {
						pairs = append(pairs, [2]*Element{x, y})
					}
				}
			}
		}
	}
	b.plans[k] = pairs
	return pairs
}

// slot is an alias within a family of kinds.
type slot struct{ alias, family string }

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
	if c, ok := s.b.classNext[el]; ok {
		return c
	}
	c, ok := s.b.classMemo[el]
	if !ok {
		c = el
		class, note := s.opts.Classify(el)
		if class == "" && el.Kind == Store {
			class, note = "internal", "nothing says what it holds: internal unless threatls.yaml says otherwise"
		}
		if class != "" {
			c = el.clone()
			c.Attrs["classification"] = Attr{Value: class, Origin: Defaulted, Span: el.Head, Note: note}
		}
	}
	s.b.classNext[el] = c
	return c
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

// resolve maps an endpoint (an ID, a member's ID or a reference) to a fused node's ID. A
// reference resolves to the element of the name nearest in the directory tree to dir, the
// directory of the file that makes it: in a monorepo with an "api" per stack, a stack's
// manifests mean their own stack's api.
func (s *sys) resolve(id, dir string) (string, bool) {
	if f, ok := s.fusedOf[id]; ok {
		return f, true
	}
	alias, ok := RefAlias(id)
	if !ok {
		return id, false
	}
	if e := s.byAliasIn(alias, dir, "node", "actor"); e != nil {
		return e.ID, true
	}
	return id, false
}

// byAliasIn returns the fused element that carries alias nearest to dir, searching the
// families in order.
func (s *sys) byAliasIn(alias, dir string, families ...string) *Element {
	key := refKey{alias, dir, strings.Join(families, ",")}
	if e, ok := s.refs[key]; ok {
		return e
	}
	var best *Element
	for _, fam := range families {
		bestN := -1
		for _, e := range s.b.sortedSlot(slot{alias, fam}) {
			f := s.final[e]
			if f == nil && s.g.byID[e.ID] == e {
				f = e
			}
			if f == nil {
				continue
			}
			if n := commonDir(dir, s.b.info(e).dir); n > bestN {
				best, bestN = f, n
			}
		}
		if best != nil {
			break
		}
	}
	if s.refs == nil {
		s.refs = map[refKey]*Element{}
	}
	s.refs[key] = best
	return best
}

type refKey struct{ alias, dir, families string }

// resolveFlows points flows at fused nodes, adds an actor for what a reference names but the
// workspace does not define, and fuses flows that several formats describe.
func (s *sys) resolveFlows() {
	byNode := s.g.byID
	type pair struct{ from, to string }
	groups := map[pair][]*Element{}
	var order []pair
	for _, f := range s.flows {
		dir := dirOf(f.Span.File)
		from, okF := s.resolve(f.From, dir)
		to, okT := s.resolve(f.To, dir)
		for _, end := range []struct {
			id *string
			ok bool
		}{{&from, okF}, {&to, okT}} {
			if end.ok || byNode[*end.id] != nil {
				continue
			}
			alias, isRef := RefAlias(*end.id)
			if isRef && alias == NameAlias("internet") || *end.id == Internet {
				// The internet is always there, whether or not an analyzer made its actor.
				if byNode[Internet] == nil {
					a := s.memo("internet@"+f.Head.String(), func() *Element {
						a := &Element{ID: Internet, Kind: Actor, Type: "internet", Name: "internet", Span: f.Head, Head: f.Head}
						a.Default("in_scope", false, "outside the system")
						return a
					})
					byNode[Internet] = a
					s.nodes = append(s.nodes, a)
				}
				*end.id = Internet
				continue
			}
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
					if r, ok := s.resolveZone(v, dirOf(a.Span.File)); ok && r != v {
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
		z, zdir := "", ""
		if a, ok := n.Attrs["zone"]; ok {
			z, _ = a.Value.(string)
			zdir = dirOf(a.Span.File)
		}
		if n.ID == Internet || (n.Kind == Actor && z == "" && n.Type == "internet") {
			z = InternetZone
		}
		if z == "" {
			continue
		}
		if r, ok := s.resolveZone(z, zdir); ok {
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
		key := zoneKey{f, fz, tz, ft, tt}
		if c, ok := s.b.zoneNext[key]; ok {
			s.flows[i] = c
			continue
		}
		if c, ok := s.b.zoneMemo[key]; ok {
			s.b.zoneNext[key] = c
			s.flows[i] = c
			continue
		}
		s.flows[i] = func() *Element {
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
		}()
		s.b.zoneNext[key] = s.flows[i]
	}
}

// zoneKey is what a flow's zone attributes are derived from.
type zoneKey struct {
	f                  *Element
	fromZ, toZ, fT, tT string
}

// resolveZone maps a zone reference (an ID, a member ID or a ref) to the fused zone's ID.
// A reference resolves to the zone of the name nearest to dir.
func (s *sys) resolveZone(z, dir string) (string, bool) {
	if z == InternetZone {
		return z, true
	}
	if f, ok := s.fusedOf[z]; ok {
		return f, true
	}
	if alias, ok := RefAlias(z); ok {
		if e := s.byAliasIn(alias, dir, "zone"); e != nil {
			return e.ID, true
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
			dzr, _ := s.resolveZone(dz, dirOf(d.Attrs["zone"].Span.File))
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
	g.elements = make([]*Element, 0, len(s.nodes)+len(s.flows))
	for _, n := range s.nodes {
		g.byID[n.ID] = n // the last version (drift, zone parents)
		g.elements = append(g.elements, n)
	}
	g.in, g.out = map[string][]*Element{}, map[string][]*Element{}
	for _, f := range s.flows {
		g.byID[f.ID] = f
		g.elements = append(g.elements, f)
		g.out[f.From] = append(g.out[f.From], f)
		g.in[f.To] = append(g.in[f.To], f)
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

// blocked reports whether an attacker cannot use the flow: a policy denies it, or it exists
// only in a design document that the workspace does not implement.
func blocked(f *Element) bool {
	b, _ := f.Attrs["blocked"].Value.(bool)
	n, _ := f.Attrs["not_implemented"].Value.(bool)
	return b || n
}

func (g *Graph) add(e *Element) {
	if _, ok := g.byID[e.ID]; !ok {
		g.elements = append(g.elements, e)
	}
	g.byID[e.ID] = e
}
