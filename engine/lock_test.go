package engine

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/all"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/knowledge"
)

// matchPanics is a Terraform analyzer of a type that is not comparable (a func in a struct),
// whose Match panics while panics is set.
type matchPanics struct {
	analyzers.Analyzer
	panics func() bool
}

func (m matchPanics) Match(path, languageID string) bool {
	if m.panics() {
		panic("match of " + path)
	}
	return m.Analyzer.Match(path, languageID)
}

// An edit at the top of a document asks which analyzer reads it now, under the workspace's
// lock: an analyzer of a type that cannot be compared is told apart all the same, and one that
// panics there leaves the workspace usable. (Before, the comparison panicked, and the panic
// left the workspace locked: every later call hung.)
func TestAnAnalyzersPanicLeavesTheWorkspace(t *testing.T) {
	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var fail atomic.Bool
	as := all.Analyzers()
	for i, a := range as {
		if a.Name() == "terraform" {
			as[i] = matchPanics{a, fail.Load}
		}
	}
	ws := New(lib, as, nil).Workspace("", DefaultConfig())
	text := "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n"
	if _, err := ws.Open("main.tf", "terraform", 1, []byte(text)); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.Change("main.tf", 2, []parse.Edit{{Start: 0, End: 0, Text: "# top\n"}}); err != nil {
		t.Fatal(err)
	}
	fail.Store(true)
	func() {
		defer func() { recover() }()
		ws.Stage("main.tf", 3, []parse.Edit{{Start: 0, End: 0, Text: "# again\n"}})
	}()
	fail.Store(false)
	done := make(chan struct{})
	go func() {
		defer close(done)
		ws.Change("main.tf", 4, []parse.Edit{{Start: 0, End: 0, Text: "#"}})
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("after an analyzer panicked under the workspace's lock, the next change hung")
	}
	if f := ws.Snapshot().File("main.tf"); f == nil || len(f.Findings) == 0 {
		t.Errorf("the document lost its findings: %+v", f)
	}
}
