// Package analyzertest checks an analyzer against expectations written in its testdata, in
// comments on the line they concern — the facts an extractor emits, in the style of
// analysistest.
package analyzertest

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// Expectations live in the testdata files, in comments (#, //, <!-- -->, %%), on the line
// they concern:
//
//	want-element NAME KIND            an element (one-to-one: every element must be wanted)
//	want-attr NAME attr=VALUE(ORIGIN) an attribute whose span starts on this line; VALUE is
//	                                  compact JSON, or ? for unknown; several pairs may follow
//	want-problem "REGEXP"             a problem starting on this line (one-to-one)
//	want-ignore ID [until=DATE] [reason="TEXT"]
//	                                  an ignore whose target starts on this line (one-to-one)
//
// NAME is an address in the module of the file holding the comment (or an ID: a colon before
// its first slash), in double quotes when it holds spaces.
// Several directives may share a comment; a comment marker ends them (a finding's `want "ID"`
// of package enginetest may follow on the line). A directive written want-attr:-N (or :+N) concerns
// the line N lines above (below) the comment, for lines that cannot hold one (a heredoc's).

// Extract parses src with a's grammar and extracts it as the file rel.
func Extract(t testing.TB, a analyzers.Analyzer, rel string, src []byte) *model.FileFacts {
	t.Helper()
	tr, err := parse.Parse(context.Background(), a.Lang(), src)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	return a.Extract(tr, rel)
}

// Workspace extracts every file under root that a matches, with paths relative to root, and
// returns the facts (sorted by file) and the sources.
func Workspace(t testing.TB, a analyzers.Analyzer, root string) ([]*model.FileFacts, map[string][]byte) {
	t.Helper()
	var facts []*model.FileFacts
	srcs := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if !a.Match(rel, "") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		srcs[rel] = src
		facts = append(facts, Extract(t, a, rel, src))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return facts, srcs
}

type want struct {
	file string
	line int // zero-based
	verb string
	args []string
	used bool
}

func (w *want) String() string {
	return fmt.Sprintf("%s:%d: %s %s", w.file, w.line+1, w.verb, strings.Join(w.args, " "))
}

var commentRE = regexp.MustCompile(`(?:#|//|<!--|%%)\s*(want-.*?)\s*(?:-->)?$`)

