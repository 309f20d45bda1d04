package knowledge

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"text/template"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"

	"github.com/threatls/threatls/model"
)

// rule is a threat compiled for evaluation.
type rule struct {
	threat  *Threat
	program cel.Program // evaluates over fully known inputs
	partial cel.Program // evaluates with some attributes unknown
	attrs   []string    // the attributes the condition reads, sorted
	guarded []string    // those it reads only as has(e.attrs.X)
	message *template.Template
	// graph is set when the condition calls graph functions that read beyond the element:
	// its result then depends on the element's neighbourhood (see graphView.deps). types lists
	// the element types whose counts it reads (workspace.types, has_type): the string literals
	// of a condition that reads them.
	graph bool
	types []string
	// typeDep is what the condition reads of those types: DepTypePresent when it only asks
	// whether each is in the workspace, DepType when it may read how many there are.
	// anyType is set when it may read the count of a type it does not name (workspace.types[
	// e.type], size(workspace.types)): it then depends on every count (DepType "").
	typeDep model.DepKind
	anyType bool
}

// typesRead finds conditions that read the workspace's type counts.
var (
	typesRead = regexp.MustCompile(`\bworkspace\b|\bhas_type\s*\(`)
	literal   = regexp.MustCompile(`"([^"\\]*)"|'([^'\\]*)'`)
)

// presence matches the reads of workspace.types that ask only whether a type is there.
// (A read followed by . or [ is no presence test: "t" in workspace.types.filter(…).)
var presence = regexp.MustCompile(`(?:"[^"\\]*"|'[^'\\]*')\s+in\s+workspace\.types\s*(?:[^.\[\w\s]|$)|\bhas_type\s*\(`)

// named matches the reads of workspace.types that name the type: a presence test, or the
// count of a type given as a literal (workspace.types["t"]).
var named = regexp.MustCompile(presence.String() + `|\bworkspace\.types\s*\[\s*(?:"[^"\\]*"|'[^'\\]*')\s*\]`)

// typeDep returns what a condition that reads the workspace's types depends on: whether each
// type it names is present, when every read is a presence test ("t" in workspace.types,
// has_type), else how many of each there are; and whether it reads counts of types it does
// not name.
func typeDep(cond string) (kind model.DepKind, any bool) {
	kind = model.DepTypePresent
	if typesRead.MatchString(presence.ReplaceAllString(cond, "")) {
		kind = model.DepType
	}
	return kind, typesRead.MatchString(named.ReplaceAllString(cond, ""))
}

// typesOf returns the string literals of a condition that reads the workspace's type counts
// (the types it can ask about), or nil.
func typesOf(cond string) []string {
	if !typesRead.MatchString(cond) {
		return nil
	}
	out := []string{}
	for _, m := range literal.FindAllStringSubmatch(cond, -1) {
		out = append(out, m[1]+m[2])
	}
	return out
}

// attrRef finds the attributes a condition reads: e.attrs.NAME, e.attrs["NAME"], and
// "NAME" in e.attrs.
var attrRef = regexp.MustCompile(`\be\.attrs(?:\.([A-Za-z_]\w*)|\[\s*"([A-Za-z_]\w*)"\s*\])|"([A-Za-z_]\w*)"\s+in\s+e\.attrs\b`)

// attrForms are the patterns of a condition's reads of attribute a: every read, the
// presence tests (has(e.attrs.a), "a" in e.attrs), and reads that come right after a
// presence test of the same attribute in a conjunction (has(e.attrs.a) && e.attrs.a == …).
func attrForms(a string) (read, test, tested *regexp.Regexp) {
	q := regexp.QuoteMeta(a)
	val := `e\.attrs(?:\.` + q + `\b|\[\s*"` + q + `"\s*\])`
	presence := `(?:\bhas\(\s*e\.attrs\.` + q + `\s*\)|"` + q + `"\s+in\s+e\.attrs\b)`
	return regexp.MustCompile(`\b` + val + `|"` + q + `"\s+in\s+e\.attrs\b`),
		regexp.MustCompile(presence),
		regexp.MustCompile(presence + `\s*&&\s*` + val)
}

