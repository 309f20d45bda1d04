package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/threatls/threatls/model"
)

// ModelOptions are what the exports of the system model (Mermaid, DOT, JSON, OTM, Threagile
// and the listing of attack paths) need beyond the graph.
type ModelOptions struct {
	// Name names the system: the OTM project and the Threagile title. Empty means "system".
	Name string
	// Root is the workspace root as the user gave it. The listing of attack paths joins it to
	// file paths so that they are valid from where the command ran; documents (JSON, OTM,
	// Threagile) keep paths relative to the workspace root.
	Root string
	// Source returns the text of a file, used to count columns in characters. It may be nil,
	// or return nil for a file: columns then count bytes.
	Source func(file string) []byte
	// Findings are the scan's: the Threagile export writes their acceptances and declared
	// mitigations back as risk_tracking (the OTM export takes its findings as an argument).
	Findings []model.Finding
}

func (o ModelOptions) name() string {
	if strings.TrimSpace(o.Name) == "" {
		return "system"
	}
	return strings.TrimSpace(o.Name)
}

// loc formats the start of s as file:line:col, one-based, the column in characters, the
// path relative to the workspace root; "" for a span that points nowhere.
func (o ModelOptions) loc(s model.Span) string {
	if s.IsZero() {
		return ""
	}
	var src []byte
	if o.Source != nil {
		src = o.Source(s.File)
	}
	return fmt.Sprintf("%s:%d:%d", s.File, s.Start.Line+1, column(src, s.Start, model.CharLen))
}

// system is the part of a graph the exports draw: components, stores and actors (nodes) in
// their zones, zones nested in their parents, and the flows between them. Controls and paths
// are left out. Every list follows the graph's order (file, offset, ID).
type system struct {
	g     *model.Graph
	nodes []*model.Element
	zones []*model.Element
	flows []*model.Element
	// parent maps a zone to the zone that encloses it; zoneOf a node to its zone. Both name
	// only zones of the graph, and parents never form a cycle.
	parent map[string]string
	zoneOf map[string]string
	// children and inside are the reverse: the zones nested in a zone and the nodes in it
	// ("" holds the top level).
	children map[string][]*model.Element
	inside   map[string][]*model.Element
}

func isNode(e *model.Element) bool {
	return e.Kind == model.Component || e.Kind == model.Store || e.Kind == model.Actor
}

func newSystem(g *model.Graph) *system {
	s := &system{g: g, parent: map[string]string{}, zoneOf: map[string]string{},
		children: map[string][]*model.Element{}, inside: map[string][]*model.Element{}}
	for _, e := range g.Elements() {
		switch {
		case isNode(e):
			s.nodes = append(s.nodes, e)
		case e.Kind == model.Zone:
			s.zones = append(s.zones, e)
		case e.Kind == model.Flow:
			s.flows = append(s.flows, e)
		}
	}
	isZone := func(id string) bool { z := g.Element(id); return z != nil && z.Kind == model.Zone }
	for _, z := range s.zones {
		if p := strAttr(z, "parent"); p != "" && p != z.ID && isZone(p) {
			s.parent[z.ID] = p
		}
	}
	// A cycle of parents (which Build does not forbid across formats) is cut at its first
	// zone in the graph's order.
	for _, z := range s.zones {
		seen := map[string]bool{z.ID: true}
		for p := s.parent[z.ID]; p != ""; p = s.parent[p] {
			if p == z.ID {
				delete(s.parent, z.ID)
				break
			}
			if seen[p] {
				break // a cycle above z, cut when its first zone comes
			}
			seen[p] = true
		}
	}
	for _, z := range s.zones {
		s.children[s.parent[z.ID]] = append(s.children[s.parent[z.ID]], z)
	}
	for _, n := range s.nodes {
		if z := g.Zone(n.ID); z != nil && z.Kind == model.Zone {
			s.zoneOf[n.ID] = z.ID
		}
		s.inside[s.zoneOf[n.ID]] = append(s.inside[s.zoneOf[n.ID]], n)
	}
	return s
}

// inScope reports whether e is part of the system under review: in_scope is not false.
func inScope(e *model.Element) bool {
	b, ok := e.Attrs.At("in_scope").Value.(bool)
	return !ok || b
}

func strAttr(e *model.Element, name string) string {
	s, _ := e.Attrs.At(name).Value.(string)
	return s
}

// boolAttr returns a boolean attribute and whether it is known.
func boolAttr(e *model.Element, name string) (value, known bool) {
	value, known = e.Attrs.At(name).Value.(bool)
	return value, known
}

func intAttr(e *model.Element, name string) int64 {
	i, _ := e.Attrs.At(name).Value.(int64)
	return i
}

