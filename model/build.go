package model

import (
	"iter"
	"slices"
	"sort"
	"strings"
)

// BuildOptions are what Build needs from outside the model.
type BuildOptions struct {
	// Classify returns the classification of a store or component that has none, and a note
	// saying which rule decided it; "" when no rule applies. Nil classifies nothing.
	Classify func(el *Element) (class, note string)
}

// DepKind says which part of the graph a Dep names.
type DepKind uint8

// The parts of the graph a reader can depend on.
const (
	DepElement  DepKind = iota // the element with the ID: present, and what it says
	DepInbound                 // the flows into the element
	DepOutbound                // the flows out of the element
	DepZone                    // the zone the element sits in
	DepMembers                 // the elements of the zone, and what they say
	DepReach                   // whether the internet reaches the element
	DepPaths                   // the attack paths through the element
	DepType                    // how many elements of the type (ID is a type name) exist; ID "": of any type
	// DepTypePresent is whether any element of the type exists: it changes when the count
	// of DepType goes from or to zero. A condition that asks only whether a type is in the
	// workspace ("aws_cloudtrail" in workspace.types) reads it, and is not evaluated again
	// each time another element of the type comes or goes.
	DepTypePresent
)

// Dep names one part of the graph. Update reports the Deps an update changed; a reader that
// recorded what it read (see knowledge.Evaluator) redoes only what read a changed Dep.
type Dep struct {
	Kind DepKind
	ID   string
}

// Builder keeps a graph up to date with its input elements, one update at a time: an update
// costs what its changes touch (the fused groups, flows, zones and attack paths they can
// change), not the size of the workspace. The first build is an update from nothing, so the
// graph after any sequence of updates is the graph a fresh Build of the same elements makes —
// a property test holds it to that.
//
// A Builder is not safe for concurrent use; the graphs it returns are immutable and may be
// read from any goroutine.
type Builder struct {
	opts BuildOptions
	g    *Graph // the graph the next update writes (a copy-on-write copy of the last returned)

	// Input: every element given, and by ID the ones in use (the first by rawLess: an ID
	// several analyzers make — the internet, an external host — is one element).
	raw  map[*Element]struct{}
	byID map[string][]*Element

	// movedDeps are the deps the last Update reported whose change is only that elements
	// in them moved (see MovedDeps).
	movedDeps []Dep

	f fusion    // fuse.go
	r flowState // flows.go
	d decor     // zones.go, drift.go
	p pathState // paths.go

	problems map[string][]Problem // by unit (a group's first member, a flow) the problems it found
}

// Build makes a graph of elements, reusing what the builder made before: the elements given
// last time and not now are removed, the new ones added (see Update).
func (b *Builder) Build(elements []*Element, opts BuildOptions) *Graph {
	b.opts = opts
	now := make(map[*Element]struct{}, len(elements))
	var added []*Element
	for _, e := range elements {
		if e == nil {
			continue
		}
		if _, dup := now[e]; dup {
			continue
		}
		now[e] = struct{}{}
		if _, had := b.raw[e]; !had {
			added = append(added, e)
		}
	}
	var removed []*Element
	for e := range b.raw {
		if _, ok := now[e]; !ok {
			removed = append(removed, e)
		}
	}
	g, _ := b.Update(removed, added)
	return g
}

// SetOptions sets the options the next updates use. Changing them after the first update
// leaves what was built with the old options as it is: set them first.
func (b *Builder) SetOptions(opts BuildOptions) { b.opts = opts }

// NewGraph builds a graph with no options and no previous build.
func NewGraph(elements []*Element) *Graph {
	return (&Builder{}).Build(elements, BuildOptions{})
}

// Format returns the format part of an element ID: "terraform" for "terraform:./aws_s3_bucket.b".
func Format(id string) string {
	f, _, _ := strings.Cut(id, ":")
	return f
}

// formatOrder ranks the formats of inferred elements: the first member of a fused element in
// this order gives it its ID.
var formatOrder = map[string]int{"terraform": 0, "kubernetes": 1, "compose": 2, "dockerfile": 3}

// maxHops bounds attack paths; maxPaths bounds how many are kept (the riskiest).
const (
	maxHops  = 8
	maxPaths = 500
)

