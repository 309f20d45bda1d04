package cloudformation_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/cloudformation"
	"github.com/threatls/threatls/analyzers/terraform"
	"github.com/threatls/threatls/mapping"
	"github.com/threatls/threatls/model"
)

// TestParity checks the promise of the resource mapping: a resource declared in Terraform and
// the same resource in CloudFormation become elements of the same kind with the same
// attributes (value and origin), so that the same threats fire on both. testdata/parity holds
// the pairs; a Terraform label is the CloudFormation logical ID in lower case.
func TestParity(t *testing.T) {
	tfFacts, _ := analyzertest.Workspace(t, terraform.New(), "testdata/parity")
	cfnFacts, _ := analyzertest.Workspace(t, cloudformation.New(), "testdata/parity")
	rows := mapping.Builtin()
	rowOf := func(typ string) string {
		if r, _ := rows.Of(typ); r != nil {
			return r.ID
		}
		return ""
	}
	tf := map[string]*model.Element{} // row ID + " " + label
	for _, e := range terraform.New().Link(tfFacts) {
		if _, label, ok := strings.Cut(e.Name, "."); ok {
			tf[rowOf(e.Type)+" "+label] = e
		}
	}
	// Attributes only one format can say: where an element sits and how it is named.
	skip := map[string]bool{"zone": true, "tags": true}
	pairs := 0
	for _, c := range cloudformation.New().Link(cfnFacts) {
		e := tf[rowOf(c.Type)+" "+strings.ToLower(c.Name)]
		if e == nil {
			continue
		}
		pairs++
		if e.Kind != c.Kind {
			t.Errorf("%s is a %s in Terraform, a %s in CloudFormation", c.Name, e.Kind, c.Kind)
		}
		describe := func(el *model.Element) []string {
			var out []string
			for _, k := range el.Attrs.Names() {
				if !skip[k] {
					a := el.Attrs.At(k)
					out = append(out, fmt.Sprintf("%s=%v(%s)", k, a.Value, a.Origin))
				}
			}
			return out
		}
		if a, b := describe(e), describe(c); !slices.Equal(a, b) {
			t.Errorf("%s differs:\n  terraform:      %s\n  cloudformation: %s", c.Name, strings.Join(a, " "), strings.Join(b, " "))
		}
	}
	if pairs < 9 {
		t.Errorf("only %d pairs compared", pairs)
	}
}
