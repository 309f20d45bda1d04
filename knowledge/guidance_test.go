package knowledge

import (
	"strings"
	"testing"

	"github.com/threatls/threatls/model"
)

// TestExamplesRender: every documented example renders for an element it fits, without a
// template error or a value the template could not find.
func TestExamplesRender(t *testing.T) {
	lib, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, th := range lib.Threats() {
		for i, ex := range th.Docs.Examples {
			el := &model.Element{ID: "test:dir/thing/env/MY_VAR", Name: "thing", Type: "x", Kind: model.Component,
				From: "test:a", To: "test:b", Attrs: map[string]model.Attr{"protocol": {Value: "redis"}, "port": {Value: int64(6379)}, "image": {Value: "nginx:1.27"}}}
			switch {
			case len(ex.Types) > 0:
				el.Type = ex.Types[0]
			case len(th.AppliesTo.Types) > 0:
				el.Type = th.AppliesTo.Types[0]
			}
			if len(ex.Kinds) > 0 {
				el.Kind = ex.Kinds[0]
			} else if len(th.AppliesTo.Kinds) > 0 {
				el.Kind = th.AppliesTo.Kinds[0]
			}
			format := ""
			if len(ex.Formats) > 0 {
				format = ex.Formats[0]
			}
			th := *th
			th.Docs.Examples = th.Docs.Examples[i : i+1]
			got := th.example(el, nil, format)
			if got == nil {
				t.Errorf("%s: example %d (%s) does not render for a %s %s", th.ID, i, ex.Title, el.Kind, el.Type)
				continue
			}
			if strings.Contains(got.Text, "<no value>") || strings.Contains(got.Text, "{{.") {
				t.Errorf("%s: example %d renders badly:\n%s", th.ID, i, got.Text)
			}
			n++
		}
	}
	if n < 20 {
		t.Errorf("only %d examples rendered", n)
	}
}

// TestGuideSteps: the steps name the element, the attribute to change and its value now;
// values that are not flags are the reasons, not steps; a model-level finding gets the
// threatls.yaml entry that records the control.
func TestGuideSteps(t *testing.T) {
	lib, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	el := &model.Element{ID: "kubernetes:shop/Deployment/web", Kind: model.Component, Type: "Deployment", Name: "Deployment/web"}
	at := model.Span{File: "k8s/web.yaml", Start: model.Pos{Line: 8, Col: 2}}
	f := model.Finding{ThreatID: "SYS-EDGE-001", Severity: model.Info, Element: el.ID, ElementName: el.Name, Span: at,
		Evidence: []model.Evidence{
			{Attr: "authenticates", Value: "false", Origin: model.Defaulted, Note: "no auth annotation"},
			{Attr: "port", Value: "443", Origin: model.Read, Span: at},
		}}
	g := lib.Guide(f, GuideInput{Element: el, Format: "kubernetes"})
	steps := strings.Join(g.Steps, "\n")
	for _, want := range []string{"Here: `Deployment/web` at `k8s/web.yaml:9:3`",
		"Make `authenticates` true — it is `false` because nothing sets it: no auth annotation."} {
		if !strings.Contains(steps, want) {
			t.Errorf("steps lack %q:\n%s", want, steps)
		}
	}
	if strings.Contains(steps, "`port`") || len(g.Because) != 1 || !strings.Contains(g.Because[0], "`port` is `443`") {
		t.Errorf("the port is a reason, not a step: steps\n%s\nbecause %v", steps, g.Because)
	}
	if g.Example == nil || !strings.Contains(g.Example.Text, "routes to Deployment/web") {
		t.Errorf("example = %+v", g.Example)
	}
	if want := "elements:\n  - name: \"kubernetes:shop/Deployment/web\"\n    attrs: {authenticates: true}\n"; g.Declare != want {
		t.Errorf("declare = %q, want %q", g.Declare, want)
	}
	// Another format gets no Kubernetes example.
	if g := lib.Guide(f, GuideInput{Element: el, Format: "compose"}); g.Example != nil {
		t.Errorf("a compose finding got the example %q", g.Example.Title)
	}
}
