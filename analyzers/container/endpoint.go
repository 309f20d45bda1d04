package container

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// TLS is what an address says of encryption.
type TLS int8

// What an address may say of TLS.
const (
	TLSUnsaid TLS = iota // nothing: the scheme and the options leave it to the configuration
	TLSOn
	TLSOff
)

// Endpoint is what an address says of the other end of a connection.
type Endpoint struct {
	// Scheme is the URL's scheme in lower case (postgres, https, mongodb+srv), mysql for a
	// Go MySQL DSN, postgres for a libpq key=value string; "" for a bare host.
	Scheme string
	// Host is in lower case, without a trailing dot. It may be an IP address or localhost:
	// see Local. For an AWS endpoint that names a resource of the account (a queue URL, a
	// bucket, a database endpoint) it is the resource's name, and Service the endpoint.
	Host    string
	Service string
	// Port is 0 when none is written, or what is written is no port number.
	Port int64
	// Path is what follows the host: path, query and fragment ("/shop?sslmode=require").
	Path string
	// Password is the password the address carries, as written: it may be a variable (see
	// Interpolated). "" when there is none.
	Password string
	// TLS is what the scheme or an option (sslmode=, tls=, ssl=…) says of encryption, the
	// last one written winning; TLSNote says which.
	TLS     TLS
	TLSNote string
}

var (
	schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*$`)
	// mysqlDSN matches Go's MySQL driver DSN: user:password@tcp(host:port)/db.
	mysqlDSN   = regexp.MustCompile(`^(?:([^@]*)@)?tcp\(([^)]*)\)`)
	hostPortRE = regexp.MustCompile(`^[A-Za-z0-9.-]+:[0-9]{1,5}$`)
	hostRE     = regexp.MustCompile(`^[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?$`)
)

// Parse reads the address the variable name holds in value: a URL of any scheme
// (postgres://user:pw@db:5432/x, with a jdbc: prefix or not), a Go MySQL DSN
// (user:pw@tcp(db:3306)/x), an ADO.NET connection string (Host=db;Port=5432;…,
// Server=tcp:db,1433;…), a libpq key=value string (host=db port=5432), a host:port, or —
// for a variable whose name says it holds an address (see AddressName) — a bare host. Of a
// list of hosts (kafka-1:9092,kafka-2:9092) the first is read. ok is false when value holds
// none of these, or its host is no host name or IP address.
func Parse(name, value string) (ep Endpoint, ok bool) {
	v := strings.TrimSpace(value)
	if len(v) > 5 && strings.EqualFold(v[:5], "jdbc:") {
		v = v[5:]
	}
	userinfo := "" // user[:password]
	if i := strings.Index(v, "://"); i > 0 && schemeRE.MatchString(v[:i]) {
		ep.Scheme = strings.ToLower(v[:i])
		authority := v[i+3:]
		if j := strings.IndexAny(authority, "/?#"); j >= 0 {
			authority, ep.Path = authority[:j], authority[j:]
		}
		if at := strings.LastIndex(authority, "@"); at >= 0 {
			userinfo, authority = authority[:at], authority[at+1:]
		}
		authority, _, _ = strings.Cut(authority, ",")
		ep.Host, ep.Port = splitHostPort(authority)
		switch {
		case tlsSchemes[ep.Scheme]:
			ep.TLS, ep.TLSNote = TLSOn, ep.Scheme+":// is encrypted"
		case plainSchemes[ep.Scheme]:
			ep.TLS, ep.TLSNote = TLSOff, ep.Scheme+":// is not encrypted"
		}
		ep.options(query(ep.Path))
	} else if m := mysqlDSN.FindStringSubmatch(v); m != nil {
		ep.Scheme, userinfo, ep.Path = "mysql", m[1], v[len(m[0]):]
		ep.Host, ep.Port = splitHostPort(m[2])
		ep.options(query(ep.Path))
	} else if e, ok := adoNet(v); ok {
		userinfo = ""
		pw := e.Password
		ep = e
		ep.Password = ""
		if pw != "" {
			userinfo = ":" + pw
		}
	} else if strings.Contains(v, "host=") {
		ep.Scheme = "postgres"
		for _, f := range strings.Fields(v) {
			k, val, _ := strings.Cut(f, "=")
			val = strings.Trim(val, `'"`)
			switch strings.ToLower(k) {
			case "host":
				ep.Host = val
			case "port":
				ep.Port = port(val)
			case "password":
				ep.Password = val
			}
		}
		ep.options(strings.Fields(v))
	} else if AddressName(name) || hostPortRE.MatchString(v) {
		first, _, _ := strings.Cut(v, ",")
		ep.Host, ep.Port = splitHostPort(first)
	} else {
		return Endpoint{}, false
	}
	if _, pw, ok := strings.Cut(userinfo, ":"); ok && pw != "" {
		ep.Password = pw
	}
	ep.Host = strings.TrimSuffix(strings.ToLower(ep.Host), ".")
	if !validHost(ep.Host) {
		return Endpoint{}, false
	}
	if r := awsResource(ep.Host, ep.Path); r != "" {
		ep.Service, ep.Host = ep.Host, r
	}
	return ep, true
}

