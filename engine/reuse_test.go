package engine_test

import (
	"bytes"
	"math/rand"
	"regexp"
	"testing"

	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/engine/corpus"
)

// Typing in a module large enough for Terraform's Link to take its last elements over when an
// edit changes nothing a build read (a description, a comment, a blank line) gives the
// snapshot a fresh open of the same text gives: every finding and element, where it now is.
func TestTypingInALargeModuleIsFresh(t *testing.T) {
	text, _ := corpus.LargeFile(corpusSeed, 20000)
	const key = "monolith/main.tf"
	eng := newEngine(t)
	ws := eng.Workspace("", engine.DefaultConfig())
	if _, err := ws.Open(key, "terraform", 1, text); err != nil {
		t.Fatal(err)
	}
	// Where a person types without breaking the file: a letter in a description or a
	// comment, a line break in a blank line.
	places := []struct {
		at   *regexp.Regexp
		text string
	}{{regexp.MustCompile(`description = "`), "d"}, {regexp.MustCompile(`# `), "c"}, {regexp.MustCompile(`\n\n`), "\n"}}
	rng := rand.New(rand.NewSource(3))
	for i := range 12 {
		pl := places[i%len(places)]
		ps := pl.at.FindAllIndex(text, -1)
		if len(ps) == 0 {
			t.Fatalf("the file has no %s", pl.at)
		}
		p := ps[rng.Intn(len(ps))][1]
		if pl.text == "\n" {
			p--
		}
		e := parse.Edit{Start: p, End: p, Text: pl.text}
		snap, err := ws.Change(key, int32(i+2), []parse.Edit{e})
		if err != nil {
			t.Fatal(err)
		}
		if text, err = e.Apply(text); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(snap.File(key).Text, text) {
			t.Fatalf("edit %d: the workspace's text is not the edited text", i)
		}
		fresh, err := newEngine(t).Workspace("", engine.DefaultConfig()).Open(key, "terraform", 1, text)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffSnapshots(snap, fresh); d != "" {
			t.Fatalf("edit %d (%q at %d) differs from a fresh open:\n%s", i, e.Text, e.Start, d)
		}
	}
}
