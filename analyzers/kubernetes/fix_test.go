package kubernetes_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/kubernetes"
	"github.com/threatls/threatls/engine/corpus"
	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// element extracts and links src alone and returns the element with the given ID.
func element(t *testing.T, file string, src []byte, id string) *model.Element {
	t.Helper()
	a := kubernetes.New()
	ff := analyzertest.Extract(t, a, file, src)
	for _, e := range a.Link([]*model.FileFacts{ff}) {
		if e.ID == id {
			return e
		}
	}
	t.Fatalf("no element %s", id)
	return nil
}

// TestFix runs the fix named in the first line of each testdata/fix/*.yaml
// (`# fix: ELEMENT-ID {op as JSON}`) and compares the result with the .golden file.
func TestFix(t *testing.T) {
	for _, c := range analyzertest.FixCases(t, filepath.Join("testdata", "fix", "*.yaml")) {
		t.Run(filepath.Base(c.Path), func(t *testing.T) {
			file := filepath.Base(c.Path)
			edits, err := kubernetes.New().Fix(c.Src, element(t, file, c.Src, c.Element), c.Op)
			if err != nil {
				t.Fatal(err)
			}
			got := analyzertest.Apply(t, c.Src, edits)
			analyzertest.Golden(t, c.Path, got)
			// The result still parses, and the element is still there.
			element(t, file, got, c.Element)
		})
	}
}

func TestFixErrors(t *testing.T) {
	src := []byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: [{name: c, image: x}]\n  volumes:\n    - name: v\n")
	el := element(t, "p.yaml", src, "kubernetes:default/Pod/p")
	for _, tc := range []struct {
		op   model.FixOp
		want string
	}{
		{model.FixOp{Op: "replace", Old: "x", New: "y"}, "no mechanical replace for Kubernetes yet"},
		{model.FixOp{Op: "append", Text: "\n"}, "append needs a text"},
		{model.FixOp{Op: "set", Path: "spec.containers[0].securityContext.runAsNonRoot", Value: "true"}, "flow-style map"},
		{model.FixOp{Op: "set", Path: "spec.initContainers[0].image", Value: "x"}, "no list initContainers"},
		{model.FixOp{Op: "set", Path: "spec.volumes[3].name", Value: "x"}, "has no item 3"},
		{model.FixOp{Op: "set", Path: "spec.volumes", Value: "x"}, "not a scalar"},
		{model.FixOp{Op: "set", Path: "spec..x", Value: "x"}, "empty key"},
		{model.FixOp{Op: "set", Path: "spec.x", Value: ""}, "one-line value"},
	} {
		_, err := kubernetes.New().Fix(src, el, tc.op)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want %q", tc.op, err, tc.want)
		}
	}
}

// A fix computed from the document of the element is the fix computed from the whole stream,
// for every set and append of the library's mitigations of every object of a stream of a few
// hundred manifests.
func TestFixInDocumentIsFixInFile(t *testing.T) {
	src, _ := corpus.LargeManifest(corpus.Seed, 40<<10)
	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	a := kubernetes.New()
	ff := analyzertest.Extract(t, a, "cluster/all.yaml", src)
	tried, appended := 0, 0
	for _, el := range a.Link([]*model.FileFacts{ff}) {
		if el.Head.File != "cluster/all.yaml" {
			continue
		}
		for _, th := range lib.Threats() {
			for _, m := range lib.FixOps(th.ID, el) {
				op := m.Ops[0]
				if op.Op != "set" && op.Op != "append" {
					continue
				}
				got, gotErr := a.Fix(src, el, op)
				want, wantErr := kubernetes.FixWhole(src, el, op)
				if wantErr != nil {
					want, wantErr = nil, fmt.Errorf("kubernetes fix %s: %s %s: %w", el.Name, op.Op, op.Path, wantErr)
				}
				if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
					t.Errorf("%s, %+v: from its document %v (%v), from the stream %v (%v)", el.ID, op, got, gotErr, want, wantErr)
				}
				tried++
				if op.Op == "append" {
					appended++
				}
			}
		}
	}
	if tried < 50 || appended == 0 {
		t.Fatalf("only %d fixes tried (%d appends): the stream no longer has what the test needs", tried, appended)
	}
	t.Logf("%d fixes, %d of them appends", tried, appended)
}

// A workload a patch written in a kustomization makes is defined in a string of the
// kustomization: a fix is not written into the kustomization as if it were the workload.
func TestNoFixInAKustomizationsPatch(t *testing.T) {
	a := kubernetes.New()
	kust := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [deploy.yaml]\npatches:\n" +
		"  - target: {kind: Deployment, name: api}\n    patch: |-\n      - op: add\n        path: /spec/template/spec/hostNetwork\n        value: true\n"
	deploy := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: api:1\n"
	facts := []*model.FileFacts{analyzertest.Extract(t, a, "k/kustomization.yaml", []byte(kust)), analyzertest.Extract(t, a, "k/deploy.yaml", []byte(deploy))}
	for _, e := range a.Link(facts) {
		if e.ID != "kubernetes:default/Deployment/api@k/kustomization.yaml" {
			continue
		}
		edits, err := a.Fix([]byte(kust), e, model.FixOp{Op: "set", Path: "spec.template.spec.hostNetwork", Value: "false"})
		if err == nil {
			t.Fatalf("a fix of the patched Deployment edits its kustomization: %v", edits)
		}
		return
	}
	t.Fatal("no twin of the Deployment made by the kustomization's patch")
}
