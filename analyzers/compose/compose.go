// Package compose reads Docker Compose files into the model: each service becomes a component
// (or a store, when its image is a well-known data store), each network a trust zone, each
// port published on all interfaces a flow from the internet, and each depends_on entry or
// environment variable that names another service (DATABASE_URL=postgres://db:5432/x) a flow
// to it. Hosts outside the system become external actors.
//
// Extract reads one file into elements; a file whose YAML does not parse is read without the
// top-level entry or service the error is in, and the error is a problem on its line. Link
// adds the actors that flows of several files may share: the internet and external hosts.
package compose

import (
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// Name is the analyzer's name: the Format of its facts and the prefix of its element IDs.
const Name = "compose"

// Analyzer reads Compose files. It holds no state: the zero value is ready to use and safe
// for concurrent use.
type Analyzer struct{}

// New returns the Compose analyzer.
func New() analyzers.Analyzer { return &Analyzer{} }

var _ analyzers.Analyzer = (*Analyzer)(nil)

// Name returns "compose".
func (*Analyzer) Name() string { return Name }

// Lang returns parse.Plain: the YAML is decoded by yamlnode.
func (*Analyzer) Lang() parse.Lang { return parse.Plain }

// Match reports whether p is a Compose file by its base name (compose.yaml,
// docker-compose.yml, an override such as docker-compose.prod.yml or compose.override.yaml)
// or, for documents without a path, whether the editor's language is Docker Compose.
func (*Analyzer) Match(p, languageID string) bool {
	if languageID == "dockercompose" {
		return true
	}
	base := path.Base(p)
	ext := path.Ext(base)
	if ext != ".yaml" && ext != ".yml" {
		return false
	}
	stem := strings.TrimSuffix(base, ext)
	for _, prefix := range []string{"compose", "docker-compose"} {
		if stem == prefix || strings.HasPrefix(stem, prefix+".") && len(stem) > len(prefix)+1 {
			return true
		}
	}
	return false
}

// Comment returns a YAML line comment holding text.
func (*Analyzer) Comment(text string) string { return "# " + text }

// raw is what Link needs of a file beyond its elements: the actors its flows name; and the
// Compose files its services extend (see Calls).
type raw struct {
	actors   []actorRef
	calls    []string
	inherits []inherit
}

// inherit is a service that extends a service of another Compose file: id's element takes
// what base's says and its own does not (see Link).
type inherit struct{ id, base string }

// Joins returns the scopes (files) of the Compose files ff's services extend: they link
// together, so that what a service inherits is merged into its element.
func (a *Analyzer) Joins(ff *model.FileFacts) []string { return a.Calls(ff) }

// Calls returns the Compose files of the workspace the services of ff's file extend: the
// workspace applies what they say, and reads them where the walk leaves them out (vendor/,
// an ignored directory), as it reads a kustomization's bases.
func (*Analyzer) Calls(ff *model.FileFacts) []string {
	if r, ok := ff.RawFacts().(*raw); ok {
		return r.calls
	}
	return nil
}

// actorRef is an actor a flow of the file starts or ends at: the internet, or an external
// host. span is the first place that names it.
type actorRef struct {
	id, host string
	span     model.Span
}

// Scope returns p: each file links alone.
func (*Analyzer) Scope(p string) string { return p }

// Link returns the elements of every file, unchanged, and the actors their flows name: the
// internet (for published ports) and one external actor per host outside the system,
// defined at the first place (by file and offset) that names it.
func (*Analyzer) Link(files []*model.FileFacts) []*model.Element {
	var out []*model.Element
	first := map[string]actorRef{}
	var inherits []inherit
	for _, f := range files {
		if f == nil || f.Format != Name {
			continue
		}
		out = append(out, f.Elements...)
		r, ok := f.RawFacts().(*raw)
		if !ok {
			continue
		}
		for _, a := range r.actors {
			if prev, seen := first[a.id]; !seen || before(a.span, prev.span) {
				first[a.id] = a
			}
		}
		inherits = append(inherits, r.inherits...)
	}
	out = inherited(out, inherits)
	for _, a := range first {
		out = append(out, actor(a))
	}
	model.SortElements(out)
	return out
}

// inherited returns els with each service that extends a service of another file of them
// merged with it, as Compose merges them: what the service's own file says wins, and it takes
// each attribute of the base's that it does not say (one it lacks, or has only by default or
// unresolved), and a flow of its own for each of the base's (what the base's environment
// names, the ports it publishes). Bases that extend others are merged first, as
// far as maxExtends. The network zone is the service's own file's.
func inherited(els []*model.Element, inherits []inherit) []*model.Element {
	if len(inherits) == 0 {
		return els
	}
	byID := make(map[string]*model.Element, len(els))
	for _, e := range els {
		byID[e.ID] = e
	}
	of := map[string]inherit{}
	for _, in := range inherits {
		of[in.id] = in
	}
	merged := map[string]*model.Element{}
	var flows []*model.Element
	var merge func(id string, depth int) *model.Element
	merge = func(id string, depth int) *model.Element {
		if m, ok := merged[id]; ok {
			return m
		}
		el := byID[id]
		in, ok := of[id]
		if !ok || el == nil || depth >= maxExtends {
			return el
		}
		merged[id] = el // a cycle stops here
		base := merge(in.base, depth+1)
		if base == nil {
			return el
		}
		m := copyOf(el)
		for k, a := range base.Attrs.All() {
			if k == "zone" {
				continue
			}
			own, has := m.Attrs.Get(k)
			switch {
			case k == model.EnvAttr && has:
				env, _ := own.Value.(map[string]any)
				benv, _ := a.Value.(map[string]any)
				if env != nil && benv != nil {
					all := maps.Clone(benv)
					maps.Copy(all, env)
					own.Value = all
					m.Attrs.Set(k, own)
				}
			case !has || own.Origin != model.Read && a.Origin == model.Read || own.Origin == model.Defaulted && a.Origin == model.Unknown:
				m.Attrs.Set(k, a)
			}
		}
		m.Related = append(m.Related, model.Related{Span: base.Head, Message: "extends " + base.Name + ": inherits what it does not set"})
		merged[id] = m
		for _, f := range els {
			// The base's own: what its configuration draws from it, and the ports it publishes
			// (not another service's flow to it).
			if f.Kind != model.Flow || f.From == f.To || f.From != base.ID && (f.To != base.ID || f.Type != "compose_port") {
				continue
			}
			c := copyOf(f)
			c.ID = m.ID + "/extends/" + f.ID
			if rest, ok := strings.CutPrefix(f.Name, base.Name+"/"); ok {
				c.Name = m.Name + "/" + rest
			}
			if c.From == base.ID {
				c.From = m.ID
			} else {
				c.To = m.ID
			}
			flows = append(flows, c)
		}
		return m
	}
	out := make([]*model.Element, 0, len(els))
	for _, e := range els {
		if _, ok := of[e.ID]; ok {
			e = merge(e.ID, 0)
		}
		out = append(out, e)
	}
	return append(out, flows...)
}

// copyOf returns a copy of e that can be changed without changing e.
func copyOf(e *model.Element) *model.Element {
	c := *e
	c.Attrs = e.Attrs.Clone(1)
	c.Related = slices.Clone(e.Related)
	c.Aliases = slices.Clone(e.Aliases)
	return &c
}

func actor(a actorRef) *model.Element {
	if a.id == model.Internet {
		return model.InternetActor(a.span)
	}
	el := &model.Element{ID: a.id, Kind: model.Actor, Type: "external", Name: a.host, Span: a.span, Head: a.span}
	if al := model.NameAlias(a.host); al != "" {
		el.Aliases = []string{al}
	}
	el.Set("in_scope", false, a.span)
	el.Set("zone", model.InternetZone, a.span)
	return el
}

func before(a, b model.Span) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	return a.Start.Offset < b.Start.Offset
}
