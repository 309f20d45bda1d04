package knowledge

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/threatls/threatls/model"
)

// A condition may read an attribute as e.attrs.NAME or e.attrs["NAME"], and ask whether it
// is there with has(e.attrs.NAME) or "NAME" in e.attrs. Every form names the attribute as
// evidence (so guidance can say what to change), and an attribute the condition only reads
// after asking whether it is there is answered by its absence: the finding is certain, not
// tentative.
func TestAttributeReadForms(t *testing.T) {
	const entry = `
- id: TEST-FORM-%d
  title: Entry point without declared defences
  stride: [Spoofing]
  likelihood: medium
  impact: medium
  applies_to: {kinds: [component]}
  condition: '%s'
  message: '{{.Name}} is open'
  mitigations: [{title: Declare them}]
  docs: {why: because, fix: this}
`
	conds := []string{
		`!("authenticates" in e.attrs && e.attrs["authenticates"] == true)`,
		`!(has(e.attrs.authenticates) && e.attrs.authenticates == true)`,
		`!("authenticates" in e.attrs && e.attrs.authenticates == true)`,
	}
	var src strings.Builder
	for i, c := range conds {
		src.WriteString(strings.NewReplacer("%d", string(rune('1'+i)), "%s", c).Replace(entry))
	}
	lib, errs := Load(fstest.MapFS{"threats/f.yaml": {Data: []byte(src.String())}}, "threats")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	web := &model.Element{ID: "c:web", Kind: model.Component, Name: "web", Head: sp(1), Span: sp(1), Attrs: model.Attrs{}}
	fs := lib.Evaluate(model.NewGraph([]*model.Element{web}), nil)
	if len(fs) != len(conds) {
		t.Fatalf("got %d findings, want one per condition: %+v", len(fs), fs)
	}
	for _, f := range fs {
		if f.Confidence != model.Certain {
			t.Errorf("%s: an absent attribute the condition asks about is an answer, got %v: %s", f.ThreatID, f.Confidence, f.Message)
		}
		if len(f.Evidence) != 1 || f.Evidence[0].Attr != "authenticates" || f.Evidence[0].Value != "(not set)" {
			t.Errorf("%s: evidence = %+v, want authenticates (not set)", f.ThreatID, f.Evidence)
		}
	}
	// Unresolved is not absent: an attribute that is there with an unknown value still makes
	// the finding tentative.
	web.Attrs.Set("authenticates", model.Attr{Origin: model.Unknown, Span: sp(1)})
	for _, f := range lib.Evaluate(model.NewGraph([]*model.Element{web}), nil) {
		if f.Confidence != model.Tentative {
			t.Errorf("%s: an unresolved attribute gave a %v finding", f.ThreatID, f.Confidence)
		}
	}
	// Declared, the finding goes.
	web.Attrs.Set("authenticates", model.Attr{Value: true, Origin: model.Declared, Span: sp(1)})
	if fs := lib.Evaluate(model.NewGraph([]*model.Element{web}), nil); len(fs) != 0 {
		t.Errorf("declared defences: %+v", fs)
	}
}

// Attributes that only select which elements a threat is about (the provider, the technology)
// are not evidence of it.
func TestSelectorsAreNotEvidence(t *testing.T) {
	const src = `
- id: TEST-SEL-001
  title: Bucket without logging
  stride: [Repudiation]
  likelihood: medium
  impact: medium
  applies_to: {kinds: [store]}
  condition: has(e.attrs.cloud) && e.attrs.cloud == "aws" && e.attrs.logging == false
  message: '{{.Name}} keeps no log'
  mitigations: [{title: Log}]
  docs: {why: because, fix: this}
`
	lib, errs := Load(fstest.MapFS{"threats/s.yaml": {Data: []byte(src)}}, "threats")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	b := &model.Element{ID: "c:b", Kind: model.Store, Name: "b", Head: sp(1), Span: sp(1)}
	b.Set("cloud", "aws", sp(1))
	b.Set("logging", false, sp(2))
	fs := lib.Evaluate(model.NewGraph([]*model.Element{b}), nil)
	if len(fs) != 1 {
		t.Fatalf("findings = %+v", fs)
	}
	if len(fs[0].Evidence) != 1 || fs[0].Evidence[0].Attr != "logging" {
		t.Errorf("evidence = %+v, want logging only", fs[0].Evidence)
	}
}

// A condition depends on whether a type is present when that is all it asks of
// workspace.types, and on how many there are as soon as it may read a count.
func TestTypeDep(t *testing.T) {
	for _, c := range []struct {
		cond string
		want model.DepKind
		any  bool // reads the count of a type it does not name
	}{
		{`e.attrs.primary == true && !("aws_cloudtrail" in workspace.types) && !('AWS::CloudTrail::Trail' in workspace.types)`, model.DepTypePresent, false},
		{`has_type("aws_kms_key")`, model.DepTypePresent, false},
		{"\"aws_vpc\" in workspace.types\n  && e.type == \"aws_subnet\"", model.DepTypePresent, false},
		{`"aws_vpc" in workspace.types && workspace.types["aws_vpc"] > 2`, model.DepType, false},
		{`workspace.types['aws_vpc'] > 2`, model.DepType, false},
		{`workspace.types[e.type] > 1`, model.DepType, true},
		{`size(workspace.types) > 0`, model.DepType, true},
		{`"aws_vpc" in workspace.types.filter(k, workspace.types[k] > 1)`, model.DepType, true},
		{`"aws_vpc" in workspace.types .filter(k, k.startsWith("aws"))`, model.DepType, true},
	} {
		if got, any := typeDep(c.cond); got != c.want || any != c.any {
			t.Errorf("typeDep(%s) = %v, %v; want %v, %v", c.cond, got, any, c.want, c.any)
		}
	}
}
