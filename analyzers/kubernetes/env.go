package kubernetes

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/threatls/threatls/analyzers/container"
	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// envVar is one environment variable of a container, or a Secret all of whose keys become
// variables (envFrom secretRef: name is empty).
type envVar struct {
	name    string
	value   string
	literal bool       // value is known: written in the pod spec or in a ConfigMap of the workspace
	valueAt model.Span // the value, or what supplies it (valueFrom, envFrom)
	span    model.Span // the definition: the env entry, or the ConfigMap's entry
	head    model.Span // the variable's name
	secret  string     // the Secret the value comes from
	origin  string     // " (ConfigMap/x)" when the value is a ConfigMap's
}

func (v *envVar) at() model.Span { return v.valueAt }

// envOf returns the variables of a container in the order they are defined; a variable
// defined again (env after envFrom) replaces the earlier one.
func (b *builder) envOf(w *workload, c *yamlnode.Node) []*envVar {
	var out []*envVar
	index := map[string]int{}
	put := func(v *envVar) {
		if i, ok := index[v.name]; ok && v.name != "" {
			out[i] = v
			return
		}
		index[v.name] = len(out)
		out = append(out, v)
	}
	ns := w.obj.namespace
	for _, from := range items(c.Get("envFrom")) {
		prefix := from.Get("prefix").String()
		if ref := from.Get("secretRef"); ref != nil {
			out = append(out, &envVar{secret: ref.Get("name").String(), valueAt: ref.Span, span: from.Span, head: from.Span})
		}
		cm := b.configMap(w, ns, from.Path("configMapRef", "name").String())
		if cm == nil {
			continue
		}
		for _, p := range cm.root.Get("data").Entries() {
			if v, ok := p.Value.Str(); ok {
				put(&envVar{name: prefix + p.Key.Value, value: v, literal: true, valueAt: p.Value.Span,
					span: p.Span(), head: p.Key.Span, origin: " (" + cm.ref() + ")"})
			}
		}
	}
	for _, it := range items(c.Get("env")) {
		np, ok := it.Pair("name")
		name, _ := np.Value.Str()
		if !ok || name == "" {
			continue
		}
		v := &envVar{name: name, span: it.Span, head: np.Span()}
		if val := it.Get("value"); val != nil {
			v.value, v.literal = val.Str()
			v.valueAt = val.Span
		} else if from := it.Get("valueFrom"); from != nil {
			v.valueAt = from.Span
			if ref := from.Get("secretKeyRef"); ref != nil {
				v.secret = ref.Get("name").String()
				if v.secret == "" {
					v.secret = "(unnamed)"
				}
			} else if ref := from.Get("configMapKeyRef"); ref != nil {
				if cm := b.configMap(w, ns, ref.Get("name").String()); cm != nil {
					if p, ok := cm.root.Get("data").Pair(ref.Get("key").String()); ok {
						if s, ok := p.Value.Str(); ok {
							v.value, v.literal, v.valueAt, v.origin = s, true, p.Value.Span, " ("+cm.ref()+")"
						}
					}
				}
			}
		} else {
			v.valueAt = v.head
		}
		put(v)
	}
	return out
}

// configMap returns the ConfigMap name of namespace ns, if any, and records that w read it.
func (b *builder) configMap(w *workload, ns, name string) *object {
	k := key(ns, name)
	w.reads = append(w.reads, k)
	return b.configMaps[k]
}

// envFlows reads a workload's environment: the endpoints its variables name become flows,
// a literal secret sets secrets_in_env, and where its secrets come from sets uses_vault. It is
// the last of the workload's attributes: when template actions wrote whole lines of its pod
// spec, every default the pod spec decides becomes unknown — those lines may set it.
func (b *builder) envFlows(w *workload) {
	b.environment(w)
	templated := false
	for _, off := range w.obj.blanks {
		templated = templated || w.pod != nil && int(w.pod.Span.Start.Offset) <= off && off < int(w.pod.Span.End.Offset)
	}
	if !templated {
		return
	}
	var names []string // collected first: SetUnknown changes the list All reads
	for k, a := range w.el.Attrs.All() {
		// internet_facing and zone are decided by other objects, not by the pod spec.
		if a.Origin == model.Defaulted && k != "internet_facing" && k != "zone" {
			names = append(names, k)
		}
	}
	for _, k := range names {
		w.el.SetUnknown(k, w.el.Head, "a template action writes part of "+w.obj.ref()+": "+w.el.Attrs.At(k).Note+", unless it does")
	}
}