func newEnv() (*cel.Env, error) {
	env, err := cel.NewEnv(append([]cel.EnvOption{
		cel.Variable("e", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("workspace", cel.MapType(cel.StringType, cel.DynType)),
	}, graphOptions()...)...)
	if err != nil {
		return nil, fmt.Errorf("threat library: condition environment: %w", err)
	}
	return env, nil
}

// onElement finds graph functions called on the element itself: f(e).
var onElement = regexp.MustCompile(`\b(inbound|outbound|zone|zone_members|reachable_from_internet|crosses_boundary|paths_to_assets|paths_through|known)\(\s*e\s*\)`)

func compile(env *cel.Env, t *Threat) (*rule, error) {
	// f(e) is compiled as f(e.id): the graph needs only the element's identity, and e.id is
	// always known, whereas e as a whole is unknown while one of its attributes is.
	ast, iss := env.Compile(onElement.ReplaceAllString(t.Condition, "$1(e.id)"))
	if iss.Err() != nil {
		return nil, fmt.Errorf("condition: %w", iss.Err())
	}
	if ast.OutputType() != cel.BoolType && ast.OutputType() != cel.DynType {
		return nil, fmt.Errorf("condition must be a bool, not %v", ast.OutputType())
	}
	prg, err := env.Program(ast)
	if err != nil {
		return nil, fmt.Errorf("condition: %w", err)
	}
	partial, err := env.Program(ast, cel.EvalOptions(cel.OptPartialEval))
	if err != nil {
		return nil, fmt.Errorf("condition: %w", err)
	}
	seen := map[string]bool{}
	var attrs, guarded []string
	for _, m := range attrRef.FindAllStringSubmatch(t.Condition, -1) {
		a := m[1] + m[2] + m[3]
		if !seen[a] {
			seen[a] = true
			attrs = append(attrs, a)
		}
	}
	sort.Strings(attrs)
	for _, a := range attrs {
		// An attribute read only where the condition has asked whether it is there — as a
		// presence test, or right after one — is answered by its absence: absent, it is
		// not an unknown.
		read, test, tested := attrForms(a)
		all := len(read.FindAllStringIndex(t.Condition, -1))
		if all > 0 && all == len(test.FindAllStringIndex(t.Condition, -1))+len(tested.FindAllStringIndex(t.Condition, -1)) {
			guarded = append(guarded, a)
		}
	}
	msg, err := template.New(t.ID).Option("missingkey=error").Parse(t.Message)
	if err != nil {
		return nil, fmt.Errorf("message: %w", err)
	}
	r := &rule{threat: t, program: prg, partial: partial, attrs: attrs, guarded: guarded, message: msg,
		graph: modelCall.MatchString(t.Condition), types: typesOf(t.Condition)}
	r.typeDep, r.anyType = typeDep(t.Condition)
	return r, nil
}

// Evaluate runs the library over elements of g (all of them when elements is nil) and returns
// the findings, sorted. Suppressions are applied by the caller, which knows the sources.
func (l *Library) Evaluate(g *model.Graph, elements []*model.Element) []model.Finding {
	if elements == nil {
		elements = g.Elements()
	}
	ev := l.Evaluator(g)
	var out []model.Finding
	for _, el := range elements {
		out = append(out, ev.Element(el)...)
	}
	model.SortFindings(out)
	return out
}

// Evaluator evaluates the library over the elements of one graph, one element at a time, so
// that a caller can re-evaluate only the elements an edit changed. It is not safe for
// concurrent use.
type Evaluator struct {
	lib  *Library
	ws   map[string]any
	view *graphView
}

// Evaluator returns an evaluator for the elements of g.
func (l *Library) Evaluator(g *model.Graph) *Evaluator {
	return &Evaluator{lib: l, ws: map[string]any{"types": typeCounts(g)}, view: newGraphView(g)}
}

// Element returns the findings of the threats that apply to el, unsorted. An element that
// threatls.yaml declares out of scope (in_scope: false) has none.
func (ev *Evaluator) Element(el *model.Element) []model.Finding {
	fs, _ := ev.evaluate(el, nil)
	return fs
}

// ElementDeps is Element, and what the findings depend on beyond el itself: every part of the
// graph the conditions and the findings' related places read. The findings of an unchanged
// element stay right until an update of the graph changes one of them (model.Builder.Update
// reports what it changed).
func (ev *Evaluator) ElementDeps(el *model.Element) ([]model.Finding, []model.Dep) {
	rec := map[model.Dep]struct{}{}
	fs, _ := ev.evaluate(el, rec)
	delete(rec, model.Dep{Kind: model.DepElement, ID: el.ID})
	if len(rec) == 0 {
		return fs, nil
	}
	deps := make([]model.Dep, 0, len(rec))
	for d := range rec {
		deps = append(deps, d)
	}
	return fs, deps
}

func (ev *Evaluator) evaluate(el *model.Element, rec map[model.Dep]struct{}) ([]model.Finding, bool) {
	rules := ev.lib.rulesFor(el)
	if len(rules) == 0 {
		return nil, true
	}
	if a, ok := el.Attrs.Get("in_scope"); ok && a.Origin == model.Declared && a.Value == false {
		return nil, true
	}
	defer func() { ev.view.rec = nil }()
	// Each rule records its reads apart, to tell the findings that rest on the element alone.
	ev.view.rec = rec // e's own map: a flow's or a path's has its ends
	act := map[string]any{"e": ev.view.elementMap(el), "workspace": ev.ws}
	// One activation serves every rule (it copies the functions: made per rule, it was a
	// tenth of what a load allocates).
	vars, err := cel.FunctionVars(act, ev.view.funcs)
	if err != nil {
		return nil, false
	}
	ruleRec := map[model.Dep]struct{}{}
	ev.view.rec = ruleRec
	standalone := el.Kind != model.Flow && el.Kind != model.Path && len(el.Members) == 0
	var out []model.Finding
	for _, r := range rules {
		clear(ruleRec)
		for _, t := range r.types {
			ev.view.read(r.typeDep, t)
		}
		if r.anyType {
			ev.view.read(model.DepType, "")
		}
		if f, ok := r.eval(el, vars); ok {
			fs := ev.place(r, el, f)
			delete(ruleRec, model.Dep{Kind: model.DepElement, ID: el.ID})
			for i := range fs {
				fs[i].Local = standalone && len(ruleRec) == 0
			}
			out = append(out, fs...)
		}
		for d := range ruleRec {
			if rec != nil {
				rec[d] = struct{}{}
			}
		}
	}
	return out, true
}

// place adds what a finding owes to the graph: the ends of a flow as related locations; an
// attack path reported at both its entry and its asset.
func (ev *Evaluator) place(r *rule, el *model.Element, f model.Finding) []model.Finding {
	v := ev.view
	g := v.g
	switch el.Kind {
	case model.Flow:
		f.Related = append(f.Related[:len(f.Related):len(f.Related)], endRelated(v, el)...)
	case model.Path:
		if len(el.Sources) == 2 {
			asset := f
			asset.Span = el.Sources[1]
			asset.Fingerprint = Fingerprint(r.threat.ID, el.ID+"#asset")
			asset.Message += " (this is the asset at the end of the path)"
			f.Message += " (this is the entry point of the path)"
			return []model.Finding{f, asset}
		}
	default:
		if r.graph {
			var rel []model.Related
			v.read(model.DepInbound, el.ID)
			for _, fl := range g.Inbound(el.ID) {
				if from := v.element(fl.From); from != nil && len(rel) < 10 {
					rel = append(rel, model.Related{Span: fl.Head, Message: "inbound flow from " + from.Name})
				}
			}
			v.read(model.DepOutbound, el.ID)
			for _, fl := range g.Outbound(el.ID) {
				if to := v.element(fl.To); to != nil && len(rel) < 20 {
					rel = append(rel, model.Related{Span: fl.Head, Message: "outbound flow to " + to.Name})
				}
			}
			if z := v.zone(el.ID); z != nil && !z.Head.IsZero() {
				rel = append(rel, model.Related{Span: z.Head, Message: "zone " + z.Name})
			}
			f.Related = append(f.Related[:len(f.Related):len(f.Related)], rel...)
		}
	}
	return []model.Finding{f}
}

func endRelated(v *graphView, fl *model.Element) []model.Related {
	var out []model.Related
	for _, end := range []struct{ what, id string }{{"from", fl.From}, {"to", fl.To}} {
		if e := v.element(end.id); e != nil && !e.Head.IsZero() {
			out = append(out, model.Related{Span: e.Head, Message: end.what + " " + e.Name})
		}
	}
	return out
}

// rulesFor returns the rules selecting el by type or by kind, each once.
func (l *Library) rulesFor(el *model.Element) []*rule {
	byType, byKind := l.ready(l.byType[el.Type]), l.ready(l.byKind[el.Kind])
	if len(byKind) == 0 {
		return byType
	}
	if len(byType) == 0 {
		return byKind
	}
	key := typeKind{el.Type, el.Kind}
	if rs, ok := l.merged.Load(key); ok {
		return rs.([]*rule)
	}
	out := append([]*rule(nil), byType...)
	for _, r := range byKind {
		dup := false
		for _, s := range byType {
			dup = dup || s == r
		}
		if !dup {
			out = append(out, r)
		}
	}
	l.merged.Store(key, out)
	return out
}

// typeKind keys the rules that select an element of a type and a kind.
type typeKind struct {
	typ  string
	kind model.Kind
}

func typeCounts(g *model.Graph) map[string]any {
	out := make(map[string]any, len(g.TypeCounts()))
	for k, v := range g.TypeCounts() {
		out[k] = int64(v)
	}
	return out
}

func (r *rule) eval(el *model.Element, vars cel.Activation) (model.Finding, bool) {
	var unknown []string
	for _, a := range r.attrs {
		v, ok := el.Attrs.Get(a)
		if !ok && slices.Contains(r.guarded, a) {
			continue // has() answers false
		}
		if !ok || v.Origin == model.Unknown {
			unknown = append(unknown, a)
		}
	}
	confidence := model.Certain
	var val any
	if len(unknown) == 0 {
		out, _, err := r.program.Eval(vars)
		if err != nil {
			return model.Finding{}, false
		}
		val = out.Value()
	} else {
		patterns := make([]*cel.AttributePatternType, len(unknown))
		for i, a := range unknown {
			patterns[i] = cel.AttributePattern("e").QualString("attrs").QualString(a)
		}
		pvars, err := cel.PartialVars(vars, patterns...)
		if err != nil {
			return model.Finding{}, false
		}
		out, _, err := r.partial.Eval(pvars)
		if types.IsUnknown(out) {
			confidence = model.Tentative
			val = true
		} else if err != nil {
			return model.Finding{}, false
		} else {
			val = out.Value()
		}
	}
	if b, ok := val.(bool); !ok || !b {
		return model.Finding{}, false
	}
	return r.finding(el, confidence, unknown), true
}

func (r *rule) finding(el *model.Element, c model.Confidence, unknown []string) model.Finding {
	t := r.threat
	f := model.Finding{
		ThreatID:    t.ID,
		Title:       t.Title,
		Severity:    t.Severity(),
		Stride:      t.Stride,
		Confidence:  c,
		Element:     el.ID,
		ElementName: el.Name,
		Span:        el.Head,
		Related:     el.Related,
		Fingerprint: Fingerprint(t.ID, el.ID),
	}
	if a, ok := el.Attrs.Get(t.Location); ok && a.Origin != model.Defaulted && !a.Span.IsZero() {
		f.Span = a.Span
	}
	for _, name := range r.attrs {
		if !selectors[name] {
			f.Evidence = append(f.Evidence, evidence(el, name))
		}
	}
	var msg strings.Builder
	if err := r.message.Execute(&msg, messageData{el}); err != nil {
		msg.Reset()
		msg.WriteString(t.Title + ": " + el.Name)
	}
	f.Message = msg.String()
	if c == model.Tentative {
		f.Message += fmt.Sprintf(" (tentative: depends on %s, which could not be resolved)", strings.Join(unknown, ", "))
	}
	return f
}

// NotSet is the value of evidence about an attribute the element does not have.
const NotSet = "(not set)"

func evidence(el *model.Element, name string) model.Evidence {
	a, ok := el.Attrs.Get(name)
	if !ok {
		return model.Evidence{Attr: name, Value: NotSet, Origin: model.Unknown, Span: el.Head}
	}
	return model.Evidence{Attr: name, Value: Render(a), Origin: a.Origin, Span: a.Span, Note: a.Note}
}

// Render formats an attribute value for people.
func Render(a model.Attr) string {
	if a.Origin == model.Unknown {
		return "(unknown)"
	}
	switch v := a.Value.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = Render(model.Attr{Value: x})
		}
		return "[" + strings.Join(parts, ", ") + "]"
	default:
		return fmt.Sprint(v)
	}
}

// messageData is what message and fix templates see.
type messageData struct{ el *model.Element }

func (d messageData) Name() string { return d.el.Name }
func (d messageData) Type() string { return d.el.Type }

// Label is the element's own name without its type: "logs" for aws_s3_bucket.logs.
func (d messageData) Label() string {
	return strings.TrimPrefix(d.el.Name, d.el.Type+".")
}

// Attr renders an attribute's value without quotes, or "(not set)".
func (d messageData) Attr(name string) string {
	a, ok := d.el.Attrs.Get(name)
	if !ok {
		return NotSet
	}
	if s, ok := a.Value.(string); ok {
		return s
	}
	return Render(a)
}

// Fingerprint identifies a finding across runs: the threat and the element, never a line.
func Fingerprint(threatID, elementID string) string {
	sum := sha256.Sum256([]byte(threatID + "|" + elementID))
	return hex.EncodeToString(sum[:8])
}
