package knowledge_test

import (
	"testing"

	"github.com/threatls/threatls/knowledge"
)

// TestComplianceMappings holds the library to its promise: every threat bears on NIST SP
// 800-53 and on PCI DSS or ISO 27001, says why, and names only requirements of the embedded
// catalogues; every catalogue entry is used (the catalogues are trimmed to the mappings).
func TestComplianceMappings(t *testing.T) {
	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	cats, err := knowledge.Catalogues()
	if err != nil {
		t.Fatal(err)
	}
	if len(cats) != len(knowledge.Frameworks) {
		t.Fatalf("%d catalogues for %d frameworks", len(cats), len(knowledge.Frameworks))
	}
	used := map[string]bool{}
	for _, th := range lib.Threats() {
		c := th.Compliance
		if len(c["nist-800-53-r5"]) == 0 || len(c["pci-dss-4.0"])+len(c["iso-27001-2022"]) == 0 {
			t.Errorf("%s: maps to %v; want NIST SP 800-53 and PCI DSS or ISO 27001", th.ID, c)
		}
		if th.ComplianceRationale == "" {
			t.Errorf("%s: no compliance_rationale", th.ID)
		}
		for _, m := range th.Mappings() {
			used[m.Framework+" "+m.Requirement.ID] = true
			if !m.Known {
				t.Errorf("%s: %s %s is not in the catalogue", th.ID, m.Framework, m.Requirement.ID)
			}
		}
	}
	for _, c := range cats {
		if c.Licence == "" || c.Source == "" || (c.Text != "titles" && c.Text != "summaries") {
			t.Errorf("%s: licence, source and text (titles|summaries) are required", c.ID)
		}
		for _, r := range c.Requirements {
			if !used[c.ID+" "+r.ID] {
				t.Errorf("%s %s: no threat maps to it", c.ID, r.ID)
			}
		}
	}
	if knowledge.Catalogue("owasp-asvs") == nil || knowledge.Catalogue("nope") != nil {
		t.Error("Catalogue: the owasp-asvs alias does not resolve, or an unknown framework does")
	}
}
