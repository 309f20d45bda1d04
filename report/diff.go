package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// Side is one side of a comparison: a scan's findings and, when there is one, its model.
type Side struct {
	Result Result
	Graph  *model.Graph // nil for a baseline file, which has findings only
}

// Delta is what a change introduces and removes: `threatls diff` and `scan --baseline`.
type Delta struct {
	// New are the open findings of head that base did not have open (new ones, and ones
	// whose acceptance ended); Fixed the open findings of base that head does not have at
	// all; Accepted those open in base and accepted (or mitigated by declaration) in head.
	New      []model.Finding
	Fixed    []model.Finding
	Accepted []model.Finding
	// Model are the changes of the system model; nil when either side has no model.
	Model *ModelDelta
}

// ModelDelta are the changes of the model: flows (by their ends' names, protocol and port),
// boundary crossings, attack paths (by entry and asset) and residual risk.
type ModelDelta struct {
	NewFlows       []FlowChange `json:"new_flows"`
	RemovedFlows   []FlowChange `json:"removed_flows"`
	NewCrossings   []FlowChange `json:"new_boundary_crossings"`
	NewPaths       []PathChange `json:"new_paths"`
	BrokenPaths    []PathChange `json:"broken_paths"`
	ResidualBase   float64      `json:"residual_base"`
	ResidualHead   float64      `json:"residual_head"`
	ResidualChange float64      `json:"residual_change"`
}

// FlowChange is a flow that appeared or disappeared.
type FlowChange struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Label    string `json:"label"`
	FromZone string `json:"from_zone,omitempty"`
	ToZone   string `json:"to_zone,omitempty"`
	Location string `json:"location,omitempty"`
}

// PathChange is an attack path that appeared or was broken.
type PathChange struct {
	Name     string `json:"name"`
	Entry    string `json:"entry"`
	Asset    string `json:"asset"`
	Risk     int64  `json:"risk"`
	Location string `json:"location,omitempty"`
}

// Compare matches the findings of base and head and, when both have a model, their models.
//
// Findings match by fingerprint (threat and element ID, never a line: a finding that moves
// within its file still matches), then — for those left — by threat and element name, one
// to one in order, so that a file moved to another directory (whose elements change ID) does
// not turn its findings into new ones and fixed ones.
func Compare(base, head Side) Delta {
	bf, hf := base.Result.sorted(), head.Result.sorted()
	match := matchFindings(bf, hf)
	var d Delta
	matchedBase := map[int]bool{}
	for hi, bi := range match {
		if bi >= 0 {
			matchedBase[bi] = true
		}
		h := hf[hi]
		switch {
		case h.Open() && (bi < 0 || !bf[bi].Open()):
			d.New = append(d.New, h)
		case !h.Open() && bi >= 0 && bf[bi].Open():
			d.Accepted = append(d.Accepted, h)
		}
	}
	for bi, b := range bf {
		if !matchedBase[bi] && b.Open() {
			d.Fixed = append(d.Fixed, b)
		}
	}
	if base.Graph != nil && head.Graph != nil {
		d.Model = compareModels(base, head)
	}
	return d
}

// matchFindings returns, for each head finding, the index of its base finding or -1.
func matchFindings(base, head []model.Finding) []int {
	out := make([]int, len(head))
	used := make([]bool, len(base))
	byFP := map[string][]int{}
	for i, f := range base {
		byFP[f.Fingerprint] = append(byFP[f.Fingerprint], i)
	}
	for i, f := range head {
		out[i] = -1
		for _, bi := range byFP[f.Fingerprint] {
			if !used[bi] {
				out[i], used[bi] = bi, true
				break
			}
		}
	}
	byName := map[string][]int{}
	for i, f := range base {
		if !used[i] {
			k := f.ThreatID + "|" + f.ElementName
			byName[k] = append(byName[k], i)
		}
	}
	for i, f := range head {
		if out[i] >= 0 {
			continue
		}
		for _, bi := range byName[f.ThreatID+"|"+f.ElementName] {
			if !used[bi] {
				out[i], used[bi] = bi, true
				break
			}
		}
	}
	return out
}

