package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/all"
	"github.com/threatls/threatls/analyzers/kubernetes"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/analyzers/terraform"
	"github.com/threatls/threatls/engine/corpus"
	"github.com/threatls/threatls/knowledge"
)

// testEngine returns an engine of the built-in library and every analyzer.
func testEngine(t *testing.T) *Engine {
	t.Helper()
	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return New(lib, all.Analyzers(), nil)
}

// lowBudget writes files into a new directory and returns a workspace of it, not loaded yet,
// whose syntax budget (16 KB) is far less than its source: most files are let go.
func lowBudget(t *testing.T, files []corpus.File) (*Workspace, string) {
	t.Helper()
	dir := t.TempDir()
	if _, err := corpus.Write(dir, files); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.SyntaxBudget = 16 << 10
	return testEngine(t).Workspace(dir, cfg), dir
}

// warmSyntax counts the files of format ("": any) that keep their syntax and those that let
// it go, and the source of those that keep it.
func warmSyntax(ws *Workspace, format string) (warm, cold int, source int64) {
	for key, f := range ws.st.facts {
		switch {
		case format != "" && f.Format != format:
		case f.Warm():
			warm++
			source += int64(len(ws.st.states[key].text))
		default:
			cold++
		}
	}
	return warm, cold, source
}

// The syntax of closed Terraform files is let go beyond the budget once they are linked, and
// extracted again when an edit links their module again; the files an editor holds keep
// theirs. (The model the workspace keeps is the same either way: TestIncrementalIsFresh
// runs with no syntax kept.)
func TestSyntaxIsLetGo(t *testing.T) {
	ws, dir := lowBudget(t, corpus.Scale(128, false))
	snap, err := ws.Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	warm, cold, source := warmSyntax(ws, "terraform")
	// The budget is never below the largest unit linked (a stack of 32 files here).
	if limit := max(16<<10, ws.st.warm.floor); cold == 0 || int64(source) > limit || ws.st.warm.floor > 200<<10 {
		t.Fatalf("after loading: %d Terraform files keep their syntax (%d bytes of source, budget %d, largest unit %d), %d let it go",
			warm, source, 16<<10, ws.st.warm.floor, cold)
	}

	// An edit of a module links its stack again: the stack's syntax is extracted again,
	// and the edit's effect is there.
	var key string
	for _, k := range snap.Files() {
		if filepath.Base(k) == "main.tf" && filepath.Base(filepath.Dir(k)) == "compute" {
			key = k
			break
		}
	}
	if ws.st.facts[key].Warm() {
		t.Fatalf("%s kept its syntax: the test needs a cold one", key)
	}
	text, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(key)))
	if err != nil {
		t.Fatal(err)
	}
	before := ws.st.reheated
	if _, err := ws.Open(key, "terraform", 1, text); err != nil {
		t.Fatal(err)
	}
	bucket := []byte("resource \"aws_s3_bucket\" \"cool\" {\n  bucket = \"cool\"\n}\n")
	s, err := ws.Change(key, 2, []parse.Edit{{Start: len(text), End: len(text), Text: string(bucket)}})
	if err != nil {
		t.Fatal(err)
	}
	if ws.st.reheated == before {
		t.Error("linking the stack again extracted no syntax again")
	}
	found := false
	for _, f := range s.File(key).Findings {
		if f.Element != "" && s.Element(f.Element) != nil && s.Element(f.Element).Name == "aws_s3_bucket.cool" {
			found = true
		}
	}
	if !found {
		t.Errorf("the bucket typed into a module whose neighbours' syntax was let go has no findings: %v", s.File(key).Findings)
	}
	if !ws.st.facts[key].Warm() {
		t.Error("the open file's syntax was let go")
	}
}

