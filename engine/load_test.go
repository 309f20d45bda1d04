package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/engine/corpus"
	"github.com/threatls/threatls/model"
)

// A first model's evaluation is spread over every CPU; the findings are those of one
// goroutine evaluating everything.
func TestParallelEvaluationIsSerial(t *testing.T) {
	dir := t.TempDir()
	if _, err := corpus.Write(dir, corpus.Scale(128, false)); err != nil {
		t.Fatal(err)
	}
	load := func(threshold int) ([]model.Finding, int64) {
		was := parallelEval
		parallelEval = threshold
		defer func() { parallelEval = was }()
		eng := testEngine(t)
		snap, err := eng.Workspace(dir, DefaultConfig()).Load(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return snap.Findings(), eng.parallel.Load()
	}
	serial, n := load(1 << 30)
	if n != 0 {
		t.Fatalf("%d parallel evaluations with the threshold out of reach", n)
	}
	spread, n := load(16)
	if n == 0 && runtime.GOMAXPROCS(0) > 1 {
		t.Fatal("the load's evaluation was not spread")
	}
	if len(serial) == 0 || !reflect.DeepEqual(serial, spread) {
		t.Fatalf("%d findings evaluated on one goroutine, %d spread (or they differ)", len(serial), len(spread))
	}
}

// The register indexes the model's elements by name only while an entry names one; an entry
// that comes with an edit finds the elements that were there before it.
func TestRegisterIndexesWhenNamed(t *testing.T) {
	ws := testEngine(t).Workspace("", DefaultConfig())
	tf := []byte("resource \"aws_s3_bucket\" \"assets\" {\n  bucket = \"assets\"\n}\n")
	if _, err := ws.Open("main.tf", "terraform", 1, tf); err != nil {
		t.Fatal(err)
	}
	yml := "version: 1\nrisks:\n  - threat: AWS-S3-005\n    owner: team-platform\n    reason: rebuilt from the repository\n"
	if _, err := ws.Open("threatls.yaml", "yaml", 1, []byte(yml)); err != nil {
		t.Fatal(err)
	}
	if ws.st.reg.byName != nil {
		t.Error("the register indexes elements with no entry naming one")
	}
	accepted := func(s *Snapshot) bool {
		for _, f := range s.File("main.tf").Findings {
			if f.ThreatID == "AWS-S3-005" {
				return f.Suppressed != nil
			}
		}
		t.Fatal("no AWS-S3-005 finding on the bucket")
		return false
	}
	named := yml + "    element: aws_s3_bucket.assets\n"
	s, err := ws.Change("threatls.yaml", 2, []parse.Edit{{Start: 0, End: len(yml), Text: named}})
	if err != nil {
		t.Fatal(err)
	}
	if !accepted(s) || ws.st.reg.byName == nil {
		t.Errorf("an entry naming the bucket, typed after it: accepted %v, indexed %v", accepted(s), ws.st.reg.byName != nil)
	}
	other := strings.Replace(named, "aws_s3_bucket.assets", "aws_s3_bucket.logs", 1)
	s, err = ws.Change("threatls.yaml", 3, []parse.Edit{{Start: 0, End: len(named), Text: other}})
	if err != nil {
		t.Fatal(err)
	}
	if accepted(s) {
		t.Error("an entry naming another bucket accepts this one's finding")
	}
}

// A panic while the load's evaluation is spread over CPUs reaches the caller's goroutine, as
// the serial evaluation's would (where the server's recovery turns it into a logged error),
// instead of ending the process from a worker.
func TestParallelEvaluationPanicReachesCaller(t *testing.T) {
	dir := t.TempDir()
	if _, err := corpus.Write(dir, corpus.Scale(128, false)); err != nil {
		t.Fatal(err)
	}
	eng := testEngine(t)
	snap, err := eng.Workspace(dir, DefaultConfig()).Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	was, procs := parallelEval, runtime.GOMAXPROCS(2)
	parallelEval = 16
	defer func() { parallelEval = was; runtime.GOMAXPROCS(procs) }()
	g := snap.Graph()
	els := append(slices.Clone(g.Elements()), nil) // the last batch's worker dereferences nil
	defer func() {
		if r := recover(); r == nil || !strings.HasPrefix(fmt.Sprint(r), "evaluation: ") {
			t.Fatalf("recovered %v, want the worker's panic raised again as \"evaluation: …\"", r)
		}
	}()
	b := &buildState{eng: eng}
	b.evaluateAll(g, eng.lib.Evaluator(g), els)
	t.Fatal("evaluating a nil element did not panic")
}

// A file the editor opens while the load runs is not parsed by the load (the editor's text
// wins: it would be parsed for nothing, 1.5 s for a 5 MB file), and a file the editor held
// when the load reached it and closed before the load ended is still in the model (the load
// took it for deleted from the disk).
func TestLoadLeavesWhatTheEditorOpens(t *testing.T) {
	dir := t.TempDir()
	files := corpus.Scale(128, false)
	if _, err := corpus.Write(dir, files); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, f := range files {
		if strings.HasSuffix(f.Path, ".tf") {
			keys = append(keys, f.Path)
		}
	}
	slices.Sort(keys)
	opened, closed, early := keys[len(keys)-1], keys[len(keys)-2], keys[0] // read last, first
	eng := testEngine(t)
	ws := eng.Workspace(dir, DefaultConfig())
	edited := []byte("# the editor's text\n")
	if err := ws.StageOpen(early, "terraform", 1, edited); err != nil { // before the load
		t.Fatal(err)
	}
	_, err := ws.Load(context.Background(), func(done, total int) {
		switch done {
		case 1: // the first file read: the two named are far behind
			if err := ws.StageOpen(opened, "terraform", 1, edited); err != nil {
				t.Error(err)
			}
			if err := ws.StageOpen(closed, "terraform", 1, edited); err != nil {
				t.Error(err)
			}
		case total: // every file read, none installed yet
			ws.StageClose(closed)
			ws.StageClose(early)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	before := eng.extracts.Load()
	snap := ws.Snapshot()
	if f := snap.File(opened); f == nil || string(f.Text) != string(edited) {
		t.Fatalf("%s, opened during the load, does not hold the editor's text", opened)
	}
	for _, k := range []string{closed, early} {
		if f := snap.File(k); f == nil || string(f.Text) == string(edited) {
			t.Errorf("%s, closed during the load, is not in the model with its text on disk", k)
		}
	}
	// The files opened were extracted by their open, not also by the load, and those closed
	// again by the refresh their close makes; every other file once, by the load.
	if want := int64(len(files)) + 2; before != want {
		t.Errorf("%d extractions for %d files, three opened by the editor and two closed again: want %d", before, len(files), want)
	}
}

// A file the editor opens while the load is parsing it stops being parsed: the load's read is
// cancelled, nothing of it is installed or reported, and the editor's text is the file's.
func TestOpenStopsTheLoadsRead(t *testing.T) {
	dir := t.TempDir()
	big, _ := corpus.LargeFile(1, 20000)
	if err := os.MkdirAll(filepath.Join(dir, "mono"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "mono", "main.tf"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	eng := testEngine(t)
	ws := eng.Workspace(dir, DefaultConfig())
	edited := []byte("resource \"aws_s3_bucket\" \"b\" {}\n")
	beforeParse = func(key string) {
		if key == "mono/main.tf" {
			if err := ws.StageOpen(key, "terraform", 1, edited); err != nil {
				t.Error(err)
			}
		}
	}
	defer func() { beforeParse = nil }()
	snap, err := ws.Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := eng.extracts.Load(); n != 1 {
		t.Errorf("%d extractions: the file opened during its read was extracted by the load too", n)
	}
	if len(snap.Skipped()) != 0 {
		t.Errorf("the cancelled read was reported: %v", snap.Skipped())
	}
	if f := ws.Snapshot().File("mono/main.tf"); f == nil || string(f.Text) != string(edited) {
		t.Error("the file does not hold the editor's text")
	}
}

// A first load reads its files in batches and makes the model of each while it reads the next
// (loadBatch): the syntax of the batches before is let go before the load ends — when the
// last file is read, the files of the batches before are cooled already — and a unit that
// every batch adds to (a namespace of every manifest) is linked once more at the end, not
// once per batch. (TestLoadInBatchesIsLoadWhole holds the model to a load of every file at
// once.)
func TestLoadLinksInBatches(t *testing.T) {
	defer SetLoadBatch(32)()
	t.Run("syntax let go", func(t *testing.T) {
		files := corpus.Scale(640, false)
		tf := 0
		for _, f := range files {
			if strings.HasSuffix(f.Path, ".tf") {
				tf++
			}
		}
		ws, _ := lowBudget(t, files)
		cooled := 0
		_, err := ws.Load(context.Background(), func(done, n int) {
			if done != n {
				return
			}
			ws.bmu.Lock() // after the update of the batch before
			defer ws.bmu.Unlock()
			for _, f := range ws.st.facts {
				if f.Format == "terraform" && !f.Warm() {
					cooled++
				}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if cooled < tf/2 {
			t.Errorf("when the last file was read, %d of %d Terraform files had been linked and had let their syntax go", cooled, tf)
		}
	})
	t.Run("a growing unit linked once", func(t *testing.T) {
		var manifests []corpus.File
		for _, f := range corpus.Scale(640, true) {
			if strings.HasSuffix(f.Path, ".yaml") {
				manifests = append(manifests, f)
			}
		}
		dir := t.TempDir()
		if _, err := corpus.Write(dir, manifests); err != nil {
			t.Fatal(err)
		}
		eng := testEngine(t)
		ws := eng.Workspace(dir, DefaultConfig())
		if _, err := ws.Load(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		if n := eng.linked.Load(); n > 2*int64(len(manifests)) {
			t.Errorf("a load of %d manifests of one namespace, %d at a time, handed Link %d files", len(manifests), loadBatch, n)
		}
	})
}

// Typing during a load links what the typing changed, not the units the load's batches grow:
// those wait for the load's end. (Before, every update of the editor's during a load linked
// every unit deferred so far — a namespace of every manifest read yet — and the next batch
// grew and deferred it again: each keystroke cost a Link of the namespace, whatever file it
// was typed in.)
func TestTypingDuringALoadLeavesGrowingUnits(t *testing.T) {
	defer SetLoadBatch(32)()
	files := corpus.Scale(640, true) // one namespace of every manifest
	manifests, tf := 0, ""
	for _, f := range files {
		switch {
		case strings.HasSuffix(f.Path, ".yaml"):
			manifests++
		case tf == "" && strings.HasSuffix(f.Path, "/main.tf"):
			tf = f.Path
		}
	}
	dir := t.TempDir()
	if _, err := corpus.Write(dir, files); err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(tf)))
	if err != nil {
		t.Fatal(err)
	}
	// load loads the workspace with tf open, typing into it every 40 files read when type_.
	load := func(type_ bool) (linked int64, keystrokes int64, perKeystroke int64) {
		eng := testEngine(t)
		ws := eng.Workspace(dir, DefaultConfig())
		if _, err := ws.Open(tf, "terraform", 1, text); err != nil {
			t.Fatal(err)
		}
		version := int32(1)
		var mu sync.Mutex
		if _, err := ws.Load(context.Background(), func(done, n int) {
			if !type_ || done%40 != 0 || done == n {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			version++
			keystrokes++
			if _, err := ws.Change(tf, version, []parse.Edit{{Start: 0, End: 0, Text: "#"}}); err != nil {
				t.Error(err)
			}
		}); err != nil {
			t.Fatal(err)
		}
		linked = eng.linked.Load()
		snap := ws.Snapshot()
		if !snap.Complete() || snap.File(tf).Version != version {
			t.Fatalf("after the load, the snapshot is complete: %v, at version %d of %d", snap.Complete(), snap.File(tf).Version, version)
		}
		// What a keystroke links: the stack typed in.
		if _, err := ws.Change(tf, version+1, []parse.Edit{{Start: 0, End: 0, Text: "#"}}); err != nil {
			t.Fatal(err)
		}
		return linked, keystrokes, eng.linked.Load() - linked
	}
	alone, _, _ := load(false)
	typed, keystrokes, stack := load(true)
	t.Logf("files handed to Link: %d by the load alone, %d with %d keystrokes meanwhile (%d for one after it)", alone, typed, keystrokes, stack)
	if typed > alone+keystrokes*stack {
		t.Errorf("a load of %d manifests of one namespace handed Link %d files; typed into %d times meanwhile (%d files linked for a keystroke after it), %d",
			manifests, alone, keystrokes, stack, typed)
	}
}

// A panic in the update of a load's batch, which runs beside the reading of the next, reaches
// Load's caller (the server's background task, which logs it), as one in an Update does: it
// does not end the process from a goroutine of its own.
func TestBatchPanicReachesLoadsCaller(t *testing.T) {
	defer SetLoadBatch(16)()
	dir := t.TempDir()
	files := corpus.Scale(128, false)
	if _, err := corpus.Write(dir, files); err != nil {
		t.Fatal(err)
	}
	var first string
	for _, f := range files {
		if strings.HasSuffix(f.Path, ".tf") && (first == "" || f.Path < first) {
			first = f.Path // read in the first batch
		}
	}
	ws := PanickyJoins(t, func(ff *model.FileFacts) bool { return ff.File == first }).Workspace(dir, DefaultConfig())
	defer func() {
		if r := recover(); r == nil || !strings.HasPrefix(fmt.Sprint(r), "load: joins of "+first) {
			t.Fatalf("recovered %v, want the batch's panic raised again as \"load: joins of %s…\"", r, first)
		}
	}()
	ws.Load(context.Background(), nil)
	t.Fatal("a load whose first batch's update panics did not panic")
}

// A module the workspace calls in a directory the walk leaves out (vendor/, node_modules/, a
// .gitignore'd directory) is what Terraform applies: it is read, and what it calls in turn,
// through as many loads as there are. What no module calls there stays unread, and a call to
// a directory that is not there, or that a link takes outside the workspace, reads nothing.
func TestLoadFollowsCallsIntoLeftOutDirectories(t *testing.T) {
	dir := t.TempDir()
	bucket := func(name string) string {
		return fmt.Sprintf("resource \"aws_s3_bucket\" %q {\n  bucket = %q\n}\n", name, name)
	}
	outside := t.TempDir()
	files := map[string]string{
		"main.tf": "module \"a\" {\n  source = \"./vendor/modules/a\"\n}\n" +
			"module \"gone\" {\n  source = \"./vendor/modules/gone\"\n}\n" +
			"module \"out\" {\n  source = \"./vendor/linked\"\n}\n",
		"vendor/modules/a/main.tf":        "module \"b\" {\n  source = \"../b\"\n}\n" + bucket("a"),
		"vendor/modules/a/sub/extra.tf":   bucket("sub"),
		"vendor/modules/b/main.tf":        bucket("b"),
		"vendor/modules/uncalled/main.tf": bucket("uncalled"),
		"node_modules/pkg/main.tf":        bucket("pkg"),
	}
	writeTree(t, dir, files)
	if err := os.WriteFile(filepath.Join(outside, "main.tf"), []byte(bucket("outside")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "vendor", "linked")); err != nil {
		t.Fatal(err)
	}
	ws := testEngine(t).Workspace(dir, DefaultConfig())
	for load := 1; load <= 2; load++ {
		snap, err := ws.Load(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		got := slices.Sorted(slices.Values(snap.Files()))
		want := []string{"main.tf", "vendor/modules/a/main.tf", "vendor/modules/b/main.tf"}
		if !slices.Equal(got, want) {
			t.Errorf("load %d read %v, want %v", load, got, want)
		}
		for _, id := range []string{"terraform:vendor/modules/a/aws_s3_bucket.a", "terraform:vendor/modules/b/aws_s3_bucket.b"} {
			if snap.Graph().Element(id) == nil {
				t.Errorf("load %d: no element %s", load, id)
			}
		}
	}
}

// A file the walk leaves out stays out when the disk tells of it (an editor's file watcher
// after `terraform init` or `npm install`): a refresh reads what a load would, so an updated
// model is the fresh scan's. A module the workspace calls there is read, as Load reads it.
func TestRefreshLeavesOutWhatTheWalkLeavesOut(t *testing.T) {
	dir := t.TempDir()
	bucket := "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n"
	files := map[string]string{
		"main.tf":                        "module \"s3\" {\n  source = \"./vendor/s3\"\n}\n",
		"vendor/s3/main.tf":              bucket,
		".terraform/modules/vpc/main.tf": bucket,
		"node_modules/pkg/deploy.yaml":   "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx\n",
		"app/node_modules/x/index.js":    "require('http').createServer().listen(80)\n",
		"vendor/uncalled/main.tf":        bucket,
	}
	writeTree(t, dir, files)
	ws := testEngine(t).Workspace(dir, DefaultConfig())
	if _, err := ws.Load(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	for rel := range files {
		ws.StageRefresh(rel)
	}
	got := slices.Sorted(slices.Values(ws.Snapshot().Files()))
	if want := []string{"main.tf", "vendor/s3/main.tf"}; !slices.Equal(got, want) {
		t.Errorf("after the refreshes the model has %v, want %v as the load read", got, want)
	}
}

// An edit that calls a module in a directory the walk leaves out reads it, and one that no
// longer calls it lets it go: the updated model is a fresh load's of the same text.
func TestEditFollowsCallsIntoLeftOutDirectories(t *testing.T) {
	dir := t.TempDir()
	plain := "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n"
	calling := plain + "module \"s3\" {\n  source = \"./vendor/s3\"\n}\n"
	writeTree(t, dir, map[string]string{"main.tf": plain, "vendor/s3/main.tf": "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n"})
	eng := testEngine(t)
	fresh := func(text string) []string {
		writeTree(t, dir, map[string]string{"main.tf": text})
		snap, err := eng.Workspace(dir, DefaultConfig()).Load(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return snap.Files()
	}
	ws := eng.Workspace(dir, DefaultConfig())
	if _, err := ws.Load(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.Open("main.tf", "terraform", 1, []byte(plain)); err != nil {
		t.Fatal(err)
	}
	for v, text := range []string{calling, plain, calling} {
		cur, _ := ws.Text("main.tf")
		snap, err := ws.Change("main.tf", int32(v+2), []parse.Edit{{Start: 0, End: len(cur), Text: text}})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := slices.Sorted(slices.Values(snap.Files())), slices.Sorted(slices.Values(fresh(text))); !slices.Equal(got, want) {
			t.Errorf("edit %d: the updated model has %v, a fresh load %v", v+1, got, want)
		}
		if called := text == calling; (snap.Graph().Element("terraform:vendor/s3/aws_s3_bucket.b") != nil) != called {
			t.Errorf("edit %d: the vendored bucket is in the model: %v, want %v", v+1, !called, called)
		}
	}
}

// A kustomization of the workspace that lists a base or a manifest in a directory the walk
// leaves out makes it applied: it is read, what the base lists in turn too, and an edit that
// stops listing it lets it go — as long as nothing else lists it or its directory. Each
// updated model is a fresh load's of the same text.
func TestEditFollowsKustomizeIntoLeftOutDirectories(t *testing.T) {
	dir := t.TempDir()
	pod := func(name string) string {
		return fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n", name)
	}
	kust := func(entries ...string) string {
		text := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
		for _, e := range entries {
			text += "  - " + e + "\n"
		}
		return text
	}
	const overlay = "overlays/prod/kustomization.yaml"
	writeTree(t, dir, map[string]string{
		overlay:                               kust("local.yaml"),
		"overlays/prod/local.yaml":            pod("local"),
		"vendor/acme/base/kustomization.yaml": kust("api.yaml", "../extra/listed.yaml"),
		"vendor/acme/base/api.yaml":           pod("api"),
		"vendor/acme/base/other.yaml":         pod("other"),
		"vendor/acme/extra/listed.yaml":       pod("listed"),
		"vendor/acme/extra/unlisted.yaml":     pod("unlisted"),
	})
	eng := testEngine(t)
	fresh := func(text string) []string {
		writeTree(t, dir, map[string]string{overlay: text})
		snap, err := eng.Workspace(dir, DefaultConfig()).Load(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Sorted(slices.Values(snap.Files()))
	}
	plain := kust("local.yaml")
	ws := eng.Workspace(dir, DefaultConfig())
	if _, err := ws.Load(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.Open(overlay, "yaml", 1, []byte(plain)); err != nil {
		t.Fatal(err)
	}
	base := []string{"vendor/acme/base/api.yaml", "vendor/acme/base/kustomization.yaml", "vendor/acme/base/other.yaml", "vendor/acme/extra/listed.yaml"}
	for v, c := range []struct {
		text string
		want []string // the vendored files read
	}{
		{kust("local.yaml", "../../vendor/acme/base"), base},
		{plain, nil},
		{kust("local.yaml", "../../vendor/acme/extra/listed.yaml"), []string{"vendor/acme/extra/listed.yaml"}},
		// The base lists listed.yaml too: it stays when the overlay stops listing it.
		{kust("local.yaml", "../../vendor/acme/base", "../../vendor/acme/extra/listed.yaml"), base},
		{kust("local.yaml", "../../vendor/acme/base"), base},
		{kust("local.yaml", "../../vendor/acme/base/api.yaml"), []string{"vendor/acme/base/api.yaml"}},
		{kust("local.yaml", "../../../outside", "https://github.com/acme/base?ref=v1"), nil},
	} {
		cur, _ := ws.Text(overlay)
		snap, err := ws.Change(overlay, int32(v+2), []parse.Edit{{Start: 0, End: len(cur), Text: c.text}})
		if err != nil {
			t.Fatal(err)
		}
		got := slices.Sorted(slices.Values(snap.Files()))
		if want := fresh(c.text); !slices.Equal(got, want) {
			t.Errorf("edit %d: the updated model has %v, a fresh load %v", v+1, got, want)
		}
		var vendored []string
		for _, f := range got {
			if strings.HasPrefix(f, "vendor/") {
				vendored = append(vendored, f)
			}
		}
		if !slices.Equal(vendored, c.want) {
			t.Errorf("edit %d: read %v of vendor/, want %v", v+1, vendored, c.want)
		}
	}
}

// A keystroke that changes no call asks nothing about the directories the walk leaves out:
// what the files call is counted as they change, not looked up over the workspace each time
// (that was a tenth of a 5,000-file workspace's keystroke, BenchmarkScale terraform-string).
func TestKeystrokeAsksNothingOfCalls(t *testing.T) {
	dir := t.TempDir()
	if _, err := corpus.Write(dir, corpus.Scale(64, false)); err != nil {
		t.Fatal(err)
	}
	ws := testEngine(t).Workspace(dir, DefaultConfig())
	snap, err := ws.Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	files := snap.Files()
	tf := files[slices.IndexFunc(files, func(f string) bool { return strings.HasSuffix(f, ".tf") })]
	text := snap.File(tf).Text
	if _, err := ws.Open(tf, "terraform", 1, text); err != nil {
		t.Fatal(err)
	}
	ws.mu.Lock()
	before := ws.neededRuns
	ws.mu.Unlock()
	for i := range 10 {
		if _, err := ws.Change(tf, int32(i+2), []parse.Edit{{Start: len(text) + i, End: len(text) + i, Text: "#"}}); err != nil {
			t.Fatal(err)
		}
	}
	ws.mu.Lock()
	after := ws.neededRuns
	ws.mu.Unlock()
	if after != before {
		t.Errorf("10 keystrokes that call nothing new looked up what the workspace calls %d times", after-before)
	}
	call := "\nmodule \"v\" {\n  source = \"./vendor/v\"\n}\n"
	cur, _ := ws.Text(tf)
	if _, err := ws.Change(tf, 20, []parse.Edit{{Start: len(cur), End: len(cur), Text: call}}); err != nil {
		t.Fatal(err)
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.neededRuns == after {
		t.Error("an edit that adds a call did not look up what the workspace calls")
	}
}

// writeTree writes files (workspace path → text) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	var fs []corpus.File
	for rel, text := range files {
		fs = append(fs, corpus.File{Path: rel, Text: []byte(text)})
	}
	if _, err := corpus.Write(dir, fs); err != nil {
		t.Fatal(err)
	}
}
