package compose

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/threatls/threatls/analyzers/container"
	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// envVar is one variable of a service's environment:, in list (KEY=value) or map syntax.
type envVar struct {
	name, value string
	// hasValue is false for a variable written without a value, which Compose takes from
	// the shell.
	hasValue bool
	span     model.Span
}

// literal reports whether the variable holds a value written in the file, not interpolated.
func (v envVar) literal() bool {
	return v.hasValue && v.value != "" && !container.Interpolated(v.value)
}

func readEnv(n *yamlnode.Node) []envVar {
	if n == nil {
		return nil
	}
	var out []envVar
	switch n.Kind {
	case yamlnode.Map:
		for _, p := range n.Entries() {
			v := envVar{name: p.Key.Value, span: p.Span()}
			v.value, v.hasValue = p.Value.Str()
			out = append(out, v)
		}
	case yamlnode.Seq:
		for _, it := range n.Items {
			s, ok := it.Str()
			if !ok {
				continue
			}
			name, val, has := strings.Cut(s, "=")
			out = append(out, envVar{name: strings.TrimSpace(name), value: val, hasValue: has, span: it.Span})
		}
	}
	return out
}

// target returns the flow endpoint a host names: a service of this file (by name, alias,
// container_name or hostname), a reference to an element of another file, or an external
// actor (a host with a dot, a public address). It returns "" for the host itself and for
// private addresses that name nothing.
func (x *extractor) target(host string) (to string, external bool) {
	h := strings.ToLower(host)
	if id, ok := x.hosts[h]; ok {
		return id, false
	}
	if container.Local(h) {
		return "", false
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return "actor:" + h, true
	}
	for _, suf := range []string{".svc.cluster.local", ".cluster.local", ".svc"} {
		if strings.HasSuffix(h, suf) {
			first, _, _ := strings.Cut(h, ".")
			return model.Ref(model.NameAlias(first)), false
		}
	}
	if strings.Contains(h, ".") {
		return "actor:" + h, true
	}
	if a := model.NameAlias(h); a != "" {
		return model.Ref(a), false
	}
	return "", false
}

// cand is an environment variable that names a host the service talks to.
type cand struct {
	v        envVar
	ep       container.Endpoint
	to       string
	external bool
}

// flows creates the flows out of a service: one per element its environment names (the
// richest variable — one with a scheme — wins, the others are related), and one per
// depends_on entry that no variable already gives.
func (x *extractor) flows(s *service) {
	var order []string
	groups := map[string][]*cand{}
	env := map[string]any{}
	var envAt model.Span
	for _, v := range s.env {
		if !v.hasValue {
			continue
		}
		ep, ok := container.Parse(v.name, v.value)
		if !ok {
			continue
		}
		to, external := x.target(ep.Host)
		if to == "" || to == s.el.ID {
			continue
		}
		// What the service's code reads this variable for resolves to the same endpoint
		// (model.EnvRef).
		if len(env) == 0 {
			envAt = v.span
		}
		env[v.name] = to
		if groups[to] == nil {
			order = append(order, to)
		}
		groups[to] = append(groups[to], &cand{v: v, ep: ep, to: to, external: external})
	}
	if len(env) > 0 {
		s.el.Set(model.EnvAttr, env, envAt)
	}
	flows := map[string]*model.Element{}
	for _, to := range order {
		g := groups[to]
		best := g[0]
		for _, c := range g {
			if c.ep.Scheme != "" {
				best = c
				break
			}
		}
		fl := x.envFlow(s, best)
		for _, c := range g {
			if c != best {
				fl.Related = append(fl.Related, model.Related{Span: c.v.span, Message: c.v.name + " also names " + c.ep.Host})
			}
		}
		flows[to] = fl
	}
	for _, d := range dependsOn(s.get("depends_on")) {
		to := model.Ref(model.NameAlias(d.Value))
		if t := x.byName[d.Value]; t != nil {
			to = t.el.ID
		}
		if to == s.el.ID || to == model.Ref("") {
			continue
		}
		if fl := flows[to]; fl != nil {
			fl.Related = append(fl.Related, model.Related{Span: d.Span, Message: s.name + " depends_on " + d.Value})
			continue
		}
		what := s.name + "/depends_on/" + d.Value
		fl := &model.Element{ID: x.id(what), Kind: model.Flow, Type: "compose_depends_on", Name: what,
			Span: d.Span, Head: d.Span, From: s.el.ID, To: to}
		fl.SetUnknown("protocol", d.Span, "depends_on says nothing of the protocol")
		fl.SetUnknown("port", d.Span, "depends_on says nothing of the port")
		fl.SetUnknown("tls", d.Span, "depends_on says nothing of TLS")
		fl.SetUnknown("authenticated", d.Span, "depends_on says nothing of authentication")
		flows[to] = fl
		x.els = append(x.els, fl)
	}
}

