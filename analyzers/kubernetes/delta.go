package kubernetes

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	"github.com/threatls/threatls/model"
)

// A part of many objects — every manifest that names no namespace is in `default` — keeps its
// build, and an edit of some of its objects is applied to that build when what the edit changed
// is known to reach only some workloads: those are made again and go through the stages that
// act on workloads, while every other element stays as it was. Anything else is built whole.
//
//   - A workload: made again. When its name, labels or own aliases (what others select it and
//     name it by) changed, so are the workloads the Services that select it before or after
//     select, those Services' flows and the flows of the Ingresses that route to them, and the
//     workloads whose environment names one of its aliases before or after.
//   - A Service: its flows, and the workloads it selects before or after. When its name or
//     selector changed, also the flows of the Ingresses that route to it by either name and
//     the workloads whose environment names it by either.
//   - An Ingress: its flows, the routes by host, the workloads behind its backends before or
//     after, and those whose environment names one of its hosts before or after.
//   - A ConfigMap that keeps its name: the workloads whose environment looked it up.
//   - A NetworkPolicy that keeps its name: its element, and the workloads whose environment
//     names one it isolates before or after (whether those flows are blocked).
//   - One of those added or removed, as if it changed from or to nothing: a workload's
//     Services and the workloads that name it; a Service's workloads and those that name it;
//     an Ingress's backends; a ConfigMap's readers; a NetworkPolicy's isolated workloads. The
//     objects after it in its file move, and are changed objects too.
//   - The same objects read again (a file opened): nothing; an object read from the same
//     text at the same place is the build's.
//   - A Namespace, a ServiceAccount, an RBAC object, an object a kustomize patch patches, an
//     object added or removed in a namespace it is alone in, a name that two objects of a
//     kind share before or after: built whole.
//
// The zones and the shared actors are made again every time. TestDeltaIsBuild holds an
// applied edit to be the whole build of the same objects.

// deltaFrom is the number of objects from which a part keeps its build (smaller parts are
// built whole in about a millisecond). A part keeps it from its second build on, the first
// edit of one of its files: keeping the build of every part a load makes would keep every
// manifest's decoded objects, which the engine lets go (35 MB for 2,500 manifests).
var deltaFrom = 256

// deltaMost is the most objects an edit may change for it to be applied to a kept build.
const deltaMost = 64

