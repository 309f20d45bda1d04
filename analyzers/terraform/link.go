package terraform

import (
	"fmt"
	"path"
	"sort"
	"strconv"

	"github.com/threatls/threatls/mapping"
	"github.com/threatls/threatls/model"
)

// InternetID is the ID of the actor that stands for the internet: the From of every flow that
// admits it.
const InternetID = "actor:internet"

// module is one directory of .tf files: the unit Terraform resolves names in.
type module struct {
	dir       string
	vars      map[string]*Block
	locals    map[string]*Attribute
	resources map[string]*res // by address: aws_s3_bucket.b, data.aws_iam_policy_document.p
	order     []*res          // resources and data sources in file and source order
	providers []*Block
	// bucketNames maps a bucket's literal name (its bucket argument) to its address.
	bucketNames map[string]string
	out         []*model.Element
	// localVals memoises the value of each variable and local ("var.x", "local.y"); an
	// entry not done marks one being evaluated.
	localVals map[string]*localVal
	// ebsDefault is set when the module has an aws_ebs_encryption_by_default enabled = true.
	ebsDefault *res
	// refBy indexes, by the address they refer to, the attributes of the module's resources
	// that refer to another resource (see index); byName finds a resource by type and literal
	// name.
	refBy  map[string][]referrer
	byName map[string]*res
	// rules are the module's ingress rules, in the order their elements were built.
	rules []*rule
	// routes and subnetPub memoise what decides whether a subnet is public.
	routes    *routing
	subnetPub map[string]model.Attr
	// flowNames are the names of the flows topology created, to keep them unique.
	flowNames map[string]bool
	// modules are the module calls of the directory and outputs its output blocks, by name;
	// varFiles its .tfvars files. world, when set, is every directory of the Link: what
	// module calls pass across directories.
	modules, outputs map[string]*Block
	varFiles         []varFile
	world            *world
	// instances are the instances of the resources with a known for_each, by address.
	instances map[string][]instance
	// log is what the build read (reads.go).
	log *readLog
}

// res is a resource or data source of a module and the element built for it, if any.
type res struct {
	b         *Block
	typ, name string
	addr      string
	data      bool
	el        *model.Element
	// net is what a component or store says of its network (set by its builder), nil for
	// other resources.
	net *netInfo
	// maybe, when set, says why whether the resource exists at all is not known (a count
	// known only when Terraform runs): what it contributes to another resource is unknown.
	maybe string
}

// Scope returns the directory of p: the files of a directory are one module.
func (*Analyzer) Scope(p string) string { return path.Dir(p) }

// Joins returns the directories the module blocks of a file call (local sources): a module
// and those it calls, or is called by, link together (inputs go down, outputs come back).
func (*Analyzer) Joins(ff *model.FileFacts) []string {
	raw, ok := ff.RawFacts().(*Raw)
	if !ok {
		return nil
	}
	var out []string
	dir := path.Dir(ff.File)
	for _, b := range raw.Blocks {
		if b.Type == "module" && len(b.Labels) == 1 {
			if child := childDir(dir, b); child != "" {
				out = append(out, child)
			}
		}
	}
	return out
}

