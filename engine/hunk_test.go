package engine

import (
	"context"
	"testing"

	"github.com/threatls/threatls/engine/corpus"
	"github.com/threatls/threatls/model"
)

// A fix's preview made from the lines its edits touch is the hunk of the whole file before and
// after them, for every fix of every finding of a generated system (Terraform, manifests,
// compose files, documents).
func TestPreviewIsHunkOfTheFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := corpus.Write(dir, corpus.System(corpus.Spec{Seed: corpus.Seed, Stacks: 1})); err != nil {
		t.Fatal(err)
	}
	e := testEngine(t)
	snap, err := e.Workspace(dir, DefaultConfig()).Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, f := range snap.Findings() {
		for _, fix := range e.Fixes(snap, f) {
			file := fix.Edits[0].File
			var edits []model.TextEdit
			for _, ed := range fix.Edits {
				if ed.File == file {
					edits = append(edits, ed)
				}
			}
			text := snap.File(file).Text
			after, err := ApplyEdits(text, edits)
			if err != nil {
				t.Fatal(err)
			}
			wantDiff, wantLine := Hunk(text, after, 2)
			diff, line, err := hunk(text, edits, 2)
			if err != nil || diff != wantDiff || line != wantLine {
				t.Fatalf("%s %q: from its lines line %d %q (%v), from the file line %d %q", f.ThreatID, fix.Title, line, diff, err, wantLine, wantDiff)
			}
			compared++
		}
	}
	if compared < 100 {
		t.Fatalf("only %d fixes compared: the corpus no longer has what the test needs", compared)
	}
	t.Logf("%d fixes compared", compared)
}
