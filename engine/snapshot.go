package engine

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidwall/btree"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// Snapshot is the state of a workspace after one update: every file's text and findings, and
// the model graph. It is immutable: handlers may read it from any goroutine. Snapshots share
// what did not change between them (copy-on-write trees), so an update costs what it changed.
type Snapshot struct {
	files    *btree.Map[string, *File]
	findings *btree.Map[string, []model.Finding] // by the file they are in, sorted
	where    *btree.Map[string, []string]        // by element ID: the files its findings are in, sorted
	graph    *model.Graph
	skipped  []model.Skipped
	timings  Timings
	complete bool
	seq      uint64
	log      *changeLog

	keysOnce sync.Once
	keys     []string
	allOnce  sync.Once
	all      []model.Finding
}

// changeLog links each snapshot to the files the next one changed, so that a reader holding
// an old snapshot learns what changed since without comparing every file.
type changeLog struct {
	files []string
	seq   uint64
	next  atomic.Pointer[changeLog]
}

// Timings is what building a snapshot cost, stage by stage.
type Timings struct {
	Link  time.Duration // analyzers fusing their files' facts
	Model time.Duration // model.Builder.Update: fusion, zones, drift, paths
	Eval  time.Duration // the threat library, suppressions, sorting
}

// Timings returns what building the snapshot cost.
func (s *Snapshot) Timings() Timings { return s.timings }

// File is one file of a snapshot.
type File struct {
	Path    string // the file's key: workspace-relative slash path, or a URI
	Version int32  // the editor's version; 0 for files read from disk
	Text    []byte
	// Findings are the file's findings, sorted; suppressed ones carry Suppressed.
	Findings []model.Finding
	// Analyzed is false for files no analyzer reads (kept only for their text).
	Analyzed bool
	analyzer analyzers.Analyzer
}

// Files returns the keys of every file, sorted.
func (s *Snapshot) Files() []string {
	s.keysOnce.Do(func() { s.keys = s.files.Keys() })
	return s.keys
}

// Len returns the number of files.
func (s *Snapshot) Len() int { return s.files.Len() }

// File returns the file with the given key, or nil.
func (s *Snapshot) File(key string) *File {
	f, _ := s.files.Get(key)
	return f
}

// dirFiles returns the paths of the snapshot's files in directory dir ("." for the root),
// not in directories below it.
func (s *Snapshot) dirFiles(dir string) []string {
	prefix := dir + "/"
	if dir == "." {
		prefix = ""
	}
	var out []string
	s.files.Ascend(prefix, func(k string, _ *File) bool {
		if !strings.HasPrefix(k, prefix) {
			return false
		}
		if !strings.Contains(k[len(prefix):], "/") {
			out = append(out, k)
		}
		return true
	})
	return out
}

// Findings returns every finding of the workspace, sorted; suppressed ones included.
func (s *Snapshot) Findings() []model.Finding {
	s.allOnce.Do(func() {
		s.findings.Scan(func(_ string, fs []model.Finding) bool {
			s.all = append(s.all, fs...)
			return true
		})
	})
	return s.all
}

// FindingsIn returns the findings whose location is in file, sorted (nil for none).
func (s *Snapshot) FindingsIn(file string) []model.Finding {
	fs, _ := s.findings.Get(file)
	return fs
}

// Graph returns the model.
func (s *Snapshot) Graph() *model.Graph { return s.graph }

// Element returns the element with the given ID, or nil.
func (s *Snapshot) Element(id string) *model.Element { return s.graph.Element(id) }

// Skipped returns the files that were not analysed, sorted.
func (s *Snapshot) Skipped() []model.Skipped { return s.skipped }

// Complete reports whether the model covers the whole workspace: false while it loads, when
// only the files read so far (the editor's first) are in it.
func (s *Snapshot) Complete() bool { return s.complete }

// Seq numbers the snapshots of a workspace in the order they were made.
func (s *Snapshot) Seq() uint64 { return s.seq }