func listAttr(e *model.Element, name string) []string {
	var out []string
	if l, ok := e.Attrs.At(name).Value.([]any); ok {
		for _, v := range l {
			if s, ok := v.(string); ok && s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// flowLabel describes a flow in ASCII for diagrams: "https:443 tls auth", "postgres:5432
// plaintext no-auth", "port 22". What is not known is left out; a blocked flow says so.
func flowLabel(f *model.Element) string {
	var parts []string
	proto, port := strAttr(f, "protocol"), intAttr(f, "port")
	switch {
	case proto != "" && port != 0:
		parts = append(parts, fmt.Sprintf("%s:%d", proto, port))
	case proto != "":
		parts = append(parts, proto)
	case port != 0:
		parts = append(parts, fmt.Sprintf("port %d", port))
	}
	if tls, ok := boolAttr(f, "tls"); ok {
		parts = append(parts, map[bool]string{true: "tls", false: "plaintext"}[tls])
	}
	if auth, ok := boolAttr(f, "authenticated"); ok {
		parts = append(parts, map[bool]string{true: "auth", false: "no-auth"}[auth])
	}
	if b, _ := boolAttr(f, "blocked"); b {
		parts = append(parts, "blocked")
	}
	return strings.Join(parts, " ")
}

// zoneLabel names a zone with its trust level: "vpc (internal)".
func zoneLabel(z *model.Element) string {
	if t := strAttr(z, "trust"); t != "" {
		return z.Name + " (" + t + ")"
	}
	return z.Name
}

// diagramIDs gives every element a stable identifier made of letters, digits and
// underscores, derived from its ID, with a prefix that keeps it clear of keywords ("end").
type diagramIDs struct {
	of    map[string]string
	taken map[string]bool
}

func newDiagramIDs() *diagramIDs {
	return &diagramIDs{of: map[string]string{}, taken: map[string]bool{}}
}

// get returns the identifier of id, making one with prefix if it has none yet. Identifiers
// are made in the order of the calls, which the callers keep deterministic.
func (d *diagramIDs) get(prefix, id string) string {
	if s, ok := d.of[id]; ok {
		return s
	}
	base := prefix + strings.Trim(model.Separated(id, '_'), "_")
	s := base
	for n := 2; d.taken[s]; n++ {
		s = fmt.Sprintf("%s_%d", base, n)
	}
	d.taken[s] = true
	d.of[id] = s
	return s
}

// slug turns a name into a lower-case identifier of letters, digits and dashes.
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-")
}

// unique hands out names not given before: "api", then "api-2".
type unique map[string]bool

func (u unique) take(base, sep string) string {
	s := base
	for n := 2; u[s]; n++ {
		s = fmt.Sprintf("%s%s%d", base, sep, n)
	}
	u[s] = true
	return s
}

// title hands out titles not given before: "api", then "api (2)".
func (u unique) title(base string) string {
	s := base
	for n := 2; u[s]; n++ {
		s = fmt.Sprintf("%s (%d)", base, n)
	}
	u[s] = true
	return s
}

// pathHop is one step of an attack path.
type pathHop struct {
	From, To string         // element IDs; From is model.Internet for the step in from the internet
	Flow     *model.Element // the flow taken, nil if the graph no longer has it
	Missing  []string       // controls missing on the step: tls, authentication, waf, …
	Related  model.Related  // the model's description of the step, at the flow
}

// pathHops returns the steps of an attack path, with the model's description of each (the
// path's Related, in order).
func pathHops(g *model.Graph, p *model.Element) []pathHop {
	var out []pathHop
	for i, st := range model.Steps(p) {
		h := pathHop{From: st.From, To: st.To, Flow: g.Element(st.Flow), Missing: st.Missing}
		if i < len(p.Related) {
			h.Related = p.Related[i]
		}
		out = append(out, h)
	}
	return out
}

// dataAsset is a kind of data the system holds or carries.
type dataAsset struct {
	ID, Name string
	Class    string // the most sensitive classification of what holds or carries it
}

// dataAssets returns the data assets of the system, sorted by ID, and the IDs of those each
// node or flow holds or carries. Every name in a `data` attribute is an asset; a classified
// store, component or flow that names none holds an asset named for its classification
// ("pii data"). An asset is as sensitive as the most sensitive element that holds or carries
// it, and at least internal.
func dataAssets(s *system) ([]dataAsset, map[string][]string) {
	byName := map[string]*dataAsset{}
	held := map[string][]string{}
	ids := unique{}
	add := func(e *model.Element) {
		class := strAttr(e, "classification")
		if model.ClassRank(class) < 0 {
			class = ""
		}
		names := listAttr(e, "data")
		if len(names) == 0 && class != "" && e.Kind != model.Actor {
			names = []string{class + " data"}
		}
		seen := map[string]bool{}
		for _, name := range names {
			a := byName[name]
			if a == nil {
				base := slug(name)
				if base == "" {
					base = "data"
				}
				a = &dataAsset{ID: ids.take(base, "-"), Name: name, Class: "internal"}
				byName[name] = a
			}
			if model.ClassRank(class) > model.ClassRank(a.Class) {
				a.Class = class
			}
			if !seen[a.ID] {
				seen[a.ID] = true
				held[e.ID] = append(held[e.ID], a.ID)
			}
		}
	}
	for _, n := range s.nodes {
		add(n)
	}
	for _, f := range s.flows {
		add(f)
	}
	out := make([]dataAsset, 0, len(byName))
	for _, a := range byName {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, held
}

// maxClass returns the most sensitive classification of the system's nodes, or "".
func maxClass(s *system) string {
	best := ""
	for _, n := range s.nodes {
		if c := strAttr(n, "classification"); model.ClassRank(c) > model.ClassRank(best) {
			best = c
		}
	}
	return best
}
