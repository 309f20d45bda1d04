package compose

import (
	"regexp"
	"strings"

	"github.com/threatls/threatls/analyzers/container"
	"github.com/threatls/threatls/model"
)

// storeInfo is what a well-known data-store image is.
type storeInfo struct {
	tech, category string
}

// stores maps the last path segment of an image's repository to the store it runs.
var stores = map[string]storeInfo{
	"postgres": {"postgres", "database"}, "postgresql": {"postgres", "database"},
	"postgis": {"postgres", "database"}, "timescaledb": {"postgres", "database"},
	"mysql": {"mysql", "database"}, "mariadb": {"mariadb", "database"},
	"mongo": {"mongodb", "database"}, "mongodb": {"mongodb", "database"},
	"mongodb-community-server": {"mongodb", "database"},
	"redis":                    {"redis", "cache"}, "redis-stack": {"redis", "cache"}, "redis-stack-server": {"redis", "cache"},
	"valkey": {"valkey", "cache"}, "memcached": {"memcached", "cache"},
	"rabbitmq": {"rabbitmq", "queue"}, "kafka": {"kafka", "queue"}, "cp-kafka": {"kafka", "queue"},
	"elasticsearch": {"elasticsearch", "search"}, "opensearch": {"opensearch", "search"},
	"minio": {"minio", "bucket"},
}

// storeOf reports whether image runs a well-known data store.
func storeOf(image string) (storeInfo, bool) {
	if image == "" {
		return storeInfo{}, false
	}
	repo, _, _ := container.Repository(image)
	st, ok := stores[strings.ToLower(repo[strings.LastIndex(repo, "/")+1:])]
	return st, ok
}

// oldElastic matches the tags of Elasticsearch versions that ran without security by default.
var oldElastic = regexp.MustCompile(`^[1-7]\.`)

var leadingVar = regexp.MustCompile(`^\$\{[^}]*\}/`)

// imageAlias returns the image's alias, without a registry that comes from a variable
// (${REGISTRY}/shop/api); "" when the repository itself does.
func imageAlias(image string) string {
	image = leadingVar.ReplaceAllString(image, "")
	repo, _, _ := container.Repository(image)
	if image == "" || strings.Contains(repo, "$") {
		return ""
	}
	return model.ImageAlias(image)
}

// on reports whether a variable holds a true-ish value (yes, true, 1, on).
func on(v envVar) bool {
	switch strings.ToLower(v.value) {
	case "yes", "true", "1", "on", "y":
		return true
	}
	return false
}

