package kubernetes

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/model"
)

var deltaSteps = flag.Int("delta.steps", 600, "edits TestDeltaIsBuild makes in each of its sequences")

// An edit applied to a kept build (delta.go) gives the elements a whole build of the same
// objects gives, in the same order, and changes no element an earlier Link returned. The
// edits are those an editor sends: an environment value or a port retyped, a Service's type
// changed, a variable or a comment line added, a line deleted, a character typed anywhere
// (which may change a name or a label, or break the YAML: those are built whole), a file
// put back as it was.
func TestDeltaIsBuild(t *testing.T) {
	defer func(n int) { deltaFrom = n }(deltaFrom)
	deltaFrom = 0 // every part keeps its build
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) { deltaIsBuild(t, seed) })
	}
}

func deltaIsBuild(t *testing.T, seed uint64) {
	a := New().(*Analyzer)
	facts, srcs := analyzertest.Workspace(t, a, filepath.Join("testdata", "src"))
	for _, f := range spread() {
		srcs[f.path] = f.text
		facts = append(facts, analyzertest.Extract(t, a, f.path, f.text))
	}
	orig := map[string][]byte{}
	byFile := map[string]int{}
	var files []string
	for i, f := range facts {
		if f.Format == Name && f.Raw != nil {
			byFile[f.File] = i
			files = append(files, f.File)
			orig[f.File] = srcs[f.File]
		}
	}
	sort.Strings(files)
	rng := rand.New(rand.NewPCG(seed, 7))
	last := a.Link(facts)
	applied := 0
	for step := 0; step < *deltaSteps; step++ {
		file := files[rng.IntN(len(files))]
		text, what := mutate(rng, srcs[file])
		if rng.IntN(8) == 0 {
			text, what = orig[file], "put back"
		}
		srcs[file] = text
		facts[byFile[file]] = analyzertest.Extract(t, a, file, text)
		was, err := json.Marshal(last)
		if err != nil {
			t.Fatal(err)
		}
		n := a.deltas
		got := a.Link(facts)
		want := New().Link(facts)
		if a.deltas > n {
			applied++
		}
		where := fmt.Sprintf("step %d, %s in %s (applied to the kept build: %v)", step, what, file, a.deltas > n)
		if len(got) != len(want) {
			t.Fatalf("%s: %d elements, a whole build %d; only in it: %v, only in the whole build: %v", where, len(got), len(want),
				onlyIn(got, want), onlyIn(want, got))
		}
		for i := range got {
			if got[i].ID != want[i].ID || !model.Equal(got[i], want[i]) {
				g, _ := json.Marshal(got[i])
				w, _ := json.Marshal(want[i])
				t.Fatalf("%s: element %d is\n%s\na whole build's is\n%s", where, i, g, w)
			}
		}
		if now, _ := json.Marshal(last); !bytes.Equal(was, now) {
			t.Fatalf("%s: the elements of the Link before changed", where)
		}
		last = got
	}
	if applied < *deltaSteps/4 {
		t.Errorf("%d of %d edits were applied to the kept build", applied, *deltaSteps)
	}
	t.Logf("%d of %d edits applied to the kept build", applied, *deltaSteps)
}

// onlyIn returns the IDs of the elements of xs that ys has not.
func onlyIn(xs, ys []*model.Element) []string {
	in := map[string]bool{}
	for _, y := range ys {
		in[y.ID] = true
	}
	var out []string
	for _, x := range xs {
		if !in[x.ID] {
			out = append(out, x.ID)
		}
	}
	return out
}

var (
	valueLine = regexp.MustCompile(`(?m)(value: |value: ")([^"\n#}]*)`)
	typeLine  = regexp.MustCompile(`(?m)type: (LoadBalancer|NodePort|ClusterIP)`)
	portLine  = regexp.MustCompile(`(?m)port: (\d+)`)
	imageLine = regexp.MustCompile(`(?m)image: ([^\s#]+)`)
	envLine   = regexp.MustCompile(`(?m)^( *)env:\n( *)- `)
)

