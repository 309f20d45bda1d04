package model

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// fusion is the state of the first stage: which input nodes (components, stores, actors,
// zones, controls) describe one thing, and the element each group makes.
//
// Two nodes fuse when an alias slot several formats share pairs them (see plan), and a
// configured entry without a kind joins what it names. Unions only happen inside a slot, so a
// change re-fuses only the region its slots connect: the nodes of every multi-format slot the
// changed nodes are in, their old groups, transitively. Running the unions of that region in
// the global order gives what a fresh build would.
type fusion struct {
	nodes   map[*Element]struct{} // input nodes in use
	info    map[*Element]*elInfo
	bySlot  map[slot][]*Element // nodes by alias slot (family "" only for configured entries)
	multi   map[slot]bool       // slots elements of several formats carry
	plans   map[slot][][2]*Element
	sorted  map[slot][]*Element
	near    map[slot]*nearIndex
	cfg     map[string][]*Element // configured entries without a kind, by alias
	groupOf map[*Element]*group
	fusedOf map[string]string // member ID → fused element ID, for groups of several
	byNode  map[string]*group // element ID → its group
	// inferred counts the inferred nodes that make the workspace more than documents (see drift).
	inferred int
}

// group is a set of input nodes that describe one thing, and the element they make.
type group struct {
	members []*Element // by rank, then ID
	node    *Element   // fused (when several) and classified; nil when the group is only overrides
	unit    string     // its members' first ID: the key of its problems
}

// elInfo is what fusion needs of an element, computed once per element.
type elInfo struct {
	aliases []string
	rank    int
	dir     string // the directory of its file, with a trailing slash ("" at the root)
	fam     string
}

func (f *fusion) init() {
	f.nodes = map[*Element]struct{}{}
	f.info = map[*Element]*elInfo{}
	f.bySlot = map[slot][]*Element{}
	f.multi = map[slot]bool{}
	f.plans = map[slot][][2]*Element{}
	f.sorted = map[slot][]*Element{}
	f.near = map[slot]*nearIndex{}
	f.cfg = map[string][]*Element{}
	f.groupOf = map[*Element]*group{}
	f.fusedOf = map[string]string{}
	f.byNode = map[string]*group{}
}

func (f *fusion) infoOf(e *Element) *elInfo {
	in, ok := f.info[e]
	if !ok {
		in = &elInfo{aliases: aliasesOf(e), rank: rank(e), dir: dirOf(e.Span.File), fam: family(e.Kind)}
		f.info[e] = in
	}
	return in
}

// slots returns the slots e is indexed under: its aliases in its family (configured entries
// without a kind in family "").
func (f *fusion) slots(e *Element) []slot {
	in := f.infoOf(e)
	if in.fam == "" && e.Provenance != Configured {
		return nil // a control: not fused
	}
	out := make([]slot, len(in.aliases))
	for i, a := range in.aliases {
		out[i] = slot{a, in.fam}
	}
	return out
}

func kindless(e *Element) bool { return e.Provenance == Configured && e.Kind == "" }

// sameFusion reports whether two elements fuse alike: replacing one by the other changes no
// group's membership.
func (f *fusion) sameFusion(a, b *Element) bool {
	ia, ib := f.infoOf(a), f.infoOf(b)
	return a.ID == b.ID && a.Kind == b.Kind && a.Provenance == b.Provenance && ia.rank == ib.rank &&
		ia.dir == ib.dir && ia.fam == ib.fam && slices.Equal(ia.aliases, ib.aliases)
}

