package report

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// line returns a span on the one-based line n of file: offsets are made up, positions are
// what the outputs show.
func line(file string, n int) model.Span {
	return model.Span{File: file, Start: model.At(n*100, n-1, 2),
		End: model.At(n*100+40, n-1, 42)}
}

func elem(id string, kind model.Kind, typ, name string, at model.Span, attrs map[string]any) *model.Element {
	e := &model.Element{ID: id, Kind: kind, Type: typ, Name: name, Span: at, Head: at}
	// Attributes are set in a fixed order, each on a line of its own below the head.
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		s := at
		s.Start.Line, s.Start.Offset = at.Start.Line+1+int32(i), at.Start.Offset+100*int32(i+1)
		e.Set(k, attrs[k], s)
	}
	if e.Attrs.Len() == 0 {
		e.Attrs = model.Attrs{}
	}
	return e
}

func flowOf(id, from, to string, at model.Span, attrs map[string]any) *model.Element {
	f := elem(id, model.Flow, model.Format(id)+"_flow", id[strings.LastIndex(id, "/")+1:], at, attrs)
	f.From, f.To = from, to
	return f
}

const (
	vpc     = "terraform:infra/aws_vpc.main"
	public  = "terraform:infra/aws_subnet.public"
	data    = "terraform:infra/aws_subnet.data"
	sg      = "terraform:infra/aws_security_group.web"
	web     = "terraform:infra/aws_lb.web"
	api     = "terraform:infra/aws_ecs_service.api"
	orders  = "terraform:infra/aws_db_instance.orders"
	exports = "terraform:infra/aws_s3_bucket.exports"
	legacy  = "terraform:infra/aws_instance.legacy"
	cache   = "compose:deploy/compose.yaml/cache"
	// versioning is a control of the exports bucket.
	versioning = "terraform:infra/aws_s3_bucket_versioning.exports"
)