// Update removes elements given before and adds new ones (an element is identified by its
// pointer: elements are immutable, so a changed element is the old one removed and a new one
// added), updates the derived views, and returns the new graph and what changed in it.
func (b *Builder) Update(removed, added []*Element) (*Graph, []Dep) {
	if b.g == nil {
		b.init()
	}
	u := newUpdate(b)
	removed, added = u.move(removed, added)
	nodesOut, nodesIn, flowsOut, flowsIn := b.applyRaw(removed, added)
	u.fuse(nodesOut, nodesIn)
	u.resolveFlows(flowsOut, flowsIn)
	u.decorate()
	u.pairs()
	u.index()
	u.reach()
	u.paths()
	return u.publish()
}

// MovedDeps returns, of the deps the last Update reported, those of lists (a node's flows,
// a zone's members) that changed only in that elements they hold moved: the same elements,
// in the same order, saying the same at other places of their files. What read such a list
// reads what it read, and only the places its findings quote may have moved (with those
// elements, whose own DepElement the update reports too).
func (b *Builder) MovedDeps() []Dep { return b.movedDeps }

func (b *Builder) init() {
	b.g = newGraph()
	b.raw = map[*Element]struct{}{}
	b.byID = map[string][]*Element{}
	b.problems = map[string][]Problem{}
	b.f.init()
	b.r.init()
	b.d.init()
	b.p.init()
}