// tokens splits s on spaces, keeping quoted strings whole.
func tokens(s string) []string {
	var out []string
	var cur strings.Builder
	inQ := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\\' && inQ && i+1 < len(s):
			cur.WriteByte(ch)
			i++
			cur.WriteByte(s[i])
		case ch == '"':
			inQ = !inQ
			cur.WriteByte(ch)
		case ch == ' ' && !inQ:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteByte(ch)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func parseWants(srcs map[string][]byte) []*want {
	var out []*want
	files := make([]string, 0, len(srcs))
	for f := range srcs {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		for i, l := range strings.Split(string(srcs[f]), "\n") {
			m := commentRE.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			var w *want
			for _, tok := range tokens(m[1]) {
				if tok == "#" || tok == "//" {
					w = nil // another comment: the engine's `want "ID"`, not a directive's argument
					continue
				}
				if w == nil && !strings.HasPrefix(tok, "want-") {
					continue
				}
				if strings.HasPrefix(tok, "want-") {
					w = &want{file: f, line: i, verb: tok}
					if v, off, ok := strings.Cut(tok, ":"); ok {
						n, err := strconv.Atoi(off)
						if err != nil {
							panic(fmt.Sprintf("%s:%d: bad line offset %q", f, i+1, off))
						}
						w.verb, w.line = v, i+n
					}
					out = append(out, w)
					continue
				}
				w.args = append(w.args, tok)
			}
		}
	}
	return out
}

func render(a model.Attr) string {
	if a.Origin == model.Unknown {
		return "?(unknown)"
	}
	b, _ := json.Marshal(a.Value)
	return string(b) + "(" + a.Origin.String() + ")"
}

var pairRE = regexp.MustCompile(`^([a-z_0-9]+)=(.*)$`)

// Check extracts and links the workspace at root with a and checks it against its inline
// expectations. id maps a NAME of a directive, written in file, to an element ID; a NAME with
// a colon is an ID already.
func Check(t *testing.T, a analyzers.Analyzer, root string, id func(file, name string) string) {
	t.Helper()
	elementID := func(file, name string) string {
		name = strings.Trim(name, `"`)
		if head, _, _ := strings.Cut(name, "/"); strings.Contains(head, ":") {
			return name
		}
		return id(file, name)
	}
	facts, srcs := Workspace(t, a, root)
	els := a.Link(facts)
	byID := map[string]*model.Element{}
	for _, e := range els {
		if _, dup := byID[e.ID]; dup {
			t.Errorf("duplicate element ID %s", e.ID)
		}
		byID[e.ID] = e
		for n, a := range e.Attrs.All() {
			switch a.Value.(type) {
			case nil, bool, int64, string, []any, map[string]any:
			default:
				t.Errorf("%s: %s has a value of type %T", e.ID, n, a.Value)
			}
			if a.Span.IsZero() {
				t.Errorf("%s: %s has no span", e.ID, n)
			}
		}
	}
	var problems []model.Problem
	var ignores []model.Ignore
	for _, f := range facts {
		problems = append(problems, f.Problems...)
		ignores = append(ignores, f.Ignores...)
	}
	wantedEl := map[string]bool{}
	usedProblem := make([]bool, len(problems))
	usedIgnore := make([]bool, len(ignores))
	for _, w := range parseWants(srcs) {
		if modelVerbs[w.verb] {
			continue // CheckModel's
		}
		switch w.verb {
		case "want-element":
			if len(w.args) != 2 {
				t.Errorf("%s: want NAME KIND", w)
				continue
			}
			id := elementID(w.file, w.args[0])
			wantedEl[id] = true
			e := byID[id]
			if e == nil {
				t.Errorf("%s: no element %s", w, id)
			} else if string(e.Kind) != w.args[1] {
				t.Errorf("%s: element %s is a %s", w, id, e.Kind)
			}
		case "want-attr":
			if len(w.args) < 2 {
				t.Errorf("%s: want NAME attr=value(origin)...", w)
				continue
			}
			id := elementID(w.file, w.args[0])
			e := byID[id]
			if e == nil {
				t.Errorf("%s: no element %s", w, id)
				continue
			}
			for _, p := range w.args[1:] {
				m := pairRE.FindStringSubmatch(p)
				if m == nil {
					t.Errorf("%s: bad pair %q", w, p)
					continue
				}
				a, ok := e.Attrs.Get(m[1])
				if !ok {
					t.Errorf("%s: %s has no attribute %s", w, e.Name, m[1])
					continue
				}
				if got := render(a); got != m[2] {
					t.Errorf("%s: %s.%s = %s, want %s (note %q)", w, e.Name, m[1], got, m[2], a.Note)
				}
				if a.Span.File != w.file || int(a.Span.Start.Line) != w.line {
					t.Errorf("%s: %s.%s spans %s, want this line", w, e.Name, m[1], a.Span)
				}
			}
		case "want-problem":
			re := regexp.MustCompile(strings.Trim(strings.Join(w.args, " "), `"`))
			found := false
			for i, p := range problems {
				if !usedProblem[i] && p.Span.File == w.file && int(p.Span.Start.Line) == w.line && re.MatchString(p.Message) {
					usedProblem[i], found = true, true
					break
				}
			}
			if !found {
				t.Errorf("%s: no such problem", w)
			}
		case "want-ignore":
			if len(w.args) < 1 {
				t.Errorf("%s: want ID", w)
				continue
			}
			until, reason := "", ""
			for _, a := range w.args[1:] {
				if v, ok := strings.CutPrefix(a, "until="); ok {
					until = v
				} else if v, ok := strings.CutPrefix(a, "reason="); ok {
					reason = strings.Trim(v, `"`)
				}
			}
			found := false
			for i, ig := range ignores {
				if !usedIgnore[i] && ig.Target.File == w.file && int(ig.Target.Start.Line) == w.line && ig.ThreatID == w.args[0] {
					usedIgnore[i], found = true, true
					if ig.Until != until || ig.Reason != reason {
						t.Errorf("%s: got until=%q reason=%q", w, ig.Until, ig.Reason)
					}
					break
				}
			}
			if !found {
				t.Errorf("%s: no such ignore", w)
			}
		default:
			t.Errorf("%s: unknown directive", w)
		}
	}
	for _, e := range els {
		if !wantedEl[e.ID] {
			t.Errorf("%s: unexpected element %s (%s)", e.Span, e.ID, e.Kind)
		}
	}
	for i, p := range problems {
		if !usedProblem[i] {
			t.Errorf("%s: unexpected problem %q", p.Span, p.Message)
		}
	}
	for i, ig := range ignores {
		if !usedIgnore[i] {
			t.Errorf("%s: unexpected ignore %s (target %s)", ig.Span, ig.ThreatID, ig.Target)
		}
	}
}

// Run checks every directory under dir (usually testdata/src) as a workspace of its own.
func Run(t *testing.T, a analyzers.Analyzer, dir string, id func(file, name string) string) {
	dirs, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if d.IsDir() {
			t.Run(d.Name(), func(t *testing.T) { Check(t, a, filepath.Join(dir, d.Name()), id) })
		}
	}
}
