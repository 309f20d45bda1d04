package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// DocumentOptions say how `threatls report` presents a workspace.
type DocumentOptions struct {
	Title   string // the page's title; "" is "Threat model of ROOT"
	Version string // threatls's version, printed in the footer
	// LinkBase is prepended to a finding's file to make its link: "" links relative to the
	// report ("../infra/data.tf#L8"), a URL links to a code host
	// ("https://github.com/o/r/blob/main/" gives ".../infra/data.tf#L8").
	LinkBase string
}

// Document is what `threatls report` shows, computed once and written as HTML, Markdown or
// JSON (its JSON is the document itself). Every list is in a deterministic order.
type Document struct {
	Title   string     `json:"title"`
	Root    string     `json:"root"`
	Version string     `json:"version"`
	Files   int        `json:"files"`
	Summary DocSummary `json:"summary"`
	// Residual is the system's residual risk; Elements every element with a finding, the
	// riskiest first.
	Residual model.Residual `json:"residual"`
	Elements []DocElement   `json:"elements"`
	Stride   []DocStride    `json:"stride"`
	Paths    []DocPath      `json:"attack_paths"`
	// Mitigations are what would close the open findings, by threat; Declared the
	// mitigations the risk register declares.
	Mitigations []DocMitigation `json:"mitigations"`
	Declared    []DocFinding    `json:"declared_mitigations"`
	Accepted    []DocFinding    `json:"accepted"`
	Drift       []DocFinding    `json:"drift"`
	Compliance  []DocFramework  `json:"compliance"`
	Findings    []DocFinding    `json:"findings"`
	// Analysis are the findings about the analysis itself (TLS-…): files that did not parse,
	// stale acceptances, register entries that cannot apply.
	Analysis []DocFinding    `json:"analysis"`
	Skipped  []model.Skipped `json:"skipped"`

	g       *model.Graph
	anchors map[string]string // element ID → its section's anchor
}

// DocSummary counts the findings.
type DocSummary struct {
	Open      int `json:"open"`
	Critical  int `json:"critical"`
	High      int `json:"high"`
	Medium    int `json:"medium"`
	Low       int `json:"low"`
	Info      int `json:"info"`
	Tentative int `json:"tentative"`
	Accepted  int `json:"accepted"`
	Mitigated int `json:"mitigated"`
	Paths     int `json:"attack_paths"`
}

// DocFinding is a finding as the report shows it.
type DocFinding struct {
	ThreatID    string           `json:"threat_id"`
	Title       string           `json:"title"`
	Severity    model.Severity   `json:"severity"`
	Confidence  model.Confidence `json:"confidence"`
	Stride      []string         `json:"stride"`
	Element     string           `json:"element"`
	ElementName string           `json:"element_name"`
	Message     string           `json:"message"`
	// Location is "file:line:col" (one-based); Link the URL of that line.
	Location string `json:"location"`
	Link     string `json:"link"`
	// Status is open, accepted or mitigated; Treatment the acceptance or declared
	// mitigation, with TreatmentAt its location.
	Status      string        `json:"status"`
	Treatment   *model.Ignore `json:"treatment,omitempty"`
	TreatmentAt string        `json:"treatment_location,omitempty"`
	Mitigation  string        `json:"mitigation,omitempty"` // the recommended one
	// Requirements are the compliance requirements the threat bears on: "pci-dss-4.0 1.4.1".
	Requirements []string `json:"requirements"`
	Fingerprint  string   `json:"fingerprint"`
}

// DocElement is an element with its findings and residual risk.
type DocElement struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Kind     model.Kind     `json:"kind"`
	Zone     string         `json:"zone,omitempty"`
	Anchor   string         `json:"anchor"`
	Residual model.Residual `json:"residual"`
	Findings []DocFinding   `json:"findings"`
}

// DocStride is one STRIDE category and its open findings.
type DocStride struct {
	Category string       `json:"category"`
	Findings []DocFinding `json:"findings"`
}

// DocPath is an attack path.
type DocPath struct {
	Name           string   `json:"name"`
	Risk           int64    `json:"risk"`
	Classification string   `json:"classification"`
	Entry          string   `json:"entry"`
	Asset          string   `json:"asset"`
	Location       string   `json:"location"`
	Link           string   `json:"link"`
	Hops           []DocHop `json:"hops"`
}

