package report

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"

	"github.com/threatls/threatls/knowledge"
)

//go:embed templates/compliance.html
var complianceHTML string

var complianceTemplate = template.Must(template.New("compliance").Funcs(template.FuncMap{
	"join": strings.Join,
}).Parse(complianceHTML))

// ComplianceText writes a compliance report for a terminal: per requirement its status, then
// the evidence, one line each.
func ComplianceText(w io.Writer, root string, cd ComplianceDoc) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s — %s\n", cd.Framework.Name, root)
	s := cd.Summary
	fmt.Fprintf(bw, "%d requirements: %d open, %d accepted, %d mitigated (declared), %d no finding, %d not assessed\n\n",
		s.Requirements, s.Open, s.Accepted, s.Mitigated, s.NoFinding, s.NotAssessed)
	for _, r := range cd.Rows {
		fmt.Fprintf(bw, "%-12s %-12s %s\n", r.ID, r.Status, r.Title)
		for _, f := range r.Findings {
			fmt.Fprintf(bw, "    open      %s: %s %s\n", f.Location, f.ThreatID, f.Message)
		}
		for _, f := range r.Accepted {
			fmt.Fprintf(bw, "    accepted  %s: %s %s — %s%s\n", f.Location, f.ThreatID, f.ElementName, f.Treatment.Reason, owner(f))
		}
		for _, f := range r.Mitigated {
			fmt.Fprintf(bw, "    mitigated %s: %s %s — declared: %s%s\n", f.Location, f.ThreatID, f.ElementName, f.Treatment.Reason, owner(f))
		}
		if len(r.Checked) > 0 {
			fmt.Fprintf(bw, "    checked   %s without a finding\n", plural(len(r.Checked), "element", "elements"))
		}
	}
	return bw.Flush()
}

func owner(f DocFinding) string {
	var parts []string
	for _, s := range []string{f.Treatment.Owner, f.Treatment.Ticket} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if f.Treatment.Until != "" {
		parts = append(parts, "until "+f.Treatment.Until)
	}
	if f.TreatmentAt != "" {
		parts = append(parts, "at "+f.TreatmentAt)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// ComplianceJSON writes the compliance report as JSON.
func ComplianceJSON(w io.Writer, cd ComplianceDoc) error { return writeJSON(w, cd) }

// ComplianceHTML writes the compliance report as one self-contained page.
func ComplianceHTML(w io.Writer, root string, cd ComplianceDoc) error {
	return complianceTemplate.Execute(w, struct {
		ComplianceDoc
		Root string
	}{cd, root})
}

// ComplianceMarkdown writes the compliance report as Markdown.
func ComplianceMarkdown(w io.Writer, root string, cd ComplianceDoc) error {
	bw := bufio.NewWriter(w)
	s := cd.Summary
	fmt.Fprintf(bw, "# %s — %s\n\n", cd.Framework.Name, mdText(root))
	fmt.Fprintf(bw, "%d requirements: %d with open findings, %d accepted, %d mitigated by declaration, %d with no finding, %d not assessed.\n\n",
		s.Requirements, s.Open, s.Accepted, s.Mitigated, s.NoFinding, s.NotAssessed)
	fmt.Fprintf(bw, "Catalogue: %s %s\n\n", mdText(cd.Framework.Source), mdText(cd.Framework.Licence))
	fmt.Fprintf(bw, "| requirement | status | threats | evidence |\n| --- | --- | --- | --- |\n")
	for _, r := range cd.Rows {
		var threats, ev []string
		for _, t := range r.Threats {
			threats = append(threats, "`"+t.ID+"` "+mdCell(t.Rationale))
		}
		for _, f := range r.Findings {
			ev = append(ev, "open "+mdLink("", f.Location, f.Link)+" `"+f.ThreatID+"`")
		}
		for _, f := range r.Accepted {
			ev = append(ev, "accepted "+mdLink("", f.Location, f.Link)+" `"+f.ThreatID+"`: "+mdCell(f.Treatment.Reason+owner(f)))
		}
		for _, f := range r.Mitigated {
			ev = append(ev, "mitigated (declared) "+mdLink("", f.Location, f.Link)+" `"+f.ThreatID+"`: "+mdCell(f.Treatment.Reason+owner(f)))
		}
		if len(r.Checked) > 0 {
			ev = append(ev, "checked: "+mdCell(strings.Join(r.Checked, ", ")))
		}
		fmt.Fprintf(bw, "| **%s** %s | %s | %s | %s |\n", r.ID, mdCell(r.Title), r.Status, strings.Join(threats, "<br>"), strings.Join(ev, "<br>"))
	}
	return bw.Flush()
}

// ComplianceList writes the frameworks `--compliance` accepts.
func ComplianceList(w io.Writer) error {
	cats, err := knowledge.Catalogues()
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	for _, c := range cats {
		fmt.Fprintf(bw, "%-26s %s (%d requirements)\n", c.ID, c.Name, len(c.Requirements))
	}
	aliases := make([]string, 0, len(knowledge.FrameworkAliases))
	for a := range knowledge.FrameworkAliases {
		aliases = append(aliases, a)
	}
	sort.Strings(aliases)
	for _, a := range aliases {
		fmt.Fprintf(bw, "%-26s the same as %s\n", a, knowledge.FrameworkAliases[a])
	}
	return bw.Flush()
}
