package knowledge

import (
	"fmt"
	"slices"
	"strings"
	"text/template"

	"github.com/threatls/threatls/model"
)

// Guidance is the remediation of one finding, specific to its element: what to do, where, with
// the values that make the threat apply, and what the change looks like. It is what the
// editor's "Show remediation" and `threatls explain FILE:LINE` show, and the offline answer
// whenever AI enrichment is off or fails.
//
// Guide fills it from the library and the model; what needs the workspace — the diff of a
// mechanical fix applied to the user's block, the controls of an attack path ranked by
// re-evaluating the model — is computed by the engine and handed in (GuideInput).
type Guidance struct {
	ThreatID  string         `json:"threat_id"`
	Title     string         `json:"title"`
	Severity  model.Severity `json:"severity"`
	Element   string         `json:"element"`    // the name a user recognises
	ElementID string         `json:"element_id"` // the model's ID
	Location  string         `json:"location"`   // file:line:col of the finding
	Message   string         `json:"message"`
	// Because lists the values the finding rests on that are not steps themselves.
	Because []string `json:"because,omitempty"`
	// Steps say what to do, in order, naming the element, the attribute to change and its
	// value now. Inline code is in backticks.
	Steps []string `json:"steps"`
	// Fixes are the mechanical fixes, each as a diff of the user's own block.
	Fixes []FixPreview `json:"fixes"`
	// Example is the threat's documented example adapted to the element's names, given when
	// no mechanical fix applies to the element.
	Example *Example `json:"example,omitempty"`
	// Path is set for a finding on an attack path: its hops, and the controls ranked.
	Path *PathGuidance `json:"path,omitempty"`
	// Declare is a threatls.yaml snippet that records a control already in place where the
	// workspace cannot show it (a service mesh, a gateway outside the repository).
	Declare string `json:"declare,omitempty"`
	// Notes are short remarks: what could not be computed, and why.
	Notes  []string `json:"notes,omitempty"`
	DocURL string   `json:"doc_url"`
}

// FixPreview is one mechanical fix, shown as a unified diff of the lines it changes in the
// user's file.
type FixPreview struct {
	Title       string `json:"title"`
	File        string `json:"file"`
	Line        int    `json:"line"` // one-based first line of the diff
	Diff        string `json:"diff"` // unified diff hunk: " " context, "-" before, "+" after
	Recommended bool   `json:"recommended"`
}

// Example is a documented snippet of a threat (docs.examples in the library): what it fits
// — the format of the finding's file (an analyzer's name: terraform, kubernetes, compose,
// dockerfile, actions, mermaid…), element types, element kinds; each list that is given must
// match — a title, the snippet's language and its text, a template over the element
// ({{.Name}}, {{.Label}}, {{.Type}}, {{.Attr "x"}}, {{.Key}} the last segment of its ID — an
// environment variable's name for an env flow; for flows {{.From}} and {{.To}}, the labels
// of the ends). Text is the code as it should be; Before, when given, the code the threat
// fires on, so that the rules page shows the change.
type Example struct {
	Formats []string     `yaml:"formats" json:"-"`
	Types   []string     `yaml:"types" json:"-"`
	Kinds   []model.Kind `yaml:"kinds" json:"-"`
	Title   string       `yaml:"title" json:"title"`
	Lang    string       `yaml:"lang" json:"lang"`
	Before  string       `yaml:"before" json:"before,omitempty"`
	Text    string       `yaml:"text" json:"text"`
}

// PathGuidance is an attack path a finding lies on, and what closing each of its gaps does.
type PathGuidance struct {
	Name string `json:"name"`
	Risk int    `json:"risk"`
	Hops []Hop  `json:"hops"`
	// Ranked are the single controls that were tried, the most effective first: each was
	// added to the model on its own and the workspace re-evaluated.
	Ranked []ControlEffect `json:"ranked"`
}

