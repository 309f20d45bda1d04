package actions_test

import (
	"path/filepath"
	"testing"

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

func TestFix(t *testing.T) {
	analyzertest.NoFix(t, actions.New(), nil, &model.Element{ID: "actions:.github/workflows/ci.yml/test", Name: "CI/test"})
}

func FuzzExtract(f *testing.F) {
	analyzertest.Seeds(f, filepath.Join("testdata", "src", "*", ".github", "workflows", "*.y*ml"))
	a := actions.New()
	f.Fuzz(func(t *testing.T, src []byte) {
		ff := analyzertest.Extract(t, a, ".github/workflows/ci.yml", src)
		analyzertest.Inside(t, src, ff, a.Link([]*model.FileFacts{ff}))
	})
}