// fuse brings the groups up to date with the nodes that left and came.
func (u *update) fuse(out, in []*Element) {
	f := &u.b.f
	// An element replaced by one that fuses alike (an attribute edited) keeps its group: only
	// the group's element is remade.
	inByID := make(map[string]*Element, len(in))
	for _, e := range in {
		inByID[e.ID] = e
	}
	var gone, came []*Element
	for _, old := range out {
		if nw := inByID[old.ID]; nw != nil && f.groupOf[old] != nil && f.sameFusion(old, nw) {
			g := f.groupOf[old]
			f.substitute(old, nw)
			u.refuseGroup(g)
			delete(inByID, old.ID)
			continue
		}
		gone = append(gone, old)
	}
	for _, e := range in {
		if inByID[e.ID] == e {
			came = append(came, e)
		}
	}
	// Regroup the region the others touch.
	seeds := map[*Element]bool{}
	wasMulti := map[slot]bool{}
	touched := map[slot]bool{}
	oldGroups := map[*group]bool{}
	for _, e := range gone {
		if g := f.groupOf[e]; g != nil {
			oldGroups[g] = true
			for _, m := range g.members {
				if m != e {
					seeds[m] = true
				}
			}
		}
		f.unindex(e, wasMulti, touched)
		u.forget = append(u.forget, e)
	}
	for _, e := range came {
		f.index(e, wasMulti, touched)
		seeds[e] = true
	}
	for k := range touched {
		f.setMulti(k)
		delete(f.plans, k)
		delete(f.sorted, k)
		delete(f.near, k)
		if wasMulti[k] || f.multi[k] {
			for _, m := range f.bySlot[k] {
				seeds[m] = true
			}
		}
		for _, c := range f.cfg[k.alias] {
			seeds[c] = true
		}
		u.slotChanged(k)
	}
	region := f.closure(seeds, u.b.byID)
	for e := range region {
		if g := f.groupOf[e]; g != nil {
			oldGroups[g] = true
		}
	}
	if len(region) == 0 && len(oldGroups) == 0 {
		return
	}
	u.regroup(region, oldGroups)
}

// substitute puts nw in old's place in every index: they fuse alike.
func (f *fusion) substitute(old, nw *Element) {
	g := f.groupOf[old]
	delete(f.nodes, old)
	f.nodes[nw] = struct{}{}
	for i, m := range g.members {
		if m == old {
			g.members = slices.Clone(g.members)
			g.members[i] = nw
		}
	}
	delete(f.groupOf, old)
	f.groupOf[nw] = g
	for _, k := range f.slots(old) {
		replace(f.bySlot[k], old, nw)
		replace(f.sorted[k], old, nw)
		for i, p := range f.plans[k] {
			for j := range p {
				if p[j] == old {
					f.plans[k][i][j] = nw
				}
			}
		}
		if ni := f.near[k]; ni != nil {
			ni.replace(old, nw)
		}
	}
	if kindless(old) {
		for _, a := range f.infoOf(old).aliases {
			replace(f.cfg[a], old, nw)
		}
	}
	f.info[nw] = f.info[old]
	delete(f.info, old)
}

func replace(es []*Element, old, nw *Element) {
	for i, e := range es {
		if e == old {
			es[i] = nw
		}
	}
}

func (f *fusion) index(e *Element, wasMulti, touched map[slot]bool) {
	f.nodes[e] = struct{}{}
	for _, k := range f.slots(e) {
		if !touched[k] {
			touched[k], wasMulti[k] = true, f.multi[k]
		}
		f.bySlot[k] = append(f.bySlot[k], e)
	}
	if kindless(e) {
		for _, a := range f.infoOf(e).aliases {
			f.cfg[a] = append(f.cfg[a], e)
		}
	}
	if f.counts(e) {
		f.inferred++
	}
}

func (f *fusion) unindex(e *Element, wasMulti, touched map[slot]bool) {
	delete(f.nodes, e)
	for _, k := range f.slots(e) {
		if !touched[k] {
			touched[k], wasMulti[k] = true, f.multi[k]
		}
		els := slices.DeleteFunc(slices.Clone(f.bySlot[k]), func(x *Element) bool { return x == e })
		if len(els) == 0 {
			delete(f.bySlot, k)
		} else {
			f.bySlot[k] = els
		}
	}
	if kindless(e) {
		for _, a := range f.infoOf(e).aliases {
			els := slices.DeleteFunc(slices.Clone(f.cfg[a]), func(x *Element) bool { return x == e })
			if len(els) == 0 {
				delete(f.cfg, a)
			} else {
				f.cfg[a] = els
			}
		}
	}
	if f.counts(e) {
		f.inferred--
	}
}