// Hop is one flow of an attack path.
type Hop struct {
	N       int      `json:"n"` // one-based
	From    string   `json:"from"`
	To      string   `json:"to"`
	Where   string   `json:"where"` // file:line:col of the flow's definition
	Missing []string `json:"missing"`
}

// ControlEffect is what adding one control at one hop does to an attack path, as the engine
// computed by re-evaluating the model with that control.
type ControlEffect struct {
	Control string `json:"control"` // tls, authentication, waf, rate_limiting, segmentation
	Hop     int    `json:"hop"`
	On      string `json:"on"`    // the element that gets the control: the flow, its target, the zone
	Where   string `json:"where"` // file:line:col where that element is defined
	// RiskAfter is the path's risk with the control; 0 when the path is gone.
	RiskAfter int  `json:"risk_after"`
	Removed   bool `json:"removed"` // the path no longer exists
	// FindingGone says the finding this guidance is about disappears too.
	FindingGone bool `json:"finding_gone"`
}

// GuideInput is what the engine computed for Guide.
type GuideInput struct {
	Element *model.Element // the finding's element, or nil
	Graph   *model.Graph   // the model, for names, zones and paths; may be nil
	// Format is the name of the analyzer that reads the finding's file (terraform,
	// kubernetes…): it picks the example to show.
	Format string
	Fixes  []FixPreview
	// Path is the attack path the finding lies on, with Ranked filled, or nil.
	Path  *PathGuidance
	Notes []string
}

// Guide assembles the guidance of a finding.
func (l *Library) Guide(f model.Finding, in GuideInput) Guidance {
	t := l.Threat(f.ThreatID)
	meta, isMeta := MetaRuleFor(f.ThreatID)
	g := Guidance{ThreatID: f.ThreatID, Title: f.Title, Severity: f.Severity, Element: f.ElementName,
		ElementID: f.Element, Message: f.Message, DocURL: DocURL(f.ThreatID),
		Fixes: in.Fixes, Path: in.Path, Notes: in.Notes}
	if !f.Span.IsZero() {
		g.Location = f.Span.String()
	}
	switch {
	case t != nil:
		g.Title = t.Title
	case isMeta:
		g.Title = meta.Title
	}
	if g.Fixes == nil {
		g.Fixes = []FixPreview{}
	}

	var mitigations []string
	if t != nil {
		for _, m := range t.Mitigations {
			mitigations = append(mitigations, m.Title)
		}
	} else if isMeta && meta.Docs.Fix != "" {
		mitigations = append(mitigations, meta.Docs.Fix)
	}
	where := "`" + f.ElementName + "`"
	if g.Location != "" {
		where += " at `" + g.Location + "`"
	}
	if len(mitigations) > 0 {
		g.Steps = append(g.Steps, sentence(mitigations[0])+" Here: "+where+".")
	}
	for _, ev := range f.Evidence {
		if s := evidenceStep(ev); s != "" {
			g.Steps = append(g.Steps, s)
		}
	}
	g.Because = because(f.Evidence)
	if in.Path != nil && len(in.Path.Ranked) > 0 {
		g.Steps = append(g.Steps, bestControlStep(in.Path))
	}
	for _, m := range mitigations[min(1, len(mitigations)):] {
		g.Steps = append(g.Steps, "Or: "+sentence(m))
	}
	if len(g.Fixes) == 0 && t != nil && in.Element != nil {
		g.Example = t.example(in.Element, in.Graph, in.Format)
	}
	if t != nil && len(t.AppliesTo.Kinds) > 0 && in.Element != nil {
		g.Declare = declaration(f, in.Element, in.Graph)
	}
	return g
}

// sentence makes s end like a sentence.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, ")") && strings.HasSuffix(strings.TrimSuffix(s, ")"), ".") {
		return s
	}
	return s + "."
}

