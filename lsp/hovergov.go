package lsp

import (
	"fmt"
	"strings"

	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// hoverGovernance is what the hover of a finding adds to its explanation: a declared
// mitigation (declared, not observed, with its owner and ticket), what the finding weighs in
// residual risk, and the compliance requirements it bears on, with their titles.
func hoverGovernance(lib *knowledge.Library, f model.Finding) string {
	var b strings.Builder
	if m := f.Mitigated; m != nil {
		fmt.Fprintf(&b, "\n**Mitigated (declared, not observed):** %s", m.Reason)
		var who []string
		for _, s := range []string{m.Owner, m.Ticket} {
			if s != "" {
				who = append(who, s)
			}
		}
		if m.Until != "" {
			who = append(who, "until "+m.Until)
		}
		if len(who) > 0 {
			b.WriteString(" (" + strings.Join(who, ", ") + ")")
		}
		b.WriteString("\n")
	}
	if w := model.Weight(f); w > 0 && f.Open() {
		fmt.Fprintf(&b, "\n**Residual risk:** %.1f\n", w)
	}
	if req := lib.RequirementsLine(f.ThreatID); req != "" {
		b.WriteString("\n*Requirements:* " + req + "\n")
	}
	return b.String()
}
