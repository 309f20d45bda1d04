package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// JSONVersion is the version of the JSON schema (docs/json.md, docs/scan.schema.json). It
// changes only when a field is removed or changes meaning; new fields may be added within a
// version. Version 2 made positions one-based, as in the text and SARIF outputs.
const JSONVersion = 2

// JSON writes the scan as one JSON document, indented by two spaces, keys in a fixed order:
//
//	{
//	  "version": 2,
//	  "root": "infra",                  // the workspace root as given (display only)
//	  "files": 23,                      // files analysed
//	  "summary": {
//	    "findings": 12,                 // unsuppressed findings, meta findings included
//	    "critical": 2, "high": 5, "medium": 3, "low": 2, "info": 0,
//	    "tentative": 1,                 // unsuppressed findings resting on an unresolved value
//	    "accepted": 1,                  // suppressed findings (accepted risks)
//	    "mitigated": 1,                 // unsuppressed findings the risk register declares mitigated
//	    "skipped": 0                    // files not analysed
//	  },
//	  "residual": {…},                  // model.Residual of the findings
//	  "findings": [ … ],                // sorted by file, offset, threat ID, element
//	  "skipped": [ {"file": "x.tf", "reason": "…"} ]
//	}
//
// A finding: threat_id, title, severity (critical|high|medium|low|info), stride [],
// confidence (certain|tentative), element, element_name, span, location, message, evidence [],
// related [], fingerprint (stable across runs and edits: threat and element, never a line),
// suppressed (an accepted risk: {threat_id, reason, until, span, owner, ticket, source}),
// mitigated (a mitigation the risk register declares, same shape), residual (what the
// finding weighs in residual risk), requirements (compliance requirements it bears on).
//
// A span is {file, start, end}; file is relative to the root and slash-separated; start and
// end are {line, column, offset}: a one-based line, a one-based column counting characters (as
// the text output and editors show them), and a byte offset; end is exclusive. Evidence is
// [{attr, value, origin (read|defaulted|declared|unknown), span, note}]; related is
// [{span, message}].
//
// Each finding adds:
//
//	location      "file:line:col" of the span's start, one-based, the column in characters
//	doc_url       the threat's documentation
//	cwe, capec, attack, references   from the threat library
//	mitigations   titles of the threat's mitigations, the recommended one first
//	enrichment    only with scan --ai: {model, text (Markdown), cached, fix: {verified,
//	              reason, file, line, diff}, error}; see Enrichment. The other fields of the
//	              finding are the same with or without it.
//
// Arrays are never null: an empty list is []. lib may be nil; the library fields are then
// empty except doc_url.
func JSON(w io.Writer, r Result, lib *knowledge.Library) error {
	fs := r.sorted()
	c := count(fs)
	doc := jsonReport{
		Version: JSONVersion,
		Root:    r.Root,
		Files:   r.Files,
		Summary: jsonSummary{
			Findings:  c.findings,
			Critical:  c.bySeverity[model.Critical],
			High:      c.bySeverity[model.High],
			Medium:    c.bySeverity[model.Medium],
			Low:       c.bySeverity[model.Low],
			Info:      c.bySeverity[model.Info],
			Tentative: c.tentative,
			Accepted:  c.accepted,
			Mitigated: mitigated(fs),
			Skipped:   len(r.Skipped),
		},
		Residual: model.ResidualOf(fs),
		Findings: streamMark(0), // written one by one below
		Skipped:  []jsonSkipped{},
	}
	for _, s := range r.skipped() {
		name, enc := FileName(s.File)
		doc.Skipped = append(doc.Skipped, jsonSkipped{File: name, FileEncoding: enc, Reason: s.Reason, Generated: s.Generated})
	}
	reqs := map[string][]string{} // by threat: the same for each of its findings
	err := writeStreamed(w, doc, streamed{len(fs), func(i int) (any, error) {
		f := fs[i]
		rs, ok := reqs[f.ThreatID]
		if !ok {
			rs = requirements(lib, f.ThreatID)
			reqs[f.ThreatID] = rs
		}
		return newJSONFinding(r, lib, f, rs), nil
	}})
	if err != nil {
		return fmt.Errorf("json report: %w", err)
	}
	return nil
}

type jsonReport struct {
	Version  int            `json:"version"`
	Root     string         `json:"root"`
	Files    int            `json:"files"`
	Summary  jsonSummary    `json:"summary"`
	Residual model.Residual `json:"residual"`
	Findings any            `json:"findings"` // []jsonFinding, streamed
	Skipped  []jsonSkipped  `json:"skipped"`
}

// jsonSkipped is a file that was not analysed (model.Skipped), its name written as spans'.
type jsonSkipped struct {
	File         string `json:"file"`
	FileEncoding string `json:"file_encoding,omitempty"`
	Reason       string `json:"reason"`
	Generated    bool   `json:"generated,omitempty"`
}

type jsonSummary struct {
	Findings  int `json:"findings"`
	Critical  int `json:"critical"`
	High      int `json:"high"`
	Medium    int `json:"medium"`
	Low       int `json:"low"`
	Info      int `json:"info"`
	Tentative int `json:"tentative"`
	Accepted  int `json:"accepted"`
	Mitigated int `json:"mitigated"`
	Skipped   int `json:"skipped"`
}

