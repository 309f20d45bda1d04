package kubernetes

import (
	"testing"

	"github.com/threatls/threatls/analyzers/yamlnode"
)

// A patch merges as kustomize's strategic merge does: maps key by key, lists of named
// entries entry by entry (a container the base has is patched, one it has not is added, the
// others kept), any other value replaced; the base and the patch are left as they were.
func TestMergePatch(t *testing.T) {
	base := tree(t, "spec:\n  replicas: 1\n  containers:\n    - name: api\n      image: api:1\n      ports: [80]\n    - name: log\n      image: log:1\n  args: [a, b]\n")
	patch := tree(t, "spec:\n  replicas: 3\n  containers:\n    - name: api\n      ports: [8080]\n      securityContext: {privileged: true}\n    - name: debug\n      image: busybox\n  args: [c]\n")
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

// Lists merge by their field's merge key, as the Kubernetes API's types say: a container's
// ports by containerPort, its volume mounts by mountPath (two mounts of one volume are two
// entries). $patch: delete removes an entry, $patch: replace replaces a map or a list whole,
// and no directive is left in the workload.
func TestMergePatchKeysAndDirectives(t *testing.T) {
	base := tree(t, "spec:\n  containers:\n    - name: api\n      ports: [{containerPort: 80}]\n"+
		"      volumeMounts: [{name: data, mountPath: /data}]\n      securityContext: {runAsNonRoot: true, runAsUser: 1000}\n"+
		"    - name: debug\n      securityContext: {privileged: true}\n  tolerations: [{key: a}]\n  affinity: {nodeAffinity: {}}\n")
	patch := tree(t, "spec:\n  $setElementOrder/containers: [{name: api}]\n  containers:\n    - name: api\n"+
		"      ports: [{containerPort: 8080, hostPort: 8080}]\n      volumeMounts: [{name: data, mountPath: /backup, readOnly: true}]\n"+
		"      securityContext: {$patch: replace, runAsUser: 0}\n    - name: debug\n      $patch: delete\n  tolerations: [{key: b}]\n"+
		"  affinity: {$patch: delete}\n  dnsConfig: {$patch: delete}\n")
	spec := mergePatch(base, patch).Get("spec")
	cs := spec.Get("containers").Items
	if len(cs) != 1 || cs[0].Get("name").String() != "api" {
		t.Fatalf("containers %v, want api alone ($patch: delete removes debug)", cs)
	}
	api := cs[0]
	if ports := api.Get("ports").Items; len(ports) != 2 || ports[0].Get("containerPort").String() != "80" || ports[1].Get("hostPort").String() != "8080" {
		t.Errorf("ports merge by containerPort: %v", ports)
	}
	if ms := api.Get("volumeMounts").Items; len(ms) != 2 || ms[0].Get("mountPath").String() != "/data" || ms[1].Get("mountPath").String() != "/backup" {
		t.Errorf("volume mounts merge by mountPath: %v", ms)
	}
	if sc := api.Get("securityContext"); sc.Get("runAsNonRoot") != nil || sc.Get("runAsUser").String() != "0" || sc.Get("$patch") != nil {
		t.Errorf("$patch: replace replaces the map whole, without the directive: %v", sc.Pairs)
	}
	if ts := spec.Get("tolerations").Items; len(ts) != 1 || ts[0].Get("key").String() != "b" {
		t.Errorf("a list without a merge key is replaced: %v", ts)
	}
	if spec.Get("affinity") != nil || spec.Get("dnsConfig") != nil {
		t.Error("a map $patch: delete deletes is there")
	}
	if spec.Get("$setElementOrder/containers") != nil {
		t.Error("a directive was left in the workload")
	}
	list := mergePatch(base, tree(t, "spec:\n  containers:\n    - {$patch: replace}\n    - name: web\n"))
	if cs := list.Get("spec").Get("containers").Items; len(cs) != 1 || cs[0].Get("name").String() != "web" || len(cs[0].Pairs) != 1 {
		t.Errorf("an entry $patch: replace replaces the list: %v", cs)
	}
}

// JSON 6902 operations are done as the strategic merge patches that do what they do: add and
// replace put a value at a path (an index of the containers is the container of that name),
// remove deletes; an operation through an index of a list of unnamed values applies nothing.
func TestApplyOps(t *testing.T) {
	base := tree(t, "spec:\n  containers:\n    - name: api\n      image: api:1\n      securityContext: {runAsNonRoot: true}\n    - name: log\n      image: log:1\n  args: [a]\n")
	got := applyOps(base, tree(t, "- op: add\n  path: /spec/hostNetwork\n  value: true\n"+
		"- op: replace\n  path: /spec/containers/1/image\n  value: log:2\n"+
		"- op: remove\n  path: /spec/containers/0/securityContext/runAsNonRoot\n"+
		"- op: add\n  path: /spec/args/0\n  value: b\n"+
		"- op: test\n  path: /spec/hostNetwork\n  value: false\n"))
	if got == nil {
		t.Fatal("no operation applied")
	}
	spec := got.Get("spec")
	cs := spec.Get("containers").Items
	if spec.Get("hostNetwork").String() != "true" || len(cs) != 2 || cs[1].Get("image").String() != "log:2" || cs[0].Get("image").String() != "api:1" {
		t.Errorf("after the operations: %v", spec.Pairs)
	}
	if sc := cs[0].Get("securityContext"); sc.Get("runAsNonRoot") != nil {
		t.Errorf("runAsNonRoot was removed: %v", sc.Pairs)
	}
	if args := spec.Get("args").Items; len(args) != 1 || args[0].String() != "a" {
		t.Errorf("an index of unnamed values applies nothing: args %v", args)
	}
	if applyOps(base, tree(t, "- op: copy\n  from: /a\n  path: /b\n")) != nil {
		t.Error("an operation that applies nothing gave a workload")
	}
}

// tree is the root of src, one YAML document that parses.
func tree(t *testing.T, src string) *yamlnode.Node {
	t.Helper()
	docs, problems := yamlnode.Parse([]byte(src), "x.yaml")
	if len(problems) > 0 || len(docs) != 1 {
		t.Fatalf("%q: %v", src, problems)
	}
	return docs[0].Root
}
