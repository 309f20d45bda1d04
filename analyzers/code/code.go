// Package code reads application source — Go, Python, JavaScript, TypeScript, Java and C# —
// into the model: each service as a component (its code directory, which fuses with the
// Dockerfile that builds it and the manifests that run it), its entry points (routes, RPC
// services, MCP tools) with whether authentication applies, its outbound calls (HTTP, gRPC,
// databases, caches, queues, cloud SDKs, model providers) as flows, the configuration it
// reads, and the security controls its code sets (TLS verification, CORS, CSRF, security
// headers).
//
// What a call means is data, not code: per language, packs/<language>/ holds lang.yaml (how
// the language is written: its grammars and the node kinds of strings, calls, members…),
// base.scm (a tree-sitter query selecting imports, calls, annotations, assignments, reads,
// keyword settings and classes) and packs of rows keyed by qualified name, one file per
// concern, with optional query patterns of their own (docs/code.md). One engine serves
// every language: it resolves imports and assignments enough to qualify a callee
// (`import requests as r`, Go import paths, require(), Java imports, C# usings, the type a
// variable was assigned or declared with), finds its row, and evaluates the arguments the
// row names (strings, concatenations, template strings, environment reads, constants).
//
// Each grammar is an Analyzer of its own (go, python, javascript, typescript, tsx, java,
// csharp), all made by Analyzers from the same packs. Extract reads a file into Raw facts;
// Link groups the files of the format into services (a directory holding a program entry
// point or a server, found by the language's rules) and makes the elements.
package code

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// Analyzer reads the files of one grammar of a language.
type Analyzer struct {
	l   *Language
	g   Grammar
	err error

	mu sync.Mutex
	// made is what the last Link made of each service, by root; actors the actors it
	// returned. builds counts the services made (not taken from made).
	made   map[string]*made
	actors []*model.Element
	builds int
}

// Clone returns an analyzer of the same grammar with nothing linked yet: each workspace keeps
// what its own Links made.
func (a *Analyzer) Clone() analyzers.Analyzer { return &Analyzer{l: a.l, g: a.g, err: a.err} }

var (
	loadOnce  sync.Once
	languages []*Language
	loadErr   error
)

// Languages returns the languages of the embedded packs. An error is a defect of the packs:
// a test loads them.
func Languages() ([]*Language, error) {
	loadOnce.Do(func() { languages, loadErr = loadLanguages(packsFS) })
	return languages, loadErr
}

// Analyzers returns one analyzer per grammar of every language, in a fixed order. When the
// packs do not load, the analyzers still match their files and report why they cannot read
// them.
func Analyzers() []analyzers.Analyzer {
	ls, err := Languages()
	var out []analyzers.Analyzer
	if err != nil {
		for _, g := range fallbackGrammars {
			out = append(out, &Analyzer{l: &Language{Name: g.Format}, g: g, err: err})
		}
		return out
	}
	for _, l := range ls {
		for _, g := range l.Grammars {
			out = append(out, &Analyzer{l: l, g: g})
		}
	}
	return out
}

// fallbackGrammars are the analyzers made when the packs do not load.
var fallbackGrammars = []Grammar{
	{parse.Go, "go", []string{".go"}}, {parse.Python, "python", []string{".py"}},
	{parse.JavaScript, "javascript", []string{".js", ".jsx", ".mjs", ".cjs"}},
	{parse.TypeScript, "typescript", []string{".ts", ".mts", ".cts"}}, {parse.TSX, "tsx", []string{".tsx"}},
	{parse.Java, "java", []string{".java"}}, {parse.CSharp, "csharp", []string{".cs"}},
}

// Name is the format's name: element IDs start with it.
func (a *Analyzer) Name() string { return a.g.Format }

// Lang is the grammar the files are parsed with.
func (a *Analyzer) Lang() parse.Lang { return a.g.Lang }

// Language returns the language the analyzer reads.
func (a *Analyzer) Language() *Language { return a.l }

// languageIDs are the editors' language identifiers of each format.
var languageIDs = map[string][]string{
	"go": {"go"}, "python": {"python"}, "javascript": {"javascript", "javascriptreact"},
	"typescript": {"typescript"}, "tsx": {"typescriptreact"}, "java": {"java"}, "csharp": {"csharp"},
}