// What a first load leaves warm is its largest unit and the units of open documents, not the
// budget's worth of the last batches: those are the end of the workspace's walk, and kept 11
// MB of syntax live at 5,000 files. The budget is the edits' again afterwards.
func TestLoadLeavesItsLargestUnitWarm(t *testing.T) {
	dir := t.TempDir()
	if _, err := corpus.Write(dir, corpus.Scale(1000, false)); err != nil {
		t.Fatal(err)
	}
	ws := testEngine(t).Workspace(dir, DefaultConfig())
	if _, err := ws.Load(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	warm, _, source := warmSyntax(ws, "")
	if floor := ws.st.warm.floor; source > floor || floor >= defaultSyntaxBudget {
		t.Errorf("after the load %d files keep their syntax, %d bytes of source; want at most the largest unit's %d (the budget is %d)",
			warm, source, floor, defaultSyntaxBudget)
	}
}

// A keystroke costs its edit: the reparse and the extraction of the document wait for the
// update, which does them once for every edit staged meanwhile — ten characters typed while
// the model updates are one extraction, not ten.
func TestStagedEditsExtractOnce(t *testing.T) {
	eng := testEngine(t)
	ws := eng.Workspace("", DefaultConfig())
	src := []byte("resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n")
	if _, err := ws.Open("main.tf", "terraform", 1, src); err != nil {
		t.Fatal(err)
	}
	before := eng.extracts.Load()
	at := len("resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b")
	for i := range 10 {
		if err := ws.Stage("main.tf", int32(2+i), []parse.Edit{{Start: at + i, End: at + i, Text: "x"}}); err != nil {
			t.Fatal(err)
		}
	}
	if n := eng.extracts.Load() - before; n != 0 {
		t.Errorf("staging ten edits extracted the file %d times, want none before the update", n)
	}
	snap := ws.Update()
	if n := eng.extracts.Load() - before; n != 1 {
		t.Errorf("one update after ten edits extracted the file %d times, want once", n)
	}
	f := snap.File("main.tf")
	if f.Version != 11 || !strings.Contains(string(f.Text), "bxxxxxxxxxx\"") {
		t.Fatalf("the update holds version %d: %q", f.Version, f.Text)
	}
	el := snap.Element("terraform:./aws_s3_bucket.b")
	if el == nil {
		t.Fatalf("no bucket in the model: %v", snap.Graph().Elements())
	}
	if end := len(src) - 1 + 10; int(el.Span.End.Offset) != end {
		t.Errorf("the bucket's block ends at %d in the model, want %d (the edited text)", el.Span.End.Offset, end)
	}
}

// An edit of a manifest links the manifests of its namespace (and of the namespaces its hosts
// name), not every manifest of the workspace; what it links is what a fresh scan makes.
func TestManifestEditLinksItsNamespace(t *testing.T) {
	dir := t.TempDir()
	files := corpus.Scale(512, false)
	if _, err := corpus.Write(dir, files); err != nil {
		t.Fatal(err)
	}
	eng := testEngine(t)
	ws := eng.Workspace(dir, DefaultConfig())
	snap, err := ws.Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var key string
	manifests, inDir := 0, 0
	for _, k := range snap.Files() {
		if strings.HasSuffix(k, ".yaml") && strings.Contains(k, "/k8s/") {
			manifests++
			if key == "" && strings.HasSuffix(k, "/svc-03.yaml") {
				key = k
			}
		}
	}
	for _, k := range snap.Files() {
		if strings.HasPrefix(k, filepath.Dir(key)+"/") {
			inDir++
		}
	}
	if key == "" || inDir >= manifests/4 {
		t.Fatalf("the corpus has no svc-03 manifest, or too few namespaces: %q, %d of %d manifests in its namespace", key, inDir, manifests)
	}
	text := snap.File(key).Text
	if _, err := ws.Open(key, "yaml", 1, text); err != nil {
		t.Fatal(err)
	}
	at := strings.Index(string(text), ":6379")
	before := eng.linked.Load()
	after, err := ws.Change(key, 2, []parse.Edit{{Start: at, End: at + len(":6379"), Text: ":6380"}})
	if err != nil {
		t.Fatal(err)
	}
	if n := eng.linked.Load() - before; n == 0 || n > int64(inDir) {
		t.Errorf("a manifest's edit linked %d files; its namespace has %d manifests of the workspace's %d", n, inDir, manifests)
	}
	os.WriteFile(filepath.Join(dir, key), after.File(key).Text, 0o644)
	fresh, err := testEngine(t).Workspace(dir, DefaultConfig()).Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := len(after.Findings()), len(fresh.Findings()); a != b {
		t.Errorf("after the edit %d findings, a fresh scan %d", a, b)
	}
}

// An edit of an open Terraform file reads again only the block it changed: the blocks before
// it are the last version's facts, those after it the last version's moved (see
// terraform.Reextract). Without it, a keystroke in a 5 MB file copied and read the whole tree.
func TestEditReadsTheChangedBlock(t *testing.T) {
	eng := testEngine(t)
	ws := eng.Workspace("", DefaultConfig())
	var src strings.Builder
	for i := range 50 {
		fmt.Fprintf(&src, "resource \"aws_s3_bucket\" \"b%d\" {\n  bucket = \"bucket-%d\"\n}\n\n", i, i)
	}
	text := []byte(src.String())
	if _, err := ws.Open("main.tf", "terraform", 1, text); err != nil {
		t.Fatal(err)
	}
	blocks := func() []*terraform.Block {
		ws.mu.Lock()
		defer ws.mu.Unlock()
		return ws.files["main.tf"].facts.Raw.(*terraform.Raw).Blocks
	}
	before := blocks()
	at := bytes.Index(text, []byte(`"bucket-25`)) + 1
	if _, err := ws.Change("main.tf", 2, []parse.Edit{{Start: at, End: at, Text: "new-"}}); err != nil {
		t.Fatal(err)
	}
	after := blocks()
	if len(after) != 50 {
		t.Fatalf("%d blocks after the edit", len(after))
	}
	for i, b := range after {
		switch {
		case i < 25 && b != before[i]:
			t.Errorf("block %d, before the edit, was read again", i)
		case i == 25 && b.Attr("bucket").Expr.Lit != "new-bucket-25":
			t.Errorf("the edited block reads %v", b.Attr("bucket").Expr.Lit)
		case i > 25 && (b == before[i] || b.Span.Start.Offset != before[i].Span.Start.Offset+4):
			t.Errorf("block %d, after the edit, starts at %d, was at %d", i, b.Span.Start.Offset, before[i].Span.Start.Offset)
		}
	}
}

// A keystroke in a stream of hundreds of manifests is applied to the build the file kept
// from its last reading (kubernetes/kept.go), the objects after it moved rather than built
// again — and gives what a scan of the same text gives.
func TestEditOfAStreamAppliesToItsKeptBuild(t *testing.T) {
	eng := testEngine(t)
	ws := eng.Workspace("", DefaultConfig())
	text, at := corpus.LargeManifest(3, 200<<10)
	snap, err := ws.Open("cluster/all.yaml", "yaml", 1, text)
	if err != nil {
		t.Fatal(err)
	}
	for v := range 3 {
		before := kubernetes.KeptEdits()
		if snap, err = ws.Change("cluster/all.yaml", int32(v+2), []parse.Edit{{Start: at, End: at, Text: "x"}}); err != nil {
			t.Fatal(err)
		}
		text = append(text[:at:at], append([]byte("x"), text[at:]...)...)
		// The first keystroke builds the file whole, and keeps that build.
		if applied := kubernetes.KeptEdits() > before; applied != (v > 0) {
			t.Errorf("keystroke %d: applied to the kept build %v", v+1, applied)
		}
	}
	findingsAreAScans(t, snap, "cluster/all.yaml", text)
}

// findingsAreAScans checks that the findings of file key in snap, a workspace updated through
// edits, are those of a scan of text, its text, place for place.
func findingsAreAScans(t *testing.T, snap *Snapshot, key string, text []byte) {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Dir(filepath.Join(dir, key)), 0o755)
	os.WriteFile(filepath.Join(dir, key), text, 0o644)
	fresh, err := testEngine(t).Workspace(dir, DefaultConfig()).Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, want := snap.File(key).Findings, fresh.File(key).Findings
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("%d findings after the keystrokes, a scan of the text %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.ThreatID != w.ThreatID || g.Element != w.Element || g.Span != w.Span || g.Message != w.Message ||
			!reflect.DeepEqual(g.Evidence, w.Evidence) || !reflect.DeepEqual(g.Related, w.Related) {
			t.Fatalf("finding %d:\n%+v\na scan gives\n%+v", i, g, w)
		}
	}
}

