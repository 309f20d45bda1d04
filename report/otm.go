package report

import (
	"fmt"
	"io"
	"sort"

	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// OTMVersion is the version of the Open Threat Model specification OTM writes.
const OTMVersion = "0.2.0"

// Trust ratings of the zones' trust levels, from 0 (no trust) to 100: the middle of the bands
// the OTM reader (analyzers/otm) reads back as those levels.
var trustRatings = map[string]int{"internet": 10, "dmz": 40, "internal": 70, "restricted": 90}

// otmNoZone is the trust zone of the components the model places in no zone: OTM requires
// every component to have a parent. They are the system's own, so it is rated internal.
const otmNoZone = "threatls:no-zone"

// Likelihood and impact of the library's levels, on OTM's 0–100 scale.
var otmLevels = map[string]int{"low": 33, "medium": 66, "high": 100}

// OTM writes the system model and its threats as an Open Threat Model 0.2.0 document (JSON):
//
//   - project: the system's name (opts.Name) and its slug as ID;
//   - representations: one, ID "code", of type "code": the repository. Every trust zone,
//     component and dataflow lists its definitions in it (file relative to the root, line
//     one-based), one per fused member;
//   - assets: the data assets (see dataAssets), with a confidentiality from their
//     classification (public 0, internal 25, confidential 50, pii 75, pci and secret 100)
//     and an integrity and availability of 50, which the code does not tell;
//   - trustZones: the zones, ID the model's, rated by trust (internet 10, dmz 40, internal 70,
//     restricted 90; a zone of unknown trust, since OTM has no such rating, as internal),
//     nested through parent; components in no zone go to a zone of their own,
//     "threatls:no-zone", rated internal;
//   - components: the components, stores and actors, ID the model's, type the source's type
//     (aws_db_instance), tags their kind and technology, attributes their known values;
//   - dataflows: the flows, source and destination the model's IDs (a flow into a zone
//     itself names the trust zone), tagged with the protocol;
//   - threats: one per threat of the library that has an unsuppressed or accepted finding
//     on a component or a dataflow, with its STRIDE categories, CWEs and risk (likelihood
//     and impact low 33, medium 66, high 100); mitigations: each threat's mitigations, ID
//     "<threat ID>-M<n>", riskReduction 100 (a mitigation removes the finding).
//
// Components and dataflows name their threats (state "exposed", or "accepted" for a
// suppressed finding) and the threat's mitigations (state "recommended"). A finding on a
// control counts for the element the control belongs to, one on an attack path for the
// path's entry; findings on zones and findings about the analysis itself (TLS-…) are left
// out. lib may be nil: a threat is then described from its findings.
func OTM(w io.Writer, g *model.Graph, findings []model.Finding, lib *knowledge.Library, opts ModelOptions) error {
	s := newSystem(g)
	id := slug(opts.name())
	if id == "" {
		id = "system"
	}
	doc := otmDoc{
		OTMVersion: OTMVersion,
		Project: otmProject{Name: opts.name(), ID: id,
			Description: "Threat model of " + opts.name() + ", inferred by threatls from the repository"},
		Representations: []otmRepresentation{{Name: "Source code", ID: "code", Type: "code",
			Description: "The repository's files; locations are relative to its root"}},
		Assets: []otmAsset{}, TrustZones: []otmTrustZone{}, Components: []otmComponent{},
		Dataflows: []otmDataflow{}, Threats: []otmThreat{}, Mitigations: []otmMitigation{},
	}
	assets, held := dataAssets(s)
	for _, a := range assets {
		doc.Assets = append(doc.Assets, otmAsset{Name: a.Name, ID: a.ID,
			Description: "Data classified " + a.Class,
			Risk:        otmRisk{Confidentiality: confidentiality(a.Class), Integrity: 50, Availability: 50}})
	}
	threats := otmThreats(g, findings, lib)
	for _, z := range s.zones {
		tz := otmTrustZone{ID: z.ID, Name: z.Name, Type: z.Type, Description: zoneLabel(z),
			Risk: otmTrust{TrustRating: trustRatings["internal"]}, Representations: otmReps(z, opts), Attributes: values(z)}
		if r, ok := trustRatings[strAttr(z, "trust")]; ok {
			tz.Risk.TrustRating = r
		}
		if p := s.parent[z.ID]; p != "" {
			tz.Parent = &otmParent{TrustZone: p}
		}
		doc.TrustZones = append(doc.TrustZones, tz)
	}
	noZone := false
	for _, n := range s.nodes {
		c := otmComponent{ID: n.ID, Name: n.Name, Type: n.Type, Description: describe(n),
			Parent: otmParent{TrustZone: s.zoneOf[n.ID]}, Representations: otmReps(n, opts),
			Threats: threats.refs(n.ID), Tags: []string{string(n.Kind)}, Attributes: values(n)}
		if c.Parent.TrustZone == "" {
			c.Parent.TrustZone, noZone = otmNoZone, true
		}
		if t := strAttr(n, "technology"); t != "" {
			c.Tags = append(c.Tags, t)
		}
		if ids := held[n.ID]; len(ids) > 0 {
			c.Assets = &otmAssetInstance{Processed: []string{}, Stored: []string{}}
			if n.Kind == model.Store {
				c.Assets.Stored = ids
			} else {
				c.Assets.Processed = ids
			}
		}
		doc.Components = append(doc.Components, c)
	}
	if noZone {
		doc.TrustZones = append(doc.TrustZones, otmTrustZone{ID: otmNoZone, Name: "no zone", Type: "unzoned",
			Description: "Elements the model places in no zone", Risk: otmTrust{TrustRating: trustRatings["internal"]}})
	}
	for _, f := range s.flows {
		if g.Element(f.From) == nil || g.Element(f.To) == nil {
			continue // an end outside the workspace: OTM has nothing to name
		}
		df := otmDataflow{ID: f.ID, Name: f.Name, Source: f.From, Destination: f.To,
			Assets: nonNil(held[f.ID]), Threats: threats.refs(f.ID), Tags: []string{},
			Attributes: values(f), Representations: otmReps(f, opts)}
		if p := strAttr(f, "protocol"); p != "" {
			df.Tags = append(df.Tags, p)
		}
		doc.Dataflows = append(doc.Dataflows, df)
	}
	for _, t := range threats.list {
		doc.Threats = append(doc.Threats, t.threat)
		doc.Mitigations = append(doc.Mitigations, t.mitigations...)
	}
	return writeJSON(w, doc)
}

func confidentiality(class string) int {
	return map[string]int{"public": 0, "internal": 25, "confidential": 50, "pii": 75, "pci": 100, "secret": 100}[class]
}

// describe says what a node is: "store (postgres), in scope: false".
func describe(e *model.Element) string {
	d := string(e.Kind)
	if t := strAttr(e, "technology"); t != "" {
		d += " (" + t + ")"
	}
	if !inScope(e) {
		d += ", outside the system under review"
	}
	return d
}

// values returns the known values of e's attributes.
func values(e *model.Element) map[string]any {
	out := map[string]any{}
	for k, a := range e.Attrs.All() {
		if a.Value != nil {
			out[k] = a.Value
		}
	}
	return out
}

// otmReps lists e's definitions in the code representation.
func otmReps(e *model.Element, opts ModelOptions) []otmRepElement {
	spans := e.Sources
	if len(spans) == 0 {
		spans = []model.Span{e.Span}
	}
	out := []otmRepElement{}
	for _, s := range spans {
		if s.IsZero() {
			continue
		}
		out = append(out, otmRepElement{Representation: "code", ID: e.ID + "@" + opts.loc(s),
			Name: s.File, File: s.File, Line: int(s.Start.Line) + 1})
	}
	return out
}

// otmThreatSet gathers the threats of the findings and which element each applies to.
type otmThreatSet struct {
	list []*otmThreatEntry
	// on maps an element ID to the threats that apply to it, by threat ID.
	on map[string]map[string]*otmThreatRef
}

type otmThreatEntry struct {
	threat      otmThreat
	mitigations []otmMitigation
}

func otmThreats(g *model.Graph, findings []model.Finding, lib *knowledge.Library) *otmThreatSet {
	set := &otmThreatSet{on: map[string]map[string]*otmThreatRef{}}
	byID := map[string]*otmThreatEntry{}
	fs := append([]model.Finding(nil), findings...)
	model.SortFindings(fs)
	for _, f := range fs {
		if _, meta := knowledge.MetaRuleFor(f.ThreatID); meta {
			continue
		}
		el := g.Element(f.Element)
		if el != nil && el.Kind == model.Control && el.Parent != "" {
			el = g.Element(el.Parent)
		}
		if el != nil && el.Kind == model.Path {
			el = g.Element(el.From)
		}
		if el == nil || !isNode(el) && el.Kind != model.Flow {
			continue
		}
		if el.Kind == model.Flow && (g.Element(el.From) == nil || g.Element(el.To) == nil) {
			continue
		}
		t := byID[f.ThreatID]
		if t == nil {
			t = newOTMThreat(f, lib)
			byID[f.ThreatID] = t
			set.list = append(set.list, t)
		}
		if set.on[el.ID] == nil {
			set.on[el.ID] = map[string]*otmThreatRef{}
		}
		ref := set.on[el.ID][f.ThreatID]
		if ref == nil {
			ref = &otmThreatRef{Threat: f.ThreatID, State: "exposed", Mitigations: []otmMitigationRef{}}
			for _, m := range t.mitigations {
				ref.Mitigations = append(ref.Mitigations, otmMitigationRef{Mitigation: m.ID, State: "recommended"})
			}
			if tr, state := treatment(f); tr != nil {
				ref.State = state
				ref.Owner, ref.Reason, ref.Ticket, ref.Until = ownerOf(tr), tr.Reason, tr.Ticket, tr.Until
			}
			set.on[el.ID][f.ThreatID] = ref
		}
		if f.Open() {
			ref.State = "exposed" // one open finding of the threat on the element exposes it
			ref.Owner, ref.Reason, ref.Ticket, ref.Until = "", "", "", ""
		}
	}
	sort.Slice(set.list, func(i, j int) bool { return set.list[i].threat.ID < set.list[j].threat.ID })
	return set
}

// refs returns the threats of the element id, sorted by threat ID.
func (s *otmThreatSet) refs(id string) []otmThreatRef {
	out := []otmThreatRef{}
	for _, r := range s.on[id] {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Threat < out[j].Threat })
	return out
}