func compareModels(base, head Side) *ModelDelta {
	md := &ModelDelta{}
	bFlows, hFlows := flowSet(base), flowSet(head)
	for _, k := range sortedKeys(hFlows) {
		if _, ok := bFlows[k]; !ok {
			fc := hFlows[k]
			md.NewFlows = append(md.NewFlows, fc.FlowChange)
			if fc.crosses {
				md.NewCrossings = append(md.NewCrossings, fc.FlowChange)
			}
		} else if hFlows[k].crosses && !bFlows[k].crosses {
			md.NewCrossings = append(md.NewCrossings, hFlows[k].FlowChange)
		}
	}
	for _, k := range sortedKeys(bFlows) {
		if _, ok := hFlows[k]; !ok {
			md.RemovedFlows = append(md.RemovedFlows, bFlows[k].FlowChange)
		}
	}
	bPaths, hPaths := pathSet(base), pathSet(head)
	for _, k := range sortedKeys(hPaths) {
		if _, ok := bPaths[k]; !ok {
			md.NewPaths = append(md.NewPaths, hPaths[k])
		}
	}
	for _, k := range sortedKeys(bPaths) {
		if _, ok := hPaths[k]; !ok {
			md.BrokenPaths = append(md.BrokenPaths, bPaths[k])
		}
	}
	md.ResidualBase = model.ResidualOf(base.Result.Findings).Score
	md.ResidualHead = model.ResidualOf(head.Result.Findings).Score
	md.ResidualChange = md.ResidualHead - md.ResidualBase
	md.NewFlows, md.RemovedFlows, md.NewCrossings = nonNil(md.NewFlows), nonNil(md.RemovedFlows), nonNil(md.NewCrossings)
	md.NewPaths, md.BrokenPaths = nonNil(md.NewPaths), nonNil(md.BrokenPaths)
	return md
}

type flowEntry struct {
	FlowChange
	crosses bool
}

// flowSet keys the flows of a side by what survives a move: their ends' names, protocol and
// port. Blocked flows carry nothing and are left out.
func flowSet(s Side) map[string]flowEntry {
	g := s.Graph
	name := func(id string) string {
		if e := g.Element(id); e != nil {
			return e.Name
		}
		return id
	}
	zone := func(id string) string {
		if z := g.Zone(id); z != nil {
			return z.Name
		}
		return ""
	}
	out := map[string]flowEntry{}
	for _, f := range newSystem(g).flows {
		if b, _ := boolAttr(f, "blocked"); b {
			continue
		}
		fc := FlowChange{From: name(f.From), To: name(f.To), Label: flowLabel(f), FromZone: zone(f.From), ToZone: zone(f.To)}
		if !f.Span.IsZero() {
			fc.Location = fmt.Sprintf("%s:%d", f.Span.File, f.Span.Start.Line+1)
		}
		k := fc.From + "→" + fc.To + "|" + strAttr(f, "protocol") + "|" + fmt.Sprint(intAttr(f, "port"))
		cross := fc.FromZone != fc.ToZone
		if b, known := boolAttr(f, "crosses_boundary"); known {
			cross = b
		}
		out[k] = flowEntry{fc, cross}
	}
	return out
}

