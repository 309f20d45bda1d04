package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// SARIF constants a consumer may rely on.
const (
	// InformationURI is the tool's home page, in tool.driver.informationUri.
	InformationURI = "https://github.com/threatls/threatls"
	// FingerprintKey names Finding.Fingerprint in a result's partialFingerprints; the suffix is
	// bumped if the fingerprint's recipe ever changes.
	FingerprintKey = "threatlsFingerprint/v1"
	// SourceRoot is the uriBaseId every artifact location is relative to.
	SourceRoot = "%SRCROOT%"
)

// SARIF writes the scan as a SARIF 2.1.0 log that GitHub code scanning accepts: one run of the
// tool "threatls" (version as given), one rule per threat or meta rule that has a finding
// (sorted by ID; ruleIndex points into that list), one result per finding.
//
//   - Rules carry the threat's title (shortDescription), why (fullDescription), help text and
//     Markdown built from its docs, mitigations and references, the documentation URL, and
//     properties: tags ("security", STRIDE categories, external/cwe/cwe-N), security-severity
//     (critical 9.5, high 8.0, medium 5.5, low 3.0) and precision. Meta rules (TLS-…) are about
//     the analysis, not the system: they have no security tag or security-severity.
//   - A result's level is error (critical, high), warning (medium) or note (low, info); a
//     tentative finding is at most a warning. Locations are relative to %SRCROOT%; regions are
//     one-based with columns in UTF-16 code units (run.columnKind says so), converted from byte
//     columns with Result.Source; without the source, columns count bytes.
//   - partialFingerprints carries Finding.Fingerprint, so that alerts follow a finding across
//     edits; an accepted risk has a suppression with its reason: inSource for a
//     threatls:ignore comment, external for the risk register. With scan --ai, the result's
//     property "enrichment" holds what AI added (see Enrichment).
//   - Skipped files are tool execution notifications of the run's only invocation.
//
// lib may be nil; rules are then made from the findings alone. The output has no timestamps.
func SARIF(w io.Writer, r Result, lib *knowledge.Library, version string) error {
	fs := r.sorted()

	rules, index := sarifRules(lib, fs)
	run := sarif.NewRunWithInformationURI("threatls", InformationURI)
	if version != "" {
		run.Tool.Driver.WithVersion(version)
	}
	run.Tool.Driver.WithRules(rules)
	run.WithColumnKind("utf16CodeUnits")

	inv := sarif.NewInvocation().WithExecutionSuccessful(true)
	for _, s := range r.skipped() {
		n := sarif.NewNotification().
			WithLevel("warning").
			WithMessage(sarif.NewTextMessage("file not analysed: " + s.Reason)).
			AddLocation(sarif.NewLocationWithPhysicalLocation(
				sarif.NewPhysicalLocation().WithArtifactLocation(artifact(r.Root, s.File))))
		inv.AddToolExecutionNotification(n)
	}
	run.AddInvocation(inv)

	log := sarif.NewReport()
	log.AddRun(run)
	doc, err := pruned(log)
	if err != nil {
		return fmt.Errorf("sarif report: %w", err)
	}
	// The results are written one by one (see writeStreamed).
	runs, _ := doc.(map[string]any)["runs"].([]any)
	if len(runs) != 1 {
		return fmt.Errorf("sarif report: internal error: %d runs", len(runs))
	}
	runs[0].(map[string]any)["results"] = streamMark(0)
	err = writeStreamed(w, doc, streamed{len(fs), func(i int) (any, error) {
		return pruned(sarifResult(r, fs[i], index[fs[i].ThreatID]))
	}})
	if err != nil {
		return fmt.Errorf("sarif report: %w", err)
	}
	return nil
}

// pruned returns v as JSON values, without what the SARIF library writes for unset fields:
// it writes every optional array, empty, and -1 for unset indexes and offsets, and a reader
// takes those for values. They are left out, as the schema allows.
func pruned(v any) (any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	return prune(doc), nil
}

// keepEmpty are the arrays SARIF readers expect even when empty: a run's results (an empty
// list says "nothing found", an absent one "not run"), the log's runs.
var keepEmpty = map[string]bool{"results": true, "runs": true}

// prune removes empty arrays and objects and -1 placeholders from a decoded JSON value.
func prune(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			e = prune(e)
			switch y := e.(type) {
			case []any:
				if len(y) == 0 && !keepEmpty[k] {
					delete(x, k)
					continue
				}
			case map[string]any:
				if len(y) == 0 {
					delete(x, k)
					continue
				}
			case json.Number:
				if y == "-1" {
					delete(x, k)
					continue
				}
			}
			x[k] = e
		}
		return x
	case []any:
		for i := range x {
			x[i] = prune(x[i])
		}
		return x
	}
	return v
}