// apply turns b, the build of b.objs, into the build of objs, when what differs between them
// is an edit the build can take (see above), and returns the elements it made. It reports
// false, leaving b unusable, when the edit needs a whole build.
func (b *builder) apply(objs []*object) ([]*model.Element, bool) {
	objs, pairs, born, dead, ok := b.align(objs)
	if !ok || len(pairs)+len(born)+len(dead) > deltaMost {
		return nil, false
	}
	if len(pairs)+len(born)+len(dead) == 0 {
		b.objs = objs // the same objects, read again (a file opened): the build is theirs
		return nil, true
	}
	for _, p := range pairs {
		old, o := p[0], p[1]
		r := roleOf(o)
		// A workload a patch patches is made again with its patched twin (patch.go): whole.
		if b.patchedBy(old) || b.patchedBy(o) || o.file != old.file || o.kind != old.kind || o.namespace != old.namespace ||
			r != roleOf(old) || o.name != old.name && r != roleWorkload && r != roleService && r != roleIngress {
			return nil, false
		}
	}
	firsts, ok := b.bornAndDead(objs, born, dead)
	if !ok {
		return nil, false
	}
	of := make(map[*object]*workload, len(b.workloads))
	for _, w := range b.workloads {
		of[w.obj] = w
	}
	again := map[*workload]*workload{} // the workloads made again: old → new
	changed := map[*object]bool{}      // the Services, Ingresses and NetworkPolicies made again, as they are now
	services := map[*object]bool{}     // the changed Services, new
	configs := map[string]*object{}    // the changed ConfigMaps, new, by namespace/name
	policies := map[*policy]*policy{}  // the changed NetworkPolicies: old → new
	isolated := map[string]bool{}      // the IDs of the workloads they select, before or after
	var reread [][2]*workload          // workloads whose ID, labels or own aliases changed: old, new
	var reaimed [][2]*object           // Services whose name or selector changed: old, new
	var routes [][2]*object            // changed Ingresses: old, new
	newOf := map[*object]*object{}
	// isolate marks the workloads that policies of one namespace select.
	isolate := func(ps ...*policy) {
		for _, w := range b.workloads {
			if w.obj.namespace == ps[0].obj.namespace && slices.ContainsFunc(ps, func(p *policy) bool { return b.selects(p.selector, w.labels) }) {
				isolated[w.el.ID] = true
			}
		}
	}
	for _, p := range pairs {
		old, o := p[0], p[1]
		newOf[old] = o
		switch roleOf(o) {
		case roleWorkload:
			w, id := of[old], Name+":"+o.namespace+"/"+o.kind+"/"+o.name
			if w == nil || w.el.ID != Name+":"+old.namespace+"/"+old.kind+"/"+old.name || id != w.el.ID && b.ids[id] {
				return nil, false // a second object of the name: its ID says where it is
			}
			if id != w.el.ID && (b.twin(w.el.ID) || b.twin(id)) {
				return nil, false // the name it leaves or takes is another object's too
			}
			nw := newWorkload(o, id)
			if id != w.el.ID || !maps.Equal(nw.labels, w.labels) || !slices.Equal(nw.own, w.own) {
				reread = append(reread, [2]*workload{w, nw})
			}
			again[w] = nw
		case roleService:
			if b.services[key(old.namespace, old.name)] != old {
				return nil, false // a second Service of the name, which does nothing
			}
			if o.name != old.name && (b.services[key(o.namespace, o.name)] != nil || b.second(old)) {
				return nil, false // the name it leaves or takes is another Service's too
			}
			if o.name != old.name || !maps.Equal(stringMap(old.root.Path("spec", "selector")), stringMap(o.root.Path("spec", "selector"))) {
				reaimed = append(reaimed, [2]*object{old, o})
			}
			changed[o], services[o] = true, true
		case roleIngress:
			if b.second(old) || o.name != old.name && b.second(o) {
				// The name it has, leaves or takes is another Ingress's too: their flows share
				// IDs, and the first of the objects makes them.
				return nil, false
			}
			routes = append(routes, [2]*object{old, o})
			changed[o] = true
		case roleConfigMap:
			k := key(o.namespace, o.name)
			if b.configMaps[k] != old {
				return nil, false
			}
			configs[k] = o
		case rolePolicy:
			i := slices.IndexFunc(b.policies, func(p *policy) bool { return p.obj == old })
			if i < 0 || slices.ContainsFunc(b.policies, func(p *policy) bool {
				return p.obj != old && p.obj.namespace == o.namespace && p.obj.name == o.name
			}) {
				return nil, false // a second policy of the name: its ID says where it is
			}
			was, now := b.policies[i], newPolicy(o)
			isolate(was, now)
			policies[was], changed[o] = now, true
		default:
			return nil, false
		}
	}
	var bornW []*workload          // the workloads of the objects added
	deadW := map[*workload]bool{}  // those of the objects removed
	var deadS, bornS []*object     // the Services removed and added
	bornP := map[*object]*policy{} // the NetworkPolicies added
	deadP := map[*policy]bool{}    // and removed
	for _, old := range dead {
		switch roleOf(old) {
		case roleWorkload:
			w := of[old]
			if w == nil || strings.Contains(w.el.ID, "@") || b.twin(w.el.ID) {
				return nil, false // another workload's ID says where it is, and would not
			}
			deadW[w] = true
			reread = append(reread, [2]*workload{w, nil})
		case roleService:
			if b.services[key(old.namespace, old.name)] != old {
				return nil, false
			}
			deadS = append(deadS, old)
		case roleIngress:
			routes = append(routes, [2]*object{old, nil})
		case roleConfigMap:
			k := key(old.namespace, old.name)
			if b.configMaps[k] != old {
				return nil, false
			}
			configs[k] = nil
		case rolePolicy:
			i := slices.IndexFunc(b.policies, func(p *policy) bool { return p.obj == old })
			if i < 0 {
				return nil, false
			}
			was := b.policies[i]
			isolate(was)
			deadP[was] = true
		default:
			return nil, false
		}
	}
	for _, o := range born {
		switch roleOf(o) {
		case roleWorkload:
			nw := newWorkload(o, Name+":"+o.namespace+"/"+o.kind+"/"+o.name)
			if b.ids[nw.el.ID] || b.twin(nw.el.ID) {
				return nil, false
			}
			bornW = append(bornW, nw)
			reread = append(reread, [2]*workload{nil, nw})
		case roleService:
			bornS = append(bornS, o)
			changed[o], services[o] = true, true
		case roleIngress:
			routes = append(routes, [2]*object{nil, o})
			changed[o] = true
		case roleConfigMap:
			configs[key(o.namespace, o.name)] = o
		case rolePolicy:
			now := newPolicy(o)
			isolate(now)
			bornP[o], changed[o] = now, true
		default:
			return nil, false
		}
	}
	redo := func(w *workload) {
		if again[w] == nil && !deadW[w] {
			again[w] = newWorkload(w.obj, w.el.ID)
		}
	}
	// The Services to select their workloads again: the changed ones, and those that select a
	// workload whose labels changed, before or after. The workloads they selected are made
	// again; so are the flows of the Ingresses that route to them.
	reselect := map[*object]*object{} // old (as indexed) → new
	for _, p := range pairs {
		if services[p[1]] {
			reselect[p[0]] = p[1]
		}
	}
	for _, rw := range reread {
		w := cmp.Or(rw[0], rw[1])
		for _, s := range b.services {
			sel := stringMap(s.root.Path("spec", "selector"))
			if s.namespace == w.obj.namespace && len(sel) > 0 && (subset(sel, labelsOf(rw[0])) || subset(sel, labelsOf(rw[1]))) {
				reselect[s] = cmp.Or(newOf[s], s)
			}
		}
	}
	for s, ns := range reselect {
		changed[ns] = true
		for _, w := range b.selected[s] {
			redo(w)
		}
	}
	// A Service that selects otherwise selects its new workloads (with their new labels), and
	// its name, their alias, moves from the old ones to them.
	labels := func(w *workload) map[string]string { return cmp.Or(again[w], w).labels }
	for _, rs := range reaimed {
		old, o := rs[0], rs[1]
		sel := stringMap(o.root.Path("spec", "selector"))
		for _, w := range b.workloads {
			if w.obj.namespace == o.namespace && len(sel) > 0 && subset(sel, labels(w)) {
				redo(w)
			}
		}
		reselect[old] = o
	}
	// A Service removed: the workloads it selected. A Service added: those it selects (an
	// added workload it selects is made anyway).
	for _, old := range deadS {
		for _, w := range b.selected[old] {
			redo(w)
		}
	}
	for _, o := range bornS {
		sel := stringMap(o.root.Path("spec", "selector"))
		for _, w := range b.workloads {
			if w.obj.namespace == o.namespace && len(sel) > 0 && subset(sel, labels(w)) {
				redo(w)
			}
		}
	}
	if len(reread) > 0 || len(reaimed) > 0 || len(deadS) > 0 || len(bornS) > 0 {
		names := map[string]bool{} // namespace/name of the Services reselecting, before or after
		for s, ns := range reselect {
			names[key(s.namespace, s.name)], names[key(ns.namespace, ns.name)] = true, true
		}
		for _, o := range slices.Concat(deadS, bornS) {
			names[key(o.namespace, o.name)] = true
		}
		for _, o := range b.ingresses {
			if slices.ContainsFunc(backendsOf(o), func(be backend) bool { return names[key(o.namespace, be.svc.String())] }) {
				changed[cmp.Or(newOf[o], o)] = true
			}
		}
		// The workloads whose environment names an alias a workload had or has (every flow
		// that went to it among them): their flows are made again.
		aliases := map[string]bool{}
		for _, rw := range reread {
			w, nw := rw[0], rw[1]
			if w != nil {
				for a := range w.aliases {
					aliases[key(w.obj.namespace, a)] = true
				}
			}
			if nw != nil {
				for _, a := range nw.own {
					aliases[key(nw.obj.namespace, a)] = true
				}
			}
		}
		for s, ns := range reselect {
			aliases[key(s.namespace, model.NameAlias(s.name))] = true
			aliases[key(ns.namespace, model.NameAlias(ns.name))] = true
		}
		for _, o := range slices.Concat(deadS, bornS) {
			aliases[key(o.namespace, model.NameAlias(o.name))] = true
		}
		for _, x := range b.workloads {
			if slices.ContainsFunc(x.resolves, func(k string) bool { return aliases[k] }) {
				redo(x)
			}
		}
	}
	if len(routes) > 0 {
		// A changed Ingress: the workloads behind its backends, before or after, and those
		// whose environment names one of its hosts, before or after.
		hosts := map[string]bool{}
		for _, r := range routes {
			for _, o := range r {
				if o == nil {
					continue
				}
				for _, be := range backendsOf(o) {
					hosts[be.host] = true
					for _, w := range b.selected[b.services[key(o.namespace, be.svc.String())]] {
						redo(w)
					}
				}
			}
		}
		for _, x := range b.workloads {
			if slices.ContainsFunc(x.routed, func(h string) bool { return hosts[h] }) {
				redo(x)
			}
		}
	}
	if len(isolated) > 0 {
		// The flows into the workloads a changed policy isolates: whether each is blocked is
		// decided again with the workload it comes from.
		byID := make(map[string]*workload, len(b.workloads))
		for _, w := range b.workloads {
			byID[w.el.ID] = w
		}
		for _, e := range b.out {
			if e.Kind == model.Flow && e.Type == "env" && isolated[e.To] && byID[e.From] != nil {
				redo(byID[e.From])
			}
		}
	}
	if len(configs) > 0 {
		for _, w := range b.workloads {
			if slices.ContainsFunc(w.reads, func(k string) bool { _, ok := configs[k]; return ok }) {
				redo(w)
			}
		}
	}

	// An Ingress made again whose name another Ingress has: their flows share IDs, and the
	// first of the objects makes them.
	for o := range changed {
		if o.kind == "Ingress" && slices.ContainsFunc(objs, func(x *object) bool {
			return x != o && x.kind == o.kind && x.namespace == o.namespace && x.name == o.name
		}) {
			return nil, false
		}
	}
	// From here b is changed: it is the build of objs once link has run.
	b.objs = objs
	for k, o := range configs {
		if o == nil {
			delete(b.configMaps, k)
		} else {
			b.configMaps[k] = o
		}
	}
	if len(policies) > 0 || len(bornP) > 0 || len(deadP) > 0 {
		b.policies = substitute(b.policies, policies)
		if len(bornP) > 0 || len(deadP) > 0 {
			// In the objects' order, as index made them.
			byObj := make(map[*object]*policy, len(b.policies)+len(bornP))
			for _, p := range b.policies {
				if !deadP[p] {
					byObj[p.obj] = p
				}
			}
			maps.Copy(byObj, bornP)
			b.policies = b.policies[:0:0]
			for _, o := range objs {
				if p := byObj[o]; p != nil {
					b.policies = append(b.policies, p)
				}
			}
		}
		clear(b.policiesIn)
		for _, p := range b.policies {
			b.policiesIn[p.obj.namespace] = append(b.policiesIn[p.obj.namespace], p)
		}
		// Which policies isolate each workload, and the selectors' labels, are read again.
		b.isolates, b.policyAt, b.policyAny, b.matchLabels = nil, nil, nil, nil
	}
	for _, p := range pairs {
		old, o := p[0], p[1]
		if services[o] {
			delete(b.services, key(old.namespace, old.name))
			b.services[key(o.namespace, o.name)] = o
			delete(b.selected, old)
		}
		for _, ns := range b.namespaces {
			if ns.first == old {
				ns.first = o
			}
		}
	}
	for _, old := range deadS {
		delete(b.services, key(old.namespace, old.name))
		delete(b.selected, old)
	}
	for _, o := range bornS {
		b.services[key(o.namespace, o.name)] = o
	}
	for ns, o := range firsts {
		b.namespaces[ns].first = o
	}
	for s, ts := range b.selected {
		b.selected[s] = substitute(ts, again)
	}
	if len(routes) > 0 {
		b.ingresses = b.ingresses[:0:0]
		for _, o := range objs {
			if roleOf(o) == roleIngress {
				b.ingresses = append(b.ingresses, o)
			}
		}
		b.routes = nil
		for _, o := range b.ingresses {
			b.route(backendsOf(o))
		}
	}
	b.workloads = substitute(b.workloads, again)
	for w := range again {
		delete(b.isolates, w)
	}
	if len(bornW) > 0 || len(deadW) > 0 {
		// In the objects' order, as index made them.
		byObj := make(map[*object]*workload, len(b.workloads)+len(bornW))
		for _, w := range b.workloads {
			if !deadW[w] {
				byObj[w.obj] = w
			}
		}
		for _, w := range bornW {
			byObj[w.obj] = w
		}
		b.workloads = b.workloads[:0:0]
		for _, o := range objs {
			if w := byObj[o]; w != nil {
				b.workloads = append(b.workloads, w)
			}
		}
		if len(b.workloads) != len(byObj) {
			return nil, false // a workload a patch made, of no object: built whole
		}
		for s, ts := range b.selected {
			b.selected[s] = slices.DeleteFunc(slices.Clone(ts), func(w *workload) bool { return deadW[w] })
		}
		for w := range deadW {
			delete(b.isolates, w)
		}
	}
	// The indexes take the workloads made again when next needed (their aliases are complete
	// only once the Services are folded); one that was not needed since the last edit is
	// made again.
	if b.relabel != nil {
		b.byLabel = nil
	}
	if b.realias != nil {
		b.byAlias = nil
	}
	b.relabel, b.realias = again, again
	if len(bornW) > 0 || len(deadW) > 0 {
		b.byLabel, b.byAlias, b.relabel, b.realias = nil, nil, nil, nil
	}
	b.redo, b.changed, b.fresh = make(map[*workload]bool, len(again)), changed, nil
	for _, nw := range again {
		b.redo[nw] = true
	}
	for _, nw := range bornW {
		b.redo[nw] = true
	}
	defer func() { b.redo, b.changed = nil, nil }()

	// What the stages make again leaves: the workloads made again and their environments'
	// flows, the flows of the Services and Ingresses made again (by their old names too), the
	// changed policies' elements, the zones and the shared actors.
	gone := make(map[string]bool, len(again))
	for w := range again {
		gone[w.el.ID] = true
	}
	for w := range deadW {
		gone[w.el.ID] = true
	}
	for p := range policies {
		gone[Name+":"+p.obj.namespace+"/"+p.obj.kind+"/"+p.obj.name] = true
	}
	for p := range deadP {
		gone[Name+":"+p.obj.namespace+"/"+p.obj.kind+"/"+p.obj.name] = true
	}
	var flows []string // the ID prefixes of the flows of the Services and Ingresses made again
	for o := range changed {
		if o.kind == "Service" || o.kind == "Ingress" {
			flows = append(flows, Name+":"+o.namespace+"/"+o.kind+"/"+o.name+"/")
		}
	}
	for _, p := range pairs {
		if old := p[0]; old.name != p[1].name && (old.kind == "Service" || old.kind == "Ingress") {
			flows = append(flows, Name+":"+old.namespace+"/"+old.kind+"/"+old.name+"/")
		}
	}
	for _, old := range dead {
		if old.kind == "Service" || old.kind == "Ingress" {
			flows = append(flows, Name+":"+old.namespace+"/"+old.kind+"/"+old.name+"/")
		}
	}
	out := make([]*model.Element, 0, len(b.out))
	for _, e := range b.out {
		drop := gone[e.ID] || e.Kind == model.Actor || e.Kind == model.Zone && e.Type == "Namespace" ||
			e.Type == "env" && gone[e.From]
		for _, p := range flows {
			drop = drop || (e.Type == "Service" || e.Type == "Ingress") && e.Kind == model.Flow && strings.HasPrefix(e.ID, p)
		}
		if drop {
			delete(b.ids, e.ID)
			delete(b.shared, e)
			continue
		}
		out = append(out, e)
	}
	b.out, b.kept = out, len(out)
	for _, w := range b.workloads {
		if b.redo[w] {
			b.add(w.el, false)
			b.podAttrs(w)
		}
	}
	b.link()
	return b.fresh, true
}

