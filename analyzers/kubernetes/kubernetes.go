// Package kubernetes reads Kubernetes manifests into the model: workloads (Deployments,
// StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs, Pods) become components, or stores
// when their image is a well-known data store; namespaces become zones; Services fold into
// the workloads they select; LoadBalancer Services and Ingresses become flows from the
// internet, a NodePort leaves internet_facing unknown; NetworkPolicies become controls that
// segment their namespace and block the flows they do not admit; RBAC objects become controls
// (rbac.go); and the endpoints named by containers' environment variables
// (DATABASE_URL=postgres://db:5432/shop) become flows to other workloads or external actors.
// skaffold and kustomize configurations say which images the repository builds or pins
// (images.go).
//
// Extract decodes a file's documents (one at a time, with their byte spans) into objects,
// and builds the file's elements as if it were alone. Link builds the model of every file
// together — Services, Ingresses, ConfigMaps and NetworkPolicies act across files — and
// returns Extract's very element wherever the other files change nothing about it, so that
// an edit re-evaluates only what it can change.
//
// What is not read: what Helm template actions write (template.go: the literal rest is read,
// the actions' values are unknown), kustomize's transformations but one (a kustomization's
// namespace: applies to the manifests it lists by file that name none, images.go; and a patch
// of a workload makes a twin of the workload it patches, patch.go; name prefixes and
// suffixes, and overlays of other directories, are not applied), CRDs (Argo Rollouts, Knative
// Services), egress rules and ports of NetworkPolicies, and flows between namespaces for
// blocking.
package kubernetes

