package kubernetes

import (
	"slices"
	"testing"

	"github.com/threatls/threatls/analyzers/yamlnode"
)

// The namespaces a workload's hosts may name are read as clusterHost reads a host, from its
// environment's values only: an image's registry (gcr.io, registry.example.com) and a public
// host (api.stripe.com) name none, and would join every namespace that uses them.
func TestNamespaceRefs(t *testing.T) {
	src := `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: api
          image: gcr.io/shop/api:1.0
          args: ["--peer", "x.ignored"]
          env:
            - {name: DB, value: "postgres://orders-db.data.svc.cluster.local:5432/orders"}
            - {name: CACHE, value: "redis://cache.infra:6379"}
            - {name: QUEUE, value: "amqp://mq.events.svc:5672"}
            - {name: FQDN, value: "billing.pay."}
            - {name: STRIPE, value: "https://api.stripe.com/v1"}
            - {name: REGISTRY, value: "registry.example.com"}
            - {name: LOCAL, value: "http://web:8080"}
`
	docs, _ := yamlnode.Parse([]byte(src), "api.yaml")
	if len(docs) != 1 {
		t.Fatalf("%d documents", len(docs))
	}
	got := namespaceRefs(docs[0].Root, "value")
	if want := []string{"data", "events", "infra", "pay"}; !slices.Equal(got, want) {
		t.Errorf("namespaceRefs = %q, want %q", got, want)
	}
	cm := `apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop}
data:
  DATABASE_URL: "postgres://db.data:5432/x"
`
	docs, _ = yamlnode.Parse([]byte(cm), "cm.yaml")
	if got := namespaceRefs(docs[0].Root.Get("data"), ""); !slices.Equal(got, []string{"data"}) {
		t.Errorf("a ConfigMap's namespaceRefs = %q, want [data]", got)
	}
}
