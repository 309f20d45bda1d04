package cloudformation_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/cloudformation"
	"github.com/threatls/threatls/model"
)

// elementID maps a logical ID written in file to the ID of its element.
func elementID(file, name string) string { return "cloudformation:" + file + "/" + name }

func TestTemplates(t *testing.T) {
	analyzertest.Run(t, cloudformation.New(), filepath.Join("testdata", "src"), elementID)
}

// TestJSONAndYAML checks that a JSON template and its YAML twin (short forms) yield the same
// elements, attributes (value and origin) and suppressions.
func TestJSONAndYAML(t *testing.T) {
	a := cloudformation.New()
	read := func(name string) *model.FileFacts {
		src, err := os.ReadFile(filepath.Join("testdata", "twins", name))
		if err != nil {
			t.Fatal(err)
		}
		return analyzertest.Extract(t, a, name, src)
	}
	js, ym := read("stack.template.json"), read("stack.template.yaml")
	describe := func(ff *model.FileFacts) []string {
		var out []string
		for _, e := range ff.Elements {
			out = append(out, fmt.Sprintf("element %s %s %s", e.Name, e.Kind, e.Type))
			for _, k := range e.Attrs.Names() {
				at := e.Attrs.At(k)
				out = append(out, fmt.Sprintf("  %s = %v (%s)", k, at.Value, at.Origin))
			}
		}
		for _, ig := range ff.Ignores {
			out = append(out, fmt.Sprintf("ignore %s %q", ig.ThreatID, ig.Reason))
		}
		for _, p := range ff.Problems {
			out = append(out, "problem "+p.Message)
		}
		return out
	}
	dj, dy := describe(js), describe(ym)
	if len(dj) < 10 {
		t.Fatalf("the JSON template yields too little:\n%s", strings.Join(dj, "\n"))
	}
	if !slices.Equal(dj, dy) {
		t.Errorf("JSON and YAML differ:\n--- json\n%s\n--- yaml\n%s", strings.Join(dj, "\n"), strings.Join(dy, "\n"))
	}
	if len(js.Ignores) != 1 || js.Ignores[0].Target.Start.Line != 9 {
		t.Errorf("the Metadata suppression of Db: got %+v", js.Ignores)
	}
}

func FuzzExtract(f *testing.F) {
	analyzertest.Seeds(f, filepath.Join("testdata", "src", "*", "*.y*ml"), filepath.Join("testdata", "twins", "*"))
	f.Add([]byte("Resources: {A: {Type: AWS::S3::Bucket, Properties: !If [C, {}, x]}}\nConditions: {C: !Condition C}\n"))
	f.Add([]byte("Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties: {KmsMasterKeyId: !Sub ['${x}${', {x: !Ref A}]}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		a := cloudformation.New()
		ff := analyzertest.Extract(t, a, "f.cfn.yaml", src)
		els := a.Link([]*model.FileFacts{ff})
		analyzertest.Inside(t, src, ff, els)
		ids := map[string]bool{}
		for _, e := range els {
			if ids[e.ID] {
				t.Fatalf("duplicate ID %s", e.ID)
			}
			ids[e.ID] = true
			if e.Kind == model.Store {
				_, _ = a.Fix(src, e, model.FixOp{Op: "set", Path: "Properties.Encrypted", Value: "true"})
			}
		}
	})
}

// TestSniff checks that templates are recognised by their content, and manifests are not.
func TestSniff(t *testing.T) {
	for src, want := range map[string]bool{
		"AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n":                           true,
		"Transform: AWS::Serverless-2016-10-31\nResources: {}\n":                            true,
		"Resources:\n  B:\n    Type: AWS::S3::Bucket\n":                                     true,
		`{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}`:                                 true,
		"apiVersion: v1\nkind: ConfigMap\ndata:\n  Resources: x\n  Type: AWS::S3::Bucket\n": false,
		"services:\n  web:\n    image: nginx\n":                                             false,
		// A template held in a ConfigMap, and serverless.yml's resources: indent the keys.
		"apiVersion: v1\nkind: ConfigMap\ndata:\n  t.yaml: |\n    AWSTemplateFormatVersion: '2010-09-09'\n":                 false,
		"kind: ConfigMap\ndata:\n  t.yaml: |\n    AWSTemplateFormatVersion: x\n    Transform: AWS::Serverless-2016-10-31\n": false,
		"service: api\nresources:\n  Resources:\n    B:\n      Type: AWS::S3::Bucket\n":                                     false,
	} {
		if got := cloudformation.Sniff([]byte(src)); got != want {
			t.Errorf("Sniff(%q) = %v, want %v", src, got, want)
		}
	}
}

// BenchmarkSniff is what a load pays for each manifest it reads: Sniff on the first 4 KB of a
// Deployment (0.3 ms when every expression was tried on every file; under a microsecond when
// each is tried only where its literal is).
func BenchmarkSniff(b *testing.B) {
	deployment := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n" +
		"      containers:\n        - name: app\n          image: nginx:1.25\n          env:\n" +
		"            - name: REDIS_URL\n              value: redis://cache:6379\n"
	head := []byte(strings.Repeat(deployment, 4096/len(deployment)+1)[:4096])
	for b.Loop() {
		if cloudformation.Sniff(head) {
			b.Fatal("a Deployment taken for a template")
		}
	}
}

// TestMatch checks the names that claim a file as a template.
func TestMatch(t *testing.T) {
	a := cloudformation.New()
	for p, want := range map[string]bool{
		"infra/stack.template":         true,
		"infra/stack.template.yaml":    true,
		"template.yaml":                true,
		"app/template.yml":             true,
		"infra/network.cfn.json":       true,
		"cloudformation/db.yaml":       true,
		"deploy/cfn/buckets.json":      true,
		"infra/vpc-cloudformation.yml": true,
		"k8s/deployment.yaml":          false,
		"templates/deployment.yaml":    false,
		"package.json":                 false,
		"main.tf":                      false,
	} {
		if got := a.Match(p, ""); got != want {
			t.Errorf("Match(%q) = %v, want %v", p, got, want)
		}
	}
}