// counts reports whether e makes the workspace more than design documents: an inferred node
// that is not a zone, the internet or an external actor.
func (f *fusion) counts(e *Element) bool {
	return e.Provenance == Inferred && e.Kind != Zone && e.ID != Internet && Format(e.ID) != "actor"
}

// setMulti records whether an alias can fuse anything: whether elements of several formats
// carry it (a Terraform module applied in fifty stacks gives fifty elements one name, and
// nothing to fuse).
func (f *fusion) setMulti(k slot) {
	els := f.bySlot[k]
	for _, e := range els[min(1, len(els)):] {
		if Format(e.ID) != Format(els[0].ID) {
			f.multi[k] = true
			return
		}
	}
	delete(f.multi, k)
}

// closure returns the nodes that seeds' groups can reach: through multi-format slots, the
// old groups of what it meets, and configured entries naming what it meets.
func (f *fusion) closure(seeds map[*Element]bool, byID map[string][]*Element) map[*Element]bool {
	region := map[*Element]bool{}
	var queue []*Element
	add := func(e *Element) {
		if e == nil {
			return
		}
		if _, in := f.nodes[e]; !in || region[e] {
			return
		}
		region[e] = true
		queue = append(queue, e)
	}
	for e := range seeds {
		add(e)
	}
	for len(queue) > 0 {
		e := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if g := f.groupOf[e]; g != nil {
			for _, m := range g.members {
				add(m)
			}
		}
		in := f.infoOf(e)
		for _, k := range f.slots(e) {
			if f.multi[k] && k.family != "" {
				for _, m := range f.bySlot[k] {
					add(m)
				}
			}
		}
		for _, a := range in.aliases {
			for _, c := range f.cfg[a] {
				add(c)
			}
		}
		if kindless(e) {
			for _, a := range in.aliases {
				for _, fam := range []string{"node", "actor", "zone"} {
					for _, m := range f.bySlot[slot{a, fam}] {
						add(m)
					}
				}
				if id, ok := strings.CutPrefix(a, "id:"); ok && byID != nil {
					add(first(byID[id]))
				}
			}
		}
	}
	return region
}

