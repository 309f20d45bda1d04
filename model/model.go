// Package model is the vocabulary every other package speaks: elements (components, stores,
// actors, flows, zones) with normalised attributes that remember where they came from, the
// workspace graph they form, and the findings the threat library reports against them.
//
// Build makes the graph from every analyzer's elements, in stages with a file each: fusion of
// what several formats describe (fuse.go), references and flows (flows.go), zones and
// boundaries (zones.go), drift between designs and the workspace (drift.go), reachability
// and attack paths (paths.go).
//
// The model knows nothing of tree-sitter, of any file format or of the LSP. Positions are byte
// offsets into a file's text; UTF-16 exists only at the LSP edge.
package model

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
)

// Kind is what an element is in data-flow-diagram terms.
type Kind string

// The element kinds of DESIGN.md's vocabulary.
const (
	Component Kind = "component" // a process: service, function, container, job
	Store     Kind = "store"     // where data rests: database, bucket, queue, volume, secret store
	Actor     Kind = "actor"     // outside the system: user, browser, third-party API, the internet
	Flow      Kind = "flow"      // data moving (or allowed to move) from one element to another
	Zone      Kind = "zone"      // a trust zone: internet, VPC, account, namespace
	Control   Kind = "control"   // a security property provided by a resource of its own (audit trail, policy)
	Entry     Kind = "entry"     // an entry point of a component (Parent): an HTTP route, an RPC service, a tool
	Path      Kind = "path"      // an attack path from an entry point to an asset (derived by Build)
)

// Provenance says what kind of source an element comes from, which decides how it fuses with
// the others (see Build).
type Provenance string

// Provenances.
const (
	// Inferred elements are read from what runs: code, infrastructure, manifests.
	Inferred Provenance = ""
	// Documented elements are read from a design document (a Mermaid diagram, a Threagile or
	// OTM model): they fuse with their inferred counterpart without overriding it, and where
	// they disagree the document has drifted.
	Documented Provenance = "documented"
	// Configured elements are read from the repository's threatls.yaml: their attributes
	// override every other source's.
	Configured Provenance = "configured"
)

// Pos is a position in a file: a byte offset and the zero-based line and byte column it falls on.
//
// The fields are int32 because every attribute of every element holds two of them; they do
// not overflow, as the engine never analyses a file of 2 GiB or more.
type Pos struct {
	Offset int32 `json:"offset"`
	Line   int32 `json:"line"`
	Col    int32 `json:"col"`
}

// At is the Pos of a byte offset on a zero-based line and byte column, for analyzers that
// measure text with ints. The values must be below 2^31 (see Pos).
func At(offset, line, col int) Pos {
	return Pos{Offset: int32(offset), Line: int32(line), Col: int32(col)}
}

// Span is a half-open byte range [Start, End) of one file. File is slash-separated and relative
// to the workspace root (or a URI for documents that have no path, such as untitled: buffers).
type Span struct {
	File  string `json:"file"`
	Start Pos    `json:"start"`
	End   Pos    `json:"end"`
}

// IsZero reports whether s points nowhere.
func (s Span) IsZero() bool { return s.File == "" }

// Contains reports whether o lies within s (same file, inclusive bounds).
func (s Span) Contains(o Span) bool {
	return s.File == o.File && s.Start.Offset <= o.Start.Offset && o.End.Offset <= s.End.Offset
}

// Shift returns s moved by off bytes and lines lines, its columns kept: as text that begins a
// line (a document, a block) moves when an edit before it adds or removes bytes and lines.
func (s Span) Shift(off, lines int32) Span {
	s.Start.Offset += off
	s.End.Offset += off
	s.Start.Line += lines
	s.End.Line += lines
	return s
}

// String formats s as file:line:col with one-based line and column, as compilers do.
func (s Span) String() string {
	return fmt.Sprintf("%s:%d:%d", s.File, s.Start.Line+1, s.Start.Col+1)
}

// Origin says how an attribute's value was established. It is a byte, not its name: every
// attribute of every element holds one (written as its name in JSON and text).
type Origin uint8

// The origins of an attribute value. The zero Origin is none: no attribute.
const (
	Read      Origin = iota + 1 // written in the source
	Defaulted                   // absent from the source: the platform's documented default
	Declared                    // stated in a design document or model file
	Unknown                     // present but not resolvable (a variable without a default, a computed value)
)