// applyRaw records the input change and returns the elements in use that left and came, as
// nodes (everything fusion groups) and flows. Paths given as input are ignored: the builder
// derives its own.
func (b *Builder) applyRaw(removed, added []*Element) (nodesOut, nodesIn, flowsOut, flowsIn []*Element) {
	touched := map[string]*Element{} // ID → the element in use before
	for _, e := range removed {
		if _, ok := b.raw[e]; !ok {
			continue
		}
		delete(b.raw, e)
		if _, seen := touched[e.ID]; !seen {
			touched[e.ID] = first(b.byID[e.ID])
		}
		list := b.byID[e.ID]
		for i, x := range list {
			if x == e {
				list = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(b.byID, e.ID)
		} else {
			b.byID[e.ID] = list
		}
	}
	for _, e := range added {
		if e == nil || e.ID == "" || e.Kind == Path {
			continue
		}
		if _, ok := b.raw[e]; ok {
			continue
		}
		b.raw[e] = struct{}{}
		if _, seen := touched[e.ID]; !seen {
			touched[e.ID] = first(b.byID[e.ID])
		}
		list := append(b.byID[e.ID], e)
		sort.SliceStable(list, func(i, j int) bool { return rawLess(list[i], list[j]) })
		b.byID[e.ID] = list
	}
	ids := make([]string, 0, len(touched))
	for id := range touched {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		was, now := touched[id], first(b.byID[id])
		if was == now {
			continue
		}
		if was != nil {
			if was.Kind == Flow {
				flowsOut = append(flowsOut, was)
			} else {
				nodesOut = append(nodesOut, was)
			}
		}
		if now != nil {
			if now.Kind == Flow {
				flowsIn = append(flowsIn, now)
			} else {
				nodesIn = append(nodesIn, now)
			}
		}
	}
	return nodesOut, nodesIn, flowsOut, flowsIn
}

func first(es []*Element) *Element {
	if len(es) == 0 {
		return nil
	}
	return es[0]
}

// rawLess orders elements of one ID: the one defined first in the workspace is the one in use.
func rawLess(a, b *Element) bool {
	if a.Span.File != b.Span.File {
		return a.Span.File < b.Span.File
	}
	if a.Span.Start.Offset != b.Span.Start.Offset {
		return a.Span.Start.Offset < b.Span.Start.Offset
	}
	if a.Span.End.Offset != b.Span.End.Offset {
		return a.Span.End.Offset < b.Span.End.Offset
	}
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	return a.Type < b.Type
}

// blocked reports whether an attacker cannot use the flow: a policy denies it, or it exists
// only in a design document that the workspace does not implement.
func blocked(f *Element) bool {
	b, _ := f.Attrs.At("blocked").Value.(bool)
	n, _ := f.Attrs.At("not_implemented").Value.(bool)
	return b || n
}

// key is what a unit of an update read from an earlier stage: the units of later stages that
// read a key are redone when an update changes it.
type key struct {
	// 'i' an ID (its node, fused ID, members), 'p' where the node of an ID is (the spans of
	// what it says), 's' a slot, 'z' a node's zone, 'I' whether anything is inferred. What
	// reads 'p' of an ID reads its 'i' too; a node that only moved changes 'p' alone (move.go).
	k    byte
	a, b string
}

func idKey(id string) key            { return key{k: 'i', a: id} }
func posKey(id string) key           { return key{k: 'p', a: id} }
func slotKey(s slot) key             { return key{k: 's', a: s.alias, b: s.family} }
func zoneKeyOf(id string) key        { return key{k: 'z', a: id} }
func inferredKey() key               { return key{k: 'I'} }
func (k key) String() string         { return string(k.k) + ":" + k.a + "|" + k.b }
func keySet() map[key]struct{}       { return map[key]struct{}{} }
func mark(m map[key]struct{}, k key) { m[k] = struct{}{} }

// Readers is a reverse index from keys (K) to the units (U) that read them: the model's
// stages index what each of their units read, and the engine what each element's findings
// read. Most keys are read by one unit or a few (an element's own ID): their readers are a
// slice, and only a key read by more than fewReaders units has a set. A set per key was the
// builder's largest index: 384 bytes per key, 172 now (TestDepsMemory); the live heap of the
// first model of 5,000 files went from 194 to 187–188 MB (BenchmarkScale files=5000/load,
// live-MB). Init it before use.
type Readers[K comparable, U comparable] struct {
	by   map[K][]U
	many map[K]map[U]struct{} // the readers of keys read by more than fewReaders units
	of   map[U][]K
}

// fewReaders is how many readers of a key are kept in a slice.
const fewReaders = 8

// Init makes the index empty.
func (d *Readers[K, U]) Init() {
	d.by, d.many, d.of = map[K][]U{}, map[K]map[U]struct{}{}, map[U][]K{}
}

// Set records that u read keys (and nothing else). The index keeps keys.
func (d *Readers[K, U]) Set(u U, keys []K) {
	d.Drop(u)
	if len(keys) == 0 {
		return // nothing to index: no entry
	}
	for _, k := range keys {
		if s := d.many[k]; s != nil {
			s[u] = struct{}{}
			continue
		}
		few := d.by[k]
		if slices.Contains(few, u) {
			continue
		}
		if len(few) < fewReaders {
			d.by[k] = append(few, u)
			continue
		}
		s := make(map[U]struct{}, len(few)+1)
		for _, v := range few {
			s[v] = struct{}{}
		}
		s[u] = struct{}{}
		d.many[k] = s
		delete(d.by, k)
	}
	d.of[u] = keys
}

// Drop forgets what u read.
func (d *Readers[K, U]) Drop(u U) {
	for _, k := range d.of[u] {
		if s := d.many[k]; s != nil {
			delete(s, u)
			if len(s) == 0 {
				delete(d.many, k)
			}
			continue
		}
		few := d.by[k]
		if i := slices.Index(few, u); i >= 0 {
			few[i] = few[len(few)-1]
			var zero U
			few[len(few)-1] = zero
			if few = few[:len(few)-1]; len(few) == 0 {
				delete(d.by, k)
			} else {
				d.by[k] = few
			}
		}
	}
	delete(d.of, u)
}

// Dirty adds to into the units that read a key of changed.
func (d *Readers[K, U]) Dirty(changed map[K]struct{}, into map[U]struct{}) {
	for k := range changed {
		for _, u := range d.by[k] {
			into[u] = struct{}{}
		}
		for u := range d.many[k] {
			into[u] = struct{}{}
		}
	}
}

// Of yields the units that read k.
func (d *Readers[K, U]) Of(k K) iter.Seq[U] {
	return func(yield func(U) bool) {
		for _, u := range d.by[k] {
			if !yield(u) {
				return
			}
		}
		for u := range d.many[k] {
			if !yield(u) {
				return
			}
		}
	}
}

// reads collects the keys a unit reads while it is computed.
type reads []key

func (r *reads) add(k key) { *r = append(*r, k) }
