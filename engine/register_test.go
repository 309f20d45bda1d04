package engine_test

import (
	"testing"

	"github.com/threatls/threatls/engine/enginetest"
	"github.com/threatls/threatls/model"
)

// TestRegister checks the risk register of threatls.yaml end to end: what it accepts and
// mitigates, and the diagnostics of its malformed, expired and unused entries (the wants in
// testdata/register).
func TestRegister(t *testing.T) {
	snap := enginetest.Scan(t, newEngine(t), "testdata/register")
	enginetest.Check(t, snap)
	type state struct{ accepted, mitigated, source string }
	want := map[string]state{
		"AWS-S3-003 aws_s3_bucket.assets":  {},
		"AWS-S3-003 aws_s3_bucket.reports": {accepted: "threatls.yaml"},
		"AWS-S3-004 aws_s3_bucket.assets":  {accepted: "inline"},
		"AWS-S3-004 aws_s3_bucket.reports": {accepted: "threatls.yaml"},
		"AWS-S3-005 aws_s3_bucket.assets":  {accepted: "threatls.yaml"},
		"AWS-S3-005 aws_s3_bucket.reports": {},
		"AWS-S3-006 aws_s3_bucket.assets":  {mitigated: "threatls.yaml"},
		"AWS-S3-006 aws_s3_bucket.reports": {},
	}
	src := func(ig *model.Ignore) string {
		switch {
		case ig == nil:
			return ""
		case ig.Source == "":
			return "inline"
		}
		return ig.Source
	}
	got := map[string]state{}
	for _, f := range snap.Findings() {
		if !model.IsMeta(f.ThreatID) {
			got[f.ThreatID+" "+f.ElementName] = state{accepted: src(f.Suppressed), mitigated: src(f.Mitigated)}
		}
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %+v, want %+v", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d findings, want %d: %v", len(got), len(want), got)
	}
	for _, f := range snap.Findings() {
		if f.Mitigated != nil && (f.Mitigated.Owner != "team-platform" || f.Mitigated.Ticket != "SEC-12") {
			t.Errorf("mitigation of %s: owner %q, ticket %q", f.ThreatID, f.Mitigated.Owner, f.Mitigated.Ticket)
		}
	}
	r := model.ResidualOf(snap.Findings())
	// Open: S3-003 assets (low 1: S3 encrypts new objects by default; it is not declared),
	// S3-005 reports (medium 3), S3-006 reports (low 1).
	if r.Score != 5 || r.Open != 3 || r.AcceptedCount != 4 || r.MitigatedCount != 1 || r.Level != model.Medium {
		t.Errorf("residual = %+v", r)
	}
}