// shopGraph is a small system described by Terraform, a compose file and a diagram: a VPC
// with a public subnet (dmz) and a segmented data subnet (restricted), a load balancer
// facing the internet, an API (the Terraform service and the compose service fuse) that
// reads a database of orders (pii) in plain text, a cache behind a blocking policy, a
// payment provider outside the system, a public bucket of exports, a legacy instance out of
// scope in no zone, a control of the bucket, a security group that admits the internet (a flow into a zone), a rule
// from a group of another workspace (an end the graph does not have), a diagram's customer
// whose name needs escaping in every format, and a threatls.yaml entry that matches nothing.
func shopGraph() *model.Graph {
	tf := func(n int) model.Span { return line("infra/main.tf", n) }
	els := []*model.Element{
		elem(vpc, model.Zone, "aws_vpc", "aws_vpc.main", tf(1), map[string]any{"trust": "internal"}),
		elem(public, model.Zone, "aws_subnet", "aws_subnet.public", tf(10), map[string]any{"trust": "dmz", "parent": vpc}),
		elem(data, model.Zone, "aws_subnet", "aws_subnet.data", tf(20), map[string]any{"trust": "restricted", "parent": vpc, "segmented": true}),
		elem(sg, model.Zone, "aws_security_group", "aws_security_group.web", tf(30), map[string]any{"technology": "security-group", "parent": vpc}),
		elem(model.Internet, model.Actor, "internet", "internet", tf(36), map[string]any{"in_scope": false, "technology": "internet"}),
		elem(web, model.Component, "aws_lb", "aws_lb.web", tf(40), map[string]any{"zone": public, "internet_facing": true, "technology": "alb"}),
		elem(api, model.Component, "aws_ecs_service", "aws_ecs_service.api", tf(50), map[string]any{"zone": vpc, "technology": "ecs", "platform": "ecs"}),
		elem(orders, model.Store, "aws_db_instance", "aws_db_instance.orders", tf(60), map[string]any{
			"zone": data, "technology": "postgres", "category": "database", "classification": "pii",
			"data": []any{"orders", "customer profiles"}, "encrypted_at_rest": false}),
		elem(exports, model.Store, "aws_s3_bucket", "aws_s3_bucket.exports", tf(70), map[string]any{
			"technology": "s3", "category": "bucket", "public": true, "classification": "confidential", "encrypted_at_rest": true}),
		elem(legacy, model.Component, "aws_instance", "aws_instance.legacy", tf(80), map[string]any{"in_scope": false, "technology": "ec2"}),
		elem(versioning, model.Control, "aws_s3_bucket_versioning", "aws_s3_bucket_versioning.exports", tf(75), map[string]any{"versioned": false}),
		elem("actor:api.stripe.com", model.Actor, "external_api", "api.stripe.com", line("deploy/compose.yaml", 30),
			map[string]any{"zone": model.InternetZone, "in_scope": false}),
		elem("compose:deploy/compose.yaml/api", model.Component, "compose_service", "api", line("deploy/compose.yaml", 1),
			map[string]any{"image": "ghcr.io/shop/api:1.4", "platform": "compose"}),
		elem(cache, model.Store, "compose_service", "cache", line("deploy/compose.yaml", 20),
			map[string]any{"zone": data, "technology": "redis", "category": "cache", "classification": "internal"}),
		elem("mermaid:docs/arch.md/customer", model.Actor, "mermaid_node", `Customer "web" & <mobile> #1`, line("docs/arch.md", 5),
			map[string]any{"zone": model.InternetZone, "technology": "browser"}),

		flowOf("terraform:infra/aws_lb_listener.https", model.Internet, web, tf(45),
			map[string]any{"protocol": "https", "port": int64(443), "tls": true, "authenticated": false}),
		flowOf("terraform:infra/aws_security_group.web.ingress[0]", model.Internet, sg, tf(32),
			map[string]any{"protocol": "tcp", "port": int64(443)}),
		flowOf("terraform:infra/aws_lb_target_group.api", web, api, tf(55),
			map[string]any{"protocol": "http", "port": int64(8080), "tls": false, "authenticated": true}),
		flowOf("compose:deploy/compose.yaml/api.DATABASE_URL", "compose:deploy/compose.yaml/api", model.Ref(model.NameAlias("orders")), line("deploy/compose.yaml", 8),
			map[string]any{"protocol": "postgres", "port": int64(5432), "tls": false, "authenticated": false, "data": []any{"orders"}}),
		flowOf("compose:deploy/compose.yaml/api.REDIS_URL", "compose:deploy/compose.yaml/api", cache, line("deploy/compose.yaml", 9),
			map[string]any{"protocol": "redis", "port": int64(6379), "blocked": true}),
		flowOf("compose:deploy/compose.yaml/api.STRIPE_URL", "compose:deploy/compose.yaml/api", "actor:api.stripe.com", line("deploy/compose.yaml", 10),
			map[string]any{"protocol": "https", "port": int64(443), "tls": true, "authenticated": true, "data": []any{"card data"}, "classification": "pci"}),
		flowOf("terraform:infra/aws_instance.legacy.db", legacy, orders, tf(85), nil),
		flowOf("terraform:infra/aws_security_group_rule.peer", "terraform:other/aws_security_group.peer", sg, tf(95),
			map[string]any{"protocol": "tcp", "port": int64(22)}),
		flowOf("mermaid:docs/arch.md/customer->web", "mermaid:docs/arch.md/customer", web, line("docs/arch.md", 9),
			map[string]any{"protocol": "https", "tls": true}),
		{ID: "config:threatls.yaml/ghost", Name: "ghost", Provenance: model.Configured, Aliases: []string{model.NameAlias("ghost")},
			Span: line("threatls.yaml", 3), Head: line("threatls.yaml", 3), Attrs: model.Attrs{}},
	}
	els[10].Parent = exports
	els[6].Aliases = []string{model.NameAlias("api")}
	els[7].Aliases = []string{model.NameAlias("orders")}
	els[12].Aliases = []string{model.NameAlias("api")}
	for _, e := range els {
		if model.Format(e.ID) == "mermaid" {
			e.Provenance = model.Documented
			for k, a := range e.Attrs.All() {
				a.Origin = model.Declared
				e.Attrs.Set(k, a)
			}
		}
	}
	return model.NewGraph(els)
}

