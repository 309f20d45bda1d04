package otm_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/otm"
	"github.com/threatls/threatls/model"
)

// elementID maps a name written in file to the ID of the element it defines there.
func elementID(file, name string) string { return "otm:" + file + "/" + name }

func TestWorkspaces(t *testing.T) {
	analyzertest.Run(t, otm.New(), filepath.Join("testdata", "src"), elementID)
}

func TestMatch(t *testing.T) {
	a := otm.New()
	for p, want := range map[string]bool{
		"shop.otm":            true,
		"docs/shop.otm.yaml":  true,
		"docs/shop.otm.yml":   true,
		"model/shop.OTM.json": true,
		"otm.yaml":            true,
		"docs/otm.json":       true,
		"otm.yml":             true,
		"shop.yaml":           false,
		"otm/model.yaml":      false,
		"shop.otm.md":         false,
		"custom.json":         false,
		"photm.yaml":          false,
		"otm-example.yaml":    true,
		"shop-otm.json":       true,
		"hotmail.yaml":        false,
	} {
		if got := a.Match(p, ""); got != want {
			t.Errorf("Match(%q) = %t, want %t", p, got, want)
		}
	}
	if a.Match("", "json") {
		t.Error("a document without a path matched")
	}
}

// byID extracts src as file and indexes its elements.
func byID(t *testing.T, file string, src []byte) (map[string]*model.Element, *model.FileFacts) {
	t.Helper()
	ff := analyzertest.Extract(t, otm.New(), file, src)
	els := map[string]*model.Element{}
	for _, e := range otm.New().Link([]*model.FileFacts{ff}) {
		if e.Provenance != model.Documented {
			t.Errorf("%s has provenance %q", e.ID, e.Provenance)
		}
		els[strings.TrimPrefix(e.ID, "otm:"+file+"/")] = e
	}
	return els, ff
}

// TestGraph checks what the harness cannot: flow endpoints, parents and aliases.
func TestGraph(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "src", "shop", "shop.otm.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	els, _ := byID(t, "shop.otm.yaml", src)
	p := "otm:shop.otm.yaml/"
	for id, want := range map[string]string{
		"shopper-storefront":         p + "shopper -> " + p + "storefront",
		"shopper-storefront/reverse": p + "storefront -> " + p + "shopper",
		"checkout-orders":            p + "checkout -> " + p + "orders-db",
		"storefront-cache":           p + "storefront -> " + p + "session-cache",
		"checkout-queue":             p + "checkout -> " + p + "order-queue",
		"checkout-invoices":          p + "checkout -> " + p + "invoices",
		"crawl":                      p + "internet -> " + p + "storefront",
	} {
		e := els[id]
		if e == nil {
			t.Errorf("no flow %s", id)
			continue
		}
		if got := e.From + " -> " + e.To; got != want {
			t.Errorf("flow %s: %s, want %s", id, got, want)
		}
	}
	if e := els["checkout"]; e == nil || e.Parent != p+"storefront" {
		t.Errorf("checkout: want parent %sstorefront, got %+v", p, e)
	}
	if e := els["vpc"]; e == nil || strings.Join(e.Aliases, " ") != "name:vpc name:awsvpc" {
		t.Errorf("vpc: want aliases name:vpc name:awsvpc, got %+v", e)
	}
}

// TestJSON reads a document written as JSON, indented with tabs as JSON often is.
func TestJSON(t *testing.T) {
	src := []byte(`{
	"otmVersion": "0.2.0",
	"project": {"name": "JSON", "id": "json"},
	"trustZones": [
		{"id": "dmz", "name": "DMZ", "risk": {"trustRating": 30}}
	],
	"components": [
		{"id": "api", "name": "API", "type": "web-service", "parent": {"trustZone": "dmz"}},
		{"id": "db", "name": "DB", "type": "database", "parent": {"trustZone": "dmz"}}
	],
	"dataflows": [
		{"id": "api-db", "name": "API to DB", "source": "api", "destination": "db", "tags": ["tls"]},
		{"id": "api-x", "name": "API to X", "source": "api", "destination": "x"}
	]
}
`)
	els, ff := byID(t, "model.otm.json", src)
	if z := els["dmz"]; z == nil || z.Attrs.At("trust").Value != "dmz" {
		t.Errorf("dmz: want trust dmz, got %+v", z)
	}
	if db := els["db"]; db == nil || db.Kind != model.Store || db.Attrs.At("zone").Value != "otm:model.otm.json/dmz" {
		t.Errorf("db: want a store in otm:model.otm.json/dmz, got %+v", db)
	}
	f := els["api-db"]
	if f == nil || f.Attrs.At("tls").Value != true || f.Attrs.At("tls").Span.Start.Line != 11 {
		t.Errorf("api-db: want tls true read on line 12, got %+v", f)
	}
	if els["api-x"] != nil || len(els) != 4 {
		t.Errorf("got %d elements, want dmz, api, db and api-db", len(els))
	}
	if len(ff.Problems) != 1 || ff.Problems[0].Span.Start.Line != 12 ||
		!strings.Contains(ff.Problems[0].Message, `unknown destination "x"`) {
		t.Errorf("want one problem on line 13 about destination x, got %v", ff.Problems)
	}
}

// TestLink checks that Link returns the elements Extract built, pointer for pointer, and
// ignores other formats' facts.
func TestLink(t *testing.T) {
	analyzertest.LinkKeeps(t, otm.New(), filepath.Join("testdata", "src", "shop"))
}

func TestFix(t *testing.T) {
	analyzertest.NoFix(t, otm.New(), nil, &model.Element{ID: "otm:shop.otm.yaml/api", Name: "API"})
}

func FuzzExtract(f *testing.F) {
	analyzertest.Seeds(f, filepath.Join("testdata", "src", "*", "*.otm.yaml"))
	a := otm.New()
	f.Fuzz(func(t *testing.T, src []byte) {
		ff := analyzertest.Extract(t, a, "model.otm.yaml", src)
		els := a.Link([]*model.FileFacts{ff})
		analyzertest.Inside(t, src, ff, els)
		for _, e := range els {
			if e.Provenance != model.Documented {
				t.Fatalf("%s: provenance %q", e.ID, e.Provenance)
			}
		}
	})
}

// TestCycle checks that the parent that closes a cycle is dropped, so that nothing is its own
// ancestor.
func TestCycle(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "src", "broken", "cycle.otm.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	els, _ := byID(t, "cycle.otm.yaml", src)
	if a := els["a"]; a == nil || a.Attrs.At("parent").Value != nil {
		t.Errorf("zone a: want no parent, got %+v", a)
	}
	for id, want := range map[string]string{"outer": "", "self": "", "inner": "otm:cycle.otm.yaml/outer", "leaf": "otm:cycle.otm.yaml/inner"} {
		if e := els[id]; e == nil || e.Parent != want {
			t.Errorf("component %s: want parent %q, got %+v", id, want, e)
		}
	}
}
