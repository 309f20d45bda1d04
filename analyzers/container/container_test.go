package container

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		ok          bool
		want        Endpoint
	}{
		{"DATABASE_URL", "postgres://u:p@db:5432/x?sslmode=require", true,
			Endpoint{Scheme: "postgres", Host: "db", Port: 5432, Path: "/x?sslmode=require", Password: "p", TLS: TLSOn, TLSNote: "sslmode=require"}},
		{"DB", "jdbc:postgresql://db/x", true, Endpoint{Scheme: "postgresql", Host: "db", Path: "/x"}},
		{"DATABASE_URL", "JDBC:postgresql://db.shop.svc.cluster.local/shop", true,
			Endpoint{Scheme: "postgresql", Host: "db.shop.svc.cluster.local", Path: "/shop"}},
		{"MONGO", "mongodb://a:27017,b:27017/x?tls=true", true,
			Endpoint{Scheme: "mongodb", Host: "a", Port: 27017, Path: "/x?tls=true", TLS: TLSOn, TLSNote: "tls=true"}},
		{"MONGO", "mongodb://mongo/x", true,
			Endpoint{Scheme: "mongodb", Host: "mongo", Path: "/x", TLS: TLSOff, TLSNote: "mongodb:// is not encrypted"}},
		{"MONGO", "mongodb+srv://u:${PW}@cluster0.example.net/x", true,
			Endpoint{Scheme: "mongodb+srv", Host: "cluster0.example.net", Path: "/x", Password: "${PW}", TLS: TLSOn, TLSNote: "mongodb+srv:// is encrypted"}},
		{"DB_URL", "postgres://u:$(DB_PASSWORD)@db/x?sslmode=verify-full#f", true,
			Endpoint{Scheme: "postgres", Host: "db", Path: "/x?sslmode=verify-full#f", Password: "$(DB_PASSWORD)", TLS: TLSOn, TLSNote: "sslmode=verify-full"}},
		{"DB_URL", "postgres://db/x?sslmode=prefer", true,
			Endpoint{Scheme: "postgres", Host: "db", Path: "/x?sslmode=prefer", TLS: TLSOff, TLSNote: "sslmode=prefer does not require TLS"}},
		{"MYSQL_DSN", "shop:pw@tcp(mysql:3306)/shop?tls=true", true,
			Endpoint{Scheme: "mysql", Host: "mysql", Port: 3306, Path: "/shop?tls=true", Password: "pw", TLS: TLSOn, TLSNote: "tls=true"}},
		{"DSN", "app@tcp(mysql)/db", true, Endpoint{Scheme: "mysql", Host: "mysql", Path: "/db"}},
		{"PG_DSN", "host=pg port=5433 user=u password=p sslmode=disable", true,
			Endpoint{Scheme: "postgres", Host: "pg", Port: 5433, Password: "p", TLS: TLSOff, TLSNote: "sslmode=disable does not require TLS"}},
		{"PG", "host='pg' password=''", true, Endpoint{Scheme: "postgres", Host: "pg"}},
		{"ConnectionStrings__Orders", "Host=orders-db;Port=5433;Database=orders;Username=app;Password=pw;SSL Mode=Require", true,
			Endpoint{Host: "orders-db", Port: 5433, Password: "pw", TLS: TLSOn, TLSNote: "sslmode=require"}},
		{"DefaultConnection", "Server=tcp:sql.example.net,1433;Database=x;Encrypt=False", true,
			Endpoint{Host: "sql.example.net", Port: 1433, TLS: TLSOff, TLSNote: "encrypt=false"}},
		{"Db", "Data Source=db;Initial Catalog=x;Integrated Security=true", true, Endpoint{Host: "db"}},
		{"CACHE_HOST", "redis:6379", true, Endpoint{Host: "redis", Port: 6379}},
		{"CACHE", "redis:6379", true, Endpoint{Host: "redis", Port: 6379}}, // a host:port whatever the name
		{"REDIS_HOST", "Redis.", true, Endpoint{Host: "redis"}},
		{"KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092", true, Endpoint{Host: "kafka-1", Port: 9092}},
		{"KAFKA_BROKERS", "kafka-0.kafka:9092,kafka-1.kafka:9092", true, Endpoint{Host: "kafka-0.kafka", Port: 9092}},
		{"DNS_SERVER", "[2001:db8::1]:53", true, Endpoint{Host: "2001:db8::1", Port: 53}},
		{"API_URL", "http://10.0.0.1:8080", true,
			Endpoint{Scheme: "http", Host: "10.0.0.1", Port: 8080, TLS: TLSOff, TLSNote: "http:// is not encrypted"}},
		{"API_URL", "http://localhost:8080", true,
			Endpoint{Scheme: "http", Host: "localhost", Port: 8080, TLS: TLSOff, TLSNote: "http:// is not encrypted"}},
		{"API_URL", "https://api:99999", true, // no port number: the host is still named
			Endpoint{Scheme: "https", Host: "api", TLS: TLSOn, TLSNote: "https:// is encrypted"}},
		{"BUCKET_URL", "s3://bucket/key", true, Endpoint{Scheme: "s3", Host: "bucket", Path: "/key"}},
		{"LOG_LEVEL", "info", false, Endpoint{}},
		{"TIMEOUT", "10:30", false, Endpoint{}},      // no host name
		{"FEATURE_HOST", "true", false, Endpoint{}},  // not a host
		{"HOME_URL", "/var/lib", false, Endpoint{}},  // no host
		{"API_URL", "${API_URL}", false, Endpoint{}}, // a variable
		{"API_URL", "http://$(HOST):8080", false, Endpoint{}},
		{"PORT_ADDR", ":8080", false, Endpoint{}},
		{"SOCKET_URL", "unix:///var/run/x.sock", false, Endpoint{}},
		{"ADDR", "", false, Endpoint{}},
	} {
		got, ok := Parse(tc.name, tc.value)
		if ok != tc.ok || got != tc.want {
			t.Errorf("Parse(%s=%s) = %+v, %v; want %+v, %v", tc.name, tc.value, got, ok, tc.want, tc.ok)
		}
	}
}