// jsonFinding is the public schema of a finding. It mirrors model.Finding field by field rather
// than embedding it, so that a change to the model cannot silently change the schema.
type jsonFinding struct {
	ThreatID     string           `json:"threat_id"`
	Title        string           `json:"title"`
	Severity     model.Severity   `json:"severity"`
	Stride       []string         `json:"stride"`
	Confidence   model.Confidence `json:"confidence"`
	Element      string           `json:"element"`
	ElementName  string           `json:"element_name"`
	Span         jsonSpan         `json:"span"`
	Location     string           `json:"location"`
	Message      string           `json:"message"`
	Evidence     []jsonEvidence   `json:"evidence"`
	Related      []jsonRelated    `json:"related"`
	Fingerprint  string           `json:"fingerprint"`
	Suppressed   *jsonTreatment   `json:"suppressed,omitempty"`
	Mitigated    *jsonTreatment   `json:"mitigated,omitempty"`
	Residual     float64          `json:"residual"`
	Requirements []string         `json:"requirements"`
	DocURL       string           `json:"doc_url"`
	CWE          []string         `json:"cwe"`
	CAPEC        []string         `json:"capec"`
	Attack       []string         `json:"attack"`
	References   []string         `json:"references"`
	Mitigations  []string         `json:"mitigations"`
	Enrichment   *Enrichment      `json:"enrichment,omitempty"`
}

func newJSONFinding(r Result, lib *knowledge.Library, f model.Finding, requirements []string) jsonFinding {
	ru := lookup(lib, f)
	location := ""
	if !f.Span.IsZero() {
		location = fmt.Sprintf("%s:%d:%d", f.Span.File, f.Span.Start.Line+1,
			column(r.source(f.Span.File), f.Span.Start, model.CharLen))
	}
	jf := jsonFinding{
		ThreatID:     f.ThreatID,
		Title:        f.Title,
		Severity:     f.Severity,
		Stride:       nonNil(f.Stride),
		Confidence:   f.Confidence,
		Element:      f.Element,
		ElementName:  f.ElementName,
		Span:         newJSONSpan(r, f.Span),
		Location:     location,
		Message:      f.Message,
		Evidence:     []jsonEvidence{},
		Related:      []jsonRelated{},
		Fingerprint:  f.Fingerprint,
		Suppressed:   newJSONTreatment(r, f.Suppressed),
		Mitigated:    newJSONTreatment(r, f.Mitigated),
		Residual:     model.Weight(f),
		Requirements: requirements,
		DocURL:       knowledge.DocURL(f.ThreatID),
		CWE:          nonNil(ru.CWE),
		CAPEC:        nonNil(ru.CAPEC),
		Attack:       nonNil(ru.Attack),
		References:   nonNil(ru.References),
		Mitigations:  nonNil(ru.Mitigations),
		Enrichment:   r.enrichment(f),
	}
	for _, e := range f.Evidence {
		jf.Evidence = append(jf.Evidence, jsonEvidence{Attr: e.Attr, Value: e.Value, Origin: e.Origin, Span: newJSONSpan(r, e.Span), Note: e.Note})
	}
	for _, rel := range f.Related {
		jf.Related = append(jf.Related, jsonRelated{Span: newJSONSpan(r, rel.Span), Message: rel.Message})
	}
	return jf
}

// jsonSpan is a span with one-based lines and character columns, and byte offsets. A file
// name that is not UTF-8 is written percent-encoded, with file_encoding "percent" (see
// FileName).
type jsonSpan struct {
	File         string  `json:"file"`
	FileEncoding string  `json:"file_encoding,omitempty"`
	Start        jsonPos `json:"start"`
	End          jsonPos `json:"end"`
}

type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Offset int `json:"offset"`
}

func newJSONSpan(r Result, s model.Span) jsonSpan {
	if s.IsZero() {
		return jsonSpan{}
	}
	src := r.source(s.File)
	pos := func(p model.Pos) jsonPos {
		return jsonPos{Line: int(p.Line) + 1, Column: column(src, p, model.CharLen), Offset: int(p.Offset)}
	}
	name, enc := FileName(s.File)
	return jsonSpan{File: name, FileEncoding: enc, Start: pos(s.Start), End: pos(s.End)}
}

// FileName returns how a file name is written in JSON, and its encoding: a UTF-8 name as it
// is (""); any other, which JSON cannot hold, percent-encoded ("percent": every byte outside
// printable ASCII, and "%" itself, as %XX), so that it still names the one file it names.
func FileName(name string) (string, string) {
	if utf8.ValidString(name) {
		return name, ""
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c < 0x20 || c >= 0x7f || c == '%' {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String(), "percent"
}

type jsonEvidence struct {
	Attr   string       `json:"attr"`
	Value  string       `json:"value"`
	Origin model.Origin `json:"origin"`
	Span   jsonSpan     `json:"span"`
	Note   string       `json:"note,omitempty"`
}

type jsonRelated struct {
	Span    jsonSpan `json:"span"`
	Message string   `json:"message"`
}

// jsonTreatment is an acceptance (inline or in the risk register) or a declared mitigation.
type jsonTreatment struct {
	ThreatID string   `json:"threat_id"`
	Reason   string   `json:"reason"`
	Until    string   `json:"until,omitempty"`
	Owner    string   `json:"owner,omitempty"`
	Ticket   string   `json:"ticket,omitempty"`
	Source   string   `json:"source"`
	Span     jsonSpan `json:"span"`
}

func newJSONTreatment(r Result, ig *model.Ignore) *jsonTreatment {
	if ig == nil {
		return nil
	}
	src := ig.Source
	if src == "" {
		src = "inline"
	}
	return &jsonTreatment{ThreatID: ig.ThreatID, Reason: ig.Reason, Until: ig.Until, Owner: ig.Owner,
		Ticket: ig.Ticket, Source: src, Span: newJSONSpan(r, ig.Span)}
}

// nonNil turns a nil slice into an empty one, so that JSON shows [] rather than null.
func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

func mitigated(fs []model.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Suppressed == nil && f.Mitigated != nil {
			n++
		}
	}
	return n
}