// selectors are attributes a condition reads to say which elements it is about — the provider
// (cloud), the technology, engine or category of a service, the provider element that stands
// for the account (primary) — rather than a setting to change: neither a step nor a reason
// worth stating ("it applies because `cloud` is `"aws"`" tells the reader nothing).
var selectors = map[string]bool{"cloud": true, "technology": true, "engine": true, "category": true,
	"primary": true}

// evidenceStep turns one attribute the finding rests on into what must change: a control that
// is off must be on, an exposure (or any other flag the threat reads) that is on must be off.
// Other values (a port, a CIDR) are not steps: see because. Selectors are neither.
func evidenceStep(ev model.Evidence) string {
	want := ""
	switch {
	case selectors[ev.Attr]:
		return ""
	case controls[ev.Attr] && ev.Value != "true":
		want = "true"
	case ev.Attr == "crosses_boundary", ev.Attr == "built_here":
		return "" // what the element is, not what to change
	case exposures[ev.Attr] && ev.Value == "true", ev.Value == "true" && ev.Origin != model.Defaulted:
		want = "false"
	case ev.Value == "false" && ev.Origin != model.Defaulted && !exposures[ev.Attr]:
		want = "true"
	default:
		return ""
	}
	var now string
	switch ev.Origin {
	case model.Read:
		now = fmt.Sprintf("it is `%s`, read at `%s`", ev.Value, ev.Span)
	case model.Declared:
		now = fmt.Sprintf("it is `%s`, declared at `%s`", ev.Value, ev.Span)
	case model.Defaulted:
		now = fmt.Sprintf("it is `%s` because nothing sets it", ev.Value)
	case model.Unknown:
		now = "its value could not be resolved"
		if ev.Value == NotSet {
			now = "nothing sets it"
		} else if !ev.Span.IsZero() {
			now += " (`" + ev.Span.String() + "`)"
		}
	default:
		now = fmt.Sprintf("it is `%s`", ev.Value)
	}
	s := fmt.Sprintf("Make `%s` %s — %s", ev.Attr, want, now)
	if ev.Note != "" {
		s += ": " + strings.TrimSuffix(ev.Note, ".")
	}
	return s + "."
}

// because lists the other values the finding rests on, as facts: `from_port` is `22`
// (network.tf:63:5).
func because(evs []model.Evidence) []string {
	var out []string
	for _, ev := range evs {
		if evidenceStep(ev) != "" || ev.Attr == "crosses_boundary" || ev.Attr == "built_here" || selectors[ev.Attr] || ev.Origin == model.Defaulted {
			continue
		}
		s := fmt.Sprintf("`%s` is `%s`", ev.Attr, ev.Value)
		if !ev.Span.IsZero() && ev.Origin != model.Defaulted {
			s += " (`" + ev.Span.String() + "`)"
		}
		out = append(out, s)
	}
	return out
}

var controlNames = map[string]string{"tls": "TLS", "authentication": "authentication", "waf": "WAF",
	"rate_limiting": "rate limiting", "segmentation": "segmentation"}

func controlName(c string) string {
	if n, ok := controlNames[c]; ok {
		return n
	}
	return strings.ReplaceAll(c, "_", " ")
}

// bestControlStep says which single control lowers the path's risk most, and by how much.
func bestControlStep(p *PathGuidance) string {
	b := p.Ranked[0]
	effect := fmt.Sprintf("the path's risk goes from %d to %d", p.Risk, b.RiskAfter)
	if b.Removed {
		effect = "the attack path disappears"
	}
	what := controlName(b.Control)
	if b.Control == "waf" {
		what = "a WAF"
	}
	return fmt.Sprintf("Of the controls missing on the attack path, %s on hop %d (`%s`, at `%s`) lowers its risk most: with it alone, %s.",
		what, b.Hop, b.On, b.Where, effect)
}

// exampleData is what an example's template sees.
type exampleData struct {
	messageData
	g *model.Graph
}