var originNames = [...]string{"", "read", "defaulted", "declared", "unknown"}

// String returns the origin's name ("read", "defaulted", "declared", "unknown"; "" for none).
func (o Origin) String() string {
	if int(o) < len(originNames) {
		return originNames[o]
	}
	return fmt.Sprintf("origin(%d)", uint8(o))
}

// MarshalText writes the origin's name.
func (o Origin) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText reads an origin's name.
func (o *Origin) UnmarshalText(b []byte) error {
	for i, n := range originNames {
		if n == string(b) {
			*o = Origin(i)
			return nil
		}
	}
	return fmt.Errorf("unknown origin %q", b)
}

// Attr is one normalised attribute of an element.
//
// Value holds only bool, int64, string, []any or map[string]any, so that conditions can read it
// directly. An attribute with Origin Unknown has a nil Value.
type Attr struct {
	Value  any    `json:"value"`
	Origin Origin `json:"origin"`
	// Span is where the value was read or declared; for a default it is the element's head.
	Span Span `json:"span"`
	// Note explains the value to a human: the default that applied, the variable that could not
	// be resolved, the companion resource it came from.
	Note string `json:"note,omitempty"`
}

// Element is anything in the model.
type Element struct {
	// ID is stable across runs: the source format, the module directory and the element's
	// address there, e.g. "terraform:infra/aws_s3_bucket.logs".
	ID   string `json:"id"`
	Kind Kind   `json:"kind"`
	// Type is the source's own type name (aws_s3_bucket); Name the address a user recognises
	// (aws_s3_bucket.logs).
	Type string `json:"type"`
	Name string `json:"name"`
	// Span covers the whole definition; Head the part a diagnostic underlines when the cause
	// is an attribute that is missing (a block's header line).
	Span Span `json:"span"`
	Head Span `json:"head"`
	// Attrs are the normalised attributes (see attributes.go for the vocabulary).
	Attrs Attrs `json:"attrs"`
	// From and To are element IDs, set on flows.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Parent is the ID of the element this one belongs to (an ingress rule's security group).
	Parent string `json:"parent,omitempty"`
	// Related are other places that contributed to this element (companion resources).
	Related []Related `json:"related,omitempty"`

	// Provenance is the kind of source the element comes from.
	Provenance Provenance `json:"provenance,omitempty"`
	// Aliases are names under which other formats may describe the same thing: elements of the
	// same kind from different formats that share an alias fuse into one (see Build). Make
	// them with NameAlias, ImageAlias, BuildAlias.
	Aliases []string `json:"aliases,omitempty"`
	// Members are the IDs of the elements fused into this one (set by Build; empty when the
	// element stands alone). Sources are their definition spans, this element's first.
	Members []string `json:"members,omitempty"`
	Sources []Span   `json:"sources,omitempty"`
}

// Related points at another source location involved in an element or a finding.
type Related struct {
	Span    Span   `json:"span"`
	Message string `json:"message"`
}

// Set records a read attribute.
func (e *Element) Set(name string, v any, at Span) {
	e.set(name, Attr{Value: v, Origin: Read, Span: at})
}

// SetNote records a read attribute with a note that explains it (where the value came from,
// what it means).
func (e *Element) SetNote(name string, v any, at Span, note string) {
	e.set(name, Attr{Value: v, Origin: Read, Span: at, Note: note})
}

// Default records a platform default that applies because the source says nothing.
func (e *Element) Default(name string, v any, note string) {
	e.set(name, Attr{Value: v, Origin: Defaulted, Span: e.Head, Note: note})
}

// SetUnknown records an attribute whose value cannot be resolved statically.
func (e *Element) SetUnknown(name string, at Span, note string) {
	e.set(name, Attr{Origin: Unknown, Span: at, Note: note})
}

func (e *Element) set(name string, a Attr) { e.Attrs.Set(name, a) }

// Attr returns the named attribute and whether it is present.
func (e *Element) Attr(name string) (Attr, bool) {
	return e.Attrs.Get(name)
}

