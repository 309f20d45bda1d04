package container

import (
	"regexp"
	"strings"
)

// adoHost matches the key that names the server of an ADO.NET-style connection string
// (Npgsql, SqlClient, MySqlConnector): Host=db;Port=5432, Server=tcp:db,1433, Data Source=db.
var adoHost = regexp.MustCompile(`(?i)(^|;)\s*(host|server|data source|address|addr|network address)\s*=`)

// adoNet reads an ADO.NET-style connection string: semicolon-separated key=value pairs, the
// server under one of the keys adoHost knows (with an optional tcp: prefix and a ,port
// suffix), Port=, Password= or Pwd=, and SSL Mode=, Encrypt=, SslMode= for TLS. ok is false
// for anything else.
func adoNet(v string) (ep Endpoint, ok bool) {
	if !strings.Contains(v, ";") || !adoHost.MatchString(v) {
		return Endpoint{}, false
	}
	var tlsOpts []string
	for _, kv := range strings.Split(v, ";") {
		k, val, found := strings.Cut(kv, "=")
		if !found {
			continue
		}
		k = strings.ToLower(strings.Join(strings.Fields(k), " "))
		val = strings.TrimSpace(val)
		switch k {
		case "host", "server", "data source", "address", "addr", "network address":
			val = strings.TrimPrefix(strings.TrimPrefix(val, "tcp:"), "TCP:")
			h, p, hasPort := strings.Cut(val, ",")
			if !hasPort {
				ep.Host, ep.Port = splitHostPort(h)
			} else {
				ep.Host, ep.Port = strings.TrimSpace(h), port(strings.TrimSpace(p))
			}
		case "port":
			ep.Port = port(val)
		case "password", "pwd":
			ep.Password = val
		case "ssl mode", "sslmode":
			tlsOpts = append(tlsOpts, "sslmode="+val)
		case "encrypt", "use ssl", "usessl":
			tlsOpts = append(tlsOpts, "encrypt="+val)
		}
	}
	ep.options(tlsOpts)
	return ep, ep.Host != ""
}
