package engine

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// GuideOptions says how much Guide computes.
type GuideOptions struct {
	// Rank ranks the missing controls of the attack path a finding lies on by re-evaluating
	// the workspace with each added alone. It costs a scratch copy of the workspace (one full
	// scan) and one rebuild per control tried; without it the hops are listed unranked.
	Rank bool
}

// Guide returns the guidance of a finding of s: the library's remedy filled with its
// evidence, each mechanical fix as a diff of the user's own block, and for a finding on an
// attack path, the path's hops — with opts.Rank, each missing control tried alone by
// re-evaluating the workspace, the most effective first. cfg is the workspace's configuration
// (for the scratch copy). A cancelled ctx stops the ranking; the rest is returned.
func (e *Engine) Guide(ctx context.Context, s *Snapshot, cfg Config, f model.Finding, opts GuideOptions) knowledge.Guidance {
	in := knowledge.GuideInput{Graph: s.Graph(), Element: s.Element(f.Element)}
	if file := s.File(f.Span.File); file != nil && file.analyzer != nil {
		in.Format = file.analyzer.Name()
	}
	for i, fix := range e.Fixes(s, f) {
		if fix.Kind != model.Mitigate {
			continue
		}
		if p, ok := preview(s, fix); ok {
			p.Recommended = i == 0
			in.Fixes = append(in.Fixes, p)
		}
	}
	if p := pathOf(s.Graph(), in.Element, f); p != nil {
		in.Path = describePath(s.Graph(), p)
		if opts.Rank {
			ranked, err := e.rank(ctx, s, cfg, p, f)
			if err != nil {
				in.Notes = append(in.Notes, "the controls of the path could not be ranked: "+err.Error())
			}
			in.Path.Ranked = ranked
		}
	}
	return e.lib.Guide(f, in)
}

// preview renders a fix as a unified diff hunk of the lines it changes, with two lines of
// context. A fix that edits several places of one file gets one hunk spanning them.
func preview(s *Snapshot, fix model.Fix) (knowledge.FixPreview, bool) {
	if len(fix.Edits) == 0 {
		return knowledge.FixPreview{}, false
	}
	file := fix.Edits[0].File
	var edits []model.TextEdit
	for _, ed := range fix.Edits {
		if ed.File == file {
			edits = append(edits, ed)
		}
	}
	src := s.File(file)
	if src == nil {
		return knowledge.FixPreview{}, false
	}
	diff, line, err := hunk(src.Text, edits, 2)
	if err != nil || diff == "" {
		return knowledge.FixPreview{}, false
	}
	return knowledge.FixPreview{Title: fix.Title, File: file, Line: line, Diff: diff}, true
}

// hunk is Hunk of text and text with edits applied, made from the lines the edits touch and
// the lines around them: the rest of the file is the same on both sides, and splitting a 5 MB
// file into lines twice for each fix's preview cost a hover 60 ms a fix. The window grows
// until it holds ctx common lines on each side of what changed (or the file's ends): an
// insertion before lines that repeat what it inserts reads, line by line, as changing them.
func hunk(text []byte, edits []model.TextEdit, ctx int) (string, int, error) {
	if len(edits) == 0 {
		return "", 0, nil
	}
	ls, le, err := spanOf(text, edits)
	if err != nil {
		return "", 0, err
	}
	for more := ctx + 1; ; more *= 2 {
		for range more {
			if ls > 0 {
				ls = bytes.LastIndexByte(text[:ls-1], '\n') + 1
			}
			if le < len(text) {
				if i := bytes.IndexByte(text[le:], '\n'); i >= 0 {
					le += i + 1
				} else {
					le = len(text)
				}
			}
		}
		after, err := ApplyEdits(text[ls:le], shifted(edits, -ls))
		if err != nil {
			return "", 0, err
		}
		a, b := splitLines(text[ls:le]), splitLines(after)
		pre, suf := commonEnds(a, b)
		if (pre >= ctx || ls == 0) && (suf >= ctx || le == len(text)) {
			diff, line := hunkOf(a, b, ctx)
			if diff == "" {
				return "", 0, nil
			}
			return diff, line + bytes.Count(text[:ls], []byte("\n")), nil
		}
	}
}

// commonEnds returns how many items a and b share at their start, and then at their end.
func commonEnds[T comparable](a, b []T) (pre, suf int) {
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	return pre, suf
}

// Hunk returns the one unified-diff hunk that turns old into new (lines common to both ends
// are context, at most ctx of them on each side) and its first line, one-based; "" when the
// texts are the same.
func Hunk(old, new []byte, ctx int) (string, int) {
	return hunkOf(splitLines(old), splitLines(new), ctx)
}

