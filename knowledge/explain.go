package knowledge

import (
	"fmt"
	"sort"
	"strings"

	"github.com/threatls/threatls/model"
)

// Explain renders a finding for people, in Markdown: the threat's title, STRIDE categories,
// CWE (linked), severity as likelihood × impact, confidence, the evidence that makes it apply
// here, what to do, false positives, references and compliance mappings. It is the editor's
// hover; a threat without a finding is documented by Threat.Markdown (rules page, the CLI's
// explain command, SARIF help).
//
// A finding whose threat is not in the library (a meta finding, or a threat of another
// library) is rendered from what the finding itself carries.
func (l *Library) Explain(f model.Finding) string {
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
	fmt.Fprintf(&b, "### %s: %s\n\n", f.ThreatID, escape(title))
	if f.Message != "" {
		b.WriteString(escape(f.Message) + "\n\n")
	}

	var facts []string
	if f.ElementName != "" {
		facts = append(facts, "**Element:** "+code(f.ElementName))
	}
	if stride := strideNames(f.Stride, t); stride != "" {
		facts = append(facts, "**STRIDE:** "+stride)
	}
	if t != nil && len(t.CWE) > 0 {
		facts = append(facts, "**CWE:** "+strings.Join(CWELinks(t.CWE), ", "))
	}
	facts = append(facts, "**Severity:** "+severity(f, t))
	facts = append(facts, "**Confidence:** "+confidence(f))
	if f.Suppressed != nil {
		s := "**Accepted risk:** " + code("threatls:ignore "+f.Suppressed.ThreatID)
		if r := strings.TrimSpace(f.Suppressed.Reason); r != "" {
			s += " — " + escape(r)
		}
		facts = append(facts, s)
	}
	for _, s := range facts {
		b.WriteString("- " + s + "\n")
	}
	b.WriteString("\n")

	var docs Docs
	switch {
	case t != nil:
		docs = t.Docs
	case isMeta:
		docs = meta.Docs
	}

	if len(f.Evidence) > 0 || docs.Why != "" {
		b.WriteString("#### Why this applies here\n\n")
		for _, ev := range f.Evidence {
			b.WriteString("- " + evidenceLine(ev) + "\n")
		}
		if len(f.Evidence) > 0 {
			b.WriteString("\n")
		}
		if docs.Why != "" {
			b.WriteString(strings.TrimSpace(docs.Why) + "\n\n")
		}
	}

	var mitigations []string
	if t != nil {
		for _, m := range t.Mitigations {
			mitigations = append(mitigations, m.Title)
		}
	}
	if len(mitigations) > 0 || docs.Fix != "" {
		b.WriteString("#### What to do\n\n")
		for _, m := range mitigations {
			b.WriteString("- " + escape(m) + "\n")
		}
		if len(mitigations) > 0 {
			b.WriteString("\n")
		}
		if docs.Fix != "" {
			b.WriteString(strings.TrimSpace(docs.Fix) + "\n\n")
		}
	}

	if docs.FalsePositives != "" {
		b.WriteString("#### False positives\n\n" + strings.TrimSpace(docs.FalsePositives) + "\n\n")
	}

	if t != nil && len(t.References) > 0 {
		b.WriteString("#### References\n\n")
		for _, r := range t.References {
			fmt.Fprintf(&b, "- <%s>\n", r)
		}
		b.WriteString("\n")
	}

	if t != nil && len(t.Compliance) > 0 {
		b.WriteString("#### Compliance\n\n")
		frameworks := make([]string, 0, len(t.Compliance))
		for fw := range t.Compliance {
			frameworks = append(frameworks, fw)
		}
		sort.Strings(frameworks)
		for _, fw := range frameworks {
			fmt.Fprintf(&b, "- %s: %s\n", frameworkName(fw), strings.Join(t.Compliance[fw], ", "))
		}
		b.WriteString("\n")
	}

	fmt.Fprintf(&b, "[Documentation of %s](%s)\n", f.ThreatID, DocURL(f.ThreatID))
	return b.String()
}

// strideNames spells out STRIDE categories: "Information disclosure, Tampering".
func strideNames(stride []string, t *Threat) string {
	if len(stride) == 0 && t != nil {
		stride = t.Stride
	}
	names := make([]string, len(stride))
	for i, s := range stride {
		names[i] = strideName(s)
	}
	return strings.Join(names, ", ")
}

var strideLabels = map[string]string{
	"Spoofing":              "Spoofing",
	"Tampering":             "Tampering",
	"Repudiation":           "Repudiation",
	"InformationDisclosure": "Information disclosure",
	"DenialOfService":       "Denial of service",
	"ElevationOfPrivilege":  "Elevation of privilege",
}

func strideName(s string) string {
	if n, ok := strideLabels[s]; ok {
		return n
	}
	return s
}

// severity renders the severity with the likelihood × impact it comes from.
func severity(f model.Finding, t *Threat) string {
	sev := string(f.Severity)
	if sev == "" && t != nil {
		sev = string(t.Severity())
	}
	if t != nil {
		return fmt.Sprintf("%s (likelihood %s × impact %s)", sev, t.Likelihood, t.Impact)
	}
	return sev
}

func confidence(f model.Finding) string {
	switch f.Confidence {
	case model.Tentative:
		var unknown []string
		for _, ev := range f.Evidence {
			if ev.Origin == model.Unknown {
				unknown = append(unknown, code(ev.Attr))
			}
		}
		if len(unknown) > 0 {
			return "tentative: depends on " + strings.Join(unknown, ", ") + ", which could not be resolved"
		}
		return "tentative"
	case "":
		return string(model.Certain)
	}
	return string(f.Confidence)
}

// evidenceLine renders one attribute the finding rests on: its value, how the value was
// established, and where.
func evidenceLine(ev model.Evidence) string {
	var origin string
	switch ev.Origin {
	case model.Read:
		origin = "read"
	case model.Defaulted:
		origin = "defaulted (not set in the source)"
	case model.Declared:
		origin = "declared"
	case model.Unknown:
		origin = "unknown (could not be resolved)"
		if ev.Value == NotSet {
			origin = "not set"
		}
	default:
		origin = ev.Origin.String()
	}
	if !ev.Span.IsZero() && ev.Origin != model.Defaulted {
		origin += " at " + code(ev.Span.String())
	}
	s := code(ev.Attr) + " = " + code(ev.Value) + " — " + origin
	if ev.Note != "" {
		s += ": " + escape(ev.Note)
	}
	return s
}

var frameworkLabels = map[string]string{
	"pci-dss-4.0":    "PCI DSS 4.0",
	"dora":           "DORA",
	"iso-27001-2022": "ISO/IEC 27001:2022",
	"nist-800-53-r5": "NIST SP 800-53 Rev. 5",
	"owasp-asvs-4.0": "OWASP ASVS 4.0.3",
	"owasp-asvs-5.0": "OWASP ASVS 5.0",

	"cis-aws-foundations-3.0": "CIS AWS Foundations 3.0",
	"cis-kubernetes-1.9":      "CIS Kubernetes 1.9",
}

func frameworkName(fw string) string {
	if n, ok := frameworkLabels[fw]; ok {
		return n
	}
	return fw
}

// code renders s as inline code, with a fence long enough for any backticks s contains.
func code(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// escape keeps text written for people (messages, notes, reasons) from being read as
// Markdown or HTML markup.
var markdownSpecial = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "[", `\[`, "]", `\]`, "<", "&lt;", ">", "&gt;", "#", `\#`, "|", `\|`,
)

func escape(s string) string { return markdownSpecial.Replace(s) }