// shopFindings are findings of the library on the shop's elements, plus one the outputs do
// not know (CUSTOM-001), an accepted risk, one on a control, one on a zone, one on a path and
// a meta finding.
func shopFindings(t testing.TB, g *model.Graph) []model.Finding {
	t.Helper()
	lib := library(t)
	f := func(threat, element string, suppressed bool) model.Finding {
		el := g.Element(element)
		if el == nil {
			t.Fatalf("no element %s", element)
		}
		fd := model.Finding{ThreatID: threat, Element: element, ElementName: el.Name, Span: el.Head,
			Confidence: model.Certain, Message: threat + " on " + el.Name}
		if th := lib.Threat(threat); th != nil {
			fd.Title, fd.Severity, fd.Stride = th.Title, th.Severity(), th.Stride
		}
		if suppressed {
			fd.Suppressed = &model.Ignore{ThreatID: threat, Reason: "exports are public by design", Span: el.Head, Target: el.Span}
		}
		return fd
	}
	custom := f("CUSTOM-001", api, false)
	custom.Title, custom.Severity, custom.Stride = "Custom threat of the repository", model.Medium, []string{"Spoofing"}
	meta, _ := knowledge.MetaRuleFor(knowledge.MetaIgnoreUnused)
	return []model.Finding{
		f("AWS-RDS-001", orders, false),
		f("AWS-S3-001", exports, true),
		f("AWS-S3-003", versioning, false),
		f("AWS-SG-001", "terraform:infra/aws_security_group.web.ingress[0]", false),
		f("AWS-SG-002", sg, false),
		f("AWS-RDS-002", g.Paths()[1].ID, false),
		custom,
		{ThreatID: meta.ID, Title: meta.Title, Severity: meta.Severity, Span: line("infra/main.tf", 99), Message: "stale"},
	}
}

func renderModel(t testing.TB, g *model.Graph, format string) []byte {
	t.Helper()
	opts := ModelOptions{Name: "Shop", Root: "."}
	var buf bytes.Buffer
	var err error
	switch format {
	case "mermaid":
		err = Mermaid(&buf, g)
	case "dot":
		err = DOT(&buf, g)
	case "json":
		err = ModelJSON(&buf, g, opts)
	case "paths":
		err = Paths(&buf, g, opts)
	case "paths-json":
		err = PathsJSON(&buf, g, opts)
	case "otm":
		err = OTM(&buf, g, shopFindings(t, g), library(t), opts)
	case "threagile":
		err = Threagile(&buf, g, opts)
	default:
		t.Fatalf("unknown format %q", format)
	}
	if err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return buf.Bytes()
}

var modelGoldens = map[string]string{
	"mermaid":    "shop.mmd.golden",
	"dot":        "shop.dot.golden",
	"json":       "shop.json.golden",
	"paths":      "shop-paths.txt.golden",
	"paths-json": "shop-paths.json.golden",
	"otm":        "shop.otm.json.golden",
	"threagile":  "shop.threagile.yaml.golden",
}

func TestModelGolden(t *testing.T) {
	g := shopGraph()
	for _, format := range []string{"mermaid", "dot", "json", "paths", "paths-json", "otm", "threagile"} {
		t.Run(format, func(t *testing.T) {
			got := renderModel(t, g, format)
			if again := renderModel(t, shopGraph(), format); !bytes.Equal(got, again) {
				t.Fatal("two runs over the same model differ")
			}
			path := filepath.Join("testdata", "model", modelGoldens[format])
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (run go test -update to accept):\n%s", format, path, got)
			}
		})
	}
}