// renew returns index with each workload of by (old → new) replaced by the new one where the
// new one has the keys (labels, aliases) the old one had: an entry holds a workload where it
// held the old one, in the same place (a workload made again keeps its place among the
// workloads). When the keys of one changed, it returns nil: the index is made again.
func renew[K comparable, V comparable, E any](index map[K]E, by map[*workload]*workload,
	keys func(*workload) map[string]V, key func(*workload, string, V) K, take func(E, map[*workload]*workload) E) map[K]E {
	if index == nil {
		return nil
	}
	for w, nw := range by {
		if !maps.Equal(keys(w), keys(nw)) {
			return nil
		}
	}
	for w := range by {
		for k, v := range keys(w) {
			kk := key(w, k, v)
			if e, ok := index[kk]; ok {
				index[kk] = take(e, by)
			}
		}
	}
	return index
}

// substitute returns xs with the elements by has a replacement for replaced: a copy when it
// has one for any (the build's slices may be shared with what it replaced), else xs.
func substitute[T comparable](xs []T, by map[T]T) []T {
	var out []T
	for i, x := range xs {
		if y, ok := by[x]; ok {
			if out == nil {
				out = slices.Clone(xs)
			}
			out[i] = y
		}
	}
	if out == nil {
		return xs
	}
	return out
}