func TestLocal(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "api.localhost": true, "host.docker.internal": true, "127.0.0.1": true,
		"10.0.0.1": true, "192.168.1.5": true, "::1": true, "fe80::1": true, "0.0.0.0": true,
		"203.0.113.7": false, "db": false, "api.example.com": false,
	} {
		if got := Local(host); got != want {
			t.Errorf("Local(%s) = %v, want %v", host, got, want)
		}
	}
}

func TestProtocols(t *testing.T) {
	for scheme, want := range map[string]string{
		"postgresql": "postgres", "rediss": "redis", "wss": "websocket", "https": "https", "nats": "nats", "s3": "s3", "": "",
	} {
		if got := Protocol(scheme); got != want {
			t.Errorf("Protocol(%q) = %q, want %q", scheme, got, want)
		}
	}
	if DefaultPort("postgresql") != 5432 || DefaultPort("amqps") != 5671 || DefaultPort("s3") != 0 {
		t.Error("DefaultPort: wrong ports")
	}
	if PortProtocol(6379) != "redis" || PortProtocol(587) != "smtp" || PortProtocol(8080) != "" {
		t.Error("PortProtocol: wrong protocols")
	}
}

func TestSecretName(t *testing.T) {
	for name, want := range map[string]bool{
		"POSTGRES_PASSWORD": true, "API_TOKEN": true, "STRIPE_KEY": true, "SECRET_KEY_BASE": true,
		"db_pass": true, "AWS_SECRET_ACCESS_KEY": true, "DB_PWD": true, "PASS": true, "GITHUB_CREDENTIALS": true,
		"POSTGRES_PASSWORD_FILE": false, "AWS_ACCESS_KEY_ID": false, "POSTGRES_HOST_AUTH_METHOD": false,
		"LOG_LEVEL": false, "TOKEN_URL": false, "SECRET_HOST": false, "STRIPE_PUBLIC_KEY": false,
		"DB_USER": false, "TOKEN_EXPIRY": false, "KEYCLOAK_REALM": false,
	} {
		if got := SecretName(name); got != want {
			t.Errorf("SecretName(%s) = %v, want %v", name, got, want)
		}
	}
}

func TestAddressName(t *testing.T) {
	for _, tc := range []struct {
		name    string
		address bool
		prefix  string
	}{
		{"DATABASE_URL", true, "DATABASE"},
		{"payment_api_url", true, "PAYMENT_API"},
		{"KAFKA_BOOTSTRAP_SERVERS", true, "KAFKA"},
		{"AUTH_SERVICE", true, "AUTH"},
		{"ENDPOINT", true, "ENDPOINT"},
		{"_URL", false, "_URL"},
		{"LOG_LEVEL", false, "LOG_LEVEL"},
	} {
		if a, p := AddressName(tc.name), AddressPrefix(tc.name); a != tc.address || p != tc.prefix {
			t.Errorf("AddressName, AddressPrefix(%s) = %v, %q; want %v, %q", tc.name, a, p, tc.address, tc.prefix)
		}
	}
}

