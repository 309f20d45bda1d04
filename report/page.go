package report

import (
	"bufio"
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/threatls/threatls/model"
)

//go:embed templates/report.html
var reportHTML string

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"join": strings.Join,
}).Parse(reportHTML))

// HTML writes the report as one self-contained page: styles inline, the diagram an inline
// SVG (diagram.go), no script and nothing loaded from the network when it is viewed. ctx is
// not used yet: drawing is quick.
func HTML(ctx context.Context, w io.Writer, d *Document) error {
	data := struct {
		*Document
		SVG        template.HTML
		DiagramErr string
	}{Document: d}
	if d.g != nil {
		level := map[string]model.Severity{}
		for _, e := range d.Elements {
			level[e.ID] = e.Residual.Level
		}
		svg := diagramSVG(d.g, diagramOptions{onPath: pathFlows(d.g), level: level,
			anchor: func(id string) string { return d.anchors[id] }})
		data.SVG = template.HTML(svg) // every text in it is escaped by diagramSVG
	} else {
		data.DiagramErr = "no model"
	}
	if err := pageTemplate.Execute(w, data); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return nil
}

// DocumentJSON writes the report as JSON: the Document, its lists of findings (by element,
// by STRIDE category, whole) written as they are encoded (see writeStreamed).
func DocumentJSON(w io.Writer, d *Document) error {
	doc := withMarks(d, "elements", "stride", "accepted", "findings")
	err := writeStreamed(w, doc, streamSlice(d.Elements), streamSlice(d.Stride), streamSlice(d.Accepted), streamSlice(d.Findings))
	if err != nil {
		return fmt.Errorf("json report: %w", err)
	}
	return nil
}