// Moved returns e with every span replaced by what at returns for it: e itself when at
// changes none, else a copy (elements are immutable once built). ok is false, and the
// element nil, when at cannot place a span (it returns false).
func (e *Element) Moved(at func(Span) (Span, bool)) (out *Element, ok bool) {
	var buf [24]Span
	spans := buf[:0]
	changed := false
	place := func(sp Span) bool {
		n, placed := at(sp)
		changed = changed || n != sp
		spans = append(spans, n)
		return placed
	}
	if !place(e.Span) || !place(e.Head) {
		return nil, false
	}
	for _, a := range e.Attrs.list {
		if !place(a.Span) {
			return nil, false
		}
	}
	for _, s := range e.Sources {
		if !place(s) {
			return nil, false
		}
	}
	for _, r := range e.Related {
		if !place(r.Span) {
			return nil, false
		}
	}
	if !changed {
		return e, true
	}
	c := *e
	c.Span, c.Head = spans[0], spans[1]
	spans = spans[2:]
	c.Attrs = e.Attrs.Clone(0)
	for i := range c.Attrs.list {
		c.Attrs.list[i].Span = spans[i]
	}
	spans = spans[len(c.Attrs.list):]
	if e.Sources != nil {
		c.Sources = slices.Clone(spans[:len(e.Sources)])
		spans = spans[len(e.Sources):]
	}
	if e.Related != nil {
		c.Related = slices.Clone(e.Related)
		for i := range c.Related {
			c.Related[i].Span = spans[i]
		}
	}
	return &c, true
}

// Ignore is a suppression written in the source: `threatls:ignore <ID> <reason>` on the line
// above (or at the start of) the definition it covers.
type Ignore struct {
	ThreatID string `json:"threat_id"`
	Reason   string `json:"reason"`
	// Until is an optional expiry date (YYYY-MM-DD, from `until=`): past it the suppression
	// no longer applies.
	Until string `json:"until,omitempty"`
	// Span is the comment itself; Target the definition it covers.
	Span   Span `json:"span"`
	Target Span `json:"target"`
	// Owner, Ticket and Source are set for an acceptance or a mitigation of the risk register
	// (threatls.yaml's risks:, a Threagile risk_tracking entry, an OTM threat state): who owns
	// it, where it is tracked, and the file it is declared in. An inline comment has none.
	Owner  string `json:"owner,omitempty"`
	Ticket string `json:"ticket,omitempty"`
	Source string `json:"source,omitempty"`
}

// Problem is something an analyzer could not read: a syntax error, a skipped file.
type Problem struct {
	Span    Span   `json:"span"`
	Message string `json:"message"`
	// Code is the meta finding that reports the problem; "" for TLS-001, part of the file
	// could not be read.
	Code string `json:"code,omitempty"`
}

// ProblemOutside is the code of a problem that says a file declares something whose source is
// outside the workspace (a Terraform module from the registry, a kustomization's remote base, a
// chart from a repository): knowledge.MetaOutside.
const ProblemOutside = "TLS-010"

// ProblemNotAnalysed is the code of a problem that says a file makes the workspace apply what
// threatls does not read (a Compose service extending a service of a file it does not read
// as Compose): knowledge.MetaNotAnalysed, at the severity the configuration gives it.
const ProblemNotAnalysed = "TLS-009"

// Skipped is a file that was not analysed, and why.
type Skipped struct {
	File   string `json:"file"`
	Reason string `json:"reason"`
	// Generated is set for a source file skipped on purpose (generated or minified code);
	// any other skip is a file that could not be analysed, reported as a finding (TLS-009).
	Generated bool `json:"generated,omitempty"`
}

// FileFacts is what one analyzer extracted from one file.
type FileFacts struct {
	File     string
	Format   string // the analyzer's name: "terraform"
	Elements []*Element
	Ignores  []Ignore
	Problems []Problem
	// Risks are the file's entries of the risk register (threatls.yaml's risks:, Threagile's
	// risk_tracking, OTM threat and mitigation states): the engine applies them to the
	// findings of the whole workspace.
	Risks []RiskEntry
	// Raw is what the analyzer's Link needs beyond elements (unresolved expressions,
	// references). Extract sets it; only that analyzer reads it, through RawFacts; it is
	// immutable once returned.
	Raw any
	// reheat, set when the engine let Raw go (Cool), extracts it again.
	reheat func() any
}

// RawFacts returns Raw, extracted again first if the engine let it go to save memory (see
// Cool). Link and the analyzers' other hooks read Raw through it. The engine calls RawFacts
// and Cool one at a time (a workspace's updates are serialised).
func (f *FileFacts) RawFacts() any {
	if f.Raw == nil && f.reheat != nil {
		f.Raw = f.reheat()
	}
	return f.Raw
}

