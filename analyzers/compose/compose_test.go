package compose_test

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/compose"
	"github.com/threatls/threatls/model"
)

// elementID maps an address written in file (a service, or service/port/0) to its ID.
func elementID(file, name string) string { return "compose:" + file + "/" + name }

func TestWorkspaces(t *testing.T) {
	analyzertest.Run(t, compose.New(), filepath.Join("testdata", "src"), elementID)
}

func TestMatch(t *testing.T) {
	a := compose.New()
	for p, want := range map[string]bool{
		"compose.yaml":                     true,
		"deploy/compose.yml":               true,
		"docker-compose.yml":               true,
		"docker-compose.yaml":              true,
		"docker-compose.prod.yml":          true,
		"ops/docker-compose.override.yaml": true,
		"compose.override.yaml":            true,
		"compose.yaml.bak":                 false,
		"my-compose.yaml":                  false,
		"docker-compose.":                  false,
		"compose..yaml":                    false,
		"docker-compose.json":              false,
		"k8s/deployment.yaml":              false,
	} {
		if got := a.Match(p, ""); got != want {
			t.Errorf("Match(%q) = %v, want %v", p, got, want)
		}
	}
	if !a.Match("untitled:Untitled-1", "dockercompose") {
		t.Error("the dockercompose language is not matched")
	}
}

// linked extracts and links the workspace at testdata/src/dir and returns its elements by ID.
func linked(t *testing.T, dir string) ([]*model.FileFacts, map[string]*model.Element) {
	t.Helper()
	facts, _ := analyzertest.Workspace(t, compose.New(), filepath.Join("testdata", "src", dir))
	els := map[string]*model.Element{}
	for _, e := range compose.New().Link(facts) {
		els[e.ID] = e
	}
	return facts, els
}

// Aliases are what fuses a service with its Dockerfile, its image and the manifests that
// name it.
func TestAliases(t *testing.T) {
	_, els := linked(t, "shop")
	for id, want := range map[string][]string{
		"compose:compose.yaml/api":             {"name:api", "name:shopapi", "build:api"},
		"compose:compose.yaml/worker":          {"name:worker", "build:worker"},
		"compose:compose.yaml/web":             {"name:web", "image:nginx"},
		"compose:compose.yaml/minio":           {"name:minio", "image:minio/minio"},
		"compose:compose.yaml/network:backend": {"name:backend"},
		"compose:compose.yaml/network:default": nil,
	} {
		if got := els[id].Aliases; !reflect.DeepEqual(got, want) {
			t.Errorf("%s aliases = %v, want %v", id, got, want)
		}
	}
	_, els = linked(t, "extends")
	if got := els["compose:deploy/docker-compose.yml/worker"].Aliases; !reflect.DeepEqual(got, []string{"name:worker", "build:worker"}) {
		t.Errorf("build: ../worker from deploy/ = %v, want build:worker", got)
	}
	if got := els["compose:deploy/docker-compose.prod.yml/notifier"].Aliases; !reflect.DeepEqual(got, []string{"name:notifier", "image:shop/notifier"}) {
		t.Errorf("notifier aliases = %v", got)
	}
	a := compose.New()
	src := []byte("services:\n  dbg:\n    build: {context: ./api, dockerfile: Dockerfile.debug}\n")
	for _, e := range a.Link([]*model.FileFacts{analyzertest.Extract(t, a, "compose.yaml", src)}) {
		if e.ID == "compose:compose.yaml/dbg" && !reflect.DeepEqual(e.Aliases, []string{"name:dbg", "build:api/Dockerfile.debug"}) {
			t.Errorf("dockerfile: Dockerfile.debug aliases = %v, want build:api/Dockerfile.debug", e.Aliases)
		}
	}
}

