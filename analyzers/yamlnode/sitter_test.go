package yamlnode

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// yamlFiles returns the YAML files of the repository's testdata: manifests, compose files,
// workflows, models, threatls.yaml files.
func yamlFiles(t testing.TB) []string {
	var out []string
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || d.Name() == "bin") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) && strings.Contains(p, "testdata") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// diff describes the first difference between two trees, or "".
func diff(path string, a, b *Node) string {
	switch {
	case a == nil && b == nil:
		return ""
	case a == nil || b == nil:
		return fmt.Sprintf("%s: yaml.v3 %v, tree-sitter %v", path, a != nil, b != nil)
	case a.Kind != b.Kind || a.Tag != b.Tag || a.Value != b.Value:
		return fmt.Sprintf("%s: yaml.v3 %d %s %q, tree-sitter %d %s %q", path, a.Kind, a.Tag, a.Value, b.Kind, b.Tag, b.Value)
	case a.Span.Start.Offset != b.Span.Start.Offset || a.Span.End.Offset != b.Span.End.Offset:
		return fmt.Sprintf("%s (%q): span yaml.v3 %s-%d:%d, tree-sitter %s-%d:%d", path, a.Value, a.Span, a.Span.End.Line+1, a.Span.End.Col+1, b.Span, b.Span.End.Line+1, b.Span.End.Col+1)
	case len(a.Pairs) != len(b.Pairs) || len(a.Items) != len(b.Items):
		return fmt.Sprintf("%s: yaml.v3 %d pairs %d items, tree-sitter %d pairs %d items", path, len(a.Pairs), len(a.Items), len(b.Pairs), len(b.Items))
	}
	for i := range a.Pairs {
		if d := diff(path+"."+a.Pairs[i].Key.Value+"(key)", a.Pairs[i].Key, b.Pairs[i].Key); d != "" {
			return d
		}
		if d := diff(path+"."+a.Pairs[i].Key.Value, a.Pairs[i].Value, b.Pairs[i].Value); d != "" {
			return d
		}
	}
	for i := range a.Items {
		if d := diff(fmt.Sprintf("%s[%d]", path, i), a.Items[i], b.Items[i]); d != "" {
			return d
		}
	}
	return ""
}

// grammarGaps are valid documents tree-sitter's YAML grammar misreads (it then recovers
// what precedes the fault, as for a broken document).
var grammarGaps = map[string]string{
	"../../analyzers/otm/testdata/src/example/example.otm.yaml": "a multi-line single-quoted scalar whose lines are indented unevenly (line 128): the grammar stops there",
}

// TestSitterMatchesYAMLv3 holds the tree-sitter backend to yaml.v3's trees — kinds, tags,
// values, spans — on every document of the repository's YAML testdata that yaml.v3 reads.
func TestSitterMatchesYAMLv3(t *testing.T) {
	files := yamlFiles(t)
	if len(files) < 50 {
		t.Fatalf("found only %d YAML files", len(files))
	}
	docs, same := 0, 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := Parse(src, f)
		got := sitterDocs(src, f)
		if len(got) != len(want) {
			t.Errorf("%s: %d documents, tree-sitter %d", f, len(want), len(got))
			continue
		}
		for i := range want {
			if want[i].Root == nil {
				continue
			}
			docs++
			if why, ok := grammarGaps[filepath.ToSlash(f)]; ok {
				t.Logf("%s: %s", f, why)
				continue
			}
			if d := diff("", want[i].Root, got[i].Root); d != "" {
				t.Errorf("%s document %d: %s", f, i, d)
				continue
			}
			same++
		}
	}
	t.Logf("%d of %d documents of %d files read alike", same, docs, len(files))
}

