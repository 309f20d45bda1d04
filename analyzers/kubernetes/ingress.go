package kubernetes

import (
	"fmt"
	"strings"

	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// backend is one backend of an Ingress: a path of a rule, or the default backend.
type backend struct {
	host string
	path string
	node *yamlnode.Node // the path entry, or the default backend
	svc  *yamlnode.Node // the Service's name
}

// route is where an Ingress sends a host's path.
type route struct{ path, svc string }

// ingressAnnotations are the annotations that say a flow through an Ingress is rate limited,
// inspected by a WAF, or authenticated.
var ingressAnnotations = []struct {
	attr string
	keys []string
	none string
}{
	{"rate_limited", []string{"nginx.ingress.kubernetes.io/limit-rps", "nginx.ingress.kubernetes.io/limit-rpm",
		"nginx.ingress.kubernetes.io/limit-connections"}, "no limit-rps, limit-rpm or limit-connections annotation"},
	{"behind_waf", []string{"nginx.ingress.kubernetes.io/enable-modsecurity", "nginx.ingress.kubernetes.io/enable-owasp-core-rules",
		"nginx.ingress.kubernetes.io/modsecurity-snippet", "alb.ingress.kubernetes.io/wafv2-acl-arn",
		"alb.ingress.kubernetes.io/waf-acl-id"}, "no ModSecurity, OWASP core rules or WAF ACL annotation"},
	{"authenticated", []string{"nginx.ingress.kubernetes.io/auth-url", "nginx.ingress.kubernetes.io/auth-type",
		"alb.ingress.kubernetes.io/auth-type"}, "no auth-url or auth-type annotation"},
}

// backendsOf returns the backends of an Ingress: its rules' paths, then its default backend.
func backendsOf(o *object) []backend {
	spec := o.root.Get("spec")
	var backends []backend
	for _, r := range items(spec.Get("rules")) {
		host := strings.ToLower(r.Get("host").String())
		for _, p := range items(r.Path("http", "paths")) {
			svc := p.Path("backend", "service", "name")
			if svc == nil {
				svc = p.Path("backend", "serviceName")
			}
			if svc.String() == "" {
				continue
			}
			backends = append(backends, backend{host: host, path: p.Get("path").String(), node: p, svc: svc})
		}
	}
	for _, k := range []string{"defaultBackend", "backend"} {
		if d := spec.Get(k); d != nil {
			svc := d.Path("service", "name")
			if svc == nil {
				svc = d.Get("serviceName")
			}
			if svc.String() != "" {
				backends = append(backends, backend{node: d, svc: svc})
			}
			break
		}
	}
	return backends
}

// route adds the routes of an Ingress's hosts, given its backends.
func (b *builder) route(backends []backend) {
	for _, be := range backends {
		if be.host != "" {
			if b.routes == nil {
				b.routes = map[string][]route{}
			}
			b.routes[be.host] = append(b.routes[be.host], route{be.path, be.svc.String()})
		}
	}
}

// ingress makes a flow from the internet to the workloads behind each backend of an
// Ingress, and makes them internet-facing. Applying an edit to a kept build (delta.go), it
// makes the flows of the Ingresses whose Services select other workloads now (b.changed), and
// makes the workloads made again internet-facing; the routes by host are the build's.
func (b *builder) ingress(o *object) {
	whole := b.redo == nil || b.changed[o]
	ns := o.namespace
	backends := backendsOf(o)
	if b.redo == nil {
		b.route(backends)
	}
	annotations := o.root.Path("metadata", "annotations")
	for i, be := range backends {
		name := be.svc.String()
		targets := b.selected[b.services[key(ns, name)]]
		where := be.host + be.path
		if be.host == "" && be.path == "" {
			where = "default backend"
		}
		id := fmt.Sprintf("%s:%s/Ingress/%s/%d", Name, ns, o.name, i)
		if len(targets) == 0 {
			if whole {
				b.add(b.ingressFlow(o, annotations, be, id, model.Ref(model.NameAlias(name)),
					fmt.Sprintf("internet → %s (%s %s)", name, o.ref(), where)), false)
			}
			continue
		}
		for _, w := range targets {
			fid := id
			if len(targets) > 1 {
				fid += "/" + w.obj.kind + "/" + w.obj.name
			}
			if whole {
				b.add(b.ingressFlow(o, annotations, be, fid, w.el.ID,
					fmt.Sprintf("internet → %s (%s %s)", w.obj.ref(), o.ref(), where)), false)
			}
			if !b.affects(w) {
				continue
			}
			if !w.exposed {
				w.exposed = true
				w.el.SetNote("internet_facing", true, be.svc.Span, "a backend of "+o.ref())
			}
			w.relate(o.span, "routed to by "+o.ref())
		}
	}
}

// ingressFlow makes the flow of one backend.
func (b *builder) ingressFlow(o *object, annotations *yamlnode.Node, be backend, id, to, name string) *model.Element {
	f := &model.Element{ID: id, Kind: model.Flow, Type: "Ingress", Name: name, Span: be.node.Span,
		Head: lineOf(be.node.Span), From: model.Internet, To: to}
	if at, ok := tlsCovers(o.root.Path("spec", "tls"), be.host); ok {
		f.SetNote("tls", true, at, "the Ingress's tls: section covers "+orAny(be.host))
		f.Set("protocol", "https", at)
		f.Default("port", int64(443), "an Ingress serves its TLS hosts on 443")
	} else {
		f.Default("tls", false, "no tls: entry of the Ingress covers "+orAny(be.host))
		f.Default("protocol", "http", "an Ingress without TLS serves HTTP")
		f.Default("port", int64(80), "an Ingress serves HTTP on 80")
	}
	for _, a := range ingressAnnotations {
		found := false
		for _, p := range annotations.Entries() {
			for _, k := range a.keys {
				if p.Key.Value == k && strings.ToLower(p.Value.String()) != "false" {
					f.SetNote(a.attr, true, p.Span(), k)
					found = true
				}
			}
			if found {
				break
			}
		}
		if !found {
			f.Default(a.attr, false, a.none)
		}
	}
	return f
}

func orAny(host string) string {
	if host == "" {
		return "any host"
	}
	return host
}

// tlsCovers returns the entry of an Ingress's tls: section that covers host: one that lists
// it (or a wildcard matching it), or one that lists no hosts.
func tlsCovers(tls *yamlnode.Node, host string) (model.Span, bool) {
	for _, t := range items(tls) {
		hosts := t.Get("hosts")
		if len(items(hosts)) == 0 {
			return t.Span, true
		}
		for _, h := range items(hosts) {
			s := strings.ToLower(h.String())
			if host != "" && (s == host || strings.HasPrefix(s, "*.") && strings.HasSuffix(host, s[1:])) {
				return h.Span, true
			}
		}
	}
	return model.Span{}, false
}

// ingressBackend returns the Service an Ingress of the workspace routes a URL of host to:
// the longest matching path, else the host's first; and records that w named host.
func (b *builder) ingressBackend(w *workload, host, path string) string {
	w.routed = append(w.routed, host)
	rs := b.routes[host]
	best, n := "", -1
	for _, r := range rs {
		if strings.HasPrefix(path, r.path) && len(r.path) > n {
			best, n = r.svc, len(r.path)
		}
	}
	if best == "" && len(rs) > 0 {
		best = rs[0].svc
	}
	return best
}

// nodePort makes the workloads a NodePort Service selects possibly internet-facing: the port
// is open on every node's address, which the internet reaches only if the nodes are public,
// and nothing in the manifests says whether they are. A LoadBalancer Service or an Ingress
// that reaches them too makes them internet-facing for certain.
func nodePort(o *object, typ *yamlnode.Node, targets []*workload) {
	for _, w := range targets {
		if _, ok := w.el.Attrs.Get("internet_facing"); !ok {
			w.el.SetUnknown("internet_facing", typ.Span, o.ref()+" is a NodePort Service: open on every node's address, from the internet only if the nodes are reachable from it")
		}
	}
}