// Cool lets Raw go: the engine keeps the syntax of the files an editor holds and of those
// linked lately, and lets the rest go, to be extracted again from their text by reheat when
// a Link needs it. Raw is the same once reheated: Extract is a function of the text.
func (f *FileFacts) Cool(reheat func() any) {
	f.reheat = reheat
	f.Raw = nil
}

// Warm reports whether Raw is held.
func (f *FileFacts) Warm() bool { return f.Raw != nil || f.reheat == nil }

// SortElements orders elements by file, offset and ID so that every output is deterministic.
func SortElements(es []*Element) {
	// Files are ranked once, so that most comparisons are of integers.
	files := make(map[string]int, 64)
	for _, e := range es {
		files[e.Span.File] = 0
	}
	names := make([]string, 0, len(files))
	for f := range files {
		names = append(names, f)
	}
	sort.Strings(names)
	for i, f := range names {
		files[f] = i
	}
	type key struct {
		file int
		off  int32
		e    *Element
	}
	keys := make([]key, len(es))
	for i, e := range es {
		keys[i] = key{files[e.Span.File], e.Span.Start.Offset, e}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.file != b.file {
			return a.file < b.file
		}
		if a.off != b.off {
			return a.off < b.off
		}
		return a.e.ID < b.e.ID
	})
	for i, k := range keys {
		es[i] = k.e
	}
}

// MergeElements returns the elements of sorted (in SortElements' order) and of more (in any
// order) in SortElements' order, in a new slice: a few elements added to many cost their sort,
// not the many's. It sorts more in place.
func MergeElements(sorted, more []*Element) []*Element {
	if len(more) == 0 {
		return sorted
	}
	SortElements(more)
	out := make([]*Element, 0, len(sorted)+len(more))
	i, j := 0, 0
	for i < len(sorted) && j < len(more) {
		if elementLess(more[j], sorted[i]) {
			out = append(out, more[j])
			j++
		} else {
			out = append(out, sorted[i])
			i++
		}
	}
	out = append(out, sorted[i:]...)
	return append(out, more[j:]...)
}

// elementLess is the order of SortElements: file, offset, ID.
func elementLess(a, b *Element) bool {
	if a.Span.File != b.Span.File {
		return a.Span.File < b.Span.File
	}
	if a.Span.Start.Offset != b.Span.Start.Offset {
		return a.Span.Start.Offset < b.Span.Start.Offset
	}
	return a.ID < b.ID
}

// IsURI reports whether a file key is a URI (untitled:Untitled-1) rather than a
// workspace-relative path: it starts with a scheme — a letter, then letters, digits, "+",
// "-" or "." — and ":". A one-letter scheme is a Windows drive, not a URI.
func IsURI(key string) bool {
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c == ':':
			return i > 1
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return false
}

// Equal reports whether two elements say the same: same identity, locations, attributes
// (with their origins and notes), ends, aliases, members and related places. Analyzers use it
// to keep an element's pointer when a re-link makes it again unchanged.
func Equal(a, b *Element) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	if a.ID != b.ID || a.Kind != b.Kind || a.Type != b.Type || a.Name != b.Name || a.Span != b.Span || a.Head != b.Head ||
		a.From != b.From || a.To != b.To || a.Parent != b.Parent || a.Provenance != b.Provenance ||
		!slices.Equal(a.Related, b.Related) || !slices.Equal(a.Aliases, b.Aliases) ||
		!slices.Equal(a.Members, b.Members) || !slices.Equal(a.Sources, b.Sources) {
		return false
	}
	return a.Attrs.Equal(b.Attrs)
}

// SameValue reports whether two attribute values are equal (values are bool, int64, string,
// []any or map[string]any).
func SameValue(x, y any) bool { return sameValue(x, y) }

func sameValue(x, y any) bool {
	switch xv := x.(type) {
	case nil, bool, int64, string, float64, int:
		return x == y
	case []any:
		yv, ok := y.([]any)
		if !ok || len(xv) != len(yv) {
			return false
		}
		for i := range xv {
			if !sameValue(xv[i], yv[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		yv, ok := y.(map[string]any)
		if !ok || len(xv) != len(yv) {
			return false
		}
		for k, v := range xv {
			w, ok := yv[k]
			if !ok || !sameValue(v, w) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(x, y)
}
