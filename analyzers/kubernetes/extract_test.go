package kubernetes_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/kubernetes"
	"github.com/threatls/threatls/model"
)

func TestMatch(t *testing.T) {
	a := kubernetes.New()
	for _, tc := range []struct {
		path, lang string
		want       bool
	}{
		{"k8s/api.yaml", "", true},
		{"deploy/app.yml", "", true},
		{"Chart/templates/deployment.YAML", "", true},
		{"compose.yaml", "", false},
		{"deploy/compose.override.yml", "", false},
		{"docker-compose.prod.yml", "", false},
		{"threatls.yaml", "", false},
		{".github/workflows/ci.yml", "", false},
		{"sub/.github/dependabot.yaml", "", false},
		{"main.tf", "", false},
		{"untitled:Untitled-1", "yaml", true},
		{"untitled:Untitled-1", "json", false},
		{"", "yaml", true},
		{"notes.txt", "yaml", false},
	} {
		if got := a.Match(tc.path, tc.lang); got != tc.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tc.path, tc.lang, got, tc.want)
		}
	}
}

// A YAML file that is not a manifest yields nothing at all, even when it does not parse.
func TestNotAManifest(t *testing.T) {
	for _, src := range []string{"replicaCount: 2\nimage: {tag: latest}\n", "paths: [unclosed\n", "", "- a\n- b\n", "kind: Pod\n"} {
		ff := analyzertest.Extract(t, kubernetes.New(), "x.yaml", []byte(src))
		if len(ff.Elements) != 0 || len(ff.Problems) != 0 || ff.Raw != nil || len(ff.Ignores) != 0 {
			t.Errorf("%q: got %d elements, problems %v, raw %v", src, len(ff.Elements), ff.Problems, ff.Raw)
		}
	}
}

// Link returns Extract's own element where the other files change nothing about it, a new
// one where they do (without touching Extract's), and the same pointers again when nothing
// changed since the previous Link.
func TestLinkKeepsPointers(t *testing.T) {
	a := kubernetes.New()
	facts, _ := analyzertest.Workspace(t, a, filepath.Join("testdata", "src", "shop"))
	local := map[string]*model.Element{}
	for _, f := range facts {
		for _, e := range f.Elements {
			if local[e.ID] != nil {
				t.Errorf("%s is extracted twice", e.ID)
			}
			local[e.ID] = e
		}
	}
	if local[model.Internet] != nil || local["actor:api.stripe.com"] != nil {
		t.Error("elements shared by files must be left to Link")
	}
	first := map[string]*model.Element{}
	for _, e := range a.Link(facts) {
		first[e.ID] = e
	}
	api, web := "kubernetes:shop/Deployment/api", "kubernetes:shop/Deployment/web"
	if first[api] == nil || first[api] != local[api] {
		t.Errorf("%s: Link must return Extract's element, which no other file changes", api)
	}
	if first[web] == nil || first[web] == local[web] {
		t.Fatalf("%s: an Ingress of another file routes to it: Link must return a new element", web)
	}
	if len(local[web].Related) != 1 || len(first[web].Related) != 2 {
		t.Errorf("web's related: extracted %d (want 1, untouched), linked %d (want 2)", len(local[web].Related), len(first[web].Related))
	}
	cache := "kubernetes:shop/Deployment/worker/env/CACHE_HOST"
	if local[cache] != nil || first[cache] == nil {
		t.Errorf("%s comes from a ConfigMap of another file: only Link makes it", cache)
	}
	again := a.Link(facts)
	if len(again) != len(first) {
		t.Fatalf("second Link: %d elements, first %d", len(again), len(first))
	}
	for _, e := range again {
		if first[e.ID] != e {
			t.Errorf("%s: a second Link of the same facts must return the same pointer", e.ID)
		}
	}
	// Without the ConfigMap's file, the worker reads no CACHE_HOST.
	var some []*model.FileFacts
	for _, f := range facts {
		if !strings.HasSuffix(f.File, "config.yaml") {
			some = append(some, f)
		}
	}
	for _, e := range a.Link(some) {
		if e.ID == cache {
			t.Errorf("%s without its ConfigMap", cache)
		}
	}
}

// Flows from a cluster-local host go to the workload of that name in the namespace; blocked is
// absent when no policy applies.
func TestNoPolicyNoVerdict(t *testing.T) {
	src := []byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: a, namespace: ns}
spec:
  template:
    metadata: {labels: {app: a}}
    spec:
      containers:
        - name: a
          image: x:1
          env: [{name: B_URL, value: "http://b.ns.svc:8080"}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: b, namespace: ns}