// Flows end at the service of the same file, at a reference for a host another file
// defines, or at an external actor.
func TestFlowEnds(t *testing.T) {
	_, els := linked(t, "shop")
	const p = "compose:compose.yaml/"
	for id, want := range map[string][2]string{
		p + "web/port/0":              {"actor:internet", p + "web"},
		p + "web/env/API_URL":         {p + "web", p + "api"},
		p + "api/env/DATABASE_URL":    {p + "api", p + "db"},
		p + "api/env/PAYMENT_API_URL": {p + "api", "actor:api.stripe.com"},
		p + "worker/depends_on/cache": {p + "worker", p + "cache"},
	} {
		if e := els[id]; e == nil || e.From != want[0] || e.To != want[1] {
			t.Errorf("%s: %+v, want %s → %s", id, e, want[0], want[1])
		}
	}
	db := els[p+"api/env/DATABASE_URL"]
	if len(db.Related) != 1 || db.Related[0].Message != "api depends_on db" || db.Related[0].Span.Start.Line != 35 {
		t.Errorf("the depends_on entry the env flow stands for is related: %+v", db.Related)
	}
	if els[p+"api/depends_on/db"] != nil {
		t.Error("depends_on db and DATABASE_URL make two flows")
	}
	for id := range els {
		if strings.HasPrefix(id, p+"api/env/PUBLIC_URL") || strings.HasPrefix(id, p+"api/env/LOG_LEVEL") {
			t.Errorf("%s: localhost and plain values are no flows", id)
		}
	}
	_, els = linked(t, "extends")
	for id, want := range map[string]string{
		"compose:deploy/docker-compose.prod.yml/notifier/env/DB_HOST":    "ref:name:db",
		"compose:deploy/docker-compose.yml/scheduler/env/QUEUE_HOST":     "ref:name:queue",
		"compose:deploy/docker-compose.yml/worker/env/SLACK_WEBHOOK_URL": "actor:hooks.slack.com",
	} {
		if e := els[id]; e == nil || e.To != want {
			t.Errorf("%s ends at %+v, want %s", id, e, want)
		}
	}
}

// Link returns the facts' elements themselves, adds one actor per host whatever the number
// of files naming it, and leaves its input as it was.
func TestLink(t *testing.T) {
	facts, _ := analyzertest.Workspace(t, compose.New(), filepath.Join("testdata", "src", "extends"))
	before := 0
	for _, f := range facts {
		before += len(f.Elements)
	}
	a := compose.New()
	out := a.Link(facts)
	mine := map[*model.Element]bool{}
	for _, e := range out {
		mine[e] = true
	}
	actors := 0
	for _, e := range out {
		if e.Kind == model.Actor {
			actors++
			if e.ID != "actor:hooks.slack.com" || e.Span.File != "deploy/docker-compose.prod.yml" {
				t.Errorf("actor %s defined at %s", e.ID, e.Span)
			}
			if z := e.Attrs.At("zone").Value; z != "zone:internet" || e.Attrs.At("in_scope").Value != false {
				t.Errorf("actor %s: zone %v in_scope %v", e.ID, z, e.Attrs.At("in_scope").Value)
			}
		}
	}
	if actors != 1 {
		t.Errorf("%d actors, want one for hooks.slack.com", actors)
	}
	after := 0
	for _, f := range facts {
		after += len(f.Elements)
		for _, e := range f.Elements {
			if !mine[e] {
				t.Errorf("Link did not return %s itself", e.ID)
			}
		}
	}
	if before != after || len(out) != after+1 {
		t.Errorf("elements: %d in the facts before Link, %d after, %d out", before, after, len(out))
	}
}

// A file that does not parse is read without the service the error is in, whether or not a
// byte order mark (a Windows editor's) comes first: with one, the services line was not found,
// and every service was lost.
func TestBrokenMessage(t *testing.T) {
	for _, bom := range []string{"", "\ufeff"} {
		brokenMessage(t, []byte(bom+"services:\n  web:\n    image: a\n  api:\n    image: b\n   ports: [80]\n  db:\n    image: postgres\n"))
	}
}

func brokenMessage(t *testing.T, src []byte) {
	t.Helper()
	ff := analyzertest.Extract(t, compose.New(), "compose.yaml", src)
	if len(ff.Problems) != 1 {
		t.Fatalf("problems = %v", ff.Problems)
	}
	p := ff.Problems[0]
	if !strings.HasSuffix(p.Message, `; service "api" skipped`) || p.Span.Start.Line != 3 || p.Span.Start.Col != 2 {
		t.Errorf("problem = %+v (%s)", p, p.Span)
	}
	var names []string
	for _, e := range ff.Elements {
		if e.Type == "compose_service" {
			names = append(names, e.Name)
		}
	}
	if !reflect.DeepEqual(names, []string{"web", "db"}) {
		t.Errorf("services read = %v, want web and db", names)
	}
}

