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
	e, snap := systemSnapshot(t)
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

// The edit of a fix of one operation, made from the bytes its edits span, makes the text that
// the analyzer's edits make, for every such fix of every finding of a generated system.
func TestSpannedEditIsTheFix(t *testing.T) {
	e, snap := systemSnapshot(t)
	compared := 0
	for _, f := range snap.Findings() {
		el := snap.Element(f.Element)
		if el == nil {
			continue
		}
		src := snap.File(el.Span.File)
		if src == nil || src.analyzer == nil {
			continue
		}
		for _, m := range e.lib.FixOps(f.ThreatID, el) {
			if len(m.Ops) != 1 {
				continue
			}
			edits, err := src.analyzer.Fix(src.Text, el, m.Ops[0])
			if err != nil || len(edits) == 0 {
				continue
			}
			want, err := ApplyEdits(src.Text, edits)
			if err != nil {
				t.Fatal(err)
			}
			ed, err := spannedEdit(src.Path, src.Text, edits)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ApplyEdits(src.Text, []model.TextEdit{ed})
			if err != nil || string(got) != string(want) {
				t.Fatalf("%s %q: the spanned edit %+v makes another text (%v)", f.ThreatID, m.Title, ed, err)
			}
			if whole := minimalEdit(src.Path, src.Text, want); ed.End-ed.Start > whole.End-whole.Start || len(ed.NewText) > len(whole.NewText) {
				t.Errorf("%s %q: the spanned edit %+v is larger than the whole texts' %+v", f.ThreatID, m.Title, ed, whole)
			}
			compared++
		}
	}
	if compared < 50 {
		t.Fatalf("only %d fixes compared: the corpus no longer has what the test needs", compared)
	}
	t.Logf("%d fixes compared", compared)
}

// systemSnapshot loads a generated system (Terraform, manifests, compose files, documents).
func systemSnapshot(t *testing.T) (*Engine, *Snapshot) {
	t.Helper()
	dir := t.TempDir()
	if _, err := corpus.Write(dir, corpus.System(corpus.Spec{Seed: corpus.Seed, Stacks: 1})); err != nil {
		t.Fatal(err)
	}
	e := testEngine(t)
	snap, err := e.Workspace(dir, DefaultConfig()).Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return e, snap
}

// A mitigation of several operations carried out on the lines of its element alone makes the
// edit that carrying it out on the whole file makes, for every such mitigation of every
// element of a generated Terraform estate.
func TestFixInLinesIsFixInFile(t *testing.T) {
	text, _ := corpus.LargeFile(corpus.Seed, 12000)
	e := testEngine(t)
	ws := e.Workspace("", DefaultConfig())
	if _, err := ws.Open("main.tf", "terraform", 1, text); err != nil {
		t.Fatal(err)
	}
	snap := ws.Snapshot()
	a := snap.File("main.tf").analyzer
	compared := 0
	for _, el := range snap.Graph().Elements() {
		if el.Span.File != "main.tf" {
			continue
		}
		for _, th := range e.lib.Threats() {
			for _, m := range e.lib.FixOps(th.ID, el) {
				if len(m.Ops) < 2 {
					continue
				}
				fixed, err := e.applyOps(a, text, el, m.Ops)
				if err != nil {
					continue
				}
				want := minimalEdit("main.tf", text, fixed)
				got, ok := e.fixInLines(a, "main.tf", text, el, m.Ops)
				if !ok {
					t.Errorf("%s %q: not carried out on its lines", el.Name, m.Title)
					continue
				}
				after, err := ApplyEdits(text, []model.TextEdit{got})
				if err != nil || string(after) != string(fixed) {
					t.Errorf("%s %q: on its lines %+v, on the file %+v", el.Name, m.Title, got, want)
				}
				compared++
			}
		}
	}
	if compared < 10 {
		t.Fatalf("only %d mitigations of several operations compared: the estate no longer has what the test needs", compared)
	}
	t.Logf("%d mitigations of several operations compared", compared)
}