// mutate makes one edit an editor could send, and says which.
func mutate(rng *rand.Rand, text []byte) ([]byte, string) {
	at := func(re *regexp.Regexp, group int) (int, int, bool) {
		ms := re.FindAllSubmatchIndex(text, -1)
		if len(ms) == 0 {
			return 0, 0, false
		}
		m := ms[rng.IntN(len(ms))]
		return m[2*group], m[2*group+1], true
	}
	put := func(s, e int, with string) []byte {
		return append(append(append([]byte(nil), text[:s]...), with...), text[e:]...)
	}
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	switch rng.IntN(10) {
	case 0:
		if s, e, ok := at(valueLine, 2); ok {
			return put(s, e, pick("http://api:8080", "postgres://u:p@db:5432/x", "https://api.stripe.com/v1",
				"redis://cache.shop:6379", "info", "", "http://web.shop.svc.cluster.local", "mysql://db.prod:3306",
				"https://shop.example.com/api", "hunter2", "amqp://queue:5672")), "an environment value retyped"
		}
	case 1:
		if s, e, ok := at(typeLine, 1); ok {
			return put(s, e, pick("LoadBalancer", "NodePort", "ClusterIP")), "a Service's type changed"
		}
	case 2:
		if s, e, ok := at(portLine, 1); ok {
			return put(s, e, pick("80", "443", "5432", "8080", "6379")), "a port retyped"
		}
	case 3:
		if s, e, ok := at(imageLine, 1); ok {
			return put(s, e, pick("postgres:16", "redis:7", "ghcr.io/shop/api:1.4.3", "nginx@sha256:0123", "example/frontend:2.1")), "an image changed"
		}
	case 4:
		if ms := envLine.FindAllSubmatchIndex(text, -1); len(ms) > 0 {
			m := ms[rng.IntN(len(ms))]
			indent := string(text[m[4]:m[5]])
			v := fmt.Sprintf("%s- name: EXTRA_%d_URL\n%s  value: %s\n", indent, rng.IntN(3), indent,
				pick("https://hooks.example.org/x", "http://db:5432", "redis://cache:6379"))
			s := m[1] - len(indent) - 2
			return put(s, s, v), "a variable added"
		}
	case 5:
		lines := bytes.SplitAfter(text, []byte("\n"))
		i := rng.IntN(len(lines))
		s := len(bytes.Join(lines[:i], nil))
		return put(s, s, "# a note\n"), "a comment line added"
	case 6:
		lines := bytes.SplitAfter(text, []byte("\n"))
		i := rng.IntN(len(lines))
		s := len(bytes.Join(lines[:i], nil))
		return put(s, s+len(lines[i]), ""), "a line deleted"
	case 7:
		n := rng.IntN(4)
		doc := pick(
			fmt.Sprintf("apiVersion: v1\nkind: Service\nmetadata:\n  name: app-%d-svc\nspec:\n  type: %s\n  selector: {app: app-%d}\n  ports: [{port: 8080}]\n", n, pick("LoadBalancer", "ClusterIP"), n),
			fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared%d\ndata:\n  CACHE_URL: redis://app-%d-svc:6379\n", n, n),
			fmt.Sprintf("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: extra-%d\nspec:\n  template:\n    metadata:\n      labels: {app: app-%d}\n    spec:\n      containers:\n        - name: c\n          image: example/extra:%d\n          env:\n            - name: UP_URL\n              value: http://app-%d-svc:8080\n", n, n, n, (n+1)%6),
			fmt.Sprintf("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny-%d\nspec:\n  podSelector:\n    matchLabels: {app: app-%d}\n  ingress: []\n", n, n),
			fmt.Sprintf("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: edge-%d\nspec:\n  rules:\n    - host: e%d.example.com\n      http:\n        paths:\n          - path: /\n            backend:\n              service: {name: app-%d-svc, port: {number: 8080}}\n", n, n, n))
		if len(text) > 0 && text[len(text)-1] != '\n' {
			doc = "\n" + doc
		}
		return put(len(text), len(text), "---\n"+doc), "a document added"
	case 8:
		seps := regexp.MustCompile(`(?m)^---\n`).FindAllIndex(text, -1)
		if len(seps) == 0 {
			break
		}
		i := rng.IntN(len(seps))
		end := len(text)
		if i+1 < len(seps) {
			end = seps[i+1][0]
		}
		return put(seps[i][0], end, ""), "a document removed"
	}
	if len(text) == 0 {
		return []byte("a"), "a character typed"
	}
	s := rng.IntN(len(text))
	return put(s, s, pick("x", "-", " ", ":", "\n", "1")), "a character typed"
}

