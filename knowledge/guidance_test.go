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
				From: "test:a", To: "test:b", Attrs: model.AttrsOf(map[string]model.Attr{"protocol": {Value: "redis"}, "port": {Value: int64(6379)}, "image": {Value: "nginx:1.27"}})}
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

// TestGuideLeavesOutSelectors: attributes that only select what a threat is about (the
// provider, the technology, the account's primary provider) are neither steps ("make
// `primary` false") nor reasons ("it applies because `cloud` is `"aws"`"); the control is.
func TestGuideLeavesOutSelectors(t *testing.T) {
	lib, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	at := model.Span{File: "main.tf", Start: model.Pos{Line: 20}}
	for _, f := range []model.Finding{
		{ThreatID: "AWS-GD-001", ElementName: "provider.aws", Span: at, Evidence: []model.Evidence{
			{Attr: "primary", Value: "true", Origin: model.Read, Span: at, Note: "the default aws provider"}}},
		{ThreatID: "SYS-AUTH-004", ElementName: "aws_elasticache_replication_group.cache", Span: at, Evidence: []model.Evidence{
			{Attr: "authenticated", Value: "false", Origin: model.Defaulted, Note: "no auth_token"},
			{Attr: "cloud", Value: `"aws"`, Origin: model.Read, Span: at},
			{Attr: "technology", Value: `"redis"`, Origin: model.Read, Span: at}}},
	} {
		g := lib.Guide(f, GuideInput{})
		steps := strings.Join(g.Steps, "\n")
		for _, sel := range []string{"`primary`", "`cloud`", "`technology`"} {
			if strings.Contains(steps, sel) {
				t.Errorf("%s: a selector is a step:\n%s", f.ThreatID, steps)
			}
		}
		if len(g.Because) != 0 {
			t.Errorf("%s: selectors given as reasons: %v", f.ThreatID, g.Because)
		}
	}
	g := lib.Guide(model.Finding{ThreatID: "SYS-AUTH-004", Evidence: []model.Evidence{
		{Attr: "authenticated", Value: "false", Origin: model.Defaulted}, {Attr: "cloud", Value: `"aws"`, Origin: model.Read}}}, GuideInput{})
	if !strings.Contains(strings.Join(g.Steps, "\n"), "Make `authenticated` true") {
		t.Errorf("the control is no longer a step: %v", g.Steps)
	}
}

// TestGuideCloudControls: a control that a cloud threat reads off (it was never set) is a step
// that names it.
func TestGuideCloudControls(t *testing.T) {
	lib, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	el := &model.Element{ID: "terraform:infra/aws_lb.shop", Kind: model.Component, Type: "aws_lb", Name: "aws_lb.shop"}
	for _, tc := range []struct{ threat, attr string }{
		{"AWS-S3-004", "sse_configured"}, {"CLOUD-LOG-001", "logging"}, {"GCP-GKE-004", "workload_identity"},
	} {
		f := model.Finding{ThreatID: tc.threat, Element: el.ID, ElementName: el.Name, Evidence: []model.Evidence{
			{Attr: tc.attr, Value: "false", Origin: model.Defaulted, Note: "not set"}}}
		g := lib.Guide(f, GuideInput{Element: el})
		if want := "Make `" + tc.attr + "` true — it is `false` because nothing sets it: not set."; !strings.Contains(strings.Join(g.Steps, "\n"), want) {
			t.Errorf("%s: steps lack %q: %v", tc.threat, want, g.Steps)
		}
	}
}