// sarifRules returns one rule per distinct finding ID, sorted by ID, and the index of each.
func sarifRules(lib *knowledge.Library, fs []model.Finding) ([]*sarif.ReportingDescriptor, map[string]int) {
	byID := map[string]rule{}
	var ids []string
	for _, f := range fs {
		if _, seen := byID[f.ThreatID]; !seen {
			byID[f.ThreatID] = lookup(lib, f)
			ids = append(ids, f.ThreatID)
		}
	}
	sort.Strings(ids)
	rules := make([]*sarif.ReportingDescriptor, 0, len(ids))
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		index[id] = i
		rules = append(rules, sarifRule(byID[id]))
	}
	return rules, index
}

func sarifRule(ru rule) *sarif.ReportingDescriptor {
	full := unwrap(ru.Docs.Why)
	if full == "" {
		full = ru.Title
	}
	d := sarif.NewRule(ru.ID).
		WithName(camelCase(ru.Title)).
		WithShortDescription(sarif.NewMultiformatMessageString().WithText(ru.Title)).
		WithFullDescription(sarif.NewMultiformatMessageString().WithText(full)).
		WithHelpURI(knowledge.DocURL(ru.ID)).
		WithHelp(sarif.NewMultiformatMessageString().
			WithText(helpText(ru)).
			WithMarkdown(helpMarkdown(ru))).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(level(ru.Severity, false)))

	props := sarif.NewPropertyBag()
	if ru.Meta {
		props.AddTag("threatls")
		props.Add("precision", "very-high")
	} else {
		props.AddTag("security")
		for _, s := range ru.Stride {
			props.AddTag(s)
		}
		for _, c := range ru.CWE {
			props.AddTag("external/cwe/" + strings.ToLower(c))
		}
		if s, ok := securitySeverity[ru.Severity]; ok {
			props.Add("security-severity", s)
		}
		props.Add("precision", "high")
	}
	return d.WithProperties(props)
}

// securitySeverity maps severities onto GitHub's 0.0–10.0 security-severity scale, in the
// middle of each of its bands (critical ≥ 9.0, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9).
var securitySeverity = map[model.Severity]string{
	model.Critical: "9.5",
	model.High:     "8.0",
	model.Medium:   "5.5",
	model.Low:      "3.0",
}

// level maps a severity to a SARIF level; a tentative finding is at most a warning.
func level(s model.Severity, tentative bool) string {
	switch {
	case s.Rank() >= model.High.Rank() && !tentative:
		return "error"
	case s.Rank() >= model.Medium.Rank():
		return "warning"
	default:
		return "note"
	}
}

// helpText is the plain-text help of a rule: why, fix, mitigations, references.
func helpText(ru rule) string {
	var b strings.Builder
	b.WriteString(ru.Title)
	if why := unwrap(ru.Docs.Why); why != "" {
		b.WriteString("\n\n" + why)
	}
	if fix := unwrap(ru.Docs.Fix); fix != "" {
		b.WriteString("\n\nFix: " + fix)
	}
	if len(ru.Mitigations) > 0 {
		b.WriteString("\n\nMitigations:")
		for _, m := range ru.Mitigations {
			b.WriteString("\n- " + m)
		}
	}
	if fp := unwrap(ru.Docs.FalsePositives); fp != "" {
		b.WriteString("\n\nFalse positives: " + fp)
	}
	if len(ru.References) > 0 {
		b.WriteString("\n\nReferences:")
		for _, ref := range ru.References {
			b.WriteString("\n- " + ref)
		}
	}
	b.WriteString("\n\nDocumentation: " + knowledge.DocURL(ru.ID))
	return b.String()
}

// helpMarkdown is the Markdown help of a rule: the library's own documentation of it (the
// text of the rules page and of threatls explain), or the title for an unknown rule.
func helpMarkdown(ru rule) string {
	md := ru.Markdown()
	if md == "" {
		md = "**" + ru.Title + "** (" + ru.ID + ")"
	}
	return md + fmt.Sprintf("\n[Documentation of %s](%s)", ru.ID, knowledge.DocURL(ru.ID))
}

// sarifEvidence is one evidence entry in a result's properties.
type sarifEvidence struct {
	Attr     string `json:"attr"`
	Value    string `json:"value"`
	Origin   string `json:"origin,omitempty"`
	Location string `json:"location,omitempty"` // file:line:col, one-based, UTF-16 column
	Note     string `json:"note,omitempty"`
}

