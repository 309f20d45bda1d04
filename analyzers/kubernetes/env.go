package kubernetes

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

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
		cm := b.configMaps[key(ns, from.Path("configMapRef", "name").String())]
		if cm == nil {
			continue
		}
		for _, p := range cm.root.Get("data").Entries() {
			if v, ok := p.Value.Str(); ok {
				put(&envVar{name: prefix + p.Key.Value, value: v, literal: true, valueAt: p.Value.Span,
					span: pairSpan(p), head: p.Key.Span, origin: " (" + cm.ref() + ")"})
			}
		}
	}
	for _, it := range items(c.Get("env")) {
		np, ok := it.Pair("name")
		name, _ := np.Value.Str()
		if !ok || name == "" {
			continue
		}
		v := &envVar{name: name, span: it.Span, head: pairSpan(np)}
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
				if cm := b.configMaps[key(ns, ref.Get("name").String())]; cm != nil {
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

// envFlows reads a workload's environment: the endpoints its variables name become flows,
// a literal secret sets secrets_in_env, and where its secrets come from sets uses_vault.
func (b *builder) envFlows(w *workload) {
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
			ep, isEndpoint := parseEndpoint(v.name, v.value)
			switch {
			case literal != nil:
			case secretLiteral(v):
				literal, literalNote = v, v.name+" holds a literal secret"+v.origin
			case isEndpoint && ep.password:
				literal, literalNote = v, v.name+" holds credentials in a literal address"+v.origin
			}
			if isEndpoint {
				b.envFlow(w, v, ep, vars)
			}
		}
	}
	if literal != nil {
		setNote(w.el, "secrets_in_env", true, literal.valueAt, literalNote)
	} else {
		w.el.Default("secrets_in_env", false, "no secret-looking variable holds a literal value")
	}
	switch at, note := b.vault(w); {
	case note != "":
		setNote(w.el, "uses_vault", true, at, note)
	case literal != nil:
		setNote(w.el, "uses_vault", false, literal.valueAt, literal.name+" is written in the manifest"+literal.origin)
	case fromSecret != nil:
		setNote(w.el, "uses_vault", false, fromSecret.valueAt, "secrets come from Secret/"+fromSecret.secret+": base64, not a vault")
	default:
		for _, v := range items(w.pod.Get("volumes")) {
			for _, s := range append([]*yamlnode.Node{v.Get("secret")}, sources(v)...) {
				if s != nil {
					setNote(w.el, "uses_vault", false, s.Span, "secrets come from a Secret volume: base64, not a vault")
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
				return pairSpan(p), "Vault injects its secrets (" + k + ")"
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

// secretName reports whether a variable's name says it holds a secret.
func secretName(n string) bool {
	u := strings.ToUpper(n)
	if strings.Contains(u, "PUBLIC") || endpointName(u) {
		return false
	}
	for _, s := range []string{"_FILE", "_PATH", "_DIR", "_ID", "_NAME", "_USER", "_TTL", "_EXPIRY"} {
		if strings.HasSuffix(u, s) {
			return false
		}
	}
	for _, s := range []string{"PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "CREDENTIAL"} {
		if strings.Contains(u, s) {
			return true
		}
	}
	return strings.HasSuffix(u, "_KEY") || strings.HasSuffix(u, "_PASS") || u == "PASS" || u == "KEY"
}

// secretLiteral reports whether v is a secret written as a value.
func secretLiteral(v *envVar) bool {
	switch strings.ToLower(v.value) {
	case "", "true", "false", "yes", "no", "0", "1":
		return false
	}
	return secretName(v.name)
}

// endpointName reports whether a variable's name says it holds an address.
func endpointName(n string) bool {
	u := strings.ToUpper(n)
	switch u {
	case "URL", "URI", "HOST", "DSN", "ADDR", "ADDRESS", "ENDPOINT":
		return true
	}
	for _, s := range []string{"_ADDR", "_ADDRESS", "_URL", "_URI", "_HOST", "_HOSTNAME", "_DSN", "_ENDPOINT", "_SERVER", "_BROKER", "_BROKERS", "_SERVICE"} {
		if strings.HasSuffix(u, s) {
			return true
		}
	}
	return false
}

// endpoint is an address read from a variable's value.
type endpoint struct {
	scheme   string
	host     string
	port     int64
	hasPort  bool
	password bool // credentials in the address
	path     string
	query    url.Values
}

// schemes maps the URL schemes read to protocols.
var schemes = map[string]string{
	"http": "http", "https": "https", "ws": "websocket", "wss": "websocket", "grpc": "grpc", "grpcs": "grpc",
	"postgres": "postgres", "postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql",
	"redis": "redis", "rediss": "redis", "amqp": "amqp", "amqps": "amqp", "mongodb": "mongodb",
	"mongodb+srv": "mongodb", "kafka": "kafka", "nats": "nats", "tcp": "tcp", "smtp": "smtp", "smtps": "smtp",
	"ldap": "ldap", "ldaps": "ldap", "memcached": "memcached", "sqlserver": "sqlserver",
}

// tlsSchemes are encrypted; plainSchemes are not and have no option that makes them so
// without another scheme or a query parameter.
var (
	tlsSchemes   = map[string]bool{"https": true, "wss": true, "grpcs": true, "rediss": true, "amqps": true, "mongodb+srv": true, "smtps": true, "ldaps": true}
	plainSchemes = map[string]bool{"http": true, "ws": true, "redis": true, "amqp": true, "mongodb": true, "nats": true, "ldap": true, "smtp": true, "memcached": true, "tcp": true}
)

var defaultPorts = map[string]int64{
	"http": 80, "https": 443, "ws": 80, "wss": 443, "postgres": 5432, "postgresql": 5432, "mysql": 3306,
	"mariadb": 3306, "redis": 6379, "rediss": 6379, "amqp": 5672, "amqps": 5671, "mongodb": 27017,
	"kafka": 9092, "nats": 4222, "smtp": 25, "smtps": 465, "ldap": 389, "ldaps": 636, "memcached": 11211,
	"sqlserver": 1433,
}

var wellKnownPorts = map[int64]string{
	80: "http", 443: "https", 5432: "postgres", 3306: "mysql", 6379: "redis", 5672: "amqp", 5671: "amqp",
	27017: "mongodb", 9092: "kafka", 4222: "nats", 11211: "memcached", 1433: "sqlserver", 25: "smtp", 587: "smtp",
}

var (
	hostRE     = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`)
	hostPortRE = regexp.MustCompile(`^[A-Za-z0-9.-]+:[0-9]{1,5}$`)
	mysqlDSN   = regexp.MustCompile(`^(?:[^:@/]*(:[^@]*)?@)?tcp\(([^)]+)\)(/[^?]*)?(\?.*)?$`)
)

// parseEndpoint reads the address in a variable's value: a URL of a known scheme
// (jdbc: prefix allowed), a Go MySQL DSN user:pass@tcp(host:port)/db, a libpq key=value
// string, a host:port, or — when the name says it is an address — a bare host.
func parseEndpoint(name, value string) (endpoint, bool) {
	var ep endpoint
	v := strings.TrimSpace(value)
	if v == "" || strings.Contains(v, "$(") || strings.Contains(v, "${") || strings.Contains(v, "{{") {
		return ep, false
	}
	if strings.Contains(v, "host=") && strings.ContainsAny(v, " \t") {
		return libpq(v)
	}
	if strings.ContainsAny(v, " \t\n") {
		return ep, false
	}
	v = strings.TrimPrefix(v, "jdbc:")
	rest := v
	switch m := mysqlDSN.FindStringSubmatch(v); {
	case m != nil:
		ep.scheme, ep.password = "mysql", len(m[1]) > 1
		rest = m[2] + m[3] + m[4]
	case strings.Contains(v, "://"):
		i := strings.Index(v, "://")
		ep.scheme = strings.ToLower(v[:i])
		if _, ok := schemes[ep.scheme]; !ok {
			return ep, false
		}
		rest = v[i+3:]
	case !endpointName(name) && !hostPortRE.MatchString(v):
		return ep, false
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority, ep.path = rest[:i], rest[i:]
		if _, q, ok := strings.Cut(ep.path, "?"); ok {
			q, _, _ = strings.Cut(q, "#")
			ep.query, _ = url.ParseQuery(q)
		}
	}
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		_, pass, ok := strings.Cut(authority[:at], ":")
		ep.password = ep.password || ok && pass != ""
		authority = authority[at+1:]
	}
	authority, _, _ = strings.Cut(authority, ",")
	host := authority
	if i := strings.LastIndexByte(authority, ':'); i >= 0 {
		host = authority[:i]
		p, err := strconv.ParseInt(authority[i+1:], 10, 64)
		if err != nil || p < 1 || p > 65535 {
			return ep, false
		}
		ep.port, ep.hasPort = p, true
	}
	return ep.withHost(host)
}

// withHost completes ep with a host, which must be a DNS name (not an IP address, not
// localhost).
func (ep endpoint) withHost(host string) (endpoint, bool) {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if !hostRE.MatchString(host) || strings.Trim(host, "0123456789.") == "" ||
		host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return ep, false
	}
	ep.host = host
	return ep, true
}

// libpq reads a PostgreSQL key=value connection string.
func libpq(v string) (endpoint, bool) {
	ep := endpoint{scheme: "postgres", query: url.Values{}}
	host := ""
	for _, f := range strings.Fields(v) {
		k, val, _ := strings.Cut(f, "=")
		val = strings.Trim(val, `'"`)
		switch k {
		case "host":
			host = val
		case "port":
			if p, err := strconv.ParseInt(val, 10, 64); err == nil && p > 0 && p < 65536 {
				ep.port, ep.hasPort = p, true
			}
		case "password":
			ep.password = val != ""
		case "sslmode":
			ep.query.Set("sslmode", val)
		}
	}
	return ep.withHost(host)
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
func (b *builder) envFlow(w *workload, v *envVar, ep endpoint, vars []*envVar) {
	var to string
	var target *workload
	peer := ep.host
	if svc, ns, ok := b.clusterHost(ep.host, w.obj.namespace); ok {
		a := model.NameAlias(svc)
		if ns == w.obj.namespace && w.aliases[a] {
			return // the workload's own address
		}
		to, target, peer = model.Ref(a), b.resolve(a, ns), svc
	} else if svc := b.ingressBackend(ep.host, ep.path); svc != "" {
		to = model.Ref(model.NameAlias(svc))
	} else {
		to = "actor:" + ep.host
	}
	f := &model.Element{ID: w.el.ID + "/env/" + v.name, Kind: model.Flow, Type: "env",
		Name: fmt.Sprintf("%s → %s (%s)", w.obj.name, peer, v.name),
		Span: v.span, Head: v.head, From: w.el.ID, To: to}
	prefix := ""
	if i := strings.LastIndexByte(v.name, '_'); i >= 0 {
		prefix = v.name[:i+1]
	}
	port, portAt := ep.port, v.valueAt
	if !ep.hasPort && prefix != "" {
		for _, s := range vars {
			if p, err := strconv.ParseInt(s.value, 10, 64); s.literal && s.name == prefix+"PORT" && err == nil {
				port, portAt, ep.hasPort = p, s.valueAt, true
			}
		}
	}
	switch {
	case schemes[ep.scheme] != "":
		f.Set("protocol", schemes[ep.scheme], v.valueAt)
	case ep.hasPort && wellKnownPorts[port] != "":
		setNote(f, "protocol", wellKnownPorts[port], portAt, fmt.Sprintf("port %d", port))
	default:
		f.SetUnknown("protocol", v.valueAt, "no scheme or well-known port says which protocol "+v.name+" speaks")
	}
	if ep.hasPort {
		f.Set("port", port, portAt)
	} else if p := defaultPorts[ep.scheme]; p != 0 {
		f.Default("port", p, "the default port of "+ep.scheme)
	}
	flowTLS(f, v, ep, port, portAt)
	switch sib := credential(v.name, vars); {
	case ep.password:
		setNote(f, "authenticated", true, v.valueAt, v.name+" carries credentials")
	case sib != nil:
		setNote(f, "authenticated", true, sib.valueAt, sib.name+" holds the caller's credentials")
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
		b.actor(ep.host, v.valueAt)
	}
}

// flowTLS reads whether a flow is encrypted from its endpoint.
func flowTLS(f *model.Element, v *envVar, ep endpoint, port int64, portAt model.Span) {
	opt := func(k string) string { return strings.ToLower(ep.query.Get(k)) }
	sslmode, tls := opt("sslmode"), opt("tls")
	if tls == "" {
		tls = opt("ssl")
	}
	switch {
	case tlsSchemes[ep.scheme]:
		setNote(f, "tls", true, v.valueAt, ep.scheme+":// is encrypted")
	case sslmode == "require" || sslmode == "verify-ca" || sslmode == "verify-full":
		setNote(f, "tls", true, v.valueAt, "sslmode="+sslmode)
	case sslmode != "":
		setNote(f, "tls", false, v.valueAt, "sslmode="+sslmode+" does not require TLS")
	case tls == "true" || tls == "1" || tls == "required" || tls == "skip-verify" || tls == "verify_identity":
		setNote(f, "tls", true, v.valueAt, "tls="+tls)
	case tls != "":
		setNote(f, "tls", false, v.valueAt, "tls="+tls)
	case ep.hasPort && port == 443:
		setNote(f, "tls", true, portAt, "port 443")
	case plainSchemes[ep.scheme]:
		setNote(f, "tls", false, v.valueAt, ep.scheme+":// is not encrypted")
	case ep.scheme != "":
		f.Default("tls", false, ep.scheme+" without an option that requires TLS")
	default:
		f.Default("tls", false, "nothing in "+v.name+" requires TLS")
	}
}

// credential returns the variable beside name that holds credentials for it: a
// secret-looking variable with the same prefix (REDIS_PASSWORD for REDIS_URL, STRIPE_API_KEY
// for STRIPE_API_URL) or the same first word.
func credential(name string, vars []*envVar) *envVar {
	var prefixes []string
	if i := strings.LastIndexByte(name, '_'); i > 0 {
		prefixes = append(prefixes, name[:i+1])
	}
	if i := strings.IndexByte(name, '_'); i > 0 {
		prefixes = append(prefixes, name[:i+1])
	}
	for _, p := range prefixes {
		for _, s := range vars {
			if s.name != name && strings.HasPrefix(s.name, p) && secretName(s.name) && (s.secret != "" || s.literal && s.value != "") {
				return s
			}
		}
	}
	return nil
}

// actor creates the external actor of a host outside the cluster at its first mention.
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

// resolve returns the workload of namespace ns that has the alias a, if any.
func (b *builder) resolve(a, ns string) *workload {
	for _, w := range b.workloads {
		if w.obj.namespace == ns && w.aliases[a] {
			return w
		}
	}
	return nil
}