// regroup recomputes the groups of region, whose old groups are old.
func (u *update) regroup(region map[*Element]bool, old map[*group]bool) {
	b, f := u.b, &u.b.f
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
		if fs, ok := formats[r]; ok {
			return fs
		}
		return map[string]bool{Format(r.ID): true}
	}
	union := func(x, y *Element) {
		rx, ry := find(x), find(y)
		if rx == ry {
			return
		}
		fx, fy := formatsOf(rx), formatsOf(ry)
		for fm := range fy {
			if fx[fm] {
				return
			}
		}
		parent[ry] = rx
		parent[rx] = rx
		for fm := range fy {
			fx[fm] = true
		}
		formats[rx] = fx
		delete(formats, ry)
	}
	// The most specific names first: "name:ordersdb" decides before "name:db".
	sharedSet := map[slot]bool{}
	var configured []*Element
	for e := range region {
		for _, k := range f.slots(e) {
			if f.multi[k] && k.family != "" {
				sharedSet[k] = true
			}
		}
		if kindless(e) {
			configured = append(configured, e)
		}
	}
	shared := make([]slot, 0, len(sharedSet))
	for k := range sharedSet {
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
		for _, p := range f.plan(k) {
			union(p[0], p[1])
		}
	}
	// Configured entries without a kind attach to what they name, once the formats are fused.
	sort.Slice(configured, func(i, j int) bool { return configured[i].ID < configured[j].ID })
	for _, e := range configured {
		for _, a := range f.infoOf(e).aliases {
			for _, fam := range []string{"node", "actor", "zone"} {
				for _, o := range f.sortedSlot(slot{a, fam}) {
					if o != e {
						union(o, e)
					}
				}
			}
			if id, ok := strings.CutPrefix(a, "id:"); ok {
				if o := first(b.byID[id]); o != nil && o != e && region[o] {
					union(o, e)
				}
			}
		}
	}
	byRoot := map[*Element][]*Element{}
	for e := range region {
		r := find(e)
		byRoot[r] = append(byRoot[r], e)
	}
	// The groups before, by their members, so that an unchanged group keeps its element.
	before := map[string]*group{}
	oldFinal := map[*Element]string{} // member → the ID of the element it made
	oldNodes := map[string]*Element{}
	for g := range old {
		before[membersKey(g.members)] = g
		for _, m := range g.members {
			oldFinal[m] = ""
			if g.node != nil {
				oldFinal[m] = g.node.ID
			}
			delete(f.fusedOf, m.ID)
			if f.groupOf[m] == g {
				delete(f.groupOf, m)
			}
		}
		if g.node != nil {
			oldNodes[g.node.ID] = g.node
			if f.byNode[g.node.ID] == g {
				delete(f.byNode, g.node.ID)
			}
		}
		if _, had := b.problems["group:"+g.unit]; had {
			delete(b.problems, "group:"+g.unit)
			u.problemsChanged = true
		}
	}
	newNodes := map[string]*Element{}
	for _, ms := range byRoot {
		sort.Slice(ms, func(i, j int) bool {
			if ri, rj := f.infoOf(ms[i]).rank, f.infoOf(ms[j]).rank; ri != rj {
				return ri < rj
			}
			return ms[i].ID < ms[j].ID
		})
		g := before[membersKey(ms)]
		if g == nil {
			g = &group{members: ms, unit: ms[0].ID}
			g.node = u.groupNode(ms)
		}
		u.register(g)
		if g.node != nil {
			newNodes[g.node.ID] = g.node
		}
	}
	// What changed: every member that makes another element ID than it did (the slots it is
	// found through resolve differently), every element that is not the same.
	check := func(m *Element) {
		now := ""
		if g := f.groupOf[m]; g != nil && g.node != nil {
			now = g.node.ID
		}
		if was, had := oldFinal[m]; !had || was != now {
			u.idChanged(m.ID)
			for _, k := range f.slots(m) {
				u.slotChanged(k)
			}
		}
	}
	for m := range oldFinal {
		check(m)
	}
	for e := range region {
		if _, had := oldFinal[e]; !had {
			check(e)
		}
	}
	for id, e := range oldNodes {
		if newNodes[id] != e {
			u.nodeChanged(id)
		}
	}
	for id, e := range newNodes {
		if oldNodes[id] != e {
			u.nodeChanged(id)
		}
	}
}

// refuseGroup remakes the element of a group whose members were replaced by elements that
// fuse alike.
func (u *update) refuseGroup(g *group) {
	f := &u.b.f
	old := g.node
	g.node = u.groupNode(g.members)
	if _, had := u.b.problems["group:"+g.unit]; had {
		delete(u.b.problems, "group:"+g.unit)
		u.problemsChanged = true
	}
	u.register(g)
	if old != nil && (g.node == nil || g.node.ID != old.ID) && f.byNode[old.ID] == g {
		delete(f.byNode, old.ID)
		u.nodeChanged(old.ID)
	}
	if g.node != nil {
		u.nodeChanged(g.node.ID)
	}
}

