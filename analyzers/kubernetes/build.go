package kubernetes

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// podPath is, for each workload kind, the path from the object to its pod template (nil
// path: the object is the pod).
var podPath = map[string][]string{
	"Pod":         {},
	"Deployment":  {"spec", "template"},
	"StatefulSet": {"spec", "template"},
	"DaemonSet":   {"spec", "template"},
	"ReplicaSet":  {"spec", "template"},
	"Job":         {"spec", "template"},
	"CronJob":     {"spec", "jobTemplate", "spec", "template"},
}

// workload is a Pod, or an object that runs pods from a template.
type workload struct {
	obj        *object
	el         *model.Element
	pod        *yamlnode.Node // the pod spec
	meta       *yamlnode.Node // the pod's metadata (labels, annotations)
	labels     map[string]string
	containers []*yamlnode.Node
	aliases    map[string]bool
	exposed    bool // internet_facing has been read from a Service or an Ingress
	// own are the aliases the object gives itself (its name, app labels, images), before
	// Services add theirs: what other objects may resolve it by.
	own []string
	// mentions are the hosts outside the cluster its environment names, in order: the
	// external actors are made from every workload's, in order (see link).
	mentions []mention
	// reads are the ConfigMaps (namespace/name) its environment looked up, found or not;
	// resolves the aliases of the cluster's hosts it names (namespace/alias), found or not;
	// routed the other hosts it names, looked up in the Ingresses' routes.
	reads, resolves, routed []string
}

// mention is a host outside the cluster named by a workload's environment, where.
type mention struct {
	host string
	at   model.Span
}

// namespace is a namespace declared (a Namespace object) or used by an object.
type namespace struct {
	name     string
	declared *object // the Namespace, or nil
	first    *object // the first object in it
	labels   map[string]string
}

// result is the model of a set of objects.
type result struct {
	elements []*model.Element
	// shared are the elements that no one file defines alone: the internet's actor and the
	// external actors (builder.add's shared).
	shared map[*model.Element]bool
}

type builder struct {
	objs []*object
	// place is, while an edit is applied to a file's kept build (kept.go), where a span of
	// the build is in the file's text now; nil when the build's spans are where they are.
	place      func(model.Span) model.Span
	out        []*model.Element
	shared     map[*model.Element]bool
	ids        map[string]bool
	namespaces map[string]*namespace
	workloads  []*workload
	configMaps map[string]*object // by namespace/name
	accounts   map[string]*object // ServiceAccounts by namespace/name
	services   map[string]*object // by namespace/name
	selected   map[*object][]*workload
	policies   []*policy
	ingresses  []*object
	builds     []*object                 // skaffold and kustomize configurations (images.go)
	patches    []*object                 // kustomize patches of workloads (patch.go)
	routes     map[string][]route        // Ingress paths by host
	actors     map[string]*model.Element // external actors by host
	// byLabel indexes workloads by namespace, label and value; byAlias by namespace and
	// alias (the first workload that has it). Both are made when first needed, and an edit
	// applied to the build (delta.go) leaves in relabel and realias the workloads it made
	// again, old → new, for the index to take them when next needed (see renew).
	byLabel          map[[3]string][]*workload
	byAlias          map[[2]string]*workload
	relabel, realias map[*workload]*workload
	// policiesIn are the NetworkPolicies by namespace; matchLabels the selectors' labels, by
	// selector, read once.
	policiesIn  map[string][]*policy
	matchLabels map[*yamlnode.Node]map[string]string
	// isolates are the policies that isolate each workload (policy.go); policyAt indexes the
	// ingress policies of policiesIn by namespace and one label they select, policyAny those
	// that select no label. All three are made when first needed.
	isolates  map[*workload][]*policy
	policyAt  map[[3]string][]int
	policyAny map[string][]int
	// redo is, while an edit is applied to a kept build (delta.go), the workloads made again
	// and the objects that changed; nil in a whole build, where every stage acts on every
	// object. fresh collects the elements that edit made.
	redo    map[*workload]bool
	changed map[*object]bool
	fresh   []*model.Element
	kept    int // how many elements of out the edit kept, in order, before it added any
}

// build makes the model of b.objs, which are in file order. The same objects always give
// equal elements.
func (b *builder) build() {
	b.index()
	for _, w := range b.workloads {
		b.podAttrs(w)
	}
	b.link()
}