// DocHop is one hop of an attack path.
type DocHop struct {
	From    string   `json:"from"`
	To      string   `json:"to"`
	Flow    string   `json:"flow"`
	Missing []string `json:"missing"`
}

// DocMitigation is what closes the open findings of one threat.
type DocMitigation struct {
	ThreatID    string   `json:"threat_id"`
	Title       string   `json:"title"`
	Mitigations []string `json:"mitigations"`
	Elements    []string `json:"elements"`
}

// DocFramework is the compliance status of one framework.
type DocFramework struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Requirements int    `json:"requirements"`
	Open         int    `json:"open"`
	Accepted     int    `json:"accepted"`
	Mitigated    int    `json:"mitigated"`
	NoFinding    int    `json:"no_finding"`
	NotAssessed  int    `json:"not_assessed"`
}

// Stride categories, in the order of the acronym.
var strideOrder = []string{"Spoofing", "Tampering", "Repudiation", "InformationDisclosure", "DenialOfService", "ElevationOfPrivilege"}

// NewDocument computes the report of a scan. g may be nil (no model: no diagram, no paths).
func NewDocument(r Result, g *model.Graph, lib *knowledge.Library, o DocumentOptions) *Document {
	fs := r.sorted()
	d := &Document{Title: o.Title, Root: r.Root, Version: o.Version, Files: r.Files,
		Skipped: nonNil(r.skipped())}
	if d.Title == "" {
		d.Title = "Threat model of " + r.Root
	}
	var system []model.Finding
	byElement := map[string][]DocFinding{}
	var elementOrder []string
	mitigations := map[string]*DocMitigation{}
	var mitigationOrder []string
	for _, f := range fs {
		df := newDocFinding(r, lib, f, o.LinkBase)
		if model.IsMeta(f.ThreatID) {
			d.Analysis = append(d.Analysis, df)
			continue
		}
		system = append(system, f)
		d.Findings = append(d.Findings, df)
		if _, ok := byElement[f.Element]; !ok {
			elementOrder = append(elementOrder, f.Element)
		}
		byElement[f.Element] = append(byElement[f.Element], df)
		switch df.Status {
		case "accepted":
			d.Accepted = append(d.Accepted, df)
			d.Summary.Accepted++
			continue
		case "mitigated":
			d.Declared = append(d.Declared, df)
			d.Summary.Mitigated++
			continue
		}
		d.Summary.Open++
		switch f.Severity {
		case model.Critical:
			d.Summary.Critical++
		case model.High:
			d.Summary.High++
		case model.Medium:
			d.Summary.Medium++
		case model.Low:
			d.Summary.Low++
		case model.Info:
			d.Summary.Info++
		}
		if f.Confidence == model.Tentative {
			d.Summary.Tentative++
		}
		if strings.HasPrefix(f.ThreatID, "SYS-DRIFT-") {
			d.Drift = append(d.Drift, df)
		}
		m := mitigations[f.ThreatID]
		if m == nil {
			ru := lookup(lib, f)
			m = &DocMitigation{ThreatID: f.ThreatID, Title: ru.Title, Mitigations: nonNil(ru.Mitigations)}
			mitigations[f.ThreatID] = m
			mitigationOrder = append(mitigationOrder, f.ThreatID)
		}
		if !slices.Contains(m.Elements, f.ElementName) {
			m.Elements = append(m.Elements, f.ElementName)
		}
	}
	d.Residual = model.ResidualOf(system)
	anchors := unique{}
	anchorOf := map[string]string{}
	for _, er := range model.ResidualByElement(system) {
		e := DocElement{ID: er.Element, Name: er.ElementName, Residual: er.Residual,
			Anchor: anchors.take("el-"+slug(er.ElementName), "-"), Findings: byElement[er.Element]}
		anchorOf[e.ID] = e.Anchor
		if g != nil {
			if el := g.Element(e.ID); el != nil {
				e.Kind = el.Kind
				if z := g.Zone(el.ID); z != nil {
					e.Zone = z.Name
				}
			}
		}
		d.Elements = append(d.Elements, e)
	}
	for _, cat := range strideOrder {
		s := DocStride{Category: cat, Findings: []DocFinding{}}
		for _, f := range d.Findings {
			if f.Status == "open" && slices.Contains(f.Stride, cat) {
				s.Findings = append(s.Findings, f)
			}
		}
		d.Stride = append(d.Stride, s)
	}
	sort.Strings(mitigationOrder)
	for _, id := range mitigationOrder {
		d.Mitigations = append(d.Mitigations, *mitigations[id])
	}
	if g != nil {
		for _, p := range g.Paths() {
			d.Paths = append(d.Paths, newDocPath(r, g, p, o.LinkBase))
		}
		sort.SliceStable(d.Paths, func(i, j int) bool { return d.Paths[i].Risk > d.Paths[j].Risk })
		d.Summary.Paths = len(d.Paths)
	}
	if cats, err := knowledge.Catalogues(); err == nil {
		for _, c := range cats {
			cd := NewComplianceDoc(c, r, g, lib, o.LinkBase)
			d.Compliance = append(d.Compliance, cd.Summary)
		}
	}
	d.Elements = nonNil(d.Elements)
	d.Paths = nonNil(d.Paths)
	d.Mitigations = nonNil(d.Mitigations)
	d.Declared = nonNil(d.Declared)
	d.Accepted = nonNil(d.Accepted)
	d.Drift = nonNil(d.Drift)
	d.Findings = nonNil(d.Findings)
	d.Analysis = nonNil(d.Analysis)
	d.Compliance = nonNil(d.Compliance)
	d.g, d.anchors = g, anchorOf
	return d
}