// Link fuses the facts of every Terraform file of the workspace into elements. Files are
// grouped by directory: each directory is a module, and element IDs are
// "terraform:<dir>/<address>". Link reads its input and never modifies it; its cost is linear
// in the number of blocks of the modules whose facts changed since the previous Link (the
// elements of the others are reused: elements are immutable once returned), and a large
// module whose edit changed nothing its last build read takes its last elements over, moved
// (reuse.go).
func (a *Analyzer) Link(files []*model.FileFacts) []*model.Element {
	byDir := map[string][]*model.FileFacts{}
	for _, f := range files {
		if f == nil || f.Format != Name {
			continue
		}
		if _, ok := f.RawFacts().(*Raw); !ok {
			continue
		}
		d := path.Dir(f.File)
		byDir[d] = append(byDir[d], f)
	}
	dirs := make([]string, 0, len(byDir))
	for d := range byDir {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	var out []*model.Element
	var internet *model.Span
	// The cache is read and written for this call's directories only: copied whole, it made
	// every Link cost every module linked before (the engine links a unit at a time, and a
	// load of 40,000 files some thousands of units).
	prev := make([]linked, len(dirs))
	a.mu.Lock()
	for i, d := range dirs {
		prev[i] = a.modules[d]
	}
	a.mu.Unlock()
	next := make([]linked, len(dirs))
	reused := 0
	w := newWorld(byDir)
	for i, d := range dirs {
		fs := byDir[d]
		sort.Slice(fs, func(i, j int) bool { return fs[i].File < fs[j].File })
		l := prev[i]
		if key := w.key(d); l.files == nil || !sameFacts(l.files, fs) || l.key != key {
			if out, ok := reuse(l, fs, key); ok {
				l = linked{files: fs, out: out, key: key, log: l.log}
				reused++
			} else {
				m := newModule(d, fs, true)
				m.world = w
				m.build()
				l = linked{files: fs, out: m.out, key: key, log: m.log.kept()}
				if replaced, differ, other := tofuTwins(fs); len(differ) > 0 || other != "" {
					l.out = append(l.out, tofuElements(d, fs, replaced, differ, other, w, m.out)...)
				}
			}
		}
		next[i] = l
		for _, el := range l.out {
			if el.From == InternetID && (internet == nil || before(el.Span, *internet)) {
				sp := el.Span
				internet = &sp
			}
		}
		out = append(out, l.out...)
	}
	a.mu.Lock()
	if a.modules == nil {
		a.modules = make(map[string]linked, len(dirs))
	}
	for i, d := range dirs {
		a.modules[d] = next[i]
	}
	a.reused += reused
	a.mu.Unlock()
	if internet != nil {
		out = append(out, model.InternetActor(*internet))
	}
	model.SortElements(out)
	return out
}

func sameFacts(a, b []*model.FileFacts) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func before(a, b model.Span) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	return a.Start.Offset < b.Start.Offset
}

// newModule reads the blocks of files, the module of dir. logReads is set for a module Link
// builds (not one made to resolve names across directories): its build then logs what it
// reads when the module is large enough (reads.go).
func newModule(dir string, files []*model.FileFacts, logReads bool) *module {
	m := &module{dir: dir, vars: map[string]*Block{}, locals: map[string]*Attribute{},
		resources: map[string]*res{}, bucketNames: map[string]string{},
		localVals: map[string]*localVal{}, modules: map[string]*Block{}, outputs: map[string]*Block{}}
	if n, ok := logged(files); ok && logReads {
		m.log = newReadLog(n)
	}
	// Override files come last, whatever their names (override.go).
	var overrides []*model.FileFacts
	for _, f := range files {
		if isOverride(f.File) {
			overrides = append(overrides, f)
			continue
		}
		m.add(f, false)
	}
	for _, f := range overrides {
		m.add(f, true)
	}
	return m
}

// add reads the blocks of f into the module. Of two blocks of one name the first counts
// (Terraform refuses the module), unless over is set: f is then an override file, whose
// blocks merge into those they name.
func (m *module) add(f *model.FileFacts, over bool) {
	for _, b := range f.RawFacts().(*Raw).Blocks {
		m.log.add(f.File, b)
		switch b.Type {
		case "variable":
			addNamed(m.vars, b, over)
		case "module":
			addNamed(m.modules, b, over)
		case "output":
			addNamed(m.outputs, b, over)
		case "locals":
			for _, a := range b.Attrs {
				if _, dup := m.locals[a.Name]; !dup || over {
					m.locals[a.Name] = a
				}
			}
		case "resource", "data":
			if len(b.Labels) != 2 {
				continue
			}
			r := &res{b: b, typ: b.Labels[0], name: b.Labels[1], data: b.Type == "data", addr: blockAddr(b)}
			if old, dup := m.resources[r.addr]; dup {
				if over {
					old.b = merged(old.b, b)
				}
				continue
			}
			// An override of a resource no other file declares is an error to Terraform;
			// read as a resource, what it says is not lost.
			m.resources[r.addr] = r
			m.order = append(m.order, r)
		case "provider":
			if len(b.Labels) == 1 {
				if i := m.provider(b); over && i >= 0 {
					m.providers[i] = merged(m.providers[i], b)
				} else {
					m.providers = append(m.providers, b)
				}
			}
		}
	}
	if raw := f.RawFacts().(*Raw); len(raw.Attrs) > 0 {
		m.varFiles = append(m.varFiles, varFile{file: f.File, attrs: raw.Attrs})
	}
}