func pathSet(s Side) map[string]PathChange {
	g := s.Graph
	out := map[string]PathChange{}
	for _, p := range g.Paths() {
		entry, asset := p.From, p.To
		if e := g.Element(entry); e != nil {
			entry = e.Name
		}
		if e := g.Element(asset); e != nil {
			asset = e.Name
		}
		pc := PathChange{Name: p.Name, Entry: entry, Asset: asset, Risk: intAttr(p, "risk")}
		if !p.Span.IsZero() {
			pc.Location = fmt.Sprintf("%s:%d", p.Span.File, p.Span.Start.Line+1)
		}
		out[entry+"→"+asset] = pc
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// DiffJSON writes a delta: top-level new, fixed and accepted lists of findings in the scan's
// JSON shape, and the model's changes (null without a model).
func DiffJSON(w io.Writer, d Delta, head Result, lib *knowledge.Library) error {
	conv := func(fs []model.Finding) []jsonFinding {
		out := make([]jsonFinding, 0, len(fs))
		for _, f := range fs {
			out = append(out, newJSONFinding(head, lib, f, requirements(lib, f.ThreatID)))
		}
		return out
	}
	return writeJSON(w, struct {
		Version  int           `json:"version"`
		Root     string        `json:"root"`
		New      []jsonFinding `json:"new"`
		Fixed    []jsonFinding `json:"fixed"`
		Accepted []jsonFinding `json:"accepted"`
		Model    *ModelDelta   `json:"model"`
	}{JSONVersion, head.Root, conv(d.New), conv(d.Fixed), conv(d.Accepted), d.Model})
}

// DiffText writes a delta for a terminal.
func DiffText(w io.Writer, d Delta, head Result, lib *knowledge.Library) error {
	bw := bufio.NewWriter(w)
	section := func(title string, fs []model.Finding) {
		fmt.Fprintf(bw, "%s: %d\n", title, len(fs))
		for _, f := range fs {
			fmt.Fprintf(bw, "  %s: %s %s %s\n", textPos(head, f.Span), f.ThreatID, f.Severity, oneLine(f.Message))
		}
	}
	section("new findings", d.New)
	section("fixed findings", d.Fixed)
	if len(d.Accepted) > 0 {
		section("newly accepted", d.Accepted)
	}
	if m := d.Model; m != nil {
		flows := func(title string, fs []FlowChange) {
			if len(fs) == 0 {
				return
			}
			fmt.Fprintf(bw, "%s: %d\n", title, len(fs))
			for _, f := range fs {
				fmt.Fprintf(bw, "  %s → %s %s%s\n", f.From, f.To, f.Label, zones(f))
			}
		}
		flows("new flows", m.NewFlows)
		flows("removed flows", m.RemovedFlows)
		flows("new boundary crossings", m.NewCrossings)
		paths := func(title string, ps []PathChange) {
			if len(ps) == 0 {
				return
			}
			fmt.Fprintf(bw, "%s: %d\n", title, len(ps))
			for _, p := range ps {
				fmt.Fprintf(bw, "  risk %d  %s\n", p.Risk, p.Name)
			}
		}
		paths("new attack paths", m.NewPaths)
		paths("broken attack paths", m.BrokenPaths)
		fmt.Fprintf(bw, "residual risk: %.1f → %.1f (%+.1f)\n", m.ResidualBase, m.ResidualHead, m.ResidualChange)
	}
	return bw.Flush()
}

func zones(f FlowChange) string {
	if f.FromZone == f.ToZone {
		return ""
	}
	return fmt.Sprintf(" [%s → %s]", orNone(f.FromZone), orNone(f.ToZone))
}

func orNone(s string) string {
	if s == "" {
		return "no zone"
	}
	return s
}

// DiffMarkdown writes a delta as a pull-request comment.
func DiffMarkdown(w io.Writer, d Delta, head Result, lib *knowledge.Library, linkBase string) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "### threatls: %s, %s\n\n", plural(len(d.New), "new finding", "new findings"), plural(len(d.Fixed), "fixed finding", "fixed findings"))
	table := func(title string, fs []model.Finding) {
		if len(fs) == 0 {
			return
		}
		fmt.Fprintf(bw, "**%s**\n\n| where | threat | severity | finding |\n| --- | --- | --- | --- |\n", title)
		for _, f := range fs {
			df := newDocFinding(head, lib, f, linkBase)
			sev := string(f.Severity)
			if f.Confidence == model.Tentative {
				sev += " (tentative)"
			}
			fmt.Fprintf(bw, "| %s | `%s` | %s | %s |\n", mdLink("", df.Location, df.Link), f.ThreatID, sev, mdCell(f.Message))
		}
		bw.WriteString("\n")
	}
	table("New", d.New)
	table("Fixed", d.Fixed)
	table("Newly accepted", d.Accepted)
	if m := d.Model; m != nil {
		var lines []string
		for _, f := range m.NewFlows {
			lines = append(lines, fmt.Sprintf("- new flow %s → %s `%s`%s", mdText(f.From), mdText(f.To), f.Label, mdText(zones(f))))
		}
		for _, f := range m.RemovedFlows {
			lines = append(lines, fmt.Sprintf("- removed flow %s → %s `%s`", mdText(f.From), mdText(f.To), f.Label))
		}
		for _, f := range m.NewCrossings {
			lines = append(lines, fmt.Sprintf("- new boundary crossing %s → %s%s", mdText(f.From), mdText(f.To), mdText(zones(f))))
		}
		for _, p := range m.NewPaths {
			lines = append(lines, fmt.Sprintf("- :warning: new attack path (risk %d) %s", p.Risk, mdText(p.Name)))
		}
		for _, p := range m.BrokenPaths {
			lines = append(lines, fmt.Sprintf("- broken attack path (risk %d) %s", p.Risk, mdText(p.Name)))
		}
		if len(lines) > 0 {
			fmt.Fprintf(bw, "**Model changes**\n\n%s\n\n", strings.Join(lines, "\n"))
		}
		fmt.Fprintf(bw, "Residual risk %.1f → %.1f (%+.1f).\n", m.ResidualBase, m.ResidualHead, m.ResidualChange)
	}
	return bw.Flush()
}

// ReadBaseline reads the findings of a `threatls scan --format json` report: what
// `scan --baseline` compares a scan with. Only what matching needs is read.
func ReadBaseline(r io.Reader) ([]model.Finding, error) {
	var doc struct {
		Version  int `json:"version"`
		Findings []struct {
			ThreatID    string         `json:"threat_id"`
			Severity    model.Severity `json:"severity"`
			Element     string         `json:"element"`
			ElementName string         `json:"element_name"`
			Message     string         `json:"message"`
			Fingerprint string         `json:"fingerprint"`
			Suppressed  *model.Ignore  `json:"suppressed"`
			Mitigated   *model.Ignore  `json:"mitigated"`
		} `json:"findings"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("baseline: not a threatls JSON report: %w", err)
	}
	if doc.Version == 0 {
		return nil, fmt.Errorf("baseline: not a threatls JSON report (no version): write it with threatls scan --format json")
	}
	out := make([]model.Finding, 0, len(doc.Findings))
	for _, f := range doc.Findings {
		out = append(out, model.Finding{ThreatID: f.ThreatID, Severity: f.Severity, Element: f.Element,
			ElementName: f.ElementName, Message: f.Message, Fingerprint: f.Fingerprint,
			Suppressed: f.Suppressed, Mitigated: f.Mitigated})
	}
	return out, nil
}