// register records a group in the indexes, with its problems.
func (u *update) register(g *group) {
	f := &u.b.f
	for _, m := range g.members {
		f.groupOf[m] = g
		if len(g.members) > 1 && g.node != nil {
			f.fusedOf[m.ID] = g.node.ID
		}
	}
	if g.node != nil {
		f.byNode[g.node.ID] = g
		return
	}
	var ps []Problem
	for _, m := range g.members {
		ps = append(ps, Problem{Span: m.Head,
			Message: fmt.Sprintf("%s matches no element of the workspace (by ID, name or alias); give it a kind to declare it", m.Name)})
	}
	u.b.problems["group:"+g.unit] = ps
	u.problemsChanged = true
}

// groupNode makes the element of a group: its members fused, classified.
func (u *update) groupNode(ms []*Element) *Element {
	if ms[0].Kind == "" { // only overrides: they match nothing
		return nil
	}
	el := ms[0]
	if len(ms) > 1 {
		el = fuse(ms)
	}
	return u.classify(el)
}

// membersKey is a key for a group's members; old groups hold them during the update.
func membersKey(ms []*Element) string { return ptrsKey(ms) }

// sortedSlot returns the elements of a slot, by rank and ID. The slice must not be modified.
func (f *fusion) sortedSlot(k slot) []*Element {
	if els, ok := f.sorted[k]; ok {
		return els
	}
	els := slices.Clone(f.bySlot[k])
	sort.Slice(els, func(i, j int) bool {
		if ri, rj := f.infoOf(els[i]).rank, f.infoOf(els[j]).rank; ri != rj {
			return ri < rj
		}
		return els[i].ID < els[j].ID
	})
	f.sorted[k] = els
	return els
}

// plan returns the pairs of elements a slot fuses (for zones, see below). When each format has
// one element of the alias, they all fuse. When a format has several (a monorepo with an "api"
// per stack), an element fuses with the element of another format nearest to it in the
// directory tree, when each is the other's unique nearest: stacks/prod/k8s/api.yaml with
// stacks/prod/compose.yaml, not with stacks/dev/compose.yaml.
func (f *fusion) plan(k slot) [][2]*Element {
	if p, ok := f.plans[k]; ok {
		return p
	}
	els := f.sortedSlot(k)
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
		f.plans[k] = pairs
		return pairs
	}
	byFormat := map[string][]*Element{}
	var formats []string
	for _, e := range els {
		if kindless(e) {
			continue // overrides attach later
		}
		fm := Format(e.ID)
		if byFormat[fm] == nil {
			formats = append(formats, fm)
		}
		byFormat[fm] = append(byFormat[fm], e)
	}
	var pairs [][2]*Element
	single := true
	for _, fm := range formats {
		single = single && len(byFormat[fm]) == 1
	}
	if single {
		for i := 1; i < len(formats); i++ {
			pairs = append(pairs, [2]*Element{byFormat[formats[0]][0], byFormat[formats[i]][0]})
		}
	} else {
		near := map[string]*nearIndex{}
		for _, fm := range formats {
			near[fm] = newNearIndex(f, byFormat[fm])
		}
		for i, fa := range formats {
			for _, fb := range formats[i+1:] {
				for _, x := range byFormat[fa] {
					if y := near[fb].unique(f.infoOf(x).dir); y != nil && near[fa].unique(f.infoOf(y).dir) == x {
						pairs = append(pairs, [2]*Element{x, y})
					}
				}
			}
		}
	}
	f.plans[k] = pairs
	return pairs
}

// nearIndex finds, among a set of elements, those nearest to a directory: for each directory
// prefix ("", "a/", "a/b/"), how many elements lie under it, the one of them when it is
// alone, and the first in the set's order.
type nearIndex struct {
	count map[string]int
	only  map[string]*Element
	first map[string]*Element
}

