package model

import (
	"testing"
)

// envSystem is a frontend whose code reads its peers' addresses from configuration: the
// manifest that runs it sets ORDERS_SERVICE_ADDR (to the orders workload) and DATABASE_URL
// (to an RDS instance Terraform defines), a Spring-style property file maps orders.url to
// ORDERS_SERVICE_ADDR, and nothing sets INVENTORY_API_URL or CACHE_URL.
func envSystem() []*Element {
	frontend := with(node("kubernetes:shop/frontend", Component, 1, NameAlias("frontend"), BuildAlias("src/frontend")), map[string]any{
		EnvAttr: map[string]any{"ORDERS_SERVICE_ADDR": Ref(NameAlias("orders")), "DATABASE_URL": Ref(NameAlias("orders-db"))},
	})
	props := with(node("appconfig:src/frontend", Component, 1, BuildAlias("src/frontend")), map[string]any{
		EnvAttr: map[string]any{"orders.url": EnvRef("ORDERS_SERVICE_ADDR", "")},
	})
	code := node("go:src/frontend", Component, 1, NameAlias("frontend"), BuildAlias("src/frontend"))
	return []*Element{
		frontend, props, code,
		node("kubernetes:shop/orders", Component, 2, NameAlias("orders")),
		node("terraform:infra/aws_db_instance.orders", Store, 3, NameAlias("orders-db")),
		node("kubernetes:shop/inventory-api", Component, 4, NameAlias("inventory-api")),
		flow("go:src/frontend/flow/orders", "go:src/frontend", EnvRef("ORDERS_SERVICE_ADDR", ""), 10, map[string]any{"protocol": "grpc"}),
		flow("go:src/frontend/flow/props", "go:src/frontend", EnvRef("orders.url", ""), 11, map[string]any{"protocol": "http"}),
		flow("go:src/frontend/flow/db", "go:src/frontend", EnvRef("DATABASE_URL", ""), 12, map[string]any{"protocol": "postgres"}),
		flow("go:src/frontend/flow/inventory", "go:src/frontend", EnvRef("INVENTORY_API_URL", ""), 13, map[string]any{"protocol": "http"}),
		flow("go:src/frontend/flow/cache", "go:src/frontend", EnvRef("CACHE_URL", ""), 14, map[string]any{"protocol": "redis"}),
		flow("go:src/frontend/flow/payments", "go:src/frontend", EnvRef("PAYMENTS_URL", "actor:api.stripe.com"), 15, map[string]any{"protocol": "https"}),
		flow("go:src/frontend/flow/mail", "go:src/frontend", EnvRef("MAIL_URL", ""), 16, map[string]any{"protocol": "https"}),
		// A variable a ConfigMap sets: the manifest's own flow says where it goes.
		flow("kubernetes:shop/frontend/env/SEARCH_ADDR", "kubernetes:shop/frontend", Ref(NameAlias("search")), 17, map[string]any{ConfigAttr: "SEARCH_ADDR"}),
		node("kubernetes:shop/search", Component, 5, NameAlias("search")),
		flow("go:src/frontend/flow/search", "go:src/frontend", EnvRef("SEARCH_ADDR", ""), 18, map[string]any{"protocol": "grpc", ConfigAttr: "SEARCH_ADDR"}),
	}
}