func newOTMThreat(f model.Finding, lib *knowledge.Library) *otmThreatEntry {
	ru := lookup(lib, f)
	t := &otmThreatEntry{threat: otmThreat{ID: f.ThreatID, Name: ru.Title, Description: unwrap(ru.Docs.Why),
		Categories: nonNil(ru.Stride), CWEs: nonNil(ru.CWE), Tags: []string{string(ru.Severity)},
		Attributes: map[string]any{"severity": string(ru.Severity), "doc_url": knowledge.DocURL(f.ThreatID)}}}
	if t.threat.Name == "" {
		t.threat.Name = f.ThreatID
	}
	var th *knowledge.Threat
	if lib != nil {
		th = lib.Threat(f.ThreatID)
	}
	if th != nil {
		t.threat.Risk = otmThreatRisk{Likelihood: otmLevels[th.Likelihood], Impact: otmLevels[th.Impact]}
		for i, m := range th.Mitigations {
			t.mitigations = append(t.mitigations, otmMitigation{ID: fmt.Sprintf("%s-M%d", th.ID, i+1),
				Name: m.Title, Description: "Mitigates " + th.ID + ": " + th.Title, RiskReduction: 100})
		}
	} else {
		// Without the library, the finding's severity stands for both.
		r := map[model.Severity]int{model.Critical: 100, model.High: 80, model.Medium: 50, model.Low: 30, model.Info: 10}[f.Severity]
		t.threat.Risk = otmThreatRisk{Likelihood: r, Impact: r}
	}
	return t
}