func newBuilder(objs []*object) *builder {
	return &builder{objs: objs, shared: map[*model.Element]bool{}, ids: map[string]bool{},
		namespaces: map[string]*namespace{}, configMaps: map[string]*object{}, accounts: map[string]*object{},
		services: map[string]*object{}, selected: map[*object][]*workload{},
		policiesIn: map[string][]*policy{}}
}

// link is what follows the workloads' own attributes: what other objects do to them, their
// environments, the zones and the elements shared by files. An edit applied to a kept build
// (delta.go) runs it again for the workloads it made again.
func (b *builder) link() {
	b.foldServices()
	for _, o := range b.ingresses {
		b.ingress(o)
	}
	for _, w := range b.workloads {
		if !b.affects(w) {
			continue
		}
		if _, ok := w.el.Attrs.Get("internet_facing"); !ok {
			w.el.Default("internet_facing", false, "no LoadBalancer or NodePort Service and no Ingress of the workspace reaches it")
		}
		b.envFlows(w)
	}
	b.zones()
	b.policyElements()
	b.internetActor()
	b.actors = map[string]*model.Element{}
	for _, w := range b.workloads {
		for _, m := range w.mentions {
			b.actor(m.host, m.at)
		}
	}
	hosts := make([]string, 0, len(b.actors))
	for h := range b.actors {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	for _, h := range hosts {
		b.add(b.actors[h], true)
	}
	if b.redo != nil {
		// An edit applied to a kept build (delta.go): what it kept is in order.
		b.out = model.MergeElements(b.out[:b.kept], b.out[b.kept:])
		return
	}
	model.SortElements(b.out)
}

// affects reports whether the stage running acts on w: every workload in a whole build, those
// made again when an edit is applied to a kept build.
func (b *builder) affects(w *workload) bool { return b.redo == nil || b.redo[w] }

// internetActor adds the internet's actor when a flow comes from it, at the first such flow
// of the files.
func (b *builder) internetActor() {
	var first *model.Element
	for _, f := range b.out {
		if f.From == model.Internet && (first == nil || before(b.at(f.Span), b.at(first.Span))) {
			first = f
		}
	}
	if first != nil {
		a := model.InternetActor(first.Head)
		a.Span = first.Span
		b.add(a, true)
	}
}

// add appends e to the model, unless an element of the same ID is already in it.
func (b *builder) add(e *model.Element, shared bool) bool {
	if b.ids[e.ID] {
		return false
	}
	b.ids[e.ID] = true
	b.out = append(b.out, e)
	if shared {
		b.shared[e] = true
	}
	if b.redo != nil {
		b.fresh = append(b.fresh, e)
	}
	return true
}

// id is the ID of an object's element: kubernetes:<namespace>/<Kind>/<name>. A second
// object of the same kind, name and namespace (another overlay of the same Deployment) is
// told apart by its file and line.
func (b *builder) id(o *object) string {
	id := Name + ":" + o.namespace + "/" + o.kind + "/" + o.name
	if b.ids[id] {
		id += fmt.Sprintf("@%s:%d", o.file, o.head.Start.Line+1)
	}
	return id
}

func key(ns, name string) string { return ns + "/" + name }

// role is what the model makes of an object.
type role uint8

const (
	roleOther role = iota // RBAC, build configurations, kustomize patches (see other)
	roleNamespace
	roleConfigMap
	roleAccount
	roleService
	roleIngress
	rolePolicy
	roleWorkload
)

func roleOf(o *object) role {
	switch o.kind {
	case "Namespace":
		return roleNamespace
	case "ConfigMap":
		return roleConfigMap
	case "ServiceAccount":
		return roleAccount
	}
	if isOther(o) {
		return roleOther
	}
	switch o.kind {
	case "Service":
		return roleService
	case "Ingress":
		return roleIngress
	case "NetworkPolicy":
		return rolePolicy
	}
	return roleWorkload
}

// index sorts the objects by kind and makes the workloads' elements.
func (b *builder) index() {
	for _, o := range b.objs {
		r := roleOf(o)
		switch r {
		case roleNamespace:
			ns := b.namespace(o.name, o)
			if ns.declared == nil {
				ns.declared = o
				ns.labels = stringMap(o.root.Path("metadata", "labels"))
			}
			continue
		case roleConfigMap:
			if b.configMaps[key(o.namespace, o.name)] == nil {
				b.configMaps[key(o.namespace, o.name)] = o
			}
			continue
		case roleAccount:
			if b.accounts[key(o.namespace, o.name)] == nil {
				b.accounts[key(o.namespace, o.name)] = o
			}
			continue
		case roleOther:
			b.other(o)
			continue
		}
		b.namespace(o.namespace, o)
		switch r {
		case roleService:
			if b.services[key(o.namespace, o.name)] == nil {
				b.services[key(o.namespace, o.name)] = o
			}
		case roleIngress:
			b.ingresses = append(b.ingresses, o)
		case rolePolicy:
			p := newPolicy(o)
			b.policies = append(b.policies, p)
			b.policiesIn[o.namespace] = append(b.policiesIn[o.namespace], p)
		default:
			b.workload(o)
		}
	}
	b.patched()
}

func (b *builder) namespace(name string, o *object) *namespace {
	ns := b.namespaces[name]
	if ns == nil {
		ns = &namespace{name: name, first: o}
		b.namespaces[name] = ns
	}
	return ns
}

func zoneID(ns string) string { return Name + ":namespace/" + ns }

// setZone sets the zone of o's element e: its namespace, where the object or the
// kustomization that lists it says so, else the default namespace.
func (o *object) setZone(e *model.Element) {
	switch {
	case !o.nsSpan.IsZero():
		e.Set("zone", zoneID(o.namespace), o.nsSpan)
	case !o.nsBy.IsZero():
		e.SetNote("zone", zoneID(o.namespace), o.nsBy, "the namespace of the kustomization that lists "+path.Base(o.file))
	default:
		e.Default("zone", zoneID(o.namespace), "no metadata.namespace: the default namespace, unless kubectl or kustomize is given another")
	}
}

// workload makes the element of a workload object, with its aliases and zone.
func (b *builder) workload(o *object) {
	w := newWorkload(o, b.id(o))
	b.add(w.el, false)
	b.workloads = append(b.workloads, w)
}

// newWorkload makes the workload of o, its element of ID id with what o alone says.
func newWorkload(o *object, id string) *workload {
	tmpl := o.root.Path(podPath[o.kind]...)
	w := &workload{obj: o, pod: tmpl.Get("spec"), meta: tmpl.Get("metadata"), aliases: map[string]bool{}}
	if o.kind == "Pod" {
		w.pod, w.meta = o.root.Get("spec"), o.root.Get("metadata")
	}
	w.labels = stringMap(w.meta.Get("labels"))
	for _, c := range items(w.pod.Get("containers")) {
		if c != nil && c.Kind == yamlnode.Map {
			w.containers = append(w.containers, c)
		}
	}
	e := &model.Element{ID: id, Kind: model.Component, Type: o.kind, Name: o.ref(),
		Span: o.span, Head: o.head}
	w.el = e
	w.alias(o.name)
	objLabels := stringMap(o.root.Path("metadata", "labels"))
	for _, l := range []string{"app", "app.kubernetes.io/name"} {
		for _, m := range []map[string]string{objLabels, w.labels} {
			if v := m[l]; v != "" {
				w.alias(v)
			}
		}
	}
	for _, c := range w.containers {
		if img, ok := c.Get("image").Str(); ok && !strings.Contains(img, "{{") {
			if a := model.ImageAlias(img); a != "" && !w.aliases[a] {
				w.aliases[a] = true
				e.Aliases = append(e.Aliases, a)
			}
		}
	}
	e.Set("platform", "kubernetes", o.kindSpan)
	o.setZone(e)
	if len(objLabels) > 0 || len(w.labels) > 0 {
		labels := map[string]any{}
		for k, v := range objLabels {
			labels[k] = v
		}
		for k, v := range w.labels {
			labels[k] = v
		}
		at := w.meta.Get("labels")
		if at == nil {
			at = o.root.Path("metadata", "labels")
		}
		e.Set("labels", labels, at.Span)
	}
	w.own = slices.Clip(e.Aliases)
	return w
}

// alias adds the name alias of name to the workload.
func (w *workload) alias(name string) {
	if a := model.NameAlias(name); a != "" && !w.aliases[a] {
		w.aliases[a] = true
		w.el.Aliases = append(w.el.Aliases, a)
	}
}

// relate adds a related place to the workload, once.
func (w *workload) relate(at model.Span, msg string) {
	for _, r := range w.el.Related {
		if r.Span == at && r.Message == msg {
			return
		}
	}
	w.el.Related = append(w.el.Related, model.Related{Span: at, Message: msg})
}

// stringMap reads a map of scalars (labels, a selector, a ConfigMap's data).
func stringMap(n *yamlnode.Node) map[string]string {
	out := map[string]string{}
	for _, p := range n.Entries() {
		if v, ok := p.Value.Str(); ok {
			out[p.Key.Value] = v
		}
	}
	return out
}

// foldServices folds every Service into the workloads it selects: its name becomes their
// alias, its definition their related place; a LoadBalancer or NodePort Service makes them
// internet-facing, with a flow from the internet per port.
//
// Applying an edit to a kept build (delta.go), a Service that did not change selects the
// same workloads and made the same flows: only the workloads made again are folded into.
func (b *builder) foldServices() {
	for _, o := range b.objs {
		if o.kind != "Service" {
			continue
		}
		whole := b.redo == nil || b.changed[o]
		if !whole && !slices.ContainsFunc(b.selected[o], b.affects) || b.services[key(o.namespace, o.name)] != o {
			continue
		}
		spec := o.root.Get("spec")
		var targets []*workload
		if whole {
			sel := stringMap(spec.Get("selector"))
			if len(sel) == 0 {
				continue
			}
			for _, w := range b.withLabels(o.namespace, sel) {
				if subset(sel, w.labels) {
					targets = append(targets, w)
				}
			}
			b.selected[o] = targets
		} else {
			targets = b.selected[o]
		}
		for _, w := range targets {
			if b.affects(w) {
				w.alias(o.name)
				w.relate(o.span, "exposed by "+o.ref())
			}
		}
		typ := spec.Get("type")
		t := typ.String()
		if t != "LoadBalancer" && t != "NodePort" {
			continue
		}
		annotations := o.root.Path("metadata", "annotations")
		if internalLB(annotations) {
			continue
		}
		if t == "NodePort" {
			nodePort(o, typ, slices.DeleteFunc(slices.Clone(targets), func(w *workload) bool { return !b.affects(w) }))
			continue
		}
		for _, w := range targets {
			if !w.exposed && b.affects(w) {
				w.exposed = true
				w.el.SetNote("internet_facing", true, typ.Span, fmt.Sprintf("%s is of type %s", o.ref(), t))
			}
		}
		if !whole {
			continue
		}
		for _, p := range items(spec.Get("ports")) {
			port, ok := p.Get("port").Int()
			if !ok {
				continue
			}
			for _, w := range targets {
				b.serviceFlow(o, annotations, p, port, w, len(targets) > 1)
			}
		}
	}
}

// withLabels returns the workloads of namespace ns that may carry every label of sel (a
// superset of those that do, in workload order): the workloads of its rarest label.
func (b *builder) withLabels(ns string, sel map[string]string) []*workload {
	if b.relabel != nil {
		b.byLabel = renew(b.byLabel, b.relabel,
			func(w *workload) map[string]string { return w.labels },
			func(w *workload, k string, v string) [3]string { return [3]string{w.obj.namespace, k, v} },
			substitute[*workload])
		b.relabel = nil
	}
	if b.byLabel == nil {
		b.byLabel = map[[3]string][]*workload{}
		for _, w := range b.workloads {
			for k, v := range w.labels {
				key := [3]string{w.obj.namespace, k, v}
				b.byLabel[key] = append(b.byLabel[key], w)
			}
		}
	}
	var best []*workload
	first := true
	for k, v := range sel {
		ws := b.byLabel[[3]string{ns, k, v}]
		if first || len(ws) < len(best) {
			best, first = ws, false
		}
	}
	return best
}

// internalLB reports whether a Service's annotations ask the cloud for an internal load
// balancer.
func internalLB(annotations *yamlnode.Node) bool {
	for _, p := range annotations.Entries() {
		k, v := p.Key.Value, strings.ToLower(p.Value.String())
		switch k {
		case "service.beta.kubernetes.io/aws-load-balancer-internal",
			"service.beta.kubernetes.io/azure-load-balancer-internal",
			"cloud.google.com/load-balancer-type", "networking.gke.io/load-balancer-type":
			if v == "true" || v == "internal" || v == "0.0.0.0/0" {
				return true
			}
		case "service.beta.kubernetes.io/aws-load-balancer-scheme":
			if v == "internal" {
				return true
			}
		}
	}
	return false
}

func subset(sel, labels map[string]string) bool {
	for k, v := range sel {
		if lv, ok := labels[k]; !ok || lv != v {
			return false
		}
	}
	return true
}

// serviceFlow is the flow from the internet through one port of a public Service.
func (b *builder) serviceFlow(o *object, annotations, p *yamlnode.Node, port int64, w *workload, many bool) {
	id := fmt.Sprintf("%s:%s/Service/%s/%d", Name, o.namespace, o.name, port)
	if many {
		id += "/" + w.obj.kind + "/" + w.obj.name
	}
	f := &model.Element{ID: id, Kind: model.Flow, Type: "Service",
		Name: fmt.Sprintf("internet → %s (%s:%d)", w.obj.ref(), o.ref(), port),
		Span: p.Span, Head: lineOf(p.Span), From: model.Internet, To: w.el.ID}
	f.Set("port", port, p.Get("port").Span)
	proto, protoAt := "", model.Span{}
	for _, k := range []string{"appProtocol", "name"} {
		if v := p.Get(k).String(); v != "" {
			if pr := portProtocol(v); pr != "" {
				proto, protoAt = pr, p.Get(k).Span
				break
			}
		}
	}
	if v := strings.ToLower(p.Get("protocol").String()); proto == "" && v != "" && v != "tcp" {
		proto, protoAt = v, p.Get("protocol").Span
	}
	if proto != "" {
		f.Set("protocol", proto, protoAt)
	} else {
		f.Default("protocol", "tcp", "no appProtocol or port name says more than TCP")
	}
	switch {
	case proto == "https" || proto == "grpcs" || proto == "tls":
		f.SetNote("tls", true, protoAt, "the port speaks "+proto)
	case port == 443:
		f.SetNote("tls", true, p.Get("port").Span, "port 443")
	default:
		tls := false
		for _, a := range annotations.Entries() {
			if strings.HasSuffix(a.Key.Value, "load-balancer-ssl-cert") || a.Key.Value == "service.beta.kubernetes.io/oci-load-balancer-ssl-ports" {
				f.SetNote("tls", true, a.Span(), "the load balancer terminates TLS ("+a.Key.Value+")")
				tls = true
				break
			}
		}
		if !tls {
			f.Default("tls", false, "a "+o.root.Path("spec", "type").String()+" Service passes TCP through; nothing says the port speaks TLS")
		}
	}
	b.add(f, false)
}

// portProtocol reads a protocol from an appProtocol or a port name ("https",
// "kubernetes.io/h2c", Istio's "http-web").
func portProtocol(v string) string {
	v = strings.ToLower(strings.TrimPrefix(v, "kubernetes.io/"))
	v, _, _ = strings.Cut(v, "-")
	switch v {
	case "http", "https", "grpc", "grpcs", "http2", "tcp", "udp", "tls", "ws", "wss", "mysql", "postgres", "redis", "mongo", "mongodb", "amqp", "kafka":
		return v
	case "h2c":
		return "http2"
	case "grpc_web", "grpc-web":
		return "grpc"
	}
	return ""
}

// lineOf is the first line of sp, up to the end of sp when it ends on that line.
func lineOf(sp model.Span) model.Span {
	if sp.End.Line != sp.Start.Line {
		sp.End = sp.Start
	}
	return sp
}

// at is where sp, a span of the build, is in the text now (see place).
func (b *builder) at(sp model.Span) model.Span {
	if b.place == nil {
		return sp
	}
	return b.place(sp)
}

func before(a, b model.Span) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	return a.Start.Offset < b.Start.Offset
}

