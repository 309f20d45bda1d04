package model

import (
	"flag"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
)

var (
	propertySteps   = flag.Int("property.steps", 200, "edits per random sequence of TestUpdateIsBuild")
	propertyVerbose = flag.Bool("property.v", false, "log every step of TestUpdateIsBuild")
)

// TestUpdateIsBuild holds incremental updates to the first build: after every step of random
// sequences of additions, removals and replacements of elements, the graph the builder
// updated is the graph a fresh build of the same elements makes — every element, flow,
// zone, member, reachability and attack path — and the changes it reports name every part
// of the graph that differs from the previous graph.
func TestUpdateIsBuild(t *testing.T) {
	for seed := int64(1); seed <= 10; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			r := rand.New(rand.NewSource(seed))
			gen := &elemGen{r: r}
			var b Builder
			opts := BuildOptions{Classify: func(el *Element) (string, string) {
				if strings.Contains(el.Name, "db") {
					return "pii", "named like a database"
				}
				return "", ""
			}}
			b.SetOptions(opts)
			live := map[string]*Element{}
			prev := NewGraph(nil)
			for step := 0; step < *propertySteps; step++ {
				var removed, added []*Element
				for n := 1 + r.Intn(4); n > 0; n-- {
					switch op := r.Intn(10); {
					case op < 4 || len(live) < 8: // add
						e := gen.element(live)
						if old := live[e.ID]; old != nil {
							removed = append(removed, old)
						}
						live[e.ID] = e
						added = append(added, e)
					case op < 6: // remove
						id := pick(r, live)
						removed = append(removed, live[id])
						delete(live, id)
					case op < 8: // replace with an edited copy
						id := pick(r, live)
						e := gen.edit(live[id], live)
						removed = append(removed, live[id])
						live[id] = e
						added = append(added, e)
					default: // a keystroke: every element of a file after it moved
						file, line, by := live[pick(r, live)].Span.File, 1+r.Intn(39), 1-2*r.Intn(2)
						for _, id := range sortedIDs(live) {
							e := live[id]
							if e.Span.File != file || int(e.Span.Start.Line) < line {
								continue
							}
							m := moveLines(e, by)
							removed = append(removed, e)
							live[id] = m
							added = append(added, m)
						}
					}
				}
				removed, added = net(removed, added)
				if *propertyVerbose {
					for _, e := range removed {
						t.Logf("step %d: - %s", step, render(e))
					}
					for _, e := range added {
						t.Logf("step %d: + %s", step, render(e))
					}
				}
				got, changes := b.Update(removed, added)
				all := make([]*Element, 0, len(live))
				for _, e := range live {
					all = append(all, e)
				}
				var fresh Builder
				fresh.SetOptions(opts)
				want, _ := fresh.Update(nil, all)
				gd, wd := dump(got), dump(want)
				if diff := diffParts(gd, wd); diff != "" {
					t.Fatalf("step %d: the updated graph differs from a fresh build (-updated +fresh):\n%s", step, diff)
				}
				reported := map[Dep]bool{}
				for _, c := range changes {
					reported[c] = true
				}
				pd := dump(prev)
				for k := range union(pd, gd) {
					if k.Kind != 255 && pd[k] != gd[k] && !reported[k] {
						t.Fatalf("step %d: %v changed but the update does not report it:\n- %s\n+ %s", step, k, pd[k], gd[k])
					}
				}
				prev = got
			}
		})
	}
}

// net drops from a step's changes what it both added and removed.
func net(removed, added []*Element) ([]*Element, []*Element) {
	in := map[*Element]int{}
	for _, e := range added {
		in[e]++
	}
	var r, a []*Element
	for _, e := range removed {
		if in[e] > 0 {
			in[e]--
			continue
		}
		r = append(r, e)
	}
	for e, n := range in {
		for ; n > 0; n-- {
			a = append(a, e)
		}
	}
	sort.Slice(a, func(i, j int) bool { return a[i].ID < a[j].ID })
	return r, a
}