type otmDoc struct {
	OTMVersion      string              `json:"otmVersion"`
	Project         otmProject          `json:"project"`
	Representations []otmRepresentation `json:"representations"`
	Assets          []otmAsset          `json:"assets"`
	TrustZones      []otmTrustZone      `json:"trustZones"`
	Components      []otmComponent      `json:"components"`
	Dataflows       []otmDataflow       `json:"dataflows"`
	Threats         []otmThreat         `json:"threats"`
	Mitigations     []otmMitigation     `json:"mitigations"`
}

type otmProject struct {
	Name        string `json:"name"`
	ID          string `json:"id"`
	Description string `json:"description"`
}

type otmRepresentation struct {
	Name        string `json:"name"`
	ID          string `json:"id"`
	Type        string `json:"type"`
	Description string `json:"description"`
}

type otmRepElement struct {
	Representation string `json:"representation"`
	ID             string `json:"id"`
	Name           string `json:"name"`
	File           string `json:"file"`
	Line           int    `json:"line"`
}

type otmAsset struct {
	Name        string  `json:"name"`
	ID          string  `json:"id"`
	Description string  `json:"description"`
	Risk        otmRisk `json:"risk"`
}

type otmRisk struct {
	Confidentiality int `json:"confidentiality"`
	Integrity       int `json:"integrity"`
	Availability    int `json:"availability"`
}