// status is a finding's treatment: open, accepted or mitigated.
func status(f model.Finding) string {
	switch {
	case f.Suppressed != nil:
		return "accepted"
	case f.Mitigated != nil:
		return "mitigated"
	}
	return "open"
}

func newDocFinding(r Result, lib *knowledge.Library, f model.Finding, linkBase string) DocFinding {
	ru := lookup(lib, f)
	df := DocFinding{ThreatID: f.ThreatID, Title: f.Title, Severity: f.Severity, Confidence: f.Confidence,
		Stride: nonNil(f.Stride), Element: f.Element, ElementName: f.ElementName, Message: f.Message,
		Status: status(f), Fingerprint: f.Fingerprint, Requirements: requirements(lib, f.ThreatID)}
	if df.Title == "" {
		df.Title = ru.Title
	}
	if !f.Span.IsZero() {
		df.Location = fmt.Sprintf("%s:%d:%d", f.Span.File, f.Span.Start.Line+1, column(r.source(f.Span.File), f.Span.Start, model.CharLen))
		df.Link = link(linkBase, f.Span)
	}
	if len(ru.Mitigations) > 0 {
		df.Mitigation = ru.Mitigations[0]
	}
	t := f.Suppressed
	if t == nil {
		t = f.Mitigated
	}
	if t != nil {
		df.Treatment = t
		if !t.Span.IsZero() {
			df.TreatmentAt = fmt.Sprintf("%s:%d", t.Span.File, t.Span.Start.Line+1)
		}
	}
	return df
}

// link returns the URL of a span's line: base + file + "#L" + line.
func link(base string, s model.Span) string {
	if s.IsZero() || model.IsURI(s.File) {
		return ""
	}
	return base + s.File + fmt.Sprintf("#L%d", s.Start.Line+1)
}

func newDocPath(r Result, g *model.Graph, p *model.Element, linkBase string) DocPath {
	name := func(id string) string {
		if e := g.Element(id); e != nil {
			return e.Name
		}
		return id
	}
	dp := DocPath{Name: p.Name, Risk: intAttr(p, "risk"), Classification: strAttr(p, "classification"),
		Entry: name(p.From), Asset: name(p.To), Hops: []DocHop{}}
	if !p.Span.IsZero() {
		dp.Location = fmt.Sprintf("%s:%d", p.Span.File, p.Span.Start.Line+1)
		dp.Link = link(linkBase, p.Span)
	}
	for _, h := range pathHops(g, p) {
		dh := DocHop{From: name(h.From), To: name(h.To), Missing: nonNil(h.Missing)}
		if h.Flow != nil {
			dh.Flow = flowLabel(h.Flow)
		}
		dp.Hops = append(dp.Hops, dh)
	}
	return dp
}

// pathFlows returns the IDs of the flows on attack paths.
func pathFlows(g *model.Graph) map[string]bool {
	out := map[string]bool{}
	for _, p := range g.Paths() {
		for _, st := range model.Steps(p) {
			out[st.Flow] = true
		}
	}
	return out
}