func TestInterpolated(t *testing.T) {
	for s, want := range map[string]bool{
		"${PW}": true, "$PW": true, "$(PW)": true, "a$_x": true, "p$$w": false, "pa$": false, "$1": false, "plain": false,
	} {
		if got := Interpolated(s); got != want {
			t.Errorf("Interpolated(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestCredential(t *testing.T) {
	for _, tc := range []struct {
		name, host string
		others     []string
		want       int
	}{
		{"REDIS_URL", "redis", []string{"LOG_LEVEL", "REDIS_PASSWORD"}, 1},
		{"PAYMENT_API_URL", "pay.example.com", []string{"PAYMENT_API_KEY"}, 0},
		{"DATABASE_HOST", "db", []string{"DATABASE_HOST", "DB_PASSWORD"}, 1}, // named after the host
		{"STRIPE_API_URL", "api.stripe.com", []string{"STRIPE_SECRET", "STRIPE_API_TOKEN"}, 1},
		{"STRIPE_API_URL", "api.stripe.com", []string{"STRIPE_SECRET"}, 0}, // the first word only
		{"POSTGRES_HOST", "db", []string{"POSTGRES_PASSWORD_FILE"}, 0},
		{"REDIS_URL", "redis", []string{"REDIS_URL", "CACHE_PASSWORD", "REDIS_USER"}, -1},
	} {
		if got := Credential(tc.name, tc.host, tc.others); got != tc.want {
			t.Errorf("Credential(%s, %s, %v) = %d, want %d", tc.name, tc.host, tc.others, got, tc.want)
		}
	}
}

func TestImagePinned(t *testing.T) {
	for _, tc := range []struct {
		image         string
		pinned, known bool
	}{
		{"postgres:16", true, true},
		{"postgres", false, true},
		{"postgres:latest", false, true},
		{"localhost:5000/api", false, true},
		{"localhost:5000/api:1.2", true, true},
		{"api@sha256:abc", true, true},
		{"bitnami/postgresql:16@sha256:ab", true, true},
		{"api:${TAG}", false, false},
		{"api@${DIGEST}", false, false},
		{"scratch", true, true},
	} {
		pinned, known, note := ImagePinned(tc.image)
		if pinned != tc.pinned || known != tc.known || note == "" {
			t.Errorf("ImagePinned(%s) = %v %v %q, want %v %v", tc.image, pinned, known, note, tc.pinned, tc.known)
		}
	}
}

// FuzzParse: no value makes Parse panic, and what it returns is an address.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"postgres://u:p@db:5432/x?sslmode=require", "u:p@tcp(db:3306)/x?tls=false",
		"host=db port=5432 password=x", "[::1]:53", "kafka-1:9092,kafka-2:9092", "jdbc:mysql://a", "http://[", "tcp(", "@"} {
		f.Add("DATABASE_URL", s)
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		ep, ok := Parse(name, value)
		if !ok {
			return
		}
		if ep.Host == "" || ep.Host != strings.ToLower(ep.Host) || ep.Port < 0 || ep.Port > 65535 ||
			ep.TLS == TLSUnsaid && ep.TLSNote != "" {
			t.Fatalf("Parse(%q, %q) = %+v", name, value, ep)
		}
	})
}

// AWS endpoints name the resource the workspace defines: the flow goes to the queue, the
// bucket, the database, not to a host on the internet.
func TestAWSResources(t *testing.T) {
	for _, tc := range []struct{ name, value, host string }{
		{"QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/order-events", "order-events"},
		{"BUCKET_URL", "https://shop-invoices.s3.eu-west-1.amazonaws.com/2026/", "shop-invoices"},
		{"BUCKET_URL", "https://s3.amazonaws.com/shop-invoices/x.pdf", "shop-invoices"},
		{"BUCKET", "s3://shop-invoices/reports", "shop-invoices"},
		{"DATABASE_URL", "postgres://app@orders-db.c9akciq32.eu-west-1.rds.amazonaws.com:5432/orders", "orders-db"},
		{"DATABASE_URL", "postgres://app@shop.cluster-ro-c9akciq32.eu-west-1.rds.amazonaws.com/orders", "shop"},
		{"REDIS_URL", "rediss://master.sessions.abcdef.euw1.cache.amazonaws.com:6379", "sessions"},
		{"API_URL", "https://api.payments.example.com/v1", "api.payments.example.com"},
	} {
		ep, ok := Parse(tc.name, tc.value)
		if !ok || ep.Host != tc.host {
			t.Errorf("%s=%s: host %q (ok %v), want %q", tc.name, tc.value, ep.Host, ok, tc.host)
		}
	}
}