// AWS endpoints that name a resource of the account: a queue URL, a bucket's virtual host,
// a database's or a cache's endpoint.
var (
	sqsHost   = regexp.MustCompile(`^(sqs\.[a-z0-9-]+|queue)\.amazonaws\.com$`)
	s3Virtual = regexp.MustCompile(`^([a-z0-9.-]+)\.s3([.-][a-z0-9-]+)?\.amazonaws\.com$`)
	s3Path    = regexp.MustCompile(`^s3([.-][a-z0-9-]+)?\.amazonaws\.com$`)
	rdsHost   = regexp.MustCompile(`^([a-z][a-z0-9-]*)\.(cluster-(ro-)?)?[a-z0-9]+\.[a-z0-9-]+\.rds\.amazonaws\.com$`)
	cacheHost = regexp.MustCompile(`^(?:master\.|replica\.|clustercfg\.)?([a-z][a-z0-9-]*)\.[a-z0-9]+\.(?:[a-z0-9-]+\.)?cache\.amazonaws\.com$`)
)

// awsResource returns the name of the resource an AWS endpoint addresses — the queue of
// https://sqs.eu-west-1.amazonaws.com/123456789012/orders, the bucket of
// invoices.s3.amazonaws.com, the instance of orders-db.abc123.eu-west-1.rds.amazonaws.com —
// or "" for any other host. The workspace defines the resource under that name, when it does.
func awsResource(host, path string) string {
	segment := func(i int) string {
		parts := strings.Split(strings.Trim(strings.SplitN(path, "?", 2)[0], "/"), "/")
		if i < len(parts) {
			return parts[i]
		}
		return ""
	}
	switch {
	case sqsHost.MatchString(host):
		return segment(1)
	case s3Path.MatchString(host):
		return segment(0)
	}
	for _, re := range []*regexp.Regexp{s3Virtual, rdsHost, cacheHost} {
		if m := re.FindStringSubmatch(host); m != nil {
			return m[1]
		}
	}
	return ""
}

// tlsSchemes are encrypted; plainSchemes are not, unless an option says otherwise.
var (
	tlsSchemes = map[string]bool{"https": true, "wss": true, "grpcs": true, "rediss": true, "amqps": true,
		"mongodb+srv": true, "smtps": true, "ldaps": true, "mqtts": true, "tls": true, "ssl": true}
	plainSchemes = map[string]bool{"http": true, "ws": true, "redis": true, "amqp": true, "mongodb": true,
		"nats": true, "ldap": true, "smtp": true, "memcached": true, "tcp": true}
)

// query returns the key=value options of the query string of a URL's path.
func query(path string) []string {
	_, q, ok := strings.Cut(path, "?")
	if !ok {
		return nil
	}
	q, _, _ = strings.Cut(q, "#")
	return strings.Split(q, "&")
}

