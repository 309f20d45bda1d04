package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/threatls/threatls/model"
)

// ModelJSONVersion is the version of the model's JSON schema (docs/model-json.md). It
// changes only when a field is removed or changes meaning; fields may be added within a
// version.
const ModelJSONVersion = 1

// ModelJSON writes the system model as one JSON document, the schema docs/model-json.md
// documents:
//
//	{"version": 1, "elements": […], "flows": […], "zones": […], "paths": […], "problems": […]}
//
// elements are the components, stores, actors, entries and controls, flows and zones in the graph's
// order (file, offset, ID); paths are the attack paths, riskiest first; problems are what
// the model could not resolve. Locations are "file:line:col", one-based, the column in
// characters, the file relative to the workspace root. Arrays are never null.
func ModelJSON(w io.Writer, g *model.Graph, opts ModelOptions) error {
	doc := jsonModel{Version: ModelJSONVersion, Elements: []jsonElement{}, Flows: []jsonFlow{},
		Zones: []jsonZone{}, Paths: jsonPaths(g, opts), Problems: []jsonProblem{}}
	for _, e := range g.Elements() {
		switch e.Kind {
		case model.Path:
		case model.Flow:
			doc.Flows = append(doc.Flows, jsonFlow{ID: e.ID, Type: e.Type, Name: e.Name, From: e.From, To: e.To,
				Provenance: provenance(e), Members: nonNil(e.Members), Sources: sourceLocs(e, opts), Attrs: jsonAttrs(e, opts)})
		case model.Zone:
			parent := strAttr(e, "parent")
			var inside []string
			for _, m := range g.ZoneMembers(e.ID) {
				inside = append(inside, m.ID)
			}
			doc.Zones = append(doc.Zones, jsonZone{ID: e.ID, Type: e.Type, Name: e.Name, Trust: strAttr(e, "trust"),
				Parent: parent, Elements: nonNil(inside), Provenance: provenance(e), Members: nonNil(e.Members),
				Sources: sourceLocs(e, opts), Attrs: jsonAttrs(e, opts)})
		default:
			zone := ""
			if z := g.Zone(e.ID); z != nil {
				zone = z.ID
			}
			parent := ""
			if e.Kind == model.Entry {
				parent = ownerID(g, e.Parent) // the component as the graph has it, fused
			}
			doc.Elements = append(doc.Elements, jsonElement{ID: e.ID, Kind: e.Kind, Type: e.Type, Name: e.Name,
				Zone: zone, Parent: parent, Provenance: provenance(e), Members: nonNil(e.Members), Sources: sourceLocs(e, opts),
				Attrs: jsonAttrs(e, opts)})
		}
	}
	for _, p := range g.Problems() {
		doc.Problems = append(doc.Problems, jsonProblem{Source: opts.loc(p.Span), Message: p.Message})
	}
	return writeJSON(w, doc)
}

// PathsJSON writes only the attack paths of the model, riskiest first, in the schema of
// ModelJSON: {"version": 1, "paths": […]}.
func PathsJSON(w io.Writer, g *model.Graph, opts ModelOptions) error {
	return writeJSON(w, struct {
		Version int        `json:"version"`
		Paths   []jsonPath `json:"paths"`
	}{ModelJSONVersion, jsonPaths(g, opts)})
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("json model: %w", err)
	}
	return nil
}

type jsonModel struct {
	Version  int           `json:"version"`
	Elements []jsonElement `json:"elements"`
	Flows    []jsonFlow    `json:"flows"`
	Zones    []jsonZone    `json:"zones"`
	Paths    []jsonPath    `json:"paths"`
	Problems []jsonProblem `json:"problems"`
}

type jsonElement struct {
	ID         string              `json:"id"`
	Kind       model.Kind          `json:"kind"`
	Type       string              `json:"type"`
	Name       string              `json:"name"`
	Zone       string              `json:"zone"`
	Parent     string              `json:"parent,omitempty"`
	Provenance string              `json:"provenance"`
	Members    []string            `json:"members"`
	Sources    []string            `json:"sources"`
	Attrs      map[string]jsonAttr `json:"attrs"`
}