// Markdown writes the report as Markdown for a repository or a pull request: GitHub renders
// its Mermaid diagrams.
func Markdown(w io.Writer, d *Document) error {
	b := bufio.NewWriterSize(w, 64<<10)
	fmt.Fprintf(b, "# %s\n\n", mdText(d.Title))
	fmt.Fprintf(b, "%d files analysed by threatls %s. **%d open findings** (%s), %d attack paths, %d accepted, %d mitigated by declaration.\n\n",
		d.Files, d.Version, d.Summary.Open, severityList(d.Summary), d.Summary.Paths, d.Summary.Accepted, d.Summary.Mitigated)
	fmt.Fprintf(b, "**Residual risk %.1f**%s — inherent %.1f, accepted %.1f, mitigated by declaration %.1f.\n\n",
		d.Residual.Score, levelText(d.Residual.Level), d.Residual.Inherent, d.Residual.Accepted, d.Residual.Mitigated)

	b.WriteString("## Data-flow diagram\n\nZones are boxes; flows on an attack path are red.\n\n")
	if d.g != nil {
		b.WriteString("```mermaid\n")
		if err := mermaidWithPaths(b, d.g); err != nil {
			return err
		}
		b.WriteString("```\n\n")
	}

	b.WriteString("## Attack paths\n\n")
	if len(d.Paths) == 0 {
		b.WriteString("No attack path from the internet to classified data.\n\n")
	}
	for _, p := range d.Paths {
		fmt.Fprintf(b, "### risk %d · %s\n\nFrom %s to %s (%s data)%s.\n\n", p.Risk, mdText(p.Name), mdText(p.Entry), mdText(p.Asset), p.Classification, mdLink(" — ", p.Location, p.Link))
		for i, h := range p.Hops {
			fmt.Fprintf(b, "%d. %s → %s", i+1, mdText(h.From), mdText(h.To))
			if h.Flow != "" {
				fmt.Fprintf(b, " `%s`", h.Flow)
			}
			if len(h.Missing) > 0 {
				fmt.Fprintf(b, ": missing %s", strings.Join(h.Missing, ", "))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}

	b.WriteString("## Threats by element\n\n")
	for _, e := range d.Elements {
		fmt.Fprintf(b, "### %s\n\n", mdText(e.Name))
		fmt.Fprintf(b, "%s%s — residual risk %.1f%s, %d open, %d accepted, %d mitigated.\n\n", e.Kind, zoneText(e.Zone),
			e.Residual.Score, levelText(e.Residual.Level), e.Residual.Open, e.Residual.AcceptedCount, e.Residual.MitigatedCount)
		mdFindings(b, e.Findings)
	}

	b.WriteString("## Threats by STRIDE category\n\n| category | open findings |\n| --- | --- |\n")
	for _, s := range d.Stride {
		var ids []string
		for _, f := range s.Findings {
			ids = append(ids, f.ThreatID+" "+mdCell(f.ElementName))
		}
		fmt.Fprintf(b, "| %s | %d%s |\n", s.Category, len(s.Findings), prefixJoin(" · ", ids))
	}
	b.WriteString("\n## Mitigations\n\n| threat | what closes it | elements |\n| --- | --- | --- |\n")
	for _, m := range d.Mitigations {
		fmt.Fprintf(b, "| `%s` %s | %s | %s |\n", m.ThreatID, mdCell(m.Title), mdCell(strings.Join(m.Mitigations, "; ")), mdCell(strings.Join(m.Elements, ", ")))
	}
	b.WriteString("\n### Declared in the risk register (not observed)\n\n")
	mdTreated(b, d.Declared)
	b.WriteString("## Accepted risk\n\n")
	mdTreated(b, d.Accepted)

	b.WriteString("## Residual risk\n\nA finding weighs critical 10, high 6, medium 3, low 1, halved when tentative; a threat on an element counts once.\n\n")
	b.WriteString("| element | residual | level | open | accepted | mitigated |\n| --- | --- | --- | --- | --- | --- |\n")
	for _, e := range d.Elements {
		fmt.Fprintf(b, "| %s | %.1f | %s | %d | %d | %d |\n", mdCell(e.Name), e.Residual.Score, e.Residual.Level, e.Residual.Open, e.Residual.AcceptedCount, e.Residual.MitigatedCount)
	}
	fmt.Fprintf(b, "| **system** | **%.1f** | %s | %d | %d | %d |\n\n", d.Residual.Score, d.Residual.Level, d.Residual.Open, d.Residual.AcceptedCount, d.Residual.MitigatedCount)

	b.WriteString("## Compliance\n\n| framework | requirements | open | accepted | mitigated | no finding | not assessed |\n| --- | --- | --- | --- | --- | --- | --- |\n")
	for _, c := range d.Compliance {
		fmt.Fprintf(b, "| %s `%s` | %d | %d | %d | %d | %d | %d |\n", c.Name, c.ID, c.Requirements, c.Open, c.Accepted, c.Mitigated, c.NoFinding, c.NotAssessed)
	}
	b.WriteString("\n## Drift between the design and the workspace\n\n")
	if len(d.Drift) == 0 {
		b.WriteString("The design documents agree with the workspace.\n\n")
	} else {
		mdFindings(b, d.Drift)
	}
	b.WriteString("## All findings\n\n")
	mdFindings(b, d.Findings)
	if len(d.Analysis) > 0 {
		b.WriteString("### About the analysis\n\n")
		mdFindings(b, d.Analysis)
	}
	return b.Flush()
}

// mermaidWithPaths writes the Mermaid diagram with the flows on attack paths drawn red.
func mermaidWithPaths(w io.Writer, g *model.Graph) error {
	if err := Mermaid(w, g); err != nil {
		return err
	}
	on := pathFlows(g)
	var idx []string
	for i, f := range newSystem(g).flows { // Mermaid draws one link per flow, in this order
		if on[f.ID] {
			idx = append(idx, fmt.Sprint(i))
		}
	}
	if len(idx) > 0 {
		_, err := fmt.Fprintf(w, "  linkStyle %s stroke:#c0392b,stroke-width:3px,color:#c0392b\n", strings.Join(idx, ","))
		return err
	}
	return nil
}

func mdFindings(b *bufio.Writer, fs []DocFinding) {
	if len(fs) == 0 {
		b.WriteString("None.\n\n")
		return
	}
	b.WriteString("| where | threat | severity | finding | status |\n| --- | --- | --- | --- | --- |\n")
	for _, f := range fs {
		sev := string(f.Severity)
		if f.Confidence == model.Tentative {
			sev += " (tentative)"
		}
		fmt.Fprintf(b, "| %s | `%s` | %s | %s | %s |\n", mdLink("", f.Location, f.Link), f.ThreatID, sev, mdCell(f.Message), f.Status)
	}
	b.WriteString("\n")
}

func mdTreated(b *bufio.Writer, fs []DocFinding) {
	if len(fs) == 0 {
		b.WriteString("None.\n\n")
		return
	}
	b.WriteString("| where | threat | element | owner | reason | ticket | until | declared at |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, f := range fs {
		t := f.Treatment
		fmt.Fprintf(b, "| %s | `%s` | %s | %s | %s | %s | %s | %s |\n", mdLink("", f.Location, f.Link), f.ThreatID, mdCell(f.ElementName),
			mdCell(t.Owner), mdCell(t.Reason), mdCell(t.Ticket), t.Until, f.TreatmentAt)
	}
	b.WriteString("\n")
}

func mdLink(prefix, text, href string) string {
	if text == "" {
		return ""
	}
	if href == "" {
		return prefix + mdCell(text)
	}
	return prefix + "[" + mdCell(text) + "](" + strings.ReplaceAll(href, " ", "%20") + ")"
}

// mdText escapes what Markdown would read as markup in running text.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;", "[", `\[`, "]", `\]`, "|", `\|`, "\n", " ")

func mdText(s string) string { return mdEscaper.Replace(s) }
func mdCell(s string) string { return mdEscaper.Replace(s) }

func prefixJoin(prefix string, xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return prefix + strings.Join(xs, prefix)
}

func levelText(l model.Severity) string {
	if l == "" {
		return ""
	}
	return " (" + string(l) + ")"
}

func zoneText(z string) string {
	if z == "" {
		return ""
	}
	return " in " + mdText(z)
}

func severityList(s DocSummary) string {
	var parts []string
	for _, p := range []struct {
		n    int
		name string
	}{{s.Critical, "critical"}, {s.High, "high"}, {s.Medium, "medium"}, {s.Low, "low"}, {s.Info, "info"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.name))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