spec:
  template:
    metadata: {labels: {app: b}}
    spec:
      containers: [{name: b, image: "y:1"}]
`)
	a := kubernetes.New()
	ff := analyzertest.Extract(t, a, "m.yaml", src)
	for _, e := range a.Link([]*model.FileFacts{ff}) {
		if e.ID != "kubernetes:ns/Deployment/a/env/B_URL" {
			continue
		}
		if e.To != "kubernetes:ns/Deployment/b" {
			t.Errorf("to = %s", e.To)
		}
		if _, ok := e.Attrs.Get("blocked"); ok {
			t.Error("no policy isolates b: the flow has no blocked attribute")
		}
		return
	}
	t.Fatal("no flow")
}

func FuzzExtract(f *testing.F) {
	analyzertest.Seeds(f, filepath.Join("testdata", "src", "*", "*.y*ml"))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {containers: [{env: [{name: X_URL, value: 'redis://u:p@h:1'}]}]}}]\n"))
	f.Add([]byte("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: LoadBalancer, selector: {a: b}, ports: [{port: x}]}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		a := kubernetes.New()
		ff := analyzertest.Extract(t, a, "f.yaml", src)
		els := a.Link([]*model.FileFacts{ff})
		analyzertest.Inside(t, src, ff, els)
		ids := map[string]bool{}
		for _, e := range els {
			if ids[e.ID] {
				t.Fatalf("duplicate ID %s", e.ID)
			}
			ids[e.ID] = true
			if e.Kind == model.Component || e.Kind == model.Store {
				_, _ = a.Fix(src, e, model.FixOp{Op: "set", Path: "spec.template.spec.containers[*].securityContext.runAsNonRoot", Value: "true"})
			}
		}
	})
}

// The manifests a kustomization lists are built in its namespace: a host they name resolves
// among that namespace's workloads.
func TestKustomizationNamespace(t *testing.T) {
	a := kubernetes.New()
	facts, _ := analyzertest.Workspace(t, a, filepath.Join("testdata", "src", "kustomize"))
	var flow *model.Element
	for _, e := range a.Link(facts) {
		if e.ID == "kubernetes:shop/Deployment/api/env/DATABASE_URL" {
			flow = e
		}
	}
	if flow == nil || flow.To != "kubernetes:shop/StatefulSet/db" {
		t.Fatalf("DATABASE_URL's flow is %+v, want one to kubernetes:shop/StatefulSet/db", flow)
	}
	j, ok := a.(analyzers.Joiner)
	if !ok {
		t.Fatal("the analyzer joins no scopes")
	}
	for _, f := range facts {
		if strings.HasSuffix(f.File, "kustomization.yaml") {
			joins := j.Joins(f)
			for _, want := range []string{"base/api.yaml", "base/db.yaml"} {
				if !slices.ContainsFunc(joins, func(k string) bool { return strings.HasSuffix(k, want) }) {
					t.Errorf("the kustomization joins %q, not the scope of %s it lists", joins, want)
				}
			}
		}
	}
}

// A kustomization edited above its namespace: moves that value; the zone of the manifests it
// lists is read there, so their elements move with it — the part they are linked in is made
// of their files' facts and of the kustomization's.
func TestKustomizationEditMovesZones(t *testing.T) {
	a := kubernetes.New()
	facts, srcs := analyzertest.Workspace(t, a, filepath.Join("testdata", "src", "kustomize"))
	zoneLine := func() int {
		for _, e := range a.Link(facts) {
			if e.ID == "kubernetes:shop/Deployment/api" {
				return int(e.Attrs.At("zone").Span.Start.Line)
			}
		}
		t.Fatal("no Deployment/api")
		return 0
	}
	before := zoneLine()
	for i, f := range facts {
		if strings.HasSuffix(f.File, "kustomization.yaml") {
			facts[i] = analyzertest.Extract(t, a, f.File, append([]byte("# moved\n"), srcs[f.File]...))
		}
	}
	if after := zoneLine(); after != before+1 {
		t.Errorf("the api's zone is read at line %d after a line was added above the namespace: (at line %d before)", after+1, before+1)
	}
}

// What a kustomization makes the workspace apply by path, which the engine reads where its
// walk does not look (a base vendored under vendor/): its local resources, bases and
// components, as workspace paths; not what it fetches, nor what climbs above the workspace.
func TestLocalSources(t *testing.T) {
	for _, tc := range []struct {
		file, src string
		want      []string
	}{{
		file: "deploy/kustomization.yaml",
		src:  kustomizationOfEverySource,
		want: []string{"base", "deploy/app.v2/overlay", "deploy/components/tls", "deploy/deployment.yaml"},
	}, {
		file: "deploy/kustomization.yaml",
		src: `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../vendor/acme/base/
  - ../../outside
  - /etc/kubernetes/manifests