// FuzzExtract: no input makes Extract or Link panic or hang, and every element and
// attribute points inside the file.
func FuzzExtract(f *testing.F) {
	analyzertest.Seeds(f, filepath.Join("testdata", "src", "*", "*.y*ml"), filepath.Join("testdata", "src", "*", "*", "*.y*ml"))
	f.Add([]byte("services:\n  a:\n    <<: *x\n"))
	f.Add([]byte("services:\n  a: &a\n    extends: a\n    ports: [\"[::1]:80\", \"${P}:80/udp\", {target: 443}]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		a := compose.New()
		ff := analyzertest.Extract(t, a, "compose.yaml", src)
		analyzertest.Inside(t, src, ff, a.Link([]*model.FileFacts{ff}))
	})
}

// A service that extends a service of another Compose file is that service merged with its
// own: what its file says wins; it takes what the base says and it does not (privileged,
// the user that makes it not run as root), the base's variables beside its own, and a flow
// of its own for each of the base's (the port the base publishes); its network is its own
// file's. The base stays as it is.
func TestExtendsAnotherFile(t *testing.T) {
	a := compose.New()
	app := analyzertest.Extract(t, a, "docker-compose.yml", []byte("services:\n  api:\n    extends:\n"+
		"      file: base/docker-compose.base.yml\n      service: base\n    image: acme/api:1.0\n    read_only: false\n    environment:\n      ORDERS_URL: http://orders:8080\n"))
	base := analyzertest.Extract(t, a, "base/docker-compose.base.yml", []byte("services:\n  web:\n    image: acme/web:1.0\n    environment:\n      API: http://base:80\n  base:\n    image: acme/base:1.0\n"+
		"    privileged: true\n    read_only: true\n    user: \"1000\"\n    ports: [\"8080:80\"]\n    environment:\n      CACHE_URL: redis://cache:6379\n"))
	if got := a.(interface {
		Joins(*model.FileFacts) []string
	}).Joins(app); !reflect.DeepEqual(got, []string{"base/docker-compose.base.yml"}) {
		t.Fatalf("joins %v, want the base's file", got)
	}
	els := map[string]*model.Element{}
	for _, e := range a.Link([]*model.FileFacts{app, base}) {
		els[e.ID] = e
	}
	api, b := els["compose:docker-compose.yml/api"], els["compose:base/docker-compose.base.yml/base"]
	if api == nil || b == nil {
		t.Fatalf("no api or base: %v", els)
	}
	if p := api.Attrs.At("privileged"); p.Value != true || p.Span.File != "base/docker-compose.base.yml" {
		t.Errorf("api privileged = %+v, want the base's", p)
	}
	if r := api.Attrs.At("runs_as_root"); r.Value != false {
		t.Errorf("api runs_as_root = %+v, want the base's user", r)
	}
	if ro := api.Attrs.At("read_only_fs"); ro.Value != false || ro.Span.File != "docker-compose.yml" {
		t.Errorf("api read_only_fs = %+v, want its own read_only: false", ro)
	}
	if env, _ := api.Attrs.At(model.EnvAttr).Value.(map[string]any); env["ORDERS_URL"] == nil || env["CACHE_URL"] == nil {
		t.Errorf("api environment = %v, want its own ORDERS_URL and the base's CACHE_URL", env)
	}
	if z := api.Attrs.At("zone"); z.Value != "compose:docker-compose.yml/network:default" {
		t.Errorf("api zone = %v, want its own file's network", z.Value)
	}
	port := els["compose:docker-compose.yml/api/extends/compose:base/docker-compose.base.yml/base/port/0"]
	if port == nil || port.From != model.Internet || port.To != api.ID || port.Name != "api/port/0" {
		t.Errorf("the base's published port is no flow to api: %+v", port)
	}
	for id, e := range els {
		if strings.Contains(id, "/extends/") && e.To == api.ID && e.From != model.Internet {
			t.Errorf("another service's flow to the base is not one to api: %s", id)
		}
	}
	if b.Attrs.At("privileged").Value != true || len(b.Related) != 0 || b != base.Elements[slices.IndexFunc(base.Elements, func(e *model.Element) bool { return e.ID == b.ID })] {
		t.Error("the base was changed")
	}
}