// spread is a namespace whose Services, Ingress, ConfigMap and NetworkPolicy are in files of
// their own, apart from the workloads they act on (the testdata keep each Service beside its
// workload), and whose manifests name no namespace. The policy has the name of a Service: what
// an edit does to one must not be done to the other.
func spread() []struct {
	path string
	text []byte
} {
	var out []struct {
		path string
		text []byte
	}
	add := func(p, text string) {
		out = append(out, struct {
			path string
			text []byte
		}{p, []byte(text)})
	}
	types := []string{"LoadBalancer", "NodePort", "ClusterIP"}
	for i := range 6 {
		add(fmt.Sprintf("spread/app-%d.yaml", i), fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-%d
  labels: {app: app-%d}
spec:
  template:
    metadata:
      labels: {app: app-%d, tier: t%d}
    spec:
      containers:
        - name: app
          image: example/app-%d:1.0
          envFrom:
            - configMapRef: {name: shared}
          env:
            - name: NEXT_URL
              value: http://app-%d-svc:8080
            - name: HOOK_URL
              value: https://hooks%d.example.org/in
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {name: db, key: password}
`, i, i, i, i%2, i, (i+1)%6, i%3))
		add(fmt.Sprintf("spread/svc-%d.yaml", i), fmt.Sprintf(`apiVersion: v1
kind: Service
metadata:
  name: app-%d-svc
spec:
  type: %s
  selector: {app: app-%d}
  ports:
    - name: http
      port: %d
`, i, types[i%3], i, 8080+i%2*363))
	}
	add("spread/ingress.yaml", `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: edge
spec:
  rules:
    - host: edge.example.com
      http:
        paths:
          - path: /a
            backend:
              service: {name: app-2-svc, port: {number: 8080}}
          - path: /b
            backend:
              service: {name: app-4-svc, port: {number: 8443}}
`)
	add("spread/config.yaml", `apiVersion: v1
kind: ConfigMap
metadata:
  name: shared
data:
  CACHE_URL: redis://app-3-svc:6379
  LOG_LEVEL: info
`)
	add("spread/policy.yaml", `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: app-0-svc
spec:
  podSelector:
    matchLabels: {tier: t0}
  ingress:
    - from:
        - podSelector:
            matchLabels: {app: app-1}
`)
	return out
}

// In a namespace of as many objects as the kept builds begin at, an edit of a workload's
// environment, of its Service's type or name, of a ConfigMap's value, of a NetworkPolicy's
// rule, of its labels or of its name is applied to the kept build from the second edit on, and
// an object added is built whole; each gives what a whole build gives.
func TestDeltaInALargeNamespace(t *testing.T) {
	a := New().(*Analyzer)
	var facts []*model.FileFacts
	texts := map[int][]byte{}
	for i := range deltaFrom / 2 {
		text := fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-%d
spec:
  template:
    metadata:
      labels: {app: svc-%d}
    spec:
      containers:
        - name: app
          image: example/svc-%d:1.0
          env:
            - name: NEXT_URL
              value: http://svc-%d:8080
            - name: CACHE_URL
              valueFrom:
                configMapKeyRef: {name: shared, key: CACHE_URL}
---
apiVersion: v1
kind: Service
metadata:
  name: svc-%d
spec:
  type: ClusterIP
  selector: {app: svc-%d}
  ports: [{port: 8080}]
`, i, i, i, (i+1)%(deltaFrom/2), i, i)
		texts[i] = []byte(text)
		facts = append(facts, analyzertest.Extract(t, a, fmt.Sprintf("k8s/svc-%03d.yaml", i), texts[i]))
	}
	for _, f := range []struct{ path, text string }{
		{"k8s/shared.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata:\n  CACHE_URL: redis://svc-3:6379\n"},
		{"k8s/policy.yaml", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: cache\nspec:\n" +
			"  podSelector: {matchLabels: {app: svc-3}}\n  ingress:\n    - from: [{podSelector: {matchLabels: {app: svc-2}}}]\n"},
	} {
		texts[len(facts)] = []byte(f.text)
		facts = append(facts, analyzertest.Extract(t, a, f.path, []byte(f.text)))
	}
	a.Link(facts)
	for _, c := range []struct {
		what, from, to string
		applied        bool
	}{
		// The first edit after a load is built whole: the load keeps no build.
		{"an environment value", "http://svc-8:8080", "http://svc-9:8080", false},
		{"an environment value again", "http://svc-9:8080", "https://hooks.example.org", true},
		// A file read again as it was (opened in the editor): its objects are new, and the
		// same.
		{"nothing", "kind: Deployment", "kind: Deployment", true},
		{"a Service's type", "type: ClusterIP", "type: LoadBalancer", true},
		{"a ConfigMap's value", "redis://svc-3:6379", "redis://svc-4:6379", true},
		{"a NetworkPolicy's rule", "{app: svc-2}", "{app: svc-7}", true},
		{"a label", "labels: {app: svc-7}", "labels: {app: svc-x}", true},
		{"a workload's name", "name: svc-7\nspec", "name: svc-7x\nspec", true},
		{"a Service's name", "name: svc-7\nspec:\n  type", "name: svc-7y\nspec:\n  type", true},
		{"an object added", "ports: [{port: 8080}]\n", "ports: [{port: 8080}]\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: extra\n", false},
		// At the end of the file: an object after the edit in its file moves, and a
		// ServiceAccount moved is built whole.
		{"a Service added", "  name: extra\n", "  name: extra\n" + extraService, true},
		{"a workload added", "ports: [{port: 9090}]\n", "ports: [{port: 9090}]\n" + extraWorkload, true},
		{"a workload removed", extraWorkload, "", true},
		{"a Service removed", extraService, "", true},
	} {
		i := 7
		for j := len(facts) - 2; j < len(facts); j++ {
			if bytes.Contains(texts[j], []byte(c.from)) {
				i = j
			}
		}
		texts[i] = bytes.Replace(texts[i], []byte(c.from), []byte(c.to), 1)
		facts[i] = analyzertest.Extract(t, a, facts[i].File, texts[i])
		n := a.deltas
		got, want := a.Link(facts), New().Link(facts)
		if applied := a.deltas > n; applied != c.applied {
			t.Errorf("%s edited: applied to the kept build %v, want %v", c.what, applied, c.applied)
		}
		if len(got) != len(want) {
			t.Fatalf("%s edited: %d elements, a whole build %d", c.what, len(got), len(want))
		}
		for j := range got {
			if !model.Equal(got[j], want[j]) {
				t.Fatalf("%s edited: %s differs from a whole build's", c.what, got[j].ID)
			}
		}
	}
}