// ChangedSince returns the files whose text or findings changed between old, an earlier
// snapshot of the same workspace, and s, sorted.
func (s *Snapshot) ChangedSince(old *Snapshot) []string {
	if old == nil {
		return s.Files()
	}
	seen := map[string]bool{}
	var out []string
	for l := old.log.next.Load(); l != nil && l.seq <= s.seq; l = l.next.Load() {
		for _, f := range l.files {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
		if l == s.log {
			break
		}
	}
	sort.Strings(out)
	return out
}

// buildState is what a workspace keeps between updates of its model: the facts it was built
// from, each analyzer scope's Link, the model builder, and each element's findings with the
// parts of the graph they read. Only Workspace.Update uses it, one update at a time.
type buildState struct {
	eng     *Engine
	facts   map[string]*model.FileFacts
	states  map[string]*fileState
	scopeOf map[string]scopeID
	scopes  map[scopeID]*scope
	joined  map[scopeID]map[scopeID]int // scopes linked together (both ways), with how many files say so
	// units caches unit: the scopes linked with each, until a join comes or goes; walks
	// counts the walks of joined it made.
	units map[scopeID][]scopeID
	walks int
	// shares holds, for a unit of several scopes (by its first), what its last Link made and
	// which of its scopes each element is (see share).
	shares map[scopeID]*share
	// deferred are scopes whose files changed but which a load's batch did not link: their
	// unit was linked by an earlier batch, and a unit that grows with every batch (a namespace
	// of every manifest) would be linked again with each. The first update of a complete
	// workspace links them.
	deferred map[scopeID]struct{}
	builder  model.Builder

	evals  map[string]*evaluated
	rdeps  model.Readers[model.Dep, string] // a part of the graph → elements whose findings read it
	inFile map[string]map[string]struct{}   // file → elements with findings there
	// problems are the model's problems by file, as findings; lastProblems the list they
	// were made from.
	problems     map[string][]model.Finding
	lastProblems []model.Problem
	// skipped are the files that could not be analysed, as findings, by file.
	skipped        map[string][]model.Finding
	lastSkipped    []model.Skipped
	lastSkippedSev model.Severity
	reg            liveRegister
	// warm keeps the syntax (Raw) of the files linked last; reheated counts the files whose
	// syntax was extracted again.
	warm     warmth
	reheated int
	// loading is set by a load's batches, until the update that completes the load cools
	// what they left warm (see loaded); completed once an update made a complete model.
	loading, completed bool

	files    *btree.Map[string, *File]
	findings *btree.Map[string, []model.Finding]
	where    *btree.Map[string, []string] // see Snapshot.where
	log      *changeLog
	seq      uint64
}

// scopeID names the files of one analyzer that link together.
type scopeID struct{ analyzer, key string }

// scope is one scope's files and what the Link of its unit made of them.
type scope struct {
	a     analyzers.Analyzer
	files map[string]*model.FileFacts
	out   []*model.Element
	joins map[string][]scopeID // by file: the scopes its facts join (analyzers.Joiner)
	// linked is set once the scope's unit was linked (a load's batch then defers it, see
	// buildState.deferred).
	linked bool
}

// evaluated is an element's findings and what they depend on beyond the element.
type evaluated struct {
	el       *model.Element
	findings []model.Finding
	deps     []model.Dep
	files    []string
}

func newBuildState(e *Engine) *buildState {
	b := &buildState{
		eng: e, facts: map[string]*model.FileFacts{}, states: map[string]*fileState{},
		scopeOf: map[string]scopeID{}, scopes: map[scopeID]*scope{}, joined: map[scopeID]map[scopeID]int{},
		evals:  map[string]*evaluated{},
		inFile: map[string]map[string]struct{}{}, problems: map[string][]model.Finding{}, skipped: map[string][]model.Finding{},
		files:    btree.NewMap[string, *File](32),
		findings: btree.NewMap[string, []model.Finding](32),
		where:    btree.NewMap[string, []string](32),
		log:      &changeLog{},
	}
	b.reg.init()
	b.rdeps.Init()
	b.warm.init(0)
	b.builder.SetOptions(model.BuildOptions{Classify: e.classify.Classify})
	return b
}

// build makes the first snapshot.
func (b *buildState) build(keys []string, states []*fileState, complete bool) *Snapshot {
	return b.update(keys, states, nil, complete, false, false, model.High)
}

// update brings the model up to date with the files keys, whose states are now states (nil:
// gone), and returns the new snapshot. Every step costs what changed: the scopes of the
// changed files are re-linked, the model updated from the elements that came and went, the
// elements whose findings read a changed part of the graph re-evaluated, and the findings of
// the files they touch re-assembled. A batch of a load (batch), and any update while a first
// load reads (loading), links only the units no batch linked before (see deferred).
func (b *buildState) update(keys []string, states []*fileState, skipped []model.Skipped, complete, batch, loading bool, notAnalysed model.Severity) *Snapshot {
	touched := map[string]struct{}{}
	dirtyScopes := map[scopeID]struct{}{}
	var changedFacts []string
	// The joins of the files' last facts are undone after those of their new facts are
	// made: an edit that leaves a file's joins as they were leaves every unit as it was.
	var unjoin [][2]scopeID
	for i, key := range keys {
		if key == "" {
			continue
		}
		st := states[i]
		touched[key] = struct{}{}
		if st == nil {
			delete(b.states, key)
		} else {
			b.states[key] = st
		}
		var nf *model.FileFacts
		if st != nil {
			nf = st.facts
		}
		of := b.facts[key]
		if of == nf {
			continue
		}
		changedFacts = append(changedFacts, key)
		b.warm.forget(key)
		if of != nil {
			sid := b.scopeOf[key]
			sc := b.scopes[sid]
			delete(sc.files, key)
			for _, j := range sc.joins[key] {
				unjoin = append(unjoin, [2]scopeID{sid, j})
				dirtyScopes[j] = struct{}{}
			}
			delete(sc.joins, key)
			delete(b.scopeOf, key)
			dirtyScopes[sid] = struct{}{}
			delete(b.facts, key)
		}
		if nf != nil {
			sid := scopeID{analyzer: st.analyzer.Name()} // every file of the format links together
			if sc, ok := st.analyzer.(analyzers.Scoper); ok {
				sid.key = sc.Scope(key)
			}
			s := b.scopes[sid]
			if s == nil {
				s = &scope{a: st.analyzer, files: map[string]*model.FileFacts{}}
				b.scopes[sid] = s
			}
			s.files[key] = nf
			if j, ok := st.analyzer.(analyzers.Joiner); ok {
				for _, k := range j.Joins(nf) {
					other := scopeID{analyzer: sid.analyzer, key: k}
					if other == sid {
						continue
					}
					if s.joins == nil {
						s.joins = map[string][]scopeID{}
					}
					s.joins[key] = append(s.joins[key], other)
					b.join(sid, other, 1)
					dirtyScopes[other] = struct{}{}
				}
			}
			b.scopeOf[key] = sid
			dirtyScopes[sid] = struct{}{}
			b.facts[key] = nf
		}
	}

	for _, j := range unjoin {
		b.join(j[0], j[1], -1)
	}
	if loading {
		// While the first load runs, a unit that grows with every batch waits for its end,
		// in the batches' updates and in the editor's alike (the editor's takes what a batch
		// installed and its update has not taken yet; linked then, a namespace of every
		// manifest was linked again after every batch, with every keystroke). The editor's
		// update links the units of the files it holds all the same: their diagnostics are
		// wanted now.
		var held map[scopeID]bool
		if !batch {
			held = map[scopeID]bool{}
			for i, key := range keys {
				if st := states[i]; st != nil && st.open {
					if sid, ok := b.scopeOf[key]; ok {
						for _, u := range b.unit(sid) {
							held[u] = true
						}
					}
				}
			}
		}
		b.deferGrown(dirtyScopes, held)
		for sid := range dirtyScopes {
			for _, u := range b.unit(sid) {
				delete(b.deferred, u) // linked now
			}
		}
	} else {
		for sid := range b.deferred {
			dirtyScopes[sid] = struct{}{}
		}
		b.deferred = nil
	}

	t0 := time.Now()
	removed, added, linked := b.relink(dirtyScopes)
	if batch && !b.completed && len(added) >= packAdded {
		// A batch of a first load links only units no update linked before, whose
		// directories and namespaces no Link saw: what it made, no snapshot holds. (A batch of
		// a later load may be given elements an analyzer kept from an earlier Link.)
		model.PackAttrs(added)
	}
	b.linked(linked)
	if loading {
		b.loading = true
	} else if complete && b.loading {
		b.loading = false
		b.loaded()
	}
	if complete {
		b.completed = true
	}
	t1 := time.Now()
	g, deps := b.builder.Update(removed, added)
	t2 := time.Now()
	b.evaluate(g, deps, b.builder.MovedDeps(), touched)
	b.modelProblems(g, touched)
	b.notAnalysed(skipped, notAnalysed, touched)
	b.reg.update(b.facts, changedFacts, g, b.eng.lib, touched)
	today := b.eng.now().Format(time.DateOnly)
	changed := b.assemble(touched, today)
	// The register's own findings (an entry that covers nothing anywhere) are known once
	// every file it may cover is assembled.
	again := map[string]struct{}{}
	b.reg.metas(today, again)
	for _, f := range b.assemble(again, today) {
		if !slices.Contains(changed, f) {
			changed = append(changed, f)
		}
	}

	b.seq++
	log := &changeLog{files: changed, seq: b.seq}
	b.log.next.Store(log)
	b.log = log
	return &Snapshot{
		files: b.files.Copy(), findings: b.findings.Copy(), where: b.where.Copy(), graph: g, skipped: skipped,
		timings:  Timings{Link: t1.Sub(t0), Model: t2.Sub(t1), Eval: time.Since(t2)},
		complete: complete, seq: b.seq, log: log,
	}
}

// caught, deferred by a goroutine, records its panic (the first of several) with its stack in
// failed, for the goroutine that waits for it to raise again.
func caught(failed *atomic.Pointer[string]) {
	if r := recover(); r != nil {
		msg := fmt.Sprintf("%v\n%s", r, debug.Stack())
		failed.CompareAndSwap(nil, &msg)
	}
}

// deferGrown moves the units of dirty that an earlier update linked to b.deferred, except
// those with a scope in held.
func (b *buildState) deferGrown(dirty map[scopeID]struct{}, held map[scopeID]bool) {
	for sid := range dirty {
		if held[sid] {
			continue
		}
		unit := b.unit(sid)
		grown := false
		for _, u := range unit {
			if s := b.scopes[u]; s != nil && s.linked {
				grown = true
				break
			}
		}
		if !grown {
			continue
		}
		if b.deferred == nil {
			b.deferred = map[scopeID]struct{}{}
		}
		for _, u := range unit {
			if _, ok := dirty[u]; ok {
				delete(dirty, u)
				b.deferred[u] = struct{}{}
			}
		}
	}
}

// join records that n more files link the scopes x and y together.
func (b *buildState) join(x, y scopeID, n int) {
	for _, p := range [][2]scopeID{{x, y}, {y, x}} {
		m := b.joined[p[0]]
		if m == nil {
			m = map[scopeID]int{}
			b.joined[p[0]] = m
		}
		was := m[p[1]]
		if m[p[1]] += n; m[p[1]] <= 0 {
			delete(m, p[1])
			if len(m) == 0 {
				delete(b.joined, p[0])
			}
		}
		if (was > 0) != (m[p[1]] > 0) {
			b.units, b.shares = nil, nil // a join came or went
		}
	}
}

// unit returns the scopes linked with sid (itself included), sorted. The slice is shared:
// callers do not change it.
func (b *buildState) unit(sid scopeID) []scopeID {
	if u, ok := b.units[sid]; ok {
		return u
	}
	b.walks++
	seen := map[scopeID]bool{sid: true}
	queue := []scopeID{sid}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for o := range b.joined[s] {
			if !seen[o] {
				seen[o] = true
				queue = append(queue, o)
			}
		}
	}
	out := make([]scopeID, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	if b.units == nil {
		b.units = map[scopeID][]scopeID{}
	}
	for _, s := range out {
		b.units[s] = out
	}
	return out
}

// relink links the units of the scopes whose files changed — a scope and those it is joined
// with — and returns the elements that left and came, and the facts it linked.
func (b *buildState) relink(dirty map[scopeID]struct{}) (removed, added []*model.Element, linked [][]*model.FileFacts) {
	ids := make([]scopeID, 0, len(dirty))
	for sid := range dirty {
		ids = append(ids, sid)
	}
	sort.Slice(ids, func(i, j int) bool {
		if ids[i].analyzer != ids[j].analyzer {
			return ids[i].analyzer < ids[j].analyzer
		}
		return ids[i].key < ids[j].key
	})
	// The scopes of a unit share one slice (see unit): a unit is linked once, however many
	// of its scopes changed.
	done := map[*scopeID]bool{}
	for _, sid := range ids {
		unit := b.unit(sid)
		if done[&unit[0]] {
			continue
		}
		done[&unit[0]] = true
		n := 0
		for _, u := range unit {
			if s := b.scopes[u]; s != nil {
				n += len(s.files)
			}
		}
		facts := make([]*model.FileFacts, 0, n)
		var a analyzers.Analyzer
		for _, u := range unit {
			if s := b.scopes[u]; s != nil {
				a = s.a
				for _, f := range s.files {
					facts = append(facts, f)
				}
			}
		}
		sort.Slice(facts, func(i, j int) bool { return facts[i].File < facts[j].File })
		var out []*model.Element
		if len(facts) > 0 {
			out = b.eng.link(a, facts)
			linked = append(linked, facts)
		}
		// Each element is the scope's of the file that defines it (the first scope's when no
		// scope of the unit has that file, and every element when the unit is one scope).
		byScope := map[scopeID][]*model.Element{unit[0]: out}
		if len(unit) > 1 {
			byScope = b.share(sid.analyzer, unit, out)
		}
		for _, u := range unit {
			s := b.scopes[u]
			if s == nil {
				continue
			}
			s.linked = true
			mine, ok := byScope[u]
			if !ok && len(unit) > 1 {
				// What a scope is given is the same as last time (see share).
				if len(s.files) == 0 {
					delete(b.scopes, u)
				}
				continue
			}
			r, a := b.relinkScope(s, mine)
			removed, added = append(removed, r...), append(added, a...)
			if len(s.files) == 0 {
				delete(b.scopes, u)
			}
		}
	}
	return removed, added, linked
}

// share is what the last Link of a unit of several scopes made, and the index in the unit of
// the scope of each element.
type share struct {
	unit  []scopeID
	out   []*model.Element
	owner []int32
	in    map[scopeID]int32 // the index of each scope of the unit, made when first needed
}

// share returns the elements of out of each scope of unit whose elements are not those of the
// last Link: where out and the last Link's are the same elements in the same order — all of
// them but what an edit of one manifest of a namespace of 2,500 changed — each element is the
// scope it was, and a scope that has none of the others is not in the map. (Finding the scope
// of each of 5,000 elements by its file was a fifth of such an edit.)
func (b *buildState) share(analyzer string, unit []scopeID, out []*model.Element) map[scopeID][]*model.Element {
	index := func() map[scopeID]int32 {
		m := make(map[scopeID]int32, len(unit))
		for i, u := range unit {
			m[u] = int32(i)
		}
		return m
	}
	if b.shares == nil {
		b.shares = map[scopeID]*share{}
	}
	last := b.shares[unit[0]]
	same := last != nil && len(last.unit) == len(unit) && &last.unit[0] == &unit[0]
	var in map[scopeID]int32
	if same {
		in = last.in // the same unit (units are cached slices, made again when a join comes or goes)
	}
	ownerOf := func(el *model.Element) int32 {
		if el == nil {
			return -1
		}
		if s, ok := b.scopeOf[el.Span.File]; ok && s.analyzer == analyzer {
			if in == nil {
				in = index()
			}
			if i, ok := in[s]; ok {
				return i
			}
		}
		return 0
	}
	owner := make([]int32, len(out))
	touched := map[int32]bool{}
	if same {
		lo, hi := commonEnds(last.out, out)
		copy(owner[:lo], last.owner[:lo])
		copy(owner[len(out)-hi:], last.owner[len(last.out)-hi:])
		for _, o := range last.owner[lo : len(last.out)-hi] {
			touched[o] = true
		}
		for i := lo; i < len(out)-hi; i++ {
			owner[i] = ownerOf(out[i])
			touched[owner[i]] = true
		}
	} else {
		for i, el := range out {
			owner[i] = ownerOf(el)
		}
		for i := range unit {
			touched[int32(i)] = true
		}
	}
	b.shares[unit[0]] = &share{unit: unit, out: out, owner: owner, in: in}
	byScope := make(map[scopeID][]*model.Element, len(touched))
	for i := range touched {
		if i >= 0 {
			byScope[unit[i]] = nil
		}
	}
	for i, el := range out {
		if o := owner[i]; o >= 0 && touched[o] {
			byScope[unit[o]] = append(byScope[unit[o]], el)
		}
	}
	return byScope
}

// relinkScope gives a scope the elements out of its unit's Link that are its own, and returns
// those that left and came. Where out and the last elements are the same elements in the same
// order — before and after what an edit changed, or all of them in the other scopes of a unit
// — nothing is looked up: an edit of one service of 10,000 source files, or of one manifest of
// a namespace of 2,500, costs what it changed, not maps of every element. (An element equal to
// one the last Link made is in the same scope: its span, hence its file, is the same.)
func (b *buildState) relinkScope(s *scope, out []*model.Element) (removed, added []*model.Element) {
	next := make([]*model.Element, 0, len(out))
	for _, el := range out {
		if el != nil {
			next = append(next, el)
		}
	}
	was := s.out
	lo, hi := commonEnds(was, next)
	old, mid := was[lo:len(was)-hi], next[lo:len(next)-hi]
	// An element that says what the last Link's did is that element: what did not change is
	// not re-evaluated, however the analyzer made it.
	before := make(map[string]*model.Element, len(old))
	for _, el := range old {
		before[el.ID] = el
	}
	for i, el := range mid {
		if x := before[el.ID]; x != nil && x != el && model.Equal(x, el) {
			mid[i] = x
		}
	}
	s.out = next
	return diffElements(old, mid)
}

// diffElements returns the elements of was not in now, and those of now not in was.
func diffElements(was, now []*model.Element) (removed, added []*model.Element) {
	in := make(map[*model.Element]struct{}, len(was))
	for _, el := range was {
		in[el] = struct{}{}
	}
	keep := make(map[*model.Element]struct{}, len(now))
	for _, el := range now {
		keep[el] = struct{}{}
		if _, ok := in[el]; !ok {
			added = append(added, el)
		}
	}
	for _, el := range was {
		if _, ok := keep[el]; !ok {
			removed = append(removed, el)
		}
	}
	return removed, added
}

// evaluate re-evaluates the elements the update changed and those whose findings read a part
// of the graph it changed, and adds the files their findings were and are in to touched.
// movedDeps are those of deps that changed only in that elements moved (Builder.MovedDeps).
func (b *buildState) evaluate(g *model.Graph, deps, movedDeps []model.Dep, touched map[string]struct{}) {
	dirty := map[string]struct{}{}
	for _, d := range deps {
		if d.Kind == model.DepElement {
			dirty[d.ID] = struct{}{}
		}
		for id := range b.rdeps.Of(d) {
			dirty[id] = struct{}{}
		}
	}
	if len(dirty) == 0 {
		return
	}
	ids := make([]string, 0, len(dirty))
	for id := range dirty {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	ev := b.eng.lib.Evaluator(g)
	// Elements dirty only because they moved (an edit before them in their file), and
	// nothing of the graph their findings read changed but for elements and lists that only
	// moved, keep their findings, moved: a finding may quote the places of what it read.
	pl := b.movedPlaces(g, deps, movedDeps)
	readChanged := map[string]struct{}{}
	for _, d := range deps {
		if pl.only(d) {
			continue
		}
		for id := range b.rdeps.Of(d) {
			readChanged[id] = struct{}{}
		}
	}
	var todo []*model.Element // to evaluate
	for _, id := range ids {
		el := g.Element(id)
		if old := b.evals[id]; old != nil && el != nil {
			if _, read := readChanged[id]; !read {
				if m, ok := pl.of(old.el, el); ok {
					if fs, ok := moveFindings(old.findings, m); ok {
						b.reg.index(old.el, el)
						old.el, old.findings = el, fs
						for _, f := range old.files {
							touched[f] = struct{}{}
						}
						continue
					}
				}
			}
		}
		if old := b.evals[id]; old != nil {
			b.reg.index(old.el, nil)
			for _, f := range old.findings {
				b.reg.count(f.ThreatID, f.Span.File, -1)
			}
			b.rdeps.Drop(id)
			for _, f := range old.files {
				touched[f] = struct{}{}
				if s := b.inFile[f]; s != nil {
					delete(s, id)
					if len(s) == 0 {
						delete(b.inFile, f)
					}
				}
			}
			delete(b.evals, id)
		}
		if el != nil {
			todo = append(todo, el)
		}
	}
	results := b.evaluateAll(g, ev, todo)
	for i, el := range todo {
		id := el.ID
		// The batch's results are one array: each element's record is its entry (see pack).
		ev := &results[i]
		ev.el = el
		fs, ds := ev.findings, ev.deps
		b.reg.index(nil, el)
		for _, f := range fs {
			b.reg.count(f.ThreatID, f.Span.File, 1)
		}
		for _, f := range fs {
			if !slices.Contains(ev.files, f.Span.File) {
				ev.files = append(ev.files, f.Span.File)
			}
		}
		b.evals[id] = ev
		b.rdeps.Set(id, ds)
		for _, f := range ev.files {
			touched[f] = struct{}{}
			s := b.inFile[f]
			if s == nil {
				s = map[string]struct{}{}
				b.inFile[f] = s
			}
			s[id] = struct{}{}
		}
	}
}

// parallelEval is the number of elements from which evaluate spreads them over every CPU (a
// variable for tests).
var parallelEval = 512

// evaluateAll evaluates the library over els: on the calling goroutine with ev when they
// are few, else on one goroutine per CPU with an evaluator each (evaluators record reads;
// the graph and the compiled conditions are only read). A first model evaluates every
// element, a fifth of a load's work at 5,000 files, with the other CPU idle.
func (b *buildState) evaluateAll(g *model.Graph, ev *knowledge.Evaluator, els []*model.Element) []evaluated {
	out := make([]evaluated, len(els))
	b.eng.evaluated.Add(int64(len(els)))
	workers := min(runtime.GOMAXPROCS(0), len(els)/parallelEval+1)
	if len(els) >= parallelEval {
		defer pack(out) // a load's batch, or a change of what every element reads
	}
	if workers <= 1 {
		for i, el := range els {
			out[i].findings, out[i].deps = ev.ElementDeps(el)
		}
		return out
	}
	b.eng.parallel.Add(1)
	var wg sync.WaitGroup
	next := atomic.Int64{}
	var failed atomic.Pointer[string] // a worker's panic, raised again on this goroutine
	for w := range workers {
		wev := ev
		if w > 0 {
			wev = b.eng.lib.Evaluator(g)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer caught(&failed)
			for {
				i := int(next.Add(64)) - 64
				if i >= len(els) {
					return
				}
				for j := i; j < min(i+64, len(els)); j++ {
					out[j].findings, out[j].deps = wev.ElementDeps(els[j])
				}
			}
		}()
	}
	wg.Wait()
	if msg := failed.Load(); msg != nil {
		panic("evaluation: " + *msg) // where a panic of the serial evaluation would be
	}
	return out
}

// pack moves the findings of out into one array, and their dependencies into another. The
// evaluator makes a slice of each for each element as it goes, among the garbage of the
// evaluation: kept for the session, a load's were spread over half-empty spans. Packed, they
// fill the arrays they are in (the heap in use after a load of 5,000 files fell from 255–257
// to 235–243 MB for the same live data, BenchmarkScale heap-MB). What later updates replace of
// them stays in an array until all of it is replaced, so an array never holds more than it
// was made with. (Packing their evidence and the text made for them too gained nothing more.)
func pack(out []evaluated) {
	fs := make([][]model.Finding, len(out))
	ds := make([][]model.Dep, len(out))
	for i := range out {
		fs[i], ds[i] = out[i].findings, out[i].deps
	}
	model.PackSlices(fs)
	model.PackSlices(ds)
	for i := range out {
		out[i].findings, out[i].deps = fs[i], ds[i]
	}
}

// packAdded is how many elements a load's batch makes from which their attributes are packed
// (model.PackAttrs).
const packAdded = 512

// packFiles is how many files assemble remakes from which it packs their findings and Files
// (see pack): a load's batch, not an edit's few.
const packFiles = 64

// modelProblems turns what the model could not resolve into findings, by file.
func (b *buildState) modelProblems(g *model.Graph, touched map[string]struct{}) {
	ps := g.Problems()
	if len(ps) == len(b.lastProblems) && (len(ps) == 0 || &ps[0] == &b.lastProblems[0]) {
		return
	}
	for f := range b.problems {
		touched[f] = struct{}{}
	}
	b.problems = map[string][]model.Finding{}
	for _, p := range ps {
		b.problems[p.Span.File] = append(b.problems[p.Span.File], modelFinding(p))
		touched[p.Span.File] = struct{}{}
	}
	b.lastProblems = ps
}

// notAnalysed reports each file that could not be analysed (TLS-009), at the severity the
// configuration gives.
func (b *buildState) notAnalysed(skipped []model.Skipped, sev model.Severity, touched map[string]struct{}) {
	if sameSkipped(skipped, b.lastSkipped) && sev == b.lastSkippedSev {
		return
	}
	for f := range b.skipped {
		touched[f] = struct{}{}
	}
	b.skipped = map[string][]model.Finding{}
	m, _ := knowledge.MetaRuleFor(knowledge.MetaNotAnalysed)
	if sev == "" {
		sev = m.Severity
	}
	for _, s := range skipped {
		if s.Generated {
			continue
		}
		f := model.Finding{ThreatID: m.ID, Title: m.Title, Severity: sev, Confidence: model.Certain,
			Element: s.File, ElementName: s.File, Span: model.Span{File: s.File},
			Message: s.File + " was not analysed: " + s.Reason, Local: true,
			Fingerprint: knowledge.Fingerprint(m.ID, s.File)}
		b.skipped[s.File] = append(b.skipped[s.File], f)
		touched[s.File] = struct{}{}
	}
	b.lastSkipped, b.lastSkippedSev = skipped, sev
}

func sameSkipped(a, b []model.Skipped) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// assemble remakes the findings and the File of every touched file, and returns the files
// whose File or findings changed.
func (b *buildState) assemble(touched map[string]struct{}, today string) []string {
	keys := make([]string, 0, len(touched))
	for k := range touched {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	all := make([][]model.Finding, len(keys))
	for k, key := range keys {
		facts := b.facts[key]
		var fs []model.Finding
		if facts != nil {
			// Every problem of the file (a threatls.yaml with five mistakes shows five), up to
			// a bound a broken file cannot flood.
			for i, p := range facts.Problems {
				if i == maxProblems {
					break
				}
				f := problemFinding(p, key, b.lastSkippedSev)
				f.Local = true
				if i > 0 {
					f.Fingerprint = knowledge.Fingerprint(f.ThreatID, key+"#"+p.Span.String())
				}
				fs = append(fs, f)
			}
		}
		fs = append(fs, b.problems[key]...)
		fs = append(fs, b.skipped[key]...)
		ids := make([]string, 0, len(b.inFile[key]))
		for id := range b.inFile[key] {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			ev := b.evals[id]
			for _, f := range ev.findings {
				if f.Span.File == key {
					fs = append(fs, f)
				}
			}
		}
		var ignores []model.Ignore
		if facts != nil {
			ignores = facts.Ignores
		}
		fs = b.eng.suppress(fs, ignores)
		b.reg.apply(key, fs, today)
		fs = append(fs, b.reg.meta[key]...)
		model.SortFindings(fs)
		all[k] = fs
	}
	// A load's batch, or every file: its files' findings and Files in one array each (see
	// pack).
	var made []File
	if len(keys) >= packFiles {
		model.PackSlices(all)
		made = make([]File, 0, len(keys))
	}
	var changed []string
	for k, key := range keys {
		fs := all[k]
		old, _ := b.findings.Get(key)
		if len(fs) == 0 {
			b.findings.Delete(key)
		} else {
			b.findings.Set(key, fs)
		}
		b.refileWhere(key, old, fs)
		st := b.states[key]
		prev, _ := b.files.Get(key)
		if st == nil {
			if prev != nil {
				b.files.Delete(key)
				changed = append(changed, key)
			} else if len(old) > 0 || len(fs) > 0 {
				changed = append(changed, key)
			}
			continue
		}
		file := File{Path: key, Version: st.version, Text: st.text, Findings: fs, Analyzed: st.facts != nil, analyzer: st.analyzer}
		if made != nil {
			made = append(made, file) // never beyond its capacity: the Files set before stay where they are
			b.files.Set(key, &made[len(made)-1])
		} else {
			b.files.Set(key, &file)
		}
		changed = append(changed, key)
	}
	return changed
}

// refileWhere records that the findings of file went from old to now in b.where: a file is
// listed for the elements it has findings of. The lists are replaced, never modified:
// snapshots share them.
func (b *buildState) refileWhere(file string, old, now []model.Finding) {
	of := func(fs []model.Finding) map[string]bool {
		m := make(map[string]bool, len(fs))
		for _, f := range fs {
			m[f.Element] = true
		}
		return m
	}
	was, is := of(old), of(now)
	for id := range was {
		if !is[id] {
			files, _ := b.where.Get(id)
			files = slices.DeleteFunc(slices.Clone(files), func(f string) bool { return f == file })
			if len(files) == 0 {
				b.where.Delete(id)
			} else {
				b.where.Set(id, files)
			}
		}
	}
	for id := range is {
		if !was[id] {
			files, _ := b.where.Get(id)
			i, found := slices.BinarySearch(files, file)
			if !found {
				b.where.Set(id, slices.Insert(slices.Clone(files), i, file))
			}
		}
	}
}

// FindingFilesOf returns the files that hold findings about the element id, sorted: where to
// look for them, without reading the findings of the whole workspace.
func (s *Snapshot) FindingFilesOf(id string) []string {
	files, _ := s.where.Get(id)
	return files
}

// maxProblems bounds the problems of one file reported as findings.
const maxProblems = 100

// modelFinding reports what the model builder could not resolve.
func modelFinding(p model.Problem) model.Finding {
	m, _ := knowledge.MetaRuleFor(knowledge.MetaModel)
	return model.Finding{ThreatID: m.ID, Title: m.Title, Severity: m.Severity, Confidence: model.Certain,
		Element: p.Span.File, ElementName: p.Span.File, Span: p.Span, Message: p.Message,
		Fingerprint: knowledge.Fingerprint(m.ID, p.Span.String()+p.Message)}
}

// problemFinding reports a problem of file's analysis; notAnalysed is the severity the
// configuration gives what was not analysed ("": the rule's).
func problemFinding(p model.Problem, file string, notAnalysed model.Severity) model.Finding {
	m, ok := knowledge.MetaRuleFor(p.Code)
	if !ok {
		m, _ = knowledge.MetaRuleFor(knowledge.MetaParse)
	}
	if m.ID == knowledge.MetaNotAnalysed && notAnalysed != "" {
		m.Severity = notAnalysed
	}
	if p.Span.File == "" {
		p.Span.File = file
	}
	return model.Finding{ThreatID: m.ID, Title: m.Title, Severity: m.Severity, Confidence: model.Certain,
		Element: file, ElementName: file, Span: p.Span, Message: p.Message,
		Fingerprint: knowledge.Fingerprint(m.ID, file)}
}

// suppress applies threatls:ignore comments: a valid one marks the findings of its threat
// inside its target as suppressed; a malformed, expired or unused one is itself reported.
// The comments of a file cover findings of that file only.
func (e *Engine) suppress(findings []model.Finding, ignores []model.Ignore) []model.Finding {
	if len(ignores) == 0 {
		return findings
	}
	ignores = slices.Clone(ignores)
	sort.Slice(ignores, func(i, j int) bool {
		a, b := ignores[i], ignores[j]
		if a.Span.File != b.Span.File {
			return a.Span.File < b.Span.File
		}
		return a.Span.Start.Offset < b.Span.Start.Offset
	})
	today := e.now().Format(time.DateOnly)
	for _, ig := range ignores {
		reason := strings.TrimSpace(strings.ReplaceAll(ig.Reason, ReasonPlaceholder, ""))
		switch {
		case reason == "":
			f := e.meta(knowledge.MetaIgnoreReason, ig,
				"threatls:ignore "+ig.ThreatID+" needs a reason: write why this risk is accepted after the ID")
			f.Local = true
			findings = append(findings, f)
			continue
		case ig.Until != "" && ig.Until < today:
			f := e.meta(knowledge.MetaIgnoreExpiry, ig,
				"threatls:ignore "+ig.ThreatID+" expired on "+ig.Until+": review the accepted risk")
			f.Local = true
			findings = append(findings, f)
			continue
		}
		used := false
		for i := range findings {
			f := &findings[i]
			if f.ThreatID == ig.ThreatID && f.Suppressed == nil && ig.Target.Contains(f.Span) {
				ig := ig
				f.Suppressed = &ig
				used = true
			}
		}
		if !used {
			msg := "threatls:ignore " + ig.ThreatID + " matches no finding here"
			if e.lib.Threat(ig.ThreatID) == nil {
				msg = "threatls:ignore names " + ig.ThreatID + ", which is not a threat of the library"
			}
			findings = append(findings, e.meta(knowledge.MetaIgnoreUnused, ig, msg))
		}
	}
	return findings
}

func (e *Engine) meta(id string, ig model.Ignore, msg string) model.Finding {
	m, _ := knowledge.MetaRuleFor(id)
	return model.Finding{ThreatID: id, Title: m.Title, Severity: m.Severity, Confidence: model.Certain,
		Element: ig.Span.File, ElementName: "threatls:ignore " + ig.ThreatID, Span: ig.Span, Message: msg,
		Fingerprint: knowledge.Fingerprint(id, ig.Span.String()+ig.ThreatID)}
}