// Label is the element's own name (see the function Label).
func (d exampleData) Label() string { return Label(d.el) }

// Key is the last segment of the element's ID: an environment variable's name for the flow
// it makes.
func (d exampleData) Key() string {
	id := d.el.ID
	return id[strings.LastIndexAny(id, "/:")+1:]
}

// From and To are the labels of a flow's ends.
func (d exampleData) From() string { return d.end(d.el.From) }
func (d exampleData) To() string   { return d.end(d.el.To) }

func (d exampleData) end(id string) string {
	if d.g != nil {
		if e := d.g.Element(id); e != nil {
			return Label(e)
		}
	}
	return id
}

// Label is an element's own name without its type or kind prefix: "logs" for
// aws_s3_bucket.logs, "api" for Deployment/api.
func Label(e *model.Element) string {
	n := strings.TrimPrefix(e.Name, e.Type+".")
	n = strings.TrimPrefix(n, e.Type+"/")
	return n
}

// example returns the first documented example that fits el, filled with its names.
func (t *Threat) example(el *model.Element, g *model.Graph, format string) *Example {
	for _, ex := range t.Docs.Examples {
		if !ex.fits(el, format) {
			continue
		}
		tmpl, err := template.New(t.ID).Option("missingkey=error").Parse(ex.Text)
		if err != nil {
			continue
		}
		var b strings.Builder
		if err := tmpl.Execute(&b, exampleData{messageData{el}, g}); err != nil {
			continue
		}
		out := ex
		out.Text = strings.TrimRight(b.String(), "\n") + "\n"
		out.Before = ""
		if ex.Before != "" {
			if tb, err := template.New(t.ID).Option("missingkey=error").Parse(ex.Before); err == nil {
				var bb strings.Builder
				if tb.Execute(&bb, exampleData{messageData{el}, g}) == nil {
					out.Before = strings.TrimRight(bb.String(), "\n") + "\n"
				}
			}
		}
		return &out
	}
	return nil
}

func (ex Example) fits(el *model.Element, format string) bool {
	if len(ex.Formats) > 0 && !slices.Contains(ex.Formats, format) {
		return false
	}
	if len(ex.Types) == 0 && len(ex.Kinds) == 0 {
		return true
	}
	return slices.Contains(ex.Types, el.Type) || slices.Contains(ex.Kinds, el.Kind)
}

// declaration is the threatls.yaml entry that records, for a model-level finding, the
// controls it says are missing — for when they exist where the workspace cannot show them.
func declaration(f model.Finding, el *model.Element, g *model.Graph) string {
	var attrs []string
	for _, ev := range f.Evidence {
		if controls[ev.Attr] && ev.Value != "true" && !slices.Contains(attrs, ev.Attr) {
			attrs = append(attrs, ev.Attr)
		}
	}
	if len(attrs) == 0 {
		return ""
	}
	var b strings.Builder
	switch el.Kind {
	case model.Flow:
		from, to := el.From, el.To
		if g != nil {
			if e := g.Element(from); e != nil {
				from = e.ID
			}
			if e := g.Element(to); e != nil {
				to = e.ID
			}
		}
		fmt.Fprintf(&b, "flows:\n  - from: %s\n    to: %s\n", yamlScalar(from), yamlScalar(to))
		if p, ok := el.Attrs.At("port").Value.(int64); ok {
			fmt.Fprintf(&b, "    port: %d\n", p)
		}
		for _, a := range attrs {
			if a == "tls" || a == "authenticated" {
				fmt.Fprintf(&b, "    %s: true\n", a)
			}
		}
		var rest []string
		for _, a := range attrs {
			if a != "tls" && a != "authenticated" {
				rest = append(rest, a+": true")
			}
		}
		if len(rest) > 0 {
			fmt.Fprintf(&b, "    attrs: {%s}\n", strings.Join(rest, ", "))
		}
	case model.Zone:
		fmt.Fprintf(&b, "zones:\n  - name: %s\n", yamlScalar(el.ID))
		for _, a := range attrs {
			fmt.Fprintf(&b, "    attrs: {%s: true}\n", a)
		}
	case model.Component, model.Store, model.Actor:
		var kv []string
		for _, a := range attrs {
			kv = append(kv, a+": true")
		}
		fmt.Fprintf(&b, "elements:\n  - name: %s\n    attrs: {%s}\n", yamlScalar(el.ID), strings.Join(kv, ", "))
	default:
		return ""
	}
	return b.String()
}

