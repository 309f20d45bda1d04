package kubernetes

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/model"
)

// A Link that takes over the last one's partition (the files are the same, and those that
// changed keep their objects' namespaces and references) gives the elements a fresh
// analyzer's Link of the same files gives, an element equal to one its file's Extract made
// being that element; an edit that moves an object to another
// namespace, or makes its hosts name another, is partitioned anew. The manifests are in
// three namespaces whose hosts name one another's; the edits retype a value, move a
// manifest to another namespace or back to none, and retarget a host to another namespace.
func TestLinkTakesOverItsPartition(t *testing.T) {
	a := New().(*Analyzer)
	srcs := map[string][]byte{}
	var files []string
	for i := range 12 {
		ns := fmt.Sprintf("ns-%d", i%3)
		for _, kind := range []string{"app", "svc"} {
			p := fmt.Sprintf("%s/%s-%d.yaml", ns, kind, i)
			files = append(files, p)
			if kind == "svc" {
				srcs[p] = fmt.Appendf(nil, "apiVersion: v1\nkind: Service\nmetadata:\n  name: app-%d\n  namespace: %s\nspec:\n  selector: {app: app-%d}\n  ports:\n    - port: 80\n", i, ns, i)
				continue
			}
			srcs[p] = fmt.Appendf(nil, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-%d\n  namespace: %s\nspec:\n  template:\n    metadata:\n      labels: {app: app-%d}\n    spec:\n      containers:\n        - name: app\n          image: example/app:1\n          env:\n            - name: NEXT_URL\n              value: http://app-%d.ns-%d:80\n            - name: MODE\n              value: fast\n", i, ns, i, (i+1)%12, (i+1)%3)
		}
	}
	facts := make([]*model.FileFacts, len(files))
	for i, p := range files {
		facts[i] = analyzertest.Extract(t, a, p, srcs[p])
	}
	namespaceLine := regexp.MustCompile(`(?m)^  namespace: ns-\d\n`)
	hostNS := regexp.MustCompile(`\.ns-\d:`)
	mode := regexp.MustCompile(`value: \w+\n$`)
	rng := rand.New(rand.NewPCG(3, 9))
	a.Link(facts)
	const steps = 400
	for step := range steps {
		i := rng.IntN(len(files))
		text, what := srcs[files[i]], ""
		switch rng.IntN(4) {
		case 0:
			text, what = mode.ReplaceAll(text, fmt.Appendf(nil, "value: m%d\n", step)), "a value retyped"
		case 1:
			text, what = namespaceLine.ReplaceAll(text, fmt.Appendf(nil, "  namespace: ns-%d\n", rng.IntN(4))), "moved to a namespace"
		case 2:
			text, what = namespaceLine.ReplaceAll(text, nil), "its namespace line deleted"
		case 3:
			text, what = hostNS.ReplaceAll(text, fmt.Appendf(nil, ".ns-%d:", rng.IntN(4))), "a host retargeted"
		}
		srcs[files[i]] = text
		facts[i] = analyzertest.Extract(t, a, files[i], text)
		got, want := a.Link(facts), New().Link(facts)
		where := fmt.Sprintf("step %d, %s in %s", step, what, files[i])
		if len(got) != len(want) {
			t.Fatalf("%s: %d elements, a fresh Link %d", where, len(got), len(want))
		}
		extracted := map[string]*model.Element{} // what the files' Extract made, as they are now
		for _, f := range facts {
			for _, e := range f.Elements {
				extracted[e.ID] = e
			}
		}
		for j := range got {
			if got[j].ID != want[j].ID || !model.Equal(got[j], want[j]) {
				t.Fatalf("%s: element %d is %s, a fresh Link's %s", where, j, got[j].ID, want[j].ID)
			}
			if e := extracted[got[j].ID]; e != nil && e != got[j] && model.Equal(e, got[j]) {
				t.Fatalf("%s: %s is not the element its file's Extract made, equal to it", where, got[j].ID)
			}
		}
	}
	if a.takenOver < steps/4 {
		t.Errorf("%d of %d Links took the last partition over", a.takenOver, steps)
	}
	t.Logf("%d of %d Links took the last partition over", a.takenOver, steps)
}
