// Package config reads the repository's threatls.yaml: what inference cannot know, declared
// by the people who own the system (docs/model.md, "threatls.yaml").
//
// Every entry of zones:, elements: and flows: becomes an element with Provenance
// model.Configured, whose attributes (origin model.Declared) override what every other
// source says. An entry names what it configures; the model matches it to an element by ID,
// name or alias, and reports the entries that match nothing. An element entry without
// kind: only overrides (Kind ""); with one it also declares the element. An assets: entry
// becomes one override per store it is stored_in.
//
// The file that matters is the one at the repository root; threatls.yaml files elsewhere are
// read alike (their element IDs carry their path), so that an editor checks them too.
//
// Validation is strict and local: an unknown key (at any level), a value of the wrong type,
// an invalid classification or trust level, a duplicate name, a cycle of zone parents or an
// unsupported version is a problem on its line, and costs only the value or entry at fault.
package config

import (
	"fmt"
	"path"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// Name is the analyzer's name: the Format of its facts and the prefix of its element IDs.
const Name = "config"

// Analyzer reads threatls.yaml. It holds no state and is safe for concurrent use.
type Analyzer struct{}

// New returns the threatls.yaml analyzer.
func New() analyzers.Analyzer { return Analyzer{} }

var _ analyzers.Analyzer = Analyzer{}

// Name returns "config".
func (Analyzer) Name() string { return Name }

// Lang returns parse.Plain: the file is decoded by yamlnode.
func (Analyzer) Lang() parse.Lang { return parse.Plain }

// Match reports whether the file is called threatls.yaml or .threatls.yaml, in any
// directory. A document without a path never matches: its language (yaml) does not say
// that it is threatls.yaml.
func (Analyzer) Match(p, _ string) bool {
	switch path.Base(p) {
	case "threatls.yaml", ".threatls.yaml":
		return true
	}
	return false
}

// Comment returns a YAML comment holding text.
func (Analyzer) Comment(text string) string { return "# " + text }

// Fix returns an error wrapping analyzers.ErrNoFix: threatls.yaml is where people declare
// what they know, not what a threat may rewrite.
func (Analyzer) Fix([]byte, *model.Element, model.FixOp) ([]model.TextEdit, error) {
	return nil, fmt.Errorf("config: %w: threatls.yaml is a declaration; edit it by hand", analyzers.ErrNoFix)
}

// Scope returns p: each file links alone.
func (Analyzer) Scope(p string) string { return p }

// Link returns the elements of every file unchanged: each threatls.yaml stands alone.
func (Analyzer) Link(files []*model.FileFacts) []*model.Element {
	return analyzers.FileElements(files, Name)
}

// Extract reads one threatls.yaml: its elements, its problems and its threatls:ignore
// comments. Only the first YAML document is read.
func (Analyzer) Extract(t *parse.Tree, file string) *model.FileFacts {
	ff := &model.FileFacts{File: file, Format: Name}
	if t == nil {
		return ff
	}
	docs, problems := yamlnode.Parse(t.Src, file)
	if len(problems) > 0 {
		// A declaration half typed costs that declaration, not the file's others.
		docs, problems = yamlnode.Salvage(t.Src, file, docs, problems)
	}
	r := &reader{file: file, src: string(t.Src), problems: problems, declared: map[string]model.Span{}, assets: map[string]model.Span{}, flows: map[string]int{}}
	for i := 1; i < len(docs); i++ {
		d := docs[i]
		r.problem(firstLine(r.src, d.Span), "threatls.yaml holds one document; this one is ignored")
	}
	if len(docs) > 0 && docs[0].Root != nil {
		r.root(docs[0].Root)
	}
	ff.Elements = r.elements
	ff.Risks = r.risks
	model.SortElements(ff.Elements)
	ff.Ignores, problems = analyzers.LineIgnores(t.Src, file, []string{"#"}, analyzers.Spans(ff.Elements))
	ff.Problems = append(r.problems, problems...)
	return ff
}

// firstLine returns the first line of sp in src.
func firstLine(src string, sp model.Span) model.Span {
	end := sp.Start.Offset
	for int(end) < len(src) && end < sp.End.Offset && src[end] != '\n' {
		end++
	}
	sp.End = model.Pos{Offset: end, Line: sp.Start.Line, Col: sp.Start.Col + end - sp.Start.Offset}
	return sp
}