func pick(r *rand.Rand, m map[string]*Element) string {
	ids := sortedIDs(m)
	return ids[r.Intn(len(ids))]
}

func sortedIDs(m map[string]*Element) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// moveLines returns e with every span of its file by lines further down (up when by is
// negative): what an edit above it does.
func moveLines(e *Element, by int) *Element {
	m, _ := e.Moved(func(sp Span) (Span, bool) {
		if sp.File == e.Span.File && sp != (Span{}) {
			sp.Start = At(int(sp.Start.Offset)+100*by, int(sp.Start.Line)+by, int(sp.Start.Col))
			sp.End = At(int(sp.End.Offset)+100*by, int(sp.End.Line)+by, int(sp.End.Col))
		}
		return sp, true
	})
	return m
}

func union(a, b map[Dep]string) map[Dep]bool {
	out := map[Dep]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// dump renders every part of g a reader can depend on, by the Dep that names it.
func dump(g *Graph) map[Dep]string {
	out := map[Dep]string{}
	ids := func(es []*Element) string {
		var s []string
		for _, e := range es {
			s = append(s, e.ID+"@"+render(e))
		}
		return strings.Join(s, "; ")
	}
	for _, e := range g.Elements() {
		out[Dep{DepElement, e.ID}] = render(e)
	}
	lists := func(kind DepKind, m interface {
		Scan(func(string, []*Element) bool)
	}) {
		m.Scan(func(id string, es []*Element) bool {
			out[Dep{kind, id}] = ids(es)
			return true
		})
	}
	lists(DepInbound, g.in)
	lists(DepOutbound, g.out)
	lists(DepMembers, g.members)
	lists(DepPaths, g.through)
	g.zoneOf.Scan(func(id, z string) bool {
		out[Dep{DepZone, id}] = z
		return true
	})
	g.reach.Scan(func(id string, _ bool) bool {
		out[Dep{DepReach, id}] = "reach"
		return true
	})
	var counts []string
	for t, n := range g.TypeCounts() {
		out[Dep{DepType, t}] = fmt.Sprint(n)
		out[Dep{DepTypePresent, t}] = "present"
		counts = append(counts, fmt.Sprint(t, "=", n))
	}
	sort.Strings(counts)
	out[Dep{DepType, ""}] = strings.Join(counts, " ")
	var ps []string
	for _, p := range g.Problems() {
		ps = append(ps, p.Span.String()+" "+p.Message)
	}
	out[Dep{Kind: 255, ID: "problems"}] = strings.Join(ps, "\n")
	var paths []string
	for _, p := range g.Paths() {
		paths = append(paths, p.ID)
	}
	out[Dep{Kind: 255, ID: "paths"}] = strings.Join(paths, "\n")
	var order []string
	for _, e := range g.Elements() {
		order = append(order, e.ID)
	}
	out[Dep{Kind: 255, ID: "order"}] = strings.Join(order, " ")
	return out
}

// render writes everything an element says, deterministically.
func render(e *Element) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s %q %s>%s parent=%s prov=%s span=%s head=%s", e.ID, e.Kind, e.Type, e.Name, e.From, e.To,
		e.Parent, e.Provenance, placeOf(e.Span), placeOf(e.Head))
	for k, a := range e.Attrs.All() {
		fmt.Fprintf(&b, " %s=%v(%s@%s %q)", k, a.Value, a.Origin, placeOf(a.Span), a.Note)
	}
	fmt.Fprintf(&b, " aliases=%v members=%v sources=[", e.Aliases, e.Members)
	for _, sp := range e.Sources {
		b.WriteString(placeOf(sp) + " ")
	}
	b.WriteString("] related=[")
	for _, r := range e.Related {
		b.WriteString(placeOf(r.Span) + " " + r.Message + "; ")
	}
	b.WriteString("]")
	return b.String()
}