// hunkOf is Hunk of the lines a and b.
func hunkOf(a, b []string, ctx int) (string, int) {
	pre, suf := commonEnds(a, b)
	if pre == len(a) && pre == len(b) {
		return "", 0
	}
	start := max(0, pre-ctx)
	var out strings.Builder
	for _, l := range a[start:pre] {
		out.WriteString(" " + l + "\n")
	}
	for _, l := range a[pre : len(a)-suf] {
		out.WriteString("-" + l + "\n")
	}
	for _, l := range b[pre : len(b)-suf] {
		out.WriteString("+" + l + "\n")
	}
	for _, l := range a[len(a)-suf : min(len(a), len(a)-suf+ctx)] {
		out.WriteString(" " + l + "\n")
	}
	return out.String(), start + 1
}

func splitLines(text []byte) []string {
	s := strings.TrimSuffix(string(text), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// pathControls are the attributes the attack paths weigh (model/paths.go): a finding about
// one of them, on an element of a path, is about the path's controls.
var pathControls = map[string]bool{"authenticated": true, "authenticates": true, "tls": true,
	"behind_waf": true, "rate_limited": true, "segmented": true}

// pathOf returns the riskiest attack path a finding is about: the path itself, a path that
// takes the finding's flow as a hop, or a path through its component or store when the
// finding is about a control the path weighs (an unauthenticated entry point, not a writable
// filesystem). nil otherwise.
func pathOf(g *model.Graph, el *model.Element, f model.Finding) *model.Element {
	if el == nil {
		return nil
	}
	if el.Kind == model.Path {
		return el
	}
	about := false
	for _, ev := range f.Evidence {
		about = about || pathControls[ev.Attr]
	}
	if !about {
		return nil
	}
	var best *model.Element
	consider := func(p *model.Element) {
		if best == nil || risk(p) > risk(best) {
			best = p
		}
	}
	if el.Kind == model.Flow {
		for _, p := range g.Paths() {
			for _, st := range model.Steps(p) {
				if st.Flow == el.ID {
					consider(p)
					break
				}
			}
		}
		return best
	}
	for _, p := range g.PathsThrough(el.ID) {
		consider(p)
	}
	return best
}

func risk(p *model.Element) int {
	r, _ := p.Attrs.At("risk").Value.(int64)
	return int(r)
}

func nameOf(g *model.Graph, id string) string {
	if e := g.Element(id); e != nil {
		return e.Name
	}
	if id == "actor:internet" {
		return "internet"
	}
	return id
}

// describePath lists the hops of an attack path with the controls each lacks.
func describePath(g *model.Graph, p *model.Element) *knowledge.PathGuidance {
	pg := &knowledge.PathGuidance{Name: p.Name, Risk: risk(p), Hops: []knowledge.Hop{}, Ranked: []knowledge.ControlEffect{}}
	for i, st := range model.Steps(p) {
		h := knowledge.Hop{N: i + 1, From: nameOf(g, st.From), To: nameOf(g, st.To), Missing: st.Missing}
		if h.Missing == nil {
			h.Missing = []string{}
		}
		if fl := g.Element(st.Flow); fl != nil {
			h.Where = fl.Head.String()
		}
		pg.Hops = append(pg.Hops, h)
	}
	return pg
}

// rank adds each control missing on a hop of p, alone, to a scratch copy of the workspace
// and re-evaluates it: the control is declared in threatls.yaml (which overrides what the
// sources say, the way a user records a control the workspace cannot show), so that the same
// model the findings come from measures its effect. The most effective control comes first:
// the path gone, then the lowest risk, then the one that also makes f go, then the hop nearest
// the asset.
func (e *Engine) rank(ctx context.Context, s *Snapshot, cfg Config, p *model.Element, f model.Finding) ([]knowledge.ControlEffect, error) {
	g := s.Graph()
	cfgKey := configKey(s)
	var cfgText []byte
	if file := s.File(cfgKey); file != nil {
		cfgText = file.Text
	}
	type candidate struct {
		effect knowledge.ControlEffect
		text   []byte
	}
	var cands []candidate
	for i, st := range model.Steps(p) {
		fl := g.Element(st.Flow)
		if fl == nil {
			continue
		}
		for _, c := range st.Missing {
			section, entry, on := controlEntry(g, fl, c)
			if entry == nil {
				continue
			}
			text, err := declare(cfgText, section, entry)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", cfgKey, err)
			}
			cands = append(cands, candidate{knowledge.ControlEffect{Control: c, Hop: i + 1, On: on.Name, Where: on.Head.String()}, text})
		}
	}
	if len(cands) == 0 {
		return []knowledge.ControlEffect{}, nil
	}
	sc, err := e.NewScratch(ctx, s, cfg, nil)
	if err != nil {
		return nil, err
	}
	defer sc.Close()
	// The copy must reproduce the path before it can measure a change to it: it does not
	// when the path runs through a document without a file (an untitled buffer).
	if bp := sc.Snapshot().Element(p.ID); bp == nil || risk(bp) != risk(p) {
		return nil, fmt.Errorf("the workspace's copy does not reproduce this path (is a document of it unsaved, without a file?)")
	}
	out := []knowledge.ControlEffect{}
	for _, c := range cands {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		snap, err := sc.Try(cfgKey, c.text)
		if err != nil {
			return out, err
		}
		ef := c.effect
		if np := snap.Element(p.ID); np != nil {
			ef.RiskAfter = risk(np)
		} else {
			ef.Removed = true
		}
		ef.FindingGone = true
		for _, nf := range snap.Findings() {
			if nf.Fingerprint == f.Fingerprint && nf.Suppressed == nil {
				ef.FindingGone = false
				break
			}
		}
		out = append(out, ef)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Removed != b.Removed {
			return a.Removed
		}
		if a.RiskAfter != b.RiskAfter {
			return a.RiskAfter < b.RiskAfter
		}
		if a.FindingGone != b.FindingGone {
			return a.FindingGone
		}
		// Equally effective: the hop nearer the asset first, which also protects the asset
		// from the other paths that reach it.
		return a.Hop > b.Hop
	})
	return out, nil
}