// A keystroke that arrives while an update reads the document's last ones is read, at the
// next update, from what that update read — not from the reading before it, whose kept build
// the update took: typing faster than the model updates, every update of a large stream
// built it whole.
func TestChangeDuringAnUpdateReadsFromIt(t *testing.T) {
	eng := testEngine(t)
	ws := eng.Workspace("", DefaultConfig())
	text, at := corpus.LargeManifest(3, 200<<10)
	if _, err := ws.Open("cluster/all.yaml", "yaml", 1, text); err != nil {
		t.Fatal(err)
	}
	key := func(v int32) []parse.Edit { return []parse.Edit{{Start: at, End: at, Text: "x"}} }
	// The first keystroke builds the file whole and keeps the build.
	if _, err := ws.Change("cluster/all.yaml", 2, key(2)); err != nil {
		t.Fatal(err)
	}
	v := int32(2)
	afterReading = func() {
		v++
		if err := ws.Stage("cluster/all.yaml", v, key(v)); err != nil {
			t.Error(err)
		}
	}
	defer func() { afterReading = nil }()
	for range 3 {
		before := kubernetes.KeptEdits()
		if err := ws.Stage("cluster/all.yaml", v+1, key(v+1)); err != nil {
			t.Fatal(err)
		}
		v++
		ws.Update()
		if kubernetes.KeptEdits() == before {
			t.Fatalf("version %d: the update built the stream whole", v)
		}
	}
	afterReading = nil
	snap := ws.Update()
	want := bytes.Repeat([]byte("x"), int(v)-1)
	if got := snap.File("cluster/all.yaml").Text; !bytes.Equal(got[at:at+len(want)], want) {
		t.Fatalf("the text lost keystrokes: %q", got[at:at+len(want)+5])
	}
}

