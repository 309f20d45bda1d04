package model

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

func at(file string, line int) Span {
	return Span{File: file, Start: At(line*100, line, 0), End: At(line*100+50, line, 0)}
}

func node(id string, kind Kind, line int, aliases ...string) *Element {
	file := Format(id) + ".src"
	return &Element{ID: id, Kind: kind, Type: Format(id) + "_" + string(kind), Name: id[len(Format(id))+1:],
		Span: at(file, line), Head: at(file, line), Aliases: aliases, Attrs: Attrs{}}
}

func flow(id, from, to string, line int, attrs map[string]any) *Element {
	f := node(id, Flow, line)
	f.From, f.To = from, to
	for k, v := range attrs {
		f.Set(k, v, f.Head)
	}
	return f
}

func with(e *Element, attrs map[string]any) *Element {
	for k, v := range attrs {
		e.Set(k, v, e.Head)
	}
	return e
}

func documented(e *Element) *Element { e.Provenance = Documented; return e }

// shop is a small system described by a manifest, a compose file and a design document that
// drifts: the document places the API in the data zone and omits the API → cache flow.
func shop() []*Element {
	return []*Element{
		with(node("kubernetes:shop/web", Component, 1, NameAlias("web")), map[string]any{"zone": "kubernetes:ns/shop", "internet_facing": true}),
		with(node("kubernetes:shop/api", Component, 2, NameAlias("api")), map[string]any{"zone": "kubernetes:ns/shop"}),
		with(node("kubernetes:ns/shop", Zone, 3, NameAlias("shop")), map[string]any{"trust": "internal"}),
		node("compose:api", Component, 1, NameAlias("api"), ImageAlias("shop/api:1")),
		with(node("compose:db", Store, 2, NameAlias("db")), map[string]any{"classification": "pii", "zone": "compose:net/data"}),
		with(node("compose:cache", Store, 3, NameAlias("cache")), map[string]any{"zone": "compose:net/data"}),
		with(node("compose:net/data", Zone, 4, NameAlias("data")), map[string]any{"trust": "restricted"}),
		&Element{ID: Internet, Kind: Actor, Type: "internet", Name: "internet", Span: at("kubernetes.src", 9), Head: at("kubernetes.src", 9)},
		flow("kubernetes:in/web", Internet, "kubernetes:shop/web", 5, map[string]any{"tls": true, "port": int64(443)}),
		flow("kubernetes:web->api", "kubernetes:shop/web", Ref(NameAlias("api")), 6, map[string]any{"tls": false}),
		flow("compose:api->db", "compose:api", Ref(NameAlias("db")), 7, map[string]any{"protocol": "postgres", "port": int64(5432), "tls": false}),
		flow("compose:api->cache", "compose:api", "compose:cache", 8, nil),
		documented(with(node("mermaid:web", Component, 1, NameAlias("web")), map[string]any{"zone": Ref(NameAlias("shop"))})),
		documented(with(node("mermaid:api", Component, 2, NameAlias("api")), map[string]any{"zone": Ref(NameAlias("data"))})),
		documented(node("mermaid:db", Store, 3, NameAlias("db"))),
		documented(node("mermaid:cache", Store, 4, NameAlias("cache"))),
		documented(node("mermaid:zshop", Zone, 5, NameAlias("shop"))),
		documented(node("mermaid:zdata", Zone, 6, NameAlias("data"))),
		documented(flow("mermaid:web->api", "mermaid:web", "mermaid:api", 7, nil)),
		documented(flow("mermaid:api->db", "mermaid:api", "mermaid:db", 8, map[string]any{"port": int64(5432)})),
		documented(flow("mermaid:db->web", "mermaid:db", "mermaid:web", 9, nil)),
	}
}

