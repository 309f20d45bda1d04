package report

import (
	"slices"
	"sort"

	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// Compliance statuses of a requirement.
const (
	StatusOpen        = "open"         // an open finding bears on it
	StatusAccepted    = "accepted"     // every finding that bears on it is accepted (or mitigated)
	StatusMitigated   = "mitigated"    // every finding that bears on it is mitigated, by declaration
	StatusNoFinding   = "no-finding"   // its threats were evaluated on elements and found nothing
	StatusNotAssessed = "not-assessed" // the workspace has no element its threats apply to
)

// ComplianceDoc is `threatls report --compliance FRAMEWORK`: per requirement of the
// framework, the threats that bear on it and why, the findings (open, accepted with their
// reasons, mitigated by declaration) with their locations, the elements its threats were
// evaluated on without a finding, and a status.
type ComplianceDoc struct {
	Framework ComplianceFramework `json:"framework"`
	Summary   DocFramework        `json:"summary"`
	Rows      []ComplianceRow     `json:"requirements"`
}

// ComplianceFramework describes the framework and where its catalogue comes from.
type ComplianceFramework struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Publisher string `json:"publisher"`
	Licence   string `json:"licence"`
	Source    string `json:"source"`
	Text      string `json:"text"`
	URL       string `json:"url"`
}

// ComplianceRow is one requirement.
type ComplianceRow struct {
	ID        string          `json:"id"`
	Title     string          `json:"title"`
	Status    string          `json:"status"`
	Threats   []ComplianceRef `json:"threats"`
	Findings  []DocFinding    `json:"findings"`  // open
	Accepted  []DocFinding    `json:"accepted"`  // with their owner, reason, ticket, expiry
	Mitigated []DocFinding    `json:"mitigated"` // declared in the register
	// Checked are the elements the requirement's threats were evaluated on without a finding:
	// controls observed present.
	Checked []string `json:"checked"`
}

// ComplianceRef is a threat that bears on a requirement, and why.
type ComplianceRef struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Rationale string `json:"rationale"`
	Source    string `json:"source"`
}

// NewComplianceDoc computes the compliance report of one framework. g may be nil (then no
// element counts as checked).
func NewComplianceDoc(fw *knowledge.Framework, r Result, g *model.Graph, lib *knowledge.Library, linkBase string) ComplianceDoc {
	cd := ComplianceDoc{Framework: ComplianceFramework{ID: fw.ID, Name: fw.Name, Publisher: fw.Publisher,
		Licence: fw.Licence, Source: fw.Source, Text: fw.Text, URL: fw.URL}}
	fs := r.sorted()
	var threats []*knowledge.Threat
	if lib != nil {
		threats = lib.Threats()
	}
	// Requirements in catalogue order, then those only users' threats name.
	ids := make([]string, 0, len(fw.Requirements))
	for _, req := range fw.Requirements {
		ids = append(ids, req.ID)
	}
	for _, t := range threats {
		for _, id := range t.Compliance[fw.ID] {
			if _, ok := fw.Requirement(id); !ok && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	// The elements in scope, read once rather than once per requirement, and indexed by type
	// and kind: what a threat applies to.
	var inScope []*model.Element
	byType, byKind := map[string][]int{}, map[model.Kind][]int{}
	if g != nil {
		for _, e := range g.Elements() {
			if b, known := boolAttr(e, "in_scope"); !known || b {
				byType[e.Type] = append(byType[e.Type], len(inScope))
				byKind[e.Kind] = append(byKind[e.Kind], len(inScope))
				inScope = append(inScope, e)
			}
		}
	}
	// The findings by threat, in report order, each made a DocFinding once however many
	// requirements it bears on; and, once per threat, the elements in scope it applies to and
	// found nothing on. Per requirement, both are read from there: a framework has hundreds of
	// requirements and a workspace tens of thousands of findings.
	byThreat := map[string][]int{}
	for i, f := range fs {
		byThreat[f.ThreatID] = append(byThreat[f.ThreatID], i)
	}
	docs := make([]*DocFinding, len(fs))
	docOf := func(i int) DocFinding {
		if docs[i] == nil {
			df := newDocFinding(r, lib, fs[i], linkBase)
			docs[i] = &df
		}
		return *docs[i]
	}
	unfiredOf := map[string][]int{}
	unfired := func(t *knowledge.Threat) []int {
		if l, ok := unfiredOf[t.ID]; ok {
			return l
		}
		fired := map[string]bool{}
		for _, i := range byThreat[t.ID] {
			fired[fs[i].Element] = true
		}
		var lists [][]int
		for _, typ := range t.AppliesTo.Types {
			lists = append(lists, byType[typ])
		}
		for _, k := range t.AppliesTo.Kinds {
			lists = append(lists, byKind[k])
		}
		l := []int{}
		for _, list := range lists {
			for _, i := range list {
				if !fired[inScope[i].ID] {
					l = append(l, i)
				}
			}
		}
		unfiredOf[t.ID] = l
		return l
	}
	for _, id := range ids {
		req, _ := fw.Requirement(id)
		row := ComplianceRow{ID: id, Title: req.Title, Threats: []ComplianceRef{}, Findings: []DocFinding{},
			Accepted: []DocFinding{}, Mitigated: []DocFinding{}, Checked: []string{}}
		var mapped []*knowledge.Threat
		for _, t := range threats {
			if slices.Contains(t.Compliance[fw.ID], id) {
				mapped = append(mapped, t)
				src := t.ComplianceSource
				if src == "" {
					src = "threatls library"
				}
				row.Threats = append(row.Threats, ComplianceRef{ID: t.ID, Title: t.Title, Rationale: t.ComplianceRationale, Source: src})
			}
		}
		var hits []int
		seen := map[string]bool{}
		for _, t := range mapped {
			if !seen[t.ID] {
				seen[t.ID] = true
				hits = append(hits, byThreat[t.ID]...)
			}
		}
		sort.Ints(hits) // report order
		for _, i := range hits {
			df := docOf(i)
			switch df.Status {
			case "accepted":
				row.Accepted = append(row.Accepted, df)
			case "mitigated":
				row.Mitigated = append(row.Mitigated, df)
			default:
				row.Findings = append(row.Findings, df)
			}
		}
		// Checked: the elements in scope a mapped threat applies to and found nothing on, in
		// the model's order.
		none := map[int]bool{}
		for _, t := range mapped {
			for _, i := range unfired(t) {
				none[i] = true
			}
		}
		idx := make([]int, 0, len(none))
		for i := range none {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		checked := map[string]bool{}
		for _, i := range idx {
			if e := inScope[i]; !checked[e.Name] {
				checked[e.Name] = true
				row.Checked = append(row.Checked, e.Name)
			}
		}
		switch {
		case len(row.Findings) > 0:
			row.Status = StatusOpen
			cd.Summary.Open++
		case len(row.Accepted) > 0:
			row.Status = StatusAccepted
			cd.Summary.Accepted++
		case len(row.Mitigated) > 0:
			row.Status = StatusMitigated
			cd.Summary.Mitigated++
		case len(row.Checked) > 0:
			row.Status = StatusNoFinding
			cd.Summary.NoFinding++
		default:
			row.Status = StatusNotAssessed
			cd.Summary.NotAssessed++
		}
		cd.Rows = append(cd.Rows, row)
	}
	cd.Summary.ID, cd.Summary.Name, cd.Summary.Requirements = fw.ID, fw.Name, len(cd.Rows)
	cd.Rows = nonNil(cd.Rows)
	return cd
}
