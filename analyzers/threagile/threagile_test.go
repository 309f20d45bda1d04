package threagile_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/threagile"
	"github.com/threatls/threatls/model"
)

// elementID maps a name written in file to the ID of the element it defines there.
func elementID(file, name string) string { return "threagile:" + file + "/" + name }

func TestWorkspaces(t *testing.T) {
	analyzertest.Run(t, threagile.New(), filepath.Join("testdata", "src"), elementID)
}

func TestMatch(t *testing.T) {
	a := threagile.New()
	for p, want := range map[string]bool{
		"threagile.yaml":              true,
		"docs/threagile-model.yml":    true,
		"model/shop.threagile.yaml":   true,
		"Threagile.YAML":              true,
		"threagile.json":              false,
		"docs/model.yaml":             false,
		"threagile/model.yaml":        false,
		"docs/threagile-notes.md":     false,
		"compose.threagile.yaml.orig": false,
	} {
		if got := a.Match(p, ""); got != want {
			t.Errorf("Match(%q) = %t, want %t", p, got, want)
		}
	}
	if a.Match("", "yaml") {
		t.Error("a document without a path matched")
	}
}

// TestFlows checks what the harness cannot: the endpoints of the shop's flows.
func TestFlows(t *testing.T) {
	facts, _ := analyzertest.Workspace(t, threagile.New(), filepath.Join("testdata", "src", "shop"))
	got := map[string]string{}
	for _, e := range threagile.New().Link(facts) {
		if e.Provenance != model.Documented {
			t.Errorf("%s has provenance %q", e.ID, e.Provenance)
		}
		if e.Kind == model.Flow {
			got[strings.TrimPrefix(e.ID, "threagile:shop.threagile.yaml/")] = e.From + " -> " + e.To
		}
	}
	p := "threagile:shop.threagile.yaml/"
	want := map[string]string{
		"customer-browser/shop-traffic": p + "customer-browser -> " + p + "storefront",
		"storefront/order-api":          p + "storefront -> " + p + "orders-api",
		"orders-api/orders-sql":         p + "orders-api -> " + p + "orders-db",
		"orders-api/order-events":       p + "orders-api -> " + p + "order-queue",
		"orders-api/card-payment":       p + "orders-api -> " + p + "payment-provider",
		"orders-api/invoice-rendering":  p + "orders-api -> " + p + "pdf-renderer",
		"orders-api/fraud-check":        p + "orders-api -> " + p + "payment-provider",
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("flow %s: %s, want %s", id, got[id], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d flows, want %d", len(got), len(want))
	}
}

// TestAliases checks the fusion keys of a technical asset and a trust boundary.
func TestAliases(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "src", "shop", "shop.threagile.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ff := analyzertest.Extract(t, threagile.New(), "shop.threagile.yaml", src)
	want := map[string]string{
		"threagile:shop.threagile.yaml/orders-db":         "name:ordersdb",
		"threagile:shop.threagile.yaml/customer-browser":  "name:customerbrowser",
		"threagile:shop.threagile.yaml/zone:shop-backend": "name:shopbackend name:backend",
	}
	for _, e := range ff.Elements {
		if w, ok := want[e.ID]; ok {
			if got := strings.Join(e.Aliases, " "); got != w {
				t.Errorf("%s: aliases %q, want %q", e.ID, got, w)
			}
			delete(want, e.ID)
		}
	}
	for id := range want {
		t.Errorf("no element %s", id)
	}
}

// TestUnknownTechnology checks that Threagile's unknown-technology is no technology.
func TestUnknownTechnology(t *testing.T) {
	src := []byte("technical_assets:\n  Lib:\n    id: lib\n    type: process\n    technology: unknown-technology\n")
	ff := analyzertest.Extract(t, threagile.New(), "threagile.yaml", src)
	if len(ff.Elements) != 1 || len(ff.Problems) != 0 {
		t.Fatalf("want one element and no problem, got %d and %v", len(ff.Elements), ff.Problems)
	}
	if a, ok := ff.Elements[0].Attrs.Get("technology"); ok {
		t.Errorf("technology = %v, want none", a.Value)
	}
}

// TestLink checks that Link returns the elements Extract built, pointer for pointer, and
// ignores other formats' facts.
func TestLink(t *testing.T) {
	analyzertest.LinkKeeps(t, threagile.New(), filepath.Join("testdata", "src", "shop"))
}

func TestFix(t *testing.T) {
	analyzertest.NoFix(t, threagile.New(), nil, &model.Element{ID: "threagile:threagile.yaml/api", Name: "API"})
}

func FuzzExtract(f *testing.F) {
	analyzertest.Seeds(f, filepath.Join("testdata", "src", "*", "*.yaml"))
	a := threagile.New()
	f.Fuzz(func(t *testing.T, src []byte) {
		ff := analyzertest.Extract(t, a, "threagile.yaml", src)
		els := a.Link([]*model.FileFacts{ff})
		analyzertest.Inside(t, src, ff, els)
		for _, e := range els {
			if e.Provenance != model.Documented {
				t.Fatalf("%s: provenance %q", e.ID, e.Provenance)
			}
		}
	})
}

// TestCycle checks that the nesting that closes a cycle is dropped, so that no zone is its
// own ancestor.
func TestCycle(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "src", "broken", "threagile-cycle.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ff := analyzertest.Extract(t, threagile.New(), "threagile-cycle.yaml", src)
	for _, e := range ff.Elements {
		switch strings.TrimPrefix(e.ID, "threagile:threagile-cycle.yaml/") {
		case "zone:a", "zone:loop":
			if p, ok := e.Attrs.Get("parent"); ok {
				t.Errorf("%s has parent %v, which closes a cycle", e.ID, p.Value)
			}
		}
	}
}
