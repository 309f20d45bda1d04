package actions_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/actions"
	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/model"
)

// elementID maps a job ID written in file to the ID of its element.
func elementID(file, name string) string { return "actions:" + file + "/" + name }

func TestWorkspaces(t *testing.T) {
	analyzertest.Run(t, actions.New(), filepath.Join("testdata", "src"), elementID)
}

func TestMatch(t *testing.T) {
	a := actions.New()
	for p, want := range map[string]bool{
		".github/workflows/ci.yml":           true,
		".github/workflows/ci.yaml":          true,
		"svc/.github/workflows/release.yml":  true,
		".github/workflows/sub/ci.yml":       false,
		".github/workflows/README.md":        false,
		".github/dependabot.yml":             false,
		"workflows/ci.yml":                   false,
		"x.github/workflows/ci.yml":          false,
		".github/actions/lint/action.yml":    false,
		"deploy/.github/workflows/notes.txt": false,
	} {
		if got := a.Match(p, ""); got != want {
			t.Errorf("Match(%q) = %t, want %t", p, got, want)
		}
	}
	if !a.Match("", "github-actions-workflow") || a.Match("", "yaml") {
		t.Error("a document without a path is a workflow by its language identifier only")
	}
}

// TestFlow checks what the harness cannot: the trigger flow's ends.
func TestFlow(t *testing.T) {
	facts, _ := analyzertest.Workspace(t, actions.New(), filepath.Join("testdata", "src", "pwn"))
	els := actions.New().Link(facts)
	var found bool
	for _, e := range els {
		if e.ID == "actions:.github/workflows/pr.yml/build/trigger" {
			found = true
			if e.From != model.Internet || e.To != "actions:.github/workflows/pr.yml/build" {
				t.Errorf("trigger flow goes %s -> %s", e.From, e.To)
			}
		}
	}
	if !found {
		t.Error("no trigger flow for build")
	}
}

func TestLink(t *testing.T) {
	analyzertest.LinkKeeps(t, actions.New(), filepath.Join("testdata", "src", "pwn"))
}

// TestFix runs the fix named in the first line of each testdata/fix/*.yml (`# fix: JOB {op}`)
// on that job and compares the result with the .golden file; the job must still be there.
func TestFix(t *testing.T) {
	a := actions.New()
	job := func(t *testing.T, src []byte, id string) *model.Element {
		t.Helper()
		for _, e := range analyzertest.Extract(t, a, ".github/workflows/ci.yml", src).Elements {
			if e.ID == "actions:.github/workflows/ci.yml/"+id {
				return e
			}
		}
		t.Fatalf("no job %s", id)
		return nil
	}
	for _, c := range analyzertest.FixCases(t, filepath.Join("testdata", "fix", "*.yml")) {
		t.Run(filepath.Base(c.Path), func(t *testing.T) {
			edits, err := a.Fix(c.Src, job(t, c.Src, c.Element), c.Op)
			if err != nil {
				t.Fatal(err)
			}
			got := analyzertest.Apply(t, c.Src, edits)
			analyzertest.Golden(t, c.Path, got)
			job(t, got, c.Element)
		})
	}
	src := []byte("on: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps: [{run: make}]\n")
	el := job(t, src, "test")
	if _, err := a.Fix(src, el, model.FixOp{Op: "append", Text: "x"}); !errors.Is(err, analyzers.ErrNoFix) {
		t.Errorf("append: %v, want ErrNoFix", err)
	}
	if _, err := a.Fix(src, el, model.FixOp{Op: "set", Path: "steps[uses=actions/checkout@*].with.persist-credentials", Value: "false"}); err == nil {
		t.Error("set on a step that is not there: no error")
	}
}

func FuzzExtract(f *testing.F) {
	analyzertest.Seeds(f, filepath.Join("testdata", "src", "*", ".github", "workflows", "*.y*ml"))
	a := actions.New()
	f.Fuzz(func(t *testing.T, src []byte) {
		ff := analyzertest.Extract(t, a, ".github/workflows/ci.yml", src)
		analyzertest.Inside(t, src, ff, a.Link([]*model.FileFacts{ff}))
	})
}