type otmTrustZone struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	Type            string          `json:"type"`
	Description     string          `json:"description"`
	Risk            otmTrust        `json:"risk"`
	Parent          *otmParent      `json:"parent,omitempty"`
	Representations []otmRepElement `json:"representations"`
	Attributes      map[string]any  `json:"attributes"`
}

type otmTrust struct {
	TrustRating int `json:"trustRating"`
}

type otmParent struct {
	TrustZone string `json:"trustZone"`
}

type otmComponent struct {
	ID              string            `json:"id"`
	Name            string            `json:"name"`
	Type            string            `json:"type"`
	Description     string            `json:"description"`
	Parent          otmParent         `json:"parent"`
	Representations []otmRepElement   `json:"representations"`
	Assets          *otmAssetInstance `json:"assets,omitempty"`
	Threats         []otmThreatRef    `json:"threats"`
	Tags            []string          `json:"tags"`
	Attributes      map[string]any    `json:"attributes"`
}

type otmAssetInstance struct {
	Processed []string `json:"processed"`
	Stored    []string `json:"stored"`
}

type otmDataflow struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	Bidirectional   bool            `json:"bidirectional"`
	Source          string          `json:"source"`
	Destination     string          `json:"destination"`
	Assets          []string        `json:"assets"`
	Threats         []otmThreatRef  `json:"threats"`
	Tags            []string        `json:"tags"`
	Attributes      map[string]any  `json:"attributes"`
	Representations []otmRepElement `json:"representations"`
}

type otmThreatRef struct {
	Threat      string             `json:"threat"`
	State       string             `json:"state"`
	Mitigations []otmMitigationRef `json:"mitigations"`
	// The risk register's decision, for an accepted or mitigated threat: who owns it, why
	// (for a mitigation: the control), where it is tracked, until when. The OTM analyzer
	// reads them back into the register.
	Owner  string `json:"owner,omitempty"`
	Reason string `json:"reason,omitempty"`
	Ticket string `json:"ticket,omitempty"`
	Until  string `json:"until,omitempty"`
}

// ownerOf is who owns an acceptance or a declared mitigation: the register's owner; for an
// inline threatls:ignore comment, which names none, the comment's place.
func ownerOf(t *model.Ignore) string {
	if t.Owner != "" || t.Span.IsZero() {
		return t.Owner
	}
	return fmt.Sprintf("threatls:ignore at %s:%d", t.Span.File, t.Span.Start.Line+1)
}

// treatment returns a finding's acceptance or declared mitigation and the OTM state it
// gives the threat: accepted or mitigated.
func treatment(f model.Finding) (*model.Ignore, string) {
	switch {
	case f.Suppressed != nil:
		return f.Suppressed, "accepted"
	case f.Mitigated != nil:
		return f.Mitigated, "mitigated"
	}
	return nil, ""
}

type otmMitigationRef struct {
	Mitigation string `json:"mitigation"`
	State      string `json:"state"`
}

type otmThreat struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Categories  []string       `json:"categories"`
	CWEs        []string       `json:"cwes"`
	Risk        otmThreatRisk  `json:"risk"`
	Tags        []string       `json:"tags"`
	Attributes  map[string]any `json:"attributes"`
}

type otmThreatRisk struct {
	Likelihood int `json:"likelihood"`
	Impact     int `json:"impact"`
}

type otmMitigation struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Description   string `json:"description"`
	RiskReduction int    `json:"riskReduction"`
}