bases:
  - ../legacy
patches:
  - path: ../vendor/acme/patches/priv.yaml
  - patch: |-
      - op: add
        path: /spec/replicas
        value: 3
patchesStrategicMerge:
  - limits.yaml
`,
		want: []string{"deploy/limits.yaml", "legacy", "vendor/acme/base", "vendor/acme/patches/priv.yaml"},
	}, {
		// A kustomization known by its name alone (no apiVersion, no kind).
		file: "kustomization.yml",
		src:  "resources:\n- github.com/example/platform/base\n- base\n",
		want: []string{"base"},
	}, {
		// Manifests list nothing.
		file: "deploy/all.yaml",
		src:  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: resources\ndata:\n  resources: ../base\n",
	}} {
		ff := analyzertest.Extract(t, kubernetes.New(), tc.file, []byte(tc.src))
		if got := kubernetes.New().(*kubernetes.Analyzer).Calls(ff); !slices.Equal(got, tc.want) {
			t.Errorf("%s: calls %v, want %v", tc.file, got, tc.want)
		}
	}
}

// What a kustomization or a chart takes from outside the workspace says so (TLS-010), at the
// entry that names it: read as nothing, a kustomization of remote bases looked like one with
// no threat. What is in the workspace (a file, a directory, a dotted directory, a chart under
// charts/ or from file://) says nothing.
func TestOutsideSources(t *testing.T) {
	for _, tc := range []struct {
		file, src string
		want      []string
	}{{
		file: "deploy/kustomization.yaml",
		src:  kustomizationOfEverySource,
		want: []string{"deploy/kustomization.yaml:8:5", "deploy/kustomization.yaml:9:5", "deploy/kustomization.yaml:10:5",
			"deploy/kustomization.yaml:11:5", "deploy/kustomization.yaml:13:5", "deploy/kustomization.yaml:16:5",
			"deploy/kustomization.yaml:19:11"},
	}, {
		// A kustomization known by its name alone (no apiVersion, no kind).
		file: "kustomization.yml",
		src:  "resources:\n- github.com/example/platform/base\n- base\n",
		want: []string{"kustomization.yml:2:3"},
	}, {
		file: "charts/shop/Chart.yaml",
		src: `apiVersion: v2
name: shop
version: 1.0.0
dependencies:
  - name: redis
    version: 17.0.0
    repository: https://charts.example.com/stable
  - name: pg
    version: 12.0.0
    repository: oci://registry.example.com/charts
  - name: cache
    version: 1.0.0
    repository: "@stable"
  - name: common
    version: 1.0.0
    repository: file://../common
  - name: vendored
    version: 1.0.0
`,
		want: []string{"charts/shop/Chart.yaml:7:17", "charts/shop/Chart.yaml:10:17", "charts/shop/Chart.yaml:13:17"},
	}, {
		// A Chart.yaml elsewhere is a chart's too; a values file that looks alike is not.
		file: "values.yaml",
		src:  "dependencies:\n  - name: redis\n    repository: https://charts.example.com/stable\n",
	}} {
		ff := analyzertest.Extract(t, kubernetes.New(), tc.file, []byte(tc.src))
		var got []string
		for _, p := range ff.Problems {
			if p.Code != model.ProblemOutside {
				t.Errorf("%s: a problem that is not TLS-010: %v", tc.file, p)
				continue
			}
			got = append(got, p.Span.String())
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: outside sources at %v, want %v (problems %v)", tc.file, got, tc.want, ff.Problems)
		}
	}
}

// kustomizationOfEverySource lists every kind of source a kustomization may take: local ones,
// which the engine reads (TestLocalSources), and remote ones, each a problem (TestOutsideSources).
const kustomizationOfEverySource = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop
resources:
  - deployment.yaml
  - ../base
  - app.v2/overlay
  - github.com/example/platform//base?ref=v1.2.0
  - https://example.com/manifests/all.yaml
  - git@github.com:example/infra.git//k8s
  - gitlab.example.org/team/app
bases:
  - ssh://git@example.com/base.git
components:
  - ./components/tls
  - example.com/components/tls?ref=main
helmCharts:
  - name: redis
    repo: https://charts.example.com/stable
    version: 17.0.0
  - name: local
    version: 1.0.0
`