// An element whose findings read elements or lists of flows that a keystroke only moved (a
// deployment's variables' flows read the workload they come from; the workload reads its
// flows) keeps its findings, the places they quote moved with what they quote: a keystroke
// above thousands of manifests evaluated 6,600 elements again. What it gives is what a scan
// of the same text gives, place for place.
func TestReadersOfMovedElementsKeepTheirFindings(t *testing.T) {
	eng := testEngine(t)
	ws := eng.Workspace("", DefaultConfig())
	text, at := corpus.LargeManifest(5, 200<<10)
	top := bytes.Index(text, []byte("\n---\n")) + len("\n---\n")
	if _, err := ws.Open("cluster/all.yaml", "yaml", 1, text); err != nil {
		t.Fatal(err)
	}
	var snap *Snapshot
	for v, e := range []parse.Edit{
		{Start: at, End: at, Text: "x"},       // builds the stream whole, and keeps the build
		{Start: at, End: at, Text: "y"},       // in the middle: half the stream moves
		{Start: top, End: top, Text: "# z\n"}, // near the top: nearly all of it, by a line
		{Start: 0, End: 0, Text: "# a note\n"},
	} {
		before := eng.evaluated.Load()
		var err error
		if snap, err = ws.Change("cluster/all.yaml", int32(v+2), []parse.Edit{e}); err != nil {
			t.Fatal(err)
		}
		if n := eng.evaluated.Load() - before; v > 0 && n > 40 {
			t.Errorf("keystroke %d evaluated %d elements again", v+1, n)
		}
		text = append(text[:e.Start:e.Start], append([]byte(e.Text), text[e.End:]...)...)
		if at >= e.Start && e.Start != at {
			at += len(e.Text)
		}
	}
	findingsAreAScans(t, snap, "cluster/all.yaml", text)
}