// options reads the TLS options of a query string or a key=value string.
func (ep *Endpoint) options(kvs []string) {
	for _, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		k, v = strings.ToLower(k), strings.ToLower(strings.Trim(v, `'"`))
		if v == "" {
			continue
		}
		switch k {
		case "sslmode", "ssl_mode", "ssl-mode":
			switch v {
			case "require", "required", "verify-ca", "verify_ca", "verify-full", "verify_identity":
				ep.TLS, ep.TLSNote = TLSOn, k+"="+v
			default: // disable, allow, prefer…
				ep.TLS, ep.TLSNote = TLSOff, k+"="+v+" does not require TLS"
			}
		case "ssl", "tls", "usessl", "use_ssl", "encrypt":
			switch v {
			case "true", "1", "yes", "require", "required", "strict", "skip-verify", "verify_identity":
				ep.TLS, ep.TLSNote = TLSOn, k+"="+v
			default:
				ep.TLS, ep.TLSNote = TLSOff, k+"="+v
			}
		}
	}
}

// splitHostPort splits host[:port] (or [v6]:port).
func splitHostPort(s string) (string, int64) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") {
		if j := strings.Index(s, "]"); j > 0 {
			return s[1:j], port(strings.TrimPrefix(s[j+1:], ":"))
		}
		return "", 0
	}
	if strings.Count(s, ":") != 1 {
		return s, 0
	}
	host, p, _ := strings.Cut(s, ":")
	return host, port(p)
}

// port reads a port number; 0 when s is none.
func port(s string) int64 {
	p, err := strconv.ParseInt(s, 10, 64)
	if err != nil || p <= 0 || p > 65535 {
		return 0
	}
	return p
}

// validHost reports whether h (in lower case) is an IP address or a host name: not a number,
// not a word that YAML or a shell would read as a boolean or nothing.
func validHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if !hostRE.MatchString(h) || strings.Trim(h, "0123456789.") == "" {
		return false
	}
	switch h {
	case "true", "false", "yes", "no", "on", "off", "null", "none":
		return false
	}
	return true
}

// Local reports whether host is the machine itself or an address of a private network,
// which names no peer of its own: localhost (and *.localhost), Docker's host.docker.internal
// and gateway.docker.internal, a loopback, private, link-local or unspecified IP address.
func Local(host string) bool {
	h := strings.ToLower(host)
	switch {
	case h == "localhost" || strings.HasSuffix(h, ".localhost"),
		h == "host.docker.internal" || h == "gateway.docker.internal":
		return true
	}
	if ip, err := netip.ParseAddr(h); err == nil {
		return ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsLinkLocalUnicast()
	}
	return false
}

// protocols maps the URL schemes whose flow's protocol is another name: the encrypted
// variants, aliases and drivers.
var protocols = map[string]string{
	"postgresql": "postgres", "mariadb": "mysql", "rediss": "redis", "amqps": "amqp", "mongodb+srv": "mongodb",
	"smtps": "smtp", "ldaps": "ldap", "grpcs": "grpc", "mqtts": "mqtt", "ws": "websocket", "wss": "websocket",
}

// Protocol returns the protocol a connection to a URL of scheme speaks: the scheme itself,
// or the name the model gives it (postgres for postgresql, redis for rediss, websocket for
// ws and wss…). "" for "".
func Protocol(scheme string) string {
	if p, ok := protocols[scheme]; ok {
		return p
	}
	return scheme
}

// defaultPorts are the ports of schemes whose URLs write none.
var defaultPorts = map[string]int64{
	"http": 80, "https": 443, "ws": 80, "wss": 443, "postgres": 5432, "postgresql": 5432, "mysql": 3306,
	"mariadb": 3306, "redis": 6379, "rediss": 6379, "amqp": 5672, "amqps": 5671, "mongodb": 27017,
	"kafka": 9092, "nats": 4222, "smtp": 25, "smtps": 465, "ldap": 389, "ldaps": 636, "memcached": 11211,
	"sqlserver": 1433,
}

// DefaultPort returns the port a URL of scheme connects to when it writes none, or 0.
func DefaultPort(scheme string) int64 { return defaultPorts[scheme] }

// wellKnownPorts are the protocols servers speak on their usual ports.
var wellKnownPorts = map[int64]string{
	80: "http", 443: "https", 5432: "postgres", 3306: "mysql", 6379: "redis", 5672: "amqp", 5671: "amqp",
	27017: "mongodb", 9092: "kafka", 4222: "nats", 11211: "memcached", 1433: "sqlserver", 25: "smtp", 587: "smtp",
}

// PortProtocol returns the protocol servers usually speak on port, or "".
func PortProtocol(port int64) string { return wellKnownPorts[port] }
