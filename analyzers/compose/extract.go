package compose

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// Extract reads one Compose file into its services, networks and flows, its
// threatls:ignore comments and its problems.
func (*Analyzer) Extract(t *parse.Tree, file string) *model.FileFacts {
	r := &raw{}
	ff := &model.FileFacts{File: file, Format: Name, Raw: r}
	if t == nil {
		return ff
	}
	root, problems := decode(t.Src, file)
	x := &extractor{file: file, raw: r, problems: problems, reported: map[model.Problem]bool{},
		byName: map[string]*service{}, hosts: map[string]string{}, networks: map[string]*model.Element{}}
	x.read(root)
	model.SortElements(x.els)
	ff.Elements = x.els
	igs, ps := analyzers.LineIgnores(t.Src, file, []string{"#"}, analyzers.Spans(x.els))
	ff.Ignores = igs
	ff.Problems = append(x.problems, ps...)
	sort.SliceStable(ff.Problems, func(i, j int) bool { return ff.Problems[i].Span.Start.Offset < ff.Problems[j].Span.Start.Offset })
	return ff
}

// extractor reads one file.
type extractor struct {
	file     string
	raw      *raw
	problems []model.Problem
	reported map[model.Problem]bool
	els      []*model.Element

	services    []*service
	byName      map[string]*service
	hosts       map[string]string // lower-case host name (service, alias, hostname) → service ID
	networks    map[string]*model.Element
	servicesKey *yamlnode.Node
}

// service is one entry of services:, with what extends: adds to it.
type service struct {
	name      string
	key, node *yamlnode.Node
	// pairs are the service's entries, then those it inherits through extends: that it does
	// not set itself.
	pairs    []yamlnode.Pair
	env      []envVar
	resolved bool
	el       *model.Element
}

func (s *service) pair(key string) (yamlnode.Pair, bool) {
	for _, p := range s.pairs {
		if p.Key.Value == key {
			return p, true
		}
	}
	return yamlnode.Pair{}, false
}

func (s *service) get(key string) *yamlnode.Node {
	p, _ := s.pair(key)
	return p.Value
}

func (x *extractor) id(what string) string { return Name + ":" + x.file + "/" + what }

// problem records a problem once, however many services inherit what causes it.
func (x *extractor) problem(sp model.Span, format string, args ...any) {
	x.problemCode(sp, "", format, args...)
}

// problemCode is problem, reported by the meta finding code ("": TLS-001).
func (x *extractor) problemCode(sp model.Span, code, format string, args ...any) {
	p := model.Problem{Span: sp, Message: fmt.Sprintf(format, args...), Code: code}
	if x.reported[p] {
		return
	}
	x.reported[p] = true
	x.problems = append(x.problems, p)
}

func (x *extractor) read(root *yamlnode.Node) {
	if root == nil {
		return
	}
	if root.Kind != yamlnode.Map {
		x.problem(root.Span, "a Compose file is a mapping (services:, networks:, …)")
		return
	}
	x.readNetworks(root)
	sp, ok := root.Pair("services")
	if !ok {
		return
	}
	x.servicesKey = sp.Key
	if sp.Value == nil || sp.Value.Kind != yamlnode.Map {
		if _, isStr := sp.Value.Str(); sp.Value != nil && (sp.Value.Kind != yamlnode.Scalar || isStr) {
			x.problem(sp.Value.Span, "services: is not a mapping of service names to services")
		}
		return
	}
	for _, p := range sp.Value.Entries() {
		name := p.Key.Value
		if p.Value == nil || p.Value.Kind != yamlnode.Map {
			x.problem(p.Key.Span, "service %s is not a mapping (image:, build:, …)", name)
			continue
		}
		if _, dup := x.byName[name]; dup {
			continue
		}
		s := &service{name: name, key: p.Key, node: p.Value}
		x.services = append(x.services, s)
		x.byName[name] = s
	}
	for _, s := range x.services {
		x.resolve(s, 0)
	}
	for _, s := range x.services {
		x.element(s)
	}
	for _, s := range x.services {
		x.attrs(s)
	}
	for _, s := range x.services {
		x.flows(s)
	}
}

// maxExtends bounds a chain of extends:.
const maxExtends = 8

// resolve computes s's entries and environment, following extends: to a service of the same
// file (the service's own keys win; environments merge by variable).
func (x *extractor) resolve(s *service, depth int) {
	if s.resolved {
		return
	}
	s.resolved = true
	s.pairs = s.node.Entries()
	s.env = readEnv(s.get("environment"))
	ext, ok := s.pair("extends")
	if !ok || depth >= maxExtends {
		return
	}
	name, file := ext.Value.String(), ""
	if ext.Value != nil && ext.Value.Kind == yamlnode.Map {
		name, file = ext.Value.Get("service").String(), ext.Value.Get("file").String()
	}
	if file != "" && path.Clean(file) != path.Base(x.file) {
		// Another file: an analyzer reads its own file alone. A file Compose's names make
		// threatls read is linked with this one, and what the service inherits merged into
		// its element there (Link); any other is not read at all, which the gate must not
		// pass (TLS-009).
		if target := path.Join(path.Dir(x.file), file); (&Analyzer{}).Match(target, "") && target != ".." && !strings.HasPrefix(target, "../") {
			if !slices.Contains(x.raw.calls, target) {
				x.raw.calls = append(x.raw.calls, target)
			}
			x.raw.inherits = append(x.raw.inherits, inherit{id: x.id(s.name), base: Name + ":" + target + "/" + name})
		} else {
			x.problemCode(ext.Span(), model.ProblemNotAnalysed, "extends: %s inherits service %q of %s, which threatls does not read as a Compose file (it reads compose*.yaml and docker-compose*.yaml by their names): what it sets is not in the model; name the file docker-compose.<name>.yaml to have it analysed", s.name, name, file)
		}
		return
	}
	base := x.byName[name]
	if base == nil {
		x.problem(ext.Span(), "extends: no service %q in this file", name)
		return
	}
	x.resolve(base, depth+1)
	own := map[string]bool{}
	for _, p := range s.pairs {
		own[p.Key.Value] = true
	}
	for _, p := range base.pairs {
		if !own[p.Key.Value] && p.Key.Value != "extends" {
			s.pairs = append(s.pairs, p)
		}
	}
	set := map[string]bool{}
	for _, v := range s.env {
		set[v.name] = true
	}
	for _, v := range base.env {
		if !set[v.name] {
			s.env = append(s.env, v)
		}
	}
}