// dependsOn returns the service names of a depends_on: list or map.
func dependsOn(n *yamlnode.Node) []*yamlnode.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yamlnode.Map {
		var out []*yamlnode.Node
		for _, p := range n.Entries() {
			out = append(out, p.Key)
		}
		return out
	}
	var out []*yamlnode.Node
	for _, it := range n.Items {
		if it.String() != "" {
			out = append(out, it)
		}
	}
	return out
}

// envFlow creates the flow a variable gives, with what its value says of protocol, port,
// TLS and credentials.
func (x *extractor) envFlow(s *service, c *cand) *model.Element {
	what := s.name + "/env/" + c.v.name
	at := c.v.span
	fl := &model.Element{ID: x.id(what), Kind: model.Flow, Type: "compose_env", Name: what,
		Span: at, Head: at, From: s.el.ID, To: c.to}
	if _, ok := model.RefAlias(c.to); ok {
		// A name without a dot is a service of the Compose project or of the cluster: part of
		// the system even when the workspace does not define it.
		fl.SetNote("internal_peer", true, c.v.span, c.ep.Host+" is a service name, not a host of another organisation")
	}
	ep := c.ep
	env := map[string]envVar{}
	for _, v := range s.env {
		env[strings.ToUpper(v.name)] = v
	}
	pre := container.AddressPrefix(c.v.name)

	port, portAt := ep.Port, at
	if port == 0 && ep.Scheme == "" {
		if v, ok := env[pre+"_PORT"]; ok && v.literal() {
			if p, err := strconv.ParseInt(v.value, 10, 64); err == nil && p > 0 && p <= 65535 {
				port, portAt = p, v.span
			}
		}
	}
	switch {
	case port > 0:
		fl.Set("port", port, portAt)
	case container.DefaultPort(ep.Scheme) > 0:
		fl.Default("port", container.DefaultPort(ep.Scheme), "the default port of "+ep.Scheme+"://")
	default:
		fl.SetUnknown("port", at, c.v.name+" names no port")
	}

	if port == 0 {
		port = container.DefaultPort(ep.Scheme)
	}
	switch proto := container.PortProtocol(port); {
	case ep.Scheme != "":
		fl.Set("protocol", container.Protocol(ep.Scheme), at)
	case proto != "":
		fl.SetNote("protocol", proto, portAt, fmt.Sprintf("the well-known protocol of port %d", port))
	default:
		fl.SetUnknown("protocol", at, c.v.name+" names no scheme and no well-known port")
	}

	switch {
	case ep.TLS != container.TLSUnsaid:
		fl.SetNote("tls", ep.TLS == container.TLSOn, at, ep.TLSNote)
	case ep.Scheme != "":
		fl.Default("tls", false, ep.Scheme+":// asks for no TLS")
	case port == 443:
		fl.SetNote("tls", true, portAt, "port 443 is HTTPS")
	default:
		fl.SetUnknown("tls", at, c.v.name+" names only the host: TLS is configured elsewhere")
	}

	var others []envVar
	var names []string
	for _, v := range s.env {
		if !v.hasValue || v.value != "" {
			others, names = append(others, v), append(names, v.name)
		}
	}
	if ep.Password != "" {
		fl.SetNote("authenticated", true, at, c.v.name+" carries credentials")
	} else if i := container.Credential(c.v.name, ep.Host, names); i >= 0 {
		fl.SetNote("authenticated", true, others[i].span, others[i].name+" is set")
	} else {
		fl.SetUnknown("authenticated", at, "no credentials in "+c.v.name+" and no "+pre+"_PASSWORD or _TOKEN beside it")
	}
	if c.external {
		x.raw.actors = append(x.raw.actors, actorRef{id: c.to, host: ep.Host, span: at})
	}
	x.els = append(x.els, fl)
	return fl
}