func TestFusion(t *testing.T) {
	g := NewGraph(shop())
	api := g.Element("kubernetes:shop/api")
	if api == nil || g.Element("compose:api") != nil || g.Element("mermaid:api") != nil {
		t.Fatal("the manifest's, compose's and the diagram's api must fuse under the manifest's ID")
	}
	if want := []string{"kubernetes:shop/api", "compose:api", "mermaid:api"}; !reflect.DeepEqual(api.Members, want) {
		t.Errorf("members = %v", api.Members)
	}
	if len(api.Sources) != 3 || api.Sources[1].File != "compose.src" {
		t.Errorf("sources = %v", api.Sources)
	}
	// The inferred zone wins over the document's.
	if z := g.Zone(api.ID); z == nil || z.ID != "kubernetes:ns/shop" {
		t.Errorf("api's zone = %v", z)
	}
	// References resolve to the fused element.
	var toDB *Element
	for _, f := range g.Outbound(api.ID) {
		if f.To == "compose:db" {
			toDB = f
		}
	}
	if toDB == nil {
		t.Fatalf("api → db: outbound of api = %v", g.Outbound(api.ID))
	}
	// The documented api → db flow fused with the inferred one (same port).
	if len(toDB.Members) != 2 || toDB.Attrs.At("crosses_boundary").Value != true ||
		toDB.Attrs.At("from_trust").Value != "internal" || toDB.Attrs.At("to_trust").Value != "restricted" {
		t.Errorf("api → db = %+v", toDB)
	}
	// Two elements of one format never fuse, whatever their aliases.
	g2 := NewGraph([]*Element{node("compose:a", Component, 1, NameAlias("x")), node("compose:b", Component, 2, NameAlias("x"))})
	if len(g2.Elements()) != 2 {
		t.Error("elements of one format fused")
	}
}

func TestDrift(t *testing.T) {
	g := NewGraph(shop())
	var cache *Element
	for _, f := range g.Outbound("kubernetes:shop/api") {
		if f.To == "compose:cache" {
			cache = f
		}
	}
	if cache == nil {
		t.Fatal("no api → cache flow")
	}
	if a := cache.Attrs.At("undocumented"); a.Value != true || a.Span.File != "mermaid.src" {
		t.Errorf("api → cache is not in the diagram: undocumented = %+v", a)
	}
	back := g.Element("mermaid:db->web")
	if back == nil || back.Attrs.At("not_implemented").Value != true {
		t.Errorf("db → web is only in the diagram: %+v", back)
	}
	api := g.Element("kubernetes:shop/api")
	if a := api.Attrs.At("zone_drift"); a.Value != true || a.Span.File != "mermaid.src" {
		t.Errorf("the diagram puts api in data, the manifest in shop: zone_drift = %+v", a)
	}
	if _, ok := g.Element("kubernetes:shop/web").Attrs.Get("zone_drift"); ok {
		t.Error("web is in shop in both")
	}
}

func TestAttackPaths(t *testing.T) {
	els := shop()
	g := NewGraph(els)
	if len(g.Paths()) != 1 {
		t.Fatalf("paths = %v", g.Paths())
	}
	p := g.Paths()[0]
	if p.Name != "internet → shop/web → shop/api → db" || p.From != "kubernetes:shop/web" || p.To != "compose:db" {
		t.Errorf("path %s from %s to %s", p.Name, p.From, p.To)
	}
	if p.Attrs.At("hops").Value != int64(3) || len(p.Related) != 4 {
		t.Errorf("hops = %v related = %v", p.Attrs.At("hops").Value, p.Related)
	}
	missing := p.Attrs.At("missing_controls").Value.([]any)
	if !reflect.DeepEqual(missing, []any{"authentication", "waf", "rate_limiting", "tls", "segmentation"}) {
		t.Errorf("missing = %v", missing)
	}
	risk := p.Attrs.At("risk").Value.(int64)
	if len(g.PathsThrough("kubernetes:shop/api")) != 1 || len(g.PathsFrom("kubernetes:shop/web")) != 1 {
		t.Error("path indexes")
	}

	// TLS and authentication on the last hop make the path less likely.
	els[10] = flow("compose:api->db", "compose:api", Ref(NameAlias("db")), 7,
		map[string]any{"protocol": "postgres", "port": int64(5432), "tls": true, "authenticated": true})
	g = NewGraph(els)
	if r := g.Paths()[0].Attrs.At("risk").Value.(int64); r >= risk {
		t.Errorf("risk with TLS and authentication %d, without %d", r, risk)
	}
	// A policy that blocks the flow removes the path.
	els[10] = flow("compose:api->db", "compose:api", Ref(NameAlias("db")), 7, map[string]any{"blocked": true})
	if g = NewGraph(els); len(g.Paths()) != 0 {
		t.Errorf("a blocked flow still carries %v", g.Paths()[0].Name)
	}
}