// element creates the service's element and its aliases, and records the host names it
// answers to.
func (x *extractor) element(s *service) {
	image := s.get("image").String()
	sp := s.key.Span
	if s.node.Span.Start.Offset >= sp.End.Offset {
		sp.End = s.node.Span.End
	}
	el := &model.Element{ID: x.id(s.name), Kind: model.Component, Type: "compose_service", Name: s.name,
		Span: sp, Head: s.key.Span}
	if _, ok := storeOf(image); ok {
		el.Kind = model.Store
	}
	s.el = el
	x.els = append(x.els, el)
	names := []string{s.name, s.get("container_name").String(), s.get("hostname").String()}
	if nets := s.get("networks"); nets != nil && nets.Kind == yamlnode.Map {
		for _, p := range nets.Entries() {
			names = append(names, p.Value.Get("aliases").Strings()...)
		}
	}
	for _, n := range names {
		if n == "" || strings.Contains(n, "$") {
			continue
		}
		addAlias(el, model.NameAlias(n))
		if _, taken := x.hosts[strings.ToLower(n)]; !taken {
			x.hosts[strings.ToLower(n)] = el.ID
		}
	}
	if a := imageAlias(image); a != "" {
		addAlias(el, a)
	}
	if dir, ok := x.buildDir(s.get("build")); ok {
		addAlias(el, model.BuildAlias(dir))
	}
}

func addAlias(el *model.Element, a string) {
	if a == "" {
		return
	}
	for _, have := range el.Aliases {
		if have == a {
			return
		}
	}
	el.Aliases = append(el.Aliases, a)
}

// buildDir returns what identifies, relative to the workspace root, the Dockerfile a build:
// section builds: the context (relative to the Compose file), or the directory of its
// dockerfile: when it names one — the file's own path when it is not called Dockerfile or
// Containerfile (Dockerfile.debug), as the Dockerfile's alias says.
func (x *extractor) buildDir(b *yamlnode.Node) (string, bool) {
	if b == nil || model.IsURI(x.file) {
		return "", false
	}
	ctx, dockerfile := b.String(), ""
	if b.Kind == yamlnode.Map {
		ctx, dockerfile = b.Get("context").String(), b.Get("dockerfile").String()
		if ctx == "" {
			ctx = "."
		}
	}
	if ctx == "" || strings.Contains(ctx, "://") || strings.HasPrefix(ctx, "/") || strings.Contains(ctx, "$") ||
		strings.HasPrefix(ctx, "git@") {
		return "", false
	}
	dir := path.Join(path.Dir(x.file), ctx)
	if dockerfile != "" && !strings.HasPrefix(dockerfile, "/") && !strings.Contains(dockerfile, "$") {
		dir = path.Join(dir, dockerfile)
		if base := path.Base(dir); base == "Dockerfile" || base == "Containerfile" {
			dir = path.Dir(dir)
		}
	}
	return dir, true
}

// readNetworks creates a zone for every network under the top-level networks:.
func (x *extractor) readNetworks(root *yamlnode.Node) {
	nets := root.Get("networks")
	if nets == nil || nets.Kind != yamlnode.Map {
		return
	}
	for _, p := range nets.Entries() {
		name := p.Key.Value
		if _, dup := x.networks[name]; dup {
			continue
		}
		sp := p.Span()
		el := &model.Element{ID: x.id("network:" + name), Kind: model.Zone, Type: "compose_network",
			Name: "network:" + name, Span: sp, Head: p.Key.Span}
		if name != "default" {
			addAlias(el, model.NameAlias(name))
		}
		if n := p.Value.Get("name").String(); n != "" && !strings.Contains(n, "$") {
			addAlias(el, model.NameAlias(n))
		}
		if ip, ok := p.Value.Pair("internal"); ok {
			if v, ok := ip.Value.Bool(); ok && v {
				el.Set("trust", "restricted", ip.Span())
				el.Set("segmented", true, ip.Span())
			} else {
				el.Set("trust", "internal", ip.Span())
				el.Set("segmented", false, ip.Span())
			}
		} else {
			el.Default("trust", "internal", "a Compose network is reached only by its containers and through published ports")
			el.Default("segmented", false, "not internal: its containers can reach the outside world")
		}
		x.networks[name] = el
		x.els = append(x.els, el)
	}
}

// defaultNetwork returns the zone of the implicit default network, creating it at the
// services: key.
func (x *extractor) defaultNetwork() *model.Element {
	if el := x.networks["default"]; el != nil {
		return el
	}
	sp := x.servicesKey.Span
	el := &model.Element{ID: x.id("network:default"), Kind: model.Zone, Type: "compose_network",
		Name: "network:default", Span: sp, Head: sp}
	el.Default("trust", "internal", "the default network is reached only by its containers and through published ports")
	el.Default("segmented", false, "the default network is not internal: its containers can reach the outside world")
	x.networks["default"] = el
	x.els = append(x.els, el)
	return el
}
