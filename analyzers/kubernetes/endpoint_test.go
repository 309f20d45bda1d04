package kubernetes

import "testing"

func TestParseEndpoint(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		ok          bool
		want        endpoint // only scheme, host, port, hasPort, password are compared
	}{
		{"DATABASE_URL", "postgres://u:p@db:5432/shop", true, endpoint{scheme: "postgres", host: "db", port: 5432, hasPort: true, password: true}},
		{"DATABASE_URL", "jdbc:postgresql://db.shop.svc.cluster.local/shop", true, endpoint{scheme: "postgresql", host: "db.shop.svc.cluster.local"}},
		{"MONGO_URI", "mongodb+srv://cluster0.abc.mongodb.net/app", true, endpoint{scheme: "mongodb+srv", host: "cluster0.abc.mongodb.net"}},
		{"KAFKA_BROKERS", "kafka-0.kafka:9092,kafka-1.kafka:9092", true, endpoint{host: "kafka-0.kafka", port: 9092, hasPort: true}},
		{"REDIS_HOST", "Redis.", true, endpoint{host: "redis"}},
		{"ANYTHING", "cache:6379", true, endpoint{host: "cache", port: 6379, hasPort: true}},
		{"DSN", "app:pw@tcp(mysql:3306)/db", true, endpoint{scheme: "mysql", host: "mysql", port: 3306, hasPort: true, password: true}},
		{"PG", "host=pg port=5433 password=x", true, endpoint{scheme: "postgres", host: "pg", port: 5433, hasPort: true, password: true}},
		{"LOG_LEVEL", "info", false, endpoint{}},
		{"TIMEOUT", "10:30", false, endpoint{}},
		{"API_URL", "http://10.0.0.1:8080", false, endpoint{}},
		{"API_URL", "http://localhost:8080", false, endpoint{}},
		{"API_URL", "http://$(HOST):8080", false, endpoint{}},
		{"API_URL", "http://db:99999", false, endpoint{}},
		{"BUCKET_URL", "s3://bucket/key", false, endpoint{}},
		{"HOME_URL", "/var/lib", false, endpoint{}},
	} {
		got, ok := parseEndpoint(tc.name, tc.value)
		same := got.scheme == tc.want.scheme && got.host == tc.want.host && got.port == tc.want.port &&
			got.hasPort == tc.want.hasPort && got.password == tc.want.password
		if ok != tc.ok || ok && !same {
			t.Errorf("parseEndpoint(%s=%s) = %+v %v, want %+v %v", tc.name, tc.value, got, ok, tc.want, tc.ok)
		}
	}
}

func TestStoreOf(t *testing.T) {
	for img, want := range map[string]string{
		"postgres:16": "postgres", "bitnami/postgresql:16@sha256:ab": "postgres", "confluentinc/cp-kafka:7": "kafka",
		"docker.io/library/redis": "redis", "quay.io/minio/minio": "minio", "prometheuscommunity/postgres-exporter": "",
		"ghcr.io/shop/api:1": "", "localhost:5000/mongo:7": "mongodb",
	} {
		s, ok := storeOf(img)
		if got := s.technology; got != want || ok != (want != "") {
			t.Errorf("storeOf(%s) = %q %v, want %q", img, got, ok, want)
		}
	}
}