// A document yaml.v3 rejects keeps, through Recover, every entry outside the fault: here
// a flow sequence left open in one container of a Deployment.
func TestParseRecovers(t *testing.T) {
	src := []byte(`apiVersion: v1
kind: Pod
metadata:
  name: p
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      hostNetwork: true
      containers:
        - name: api
          image: shop/api:1
          securityContext:
            privileged: true
        - name: side
          ports: [80, 443
          image: side:latest
      serviceAccountName: api
`)
	docs, problems := Parse(src, "m.yaml")
	if len(docs) != 2 || docs[0].Root == nil || docs[1].Root != nil || len(problems) != 1 || problems[0].Span.Start.Line < 5 {
		t.Fatalf("docs %d, problems %+v: want two documents, one problem in the second", len(docs), problems)
	}
	docs, problems = Recover(src, "m.yaml", docs, problems)
	if !strings.HasSuffix(problems[0].Message, "; the rest of this document is read as far as it is intact") {
		t.Errorf("problem after Recover: %q", problems[0].Message)
	}
	if docs[0].Recovered || !docs[1].Recovered {
		t.Errorf("recovered: %v, %v; want only the second", docs[0].Recovered, docs[1].Recovered)
	}
	d := docs[1].Root
	if d == nil {
		t.Fatal("the broken document kept nothing")
	}
	if got := d.Path("metadata", "name").String(); got != "api" {
		t.Errorf("metadata.name = %q", got)
	}
	spec := d.Path("spec", "template", "spec")
	if b, ok := spec.Get("hostNetwork").Bool(); !ok || !b {
		t.Errorf("hostNetwork lost: %+v", spec.Get("hostNetwork"))
	}
	cs := spec.Get("containers")
	if cs == nil || len(cs.Items) == 0 {
		t.Fatalf("containers lost: %+v", spec)
	}
	first := cs.Items[0]
	if b, ok := first.Path("securityContext", "privileged").Bool(); !ok || !b || first.Get("image").String() != "shop/api:1" {
		t.Errorf("the intact container lost its fields: %+v", first)
	}
	if sp := first.Get("image").Span; string(src[sp.Start.Offset:sp.End.Offset]) != "shop/api:1" {
		t.Errorf("span of the intact container's image: %q", src[sp.Start.Offset:sp.End.Offset])
	}
}

// The example that tree-sitter's grammar misreads still yields what precedes the fault.
func TestSitterGrammarGap(t *testing.T) {
	src, err := os.ReadFile("../../analyzers/otm/testdata/src/example/example.otm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	root := sitterDocs(src, "x")[0].Root
	for _, k := range []string{"otmVersion", "project", "representations", "assets", "components"} {
		if root.Get(k) == nil {
			t.Errorf("recovered document lacks %s", k)
		}
	}
}

// A line of junk left open at the end of a pod's spec (the decoder stops at the end of the
// text) keeps, through Recover, every entry above it where it is: tree-sitter's recovery
// wrapped them in one ERROR and read spec, template and containers as entries of the top
// mapping, and the privileged container above the junk passed every gate.
func TestRecoverKeepsWhereEntriesAre(t *testing.T) {
	src := []byte(`apiVersion: v1
kind: ConfigMap
metadata:
  name: c
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  template:
    spec:
      containers:
        - name: app
          image: "x:1"
          securityContext:
            privileged: true
      junk: [
`)
	docs, problems := Parse(src, "d.yaml")
	docs, problems = Recover(src, "d.yaml", docs, problems)
	if len(docs) != 2 || !docs[1].Recovered || len(problems) != 1 {
		t.Fatalf("%d documents, recovered %v, problems %v: want the second recovered", len(docs), len(docs) > 1 && docs[1].Recovered, problems)
	}
	d := docs[1].Root
	if d.Get("containers") != nil || d.Get("template") != nil {
		t.Errorf("entries of the pod's spec read at the top of the document: %v", d.Pairs)
	}
	c := d.Path("spec", "template", "spec", "containers")
	if c == nil || len(c.Items) != 1 {
		t.Fatalf("spec.template.spec.containers: %+v", c)
	}
	p := c.Items[0].Path("securityContext", "privileged")
	if b, ok := p.Bool(); !ok || !b || string(src[p.Span.Start.Offset:p.Span.End.Offset]) != "true" || p.Span.Start.Line != 16 || p.Span.Start.Col != 24 {
		t.Errorf("privileged: %+v at %v", p, p.Span)
	}
}
