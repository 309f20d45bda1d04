package threagile

import (
	"testing"

	"github.com/threatls/threatls/model"
)

// TestRiskTracking: risk_tracking entries keyed by a threatls threat are read into the risk
// register with their status, owner (checked_by), reason and expiry (date); Threagile's own
// categories and undecided statuses are not; a missing checked_by or a bad date is reported.
func TestRiskTracking(t *testing.T) {
	src := []byte(`title: t
technical_assets:
  web:
    id: web
    type: process
risk_tracking:
  SYS-EDGE-001@web:
    status: mitigated
    justification: WAF managed by the platform team
    ticket: SEC-12
    date: 2027-01-31
    checked_by: team-platform
  AWS-S3-004@*:
    status: false-positive
    justification: SSE-S3 by default
    ticket: null
    date: null
    checked_by: team-platform
  SYS-AUTH-001@web:
    status: accepted
    justification: the VPN authenticates
  SYS-CONT-009@web:
    status: in-progress
    checked_by: me
  untrusted-deserialization@web:
    status: accepted
    checked_by: me
  SYS-AUDIT-001@web:
    status: accepted
    justification: later
    checked_by: me
    date: soon
`)
	ff := extract(src, "threagile.yaml")
	type entry struct {
		status                                         model.RiskStatus
		threat, element, owner, reason, until, problem string
		line                                           int
	}
	var got []entry
	for _, r := range ff.Risks {
		got = append(got, entry{r.Status, r.Threat, r.Element, r.Owner, r.Reason, r.Until, r.Problem, int(r.Span.Start.Line) + 1})
	}
	want := []entry{
		{model.Mitigated, "SYS-EDGE-001", "threagile:threagile.yaml/web", "team-platform", "WAF managed by the platform team", "2027-01-31", "", 7},
		{model.Accepted, "AWS-S3-004", "", "team-platform", "false positive: SSE-S3 by default", "", "", 13},
		{model.Accepted, "SYS-AUTH-001", "threagile:threagile.yaml/web", "", "the VPN authenticates", "", "risk_tracking SYS-AUTH-001@web needs checked_by: who owns the decision", 19},
		{model.Accepted, "SYS-AUDIT-001", "threagile:threagile.yaml/web", "me", "later", "soon", "risk_tracking SYS-AUDIT-001@web: date soon is not a date (YYYY-MM-DD)", 28},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}
