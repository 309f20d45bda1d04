package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// JSONVersion is the version of the JSON schema below. It changes only when a field is removed
// or changes meaning; new fields may be added within a version.
const JSONVersion = 1

// JSON writes the scan as one JSON document, indented by two spaces, keys in a fixed order:
//
//	{
//	  "version": 1,
//	  "root": "infra",                  // the workspace root as given (display only)
//	  "files": 23,                      // files analysed
//	  "summary": {
//	    "findings": 12,                 // unsuppressed findings, meta findings included
//	    "critical": 2, "high": 5, "medium": 3, "low": 2, "info": 0,
//	    "tentative": 1,                 // unsuppressed findings resting on an unresolved value
//	    "accepted": 1,                  // suppressed findings (accepted risks)
//	    "skipped": 0                    // files not analysed
//	  },
//	  "findings": [ … ],                // sorted by file, offset, threat ID, element
//	  "skipped": [ {"file": "x.tf", "reason": "…"} ]
//	}
//
// A finding carries every field of model.Finding under the same names, so that it decodes back
// into a model.Finding:
//
//	threat_id, title, severity (critical|high|medium|low|info), stride [], confidence
//	(certain|tentative), element, element_name, span, message, evidence [], related [],
//	fingerprint (stable across runs and edits), suppressed (present only for an accepted risk:
//	{threat_id, reason, span, target})
//
// A span is {file, start, end}; file is relative to the root and slash-separated, and start and
// end are {offset, line, col}: a byte offset, a zero-based line and a zero-based byte column
// (end is exclusive). Evidence is [{attr, value, origin (read|defaulted|declared|unknown),
// span, note}]; related is [{span, message}].
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
			Skipped:   len(r.Skipped),
		},
		Findings: make([]jsonFinding, 0, len(fs)),
		Skipped:  r.skipped(),
	}
	if doc.Skipped == nil {
		doc.Skipped = []model.Skipped{}
	}
	for _, f := range fs {
		doc.Findings = append(doc.Findings, newJSONFinding(r, lib, f))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("json report: %w", err)
	}
	return nil
}

type jsonReport struct {
	Version  int             `json:"version"`
	Root     string          `json:"root"`
	Files    int             `json:"files"`
	Summary  jsonSummary     `json:"summary"`
	Findings []jsonFinding   `json:"findings"`
	Skipped  []model.Skipped `json:"skipped"`
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
	Skipped   int `json:"skipped"`
}

// jsonFinding is the public schema of a finding. It mirrors model.Finding field by field rather
// than embedding it, so that a change to the model cannot silently change the schema.
type jsonFinding struct {
	ThreatID    string           `json:"threat_id"`
	Title       string           `json:"title"`
	Severity    model.Severity   `json:"severity"`
	Stride      []string         `json:"stride"`
	Confidence  model.Confidence `json:"confidence"`
	Element     string           `json:"element"`
	ElementName string           `json:"element_name"`
	Span        model.Span       `json:"span"`
	Location    string           `json:"location"`
	Message     string           `json:"message"`
	Evidence    []model.Evidence `json:"evidence"`
	Related     []model.Related  `json:"related"`
	Fingerprint string           `json:"fingerprint"`
	Suppressed  *model.Ignore    `json:"suppressed,omitempty"`
	DocURL      string           `json:"doc_url"`
	CWE         []string         `json:"cwe"`
	CAPEC       []string         `json:"capec"`
	Attack      []string         `json:"attack"`
	References  []string         `json:"references"`
	Mitigations []string         `json:"mitigations"`
	Enrichment  *Enrichment      `json:"enrichment,omitempty"`
}

func newJSONFinding(r Result, lib *knowledge.Library, f model.Finding) jsonFinding {
	ru := lookup(lib, f)
	location := ""
	if !f.Span.IsZero() {
		location = fmt.Sprintf("%s:%d:%d", f.Span.File, f.Span.Start.Line+1,
			column(r.source(f.Span.File), f.Span.Start, model.CharLen))
	}
	return jsonFinding{
		ThreatID:    f.ThreatID,
		Title:       f.Title,
		Severity:    f.Severity,
		Stride:      nonNil(f.Stride),
		Confidence:  f.Confidence,
		Element:     f.Element,
		ElementName: f.ElementName,
		Span:        f.Span,
		Location:    location,
		Message:     f.Message,
		Evidence:    nonNil(f.Evidence),
		Related:     nonNil(f.Related),
		Fingerprint: f.Fingerprint,
		Suppressed:  f.Suppressed,
		DocURL:      knowledge.DocURL(f.ThreatID),
		CWE:         nonNil(ru.CWE),
		CAPEC:       nonNil(ru.CAPEC),
		Attack:      nonNil(ru.Attack),
		References:  nonNil(ru.References),
		Mitigations: nonNil(ru.Mitigations),
		Enrichment:  r.enrichment(f),
	}
}

// nonNil turns a nil slice into an empty one, so that JSON shows [] rather than null.
func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