// configKey is the key of the workspace's threatls.yaml, existing or to be created at the root.
func configKey(s *Snapshot) string {
	for _, k := range s.Files() {
		if !strings.Contains(k, "/") && (k == "threatls.yaml" || k == ".threatls.yaml") {
			return k
		}
	}
	return "threatls.yaml"
}

// controlEntry returns the threatls.yaml entry that declares control c on the hop fl: the
// section it goes in, the entry, and the element that gets the control (for people).
func controlEntry(g *model.Graph, fl *model.Element, c string) (string, map[string]any, *model.Element) {
	flow := func(attrs map[string]any) map[string]any {
		m := map[string]any{"from": fl.From, "to": fl.To}
		if port, ok := fl.Attrs.At("port").Value.(int64); ok {
			m["port"] = port
		}
		for k, v := range attrs {
			m[k] = v
		}
		return m
	}
	to := g.Element(fl.To)
	switch c {
	case "tls":
		return "flows", flow(map[string]any{"tls": true}), fl
	case "authentication":
		return "flows", flow(map[string]any{"authenticated": true}), fl
	case "waf":
		if to == nil {
			return "", nil, nil
		}
		return "flows", flow(map[string]any{"attrs": map[string]any{"behind_waf": true}}), to
	case "rate_limiting":
		if to == nil {
			return "", nil, nil
		}
		return "flows", flow(map[string]any{"attrs": map[string]any{"rate_limited": true}}), to
	case "segmentation":
		z := g.Zone(fl.To)
		if z == nil {
			return "", nil, nil
		}
		return "zones", map[string]any{"name": z.ID, "segmented": true}, z
	}
	return "", nil, nil
}

// declare returns the threatls.yaml text with entry appended to section (created if absent).
// The text is the user's file, or nil when the workspace has none.
func declare(text []byte, section string, entry map[string]any) ([]byte, error) {
	var doc yaml.Node
	if len(bytes.TrimSpace(text)) > 0 {
		if err := yaml.Unmarshal(text, &doc); err != nil {
			return nil, fmt.Errorf("does not parse: %w", err)
		}
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
		doc.Content[0].Content = append(doc.Content[0].Content,
			&yaml.Node{Kind: yaml.ScalarNode, Value: "version"}, &yaml.Node{Kind: yaml.ScalarNode, Value: "1", Tag: "!!int"})
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("is not a map")
	}
	var n yaml.Node
	if err := n.Encode(entry); err != nil {
		return nil, err
	}
	var seq *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == section {
			seq = root.Content[i+1]
		}
	}
	if seq == nil || seq.Kind != yaml.SequenceNode {
		if seq != nil { // "flows:" with nothing under it
			*seq = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		} else {
			seq = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: section}, seq)
		}
	}
	seq.Content = append(seq.Content, &n)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
