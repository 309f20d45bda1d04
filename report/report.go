// Package report writes the outputs of `threatls scan` other than the editor: a text listing for
// terminals, a JSON document for scripts, and SARIF 2.1.0 for code-scanning services such as
// GitHub's. It also decides the exit code that fails a CI job.
//
// Every output is deterministic: findings in model.SortFindings order, rules sorted by ID, paths
// relative and slash-separated, no timestamps, no map iteration. Positions in model values are
// byte offsets with zero-based lines and byte columns; each output converts them to what its
// readers expect (text: one-based character columns; SARIF: one-based UTF-16 columns) using the
// source text when the Result provides it.
//
// report knows nothing of the LSP or of any analyzer: it reads model findings and the threat
// library's metadata.
package report

import (
	"bytes"
	"sort"
	"strings"

	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// Result is what a scan produced.
type Result struct {
	// Root is the workspace root as the user gave it; it is displayed, never resolved.
	Root string
	// Files is the number of files analysed.
	Files int
	// Findings are sorted (model.SortFindings) with relative, slash-separated paths. They include
	// suppressed findings (Finding.Suppressed != nil) and meta findings (TLS-001…).
	Findings []model.Finding
	// Skipped are the files that were not analysed.
	Skipped []model.Skipped
	// Source returns the text of an analysed file, used to turn byte columns into character or
	// UTF-16 columns. It may be nil, or return nil for a file: columns then count bytes.
	Source func(file string) []byte
	// Enrichment returns what AI added to a finding, or nil; nil when AI is off.
	Enrichment func(model.Finding) *Enrichment
}

// ExitCode returns 1 if an open, certain finding has a severity of failOn or above, and 0
// otherwise. Tentative findings (which rest on a value that could not be resolved), accepted
// risks and findings the risk register declares mitigated never fail a build. A finding with
// no confidence set counts as certain.
func ExitCode(r Result, failOn model.Severity) int {
	for _, f := range r.Findings {
		if !f.Open() || f.Confidence == model.Tentative {
			continue
		}
		if f.Severity.Rank() >= failOn.Rank() {
			return 1
		}
	}
	return 0
}

// sorted returns the findings in model.SortFindings order without modifying r, so that an
// unsorted Result still yields deterministic output.
func (r Result) sorted() []model.Finding {
	fs := append([]model.Finding(nil), r.Findings...)
	model.SortFindings(fs)
	return fs
}

// skipped returns the skipped files sorted by file, then reason.
func (r Result) skipped() []model.Skipped {
	s := append([]model.Skipped(nil), r.Skipped...)
	sort.Slice(s, func(i, j int) bool {
		if s[i].File != s[j].File {
			return s[i].File < s[j].File
		}
		return s[i].Reason < s[j].Reason
	})
	return s
}

// source returns the text of file, or nil.
func (r Result) source(file string) []byte {
	if r.Source == nil {
		return nil
	}
	return r.Source(file)
}

// counts summarises findings for the text summary line and the JSON summary.
type counts struct {
	findings   int // unsuppressed
	bySeverity map[model.Severity]int
	tentative  int // unsuppressed and tentative
	accepted   int // suppressed
}

func count(fs []model.Finding) counts {
	c := counts{bySeverity: map[model.Severity]int{}}
	for _, f := range fs {
		if f.Suppressed != nil {
			c.accepted++
			continue
		}
		c.findings++
		c.bySeverity[f.Severity]++
		if f.Confidence == model.Tentative {
			c.tentative++
		}
	}
	return c
}

// severities lists the severities from the most to the least serious: the order of every
// per-severity breakdown.
var severities = []model.Severity{model.Critical, model.High, model.Medium, model.Low, model.Info}

// rule is what the outputs know about the threat (or meta rule) behind a finding.
type rule struct {
	ID          string
	Title       string
	Severity    model.Severity
	Stride      []string
	CWE         []string
	CAPEC       []string
	Attack      []string
	References  []string
	Mitigations []string // titles
	Docs        knowledge.Docs
	// Meta is set for findings about the analysis itself (TLS-001…).
	Meta bool
	// Known is false when neither the library nor the meta rules define the ID; the rule is
	// then made from the finding alone.
	Known bool
	// markdown renders the rule's documentation as the library writes it (rules page,
	// explain); nil for an unknown rule. It is rendered on demand: once per rule, not per
	// finding (a report of 100,000 findings rendered it 100,000 times).
	markdown func() string
}

// Markdown returns the rule's documentation, or "" for an unknown rule.
func (r rule) Markdown() string {
	if r.markdown == nil {
		return ""
	}
	return r.markdown()
}

// lookup finds the rule of f in lib (which may be nil) or among the meta rules.
func lookup(lib *knowledge.Library, f model.Finding) rule {
	if lib != nil {
		if t := lib.Threat(f.ThreatID); t != nil {
			r := rule{
				ID: t.ID, Title: t.Title, Severity: t.Severity(), Stride: t.Stride,
				CWE: t.CWE, CAPEC: t.CAPEC, Attack: t.Attack, References: t.References,
				Docs: t.Docs, Known: true, markdown: t.Markdown,
			}
			for _, m := range t.Mitigations {
				r.Mitigations = append(r.Mitigations, m.Title)
			}
			return r
		}
	}
	if m, ok := knowledge.MetaRuleFor(f.ThreatID); ok {
		return rule{ID: m.ID, Title: m.Title, Severity: m.Severity, Docs: m.Docs, Meta: true, Known: true,
			markdown: m.Markdown}
	}
	return rule{ID: f.ThreatID, Title: f.Title, Severity: f.Severity, Stride: f.Stride}
}

// requirements returns the compliance requirements a threat maps to ("PCI-DSS-4.0 6.2.4").
func requirements(lib *knowledge.Library, threat string) []string {
	out := []string{}
	if lib != nil {
		if t := lib.Threat(threat); t != nil {
			for _, m := range t.Mappings() {
				out = append(out, m.Framework+" "+m.Requirement.ID)
			}
		}
	}
	return out
}

// fixHint is the one-line remedy the text output shows: the first mitigation of a threat, or the
// first sentence of a meta rule's fix.
func (r rule) fixHint() string {
	if len(r.Mitigations) > 0 {
		return r.Mitigations[0]
	}
	return firstSentence(unwrap(r.Docs.Fix))
}

// column returns the one-based column of p, counting with count the text of p's line before
// it (model.UTF16Len for SARIF, model.CharLen for people). When src is nil or does not agree
// with p, it returns the one-based byte column.
func column(src []byte, p model.Pos, count func([]byte) int) int {
	start := p.Offset - p.Col
	if src == nil || p.Col < 0 || start < 0 || int(p.Offset) > len(src) {
		return int(p.Col) + 1
	}
	prefix := src[start:p.Offset]
	if bytes.IndexByte(prefix, '\n') >= 0 {
		return int(p.Col) + 1 // p's line and column disagree with its offset
	}
	return count(prefix) + 1
}

// unwrap joins the lines of each paragraph of a YAML block into one line, keeping blank lines
// between paragraphs and list items on lines of their own.
func unwrap(s string) string {
	var paras []string
	for _, p := range strings.Split(strings.TrimSpace(s), "\n\n") {
		var b strings.Builder
		for i, line := range strings.Split(p, "\n") {
			line = strings.TrimSpace(line)
			if i > 0 {
				if strings.HasPrefix(line, "- ") || strings.HasPrefix(line, "* ") {
					b.WriteString("\n")
				} else {
					b.WriteString(" ")
				}
			}
			b.WriteString(line)
		}
		if t := strings.TrimSpace(b.String()); t != "" {
			paras = append(paras, t)
		}
	}
	return strings.Join(paras, "\n\n")
}

// firstSentence returns s up to and including its first full stop followed by a space, or the
// first paragraph.
func firstSentence(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}