// Match reads source files of the grammar's extensions, except test files (a test's client
// calls and routes are not the service's).
func (a *Analyzer) Match(p, languageID string) bool {
	if languageID != "" && !strings.Contains(p, "/") && !strings.Contains(p, ".") {
		for _, id := range languageIDs[a.g.Format] {
			if id == languageID {
				return true
			}
		}
		return false
	}
	ok := false
	ext := path.Ext(p)
	for _, e := range a.g.Extensions {
		if ext == e {
			ok = true
			break
		}
	}
	if !ok && languageID != "" {
		for _, id := range languageIDs[a.g.Format] {
			ok = ok || id == languageID
		}
	}
	if !ok {
		return false
	}
	for _, re := range a.l.tests {
		if re.MatchString(p) {
			return false
		}
	}
	return true
}

// Extract reads one file into Raw facts. A generated or minified file is not read: its
// problem says why.
func (a *Analyzer) Extract(t *parse.Tree, file string) *model.FileFacts {
	ff := &model.FileFacts{File: file, Format: a.Name()}
	if a.err != nil {
		ff.Raw = &Raw{Language: a.l.Name}
		ff.Problems = []model.Problem{{Span: model.Span{File: file}, Message: "not analysed: the code packs do not load: " + a.err.Error()}}
		return ff
	}
	if reason := analyzers.SkipReason(file, t.Src); reason != "" {
		ff.Raw = &Raw{Language: a.l.Name}
		ff.Problems = []model.Problem{{Span: model.Span{File: file}, Message: "not analysed: " + reason}}
		return ff
	}
	raw, problems, _ := a.extract(context.Background(), t, file)
	ff.Raw = raw
	ff.Problems = problems
	var defs []model.Span
	for _, e := range raw.Entries {
		defs = append(defs, e.Span)
	}
	for _, fl := range raw.Flows {
		defs = append(defs, fl.Span)
	}
	if raw.Main != nil {
		defs = append(defs, *raw.Main)
	}
	for _, s := range raw.Servers {
		defs = append(defs, s.Span)
	}
	sort.Slice(defs, func(i, j int) bool { return defs[i].Start.Offset < defs[j].Start.Offset })
	igs, ps := analyzers.LineIgnores(t.Src, file, []string{a.l.Comment}, defs)
	ff.Ignores = igs
	ff.Problems = append(ff.Problems, ps...)
	return ff
}

// Fix carries out the mechanical fix of a code site: `replace fix` applies the edits its
// `fix` attribute holds (computed by Extract from the row's fix: a parameterised query,
// yaml.safe_load, verify=True, pinned JWT algorithms…). A site without one gets no edit.
func (a *Analyzer) Fix(src []byte, el *model.Element, op model.FixOp) ([]model.TextEdit, error) {
	if op.Op != "replace" || op.Path != "fix" {
		return nil, fmt.Errorf("%s fix %s: %w for %s %s", a.Name(), el.Name, analyzers.ErrNoFix, op.Op, op.Path)
	}
	at, ok := el.Attrs.Get("fix")
	if !ok {
		return nil, nil
	}
	list, _ := at.Value.([]any)
	var out []model.TextEdit
	for _, x := range list {
		m, _ := x.(map[string]any)
		start, _ := m["start"].(int64)
		end, _ := m["end"].(int64)
		text, _ := m["text"].(string)
		if start < 0 || end < start || int(end) > len(src) {
			return nil, fmt.Errorf("%s fix %s: an edit [%d,%d) outside the %d-byte file", a.Name(), el.Name, start, end, len(src))
		}
		out = append(out, model.TextEdit{File: el.Span.File, Start: int(start), End: int(end), NewText: text})
	}
	return out, nil
}

// Comment returns a line comment in the language's syntax.
func (a *Analyzer) Comment(text string) string { return a.l.Comment + " " + text }

// Compile compiles the analyzer's query, as the first Extract does: a test calls it to find
// a pattern the grammar does not know.
func (a *Analyzer) Compile() error {
	if a.err != nil {
		return a.err
	}
	_, err := a.l.compiled(a.g.Lang)
	return err
}