// The documents TestDeltaInALargeNamespace adds and removes: a Service that selects one
// workload and names another's port, a workload that an existing Service selects and whose
// environment names that Service.
const (
	extraService  = "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: extra-svc\nspec:\n  type: LoadBalancer\n  selector: {app: svc-5}\n  ports: [{port: 9090}]\n"
	extraWorkload = "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: extra\nspec:\n  template:\n    metadata:\n      labels: {app: svc-4}\n    spec:\n      containers:\n        - name: c\n          image: example/extra:1\n          env:\n            - {name: UP_URL, value: \"http://extra-svc:9090\"}\n"
)

// A panic while an edit is applied to a kept build (here, a build made inconsistent on
// purpose) costs a whole build, not the namespace's elements.
func TestDeltaPanicBuildsWhole(t *testing.T) {
	defer func(n int) { deltaFrom = n }(deltaFrom)
	deltaFrom = 0
	a := New().(*Analyzer)
	facts, srcs := analyzertest.Workspace(t, a, filepath.Join("testdata", "src", "shop"))
	a.Link(facts)
	edit := func(i int, from, to string) {
		srcs[facts[i].File] = bytes.Replace(srcs[facts[i].File], []byte(from), []byte(to), 1)
		facts[i] = analyzertest.Extract(t, a, facts[i].File, srcs[facts[i].File])
	}
	api := slices.IndexFunc(facts, func(f *model.FileFacts) bool { return f.File == "api.yaml" })
	if api < 0 {
		t.Fatal("no api.yaml in testdata/src/shop")
	}
	edit(api, "sslmode=require", "sslmode=disable")
	a.Link(facts) // the first edit builds whole and keeps the build
	for _, p := range a.parts {
		if p.b != nil {
			p.b.workloads = append(p.b.workloads, nil)
		}
	}
	edit(api, "sslmode=disable", "sslmode=require")
	n := a.deltas
	got, want := a.Link(facts), New().Link(facts)
	if a.deltas != n {
		t.Error("an edit applied to an inconsistent build counted as applied")
	}
	if len(got) != len(want) {
		t.Fatalf("%d elements after a panic, a whole build %d", len(got), len(want))
	}
	for i := range got {
		if !model.Equal(got[i], want[i]) {
			t.Fatalf("%s differs from a whole build's", got[i].ID)
		}
	}
}