// addNamed adds b, a block of one label (a variable, a module call, an output), to into by
// its label: the first of a label counts, unless over is set (b is an override's) and b
// merges into it.
func addNamed(into map[string]*Block, b *Block, over bool) {
	if len(b.Labels) != 1 {
		return
	}
	if old, dup := into[b.Labels[0]]; !dup {
		into[b.Labels[0]] = b
	} else if over {
		into[b.Labels[0]] = merged(old, b)
	}
}

// provider returns the index of the module's provider block that b names (the same provider
// and alias), or -1.
func (m *module) provider(b *Block) int {
	alias := func(b *Block) string {
		if a := m.attr(b, "alias"); a != nil && a.Expr != nil {
			s, _ := a.Expr.Lit.(string)
			return s
		}
		return ""
	}
	for i, p := range m.providers {
		if p.Labels[0] == b.Labels[0] && alias(p) == alias(b) {
			return i
		}
	}
	return -1
}

// Conversions as Terraform applies them to arguments: "true" is a bool, "80" a number.

func asBool(v any) (any, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		if b, err := strconv.ParseBool(x); err == nil && (x == "true" || x == "false") {
			return b, true
		}
	}
	return nil, false
}

func asInt(v any) (any, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case string:
		if i, err := strconv.ParseInt(x, 10, 64); err == nil {
			return i, true
		}
	}
	return nil, false
}

// asString is mapping.AsString as the evaluator's conversions return it (nil when v is no
// scalar).
func asString(v any) (any, bool) {
	if s, ok := mapping.AsString(v); ok {
		return s, true
	}
	return nil, false
}