// placeOf renders a span with its byte offsets: a place a fix edits at, which its line and column
// alone do not say.
func placeOf(sp Span) string { return fmt.Sprintf("%s@%d-%d", sp, sp.Start.Offset, sp.End.Offset) }

func diffParts(got, want map[Dep]string) string {
	var out []string
	for k := range union(got, want) {
		if g, w := got[k], want[k]; g != w {
			i := 0
			for i < len(g) && i < len(w) && g[i] == w[i] {
				i++
			}
			from := max(0, i-80)
			out = append(out, fmt.Sprintf("%v (from byte %d):\n- %s\n+ %s", k, from, clip(g[from:]), clip(w[from:])))
		}
	}
	sort.Strings(out)
	if len(out) > 6 {
		out = append(out[:6], fmt.Sprintf("… and %d more", len(out)-6))
	}
	return strings.Join(out, "\n")
}

// elemGen makes random elements from a small vocabulary, so that fusion, references, zones,
// drift and attack paths all have something to do.
type elemGen struct {
	r *rand.Rand
	n int
}

var (
	genFormats  = []string{"terraform", "kubernetes", "compose", "dockerfile", "mermaid", "config", "otm"}
	genNames    = []string{"api", "web", "db", "orders-db", "cache", "queue", "worker", "shop", "data", "internet", "edge"}
	genDirs     = []string{"", "stacks/a/", "stacks/b/", "stacks/a/k8s/", "docs/"}
	genKinds    = []Kind{Component, Component, Store, Store, Actor, Zone, Control}
	genEnvNames = []string{"DATABASE_URL", "ORDERS_SERVICE_ADDR", "orders.url", "CACHE_URL", "API_URL", "ConnectionStrings:Db"}
)

func (g *elemGen) pick(xs []string) string { return xs[g.r.Intn(len(xs))] }

func (g *elemGen) element(live map[string]*Element) *Element {
	r := g.r
	g.n++
	format := g.pick(genFormats)
	dir := g.pick(genDirs)
	file := dir + format + fmt.Sprint(r.Intn(3)) + ".src"
	line := r.Intn(40)
	sp := Span{File: file, Start: At(line*100, line, 0), End: At(line*100+60, line, 0)}
	if r.Intn(12) == 0 {
		// The internet, as analyzers make it.
		e := InternetActor(sp)
		return e
	}
	if r.Intn(4) == 0 && len(live) > 2 {
		return g.flow(format, sp, live)
	}
	kind := genKinds[r.Intn(len(genKinds))]
	name := g.pick(genNames)
	id := fmt.Sprintf("%s:%s%s/%s%d", format, dir, kind, name, r.Intn(3))
	e := &Element{ID: id, Kind: kind, Type: format + "_" + string(kind), Name: name, Span: sp, Head: sp, Attrs: Attrs{}}
	switch format {
	case "mermaid", "otm":
		e.Provenance = Documented
	case "config":
		e.Provenance = Configured
		if r.Intn(3) == 0 {
			e.Kind = "" // an override of what it names
		}
	}
	if r.Intn(2) == 0 {
		e.Aliases = append(e.Aliases, NameAlias(g.pick(genNames)))
	}
	if r.Intn(5) == 0 && len(live) > 0 {
		e.Aliases = append(e.Aliases, "id:"+pick(r, live))
	}
	g.attrs(e, live)
	return e
}