// storeAuth sets a store's authenticated from what its image reads at start-up: a password
// variable, a flag that allows an empty password, a --requirepass in its command.
func storeAuth(s *service, st storeInfo) {
	el := s.el
	env := map[string]envVar{}
	for _, v := range s.env {
		env[v.name] = v
	}
	// first returns the first of names that is set.
	first := func(names ...string) (envVar, bool) {
		for _, n := range names {
			if v, ok := env[n]; ok && (!v.hasValue || v.value != "") {
				return v, true
			}
		}
		return envVar{}, false
	}
	yes := func(v envVar, note string) { el.SetNote("authenticated", true, v.span, note) }
	no := func(v envVar, note string) { el.SetNote("authenticated", false, v.span, note) }
	cmd := s.get("command")
	command := strings.Join(cmd.Strings(), " ")
	switch st.tech {
	case "postgres":
		if v, ok := first("POSTGRES_HOST_AUTH_METHOD"); ok && strings.EqualFold(v.value, "trust") {
			no(v, "POSTGRES_HOST_AUTH_METHOD=trust accepts every connection without a password")
		} else if v, ok := first("ALLOW_EMPTY_PASSWORD"); ok && on(v) {
			no(v, "ALLOW_EMPTY_PASSWORD lets clients connect without a password")
		} else if v, ok := first("POSTGRES_PASSWORD", "POSTGRES_PASSWORD_FILE", "POSTGRESQL_PASSWORD"); ok {
			yes(v, v.name+" sets a password")
		} else {
			el.SetUnknown("authenticated", el.Head, "no POSTGRES_PASSWORD: the image's configuration decides")
		}
	case "mysql", "mariadb":
		if v, ok := first("MYSQL_ALLOW_EMPTY_PASSWORD", "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", "ALLOW_EMPTY_PASSWORD"); ok &&
			!strings.EqualFold(v.value, "no") && !strings.EqualFold(v.value, "false") && v.value != "0" {
			no(v, v.name+" allows a root account without a password")
		} else if v, ok := first("MYSQL_ROOT_PASSWORD", "MYSQL_ROOT_PASSWORD_FILE", "MARIADB_ROOT_PASSWORD",
			"MARIADB_ROOT_PASSWORD_FILE", "MYSQL_RANDOM_ROOT_PASSWORD", "MARIADB_RANDOM_ROOT_PASSWORD",
			"MYSQL_PASSWORD", "MARIADB_PASSWORD"); ok {
			yes(v, v.name+" sets a password")
		} else {
			el.SetUnknown("authenticated", el.Head, "no MYSQL_ROOT_PASSWORD: the image's configuration decides")
		}
	case "redis", "valkey":
		if strings.Contains(command, "--requirepass") || strings.Contains(command, "--aclfile") {
			el.SetNote("authenticated", true, cmd.Span, "the command sets --requirepass")
		} else if v, ok := first("ALLOW_EMPTY_PASSWORD"); ok && on(v) {
			no(v, "ALLOW_EMPTY_PASSWORD lets clients connect without a password")
		} else if v, ok := first("REDIS_PASSWORD", "VALKEY_PASSWORD", "REDIS_PASSWORD_FILE"); ok {
			yes(v, v.name+" sets a password")
		} else {
			el.Default("authenticated", false, "no --requirepass: "+st.tech+" accepts every client without a password")
		}
	case "mongodb":
		if v, ok := first("MONGO_INITDB_ROOT_USERNAME", "MONGO_INITDB_ROOT_PASSWORD", "MONGO_INITDB_ROOT_PASSWORD_FILE", "MONGODB_ROOT_PASSWORD"); ok {
			yes(v, v.name+" creates a root user: access control is on")
		} else {
			el.Default("authenticated", false, "no MONGO_INITDB_ROOT_USERNAME: mongod runs without access control")
		}
	case "memcached":
		el.Default("authenticated", false, "memcached has no authentication")
	case "rabbitmq":
		if v, ok := first("RABBITMQ_DEFAULT_PASS", "RABBITMQ_DEFAULT_PASS_FILE"); ok {
			yes(v, v.name+" sets a password")
		} else {
			el.Default("authenticated", true, "RabbitMQ's default guest user may connect only from localhost")
		}
	case "kafka":
		if v, ok := first("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP"); ok && strings.Contains(strings.ToUpper(v.value), "SASL") {
			yes(v, "a SASL listener")
		} else {
			el.Default("authenticated", false, "Kafka listeners are PLAINTEXT unless SASL is configured")
		}
	case "elasticsearch":
		_, tag, _ := container.Repository(s.get("image").String())
		if v, ok := first("xpack.security.enabled"); ok {
			el.SetNote("authenticated", on(v), v.span, "xpack.security.enabled="+v.value)
		} else if v, ok := first("ELASTIC_PASSWORD", "ELASTIC_PASSWORD_FILE"); ok {
			yes(v, v.name+" sets a password")
		} else if oldElastic.MatchString(tag) {
			el.Default("authenticated", false, "Elasticsearch before 8 runs without security unless xpack.security.enabled=true")
		} else {
			el.Default("authenticated", true, "Elasticsearch 8 enables security by default")
		}
	case "opensearch":
		if v, ok := first("DISABLE_SECURITY_PLUGIN", "plugins.security.disabled"); ok && on(v) {
			no(v, v.name+" turns the security plugin off")
		} else {
			el.Default("authenticated", true, "the OpenSearch security plugin is on by default")
		}
	case "minio":
		if v, ok := first("MINIO_ROOT_PASSWORD", "MINIO_ROOT_PASSWORD_FILE", "MINIO_SECRET_KEY"); ok {
			yes(v, v.name+" sets the root password")
		} else {
			el.Default("authenticated", false, "no MINIO_ROOT_PASSWORD: MinIO accepts the well-known minioadmin:minioadmin")
		}
	}
}
