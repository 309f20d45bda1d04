package kubernetes

import "testing"

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
