package knowledge

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/threatls/threatls/model"
)

// briefEvidence is how many pieces of evidence a brief shows.
const briefEvidence = 2

// parenthetical matches the asides of a mitigation's title — "(USER 10001 in the Dockerfile,
// user "10001:10001" in Compose, …)" — which name every format the threat applies to.
var parenthetical = regexp.MustCompile(`\s*\([^()]*\)`)

// Brief is the short explanation of a finding that an editor's hover shows, in Markdown:
// what (the threat, its severity, the message), why here (the evidence the condition read,
// at most two pieces), the fix (the first mitigation, without its asides about other
// formats), and a link to the full explanation. Library.Explain is the long form.
func (l *Library) Brief(f model.Finding) string {
	var b strings.Builder
	t := l.Threat(f.ThreatID)
	meta, isMeta := MetaRuleFor(f.ThreatID)
	title := f.Title
	switch {
	case t != nil:
		title = t.Title
	case isMeta:
		title = meta.Title
	}
	fmt.Fprintf(&b, "**%s** %s · %s", f.ThreatID, escape(title), severity(f, t))
	if f.Confidence == model.Tentative {
		b.WriteString(" · tentative")
	}
	if f.Suppressed != nil {
		b.WriteString(" · accepted risk")
	}
	b.WriteString("\n\n")
	if f.Message != "" {
		b.WriteString(escape(f.Message) + "\n\n")
	}
	if len(f.Evidence) > 0 {
		b.WriteString("*Why here:* ")
		var evs []string
		for i, ev := range f.Evidence {
			if i == briefEvidence {
				evs = append(evs, fmt.Sprintf("… and %d more", len(f.Evidence)-briefEvidence))
				break
			}
			evs = append(evs, evidenceLine(ev))
		}
		b.WriteString(strings.Join(evs, "; ") + "\n\n")
	}
	if t != nil && len(t.Mitigations) > 0 {
		b.WriteString("*Fix:* " + escape(ShortTitle(t.Mitigations[0].Title)) + "\n\n")
	}
	fmt.Fprintf(&b, "[More about %s](%s)", f.ThreatID, DocURL(f.ThreatID))
	return b.String()
}

// ShortTitle is a mitigation's title without its parenthesised asides.
func ShortTitle(title string) string {
	for {
		next := parenthetical.ReplaceAllString(title, "")
		if next == title {
			return strings.TrimSpace(title)
		}
		title = next
	}
}