// safeApply is apply, which a panic makes report false: a fault of the shortcut costs a whole
// build, not the namespace's elements.
func (b *builder) safeApply(objs []*object) (fresh []*model.Element, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			fresh, ok = nil, false
		}
	}()
	return b.apply(objs)
}

// second reports whether another object of o's kind has o's name and namespace.
func (b *builder) second(o *object) bool {
	return slices.ContainsFunc(b.objs, func(x *object) bool {
		return x != o && x.kind == o.kind && x.namespace == o.namespace && x.name == o.name
	})
}

// twin reports whether an element's ID is id told apart by where it is (see builder.id): a
// second object of the same kind, name and namespace.
func (b *builder) twin(id string) bool {
	for x := range b.ids {
		if len(x) > len(id) && x[len(id)] == '@' && strings.HasPrefix(x, id) {
			return true
		}
	}
	return false
}

// align pairs the objects of the build with objs, the objects after an edit: those that are
// the same stay; between the first and the last that are not, each is paired with the one at
// its place when there are as many before as after and each is of the same kind, namespace
// and file, else with the one of its file, kind, namespace and name. The others were added
// (born) or removed (dead). ok is false when a name is twice among them. A pair read from the
// same text at the same place is no change: objs is returned with the build's object there
// (a copy: the caller's slice is left as it is).
func (b *builder) align(objs []*object) (_ []*object, pairs [][2]*object, born, dead []*object, ok bool) {
	pairs, born, dead, ok = b.pair(objs)
	if !ok {
		return nil, nil, nil, nil, false
	}
	var same map[*object]*object
	pairs = slices.DeleteFunc(pairs, func(p [2]*object) bool {
		old, o := p[0], p[1]
		if old.text != o.text || old.item != o.item || old.span != o.span || old.file != o.file ||
			old.kind != o.kind || old.name != o.name || old.namespace != o.namespace || old.nsBy != o.nsBy {
			return false
		}
		if same == nil {
			same = map[*object]*object{}
		}
		same[o] = old
		return true
	})
	if same != nil {
		objs = slices.Clone(objs)
		for i, o := range objs {
			if old := same[o]; old != nil {
				objs[i] = old
			}
		}
	}
	return objs, pairs, born, dead, true
}

