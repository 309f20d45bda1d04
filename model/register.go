package model

// RiskStatus is what the risk register says of a risk.
type RiskStatus string

// The statuses of a register entry.
const (
	// Accepted: the risk is known and accepted, by an owner, for a reason, until a date.
	Accepted RiskStatus = "accepted"
	// Mitigated: a control the analyzers cannot see mitigates it (declared, not observed).
	Mitigated RiskStatus = "mitigated"
)

// RiskEntry is one entry of the risk register: the acceptance of a risk, or a mitigation
// declared by the people who own the system. Its scope is one finding (Fingerprint), a threat
// on one element (Threat and Element), or a threat everywhere (Threat alone).
type RiskEntry struct {
	Status      RiskStatus `json:"status"`
	Threat      string     `json:"threat"`
	Element     string     `json:"element,omitempty"`     // an element's ID, name or alias
	Fingerprint string     `json:"fingerprint,omitempty"` // one finding
	Owner       string     `json:"owner"`
	// Reason says why the risk is accepted; for a mitigation, what the control is.
	Reason string `json:"reason"`
	Ticket string `json:"ticket,omitempty"` // a URL or an issue key
	Until  string `json:"until,omitempty"`  // YYYY-MM-DD: past it, the entry no longer applies
	// Span is the entry in its file; Source names the file's format ("threatls.yaml",
	// "threagile", "otm").
	Span   Span   `json:"span"`
	Source string `json:"source"`
	// Problem says why the entry cannot apply (no owner, a date that is not one, no scope); ""
	// for a valid entry. An invalid entry applies to nothing and is reported at Span.
	Problem string `json:"problem,omitempty"`
}

// Treatment returns what the entry records on a finding it covers.
func (r RiskEntry) Treatment() *Ignore {
	return &Ignore{ThreatID: r.Threat, Reason: r.Reason, Until: r.Until, Span: r.Span,
		Owner: r.Owner, Ticket: r.Ticket, Source: r.Source}
}