import (
	"bytes"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// Name is the analyzer's name: the Format of its facts and the prefix of its element IDs.
const Name = "kubernetes"

// Analyzer reads Kubernetes manifests. The zero value is ready to use and safe for
// concurrent use.
type Analyzer struct {
	mu sync.Mutex
	// parts holds what the last Link made of each part of the workspace (see Link), by the
	// namespaces it covers, so that a part whose objects did not change is not built again.
	parts map[string]*part
	// partOf names the part of each namespace in parts.
	partOf map[string]string
	// deltas counts the edits applied to a kept build (delta.go).
	deltas int
	// last is the partition of the last Link's files, and takenOver counts the Links that
	// took it over (see takeOver).
	last      *partition
	takenOver int
	// alone counts the parts that were one file's Extract (see partition.alone).
	alone int
}

// part is a set of namespaces that link together, and the elements they made.
type part struct {
	// What it was made of: its files' facts, and the names its hosts give that are not
	// namespaces of the call.
	facts  []*model.FileFacts
	missed []string
	ns     []string // its namespaces, sorted
	out    []*model.Element
	// b is the build that made out, kept when the part is large enough for an edit to be
	// applied to it (delta.go); nil otherwise.
	b *builder
}

// New returns the Kubernetes analyzer.
func New() analyzers.Analyzer { return &Analyzer{} }

var _ analyzers.Analyzer = (*Analyzer)(nil)

// Clone returns a Kubernetes analyzer with nothing built yet.
func (*Analyzer) Clone() analyzers.Analyzer { return &Analyzer{} }

// Cools reports true: a manifest's decoded objects are several times its text, Link and
// Joins read them through RawFacts, and decoding them again costs little.
func (*Analyzer) Cools() bool { return true }

// Name returns "kubernetes".
func (*Analyzer) Name() string { return Name }

// Lang returns parse.Plain: documents are decoded by yamlnode, one at a time.
func (*Analyzer) Lang() parse.Lang { return parse.Plain }

// Sniffs reports whether p may be a manifest in JSON, which kubectl applies as it applies
// YAML (`kubectl get -o json` writes one): a .json file.
func (*Analyzer) Sniffs(p string) bool { return strings.ToLower(path.Ext(p)) == ".json" }

// jsonManifest matches the beginning of a JSON object whose first key is apiVersion or kind.
var jsonManifest = regexp.MustCompile(`^\s*\{\s*"(apiVersion|kind)"\s*:`)

// Sniff reports whether head is a manifest in JSON: an object that begins with apiVersion or
// kind and has the other. Unclaimed, a privileged pod in pod.json passed every gate.
func (*Analyzer) Sniff(p string, head []byte) bool {
	m := jsonManifest.FindSubmatch(head)
	if m == nil {
		return false
	}
	other := `"kind"`
	if string(m[1]) == "kind" {
		other = `"apiVersion"`
	}
	return bytes.Contains(head, []byte(other))
}

var _ analyzers.Sniffer = (*Analyzer)(nil)

// Match reports whether p is a YAML file that may hold Kubernetes manifests: a .yaml or
// .yml file that is not a Compose file, not threatls.yaml and not under .github/. For a
// document without a path, the editor's language must be YAML. Whether the text is a
// manifest is decided at Extract: YAML without apiVersion and kind yields nothing.
func (*Analyzer) Match(p, languageID string) bool {
	base := strings.ToLower(path.Base(p))
	ext := path.Ext(base)
	if ext != ".yaml" && ext != ".yml" {
		return (p == "" || model.IsURI(p)) && languageID == "yaml"
	}
	stem := strings.TrimSuffix(base, ext)
	switch {
	case stem == "compose" || strings.HasPrefix(stem, "compose.") || strings.HasPrefix(stem, "docker-compose"):
		return false
	case stem == "threatls":
		return false
	case strings.HasPrefix(p, ".github/") || strings.Contains(p, "/.github/"):
		return false
	}
	return true
}

// Comment returns a YAML line comment holding text.
func (*Analyzer) Comment(text string) string { return "# " + text }

// Scope puts every manifest in a scope of its own; Joins joins it with the namespaces its
// objects are in and those its hosts may name. The engine links the manifests a namespace
// joins together, and an edit re-links its namespaces, not every manifest of the workspace.
func (*Analyzer) Scope(path string) string { return path }

// Joins returns the namespaces of ff's objects and those their hosts may name (`db.shop`),
// as scope keys no path can be. A name that is no namespace of the workspace joins the
// manifests that give it in vain: more is linked together than needs to be, never less.
func (*Analyzer) Joins(ff *model.FileFacts) []string {
	r, ok := ff.RawFacts().(*raw)
	if !ok {
		return nil
	}
	var out []string
	for _, o := range r.objects {
		out = append(out, namespaceScope(o.namespace))
		for _, ref := range o.refs {
			out = append(out, namespaceScope(ref))
		}
		// A kustomization that sets a namespace links with the manifests it lists (their
		// scopes are their paths) and with that namespace.
		if ns, files, ok := kustomization(o); ok {
			out = append(append(out, namespaceScope(ns.String())), files...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// namespaceScope is the scope key of namespace ns (see Joins).
func namespaceScope(ns string) string { return "\x00namespace/" + ns }

// Link builds the model of every file's objects together. Objects of one namespace act on
// each other (Services select workloads, Ingresses route to Services, NetworkPolicies isolate
// pods, ConfigMaps feed environments); across namespaces only a host naming another
// namespace's Service does (`db.shop`). So the namespaces are partitioned into the parts
// such references join, each part is built on its own, and a part whose objects are the same
// as at the last Link is not built again: an edit costs its part, not the workspace. A large
// part keeps its build once edited, and an edit that reaches only some of its workloads is
// applied to it (delta.go): an edit of one of thousands of manifests costs what it reaches.
//
// An element equal to the one a file's Extract built (the other files change nothing about
// it) is returned as that very pointer; one built across files keeps the pointer of the
// previous Link while it does not change. Link does not modify its input.
func (a *Analyzer) Link(files []*model.FileFacts) []*model.Element {
	files = append([]*model.FileFacts(nil), files...)
	sort.Slice(files, func(i, j int) bool { return files[i].File < files[j].File })
	a.mu.Lock()
	last := a.last
	a.last = nil // taken: a Link at the same time partitions its files anew
	a.mu.Unlock()
	pt := last.takeOver(files)
	took := pt != nil
	if !took {
		pt = newPartition(files)
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	a.last = pt
	if took {
		a.takenOver++
	}
	prev := a.parts
	next := make(map[string]*part, len(pt.roots))
	var out []*model.Element
	for _, root := range pt.roots {
		g := pt.groups[root]
		p := prev[g.name]
		if p == nil || !slices.Equal(p.facts, g.facts) || !slices.Equal(p.missed, g.missed) {
			np := &part{facts: g.facts, missed: g.missed, ns: g.ns}
			if built := pt.alone(g); built != nil {
				np.out = sharedKept(built, prev[g.name])
				a.alone++
			} else {
				np.out, np.b = a.buildPart(g.objs, pt.byFile, prev[g.name])
			}
			p = np
		}
		next[g.name] = p
		out = append(out, p.out...)
	}
	// The engine links one unit of namespaces at a time (see Joins): the parts of the others
	// are kept, those of this call's namespaces replaced.
	if a.parts == nil {
		a.parts, a.partOf = map[string]*part{}, map[string]string{}
	}
	for n := range pt.inCall {
		if name, ok := a.partOf[n]; ok && next[name] == nil {
			for _, m := range a.parts[name].ns {
				delete(a.partOf, m)
			}
			delete(a.parts, name)
		}
	}
	for name, p := range next {
		a.parts[name] = p
		for _, n := range p.ns {
			a.partOf[n] = name
		}
	}
	return out
}

// partition is the objects of one Link's files and the parts they fall into: namespaces, and
// the parts references to each other's hosts join them into.
type partition struct {
	files  []*model.FileFacts // sorted by name
	raws   []*raw             // of each file; nil for a file not the analyzer's
	byFile map[string]*model.FileFacts
	rootOf map[string]string // a namespace's part, by its root namespace
	roots  []string          // sorted
	groups map[string]*group // by root
	inCall map[string]bool   // the namespaces of the objects
	// kustomized is set when a kustomization is among the objects: it may give others their
	// namespace.
	kustomized bool
}

// group is one part of a partition.
type group struct {
	objs   []*object
	ns     []string // its namespaces, sorted
	name   string
	missed []string // the names its hosts give that are not namespaces of the call, sorted
	facts  []*model.FileFacts
}

func newPartition(files []*model.FileFacts) *partition {
	pt := &partition{files: files, raws: make([]*raw, len(files))}
	// Sized first: a namespace of 2,500 manifests is linked again on every edit of one.
	n, m := 0, 0
	for i, f := range files {
		if f == nil || f.Format != Name {
			continue
		}
		if r, ok := f.RawFacts().(*raw); ok {
			pt.raws[i] = r
			n, m = n+1, m+len(r.objects)
		}
	}
	objs := make([]*object, 0, m)
	pt.byFile = make(map[string]*model.FileFacts, n)
	for i, f := range files {
		if r := pt.raws[i]; r != nil {
			pt.byFile[f.File] = f
			objs = append(objs, r.objects...)
		}
	}
	pt.kustomized = slices.ContainsFunc(objs, func(o *object) bool { return o.kind == "Kustomization" })
	objs = kustomized(objs)
	parent := map[string]string{}
	var find func(string) string
	find = func(n string) string {
		p, ok := parent[n]
		if !ok || p == n {
			return n
		}
		r := find(p)
		parent[n] = r
		return r
	}
	for _, o := range objs {
		if _, ok := parent[o.namespace]; !ok {
			parent[o.namespace] = o.namespace
		}
	}
	for _, o := range objs {
		for _, r := range o.refs {
			if _, ok := parent[r]; ok {
				if x, y := find(o.namespace), find(r); x != y {
					parent[y] = x
				}
			}
		}
	}
	pt.groups, pt.rootOf, pt.inCall = map[string]*group{}, map[string]string{}, map[string]bool{}
	if len(parent) == 1 {
		pt.groups[objs[0].namespace] = &group{objs: make([]*object, 0, len(objs))} // one namespace: every object
	}
	for _, o := range objs {
		root := find(o.namespace)
		pt.rootOf[o.namespace], pt.inCall[o.namespace] = root, true
		g := pt.groups[root]
		if g == nil {
			g = &group{}
			pt.groups[root] = g
		}
		g.objs = append(g.objs, o)
		for _, r := range o.refs {
			if _, ok := parent[r]; !ok {
				g.missed = append(g.missed, r)
			}
		}
	}
	for root, g := range pt.groups {
		pt.roots = append(pt.roots, root)
		names := map[string]bool{}
		for _, o := range g.objs {
			names[o.namespace] = true
		}
		for n := range names {
			g.ns = append(g.ns, n)
		}
		sort.Strings(g.ns)
		g.name = strings.Join(g.ns, ",")
		sort.Strings(g.missed)
		g.missed = slices.Compact(g.missed)
		g.facts = partFacts(g.objs, pt.byFile)
	}
	sort.Strings(pt.roots)
	return pt
}

// takeOver returns the partition of files made from pt, the last Link's, when files are
// pt's but for a few whose objects keep their files, namespaces and references (an edit of a
// value in one manifest of a namespace of 2,500: partitioning every object again was a
// quarter of it), else nil. The parts the changed objects are in get new slices; pt is left
// as it was but for its index of the files' facts, which the last Link no longer reads.
func (pt *partition) takeOver(files []*model.FileFacts) *partition {
	if pt == nil || pt.kustomized || len(files) != len(pt.files) {
		return nil
	}
	var changed []int
	for i, f := range files {
		if f == pt.files[i] {
			continue
		}
		if len(changed) == deltaMost || f == nil || pt.files[i] == nil || f.File != pt.files[i].File ||
			f.Format != Name || pt.raws[i] == nil {
			return nil
		}
		changed = append(changed, i)
	}
	if len(changed) == 0 {
		return nil
	}
	next := *pt
	next.files, next.raws = files, slices.Clone(pt.raws)
	byObj := map[*object]*object{}
	byFacts := map[*model.FileFacts]*model.FileFacts{}
	roots := map[string]bool{}
	for _, i := range changed {
		r, ok := files[i].RawFacts().(*raw)
		old := pt.raws[i]
		if !ok || len(r.objects) != len(old.objects) {
			return nil
		}
		for j, o := range r.objects {
			w := old.objects[j]
			if o.file != w.file || o.namespace != w.namespace || !slices.Equal(o.refs, w.refs) ||
				o.kind == "Kustomization" {
				return nil
			}
			byObj[w] = o
			roots[pt.rootOf[o.namespace]] = true
		}
		next.raws[i] = r
		byFacts[pt.files[i]] = files[i]
	}
	next.groups = maps.Clone(pt.groups)
	for root := range roots {
		g := *pt.groups[root]
		g.objs, g.facts = substitute(g.objs, byObj), substitute(g.facts, byFacts)
		next.groups[root] = &g
	}
	for _, i := range changed {
		next.byFile[files[i].File] = files[i]
	}
	return &next
}

// alone returns what Extract built of g's objects when they are one file's, all of them, as
// the file has them (no kustomization gives them a namespace): a build is a function of its
// objects, so the part is that build, and a keystroke in a stream of thousands of manifests
// builds them once, not twice. Else nil.
func (pt *partition) alone(g *group) []*model.Element {
	if pt.kustomized || len(g.facts) != 1 {
		return nil
	}
	r, ok := g.facts[0].RawFacts().(*raw)
	if !ok || r.built == nil || !slices.Equal(r.objects, g.objs) {
		return nil
	}
	return r.built
}

// sharedKept returns built with each element equal to one of the last part's that pointer,
// the elements Extract left to Link (the internet, an external actor) among them: Extract
// makes those anew each time.
func sharedKept(built []*model.Element, last *part) []*model.Element {
	if last == nil {
		return built
	}
	before := make(map[string]*model.Element, len(last.out))
	for _, e := range last.out {
		before[e.ID] = e
	}
	same := map[*model.Element]*model.Element{}
	for _, e := range built {
		if b := before[e.ID]; b != nil && b != e && model.Equal(b, e) {
			same[e] = b
		}
	}
	return substitute(built, same)
}

// buildPart builds the model of one part's objects, keeping the pointers of the elements
// that are equal to what a file's Extract made or to what the part made last time. It returns
// the build too when the part keeps it (see delta.go): the last part's, when the edit could be
// applied to it.
func (a *Analyzer) buildPart(objs []*object, files map[string]*model.FileFacts, last *part) ([]*model.Element, *builder) {
	if last != nil && last.b != nil {
		b := last.b
		last.b = nil // changed by apply, whatever it reports
		if fresh, ok := b.safeApply(objs); ok {
			a.deltas++
			return keep(b, fresh, files, last), b
		}
	}
	local := map[string]*model.Element{}
	seen := map[string]bool{}
	for _, o := range objs {
		if seen[o.file] {
			continue
		}
		seen[o.file] = true
		if f := files[o.file]; f != nil {
			for _, e := range f.Elements {
				local[e.ID] = e
			}
		}
	}
	before := map[string]*model.Element{}
	if last != nil {
		for _, e := range last.out {
			before[e.ID] = e
		}
	}
	b := newBuilder(objs)
	b.build()
	out := make([]*model.Element, len(b.out))
	for i, e := range b.out {
		switch {
		case model.Equal(local[e.ID], e):
			e = local[e.ID]
		case model.Equal(before[e.ID], e):
			e = before[e.ID]
		}
		out[i] = e
	}
	if last == nil || len(objs) < deltaFrom {
		return out, nil // a part built for the first time (a load) may never be edited
	}
	b.out = out
	return out, b
}

// keep gives each element an edit applied to a build made (fresh) the pointer of an equal
// element of the last Link, else of its file's Extract, and returns the build's elements.
func keep(b *builder, fresh []*model.Element, files map[string]*model.FileFacts, last *part) []*model.Element {
	want := make(map[string]*model.Element, len(fresh))
	for _, e := range fresh {
		want[e.ID] = e
	}
	same := map[*model.Element]*model.Element{}
	for _, e := range last.out {
		if f, ok := want[e.ID]; ok && model.Equal(e, f) {
			same[f] = e
		}
	}
	for _, e := range fresh {
		if same[e] != nil {
			continue
		}
		if f := files[e.Span.File]; f != nil {
			for _, x := range f.Elements {
				if x.ID == e.ID && model.Equal(x, e) {
					same[e] = x
				}
			}
		}
	}
	for i, e := range b.out {
		if x := same[e]; x != nil {
			b.out[i] = x
		}
	}
	return b.out
}

// partFacts returns the facts of the files objs come from, in their order, then of the
// kustomizations that give them their namespace. The facts, not the objects, identify a part:
// the engine may let a file's objects go (Cools) and decode them again, while its facts stay
// the same as long as its text does.
func partFacts(objs []*object, files map[string]*model.FileFacts) []*model.FileFacts {
	var out []*model.FileFacts
	var kust []string // the kustomizations that gave objects their namespace
	last := ""
	for _, o := range objs {
		// Link reads the files in order: a file's objects come one after the other.
		if o.file != last {
			out = append(out, files[o.file])
			last = o.file
		}
		if f := o.nsBy.File; f != "" && !slices.Contains(kust, f) {
			kust = append(kust, f)
		}
	}
	for _, f := range kust {
		if !slices.ContainsFunc(out, func(ff *model.FileFacts) bool { return ff != nil && ff.File == f }) {
			out = append(out, files[f])
		}
	}
	return out
}