// TestEnvRefResolves checks that an address the code reads from configuration becomes a
// flow to what the deployment sets it to, through its own name or the property that maps
// it, and otherwise to what the code falls back to, what its name suggests, or an element
// of its own.
func TestEnvRefResolves(t *testing.T) {
	els := envSystem()
	els = append(els, node("actor:api.stripe.com", Actor, 20))
	g := NewGraph(els)
	to := map[string]*Element{}
	for _, f := range g.Outbound("kubernetes:shop/frontend") {
		to[f.ID] = f
	}
	for id, want := range map[string]string{
		"go:src/frontend/flow/orders":    "kubernetes:shop/orders",
		"go:src/frontend/flow/props":     "kubernetes:shop/orders",
		"go:src/frontend/flow/db":        "terraform:infra/aws_db_instance.orders",
		"go:src/frontend/flow/inventory": "kubernetes:shop/inventory-api",
		"go:src/frontend/flow/cache":     "go:src/frontend/env/CACHE_URL",
		"go:src/frontend/flow/payments":  "actor:api.stripe.com",
		"go:src/frontend/flow/mail":      "actor:mail",
		// The code's call and the manifest's variable are one flow.
		"kubernetes:shop/frontend/env/SEARCH_ADDR": "kubernetes:shop/search",
	} {
		f := to[id]
		if f == nil {
			t.Errorf("%s is not a flow out of the frontend", id)
			continue
		}
		if f.To != want {
			t.Errorf("%s goes to %s, want %s", id, f.To, want)
		}
	}
	if f := to["go:src/frontend/flow/orders"]; f != nil && (len(f.Related) == 0 || f.Related[0].Message != "ORDERS_SERVICE_ADDR is set by shop/frontend") {
		t.Errorf("the flow does not point at where the variable is set: %+v", f.Related)
	}
	if f := to["kubernetes:shop/frontend/env/SEARCH_ADDR"]; f != nil && len(f.Members) != 2 {
		t.Errorf("the code's call to SEARCH_ADDR and the manifest's flow do not fuse: %v", f.Members)
	}
	if f := to["go:src/frontend/flow/inventory"]; f != nil && f.Attrs.At("tentative").Value != true {
		t.Errorf("a flow found by name alone is not tentative: %+v", f.Attrs.At("tentative"))
	}
	if f := to["go:src/frontend/flow/orders"]; f != nil {
		if _, ok := f.Attrs.Get("tentative"); ok {
			t.Error("a flow the manifest sets is tentative")
		}
	}
	cache := g.Element("go:src/frontend/env/CACHE_URL")
	if cache == nil || cache.Kind != Store || cache.Attrs.At("technology").Value != "redis" || cache.Attrs.At("category").Value != "cache" {
		t.Errorf("an unset Redis address: %+v", cache)
	}
	if a := g.Element("actor:mail"); a == nil || a.Type != "unresolved" {
		t.Errorf("an unset HTTP address: %+v", a)
	}
}

// TestEnvRefRebuild checks that resolving configuration keeps the elements of the previous
// build when nothing changed, and follows the deployment when it does.
func TestEnvRefRebuild(t *testing.T) {
	b := &Builder{}
	els := envSystem()
	g1 := b.Build(els, BuildOptions{})
	g2 := b.Build(els, BuildOptions{})
	for _, f := range g1.Outbound("kubernetes:shop/frontend") {
		if g2.Element(f.ID) != f {
			t.Errorf("%s was rebuilt", f.ID)
		}
	}
	// The manifest now points ORDERS_SERVICE_ADDR at inventory-api.
	moved := *els[0]
	moved.Attrs = AttrsOf(map[string]Attr{EnvAttr: {Value: map[string]any{"ORDERS_SERVICE_ADDR": Ref(NameAlias("inventory-api"))}, Origin: Read, Span: moved.Head}})
	els[0] = &moved
	g3 := b.Build(els, BuildOptions{})
	if f := g3.Element("go:src/frontend/flow/orders"); f == nil || f.To != "kubernetes:shop/inventory-api" {
		t.Errorf("after the manifest changed: %+v", f)
	}
}

func TestEnvNames(t *testing.T) {
	for name, want := range map[string][]string{
		"orders.url":                   {"orders.url", "ORDERS_URL"},
		"ConnectionStrings:Orders":     {"ConnectionStrings:Orders", "ConnectionStrings__Orders"},
		"ORDERS_SERVICE_ADDR":          {"ORDERS_SERVICE_ADDR"},
		"spring.data.redis-host":       {"spring.data.redis-host", "SPRING_DATA_REDISHOST"},
		"PRODUCT_CATALOG_SERVICE_ADDR": {"PRODUCT_CATALOG_SERVICE_ADDR"},
	} {
		got := envNames(name)
		if len(got) != len(want) {
			t.Errorf("envNames(%q) = %v, want %v", name, got, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("envNames(%q) = %v, want %v", name, got, want)
			}
		}
	}
	for name, want := range map[string]string{
		"INVENTORY_API_URL":            "INVENTORY_API INVENTORY",
		"PRODUCT_CATALOG_SERVICE_ADDR": "PRODUCT_CATALOG_SERVICE PRODUCT_CATALOG",
		"orders.url":                   "ORDERS",
	} {
		got := serviceGuesses(name)
		s := ""
		for i, g := range got {
			if i > 0 {
				s += " "
			}
			s += g
		}
		if s != want {
			t.Errorf("serviceGuesses(%q) = %q, want %q", name, s, want)
		}
	}
}