// yamlScalar quotes s when YAML would not read it back as the same plain string.
func yamlScalar(s string) string {
	if s == "" || strings.ContainsAny(s, ":#{}[],&*!|>'\"%@`") || strings.TrimSpace(s) != s {
		return fmt.Sprintf("%q", s)
	}
	return s
}

// Markdown renders the guidance for the editor: the steps, the diffs of the mechanical fixes
// or the adapted example, the ranking of an attack path's controls, the declaration.
func (g Guidance) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "### Remediation of %s: %s\n\n", g.ThreatID, escape(g.Title))
	if g.Message != "" {
		b.WriteString(escape(g.Message) + "\n\n")
	}
	if len(g.Because) > 0 {
		b.WriteString("It applies because " + strings.Join(g.Because, ", ") + ".\n\n")
	}
	if len(g.Steps) > 0 {
		for i, s := range g.Steps {
			fmt.Fprintf(&b, "%d. %s\n", i+1, s)
		}
		b.WriteString("\n")
	}
	for _, fx := range g.Fixes {
		title := escape(fx.Title)
		if fx.Recommended {
			title += " (recommended)"
		}
		fmt.Fprintf(&b, "#### Quick fix: %s\n\n`%s`, line %d:\n\n%s\n", title, fx.File, fx.Line, fence("diff", fx.Diff))
	}
	if g.Example != nil {
		fmt.Fprintf(&b, "#### Example: %s\n\n%s\n", escape(g.Example.Title), fence(g.Example.Lang, g.Example.Text))
	}
	if g.Path != nil {
		fmt.Fprintf(&b, "#### Attack path (risk %d)\n\n%s\n\n", g.Path.Risk, escape(g.Path.Name))
		for _, h := range g.Path.Hops {
			missing := "nothing missing"
			if len(h.Missing) > 0 {
				missing = "no " + strings.Join(names(h.Missing), ", no ")
			}
			fmt.Fprintf(&b, "%d. %s → %s (`%s`): %s\n", h.N, code(h.From), code(h.To), h.Where, missing)
		}
		b.WriteString("\n")
		if len(g.Path.Ranked) > 0 {
			b.WriteString("Each missing control added alone, the model re-evaluated:\n\n")
			b.WriteString("| control | hop | on | risk after |\n| --- | --- | --- | --- |\n")
			for _, c := range g.Path.Ranked {
				fmt.Fprintf(&b, "| %s | %d | %s | %s |\n", controlName(c.Control), c.Hop, code(c.On), riskAfter(g.Path.Risk, c))
			}
			b.WriteString("\n")
		}
	}
	if g.Declare != "" {
		b.WriteString("#### If the control is already in place\n\nWhen it exists where threatls cannot see it " +
			"(a service mesh, a gateway or a WAF managed elsewhere), record it in `threatls.yaml`:\n\n")
		b.WriteString(fence("yaml", g.Declare) + "\n")
	}
	for _, n := range g.Notes {
		b.WriteString("*Note: " + escape(n) + "*\n\n")
	}
	fmt.Fprintf(&b, "[Documentation of %s](%s)\n", g.ThreatID, g.DocURL)
	return b.String()
}

