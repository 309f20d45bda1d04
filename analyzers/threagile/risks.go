package threagile

import (
	"regexp"
	"strings"
	"time"

	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// threatKey is a risk_tracking key that names a threat of threatls's library rather than a
// Threagile risk category: "<THREAT-ID>@<technical asset ID>", or "@*" for every asset.
var threatKey = regexp.MustCompile(`^([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)@([^@]+)$`)

// riskTracking reads the entries of risk_tracking that name a threat of threatls (the
// export writes them so) into the risk register: status accepted and false-positive accept
// the risk, mitigated declares a mitigation (the justification names the control),
// checked_by is the owner, date the expiry (the export writes the register's until: there).
// Entries of Threagile's own risk categories, and the statuses that
// decide nothing (unchecked, in-discussion, in-progress), are left to Threagile.
func (r *reader) riskTracking(root *yamlnode.Node) {
	rt := root.Get("risk_tracking")
	if rt == nil || rt.Kind != yamlnode.Map {
		return
	}
	for _, p := range rt.Entries() {
		m := threatKey.FindStringSubmatch(p.Key.Value)
		if m == nil || p.Value == nil || p.Value.Kind != yamlnode.Map {
			continue
		}
		str := func(key string) string {
			if n := p.Value.Get(key); n != nil {
				s, _ := n.Str()
				return strings.TrimSpace(s)
			}
			return ""
		}
		e := model.RiskEntry{Threat: m[1], Element: m[2], Owner: str("checked_by"), Reason: str("justification"),
			Ticket: str("ticket"), Until: str("date"), Span: p.Key.Span, Source: "threagile"}
		switch str("status") {
		case "accepted":
			e.Status = model.Accepted
		case "false-positive":
			e.Status = model.Accepted
			if e.Reason != "" {
				e.Reason = "false positive: " + e.Reason
			}
		case "mitigated":
			e.Status = model.Mitigated
		default:
			continue
		}
		if e.Element == "*" {
			e.Element = ""
		}
		if e.Until != "" {
			if _, err := time.Parse(time.DateOnly, e.Until); err != nil {
				e.Problem = "risk_tracking " + p.Key.Value + ": date " + e.Until + " is not a date (YYYY-MM-DD)"
			}
		}
		switch {
		case e.Problem != "":
		case e.Owner == "":
			e.Problem = "risk_tracking " + p.Key.Value + " needs checked_by: who owns the decision"
		case e.Reason == "":
			e.Problem = "risk_tracking " + p.Key.Value + " needs a justification"
		}
		r.risks = append(r.risks, e)
	}
}

// resolveRisks names each entry's technical asset by its element's ID, which fused elements
// keep among their members.
func (r *reader) resolveRisks() {
	for i := range r.risks {
		if a := r.assets[r.risks[i].Element]; a != nil {
			r.risks[i].Element = a.el.ID
		}
	}
}
