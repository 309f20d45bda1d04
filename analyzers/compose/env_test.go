package compose

import (
	"testing"

	"github.com/threatls/threatls/analyzers/yamlnode"
)

func TestParseEndpoint(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		ok          bool
		want        endpoint
	}{
		{"DATABASE_URL", "postgres://u:p@db:5432/x?sslmode=require", true,
			endpoint{scheme: "postgres", host: "db", port: 5432, userinfo: "u:p", password: true, tls: tlsOn, tlsNote: "sslmode=require"}},
		{"DB", "jdbc:postgresql://db/x", true, endpoint{scheme: "postgresql", host: "db"}},
		{"MONGO", "mongodb://a:27017,b:27017/x?tls=true", true,
			endpoint{scheme: "mongodb", host: "a", port: 27017, tls: tlsOn, tlsNote: "tls=true"}},
		{"MONGO", "mongodb+srv://u:${PW}@cluster0.example.net/x", true,
			endpoint{scheme: "mongodb+srv", host: "cluster0.example.net", userinfo: "u:${PW}", password: true, tls: tlsOn, tlsNote: "the scheme is mongodb+srv"}},
		{"MYSQL_DSN", "shop:pw@tcp(mysql:3306)/shop?tls=true", true,
			endpoint{scheme: "mysql", host: "mysql", port: 3306, userinfo: "shop:pw", password: true, tls: tlsOn, tlsNote: "tls=true"}},
		{"PG_DSN", "host=pg port=5433 user=u password=p sslmode=disable", true,
			endpoint{host: "pg", port: 5433, password: true, tls: tlsOff, tlsNote: "sslmode=disable does not require TLS"}},
		{"CACHE_HOST", "redis:6379", true, endpoint{host: "redis", port: 6379}},
		{"KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092", true, endpoint{host: "kafka-1", port: 9092}},
		{"DNS_SERVER", "[2001:db8::1]:53", true, endpoint{host: "2001:db8::1", port: 53}},
		{"CACHE", "redis:6379", false, endpoint{}},                  // not a host variable, no scheme
		{"FEATURE_HOST", "true", false, endpoint{}},                 // not a host
		{"SOCKET_URL", "unix:///var/run/x.sock", false, endpoint{}}, // no host
		{"API_URL", "${API_URL}", false, endpoint{}},
		{"PORT_ADDR", ":8080", false, endpoint{}},
	} {
		got, ok := parseEndpoint(tc.name, tc.value)
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("parseEndpoint(%s=%s) = %+v, %v; want %+v, %v", tc.name, tc.value, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParsePort(t *testing.T) {
	docs, _ := yamlnode.Parse([]byte(`- "8080:80"
- "127.0.0.1:8080:80/udp"
- 80
- "[::1]:9000:9000"
- "0.0.0.0:443:443"
- "8000-8001:8000-8001"
- "${BIND}:80:80"
- "${PORT}"
- "nope"
- {target: 53, published: 53, protocol: udp}
- {target: 80, host_ip: 127.0.0.1}
- {published: 80}
`), "p.yaml")
	want := []struct {
		ok bool
		p  port
	}{
		{true, port{container: 80, bind: bindAll}},
		{true, port{container: 80, proto: "udp", bind: bindAddress}},
		{true, port{container: 80, bind: bindAll}},
		{true, port{container: 9000, bind: bindAddress}},
		{true, port{container: 443, bind: bindAll}},
		{true, port{container: 8000, bind: bindAll}},
		{true, port{container: 80, bind: bindUnknown}},
		{true, port{container: 0, bind: bindAll}},
		{false, port{}},
		{true, port{container: 53, proto: "udp", bind: bindAll}},
		{true, port{container: 80, bind: bindAddress}},
		{false, port{}},
	}
	items := docs[0].Root.Items
	for i, w := range want {
		got, ok := parsePort(items[i])
		if ok != w.ok || ok && got != w.p {
			t.Errorf("item %d (%s): %+v %v, want %+v %v", i, items[i].String(), got, ok, w.p, w.ok)
		}
	}
}

func TestSecretName(t *testing.T) {
	for name, want := range map[string]bool{
		"POSTGRES_PASSWORD": true, "API_TOKEN": true, "STRIPE_KEY": true, "SECRET_KEY_BASE": true,
		"db_pass": true, "AWS_SECRET_ACCESS_KEY": true, "POSTGRES_PASSWORD_FILE": false,
		"AWS_ACCESS_KEY_ID": false, "POSTGRES_HOST_AUTH_METHOD": false, "LOG_LEVEL": false, "TOKEN_URL": false,
	} {
		if got := secretName(name); got != want {
			t.Errorf("secretName(%s) = %v, want %v", name, got, want)
		}
	}
}