type jsonFlow struct {
	ID         string              `json:"id"`
	Type       string              `json:"type"`
	Name       string              `json:"name"`
	From       string              `json:"from"`
	To         string              `json:"to"`
	Provenance string              `json:"provenance"`
	Members    []string            `json:"members"`
	Sources    []string            `json:"sources"`
	Attrs      map[string]jsonAttr `json:"attrs"`
}

type jsonZone struct {
	ID         string              `json:"id"`
	Type       string              `json:"type"`
	Name       string              `json:"name"`
	Trust      string              `json:"trust"`
	Parent     string              `json:"parent"`
	Elements   []string            `json:"elements"`
	Provenance string              `json:"provenance"`
	Members    []string            `json:"members"`
	Sources    []string            `json:"sources"`
	Attrs      map[string]jsonAttr `json:"attrs"`
}

type jsonAttr struct {
	Value  any          `json:"value"`
	Origin model.Origin `json:"origin"`
	Source string       `json:"source"`
	Note   string       `json:"note,omitempty"`
}

type jsonPath struct {
	ID              string    `json:"id"`
	Name            string    `json:"name"`
	Entry           string    `json:"entry"`
	Asset           string    `json:"asset"`
	Risk            int64     `json:"risk"`
	Classification  string    `json:"classification"`
	MissingControls []string  `json:"missing_controls"`
	Hops            []jsonHop `json:"hops"`
	Source          string    `json:"source"`
}

type jsonHop struct {
	Flow    string   `json:"flow"`
	From    string   `json:"from"`
	To      string   `json:"to"`
	Missing []string `json:"missing"`
	Source  string   `json:"source"`
}

type jsonProblem struct {
	Source  string `json:"source"`
	Message string `json:"message"`
}

func jsonPaths(g *model.Graph, opts ModelOptions) []jsonPath {
	out := []jsonPath{}
	for _, p := range g.Paths() {
		jp := jsonPath{ID: p.ID, Name: p.Name, Entry: p.From, Asset: p.To, Risk: intAttr(p, "risk"),
			Classification: strAttr(p, "classification"), MissingControls: nonNil(listAttr(p, "missing_controls")),
			Hops: []jsonHop{}, Source: opts.loc(p.Span)}
		for _, h := range pathHops(g, p) {
			jh := jsonHop{From: h.From, To: h.To, Missing: nonNil(h.Missing), Source: opts.loc(h.Related.Span)}
			if h.Flow != nil {
				jh.Flow = h.Flow.ID
				jh.Source = opts.loc(h.Flow.Head)
			}
			jp.Hops = append(jp.Hops, jh)
		}
		out = append(out, jp)
	}
	return out
}

func provenance(e *model.Element) string {
	if e.Provenance == model.Inferred {
		return "inferred"
	}
	return string(e.Provenance)
}

// sourceLocs are the definitions of e: its members' for a fused element, else its own.
func sourceLocs(e *model.Element, opts ModelOptions) []string {
	spans := e.Sources
	if len(spans) == 0 {
		spans = []model.Span{e.Span}
	}
	out := []string{}
	for _, s := range spans {
		if l := opts.loc(s); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func jsonAttrs(e *model.Element, opts ModelOptions) map[string]jsonAttr {
	out := make(map[string]jsonAttr, e.Attrs.Len())
	for k, a := range e.Attrs.All() {
		out[k] = jsonAttr{Value: a.Value, Origin: a.Origin, Source: opts.loc(a.Span), Note: a.Note}
	}
	return out
}

// ownerID returns the ID of the element of the graph that id is, or was fused into.
func ownerID(g *model.Graph, id string) string {
	if g.Element(id) != nil {
		return id
	}
	for _, e := range g.Elements() {
		for _, m := range e.Members {
			if m == id {
				return e.ID
			}
		}
	}
	return id
}