func newNearIndex(f *fusion, els []*Element) *nearIndex {
	ni := &nearIndex{count: map[string]int{}, only: map[string]*Element{}, first: map[string]*Element{}}
	for _, e := range els {
		dir := f.infoOf(e).dir
		for p := 0; ; {
			pre := dir[:p]
			ni.count[pre]++
			if ni.count[pre] == 1 {
				ni.only[pre] = e
				ni.first[pre] = e
			} else {
				delete(ni.only, pre)
			}
			if p == len(dir) {
				break
			}
			p += strings.IndexByte(dir[p:], '/') + 1
		}
	}
	return ni
}

// deepest returns the longest prefix of dir (a directory with a trailing slash) under which
// some element lies, and whether there is one.
func (ni *nearIndex) deepest(dir string) (string, bool) {
	for p := len(dir); ; {
		if ni.count[dir[:p]] > 0 {
			return dir[:p], true
		}
		if p == 0 {
			return "", false
		}
		p = strings.LastIndexByte(dir[:p-1], '/') + 1
	}
}

// unique returns the element nearest to dir, or nil when several are as near.
func (ni *nearIndex) unique(dir string) *Element {
	if p, ok := ni.deepest(dir); ok {
		return ni.only[p]
	}
	return nil
}

// nearest returns the first element (in the set's order) among those nearest to dir.
func (ni *nearIndex) nearest(dir string) *Element {
	if p, ok := ni.deepest(dir); ok {
		return ni.first[p]
	}
	return nil
}

func (ni *nearIndex) replace(old, nw *Element) {
	for k, e := range ni.only {
		if e == old {
			ni.only[k] = nw
		}
	}
	for k, e := range ni.first {
		if e == old {
			ni.first[k] = nw
		}
	}
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
		Parent: p.Parent, Provenance: p.Provenance}
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
		for k, a := range m.Attrs.All() {
			cur, ok := el.Attrs.Get(k)
			switch {
			case !ok, m.Provenance == Configured:
				el.Attrs.Set(k, a)
			case m.Provenance == Documented && cur.Origin != Unknown:
				// A document never overrides what runs: a disagreement is drift.
			case weak(cur.Origin) && !weak(a.Origin):
				el.Attrs.Set(k, a)
			}
		}
	}
	return el
}

func weak(o Origin) bool { return o == Defaulted || o == Unknown }

// classify gives a store or component without a classification the one opts.Classify finds.
func (u *update) classify(el *Element) *Element {
	if u.b.opts.Classify == nil || (el.Kind != Store && el.Kind != Component) {
		return el
	}
	if a, ok := el.Attrs.Get("classification"); ok && !weak(a.Origin) {
		return el
	}
	class, note := u.b.opts.Classify(el)
	if class == "" && el.Kind == Store {
		class, note = "internal", "nothing says what it holds: internal unless threatls.yaml says otherwise"
	}
	if class == "" {
		return el
	}
	c := el.clone()
	c.Attrs.Set("classification", Attr{Value: boxedClass(class), Origin: Defaulted, Span: el.Head, Note: note})
	return c
}

// classValues are the classification levels as attribute values, made once: a string made an
// attribute's value is copied into a block of its own, one per store of a model.
var classValues = func() map[string]any {
	m := make(map[string]any, len(Classifications))
	for _, c := range Classifications {
		m[c] = c
	}
	return m
}()

// boxedClass returns class as an attribute value, shared when it is a known level.
func boxedClass(class string) any {
	if v, ok := classValues[class]; ok {
		return v
	}
	return class
}

// clone copies e with its own attribute map (everything else is shared and immutable). The
// map has room for one more attribute, what most decorations add: a larger hint makes a
// map of five to eight attributes twice its size, a tenth of the heap at 5,000 files.
func (e *Element) clone() *Element {
	c := *e
	c.Attrs = e.Attrs.Clone(1)
	return &c
}

// finalOf returns the element an input node makes (its group's), or nil when its group makes
// none.
func (f *fusion) finalOf(e *Element) *Element {
	if g := f.groupOf[e]; g != nil {
		return g.node
	}
	return nil
}
