package code

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/code/codetest"
	"github.com/threatls/threatls/model"
)

// An edit of one file of a service makes that service's elements again, and takes every other
// service's from the last Link: a keystroke in a repository of 10,000 source files linked all of
// the language's (315 ms, BenchmarkCodeEdit). What it returns is what a fresh analyzer's Link
// of the same facts returns.
func TestLinkMakesTheEditedService(t *testing.T) {
	dir := t.TempDir()
	paths, err := codetest.Repository(dir, 1, 200, 40)
	if err != nil {
		t.Fatal(err)
	}
	a := goAnalyzer(t)
	var facts []*model.FileFacts
	texts := map[string][]byte{}
	for _, p := range paths {
		if filepath.Ext(p) != ".go" {
			continue
		}
		text, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		p = filepath.ToSlash(p)
		texts[p] = text
		facts = append(facts, analyzertest.Extract(t, a, p, text))
	}
	first := a.Link(facts)
	services := a.builds
	if services < 2 {
		t.Fatalf("%d Go services in the repository: the test needs several", services)
	}
	edited := facts[0].File
	text := bytes.Replace(texts[edited], []byte(`r.Run(":8080")`), []byte(`r.RunTLS(":8443", "cert.pem", "key.pem")`), 1)
	if bytes.Equal(text, texts[edited]) {
		t.Fatalf("%s starts no server to edit", edited)
	}
	facts[0] = analyzertest.Extract(t, a, edited, text)
	got := a.Link(facts)
	if n := a.builds - services; n != 1 {
		t.Errorf("an edit of %s made %d services again, want 1", edited, n)
	}
	fresh := goAnalyzer(t).Link(facts)
	if len(got) != len(fresh) {
		t.Fatalf("%d elements, a fresh analyzer's Link %d", len(got), len(fresh))
	}
	kept := 0
	old := map[*model.Element]bool{}
	for _, e := range first {
		old[e] = true
	}
	for i := range got {
		if !model.Equal(got[i], fresh[i]) {
			t.Fatalf("%s differs from a fresh Link's", got[i].ID)
		}
		if old[got[i]] {
			kept++
		} else if !strings.HasPrefix(got[i].Span.File, filepath.ToSlash(filepath.Dir(filepath.Dir(edited)))) && !strings.HasPrefix(got[i].ID, "actor:") {
			t.Errorf("%s of another service is a new element", got[i].ID)
		}
	}
	if kept == 0 {
		t.Error("no element of the last Link was kept")
	}
}

// goAnalyzer returns a new analyzer of Go files.
func goAnalyzer(t *testing.T) *Analyzer {
	t.Helper()
	for _, x := range Analyzers() {
		if x.Name() == "go" {
			return x.(*Analyzer)
		}
	}
	t.Fatal("no Go analyzer")
	return nil
}

// A workspace links with a clone of the analyzer: what another's Links made is not its own.
func TestCloneLinksAlone(t *testing.T) {
	a := goAnalyzer(t)
	facts := []*model.FileFacts{analyzertest.Extract(t, a, "svc/main.go", []byte("package main\n\nimport \"net/http\"\n\nfunc main() {\n\thttp.ListenAndServe(\":8080\", nil)\n}\n"))}
	a.Link(facts)
	if len(a.made) == 0 {
		t.Fatal("the Link made no service: nothing to test")
	}
	if n := len(a.Clone().(*Analyzer).made); n != 0 {
		t.Errorf("a clone holds %d services made by the analyzer it was made from", n)
	}
}