// zones makes one zone per namespace, declared or used. Its span is the Namespace object,
// else the first object in it.
func (b *builder) zones() {
	names := make([]string, 0, len(b.namespaces))
	for n := range b.namespaces {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ns := b.namespaces[n]
		o := ns.declared
		shared := o == nil
		head := model.Span{}
		if o != nil {
			head = o.head
		} else {
			o = ns.first
			head = o.head
			if !o.nsSpan.IsZero() {
				head = o.nsSpan
			}
		}
		z := &model.Element{ID: zoneID(n), Kind: model.Zone, Type: "Namespace", Name: "Namespace/" + n,
			Span: o.span, Head: head}
		if n != "default" {
			z.Aliases = []string{model.NameAlias(n)}
		}
		z.Default("trust", "internal", "a cluster namespace is an internal zone")
		if p := b.denyAll(n); p != nil {
			z.SetNote("segmented", true, p.obj.span, p.obj.ref()+" denies all ingress not allowed by a rule")
		} else {
			z.Default("segmented", false, "no NetworkPolicy of the namespace denies ingress by default (podSelector: {} with no rule admitting everything)")
		}
		b.add(z, shared)
	}
}

// items returns the items of a sequence; nothing for anything else (nil included).
func items(n *yamlnode.Node) []*yamlnode.Node {
	if n == nil || n.Kind != yamlnode.Seq {
		return nil
	}
	out := n.Items[:0:0]
	for _, it := range n.Items {
		if it != nil {
			out = append(out, it)
		}
	}
	return out
}
