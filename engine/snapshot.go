package engine

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// Snapshot is the state of a workspace after one change: every file's text and findings, and
// the model graph. It is immutable: handlers may read it from any goroutine.
type Snapshot struct {
	files    map[string]*File
	keys     []string
	graph    *model.Graph
	findings []model.Finding
	skipped  []model.Skipped
	timings  Timings
}

// Timings is what building a snapshot cost, stage by stage.
type Timings struct {
	Link  time.Duration // analyzers fusing their files' facts
	Model time.Duration // model.Build: fusion, zones, drift, paths
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
func (s *Snapshot) Files() []string { return s.keys }

// File returns the file with the given key, or nil.
func (s *Snapshot) File(key string) *File { return s.files[key] }

// Findings returns every finding of the workspace, sorted; suppressed ones included.
func (s *Snapshot) Findings() []model.Finding { return s.findings }

// Graph returns the model.
func (s *Snapshot) Graph() *model.Graph { return s.graph }

// Element returns the element with the given ID, or nil.
func (s *Snapshot) Element(id string) *model.Element { return s.graph.Element(id) }

// Skipped returns the files that were not analysed, sorted.
func (s *Snapshot) Skipped() []model.Skipped { return s.skipped }

// build computes a snapshot from the current file states. The caller holds w.mu.
func (w *Workspace) build() *Snapshot {
	w.stale = false
	s := &Snapshot{files: make(map[string]*File, len(w.files)), skipped: w.skipped}
	byFormat := map[string][]*model.FileFacts{}
	var ignores []model.Ignore
	var risks []model.RiskEntry
	var findings []model.Finding
	for key, st := range w.files {
		s.keys = append(s.keys, key)
		s.files[key] = &File{Path: key, Version: st.version, Text: st.text, Analyzed: st.facts != nil, analyzer: st.analyzer}
		if st.facts == nil {
			continue
		}
		byFormat[st.facts.Format] = append(byFormat[st.facts.Format], st.facts)
		ignores = append(ignores, st.facts.Ignores...)
		risks = append(risks, st.facts.Risks...)
		if len(st.facts.Problems) > 0 {
			findings = append(findings, problemFinding(st.facts.Problems[0], key))
		}
	}
	sort.Strings(s.keys)
	t0 := time.Now()
	var elements []*model.Element
	for _, a := range w.eng.analyzers {
		facts := byFormat[a.Name()]
		if len(facts) == 0 {
			continue
		}
		sort.Slice(facts, func(i, j int) bool { return facts[i].File < facts[j].File })
		elements = append(elements, w.linked(a, facts)...)
	}
	t1 := time.Now()
	s.graph = w.builder.Build(elements, model.BuildOptions{Classify: w.eng.classify.Classify})
	t2 := time.Now()
	for _, p := range s.graph.Problems() {
		findings = append(findings, modelFinding(p))
	}
	findings = append(findings, w.evaluate(s.graph)...)
	findings = w.eng.suppress(findings, ignores)
	findings = ApplyRegister(findings, risks, s.graph, w.eng.lib, w.eng.now().Format(time.DateOnly))
	model.SortFindings(findings)
	s.findings = findings
	s.timings = Timings{Link: t1.Sub(t0), Model: t2.Sub(t1), Eval: time.Since(t2)}
	for _, f := range findings {
		if file := s.files[f.Span.File]; file != nil {
			file.Findings = append(file.Findings, f)
		}
	}
	return s
}

// linked returns what a's Link makes of facts: the previous result when the facts are the
// same (pointer for pointer) as last time — an edit of a Terraform file does not re-link the
// Kubernetes manifests. Facts are immutable, and Link depends on nothing else.
func (w *Workspace) linked(a analyzers.Analyzer, facts []*model.FileFacts) []*model.Element {
	if prev, ok := w.links[a.Name()]; ok && slices.Equal(prev.facts, facts) {
		return prev.out
	}
	out := w.eng.link(a, facts)
	if w.links == nil {
		w.links = map[string]linkResult{}
	}
	w.links[a.Name()] = linkResult{facts: facts, out: out}
	return out
}

// linkResult is one analyzer's Link of one build.
type linkResult struct {
	facts []*model.FileFacts
	out   []*model.Element
}

// evaluate runs the library over g, reusing the findings of every element that the edit did
// not change: analyzers and the model builder return the very same *Element for what they did
// not rebuild, and elements are immutable. Model-level threats also read an element's
// neighbourhood, some the workspace's type counts: their findings are reused only when the
// element's digest of those (knowledge.Evaluator.Deps) is unchanged too. The caller holds
// w.mu; the previous snapshot is alive while this runs, which keeps the digests' element
// addresses meaningful.
func (w *Workspace) evaluate(g *model.Graph) []model.Finding {
	next := make(map[*model.Element]evaluated, len(g.Elements()))
	ev := w.eng.lib.Evaluator(g)
	var out []model.Finding
	for _, el := range g.Elements() {
		deps, _ := ev.Deps(el)
		e, ok := w.evalCache[el]
		if !ok || e.deps != deps {
			e = evaluated{findings: ev.Element(el), deps: deps}
		}
		next[el] = e
		out = append(out, e.findings...)
	}
	w.evalCache = next
	return out
}

// modelFinding reports what the model builder could not resolve.
func modelFinding(p model.Problem) model.Finding {
	m, _ := knowledge.MetaRuleFor(knowledge.MetaModel)
	return model.Finding{ThreatID: m.ID, Title: m.Title, Severity: m.Severity, Confidence: model.Certain,
		Element: p.Span.File, ElementName: p.Span.File, Span: p.Span, Message: p.Message,
		Fingerprint: knowledge.Fingerprint(m.ID, p.Span.String()+p.Message)}
}

func problemFinding(p model.Problem, file string) model.Finding {
	m, _ := knowledge.MetaRuleFor(knowledge.MetaParse)
	if p.Span.File == "" {
		p.Span.File = file
	}
	return model.Finding{ThreatID: m.ID, Title: m.Title, Severity: m.Severity, Confidence: model.Certain,
		Element: file, ElementName: file, Span: p.Span, Message: p.Message,
		Fingerprint: knowledge.Fingerprint(m.ID, file)}
}

// suppress applies threatls:ignore comments: a valid one marks the findings of its threat
// inside its target as suppressed; a malformed, expired or unused one is itself reported.
func (e *Engine) suppress(findings []model.Finding, ignores []model.Ignore) []model.Finding {
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
			findings = append(findings, e.meta(knowledge.MetaIgnoreReason, ig,
				"threatls:ignore "+ig.ThreatID+" needs a reason: write why this risk is accepted after the ID"))
			continue
		case ig.Until != "" && ig.Until < today:
			findings = append(findings, e.meta(knowledge.MetaIgnoreExpiry, ig,
				"threatls:ignore "+ig.ThreatID+" expired on "+ig.Until+": review the accepted risk"))
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