func (b *builder) environment(w *workload) {
	if len(w.containers) == 0 {
		return
	}
	var literal, fromSecret *envVar
	literalNote := ""
	for _, c := range w.containers {
		vars := b.envOf(w, c)
		for _, v := range vars {
			if v.secret != "" && fromSecret == nil {
				fromSecret = v
			}
			if !v.literal || v.name == "" {
				continue
			}
			ep, isEndpoint := container.Parse(v.name, v.value)
			switch {
			case literal != nil:
			case secretLiteral(v):
				literal, literalNote = v, v.name+" holds a literal secret"+v.origin
			case isEndpoint && ep.Password != "" && !container.Interpolated(ep.Password):
				literal, literalNote = v, v.name+" holds credentials in a literal address"+v.origin
			}
			if isEndpoint && !container.Local(ep.Host) {
				b.envFlow(w, v, ep, vars)
			}
		}
	}
	if literal != nil {
		w.el.SetNote("secrets_in_env", true, literal.valueAt, literalNote)
	} else {
		w.el.Default("secrets_in_env", false, "no secret-looking variable holds a literal value")
	}
	switch at, note := b.vault(w); {
	case note != "":
		w.el.SetNote("uses_vault", true, at, note)
	case literal != nil:
		w.el.SetNote("uses_vault", false, literal.valueAt, literal.name+" is written in the manifest"+literal.origin)
	case fromSecret != nil:
		w.el.SetNote("uses_vault", false, fromSecret.valueAt, "secrets come from Secret/"+fromSecret.secret+": base64, not a vault")
	default:
		for _, v := range items(w.pod.Get("volumes")) {
			for _, s := range append([]*yamlnode.Node{v.Get("secret")}, sources(v)...) {
				if s != nil {
					w.el.SetNote("uses_vault", false, s.Span, "secrets come from a Secret volume: base64, not a vault")
					return
				}
			}
		}
	}
}

// sources returns the Secrets of a projected volume.
func sources(v *yamlnode.Node) []*yamlnode.Node {
	var out []*yamlnode.Node
	for _, s := range items(v.Path("projected", "sources")) {
		if n := s.Get("secret"); n != nil {
			out = append(out, n)
		}
	}
	return out
}

// vault returns where a workload reads its secrets from a secret store: a Vault agent
// annotation or a Secrets Store CSI volume.
func (b *builder) vault(w *workload) (model.Span, string) {
	for _, m := range []*yamlnode.Node{w.meta, w.obj.root.Get("metadata")} {
		for _, p := range m.Get("annotations").Entries() {
			k := p.Key.Value
			if v, _ := p.Value.Bool(); k == "vault.hashicorp.com/agent-inject" && v ||
				strings.HasPrefix(k, "vault.security.banzaicloud.io/") {
				return p.Span(), "Vault injects its secrets (" + k + ")"
			}
		}
	}
	for _, v := range items(w.pod.Get("volumes")) {
		if d := v.Path("csi", "driver"); d.String() == "secrets-store.csi.k8s.io" {
			return d.Span, "a Secrets Store CSI volume mounts its secrets"
		}
	}
	return model.Span{}, ""
}

// secretLiteral reports whether v is a secret written as a value.
func secretLiteral(v *envVar) bool {
	switch strings.ToLower(v.value) {
	case "", "true", "false", "yes", "no", "0", "1":
		return false
	}
	return container.SecretName(v.name)
}

// clusterHost returns the Service and namespace a host names inside the cluster: `db`,
// `db.shop` (shop a namespace of the workspace), `db.shop.svc`, `db.shop.svc.cluster.local`.
func (b *builder) clusterHost(host, ns string) (string, string, bool) {
	local := false
	for _, s := range []string{".svc.cluster.local", ".svc", ".cluster.local"} {
		if h, ok := strings.CutSuffix(host, s); ok {
			host, local = h, true
			break
		}
	}
	labels := strings.Split(host, ".")
	switch {
	case len(labels) == 1:
		return labels[0], ns, true
	case len(labels) == 2 && (local || b.namespaces[labels[1]] != nil):
		return labels[0], labels[1], true
	}
	return "", "", false
}

