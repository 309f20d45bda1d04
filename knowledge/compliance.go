package knowledge

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// The compliance catalogues: one file per framework under compliance/, each with its
// publisher, licence and source, and the requirements the library maps to — identifier and
// title. Where the framework's licence forbids redistributing its text (PCI DSS, ISO, CIS) the
// title is a one-line summary written for threatls (Text "summaries"); NIST's public-domain
// titles are the official ones (Text "titles").
//
//go:embed compliance/*.yaml
var catalogueFS embed.FS

// Framework is one compliance catalogue.
type Framework struct {
	ID        string `yaml:"id" json:"id"`
	Name      string `yaml:"name" json:"name"`
	Publisher string `yaml:"publisher" json:"publisher"`
	Licence   string `yaml:"licence" json:"licence"`
	Source    string `yaml:"source" json:"source"`
	// Text says what Requirement.Title holds: "titles" (the official ones) or "summaries"
	// (threatls's own words).
	Text         string        `yaml:"text" json:"text"`
	URL          string        `yaml:"url" json:"url"`
	Requirements []Requirement `yaml:"requirements" json:"requirements"`

	index map[string]int
}

// Requirement is one requirement (control, article, recommendation) of a framework.
type Requirement struct {
	ID    string `yaml:"id" json:"id"`
	Title string `yaml:"title" json:"title"`
}

// Requirement returns the requirement with the given ID.
func (f *Framework) Requirement(id string) (Requirement, bool) {
	i, ok := f.index[id]
	if !ok {
		return Requirement{}, false
	}
	return f.Requirements[i], true
}

// Order returns the rank of a requirement in the catalogue, the order reports list them in;
// IDs not in the catalogue rank after all the others.
func (f *Framework) Order(id string) int {
	if i, ok := f.index[id]; ok {
		return i
	}
	return len(f.Requirements)
}

// FrameworkAliases are other names the command line accepts for a framework.
var FrameworkAliases = map[string]string{"owasp-asvs": "owasp-asvs-5.0"}

var catalogues = sync.OnceValues(func() ([]*Framework, error) {
	var out []*Framework
	for _, id := range Frameworks {
		b, err := fs.ReadFile(catalogueFS, "compliance/"+id+".yaml")
		if err != nil {
			return nil, fmt.Errorf("compliance catalogue %s: %w", id, err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		f := &Framework{}
		if err := dec.Decode(f); err != nil {
			return nil, fmt.Errorf("compliance catalogue %s: %w", id, err)
		}
		if f.ID != id {
			return nil, fmt.Errorf("compliance catalogue %s: its id is %q", id, f.ID)
		}
		f.index = make(map[string]int, len(f.Requirements))
		for i, r := range f.Requirements {
			if _, dup := f.index[r.ID]; dup || r.ID == "" || r.Title == "" {
				return nil, fmt.Errorf("compliance catalogue %s: requirement %q is empty or repeated", id, r.ID)
			}
			f.index[r.ID] = i
		}
		out = append(out, f)
	}
	return out, nil
})

// Catalogues returns the compliance catalogues, in the order of Frameworks.
func Catalogues() ([]*Framework, error) { return catalogues() }

// Catalogue returns the catalogue of a framework by ID or alias, or nil.
func Catalogue(id string) *Framework {
	if a, ok := FrameworkAliases[id]; ok {
		id = a
	}
	cs, _ := catalogues()
	for _, c := range cs {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// Mapping is one requirement a threat bears on.
type Mapping struct {
	Framework   string // the framework's ID
	Requirement Requirement
	// Known is false when the requirement is not in the embedded catalogue (a user's threat
	// may map to any requirement); Title is then empty.
	Known bool
}

// Mappings returns the requirements a threat bears on, framework by framework in the order
// of Frameworks, each in its catalogue's order.
func (t *Threat) Mappings() []Mapping {
	var out []Mapping
	for _, fw := range Frameworks {
		c := Catalogue(fw)
		for _, id := range t.Compliance[fw] {
			m := Mapping{Framework: fw, Requirement: Requirement{ID: id}}
			if c != nil {
				m.Requirement, m.Known = c.Requirement(id)
				m.Requirement.ID = id
			}
			out = append(out, m)
		}
	}
	return out
}

// RequirementsMarkdown renders, for a hover, the requirements a threat bears on with their
// titles, one line per framework: "- **PCI DSS 4.0** 1.4.1 Network security controls sit
// between …". "" for a threat with none (or not in the library).
func (l *Library) RequirementsMarkdown(threatID string) string {
	t := l.Threat(threatID)
	if t == nil || len(t.Compliance) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("**Requirements it bears on**")
	if t.ComplianceRationale != "" {
		b.WriteString(" — " + escape(t.ComplianceRationale))
	}
	b.WriteString("\n\n")
	last := ""
	for _, m := range t.Mappings() {
		if m.Framework != last {
			if last != "" {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "- **%s**", frameworkName(m.Framework))
			last = m.Framework
		} else {
			b.WriteString(";")
		}
		fmt.Fprintf(&b, " %s", code(m.Requirement.ID))
		if m.Requirement.Title != "" {
			b.WriteString(" " + escape(m.Requirement.Title))
		}
	}
	b.WriteString("\n")
	return b.String()
}

// RequirementsLine lists the requirements a threat bears on in one line, IDs only, by
// framework ("PCI DSS 4.0 3.5.1 · NIST SP 800-53 Rev. 5 SC-28, SC-28(1)"): what a short hover
// shows; RequirementsMarkdown has the titles.
func (l *Library) RequirementsLine(threatID string) string {
	t := l.Threat(threatID)
	if t == nil || len(t.Compliance) == 0 {
		return ""
	}
	var parts []string
	last := ""
	for _, m := range t.Mappings() {
		if m.Framework != last {
			parts = append(parts, frameworkName(m.Framework)+" "+code(m.Requirement.ID))
			last = m.Framework
		} else {
			parts[len(parts)-1] += ", " + code(m.Requirement.ID)
		}
	}
	return strings.Join(parts, " · ")
}