// TestShopGraph checks that the fixture is the system its comment describes, so that the
// goldens show what they are meant to.
func TestShopGraph(t *testing.T) {
	g := shopGraph()
	if len(g.Paths()) != 2 {
		t.Fatalf("paths: %v", g.Paths())
	}
	// The public bucket is the riskier: nothing stands in the way.
	if p := g.Paths()[0]; p.From != exports || p.To != exports || intAttr(p, "hops") != 0 {
		t.Errorf("riskiest path %s from %s to %s", p.Name, p.From, p.To)
	}
	if p := g.Paths()[1]; p.From != web || p.To != orders || intAttr(p, "hops") != 3 {
		t.Errorf("second path %s from %s to %s", p.Name, p.From, p.To)
	}
	if a := g.Element(api); a == nil || len(a.Members) != 2 {
		t.Errorf("the Terraform and compose api do not fuse: %+v", a)
	}
	if len(g.Problems()) != 1 {
		t.Errorf("problems: %v", g.Problems())
	}
}

func TestPathHops(t *testing.T) {
	g := shopGraph()
	hops := pathHops(g, g.Paths()[1])
	type hop struct {
		from, to, flow string
		missing        []string
	}
	var got []hop
	for _, h := range hops {
		flow := ""
		if h.Flow != nil {
			flow = h.Flow.ID
		}
		got = append(got, hop{h.From, h.To, flow, h.Missing})
	}
	want := []hop{
		{model.Internet, web, "terraform:infra/aws_lb_listener.https", []string{"authentication", "waf", "rate_limiting"}},
		{web, api, "terraform:infra/aws_lb_target_group.api", []string{"tls", "segmentation"}},
		{api, orders, "compose:deploy/compose.yaml/api.DATABASE_URL", []string{"authentication", "tls"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("hops:\n got %+v\nwant %+v", got, want)
	}
	if hops := pathHops(g, g.Paths()[0]); len(hops) != 0 {
		t.Errorf("a public store is its own entry and asset: hops %+v", hops)
	}
}

func TestModelJSONSchema(t *testing.T) {
	var doc struct {
		Version  int              `json:"version"`
		Elements []map[string]any `json:"elements"`
		Flows    []map[string]any `json:"flows"`
		Zones    []map[string]any `json:"zones"`
		Paths    []map[string]any `json:"paths"`
		Problems []map[string]any `json:"problems"`
	}
	out := renderModel(t, shopGraph(), "json")
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	find := func(list []map[string]any, id string) map[string]any {
		for _, e := range list {
			if e["id"] == id {
				return e
			}
		}
		t.Fatalf("%s is not in the output", id)
		return nil
	}
	a := find(doc.Elements, api)
	if !reflect.DeepEqual(a["members"], []any{api, "compose:deploy/compose.yaml/api"}) ||
		!reflect.DeepEqual(a["sources"], []any{"infra/main.tf:50:3", "deploy/compose.yaml:1:3"}) || a["zone"] != vpc {
		t.Errorf("fused api: %v", a)
	}
	db := find(doc.Elements, orders)
	if c := db["attrs"].(map[string]any)["classification"]; !reflect.DeepEqual(c, map[string]any{
		"value": "pii", "origin": "read", "source": "infra/main.tf:62:3"}) {
		t.Errorf("classification of orders: %v", c)
	}
	if z := find(doc.Zones, data); z["parent"] != vpc || z["trust"] != "restricted" ||
		!reflect.DeepEqual(z["elements"], []any{cache, orders}) {
		t.Errorf("data subnet: %v", z)
	}
	if f := find(doc.Flows, "terraform:infra/aws_security_group_rule.peer"); f["from"] != "terraform:other/aws_security_group.peer" {
		t.Errorf("a flow keeps an end the graph does not have: %v", f)
	}
	for _, e := range doc.Elements {
		if e["kind"] == "path" || e["kind"] == "flow" || e["kind"] == "zone" {
			t.Errorf("%v among elements", e["id"])
		}
	}
	p := doc.Paths[1]
	if p["risk"].(float64) < 1 || p["classification"] != "pii" || len(p["hops"].([]any)) != 3 || p["entry"] != web || p["asset"] != orders {
		t.Errorf("path: %v", p)
	}
	if len(doc.Problems) != 1 || doc.Problems[0]["source"] != "threatls.yaml:3:3" {
		t.Errorf("problems: %v", doc.Problems)
	}
}

// TestMermaidSyntax checks what makes a diagram render: every label quoted, no raw quote
// or angle bracket inside one, identifiers of letters, digits and underscores only, balanced
// subgraphs.
func TestMermaidSyntax(t *testing.T) {
	out := string(renderModel(t, shopGraph(), "mermaid"))
	if !strings.HasPrefix(out, "flowchart LR\n") {
		t.Fatalf("not a flowchart:\n%s", out)
	}
	depth := 0
	for _, l := range strings.Split(out, "\n") {
		switch l = strings.TrimSpace(l); {
		case strings.HasPrefix(l, "subgraph "):
			depth++
		case l == "end":
			depth--
		}
		if depth < 0 {
			break
		}
	}
	if depth != 0 {
		t.Errorf("unbalanced subgraphs:\n%s", out)
	}
	for _, want := range []string{
		`n_terraform_infra_aws_db_instance_orders[("aws_db_instance.orders")]`,
		`n_actor_internet(("internet"))`,
		`n_terraform_infra_aws_lb_web["aws_lb.web"]`,
		`n_mermaid_docs_arch_md_customer(("Customer #quot;web#quot; #amp; #lt;mobile#gt; #35;1"))`,
		`n_actor_internet -->|"https:443 tls no-auth"| n_terraform_infra_aws_lb_web`,
		`n_terraform_infra_aws_ecs_service_api -->|"postgres:5432 plaintext no-auth"| n_terraform_infra_aws_db_instance_orders`,
		`n_terraform_infra_aws_ecs_service_api -.->|"redis:6379 blocked"| n_compose_deploy_compose_yaml_cache`,
		`n_actor_internet -->|"tcp:443"| z_terraform_infra_aws_security_group_web`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "versioning") || strings.Contains(out, "path") {
		t.Errorf("controls and paths are not drawn:\n%s", out)
	}
	// Out of scope: the internet, its zone, stripe, the legacy instance and the unknown peer.
	classLine := out[strings.LastIndex(out, "  class "):]
	for _, id := range []string{"n_actor_internet", "z_zone_internet", "n_actor_api_stripe_com", "n_terraform_infra_aws_instance_legacy", "n_terraform_other_aws_security_group_peer"} {
		if !strings.Contains(classLine, id) {
			t.Errorf("%s is not dashed: %s", id, classLine)
		}
	}
}

func TestDiagramIDs(t *testing.T) {
	d := newDiagramIDs()
	for _, tc := range []struct{ id, want string }{
		{"terraform:./aws_s3_bucket.logs", "n_terraform_aws_s3_bucket_logs"},
		{"terraform:./aws_s3_bucket/logs", "n_terraform_aws_s3_bucket_logs_2"},
		{"end", "n_end"},
		{"terraform:./aws_s3_bucket.logs", "n_terraform_aws_s3_bucket_logs"},
		{"☃", "n_"},
	} {
		if got := d.get("n_", tc.id); got != tc.want {
			t.Errorf("get(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
}

func TestFlowLabel(t *testing.T) {
	for _, tc := range []struct {
		attrs map[string]any
		want  string
	}{
		{map[string]any{"protocol": "https", "port": int64(443), "tls": true, "authenticated": true}, "https:443 tls auth"},
		{map[string]any{"protocol": "postgres", "port": int64(5432), "tls": false, "authenticated": false}, "postgres:5432 plaintext no-auth"},
		{map[string]any{"port": int64(22)}, "port 22"},
		{map[string]any{"protocol": "grpc"}, "grpc"},
		{nil, ""},
	} {
		f := elem("x:f", model.Flow, "f", "f", line("f", 1), tc.attrs)
		if got := flowLabel(f); got != tc.want {
			t.Errorf("flowLabel(%v) = %q, want %q", tc.attrs, got, tc.want)
		}
	}
}

// TestEmptyModel: a workspace without elements still yields valid documents.
func TestEmptyModel(t *testing.T) {
	g := model.NewGraph(nil)
	for format := range modelGoldens {
		if format == "otm" {
			var buf bytes.Buffer
			if err := OTM(&buf, g, nil, nil, ModelOptions{}); err != nil {
				t.Fatal(err)
			}
			validate(t, "otm-0.2.0.schema.json", buf.Bytes())
			continue
		}
		out := renderModel(t, g, format)
		switch format {
		case "json", "paths-json":
			if !json.Valid(out) || strings.Contains(string(out), "null") {
				t.Errorf("%s: %s", format, out)
			}
		case "threagile":
			validate(t, "threagile.schema.json", yamlToJSON(t, out))
		case "paths":
			if !strings.HasPrefix(string(out), "no attack paths") {
				t.Errorf("paths: %s", out)
			}
		}
	}
}

// system is what a round trip through an export and its reader must keep.
type roundTrip struct {
	nodes []string // "kind name"
	flows []string // "from → to", by name
	zones []string // "name in parent", with " (trust)" when asked
}

// describeSystem describes els (all of one graph, or all of what a reader read) by name,
// leaving out what skip says. Flows count when both ends are nodes, or zones too when
// zoneEnds; zones show their trust when trust is set.
func describeSystem(els []*model.Element, skip func(*model.Element) bool, zoneEnds, trust bool) roundTrip {
	byID := map[string]*model.Element{}
	for _, e := range els {
		byID[e.ID] = e
	}
	end := func(id string) bool {
		e := byID[id]
		return e != nil && !skip(e) && (isNode(e) || zoneEnds && e.Kind == model.Zone)
	}
	name := func(id string) string {
		if e := byID[id]; e != nil {
			return e.Name
		}
		return ""
	}
	var s roundTrip
	for _, e := range els {
		if skip(e) {
			continue
		}
		switch e.Kind {
		case model.Component, model.Store, model.Actor:
			s.nodes = append(s.nodes, string(e.Kind)+" "+e.Name)
		case model.Flow:
			if end(e.From) && end(e.To) {
				s.flows = append(s.flows, name(e.From)+" → "+name(e.To))
			}
		case model.Zone:
			z := e.Name + " in " + name(strAttr(e, "parent"))
			if trust {
				z += " (" + strAttr(e, "trust") + ")"
			}
			s.zones = append(s.zones, z)
		}
	}
	for _, l := range [][]string{s.nodes, s.flows, s.zones} {
		sort.Strings(l)
	}
	return s
}

// TestZoneCycle: zones of two formats that name each other as parent (Build does not forbid
// it) are drawn once each, the cycle cut.
func TestZoneCycle(t *testing.T) {
	a := elem("kubernetes:ns/a", model.Zone, "namespace", "a", line("k.yaml", 1), map[string]any{"parent": "compose:net/b"})
	b := elem("compose:net/b", model.Zone, "network", "b", line("compose.yaml", 1), map[string]any{"parent": "kubernetes:ns/a"})
	g := model.NewGraph([]*model.Element{a, b})
	out := string(renderModel(t, g, "mermaid"))
	if strings.Count(out, "subgraph ") != 2 {
		t.Errorf("both zones are drawn:\n%s", out)
	}
	for _, format := range []string{"dot", "json", "threagile"} {
		renderModel(t, g, format)
	}
	if err := OTM(io.Discard, g, nil, nil, ModelOptions{}); err != nil {
		t.Error(err)
	}
}
