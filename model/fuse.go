package model

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

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
		b.bySlot, b.present, b.multi = map[slot][]*Element{}, map[*Element]uint64{}, map[slot]bool{}
		b.plans = map[slot][][2]*Element{}
	}
	// present maps each element of the model to the build that last saw it; what this build
	// does not see is gone.
	b.gen++
	for _, e := range nodes {
		_, had := b.present[e]
		b.present[e] = b.gen
		fam := family(e.Kind)
		if had || fam == "" && e.Provenance != Configured {
			continue // indexed already; or a control, which is not fused
		}
		for _, a := range b.aliases(e) {
			k := slot{a, fam}
			b.bySlot[k] = append(b.bySlot[k], e)
			delete(b.plans, k)
			delete(b.sorted, k)
			b.setMulti(k)
		}
	}
	for e, seen := range b.present {
		if seen == b.gen {
			continue
		}
		delete(b.present, e)
		fam := family(e.Kind)
		if fam == "" && e.Provenance != Configured {
			continue
		}
		for _, a := range b.info(e).aliases {
			k := slot{a, fam}
			els := slices.DeleteFunc(b.bySlot[k], func(x *Element) bool { return x == e })
			delete(b.plans, k)
			delete(b.sorted, k)
			if len(els) == 0 {
				delete(b.bySlot, k)
			} else {
				b.bySlot[k] = els
			}
			b.setMulti(k)
		}
		delete(b.infoMemo, e)
	}
}

// setMulti records whether an alias can fuse anything: whether elements of several formats
// carry it (a Terraform module applied in fifty stacks gives fifty elements one name, and
// nothing to fuse).
func (b *Builder) setMulti(k slot) {
	els := b.bySlot[k]
	for _, e := range els[min(1, len(els)):] {
		if Format(e.ID) != Format(els[0].ID) {
			b.multi[k] = true
			return
		}
	}
	delete(b.multi, k)
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