func (g *elemGen) attrs(e *Element, live map[string]*Element) {
	r := g.r
	set := func(k string, v any) { e.Set(k, v, e.Head) }
	switch e.Kind {
	case Zone:
		set("trust", []string{"internet", "dmz", "internal", "restricted"}[r.Intn(4)])
		if r.Intn(3) == 0 {
			set("segmented", r.Intn(2) == 0)
		}
		if r.Intn(4) == 0 {
			set("parent", Ref(NameAlias(g.pick(genNames))))
		}
	case Component, Store, Actor, "":
		switch r.Intn(4) {
		case 0:
			set("zone", Ref(NameAlias(g.pick(genNames))))
		case 1:
			if len(live) > 0 {
				set("zone", pick(r, live))
			}
		case 2:
			set("zone", InternetZone)
		}
		if r.Intn(3) == 0 {
			set("internet_facing", r.Intn(2) == 0)
		}
		if r.Intn(4) == 0 {
			set("public", true)
		}
		if r.Intn(3) == 0 {
			set("classification", []string{"public", "internal", "confidential", "pii", "pci", "secret"}[r.Intn(6)])
		}
		if r.Intn(4) == 0 {
			set("authenticates", r.Intn(2) == 0)
		}
		if r.Intn(5) == 0 {
			e.Default("encrypted_at_rest", false, "the default")
		}
		if r.Intn(4) == 0 {
			env := map[string]any{}
			for range 1 + r.Intn(3) {
				v := Ref(NameAlias(g.pick(genNames)))
				if r.Intn(4) == 0 {
					v = EnvRef(g.pick(genEnvNames), "")
				}
				env[g.pick(genEnvNames)] = v
			}
			set(EnvAttr, env)
		}
	}
}

func (g *elemGen) flow(format string, sp Span, live map[string]*Element) *Element {
	r := g.r
	end := func() string {
		switch r.Intn(6) {
		case 0:
			return Ref(NameAlias(g.pick(genNames)))
		case 1:
			return Internet
		case 2:
			return "sg-" + g.pick(genNames) // outside the workspace
		default:
			return pick(r, live)
		}
	}
	id := fmt.Sprintf("%s:%sflow%d", format, sp.File, g.n)
	f := &Element{ID: id, Kind: Flow, Type: format + "_flow", Name: "flow", Span: sp, Head: sp, From: end(), To: end(), Attrs: Attrs{}}
	switch r.Intn(6) {
	case 0: // code reading its peer's address from configuration
		fallback := ""
		if r.Intn(3) == 0 {
			fallback = end()
		}
		f.To = EnvRef(g.pick(genEnvNames), fallback)
		f.Set("protocol", []string{"http", "postgres", "redis", "grpc"}[r.Intn(4)], sp)
	case 1: // a deployment's flow for a variable
		f.Set(ConfigAttr, g.pick(genEnvNames), sp)
	}
	switch format {
	case "mermaid", "otm":
		f.Provenance = Documented
	case "config":
		f.Provenance = Configured
	}
	if r.Intn(2) == 0 {
		f.Set("port", int64([]int{443, 5432, 6379, 8080}[r.Intn(4)]), sp)
	}
	for _, a := range []string{"tls", "authenticated", "blocked"} {
		if r.Intn(3) == 0 {
			f.Set(a, r.Intn(2) == 0, sp)
		}
	}
	return f
}

// edit returns a copy of e with something changed: an attribute, an alias, its span, an end.
func (g *elemGen) edit(e *Element, live map[string]*Element) *Element {
	r := g.r
	c := e.clone()
	c.Aliases = append([]string(nil), e.Aliases...)
	switch r.Intn(5) {
	case 0:
		c.Aliases = append(c.Aliases, NameAlias(g.pick(genNames)))
	case 1:
		line := r.Intn(40)
		c.Span = Span{File: e.Span.File, Start: At(line*100, line, 0), End: At(line*100+60, line, 0)}
		c.Head = c.Span
	case 2:
		if c.Kind == Flow {
			if r.Intn(2) == 0 {
				c.To = pick(r, live)
			} else {
				c.From = Ref(NameAlias(g.pick(genNames)))
			}
			break
		}
		fallthrough
	default:
		c.Attrs = Attrs{}
		g.attrs(c, live)
		if c.Kind == Flow {
			for k, v := range e.Attrs.All() {
				c.Attrs.Set(k, v)
			}
			c.Set("tls", r.Intn(2) == 0, c.Head)
		}
	}
	return c
}

func clip(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}