// Lines typed at the top of a file move every element after them; an element whose findings
// read the graph (its flows, its zone, what reaches it) keeps them, moved, when nothing it
// read changed, rather than being evaluated again.
func TestMovedElementsKeepTheirFindings(t *testing.T) {
	eng := testEngine(t)
	ws := eng.Workspace("", DefaultConfig())
	var src strings.Builder
	for i := range 30 {
		fmt.Fprintf(&src, "resource \"aws_s3_bucket\" \"b%d\" {\n  bucket = \"bucket-%d\"\n}\n\n", i, i)
		fmt.Fprintf(&src, "resource \"aws_s3_bucket_public_access_block\" \"b%d\" {\n  bucket = aws_s3_bucket.b%d.id\n  block_public_acls = %v\n}\n\n", i, i, i%2 == 0)
	}
	snap, err := ws.Open("main.tf", "terraform", 1, []byte(src.String()))
	if err != nil {
		t.Fatal(err)
	}
	want := len(snap.File("main.tf").Findings)
	before := eng.evaluated.Load()
	snap, err = ws.Change("main.tf", 2, []parse.Edit{{Start: 0, End: 0, Text: "\n\n"}})
	if err != nil {
		t.Fatal(err)
	}
	if n := eng.evaluated.Load() - before; n > 2 {
		t.Errorf("two lines typed at the top evaluated %d elements again, want none", n)
	}
	fs := snap.File("main.tf").Findings
	if len(fs) != want || want == 0 {
		t.Fatalf("%d findings after the edit, %d before", len(fs), want)
	}
	for _, f := range fs {
		if f.Span.Start.Line < 2 {
			t.Errorf("%s at line %d: not moved", f.ThreatID, f.Span.Start.Line+1)
		}
	}
}

// A unit larger than the syntax budget — every manifest in one namespace — keeps its syntax:
// an edit of one of its manifests links all of them, and letting them go would decode them
// all again on every keystroke.
func TestLargeUnitStaysWarm(t *testing.T) {
	ws, key, text := openInOneNamespace(t)
	at := bytes.Index(text, []byte("redis://")) + len("redis://")
	for v := int32(2); v <= 4; v++ {
		before := ws.st.reheated
		if _, err := ws.Change(key, v, []parse.Edit{{Start: at, End: at, Text: "x"}}); err != nil {
			t.Fatal(err)
		}
		if n := ws.st.reheated - before; n > 0 {
			t.Errorf("edit %d of a manifest of the one namespace decoded %d manifests again", v-1, n)
		}
	}
}

// Of the units a first model links, the largest (here the namespace of 256 manifests) keeps
// its syntax: the budget is never below it, and the units linked after it in the load took
// its place, so that opening one of its files (the first Link of a namespace of 2,500
// manifests) decoded every manifest again (BenchmarkScale's open-ms: 524 ms against 110).
func TestLargestUnitStaysWarmThroughTheLoad(t *testing.T) {
	ws, key, text := loadOneNamespace(t, 512)
	before := ws.st.reheated
	if _, err := ws.Open(key, "yaml", 1, text); err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(text, []byte("redis://")) + len("redis://")
	if _, err := ws.Change(key, 2, []parse.Edit{{Start: at, End: at, Text: "x"}}); err != nil {
		t.Fatal(err)
	}
	if n := ws.st.reheated - before; n > 0 {
		t.Errorf("opening and editing a manifest of the one namespace after the load decoded %d manifests again", n)
	}
}

// The stack of a document the editor holds keeps its syntax through the first model, however
// many stacks are linked after it: the first keystroke links that stack again, and extracting
// its 31 other files again cost it 60 ms.
func TestOpenUnitStaysWarm(t *testing.T) {
	files := corpus.Scale(640, false)
	ws, dir := lowBudget(t, files)
	var key string
	for _, f := range files {
		if strings.HasSuffix(f.Path, "/compute/main.tf") {
			key = f.Path // the first stack's: the first linked, the first let go
			break
		}
	}
	text, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(key)))
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.StageOpen(key, "terraform", 1, text); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.Load(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	before := ws.st.reheated
	at := bytes.Index(text, []byte("description = \"")) + len("description = \"")
	if _, err := ws.Change(key, 2, []parse.Edit{{Start: at, End: at, Text: "x"}}); err != nil {
		t.Fatal(err)
	}
	if n := ws.st.reheated - before; n > 0 {
		t.Errorf("the first keystroke in %s extracted %d files of its stack again", key, n)
	}
}

