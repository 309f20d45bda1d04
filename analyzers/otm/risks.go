package otm

import (
	"regexp"
	"strings"
	"time"

	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// threatID is the shape of threatls's threat IDs; threats of other tools are left alone.
var threatID = regexp.MustCompile(`^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$`)

// threatStates reads the threat instances of a component or dataflow (m) whose threat is
// one of threatls's, with a state that decides something, into the risk register: accepted
// (or notApplicable) accepts the risk, mitigated declares a mitigation. owner, reason (for a
// mitigation, the control), ticket and until are the fields threatls's export writes beside
// the state; an entry without an owner or a reason is reported.
func (r *reader) threatStates(m *yamlnode.Node, elementID string) {
	ts := m.Get("threats")
	if ts == nil || ts.Kind != yamlnode.Seq {
		return
	}
	for _, it := range ts.Items {
		if it == nil || it.Kind != yamlnode.Map {
			continue
		}
		str := func(key string) string {
			if n := it.Get(key); n != nil {
				s, _ := n.Str()
				return strings.TrimSpace(s)
			}
			return ""
		}
		id := str("threat")
		if !threatID.MatchString(id) {
			continue
		}
		e := model.RiskEntry{Threat: id, Element: elementID, Owner: str("owner"), Reason: str("reason"),
			Ticket: str("ticket"), Until: str("until"), Span: it.Span, Source: "otm"}
		switch strings.ToLower(str("state")) {
		case "accepted", "notapplicable", "not-applicable", "not_applicable":
			e.Status = model.Accepted
		case "mitigated":
			e.Status = model.Mitigated
		default:
			continue
		}
		if n := it.Get("threat"); n != nil {
			e.Span = n.Span
		}
		if e.Until != "" {
			if _, err := time.Parse(time.DateOnly, e.Until); err != nil {
				e.Problem = "until " + e.Until + " is not a date (YYYY-MM-DD)"
			}
		}
		switch {
		case e.Problem != "":
		case e.Owner == "":
			e.Problem = "the " + string(e.Status) + " threat " + id + " needs an owner beside its state"
		case e.Reason == "":
			e.Problem = "the " + string(e.Status) + " threat " + id + " needs a reason beside its state"
		}
		r.risks = append(r.risks, e)
	}
}
