package lsp

import (
	"strings"
	"testing"

	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// TestHoverGovernance: the hover of a finding lists the requirements its threat bears on, by
// framework, what it weighs in residual risk, and a declared mitigation as declared.
func TestHoverGovernance(t *testing.T) {
	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	f := model.Finding{ThreatID: "AWS-S3-001", Severity: model.Critical, Confidence: model.Certain}
	got := hoverGovernance(lib, f)
	for _, want := range []string{"**Residual risk:** 10.0", "PCI DSS 4.0 `1.4.1`, `7.2.1`",
		"NIST SP 800-53 Rev. 5 `AC-3`, `AC-6`", "CIS AWS Foundations 3.0 `2.1.4`"} {
		if !strings.Contains(got, want) {
			t.Errorf("hover lacks %q:\n%s", want, got)
		}
	}
	f.Mitigated = &model.Ignore{ThreatID: f.ThreatID, Reason: "CloudFront with OAC only", Owner: "team-web", Ticket: "SEC-9"}
	got = hoverGovernance(lib, f)
	if !strings.Contains(got, "**Mitigated (declared, not observed):** CloudFront with OAC only (team-web, SEC-9)") || strings.Contains(got, "Residual risk") {
		t.Errorf("a declared mitigation:\n%s", got)
	}
}