// pair is align without the objects read again as they were.
func (b *builder) pair(objs []*object) (pairs [][2]*object, born, dead []*object, ok bool) {
	n, m := len(b.objs), len(objs)
	p, s := commonEnds(n, m, func(i, j int) bool { return b.objs[i] == objs[j] })
	olds, news := b.objs[p:n-s], objs[p:m-s]
	if len(olds)+len(news) > 2*deltaMost {
		return nil, nil, nil, false
	}
	if len(olds) == len(news) {
		for i, o := range news {
			if x := olds[i]; x.file != o.file || x.kind != o.kind || x.namespace != o.namespace {
				pairs = nil
				break
			} else if x != o {
				pairs = append(pairs, [2]*object{x, o})
			}
		}
		if pairs != nil {
			return pairs, nil, nil, true
		}
	}
	type name struct{ file, kind, ns, name string }
	nameOf := func(o *object) name { return name{o.file, o.kind, o.namespace, o.name} }
	at := make(map[name]*object, len(olds))
	for _, o := range olds {
		if at[nameOf(o)] != nil {
			return nil, nil, nil, false
		}
		at[nameOf(o)] = o
	}
	seen := make(map[name]bool, len(news))
	for _, o := range news {
		k := nameOf(o)
		if seen[k] {
			return nil, nil, nil, false
		}
		seen[k] = true
		if old := at[k]; old != nil {
			delete(at, k)
			if old != o {
				pairs = append(pairs, [2]*object{old, o})
			}
			continue
		}
		born = append(born, o)
	}
	for _, o := range olds {
		if at[nameOf(o)] == o {
			dead = append(dead, o)
		}
	}
	return pairs, born, dead, true
}