// Characters typed into one block of a large open file are read without parsing the file
// again (Config.SpliceFrom), and the findings are a fresh workspace's of the same text; an
// edit elsewhere is then parsed again, from the edits since the last parse, and so are the
// edits of a file below the size, whatever the edit.
func TestTypingInALargeFileSplices(t *testing.T) {
	text, at := corpus.LargeFile(1, 12000) // about 300 KB
	if len(text) < defaultSpliceFrom {
		t.Fatalf("the file is %d bytes, below the size edits are spliced from", len(text))
	}
	eng := testEngine(t)
	ws := eng.Workspace("", DefaultConfig())
	if _, err := ws.Open("main.tf", "terraform", 1, text); err != nil {
		t.Fatal(err)
	}
	version := int32(1)
	typeAt := func(at int, s string) {
		t.Helper()
		for _, c := range s {
			version++
			if _, err := ws.Change("main.tf", version, []parse.Edit{{Start: at, End: at, Text: string(c)}}); err != nil {
				t.Fatal(err)
			}
			text = append(text[:at:at], append([]byte(string(c)), text[at:]...)...)
			at++
		}
	}
	same := func(what string) {
		t.Helper()
		fresh := testEngine(t).Workspace("", DefaultConfig())
		if _, err := fresh.Open("main.tf", "terraform", 1, text); err != nil {
			t.Fatal(err)
		}
		for _, part := range []func(*Snapshot) any{
			func(s *Snapshot) any { return s.File("main.tf").Findings },
			func(s *Snapshot) any { return s.Graph().Elements() },
		} {
			got, err := json.Marshal(part(ws.Snapshot()))
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(part(fresh.Snapshot()))
			if !bytes.Equal(got, want) {
				t.Fatalf("%s: the findings or the elements differ from a fresh workspace's", what)
			}
		}
	}
	before := eng.splices.Load()
	typeAt(at, "abcdefghij")
	if n := eng.splices.Load() - before; n != 10 {
		t.Fatalf("10 characters typed in a string: %d read without a reparse, want 10", n)
	}
	same("after typing in one block")
	before = eng.splices.Load()
	far := corpus.StringPointNear(text, len(text)*9/10)
	typeAt(far, "k")
	if n := eng.splices.Load() - before; n != 0 {
		t.Fatalf("a character typed %d KB away from the last edits was read without a reparse", (far-at)>>10)
	}
	same("after an edit far away")
	small := eng.Workspace("", DefaultConfig())
	if _, err := small.Open("small.tf", "terraform", 1, text[:64<<10]); err != nil {
		t.Fatal(err)
	}
	before = eng.splices.Load()
	if _, err := small.Change("small.tf", 2, []parse.Edit{{Start: 100, End: 100, Text: " "}}); err != nil {
		t.Fatal(err)
	}
	if n := eng.splices.Load() - before; n != 0 {
		t.Fatal("an edit of a 64 KB file was spliced: below SpliceFrom, files are parsed again")
	}
}

// The scopes linked together are found once while their joins stay: a keystroke in one of the
// thousands of manifests of a namespace walked every join of the namespace to find its unit
// (4 ms of 22 at 2,500 manifests). An edit that changes a join finds it again.
func TestUnitIsKeptWhileItsJoinsAre(t *testing.T) {
	ws, key, text := openInOneNamespace(t)
	at := bytes.Index(text, []byte("redis://")) + len("redis://")
	if _, err := ws.Change(key, 2, []parse.Edit{{Start: at, End: at, Text: "x"}}); err != nil {
		t.Fatal(err)
	}
	walks := ws.st.walks
	for v := int32(3); v <= 5; v++ {
		if _, err := ws.Change(key, v, []parse.Edit{{Start: at, End: at, Text: "x"}}); err != nil {
			t.Fatal(err)
		}
	}
	if n := ws.st.walks - walks; n != 0 {
		t.Errorf("3 edits that leave the manifest's joins as they were walked the joins %d times", n)
	}
	// A host naming another namespace joins it: the unit is found again.
	ns := bytes.Index(text, []byte("redis://"))
	if _, err := ws.Change(key, 6, []parse.Edit{{Start: ns, End: ns + len("redis://"), Text: "redis://cache.elsewhere:6379/"}}); err != nil {
		t.Fatal(err)
	}
	if ws.st.walks == walks {
		t.Error("an edit that joins another namespace did not find the manifest's unit again")
	}
}

// openInOneNamespace loads a workspace whose manifests are all in one namespace, with a low
// syntax budget, and opens one of its manifests in the editor.
func openInOneNamespace(t *testing.T) (*Workspace, string, []byte) {
	t.Helper()
	ws, key, text := loadOneNamespace(t, 128)
	if _, err := ws.Open(key, "yaml", 1, text); err != nil {
		t.Fatal(err)
	}
	return ws, key, text
}