// A rebuild from the same elements returns the same derived elements, so that evaluation
// caches keyed by element survive an edit elsewhere.
func TestRebuildReuses(t *testing.T) {
	els := shop()
	var b Builder
	g1 := b.Build(els, BuildOptions{})
	g2 := b.Build(els, BuildOptions{})
	for _, e := range g1.Elements() {
		if g2.Element(e.ID) != e {
			t.Errorf("%s was rebuilt", e.ID)
		}
	}
}

func TestOverrides(t *testing.T) {
	cfg := &Element{ID: "config:t/db", Name: "db", Provenance: Configured, Aliases: []string{NameAlias("db")},
		Head: at("threatls.yaml", 1), Span: at("threatls.yaml", 1),
		Attrs: AttrsOf(map[string]Attr{"classification": {Value: "pci", Origin: Declared, Span: at("threatls.yaml", 2)}})}
	ghost := &Element{ID: "config:t/ghost", Name: "ghost", Provenance: Configured, Aliases: []string{NameAlias("ghost")},
		Head: at("threatls.yaml", 3), Span: at("threatls.yaml", 3), Attrs: Attrs{}}
	g := NewGraph(append(shop(), cfg, ghost))
	db := g.Element("compose:db")
	if a := db.Attrs.At("classification"); a.Value != "pci" || a.Origin != Declared {
		t.Errorf("threatls.yaml overrides what was read: %+v", a)
	}
	if len(g.Problems()) != 1 || g.Problems()[0].Span.Start.Line != 3 {
		t.Errorf("an override that matches nothing is reported on its line: %v", g.Problems())
	}
}

func TestClassify(t *testing.T) {
	g := (&Builder{}).Build(shop(), BuildOptions{Classify: func(el *Element) (string, string) {
		if el.Name == "cache" {
			return "secret", "name"
		}
		return "", ""
	}})
	if a := g.Element("compose:cache").Attrs.At("classification"); a.Value != "secret" || a.Origin != Defaulted {
		t.Errorf("classification = %+v", a)
	}
	if a := g.Element("compose:db").Attrs.At("classification"); a.Value != "pii" {
		t.Errorf("a read classification stays: %+v", a)
	}
}

// A component exposed by its own attributes (a security group open to the internet) is an
// entry point even when no flow from the internet is modelled.
func TestExposedComponentIsAnEntry(t *testing.T) {
	vm := with(node("terraform:vm", Component, 1), map[string]any{"internet_facing": true})
	db := with(node("terraform:db", Store, 2), map[string]any{"classification": "secret"})
	g := NewGraph([]*Element{vm, db, flow("terraform:vm->db", "terraform:vm", "terraform:db", 3, nil)})
	if len(g.Paths()) != 1 || g.Paths()[0].Attrs.At("hops").Value != int64(1) {
		t.Fatalf("paths = %v", g.Paths())
	}
}

// A diagram's node never bridges two elements of one format into one: the most specific
// shared name decides.
func TestFusionNeverMergesOneFormat(t *testing.T) {
	rds := node("terraform:aws_db_instance.orders", Store, 1, NameAlias("orders"), NameAlias("orders-db"))
	secret := node("terraform:aws_secretsmanager_secret.db", Store, 2, NameAlias("db"))
	doc := documented(node("mermaid:db", Store, 1, NameAlias("db"), NameAlias("orders-db")))
	g := NewGraph([]*Element{rds, secret, doc})
	if got := g.Element(rds.ID).Members; !reflect.DeepEqual(got, []string{rds.ID, doc.ID}) {
		t.Errorf("the database's members = %v", got)
	}
	if g.Element(secret.ID) == nil || len(g.Element(secret.ID).Members) != 0 {
		t.Errorf("the secret must stand alone: %+v", g.Element(secret.ID))
	}
}