// commonEnds returns how many of two lists' first items (p) and last items (s) are the same,
// by same(i, j) of the first list's item i and the second's j, the two never overlapping.
func commonEnds(n, m int, same func(i, j int) bool) (p, s int) {
	for p < n && p < m && same(p, p) {
		p++
	}
	for s < n-p && s < m-p && same(n-1-s, m-1-s) {
		s++
	}
	return p, s
}

// bornAndDead checks that the objects an edit added (born) and removed (dead) can be applied
// to the build: workloads, Services, Ingresses, ConfigMaps and NetworkPolicies, none patched,
// none sharing its kind, name and namespace with another object, each in a namespace that has
// other objects. It returns the first object of each namespace they are in, after the edit.
func (b *builder) bornAndDead(objs, born, dead []*object) (map[string]*object, bool) {
	if len(born) == 0 && len(dead) == 0 {
		return nil, true
	}
	type name struct{ kind, ns, name string }
	count := map[name]int{}
	firsts := map[string]*object{}
	for _, o := range slices.Concat(born, dead) {
		switch roleOf(o) {
		case roleWorkload, roleService, roleIngress, roleConfigMap, rolePolicy:
		default:
			return nil, false
		}
		if b.patchedBy(o) || b.namespaces[o.namespace] == nil {
			return nil, false
		}
		count[name{o.kind, o.namespace, o.name}] = 0
		firsts[o.namespace] = nil
	}
	for _, objs := range [][]*object{b.objs, objs} {
		for _, o := range objs {
			if n, ok := count[name{o.kind, o.namespace, o.name}]; ok {
				count[name{o.kind, o.namespace, o.name}] = n + 1
			}
		}
	}
	for _, o := range born {
		if count[name{o.kind, o.namespace, o.name}] != 1 {
			return nil, false // another object has its name
		}
	}
	for _, o := range dead {
		if count[name{o.kind, o.namespace, o.name}] != 1 {
			return nil, false
		}
	}
	for _, o := range objs {
		ns := o.namespace
		switch roleOf(o) {
		case roleNamespace:
			ns = o.name
		case roleConfigMap, roleAccount, roleOther:
			continue
		}
		if f, ok := firsts[ns]; ok && f == nil {
			firsts[ns] = o
		}
	}
	for _, f := range firsts {
		if f == nil {
			return nil, false // the namespace is left with none
		}
	}
	return firsts, true
}

// labelsOf returns the labels of w's pods; none for no workload.
func labelsOf(w *workload) map[string]string {
	if w == nil {
		return nil
	}
	return w.labels
}