// Brief renders the steps alone, for a hover: the diffs, the example and the ranking are
// in Markdown (the editor's "Show remediation").
func (g Guidance) Brief() string {
	if len(g.Steps) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("#### What to do here\n\n")
	for i, s := range g.Steps {
		fmt.Fprintf(&b, "%d. %s\n", i+1, s)
	}
	var more []string
	if len(g.Fixes) > 0 {
		more = append(more, "the quick fix as a diff")
	}
	if g.Example != nil {
		more = append(more, "an example")
	}
	if g.Path != nil {
		more = append(more, "the attack path's controls ranked")
	}
	if len(more) > 0 {
		b.WriteString("\n*Show remediation (a code action) adds " + strings.Join(more, ", ") + ".*\n")
	}
	return b.String()
}

// Text renders the guidance for a terminal.
func (g Guidance) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s: %s\n", g.Location, g.ThreatID, g.Severity, g.Title)
	if g.Message != "" {
		fmt.Fprintf(&b, "  %s\n", g.Message)
	}
	if len(g.Because) > 0 {
		fmt.Fprintf(&b, "  It applies because %s.\n", strings.Join(g.Because, ", "))
	}
	if len(g.Steps) > 0 {
		b.WriteString("\nWhat to do:\n")
		for i, s := range g.Steps {
			fmt.Fprintf(&b, "  %d. %s\n", i+1, s)
		}
	}
	for _, fx := range g.Fixes {
		rec := ""
		if fx.Recommended {
			rec = " (recommended)"
		}
		fmt.Fprintf(&b, "\nQuick fix%s: %s\n  %s, line %d:\n%s", rec, fx.Title, fx.File, fx.Line, indent(fx.Diff, "    "))
	}
	if g.Example != nil {
		fmt.Fprintf(&b, "\nExample: %s\n%s", g.Example.Title, indent(g.Example.Text, "    "))
	}
	if g.Path != nil {
		fmt.Fprintf(&b, "\nAttack path (risk %d): %s\n", g.Path.Risk, g.Path.Name)
		for _, h := range g.Path.Hops {
			missing := "nothing missing"
			if len(h.Missing) > 0 {
				missing = "no " + strings.Join(names(h.Missing), ", no ")
			}
			fmt.Fprintf(&b, "  hop %d: %s → %s (%s): %s\n", h.N, h.From, h.To, h.Where, missing)
		}
		if len(g.Path.Ranked) > 0 {
			b.WriteString("  Each missing control added alone, the model re-evaluated:\n")
			for _, c := range g.Path.Ranked {
				fmt.Fprintf(&b, "    %-15s hop %d on %s: %s\n", controlName(c.Control), c.Hop, c.On, riskAfter(g.Path.Risk, c))
			}
		}
	}
	if g.Declare != "" {
		b.WriteString("\nIf the control is already in place where threatls cannot see it, record it in threatls.yaml:\n")
		b.WriteString(indent(g.Declare, "    "))
	}
	for _, n := range g.Notes {
		fmt.Fprintf(&b, "\nNote: %s\n", n)
	}
	fmt.Fprintf(&b, "\nDocumentation: %s\n", g.DocURL)
	return b.String()
}

func riskAfter(before int, c ControlEffect) string {
	s := fmt.Sprintf("%d → %d", before, c.RiskAfter)
	if c.Removed {
		s = "path gone"
	}
	if c.FindingGone {
		s += " (this finding goes)"
	}
	return s
}

func names(controls []string) []string {
	out := make([]string, len(controls))
	for i, c := range controls {
		out[i] = controlName(c)
	}
	return out
}

// fence renders text as a fenced code block, with a fence longer than any it contains.
func fence(lang, text string) string {
	f := "```"
	for strings.Contains(text, f) {
		f += "`"
	}
	return f + lang + "\n" + strings.TrimRight(text, "\n") + "\n" + f + "\n"
}

func indent(text, prefix string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		b.WriteString(strings.TrimRight(prefix+line, " ") + "\n")
	}
	return b.String()
}
