package kubernetes

import (
	"testing"

	"github.com/threatls/threatls/analyzers/yamlnode"
)

// A patch merges as kustomize's strategic merge does: maps key by key, lists of named
// entries entry by entry (a container the base has is patched, one it has not is added, the
// others kept), any other value replaced; the base and the patch are left as they were.
func TestMergePatch(t *testing.T) {
	parse := func(src string) *yamlnode.Node {
		docs, problems := yamlnode.Parse([]byte(src), "x.yaml")
		if len(problems) > 0 || len(docs) != 1 {
			t.Fatalf("%q: %v", src, problems)
		}
		return docs[0].Root
	}
	base := parse("spec:\n  replicas: 1\n  containers:\n    - name: api\n      image: api:1\n      ports: [80]\n    - name: log\n      image: log:1\n  args: [a, b]\n")
	patch := parse("spec:\n  replicas: 3\n  containers:\n    - name: api\n      ports: [8080]\n      securityContext: {privileged: true}\n    - name: debug\n      image: busybox\n  args: [c]\n")
	m := mergePatch(base, patch)
	spec := m.Get("spec")
	if got := spec.Get("replicas").String(); got != "3" {
		t.Errorf("replicas %q, want the patch's 3", got)
	}
	cs := spec.Get("containers").Items
	if len(cs) != 3 || cs[0].Get("name").String() != "api" || cs[1].Get("name").String() != "log" || cs[2].Get("name").String() != "debug" {
		t.Fatalf("containers %v, want api, log, debug", cs)
	}
	if cs[0].Get("image").String() != "api:1" || cs[0].Path("securityContext", "privileged").String() != "true" {
		t.Errorf("the patched container keeps the base's image and takes the patch's securityContext: %v", cs[0].Pairs)
	}
	if ports := cs[0].Get("ports").Items; len(ports) != 1 || ports[0].String() != "8080" {
		t.Errorf("a list of unnamed values is replaced: ports %v", ports)
	}
	if args := spec.Get("args").Items; len(args) != 1 || args[0].String() != "c" {
		t.Errorf("args %v, want the patch's", args)
	}
	if p := cs[0].Path("securityContext", "privileged"); p.Span.File != "x.yaml" || p.Span.Start.Line != 5 {
		t.Errorf("what the patch sets is where the patch says it: %v", p.Span)
	}
	if len(base.Get("spec").Get("containers").Items) != 2 || base.Path("spec", "replicas").String() != "1" || len(patch.Path("spec", "containers").Items[0].Pairs) != 3 {
		t.Error("the base or the patch was changed")
	}
}
