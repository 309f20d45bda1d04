package analyzertest

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// Expectations on the model that every analyzer's elements make together, for analyzers
// whose elements fuse with other formats' (code with the Dockerfile and the manifests that
// run it), checked by CheckModel:
//
//	want-flow FROM -> TO [attr=VALUE(ORIGIN)…]
//	                       a flow of the model one of whose members (of the checked
//	                       formats) starts on this line, from the element called FROM to
//	                       the element called TO (a name or an ID); one-to-one over the
//	                       flows with a member of the checked formats
//	want-members ID…       the element of the model that fuses the element of the checked
//	                       formats whose definition starts on this line has exactly these
//	                       members (its own included)
//
// Check ignores these directives, and CheckModel the others.

// modelVerbs are the directives CheckModel reads.
var modelVerbs = map[string]bool{"want-flow": true, "want-members": true}

// Model reads every file under root with the first of as that matches it, links each
// analyzer's files and builds the model. It returns the graph and the sources read.
func Model(t testing.TB, as []analyzers.Analyzer, root string) (*model.Graph, map[string][]byte, map[string][]*model.FileFacts) {
	t.Helper()
	srcs := map[string][]byte{}
	byFormat := map[string][]*model.FileFacts{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		for _, a := range as {
			if !a.Match(rel, "") {
				continue
			}
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			srcs[rel] = src
			tr, err := parse.Parse(context.Background(), a.Lang(), src)
			if err != nil {
				return err
			}
			byFormat[a.Name()] = append(byFormat[a.Name()], a.Extract(tr, rel))
			tr.Close()
			break
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var els []*model.Element
	for _, a := range as {
		if fs := byFormat[a.Name()]; len(fs) > 0 {
			els = append(els, a.Link(fs)...)
		}
	}
	return model.NewGraph(els), srcs, byFormat
}

// CheckModel builds the model of the workspace at root with every analyzer of as and checks
// the want-flow and want-members directives of the files of the formats named.
func CheckModel(t *testing.T, as []analyzers.Analyzer, root string, formats ...string) {
	t.Helper()
	g, srcs, _ := Model(t, as, root)
	checked := map[string]bool{}
	for _, f := range formats {
		checked[f] = true
	}
	ours := func(id string) bool { return checked[model.Format(id)] }
	// Every element of the graph, and the members it fused, by ID.
	owner := map[string]*model.Element{}
	var flows []*model.Element
	for _, e := range g.Elements() {
		owner[e.ID] = e
		for _, m := range e.Members {
			owner[m] = e
		}
		if e.Kind == model.Flow {
			flows = append(flows, e)
		}
	}
	// The definition of each member of the checked formats, from the raw elements: Build
	// keeps only the fused element's own span, and Sources for nodes.
	memberAt := map[string]model.Span{}
	for _, e := range g.Elements() {
		if ours(e.ID) {
			memberAt[e.ID] = e.Span
		}
		for i, m := range e.Members {
			if ours(m) && i < len(e.Sources) {
				memberAt[m] = e.Sources[i]
			}
		}
	}
	name := func(id string) string {
		if e := g.Element(id); e != nil {
			return e.Name
		}
		return id
	}
	matches := func(want, id string) bool {
		want = strings.Trim(want, `"`)
		e := g.Element(id)
		return want == id || e != nil && (want == e.Name || contains(e.Members, want))
	}
	used := map[*model.Element]bool{}
	for _, w := range parseWants(srcs) {
		if !modelVerbs[w.verb] {
			continue
		}
		switch w.verb {
		case "want-flow":
			if len(w.args) < 3 || w.args[1] != "->" {
				t.Errorf("%s: want FROM -> TO", w)
				continue
			}
			var found *model.Element
			for _, f := range flows {
				if used[f] || !matches(w.args[0], f.From) || !matches(w.args[2], f.To) {
					continue
				}
				if f.Span.File == w.file && int(f.Span.Start.Line) == w.line && ours(f.ID) || memberOn(f, w, ours, memberAt) {
					found = f
					break
				}
			}
			if found == nil {
				var near []string
				for _, f := range flows {
					if f.Span.File == w.file && int(f.Span.Start.Line) == w.line || memberOn(f, w, ours, memberAt) {
						near = append(near, name(f.From)+" -> "+name(f.To))
					}
				}
				t.Errorf("%s: no such flow (flows here: %v)", w, near)
				continue
			}
			used[found] = true
			for _, p := range w.args[3:] {
				m := pairRE.FindStringSubmatch(p)
				if m == nil {
					t.Errorf("%s: bad pair %q", w, p)
					continue
				}
				a, ok := found.Attrs.Get(m[1])
				if !ok {
					t.Errorf("%s: %s has no attribute %s", w, found.ID, m[1])
					continue
				}
				if got := render(a); got != m[2] {
					t.Errorf("%s: %s.%s = %s, want %s (note %q)", w, found.ID, m[1], got, m[2], a.Note)
				}
			}
		case "want-members":
			var el *model.Element
			for id, sp := range memberAt {
				if sp.File == w.file && int(sp.Start.Line) == w.line {
					if o := owner[id]; o != nil && o.Kind != model.Flow {
						el = o
						break
					}
				}
			}
			if el == nil {
				t.Errorf("%s: no element of %v starts here", w, formats)
				continue
			}
			got := append([]string(nil), el.Members...)
			if len(got) == 0 {
				got = []string{el.ID}
			}
			want := append([]string(nil), w.args...)
			sort.Strings(got)
			sort.Strings(want)
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("%s: %s has members %v", w, el.ID, got)
			}
		}
	}
	for _, f := range flows {
		if used[f] {
			continue
		}
		mine := ours(f.ID)
		for _, m := range f.Members {
			mine = mine || ours(m)
		}
		if mine {
			t.Errorf("%s: unexpected flow %s: %s -> %s", f.Span, f.ID, name(f.From), name(f.To))
		}
	}
}

// memberOn reports whether a member of f of the checked formats starts on w's line.
func memberOn(f *model.Element, w *want, ours func(string) bool, memberAt map[string]model.Span) bool {
	for _, m := range f.Members {
		if sp, ok := memberAt[m]; ok && ours(m) && sp.File == w.file && int(sp.Start.Line) == w.line {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