func sarifResult(r Result, f model.Finding, ruleIndex int) *sarif.Result {
	msg := f.Message
	if msg == "" {
		msg = f.Title
	}
	res := sarif.NewRuleResult(f.ThreatID).
		WithRuleIndex(ruleIndex).
		WithLevel(level(f.Severity, f.Confidence == model.Tentative)).
		WithMessage(sarif.NewTextMessage(oneLine(msg)))
	if loc := sarifLocation(r, f.Span); loc != nil {
		res.AddLocation(loc)
	}
	if f.Fingerprint != "" {
		res.WithPartialFingerprints(map[string]string{FingerprintKey: f.Fingerprint})
	}
	id := 1
	for _, rel := range f.Related {
		if loc := sarifLocation(r, rel.Span); loc != nil {
			res.AddRelatedLocation(loc.WithID(id).WithMessage(sarif.NewTextMessage(oneLine(rel.Message))))
			id++
		}
	}
	if s := f.Suppressed; s != nil {
		kind := "inSource" // a threatls:ignore comment
		if s.Source != "" {
			kind = "external" // the risk register: threatls.yaml, a Threagile or OTM model
		}
		sup := sarif.NewSuppression().
			WithKind(kind).
			WithStatus("accepted").
			WithJustification(s.Reason)
		if loc := sarifLocation(r, s.Span); loc != nil {
			sup.WithLocation(loc)
		}
		res.AddSuppression(sup)
	}

	props := sarif.NewPropertyBag()
	props.Add("severity", string(f.Severity))
	if f.Confidence != "" {
		props.Add("confidence", string(f.Confidence))
	}
	if f.Element != "" {
		props.Add("element", f.Element)
	}
	if f.ElementName != "" {
		props.Add("elementName", f.ElementName)
	}
	if len(f.Evidence) > 0 {
		ev := make([]sarifEvidence, 0, len(f.Evidence))
		for _, e := range f.Evidence {
			se := sarifEvidence{Attr: e.Attr, Value: e.Value, Origin: e.Origin.String(), Note: e.Note}
			if !e.Span.IsZero() {
				se.Location = fmt.Sprintf("%s:%d:%d", e.Span.File, e.Span.Start.Line+1,
					column(r.source(e.Span.File), e.Span.Start, model.UTF16Len))
			}
			ev = append(ev, se)
		}
		props.Add("evidence", ev)
	}
	if e := r.enrichment(f); e != nil {
		props.Add("enrichment", e)
	}
	return res.WithProperties(props)
}

// sarifLocation returns the physical location of s, or nil if s points nowhere.
func sarifLocation(r Result, s model.Span) *sarif.Location {
	if s.IsZero() {
		return nil
	}
	src := r.source(s.File)
	region := sarif.NewRegion().
		WithStartLine(int(s.Start.Line) + 1).
		WithStartColumn(column(src, s.Start, model.UTF16Len))
	if s.End.Offset >= s.Start.Offset && s.End.Line >= s.Start.Line {
		region.WithEndLine(int(s.End.Line) + 1).WithEndColumn(column(src, s.End, model.UTF16Len))
	}
	return sarif.NewLocationWithPhysicalLocation(
		sarif.NewPhysicalLocation().WithArtifactLocation(artifact(r.Root, s.File)).WithRegion(region))
}

// artifact returns the location of a workspace file relative to %SRCROOT% — the directory the
// scan ran in, which in CI is the repository's root — percent-encoded as a URI reference, so
// that code scanning finds the file: root is the path the user gave, and a relative root is
// joined to the file's workspace-relative path. A URI (an untitled: buffer) is kept as it is.
func artifact(root, file string) *sarif.ArtifactLocation {
	if model.IsURI(file) {
		return sarif.NewSimpleArtifactLocation(file)
	}
	if root = filepath.ToSlash(root); root != "" && !path.IsAbs(root) && !filepath.IsAbs(root) &&
		root != ".." && !strings.HasPrefix(root, "../") {
		file = path.Join(root, file)
	}
	u := url.URL{Path: file}
	return sarif.NewSimpleArtifactLocation(u.EscapedPath()).WithURIBaseID(SourceRoot)
}

// camelCase turns a title into a rule name: "S3 bucket grants public access" becomes
// "S3BucketGrantsPublicAccess". Letters after the first of a word keep their case.
func camelCase(title string) string {
	var b strings.Builder
	for _, word := range strings.FieldsFunc(title, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		rs := []rune(word)
		rs[0] = unicode.ToUpper(rs[0])
		b.WriteString(string(rs))
	}
	return b.String()
}