func asStrings(v any) (any, bool) {
	switch x := v.(type) {
	case []any:
		out := make([]any, 0, len(x))
		for _, y := range x {
			s, ok := asString(y)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	case nil:
		return []any{}, true
	}
	return nil, false
}

// conv converts a resolved value to an attribute's type.
type conv struct {
	name string
	f    func(any) (any, bool)
}

var (
	tBool    = conv{"bool", asBool}
	tInt     = conv{"whole number", asInt}
	tString  = conv{"string", asString}
	tStrings = conv{"list of strings", asStrings}
)

// setAttr records attribute name of el from a's value converted by c: read when known,
// unknown otherwise. It returns the converted value, or nil when unknown.
func (m *module) setAttr(el *model.Element, name string, a *Attribute, c conv) any {
	v, via := m.resolve(a.Expr)
	if !known(v) {
		el.SetUnknown(name, a.Span, unknownNote(v))
		return nil
	}
	x, ok := c.f(v)
	if !ok {
		el.SetUnknown(name, a.Span, fmt.Sprintf("%s is not a %s", a.Name, c.name))
		return nil
	}
	note := ""
	if via != "" {
		note = "from " + via
	}
	el.SetNote(name, x, a.Span, note)
	return x
}

// arg records attribute name of el from argument arg of b, or the default def (with a note)
// when b does not set it; def nil records nothing. It returns the value, or nil when unknown
// or absent without default.
func (m *module) arg(el *model.Element, name string, b *Block, arg string, c conv, def any, note string) any {
	if a := m.attr(b, arg); a != nil {
		if v, _ := m.resolve(a.Expr); v == nil && def != nil {
			el.Default(name, def, fmt.Sprintf("%s is null: %s", arg, note))
			return def
		}
		return m.setAttr(el, name, a, c)
	}
	if def != nil {
		el.Default(name, def, note)
	}
	return def
}

// refAddr returns the resource address an expression refers to (aws_s3_bucket.b for
// aws_s3_bucket.b.id) and the attribute it reads, when it is a reference to a resource or data
// source of the module.
func (m *module) refAddr(e *Expr) (addr, attr string, ok bool) {
	if e == nil || e.Kind != Ref || len(e.Path) < 2 {
		return "", "", false
	}
	p := e.Path
	if p[0] == "data" {
		if len(p) < 3 {
			return "", "", false
		}
		addr, p = "data."+p[1]+"."+p[2], p[3:]
	} else {
		addr, p = p[0]+"."+p[1], p[2:]
	}
	if _, ok := m.resources[addr]; !ok {
		return "", "", false
	}
	if len(p) > 0 {
		attr = p[0]
	}
	return addr, attr, true
}

func (m *module) id(addr string) string { return "terraform:" + m.dir + "/" + addr }

// element creates the element of r and records it in the module's output.
func (m *module) element(r *res, kind model.Kind, tech string) *model.Element {
	el := &model.Element{ID: m.id(r.addr), Kind: kind, Type: r.typ, Name: r.addr,
		Span: r.b.Span, Head: r.b.Head}
	el.Set("technology", tech, r.b.Head)
	el.Set("in_scope", !r.data, r.b.Head)
	if c := mapping.ProviderOf(r.typ); c != "" {
		el.Set("cloud", c, r.b.Head)
	}
	r.el = el
	m.out = append(m.out, el)
	return el
}

// nested creates the element of a nested block of r (an ingress rule, a listener), the index-th
// block of its type.
func (m *module) nested(r *res, b *Block, index int, kind model.Kind, tech string) *model.Element {
	name := fmt.Sprintf("%s.%s[%d]", r.addr, b.Type, index)
	el := &model.Element{ID: m.id(name), Kind: kind, Type: r.typ + "." + b.Type, Name: name,
		Span: b.Span, Head: b.Head}
	el.Set("technology", tech, b.Head)
	el.Set("in_scope", !r.data, b.Head)
	if c := mapping.ProviderOf(r.typ); c != "" {
		el.Set("cloud", c, b.Head)
	}
	if r.el != nil {
		el.Parent = r.el.ID
	}
	m.out = append(m.out, el)
	return el
}

// build creates the module's elements: first every resource on its own, then what links
// resources together (companions, rules, listeners, attachments), then the network topology
// (zones of elements, flows between them), and last the names of components and stores.
func (m *module) build() {
	m.expand()
	m.index()
	for _, p := range m.providers {
		if p.Labels[0] != "aws" {
			continue
		}
		name := "provider.aws"
		if a := m.attr(p, "alias"); a != nil {
			if v, _ := m.resolve(a.Expr); v != nil {
				if s, ok := v.(string); ok {
					name += "." + s
				}
			}
		}
		el := &model.Element{ID: m.id(name), Kind: model.Zone, Type: "aws_provider", Name: name,
			Span: p.Span, Head: p.Head}
		el.Set("technology", "aws", p.Head)
		el.Set("in_scope", true, p.Head)
		el.Set("cloud", "aws", p.Head)
		if a := m.attr(p, "region"); a != nil {
			m.setAttr(el, "region", a, tString)
		}
		m.providerRole(el, p, name)
		m.out = append(m.out, el)
	}
	for _, r := range m.order {
		if r.typ == "aws_ebs_encryption_by_default" && !r.data {
			if a := m.attr(r.b, "enabled"); a == nil || isTrue(m, a) {
				m.ebsDefault = r
			}
		}
	}
	for _, r := range m.order {
		if f, ok := builders[r.typ]; ok {
			if !r.data || r.typ == "aws_iam_policy_document" {
				f(m, r)
			}
		} else if _, linked := linkers[r.typ]; !linked && !r.data {
			m.mapped(r)
		}
	}
	for _, r := range m.order {
		if f, ok := linkers[r.typ]; ok && !r.data {
			f(m, r)
		}
	}
	for _, r := range m.order {
		if r.el != nil && r.typ == "aws_s3_bucket" {
			m.finishBucket(r)
		}
		if r.typ == "aws_s3_bucket_logging" || r.typ == "aws_s3_bucket" {
			m.logTarget(r)
		}
	}
	m.topology()
	for _, r := range m.order {
		if r.el != nil && (r.el.Kind == model.Component || r.el.Kind == model.Store ||
			r.typ == "aws_vpc" || r.typ == "aws_subnet") {
			m.names(r)
		}
	}
}

func isTrue(m *module, a *Attribute) bool {
	v, _ := m.resolve(a.Expr)
	b, ok := asBool(v)
	return ok && b == true
}

// str returns the literal string value of argument arg of b, or "".
func (m *module) str(b *Block, arg string) string {
	a := m.attr(b, arg)
	if a == nil {
		return ""
	}
	v, _ := m.resolve(a.Expr)
	s, _ := asString(v)
	if s == nil {
		return ""
	}
	return s.(string)
}
