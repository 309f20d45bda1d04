package kubernetes

import (
	"bytes"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/model"
)

// linkedStream is a stream of n stacks whose objects link to each other's: Deployments whose
// environment names the next stack's Service and reads a ConfigMap, Services of two types,
// NetworkPolicies that isolate them, an Ingress in front of every fifth.
func linkedStream(n int) []byte {
	var all strings.Builder
	for i := range n {
		fmt.Fprintf(&all, `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-%[1]d
  labels: {app: svc-%[1]d}
spec:
  selector: {matchLabels: {app: svc-%[1]d}}
  template:
    metadata: {labels: {app: svc-%[1]d}}
    spec:
      containers:
        - name: app
          image: reg/svc-%[1]d:1.%[1]d
          envFrom: [{configMapRef: {name: svc-%[1]d-config}}]
          env:
            - {name: NEXT_URL, value: "http://svc-%[2]d:8080"}
            - {name: DB_URL, value: "postgres://u:p@db-%[3]d.example.com/x"}
            - name: API_TOKEN
              value: "tok-%[1]d"
---
apiVersion: v1
kind: Service
metadata: {name: svc-%[1]d}
spec:
  type: %[4]s
  selector: {app: svc-%[1]d}
  ports: [{port: 8080}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: svc-%[1]d-config}
data: {CACHE_URL: "redis://svc-%[2]d:6379"}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: svc-%[1]d-in}
spec:
  podSelector: {matchLabels: {app: svc-%[1]d}}
  ingress: [{from: [{podSelector: {matchLabels: {app: svc-%[3]d}}}]}]
`, i, (i+1)%n, (i+7)%n, []string{"ClusterIP", "LoadBalancer"}[i%2])
		if i%5 == 0 {
			fmt.Fprintf(&all, `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web-%[1]d}
spec:
  rules:
    - host: web-%[1]d.example.org
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: svc-%[1]d, port: {number: 8080}}}}]}
`, i)
		}
	}
	return []byte(all.String())
}

// TestKeptBuildIsBuild holds a file's kept build (kept.go) to a whole build: a stream of
// linked stacks and a stream of every testdata manifest (broken ones, templates, lists,
// kustomizations), typed into at random — mostly inside values, as a person types, and
// anywhere: lines, separators, keys, deletions — each edit read from the facts of the text
// before and compared with a reading of the text alone. Most edits of the linked stream must
// take the shortcut, or the test shows nothing.
func TestKeptBuildIsBuild(t *testing.T) {
	defer func(n int) { deltaFrom = n }(deltaFrom)
	deltaFrom = 8
	_, all := testdataManifests(t)
	a := New().(*Analyzer)
	r := rand.New(rand.NewSource(17))
	pieces := []string{"x", "x", "x", "1", "\n", "---\n", ": ", "  ", "\"", "- a\n", "kind: Service\n",
		"svc-3", "LoadBalancer", "{app: svc-4}", "@", "https://"}
	for _, c := range []struct {
		name     string
		text     []byte
		steps    int
		minKept  float64 // the share of edits that must take the shortcut
		valuesAt []string
	}{
		{"linked stacks", linkedStream(30), 300, 0.6, []string{"value: \"", "name: svc-", "app: svc-", "type: ", "redis://", "name: web-"}},
		{"testdata", all, 200, 0, []string{"value: ", "name: "}},
	} {
		const file = "k8s/all.yaml"
		text := c.text
		prev := analyzertest.Extract(t, a, file, text)
		before := keptEdits.Load()
		for step := range c.steps {
			text = keystroke(r, text, pieces, c.valuesAt)
			got, want := readBoth(t, a, file, text, prev)
			if why := differ(got, want); why != "" {
				t.Fatalf("%s, edit %d: Reextract differs from Extract: %s\n%s", c.name, step, why, text)
			}
			prev = got
		}
		n := keptEdits.Load() - before
		t.Logf("%s: %d of %d edits applied to the kept build", c.name, n, c.steps)
		if float64(n) < c.minKept*float64(c.steps) {
			t.Errorf("%s: %d of %d edits applied to the kept build, want at least %.0f%%", c.name, n, c.steps, 100*c.minKept)
		}
	}
}

// keystroke returns text with one edit: mostly a piece typed just after one of at (inside a
// value), else a piece typed anywhere or a few characters deleted.
func keystroke(r *rand.Rand, text []byte, pieces, values []string) []byte {
	switch k := r.Intn(10); {
	case k < 6:
		key := []byte(values[r.Intn(len(values))])
		n := bytes.Count(text, key)
		if n == 0 {
			break
		}
		i := 0
		for range r.Intn(n) + 1 {
			i += bytes.Index(text[i:], key) + len(key)
		}
		p := []byte("x")
		if r.Intn(4) == 0 {
			p = []byte(pieces[r.Intn(len(pieces))])
		}
		return append(text[:i:i], append(p, text[i:]...)...)
	case k < 8:
		at := r.Intn(len(text) + 1)
		return append(text[:at:at], append([]byte(pieces[r.Intn(len(pieces))]), text[at:]...)...)
	}
	at := r.Intn(len(text) + 1)
	end := min(len(text), at+1+r.Intn(6))
	return append(text[:at:at], text[end:]...)
}

// differ says how got, facts read with a kept build, differ from want, the same text's facts
// read alone; "" when they do not.
func differ(got, want *model.FileFacts) string {
	if !reflect.DeepEqual(got.Problems, want.Problems) {
		return fmt.Sprintf("problems %v, want %v", got.Problems, want.Problems)
	}
	if !reflect.DeepEqual(got.Ignores, want.Ignores) {
		return "ignores differ"
	}
	if why := differElements(got.Elements, want.Elements); why != "" {
		return "elements: " + why
	}
	gr, _ := got.Raw.(*raw)
	wr, _ := want.Raw.(*raw)
	if (gr == nil) != (wr == nil) {
		return "raw facts differ"
	}
	if gr != nil {
		if why := differElements(gr.built, wr.built); why != "" {
			return "built: " + why
		}
	}
	return ""
}

func differElements(got, want []*model.Element) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d elements, want %d", len(got), len(want))
	}
	for i := range got {
		if !model.Equal(got[i], want[i]) {
			return fmt.Sprintf("%s %+v\nwant %s %+v", got[i].ID, *got[i], want[i].ID, *want[i])
		}
	}
	return ""
}