// Flows in a cycle (services that call each other) end every search: each element is on a
// path once.
func TestCyclicFlows(t *testing.T) {
	els := []*Element{
		&Element{ID: Internet, Kind: Actor, Type: "internet", Name: "internet", Span: at("x.src", 0), Head: at("x.src", 0)},
		node("x:a", Component, 1), node("x:b", Component, 2), node("x:c", Component, 3),
		with(node("x:db", Store, 4), map[string]any{"classification": "pci"}),
		flow("x:in", Internet, "x:a", 5, nil),
		flow("x:ab", "x:a", "x:b", 6, nil), flow("x:bc", "x:b", "x:c", 7, nil), flow("x:ca", "x:c", "x:a", 8, nil),
		flow("x:cb", "x:c", "x:b", 9, nil), flow("x:c-db", "x:c", "x:db", 10, nil),
	}
	g := NewGraph(els)
	if len(g.Paths()) != 1 || g.Paths()[0].Attrs.At("hops").Value != int64(4) {
		t.Fatalf("paths = %v", g.Paths())
	}
	if !g.ReachableFromInternet("x:db") {
		t.Error("the database is reachable through the cycle")
	}
}

// threatls.yaml may declare a flow from the internet in a workspace that has no analyzer's
// internet actor: the internet is there all the same.
func TestConfiguredFlowFromTheInternet(t *testing.T) {
	api := &Element{ID: "config:t/api", Kind: Component, Name: "api", Provenance: Configured,
		Aliases: []string{NameAlias("api")}, Span: at("threatls.yaml", 1), Head: at("threatls.yaml", 1), Attrs: Attrs{}}
	in := flow("config:t/flow/internet->api#1", Ref(NameAlias("internet")), Ref(NameAlias("api")), 3, nil)
	in.Provenance = Configured
	g := NewGraph([]*Element{api, in})
	if len(g.Problems()) != 0 || len(g.Inbound("config:t/api")) != 1 || !g.ReachableFromInternet("config:t/api") {
		t.Errorf("problems %v, inbound %v", g.Problems(), g.Inbound("config:t/api"))
	}
	if z := g.Zone(Internet); z == nil || z.ID != InternetZone {
		t.Errorf("the internet's zone: %v", z)
	}
}

// A rebuild keeps the graph's elements sorted as SortElements sorts them, whatever changed.
func TestRebuildStaysSorted(t *testing.T) {
	var b Builder
	els := shop()
	b.Build(els, BuildOptions{})
	// Move one element to another place, add one, drop one.
	moved := *els[1]
	moved.Span = at("kubernetes.src", 0)
	moved.Head = moved.Span
	els[1] = &moved
	els = append(els[:5], els[6:]...)
	els = append(els, node("compose:queue", Store, 9, NameAlias("queue")))
	g := b.Build(els, BuildOptions{})
	want := append([]*Element(nil), g.Elements()...)
	SortElements(want)
	if !reflect.DeepEqual(g.Elements(), want) {
		for i := range want {
			if g.Elements()[i] != want[i] {
				t.Fatalf("element %d is %s, want %s", i, g.Elements()[i].ID, want[i].ID)
			}
		}
	}
}

