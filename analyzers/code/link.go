package code

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/threatls/threatls/model"
)

// service is a directory of code that runs as one process, and the files that belong to it.
type service struct {
	root  string // slash-separated, "." for the workspace root
	files []*model.FileFacts
	head  model.Span
	// fromServer says head is a server's start, which names a service better than a main.
	fromServer bool
	// entryDirs are the directories of the files that make it a service.
	entryDirs []string
	// shared is the root it shares with other programs (a Go module's), when it was split
	// from them.
	shared string
}

// Link groups the files into services and makes their elements: a component per service,
// an entry per route, a flow per target (the calls to one target are one flow), the
// external actors and the stores the calls name. A service whose files' facts, entry points
// and roots are those of the last Link is not made again: an edit of one file costs its
// service, not every file of the language (which services there are is read from every
// file, and is cheap). Elements equal to the previous Link's are that Link's elements, so that
// an edit of one file leaves the others' unchanged.
func (a *Analyzer) Link(files []*model.FileFacts) []*model.Element {
	var mine []*model.FileFacts
	for _, f := range files {
		if f == nil || f.Format != a.Name() {
			continue
		}
		if _, ok := f.RawFacts().(*Raw); ok {
			mine = append(mine, f)
		}
	}
	sort.SliceStable(mine, func(i, j int) bool { return mine[i].File < mine[j].File })
	services := a.services(mine)
	a.mu.Lock()
	defer a.mu.Unlock()
	next := make(map[string]*made, len(services))
	var out []*model.Element
	actors := map[string]*model.Element{}
	for _, s := range services {
		m := a.made[s.root]
		if m == nil || !m.of.same(s) {
			named := map[string]*model.Element{}
			els := a.elements(s, named)
			if m != nil {
				keep(els, m.out)
			}
			m = &made{of: s, out: els, actors: named}
			a.builds++
		}
		next[s.root] = m
		out = append(out, m.out...)
		// An actor is made by the first service that names it.
		for id, e := range m.actors {
			if actors[id] == nil {
				actors[id] = e
			}
		}
	}
	ids := make([]string, 0, len(actors))
	for id := range actors {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	named := make([]*model.Element, len(ids))
	for i, id := range ids {
		named[i] = actors[id]
	}
	keep(named, a.actors)
	a.made, a.actors = next, named
	return append(out, named...)
}

// made is what a Link made of one service.
type made struct {
	of     *service         // what it was made of (its files' facts held, so that none is reused)
	out    []*model.Element // its elements, actors aside
	actors map[string]*model.Element
}

// same reports whether s is what s2's elements are made of too: the same root, head, entry
// directories and shared root, and its files' very facts.
func (s *service) same(s2 *service) bool {
	return s.root == s2.root && s.head == s2.head && s.fromServer == s2.fromServer && s.shared == s2.shared &&
		slices.Equal(s.entryDirs, s2.entryDirs) && slices.Equal(s.files, s2.files)
}

// keep replaces each element of els equal to one of last (by ID) with that one.
func keep(els, last []*model.Element) {
	if len(last) == 0 {
		return
	}
	byID := make(map[string]*model.Element, len(last))
	for _, e := range last {
		byID[e.ID] = e
	}
	for i, e := range els {
		if old := byID[e.ID]; old != nil && model.Equal(old, e) {
			els[i] = old
		}
	}
}

func rawOf(f *model.FileFacts) *Raw { return f.RawFacts().(*Raw) }

func dirOf(file string) string {
	d := path.Dir(file)
	if d == "" {
		return "."
	}
	return d
}

// makesService reports whether a file makes its directory a service.
func (a *Analyzer) makesService(r *Raw) bool {
	if len(r.Servers) > 0 {
		return true
	}
	return r.Main != nil && (a.l.Entry == "main" || len(r.Entries)+len(r.Flows) > 0)
}

// serviceRoot is the directory of a service whose entry point is in dir: dir with the
// language's layout cut off (src/main/java/…, cmd/<name>, a src or app folder).
func (l *Language) serviceRoot(dir string) string {
	for _, re := range l.roots {
		if loc := re.FindStringIndex("/" + dir); loc != nil {
			r := ("/" + dir)[:loc[0]]
			r = strings.TrimPrefix(r, "/")
			if r == "" {
				return "."
			}
			return r
		}
	}
	return dir
}

func within(dir, root string) bool {
	return root == "." || dir == root || strings.HasPrefix(dir, root+"/")
}

// services finds the services among the files: every directory a file makes a service of
// (see makesService), with the files under it; files under no service join, in Go, the
// services whose files import their package, and otherwise form a service of their own
// when they call or serve anything.
func (a *Analyzer) services(files []*model.FileFacts) []*service {
	byRoot := map[string]*service{}
	var roots []string
	for _, f := range files {
		r := rawOf(f)
		if !a.makesService(r) {
			continue
		}
		dir := dirOf(f.File)
		root := a.l.serviceRoot(dir)
		s := byRoot[root]
		if s == nil {
			s = &service{root: root}
			byRoot[root] = s
			roots = append(roots, root)
		}
		if !contains(s.entryDirs, dir) {
			s.entryDirs = append(s.entryDirs, dir)
		}
		switch {
		case len(r.Servers) > 0 && (s.head.IsZero() || !s.fromServer):
			s.head, s.fromServer = r.Servers[0].Span, true
		case s.head.IsZero():
			s.head = *r.Main
		}
	}
	// Programs of one root that the layout rules cut off (cmd/api, cmd/worker) are services
	// of their own where the language says so; each keeps the root's alias too.
	if a.l.SplitRoots {
		var split []string
		for _, root := range roots {
			s := byRoot[root]
			if len(s.entryDirs) < 2 || contains(s.entryDirs, root) {
				split = append(split, root)
				continue
			}
			delete(byRoot, root)
			for _, d := range s.entryDirs {
				byRoot[d] = &service{root: d, entryDirs: []string{d}, shared: root}
				split = append(split, d)
			}
		}
		roots = split
		for _, f := range files {
			r := rawOf(f)
			if s := byRoot[dirOf(f.File)]; s != nil && s.shared != "" && a.makesService(r) {
				switch {
				case len(r.Servers) > 0 && (s.head.IsZero() || !s.fromServer):
					s.head, s.fromServer = r.Servers[0].Span, true
				case s.head.IsZero():
					s.head = *r.Main
				}
			}
		}
	}
	// The deepest root first, so that a file belongs to its nearest service.
	sort.Slice(roots, func(i, j int) bool {
		if strings.Count(roots[i], "/") != strings.Count(roots[j], "/") {
			return strings.Count(roots[i], "/") > strings.Count(roots[j], "/")
		}
		return roots[i] < roots[j]
	})
	var orphans []*model.FileFacts
	for _, f := range files {
		dir := dirOf(f.File)
		placed := false
		for _, root := range roots {
			if root != "." && within(dir, root) {
				byRoot[root].files = append(byRoot[root].files, f)
				placed = true
				break
			}
		}
		if !placed && byRoot["."] != nil {
			byRoot["."].files = append(byRoot["."].files, f)
			placed = true
		}
		if !placed {
			orphans = append(orphans, f)
		}
	}
	// Go: a package outside every service belongs to the services that import it.
	if a.l.Name == "go" {
		var rest []*model.FileFacts
		for _, f := range orphans {
			dir := dirOf(f.File)
			users := map[string]bool{}
			for _, root := range roots {
				for _, g := range byRoot[root].files {
					for _, imp := range rawOf(g).Imports {
						if strings.HasSuffix(imp, "/"+dir) || imp == dir {
							users[root] = true
						}
					}
				}
			}
			if len(users) == 0 {
				rest = append(rest, f)
				continue
			}
			for _, root := range roots {
				if users[root] {
					byRoot[root].files = append(byRoot[root].files, f)
				}
			}
		}
		orphans = rest
	}
	// What is left and does something forms services of its own, by directory.
	for _, f := range orphans {
		r := rawOf(f)
		if len(r.Entries)+len(r.Flows) == 0 {
			continue
		}
		root := a.l.serviceRoot(dirOf(f.File))
		s := byRoot[root]
		if s == nil {
			s = &service{root: root, entryDirs: []string{dirOf(f.File)}}
			byRoot[root] = s
			roots = append(roots, root)
			switch {
			case len(r.Entries) > 0:
				s.head = r.Entries[0].Span
			default:
				s.head = r.Flows[0].Span
			}
		}
		s.files = append(s.files, f)
	}
	sort.Strings(roots)
	var out []*service
	for _, root := range roots {
		s := byRoot[root]
		sort.SliceStable(s.files, func(i, j int) bool { return s.files[i].File < s.files[j].File })
		out = append(out, s)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// serviceName is what a user calls a service: its root directory's name.
func serviceName(root string, head model.Span) string {
	if root == "." || root == "" {
		b := path.Base(head.File)
		return strings.TrimSuffix(b, path.Ext(b))
	}
	return path.Base(root)
}

// elements makes the elements of a service.
func (a *Analyzer) elements(s *service, actors map[string]*model.Element) []*model.Element {
	id := a.Name() + ":" + s.root
	name := serviceName(s.root, s.head)
	comp := &model.Element{ID: id, Kind: model.Component, Type: "service", Name: name, Span: s.head, Head: s.head}
	if !model.IsURI(s.head.File) {
		comp.Aliases = append(comp.Aliases, model.BuildAlias(s.root))
		for _, d := range append(append([]string(nil), s.entryDirs...), s.shared) {
			if al := model.BuildAlias(d); d != "" && !contains(comp.Aliases, al) {
				comp.Aliases = append(comp.Aliases, al)
			}
		}
	}
	if al := model.NameAlias(name); al != "" {
		comp.Aliases = append(comp.Aliases, al)
	}
	comp.Set("technology", a.l.Technology, s.head)

	frameworks := map[string]bool{}
	var configs []any
	seenConfig := map[string]bool{}
	var configAt model.Span
	handlers := map[string]Auth{}
	var anonymous []Pattern
	var serviceAuth *Control
	type ctl struct {
		c    Control
		file string
	}
	var controls []ctl
	for _, f := range s.files {
		r := rawOf(f)
		for _, fw := range r.Frameworks {
			frameworks[fw] = true
		}
		for _, c := range r.Configs {
			if !seenConfig[c.Name] {
				seenConfig[c.Name] = true
				configs = append(configs, c.Name)
				if configAt.IsZero() {
					configAt = c.Span
				}
			}
		}
		for _, h := range r.Handlers {
			if _, ok := handlers[h.Name]; !ok && h.Name != "" {
				handlers[h.Name] = h.Auth
			}
		}
		anonymous = append(anonymous, r.Anonymous...)
		for _, c := range r.Controls {
			if c.Attr == "authenticates" && serviceAuth == nil {
				c := c
				serviceAuth = &c
				continue
			}
			if c.OnFlows && flowOnly[c.Attr] {
				continue // an option of the file's client calls, not of the service
			}
			controls = append(controls, ctl{c, f.File})
		}
	}
	if len(frameworks) > 0 {
		var fws []any
		for fw := range frameworks {
			fws = append(fws, fw)
		}
		sort.Slice(fws, func(i, j int) bool { return fws[i].(string) < fws[j].(string) })
		comp.Set("frameworks", fws, s.head)
	}
	if len(configs) > 0 {
		comp.Attrs.Set("config", model.Attr{Value: configs, Origin: model.Read, Span: configAt,
			Note: fmt.Sprintf("%d configuration values read", len(configs))})
	}
	for _, c := range controls {
		cur, ok := comp.Attrs.Get(c.c.Attr)
		if ok && !worse(c.c.Attr, c.c.Value, cur.Value) {
			continue
		}
		comp.Attrs.Set(c.c.Attr, model.Attr{Value: c.c.Value, Origin: model.Read, Span: c.c.Span, Note: c.c.Note})
	}

	var out []*model.Element
	out = append(out, comp)

	mounts := map[string]string{}
	for _, f := range s.files {
		for _, m := range rawOf(f).Mounts {
			mounts[m.Module] = m.Prefix
		}
	}

	// Entries.
	ids := map[string]int{}
	entryEls := map[*model.FileFacts][]*model.Element{}
	var open *model.Element
	nAuth, nEntries := 0, 0
	var firstAuth model.Attr
	for _, f := range s.files {
		mod := strings.TrimSuffix(f.File, path.Ext(f.File))
		prefix, mounted := mounts[mod]
		if !mounted && path.Base(mod) == "index" {
			prefix, mounted = mounts[path.Dir(mod)]
		}
		for _, e := range rawOf(f).Entries {
			if mounted && e.Protocol == "http" {
				e.Path = joinPath(prefix, e.Path)
			}
			if e.Protocol == "http" && e.Path != "" && !strings.HasPrefix(e.Path, "/") && e.Path != "*" {
				e.Path = "/" + e.Path
			}
			au := e.Auth
			if !au.Set {
				if h, ok := handlers[lastSegment(e.Handler)]; ok && e.Handler != "" {
					au = h
				}
			}
			if !au.Set && serviceAuth != nil {
				au = Auth{Set: true, Value: true, Span: serviceAuth.Span, Note: serviceAuth.Note}
			}
			for _, p := range anonymous {
				if pathMatches(p.Path, e.Path) {
					au = Auth{Set: true, Value: false, Span: p.Span, Note: "permitted to all: " + p.Path}
				}
			}
			what := strings.TrimSpace(e.Method + " " + e.Path)
			if e.Protocol != "http" {
				what = e.Protocol + " " + e.Path
			}
			eid := id + "/entry/" + what
			if n := ids[eid]; n > 0 {
				ids[eid]++
				eid = fmt.Sprintf("%s#%d", eid, n+1)
			} else {
				ids[eid] = 1
			}
			el := &model.Element{ID: eid, Kind: model.Entry, Type: e.Type, Name: name + " " + what, Span: e.Span, Head: e.Span, Parent: id}
			if e.Method != "" {
				el.Set("method", e.Method, e.Span)
			}
			el.Set("path", e.Path, e.Span)
			el.Set("protocol", e.Protocol, e.Span)
			el.Set("framework", e.Framework, e.Span)
			if e.Handler != "" {
				el.Set("handler", e.Handler, e.Span)
			}
			nEntries++
			entryEls[f] = append(entryEls[f], el)
			switch {
			case au.Set:
				el.Attrs.Set("authenticated", model.Attr{Value: au.Value, Origin: model.Read, Span: au.Span, Note: au.Note})
				if au.Value {
					nAuth++
					if firstAuth.Span.IsZero() {
						firstAuth = el.Attrs.At("authenticated")
					}
				} else if open == nil {
					open = el
				}
			default:
				el.Default("authenticated", false, "no authentication middleware, decorator or attribute applies")
				if open == nil {
					open = el
				}
			}
			out = append(out, el)
		}
	}
	switch {
	case nEntries > 0 && open == nil:
		comp.Attrs.Set("authenticates", model.Attr{Value: true, Origin: model.Read, Span: firstAuth.Span,
			Note: fmt.Sprintf("all %d entry points require authentication", nEntries)})
	case open != nil:
		a := open.Attrs.At("authenticated")
		o := model.Defaulted
		if a.Origin == model.Read {
			o = model.Read
		}
		comp.Attrs.Set("authenticates", model.Attr{Value: false, Origin: o, Span: open.Span,
			Note: fmt.Sprintf("%s requires no authentication (%d of %d entry points do)", strings.TrimPrefix(open.Name, name+" "), nAuth, nEntries)})
	case serviceAuth != nil:
		comp.Attrs.Set("authenticates", model.Attr{Value: true, Origin: model.Read, Span: serviceAuth.Span, Note: serviceAuth.Note})
	}

	// Flows: one per target, the first call giving the span and the others related.
	flowEls := map[model.Span]*model.Element{}
	type group struct {
		flows []Flow
	}
	groups := map[string]*group{}
	var keys []string
	type fnKey struct {
		fn    string
		index int
	}
	args := map[fnKey][]CallArg{}
	for _, f := range s.files {
		for _, a := range rawOf(f).Args {
			k := fnKey{a.Func, a.Index}
			args[k] = append(args[k], a)
		}
	}
	for _, f := range s.files {
		r := rawOf(f)
		var flows []Flow
		for _, fl := range r.Flows {
			if fl.Param == nil || fl.To != "" {
				flows = append(flows, fl)
				continue
			}
			// The address is a parameter: each caller in the service says where it leads
			// (dial(os.Getenv("CART_SERVICE_ADDR")), dial(os.Getenv("CURRENCY_SERVICE_ADDR"))).
			var as []CallArg
			for _, a := range args[fnKey{fl.Param.Func, fl.Param.Index}] {
				if a.calls(*fl.Param) {
					as = append(as, a)
				}
			}
			seen := map[string]bool{}
			for _, a := range as {
				ad := a.Address
				if seen[ad.To] {
					continue
				}
				seen[ad.To] = true
				c := fl
				c.Attrs = cloneAttrs(fl.Attrs)
				applyAddress(&c, &ad)
				c.Key = ad.To
				if ad.Env != "" {
					c.Key = "env:" + ad.Env
				}
				flows = append(flows, c)
			}
			if len(as) == 0 && fl.Kind == KindStore {
				fl.Key = "store:" + fl.Technology
				flows = append(flows, fl)
			}
		}
		for _, fl := range flows {
			fl.Attrs = cloneAttrs(fl.Attrs)
			for _, c := range r.Controls {
				if c.OnFlows && (c.Protocol == "" || c.Protocol == fl.Protocol || c.Protocol == "http" && fl.Protocol == "https") {
					if _, ok := fl.Attrs[c.Attr]; !ok {
						fl.Attrs[c.Attr] = model.Attr{Value: c.Value, Origin: model.Read, Span: c.Span, Note: c.Note}
					}
				}
			}
			g := groups[fl.Key]
			if g == nil {
				g = &group{}
				groups[fl.Key] = g
				keys = append(keys, fl.Key)
			}
			g.flows = append(g.flows, fl)
		}
	}
	// A client of a technology whose address no call says stands alone only when no other
	// call of the service says where that technology is (redis.NewClient(opts) beside
	// redis.ParseURL(os.Getenv("REDIS_URL"))).
	known := map[string]bool{}
	for _, k := range keys {
		if fl := groups[k].flows[0]; fl.To != "" && fl.Technology != "" {
			known[fl.Technology] = true
		}
	}
	for _, k := range keys {
		fs := groups[k].flows
		first := fs[0]
		to := first.To
		if to == "" && known[first.Technology] {
			continue
		}
		if to == "" {
			st := a.store(id, name, first)
			out = append(out, st)
			to = st.ID
		}
		target := first.Host
		switch {
		case first.Env != "":
			target = first.Env
		case target == "":
			target = first.Technology
		}
		fid := id + "/flow/" + strings.ReplaceAll(target, "/", "|")
		if n := ids[fid]; n > 0 {
			ids[fid]++
			fid = fmt.Sprintf("%s#%d", fid, n+1)
		} else {
			ids[fid] = 1
		}
		el := &model.Element{ID: fid, Kind: model.Flow, Type: first.Client, Name: fmt.Sprintf("%s → %s (%s)", name, target, first.Client),
			Span: first.Span, Head: first.Span, From: id, To: to}
		for _, fl := range fs {
			for k, v := range fl.Attrs {
				if cur, ok := el.Attrs.Get(k); !ok || worse(k, v.Value, cur.Value) {
					el.Attrs.Set(k, v)
				}
			}
		}
		for _, fl := range fs[1:] {
			el.Related = append(el.Related, model.Related{Span: fl.Span, Message: "also calls " + target + " (" + fl.Client + ")"})
		}
		for _, fl := range fs {
			flowEls[fl.Span] = el
		}
		out = append(out, el)
		if strings.HasPrefix(to, "actor:") && actors[to] == nil {
			actors[to] = actor(to, first)
		}
	}
	// What the code does with data: findings of the taint engine and checks (taintlink.go).
	out = append(out, a.codeSites(s, comp, entryEls, flowEls, out)...)
	return out
}

func cloneAttrs(m map[string]model.Attr) map[string]model.Attr {
	c := make(map[string]model.Attr, len(m)+4)
	for k, v := range m {
		c[k] = v
	}
	return c
}

func lastSegment(s string) string {
	if i := strings.LastIndexAny(s, ".:"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// flowOnly are attributes of flows that options of client calls set: a call that no flow
// holds gives them to the file's flows, never to the service.
var flowOnly = map[string]bool{"tls": true, "authenticated": true, "port": true, "protocol": true}

// protective attributes protect when true; for them a false read anywhere is what counts.
// For the others (exposures: cors_any_origin), a true does.
var protective = map[string]bool{"tls": true, "tls_verify": true, "csrf_protection": true, "security_headers": true,
	"authenticated": true, "authenticates": true}

// worse reports whether v is the riskier of two values of an attribute, which wins when
// several calls or settings say different things.
func worse(attr string, v, cur any) bool {
	vb, ok1 := v.(bool)
	cb, ok2 := cur.(bool)
	if !ok1 || !ok2 {
		if attr == "tls_min_version" {
			vs, _ := v.(string)
			cs, _ := cur.(string)
			return vs < cs
		}
		return false
	}
	if protective[attr] {
		return !vb && cb
	}
	return vb && !cb
}

// pathMatches reports whether a route path falls under a pattern of a security
// configuration: /public/** holds /public/a/b, /health holds /health.
func pathMatches(pattern, p string) bool {
	if pattern == "" || p == "" {
		return false
	}
	if strings.HasSuffix(pattern, "/**") {
		pre := strings.TrimSuffix(pattern, "/**")
		return p == pre || strings.HasPrefix(p, pre+"/")
	}
	if strings.HasSuffix(pattern, "/*") {
		pre := strings.TrimSuffix(pattern, "/*")
		rest, ok := strings.CutPrefix(p, pre+"/")
		return ok && !strings.Contains(rest, "/")
	}
	return pattern == p
}

// store makes the store a call connects to when nothing says which one: the service's own
// view of a database, cache or queue.
func (a *Analyzer) store(id, service string, fl Flow) *model.Element {
	tech := fl.Technology
	if tech == "" {
		tech = "store"
	}
	st := &model.Element{ID: id + "/store/" + tech, Kind: model.Store, Type: "code_store", Name: tech + " (" + service + ")",
		Span: fl.Span, Head: fl.Span}
	st.Set("technology", tech, fl.Span)
	if fl.Category != "" {
		st.Set("category", fl.Category, fl.Span)
	}
	return st
}

// actor makes the external actor a call reaches: a model provider, an API on the internet.
func actor(id string, fl Flow) *model.Element {
	host := strings.TrimPrefix(id, "actor:")
	a := &model.Element{ID: id, Kind: model.Actor, Type: "external", Name: host, Span: fl.Span, Head: fl.Span}
	if fl.Kind == KindLLM {
		a.Type = "ai_service"
		a.Set("technology", fl.Provider, fl.Span)
	}
	if al := model.NameAlias(host); al != "" {
		a.Aliases = []string{al}
	}
	a.Set("in_scope", false, fl.Span)
	a.Set("zone", model.InternetZone, fl.Span)
	return a
}