// loadOneNamespace loads a workspace of files files whose manifests are all in one
// namespace, with a low syntax budget, and returns one of its manifests and its text.
func loadOneNamespace(t *testing.T, files int) (*Workspace, string, []byte) {
	t.Helper()
	ws, _ := lowBudget(t, corpus.Scale(files, true))
	snap, err := ws.Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range snap.Files() {
		if strings.Contains(k, "/k8s/") && strings.HasSuffix(k, "svc-03.yaml") {
			return ws, k, snap.File(k).Text
		}
	}
	t.Fatal("no svc-03 manifest in the corpus")
	return nil, "", nil
}

// A condition that asks only whether a type is in the workspace (AWS-CT-001: no
// aws_cloudtrail anywhere, read by every AWS provider) is evaluated again when the type comes
// or goes, not each time one more of it comes: a load that read a trail in batch after batch
// evaluated every provider it had read again with each (36,024 evaluations more at 20,000
// files, a quarter of them).
func TestPresenceOfATypeIsReadOnce(t *testing.T) {
	eng := testEngine(t)
	ws := eng.Workspace("", DefaultConfig())
	const providers = 40
	for i := range providers {
		if _, err := ws.Open(fmt.Sprintf("stack%d/main.tf", i), "terraform", 1, []byte("provider \"aws\" {\n  region = \"eu-west-1\"\n}\n")); err != nil {
			t.Fatal(err)
		}
	}
	trail := func(name string) []byte {
		return []byte("resource \"aws_cloudtrail\" \"" + name + "\" {\n  name = \"" + name + "\"\n  s3_bucket_name = \"b\"\n  is_multi_region_trail = true\n  enable_log_file_validation = true\n}\n")
	}
	noTrail := func(snap *Snapshot) int {
		n := 0
		for _, f := range snap.Findings() {
			if f.ThreatID == "AWS-CT-001" {
				n++
			}
		}
		return n
	}
	if n := noTrail(ws.Snapshot()); n != providers {
		t.Fatalf("AWS-CT-001 reported %d times without a trail, want %d", n, providers)
	}
	before := eng.evaluated.Load()
	snap, err := ws.Open("audit/one.tf", "terraform", 1, trail("one"))
	if err != nil {
		t.Fatal(err)
	}
	if n := noTrail(snap); n != 0 {
		t.Fatalf("AWS-CT-001 reported %d times with a trail", n)
	}
	if n := eng.evaluated.Load() - before; n < providers {
		t.Fatalf("the first trail evaluated %d elements, want the %d providers again", n, providers)
	}
	before = eng.evaluated.Load()
	if _, err := ws.Open("audit/two.tf", "terraform", 1, trail("two")); err != nil {
		t.Fatal(err)
	}
	if n := eng.evaluated.Load() - before; n >= providers {
		t.Errorf("a second trail evaluated %d elements: the providers again, which ask only whether there is one", n)
	}
	ws.Close("audit/one.tf")
	ws.Close("audit/two.tf")
	if n := noTrail(ws.Snapshot()); n != providers {
		t.Errorf("AWS-CT-001 reported %d times once the trails are gone, want %d", n, providers)
	}
}

// A load of the scale corpus evaluates each element of its model once, although it reads it in
// batches: whether the workspace has a trail, which every AWS provider's findings read, changed
// with every batch that read one more, and every provider was evaluated again each time, which
// made the load's evaluation grow faster than the workspace (1.08 evaluations per element at
// 5,000 files, 1.32 at 20,000). (In batches of 32 files, shared actors and namespaces that
// more files name are linked, and evaluated, again: they did change.)
func TestLoadEvaluatesEachElementOnce(t *testing.T) {
	defer SetLoadBatch(128)()
	dir := t.TempDir()
	if _, err := corpus.Write(dir, corpus.Scale(1000, false)); err != nil {
		t.Fatal(err)
	}
	eng := testEngine(t)
	ws := eng.Workspace(dir, DefaultConfig())
	before := eng.evaluated.Load()
	snap, err := ws.Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	els := len(snap.Graph().Elements())
	if n := eng.evaluated.Load() - before; n != int64(els) {
		t.Errorf("a load of %d files, 128 at a time, evaluated %d elements for a model of %d", len(snap.Files()), n, els)
	}
}
