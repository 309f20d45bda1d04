package compose

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

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
func (v envVar) literal() bool { return v.hasValue && v.value != "" && !interpolated(v.value) }

func readEnv(n *yamlnode.Node) []envVar {
	if n == nil {
		return nil
	}
	var out []envVar
	switch n.Kind {
	case yamlnode.Map:
		for _, p := range n.Entries() {
			v := envVar{name: p.Key.Value, span: pairSpan(p)}
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

// interpolated reports whether s holds a Compose interpolation ($VAR, ${VAR}); $$ is an
// escaped dollar.
func interpolated(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '$' {
			continue
		}
		c := s[i+1]
		if c == '$' {
			i++
			continue
		}
		if c == '{' || c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
			return true
		}
	}
	return false
}

// secretName reports whether a variable's name says it holds a secret: PASSWORD, SECRET,
// TOKEN, API_KEY, a name ending in _KEY… but not a file, a path or an identifier of one
// (POSTGRES_PASSWORD_FILE, AWS_ACCESS_KEY_ID).
func secretName(name string) bool {
	n := strings.ToUpper(name)
	for _, suf := range []string{"_FILE", "_PATH", "_DIR", "_URL", "_URI", "_ID", "_NAME", "_ARN",
		"_ENABLED", "_TTL", "_LENGTH", "_HEADER", "_TYPE"} {
		if strings.HasSuffix(n, suf) {
			return false
		}
	}
	for _, w := range []string{"PASSWORD", "PASSWD", "SECRET", "TOKEN", "CREDENTIAL", "API_KEY", "APIKEY",
		"PRIVATE_KEY", "ACCESS_KEY"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return strings.HasSuffix(n, "_KEY") || strings.HasSuffix(n, "_PASS") || strings.HasSuffix(n, "_PWD")
}

// hostSuffixes end the names of variables that hold a host, host:port or URL.
var hostSuffixes = []string{"_BOOTSTRAP_SERVERS", "_HOSTNAME", "_ADDRESS", "_ENDPOINT", "_SERVERS",
	"_BROKERS", "_SERVER", "_BROKER", "_HOST", "_ADDR", "_URL", "_URI", "_DSN"}

// credSuffixes end the names of variables that hold a credential.
var credSuffixes = []string{"_PASSWORD_FILE", "_CREDENTIALS", "_PASSWORD", "_SECRET_KEY", "_ACCESS_KEY",
	"_API_KEY", "_SECRET", "_TOKEN", "_PASS", "_PWD", "_KEY"}

// prefix returns name without the first of suffixes it ends with, and whether it had one.
func prefix(name string, suffixes []string) (string, bool) {
	n := strings.ToUpper(name)
	for _, s := range suffixes {
		if p, ok := strings.CutSuffix(n, s); ok && p != "" {
			return p, true
		}
	}
	return n, false
}

// hostVar reports whether a variable's name says it holds a host, host:port or URL.
func hostVar(name string) bool {
	_, ok := prefix(name, hostSuffixes)
	return ok || strings.EqualFold(name, "HOST")
}

// TLS as a connection string states it.
const (
	tlsUnset = iota
	tlsOn
	tlsOff
)

// endpoint is what a connection string says of the other end.
type endpoint struct {
	scheme   string // lower case; "" when the value names none
	host     string
	port     int64  // 0 when not written
	userinfo string // user[:password] written before "@"
	password bool   // a password is given (literally or interpolated)
	tls      int
	tlsNote  string
}

var (
	schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*$`)
	// mysqlDSN matches Go's MySQL driver DSN: user:password@tcp(host:port)/db.
	mysqlDSN = regexp.MustCompile(`^(?:([^@]*)@)?tcp\(([^)]*)\)`)
	hostRE   = regexp.MustCompile(`^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$`)
	nonAlnum = regexp.MustCompile(`[^A-Za-z0-9]+`)
)

// tlsSchemes are schemes that mean TLS.
var tlsSchemes = map[string]bool{"https": true, "rediss": true, "amqps": true, "mongodb+srv": true,
	"smtps": true, "ldaps": true, "wss": true, "grpcs": true, "mqtts": true, "tls": true, "ssl": true}

// parseEndpoint reads the host a variable names: a URL (postgres://user:pw@db:5432/x,
// jdbc:mysql://…), a Go MySQL DSN (user:pw@tcp(db:3306)/x), a libpq key=value string
// (host=db port=5432), or — for a variable whose name says it holds one (*_HOST, *_ADDR,
// *_URL…) — a bare host or host:port.
func parseEndpoint(name, value string) (endpoint, bool) {
	var ep endpoint
	v := strings.TrimSpace(value)
	if len(v) > 5 && strings.EqualFold(v[:5], "jdbc:") {
		v = v[5:]
	}
	if i := strings.Index(v, "://"); i > 0 && schemeRE.MatchString(v[:i]) {
		ep.scheme = strings.ToLower(v[:i])
		rest := v[i+3:]
		auth, query := rest, ""
		if j := strings.IndexAny(rest, "/?#"); j >= 0 {
			auth = rest[:j]
		}
		if j := strings.Index(rest, "?"); j >= 0 {
			query, _, _ = strings.Cut(rest[j+1:], "#")
		}
		if at := strings.LastIndex(auth, "@"); at >= 0 {
			ep.userinfo, auth = auth[:at], auth[at+1:]
		}
		auth, _, _ = strings.Cut(auth, ",")
		ep.host, ep.port = splitHostPort(auth)
		if tlsSchemes[ep.scheme] {
			ep.tls, ep.tlsNote = tlsOn, "the scheme is "+ep.scheme
		}
		ep.params(strings.Split(query, "&"))
	} else if m := mysqlDSN.FindStringSubmatch(v); m != nil {
		ep.scheme, ep.userinfo = "mysql", m[1]
		ep.host, ep.port = splitHostPort(m[2])
		if _, q, ok := strings.Cut(v, "?"); ok {
			ep.params(strings.Split(q, "&"))
		}
	} else if strings.Contains(v, "host=") {
		for _, f := range strings.Fields(v) {
			k, val, _ := strings.Cut(f, "=")
			switch strings.ToLower(k) {
			case "host":
				ep.host = val
			case "port":
				ep.port, _ = strconv.ParseInt(val, 10, 64)
			case "password":
				ep.password = val != ""
			}
		}
		ep.params(strings.Fields(v))
	} else if hostVar(name) {
		first, _, _ := strings.Cut(v, ",")
		ep.host, ep.port = splitHostPort(first)
	} else {
		return ep, false
	}
	if _, pw, ok := strings.Cut(ep.userinfo, ":"); ok && pw != "" {
		ep.password = true
	}
	return ep, validHost(ep.host)
}

// params reads the TLS options of a query string or a key=value DSN.
func (ep *endpoint) params(kvs []string) {
	for _, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		k, v = strings.ToLower(k), strings.ToLower(v)
		switch k {
		case "sslmode", "ssl_mode", "ssl-mode":
			switch v {
			case "require", "required", "verify-ca", "verify_ca", "verify-full", "verify_identity":
				ep.tls, ep.tlsNote = tlsOn, k+"="+v
			case "disable", "disabled", "allow", "prefer", "preferred":
				ep.tls, ep.tlsNote = tlsOff, k+"="+v+" does not require TLS"
			}
		case "ssl", "tls", "usessl", "use_ssl", "encrypt":
			switch v {
			case "true", "1", "yes", "require", "required", "strict":
				ep.tls, ep.tlsNote = tlsOn, k+"="+v
			case "false", "0", "no", "disable", "disabled":
				ep.tls, ep.tlsNote = tlsOff, k+"="+v
			}
		}
	}
}

// splitHostPort splits host[:port] (or [v6]:port); port is 0 when absent or not a number.
func splitHostPort(s string) (string, int64) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") {
		if j := strings.Index(s, "]"); j > 0 {
			host, rest := s[1:j], s[j+1:]
			p, _ := strconv.ParseInt(strings.TrimPrefix(rest, ":"), 10, 64)
			return host, p
		}
		return "", 0
	}
	if strings.Count(s, ":") != 1 {
		return s, 0
	}
	host, ps, _ := strings.Cut(s, ":")
	p, err := strconv.ParseInt(ps, 10, 64)
	if err != nil || p <= 0 || p > 65535 {
		p = 0
	}
	return host, p
}

func validHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if !hostRE.MatchString(h) || strings.Trim(h, "0123456789.") == "" {
		return false
	}
	switch strings.ToLower(h) {
	case "true", "false", "yes", "no", "on", "off", "null", "none":
		return false
	}
	return true
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
	switch h {
	case "localhost", "host.docker.internal", "gateway.docker.internal":
		return "", false
	}
	if ip, err := netip.ParseAddr(h); err == nil {
		if ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsLinkLocalUnicast() {
			return "", false
		}
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

// protocols maps a URL scheme to the flow's protocol where they differ.
var protocols = map[string]string{"postgresql": "postgres", "mariadb": "mysql", "rediss": "redis",
	"amqps": "amqp", "mongodb+srv": "mongodb", "smtps": "smtp", "ldaps": "ldap", "grpcs": "grpc",
	"mqtts": "mqtt", "wss": "https", "ws": "http"}

// schemePorts are the default ports of schemes.
var schemePorts = map[string]int64{"postgres": 5432, "postgresql": 5432, "mysql": 3306, "mariadb": 3306,
	"redis": 6379, "rediss": 6379, "amqp": 5672, "amqps": 5671, "mongodb": 27017, "http": 80, "ws": 80,
	"https": 443, "wss": 443, "kafka": 9092, "nats": 4222, "smtp": 25, "smtps": 465, "memcached": 11211,
	"ldap": 389, "ldaps": 636}

// portProtocols are the well-known protocols of ports.
var portProtocols = map[int64]string{5432: "postgres", 6379: "redis", 3306: "mysql", 5672: "amqp",
	5671: "amqp", 27017: "mongodb", 9092: "kafka", 443: "https", 80: "http", 11211: "memcached", 4222: "nats"}

// cand is an environment variable that names a host the service talks to.
type cand struct {
	v        envVar
	ep       endpoint
	to       string
	external bool
}

// flows creates the flows out of a service: one per element its environment names (the
// richest variable — one with a scheme — wins, the others are related), and one per
// depends_on entry that no variable already gives.
func (x *extractor) flows(s *service) {
	var order []string
	groups := map[string][]*cand{}
	for _, v := range s.env {
		if !v.hasValue {
			continue
		}
		ep, ok := parseEndpoint(v.name, v.value)
		if !ok {
			continue
		}
		to, external := x.target(ep.host)
		if to == "" || to == s.el.ID {
			continue
		}
		if groups[to] == nil {
			order = append(order, to)
		}
		groups[to] = append(groups[to], &cand{v: v, ep: ep, to: to, external: external})
	}
	flows := map[string]*model.Element{}
	for _, to := range order {
		g := groups[to]
		best := g[0]
		for _, c := range g {
			if c.ep.scheme != "" {
				best = c
				break
			}
		}
		fl := x.envFlow(s, best)
		for _, c := range g {
			if c != best {
				fl.Related = append(fl.Related, model.Related{Span: c.v.span, Message: c.v.name + " also names " + c.ep.host})
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
	ep := c.ep
	env := map[string]envVar{}
	for _, v := range s.env {
		env[strings.ToUpper(v.name)] = v
	}
	pre, _ := prefix(c.v.name, hostSuffixes)

	port, portAt := ep.port, at
	if port == 0 && ep.scheme == "" {
		if v, ok := env[pre+"_PORT"]; ok && v.literal() {
			if p, err := strconv.ParseInt(v.value, 10, 64); err == nil && p > 0 && p <= 65535 {
				port, portAt = p, v.span
			}
		}
	}
	switch {
	case port > 0:
		fl.Set("port", port, portAt)
	case schemePorts[ep.scheme] > 0:
		fl.Default("port", schemePorts[ep.scheme], "the default port of "+ep.scheme+"://")
	default:
		fl.SetUnknown("port", at, c.v.name+" names no port")
	}

	proto := ep.scheme
	if p, ok := protocols[proto]; ok {
		proto = p
	}
	if port == 0 {
		port = schemePorts[ep.scheme]
	}
	switch {
	case proto != "":
		fl.Set("protocol", proto, at)
	case portProtocols[port] != "":
		setNote(fl, "protocol", portProtocols[port], portAt, fmt.Sprintf("the well-known protocol of port %d", port))
	default:
		fl.SetUnknown("protocol", at, c.v.name+" names no scheme and no well-known port")
	}

	switch {
	case ep.tls == tlsOn:
		setNote(fl, "tls", true, at, ep.tlsNote)
	case ep.tls == tlsOff:
		setNote(fl, "tls", false, at, ep.tlsNote)
	case ep.scheme != "":
		fl.Default("tls", false, ep.scheme+":// asks for no TLS")
	case port == 443:
		setNote(fl, "tls", true, portAt, "port 443 is HTTPS")
	default:
		fl.SetUnknown("tls", at, c.v.name+" names only the host: TLS is configured elsewhere")
	}

	if ep.password {
		setNote(fl, "authenticated", true, at, c.v.name+" carries credentials")
	} else if v, ok := credential(s.env, c.v.name, pre, ep.host); ok {
		setNote(fl, "authenticated", true, v.span, v.name+" is set")
	} else {
		fl.SetUnknown("authenticated", at, "no credentials in "+c.v.name+" and no "+pre+"_PASSWORD or _TOKEN beside it")
	}
	if c.external {
		x.raw.actors = append(x.raw.actors, actorRef{id: c.to, host: strings.ToLower(ep.host), span: at})
	}
	x.els = append(x.els, fl)
	return fl
}

// credential finds a variable beside the one that names a host that holds a credential for
// it: same prefix (PAYMENT_API_URL, PAYMENT_API_KEY) or named after the host (db,
// DB_PASSWORD).
func credential(env []envVar, name, pre, host string) (envVar, bool) {
	hostPre := strings.ToUpper(nonAlnum.ReplaceAllString(host, "_"))
	for _, v := range env {
		if v.name == name || v.hasValue && v.value == "" {
			continue
		}
		n := strings.ToUpper(v.name)
		for _, suf := range credSuffixes {
			if p, ok := strings.CutSuffix(n, suf); ok && p != "" && (p == pre || p == hostPre) {
				return v, true
			}
		}
	}
	return envVar{}, false
}
