package kubernetes

import (
	"fmt"
	"slices"
	"strings"

	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// policy is a NetworkPolicy. Only its ingress side is read: which pods it isolates and
// which peers its rules admit (their ports are not compared).
type policy struct {
	obj      *object
	selector *yamlnode.Node // spec.podSelector
	ingress  bool           // it isolates the pods it selects for ingress
	rules    []*yamlnode.Node
}

func newPolicy(o *object) *policy {
	spec := o.root.Get("spec")
	p := &policy{obj: o, selector: spec.Get("podSelector"), rules: items(spec.Get("ingress"))}
	types := spec.Get("policyTypes")
	p.ingress = types == nil // Ingress is implied when policyTypes is absent
	for _, t := range types.Strings() {
		if t == "Ingress" {
			p.ingress = true
		}
	}
	return p
}

// selects reports whether a label selector (matchLabels, matchExpressions) selects labels.
// An absent or empty selector selects everything. The selector's labels are read once per
// selector and build.
func (b *builder) selects(sel *yamlnode.Node, labels map[string]string) bool {
	match, ok := b.matchLabels[sel]
	if !ok {
		match = stringMap(sel.Get("matchLabels"))
		if b.matchLabels == nil {
			b.matchLabels = map[*yamlnode.Node]map[string]string{}
		}
		b.matchLabels[sel] = match
	}
	if !subset(match, labels) {
		return false
	}
	for _, e := range items(sel.Get("matchExpressions")) {
		v, has := labels[e.Get("key").String()]
		in := false
		for _, s := range e.Get("values").Strings() {
			in = in || has && s == v
		}
		switch e.Get("operator").String() {
		case "In":
			if !in {
				return false
			}
		case "NotIn":
			if in {
				return false
			}
		case "Exists":
			if !has {
				return false
			}
		case "DoesNotExist":
			if has {
				return false
			}
		}
	}
	return true
}

// selectsAll reports whether a selector is empty.
func selectsAll(sel *yamlnode.Node) bool {
	return len(sel.Get("matchLabels").Entries()) == 0 && len(items(sel.Get("matchExpressions"))) == 0
}

// admitsAll reports whether an ingress rule admits every source: it has no `from`, or a
// peer that is every namespace or every address.
func admitsAll(rule *yamlnode.Node) bool {
	from := rule.Get("from")
	if len(items(from)) == 0 {
		return true
	}
	for _, peer := range items(from) {
		ns, pods := peer.Get("namespaceSelector"), peer.Get("podSelector")
		if ns != nil && selectsAll(ns) && selectsAll(pods) {
			return true
		}
		if c := peer.Path("ipBlock", "cidr").String(); c == "0.0.0.0/0" || c == "::/0" {
			return true
		}
	}
	return false
}

// denyAll returns the first policy that denies ingress by default in namespace ns: it
// selects every pod, isolates them for ingress, and none of its rules admits everything.
func (b *builder) denyAll(ns string) *policy {
	for _, p := range b.policiesIn[ns] {
		if p.denies() {
			return p
		}
	}
	return nil
}

func (p *policy) denies() bool {
	if !p.ingress || !selectsAll(p.selector) {
		return false
	}
	for _, r := range p.rules {
		if admitsAll(r) {
			return false
		}
	}
	return true
}

// namespaceLabels are the labels of namespace ns: its Namespace's, and the name label
// Kubernetes sets on every namespace.
func (b *builder) namespaceLabels(ns string) map[string]string {
	out := map[string]string{"kubernetes.io/metadata.name": ns}
	if n := b.namespaces[ns]; n != nil {
		for k, v := range n.labels {
			out[k] = v
		}
	}
	return out
}

// block decides a flow from src to dst in one namespace: when policies isolate dst, the
// flow is blocked unless one of their rules admits src.
func (b *builder) block(f *model.Element, src, dst *workload) {
	ns := dst.obj.namespace
	if src.obj.namespace != ns {
		return
	}
	isolating := b.isolating(dst)
	if len(isolating) == 0 {
		return
	}
	for _, p := range isolating {
		for _, r := range p.rules {
			if len(items(r.Get("from"))) == 0 {
				f.SetNote("blocked", false, r.Span, p.obj.ref()+" admits all traffic to "+dst.obj.ref())
				return
			}
			for _, peer := range items(r.Get("from")) {
				if b.admits(peer, ns, src.labels) {
					f.SetNote("blocked", false, peer.Span, p.obj.ref()+" admits "+src.obj.ref())
					return
				}
			}
		}
	}
	p := isolating[0]
	f.SetNote("blocked", true, p.obj.span, p.obj.ref()+" isolates "+dst.obj.ref()+" and no rule admits "+src.obj.ref())
}

// isolating returns the policies of dst's namespace that isolate its pods for ingress, in the
// namespace's order, once per workload. A policy whose podSelector has matchLabels is looked
// up by the first of them (a pod it selects carries that label), the others are tried on
// every workload: a namespace of many policies and many flows costs their sum, not their
// product.
func (b *builder) isolating(dst *workload) []*policy {
	if ps, ok := b.isolates[dst]; ok {
		return ps
	}
	if b.isolates == nil {
		b.isolates = map[*workload][]*policy{}
		b.policyAt = map[[3]string][]int{}
		b.policyAny = map[string][]int{}
		for ns, ps := range b.policiesIn {
			for i, p := range ps {
				if !p.ingress {
					continue
				}
				labels := stringMap(p.selector.Get("matchLabels"))
				if len(labels) == 0 {
					b.policyAny[ns] = append(b.policyAny[ns], i)
					continue
				}
				keys := make([]string, 0, len(labels))
				for k := range labels {
					keys = append(keys, k)
				}
				k := slices.Min(keys)
				b.policyAt[[3]string{ns, k, labels[k]}] = append(b.policyAt[[3]string{ns, k, labels[k]}], i)
			}
		}
	}
	ns := dst.obj.namespace
	at := slices.Clone(b.policyAny[ns])
	for k, v := range dst.labels {
		at = append(at, b.policyAt[[3]string{ns, k, v}]...)
	}
	slices.Sort(at)
	var out []*policy
	for _, i := range at {
		if p := b.policiesIn[ns][i]; b.selects(p.selector, dst.labels) {
			out = append(out, p)
		}
	}
	b.isolates[dst] = out
	return out
}

// admits reports whether a `from` peer admits pods labelled labels of namespace ns.
func (b *builder) admits(peer *yamlnode.Node, ns string, labels map[string]string) bool {
	nsSel, podSel := peer.Get("namespaceSelector"), peer.Get("podSelector")
	if nsSel == nil && podSel == nil {
		return false // an ipBlock: pods are not matched by address here
	}
	if nsSel != nil && !b.selects(nsSel, b.namespaceLabels(ns)) {
		return false
	}
	return podSel == nil || b.selects(podSel, labels)
}

// policyElements makes a control element of each NetworkPolicy, in its namespace's zone,
// and gives each namespace's zone its name (namespace) and how many policies it has
// (network_policies).
func (b *builder) policyElements() {
	for _, z := range b.out {
		if z.Kind != model.Zone || z.Type != "Namespace" {
			continue
		}
		ns := strings.TrimPrefix(z.Name, "Namespace/")
		z.Default("namespace", ns, "the namespace's name")
		var first *policy
		n := int64(0)
		for _, p := range b.policies {
			if p.obj.namespace == ns {
				n++
				if first == nil {
					first = p
				}
			}
		}
		if first != nil {
			z.SetNote("network_policies", n, first.obj.head, fmt.Sprintf("%d NetworkPolicy objects", n))
		} else {
			z.Default("network_policies", int64(0), "no NetworkPolicy in the namespace")
		}
	}
	for _, p := range b.policies {
		if b.redo != nil && !b.changed[p.obj] {
			continue // an edit applied to a kept build makes the policies it changed (delta.go)
		}
		o := p.obj
		e := &model.Element{ID: b.id(o), Kind: model.Control, Type: "NetworkPolicy", Name: o.ref(),
			Span: o.span, Head: o.head, Parent: zoneID(o.namespace)}
		o.setZone(e)
		at := o.kindSpan
		if p.selector != nil {
			at = p.selector.Span
		}
		e.Set("default_deny", p.denies(), at)
		b.add(e, false)
	}
}