// What the internet reaches follows flows that come and go and nodes whose exposure changes,
// each update walking only what it changed: a flow that went takes back only what it alone led
// to (a cycle does not keep itself reached, another way in does, a blocked flow is none), and
// the graph says what a fresh build says.
func TestReachFollowsEachUpdate(t *testing.T) {
	internet := &Element{ID: Internet, Kind: Actor, Type: "internet", Name: "internet", Span: at("x.src", 0), Head: at("x.src", 0)}
	a, b2, c, d, e := node("x:a", Component, 1), node("x:b", Component, 2), node("x:c", Component, 3), node("x:d", Component, 4), node("x:e", Component, 5)
	in := flow("x:in", Internet, "x:a", 5, nil)
	ab := flow("x:ab", "x:a", "x:b", 6, nil)
	cd := flow("x:cd", "x:c", "x:d", 7, nil)
	dc := flow("x:dc", "x:d", "x:c", 10, nil) // c and d are a cycle
	var bld Builder
	g, _ := bld.Update(nil, []*Element{internet, a, b2, c, d, e, in, ab, cd, dc})
	reached := func(g *Graph, want map[string]bool) {
		t.Helper()
		for _, id := range []string{"x:a", "x:b", "x:c", "x:d", "x:e"} {
			if g.ReachableFromInternet(id) != want[id] {
				t.Errorf("%s reached: %v, want %v", id, g.ReachableFromInternet(id), want[id])
			}
		}
	}
	moved := flow("x:ab", "x:a", "x:b", 9, nil) // the same flow, two lines down
	g, _ = bld.Update([]*Element{ab}, []*Element{moved})
	bc := flow("x:bc", "x:b", "x:c", 8, nil) // now a → b → c ⇄ d
	g, _ = bld.Update(nil, []*Element{bc})
	reached(g, map[string]bool{"x:a": true, "x:b": true, "x:c": true, "x:d": true})
	g, _ = bld.Update([]*Element{bc}, nil)
	reached(g, map[string]bool{"x:a": true, "x:b": true})
	g, _ = bld.Update(nil, []*Element{bc})
	ae := flow("x:ae", "x:a", "x:e", 11, nil)
	ed := flow("x:ed", "x:e", "x:d", 12, nil) // a second way into the cycle: a → e → d
	g, _ = bld.Update(nil, []*Element{ae, ed})
	g, _ = bld.Update([]*Element{bc}, nil)
	reached(g, map[string]bool{"x:a": true, "x:b": true, "x:c": true, "x:d": true, "x:e": true})
	blockedED := flow("x:ed", "x:e", "x:d", 12, map[string]any{"blocked": true})
	g, _ = bld.Update([]*Element{ed}, []*Element{blockedED}) // a policy blocks it
	reached(g, map[string]bool{"x:a": true, "x:b": true, "x:e": true})
	var fresh Builder
	want, _ := fresh.Update(nil, []*Element{internet, a, b2, c, d, e, in, moved, cd, dc, ae, blockedED})
	for _, id := range []string{"x:a", "x:b", "x:c", "x:d", "x:e"} {
		if g.ReachableFromInternet(id) != want.ReachableFromInternet(id) {
			t.Errorf("%s reached: %v, a fresh build says %v", id, g.ReachableFromInternet(id), want.ReachableFromInternet(id))
		}
	}
	g, _ = bld.Update([]*Element{ae}, nil)
	reached(g, map[string]bool{"x:a": true, "x:b": true})
	exposed := with(node("x:e", Component, 5), map[string]any{"internet_facing": true})
	g, _ = bld.Update([]*Element{e}, []*Element{exposed}) // e faces the internet now
	reached(g, map[string]bool{"x:a": true, "x:b": true, "x:e": true})
	g, _ = bld.Update([]*Element{blockedED}, []*Element{ed})
	reached(g, map[string]bool{"x:a": true, "x:b": true, "x:c": true, "x:d": true, "x:e": true})
	g, _ = bld.Update([]*Element{exposed}, nil) // e left, and with it what it exposed
	reached(g, map[string]bool{"x:a": true, "x:b": true})
}

// Merging elements into sorted ones orders them as sorting them all does.
func TestMergeElements(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	el := func() *Element {
		return &Element{ID: fmt.Sprintf("e%d", r.IntN(50)),
			Span: Span{File: fmt.Sprintf("f%d.tf", r.IntN(4)), Start: Pos{Offset: int32(r.IntN(20))}}}
	}
	for range 200 {
		var a, b []*Element
		for range r.IntN(30) {
			a = append(a, el())
		}
		for range r.IntN(5) {
			b = append(b, el())
		}
		want := append(append([]*Element(nil), a...), b...)
		SortElements(want)
		SortElements(a)
		got := MergeElements(a, append([]*Element(nil), b...))
		if len(got) != len(want) {
			t.Fatalf("%d elements merged, %d sorted", len(got), len(want))
		}
		for i := range got {
			if elementLess(got[i], want[i]) || elementLess(want[i], got[i]) {
				t.Fatalf("element %d: merged %s at %v, sorted %s at %v", i, got[i].ID, got[i].Span, want[i].ID, want[i].Span)
			}
		}
	}
}
