package model

import (
	"cmp"
	"slices"
	"strings"
)

// Severity of a finding, derived from the threat's likelihood × impact.
type Severity string

// Severities, from the most to the least serious.
const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
	Info     Severity = "info"
)

// Rank orders severities: Critical is 4, Info 0, an unknown severity -1.
func (s Severity) Rank() int {
	switch s {
	case Critical:
		return 4
	case High:
		return 3
	case Medium:
		return 2
	case Low:
		return 1
	case Info:
		return 0
	}
	return -1
}

// ParseSeverity reads a severity name, case-insensitively.
func ParseSeverity(s string) (Severity, bool) {
	v := Severity(strings.ToLower(s))
	return v, v.Rank() >= 0
}

// Confidence says whether a finding rests on known values only.
type Confidence string

// Confidences.
const (
	Certain Confidence = "certain"
	// Tentative: the condition could be true, depending on a value that could not be resolved.
	Tentative Confidence = "tentative"
)

// Evidence is one attribute value a finding rests on.
type Evidence struct {
	Attr   string `json:"attr"`
	Value  string `json:"value"` // rendered for people: `true`, `"0.0.0.0/0"`, `(not set)`
	Origin Origin `json:"origin"`
	Span   Span   `json:"span"`
	Note   string `json:"note,omitempty"`
}

// Finding is one threat applying to one element, at a source location.
type Finding struct {
	ThreatID   string     `json:"threat_id"`
	Title      string     `json:"title"`
	Severity   Severity   `json:"severity"`
	Stride     []string   `json:"stride"`
	Confidence Confidence `json:"confidence"`
	// Element is the element's ID; ElementName the address a user recognises.
	Element     string `json:"element"`
	ElementName string `json:"element_name"`
	// Span is what a diagnostic underlines: the attribute that causes the threat, or the head
	// of the definition when the cause is something missing.
	Span     Span       `json:"span"`
	Message  string     `json:"message"`
	Evidence []Evidence `json:"evidence,omitempty"`
	Related  []Related  `json:"related,omitempty"`
	// Fingerprint identifies the finding across runs and edits: threat, file and element,
	// never a line number.
	Fingerprint string `json:"fingerprint"`
	// Suppressed is set when a threatls:ignore comment or an entry of the risk register
	// accepts the finding.
	Suppressed *Ignore `json:"suppressed,omitempty"`
	// Mitigated is set when the risk register declares a control that mitigates the finding,
	// one the analyzers cannot see (a WAF managed elsewhere): Reason names the control. It is
	// declared, not observed: the finding stays listed, and no longer counts as residual risk.
	Mitigated *Ignore `json:"mitigated,omitempty"`
	// Local is set when the finding rests on its element alone, as its own file defines it —
	// no flow, zone, path, other format or workspace count — so that a model still loading
	// cannot change it.
	Local bool `json:"-"`
}

// Open reports whether the finding is neither accepted nor declared mitigated.
func (f Finding) Open() bool { return f.Suppressed == nil && f.Mitigated == nil }

// SortFindings orders findings by (file, offset, threat ID, element) — the order of every output.
// Findings gathered element by element mostly are in order already: a file's 2,700 findings,
// sorted after every keystroke by a reflecting swap, were 5% of one in a 5 MB file.
func SortFindings(fs []Finding) {
	if !slices.IsSortedFunc(fs, compareFindings) {
		slices.SortStableFunc(fs, compareFindings)
	}
}

func compareFindings(a, b Finding) int {
	if c := strings.Compare(a.Span.File, b.Span.File); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Span.Start.Offset, b.Span.Start.Offset); c != 0 {
		return c
	}
	if c := strings.Compare(a.ThreatID, b.ThreatID); c != 0 {
		return c
	}
	return strings.Compare(a.Element, b.Element)
}

// FixOp is one mechanical change that mitigates a finding, expressed against an element and
// carried out by the analyzer of the element's format. Ops:
//
//	set      set attribute Path (a dotted path of nested block names and the attribute) to the
//	         expression Value, adding it (and any missing nested blocks) if absent
//	replace  in the expression of attribute Path, replace the literal Old by New
//	append   add Text, a whole top-level definition, after the element's definition
type FixOp struct {
	Op    string `yaml:"op" json:"op"`
	Path  string `yaml:"path,omitempty" json:"path,omitempty"`
	Value string `yaml:"value,omitempty" json:"value,omitempty"`
	Old   string `yaml:"old,omitempty" json:"old,omitempty"`
	New   string `yaml:"new,omitempty" json:"new,omitempty"`
	Text  string `yaml:"text,omitempty" json:"text,omitempty"`
}

// TextEdit replaces the bytes [Start, End) of File with NewText.
type TextEdit struct {
	File    string `json:"file"`
	Start   int    `json:"start"`
	End     int    `json:"end"`
	NewText string `json:"new_text"`
}

// FixKind says what a fix does.
type FixKind string

// Fix kinds.
const (
	Mitigate   FixKind = "mitigate"    // carries out a mitigation of the threat
	AcceptRisk FixKind = "accept-risk" // inserts a threatls:ignore comment
	Cleanup    FixKind = "cleanup"     // removes a stale threatls:ignore comment
)

// Fix is a titled set of non-overlapping edits.
type Fix struct {
	Title string     `json:"title"`
	Kind  FixKind    `json:"kind"`
	Edits []TextEdit `json:"edits"`
}