// envFlow makes the flow from a workload to the endpoint a variable names.
func (b *builder) envFlow(w *workload, v *envVar, ep container.Endpoint, vars []*envVar) {
	var to string
	var target *workload
	peer := ep.Host
	if svc, ns, ok := b.clusterHost(ep.Host, w.obj.namespace); ok {
		a := model.NameAlias(svc)
		if ns == w.obj.namespace && w.aliases[a] {
			return // the workload's own address
		}
		to, target, peer = model.Ref(a), b.resolve(a, ns), svc
		w.resolves = append(w.resolves, key(ns, a))
		if target != nil {
			// The workload of that name in the namespace: the flow goes to it, not to the
			// nearest element of the name in the workspace (another namespace's copy).
			to = target.el.ID
		}
	} else if svc := b.ingressBackend(w, ep.Host, ep.Path); svc != "" {
		to = model.Ref(model.NameAlias(svc))
	} else {
		to = "actor:" + ep.Host
	}
	f := &model.Element{ID: w.el.ID + "/env/" + v.name, Kind: model.Flow, Type: "env",
		Name: fmt.Sprintf("%s → %s (%s)", w.obj.name, peer, v.name),
		Span: v.span, Head: v.head, From: w.el.ID, To: to}
	// The workload's code reading the variable goes where this flow goes (model.EnvRef).
	f.Set(model.ConfigAttr, v.name, v.head)
	if _, ok := model.RefAlias(to); ok {
		// A Service of the cluster, or of the workspace's Ingresses: part of the system even
		// when the manifests read do not define it (a kustomize component, another repository).
		f.SetNote("internal_peer", true, v.valueAt, ep.Host+" is a Service of the cluster, not a host of another organisation")
	}
	prefix := ""
	if i := strings.LastIndexByte(v.name, '_'); i >= 0 {
		prefix = v.name[:i+1]
	}
	port, portAt, hasPort := ep.Port, v.valueAt, ep.Port > 0
	if !hasPort && prefix != "" {
		for _, s := range vars {
			if p, err := strconv.ParseInt(s.value, 10, 64); s.literal && s.name == prefix+"PORT" && err == nil {
				port, portAt, hasPort = p, s.valueAt, true
			}
		}
	}
	switch {
	case ep.Scheme != "":
		f.Set("protocol", container.Protocol(ep.Scheme), v.valueAt)
	case hasPort && container.PortProtocol(port) != "":
		f.SetNote("protocol", container.PortProtocol(port), portAt, fmt.Sprintf("port %d", port))
	default:
		f.SetUnknown("protocol", v.valueAt, "no scheme or well-known port says which protocol "+v.name+" speaks")
	}
	if hasPort {
		f.Set("port", port, portAt)
	} else if p := container.DefaultPort(ep.Scheme); p != 0 {
		f.Default("port", p, "the default port of "+ep.Scheme)
	}
	switch {
	case ep.TLS != container.TLSUnsaid:
		f.SetNote("tls", ep.TLS == container.TLSOn, v.valueAt, ep.TLSNote)
	case hasPort && port == 443:
		f.SetNote("tls", true, portAt, "port 443")
	case ep.Scheme != "":
		f.Default("tls", false, ep.Scheme+" without an option that requires TLS")
	default:
		f.Default("tls", false, "nothing in "+v.name+" requires TLS")
	}
	switch sib := credential(v.name, ep.Host, vars); {
	case ep.Password != "":
		f.SetNote("authenticated", true, v.valueAt, v.name+" carries credentials")
	case sib != nil:
		f.SetNote("authenticated", true, sib.valueAt, sib.name+" holds the caller's credentials")
	default:
		f.Default("authenticated", false, "no credentials in "+v.name+" and no credential variable beside it")
	}
	if !b.add(f, false) {
		return // the same variable in another container
	}
	if target != nil {
		b.block(f, w, target)
	}
	if strings.HasPrefix(to, "actor:") {
		w.mentions = append(w.mentions, mention{ep.Host, v.valueAt})
	}
}

// credential returns the variable beside name, the address of host, that holds the caller's
// credentials for it (see container.Credential): from a Secret, or written.
func credential(name, host string, vars []*envVar) *envVar {
	var with []*envVar
	var names []string
	for _, s := range vars {
		if s.secret != "" || s.literal && s.value != "" {
			with, names = append(with, s), append(names, s.name)
		}
	}
	if i := container.Credential(name, host, names); i >= 0 {
		return with[i]
	}
	return nil
}

// actor creates the external actor of a host outside the cluster at its first mention (see
// link).
func (b *builder) actor(host string, at model.Span) {
	if b.actors[host] != nil {
		return
	}
	a := &model.Element{ID: "actor:" + host, Kind: model.Actor, Type: "external", Name: host,
		Span: at, Head: at}
	if al := model.NameAlias(host); al != "" {
		a.Aliases = []string{al}
	}
	a.Set("in_scope", false, at)
	a.Set("zone", model.InternetZone, at)
	b.actors[host] = a
}

// resolve returns the first workload of namespace ns that has the alias a, if any. Aliases
// are complete once Services are folded, before the first call.
func (b *builder) resolve(a, ns string) *workload {
	if b.realias != nil {
		b.byAlias = renew(b.byAlias, b.realias,
			func(w *workload) map[string]bool { return w.aliases },
			func(w *workload, a string, _ bool) [2]string { return [2]string{w.obj.namespace, a} },
			func(first *workload, by map[*workload]*workload) *workload {
				if nw, ok := by[first]; ok {
					return nw
				}
				return first
			})
		b.realias = nil
	}
	if b.byAlias == nil {
		b.byAlias = map[[2]string]*workload{}
		for _, w := range b.workloads {
			for al := range w.aliases {
				key := [2]string{w.obj.namespace, al}
				if b.byAlias[key] == nil {
					b.byAlias[key] = w
				}
			}
		}
	}
	return b.byAlias[[2]string{ns, a}]
}
