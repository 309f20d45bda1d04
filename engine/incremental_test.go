package engine_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"maps"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threatls/threatls/analyzers/code/codetest"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/engine/corpus"
	"github.com/threatls/threatls/model"
)

var (
	incrementalSteps = flag.Int("incremental.steps", 25, "edits per random sequence of TestIncrementalIsFresh")
	incrementalSeeds = flag.Int("incremental.seeds", 2, "random sequences of TestIncrementalIsFresh")
)

// TestIncrementalIsFresh holds the live workspace to a fresh scan: after every edit of random
// sequences — tokens swapped (true/false, CIDRs, hosts, ports, Service types), lines deleted,
// duplicated or moved, characters typed that break the syntax, files deleted and restored,
// some files open in an editor and edited there, the others changed on disk — the snapshot
// the workspace updated has exactly the findings and the model of a new workspace that loads
// the same files, whatever syntax of closed files it kept.
func TestIncrementalIsFresh(t *testing.T) {
	incrementalIsFresh(t, corpus.System(corpus.Spec{Seed: corpusSeed, Stacks: 2}))
}

// The same, on a namespace of 640 objects (every manifest names the default namespace), whose
// edits the Kubernetes analyzer applies to the namespace's kept build when it can.
func TestIncrementalIsFreshInOneNamespace(t *testing.T) {
	var manifests []corpus.File
	for _, f := range corpus.Scale(640, true) {
		if strings.HasSuffix(f.Path, ".yaml") {
			manifests = append(manifests, f)
		}
	}
	incrementalIsFresh(t, manifests)
}

// The same, on application code: 200 source files in ten services of five languages, which
// each language's analyzer links together (a service made again only when its files changed).
func TestIncrementalIsFreshInCode(t *testing.T) {
	dir := t.TempDir()
	paths, err := codetest.Repository(dir, corpusSeed, 200, 60)
	if err != nil {
		t.Fatal(err)
	}
	var files []corpus.File
	for _, p := range paths {
		text, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, corpus.File{Path: filepath.ToSlash(p), Text: text})
	}
	incrementalIsFresh(t, files)
}

func incrementalIsFresh(t *testing.T, base []corpus.File) {
	for seed := int64(1); seed <= int64(*incrementalSeeds); seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			r := rand.New(rand.NewSource(seed))
			dir := t.TempDir()
			if _, err := corpus.Write(dir, base); err != nil {
				t.Fatal(err)
			}
			texts := map[string][]byte{}
			for _, f := range base {
				texts[f.Path] = f.Text
			}
			eng := newEngine(t)
			// The syntax of closed files is let go and extracted again when needed: none
			// kept, the default, or a little.
			cfg := engine.DefaultConfig()
			cfg.SyntaxBudget = []int64{-1, 0, 8 << 10}[(seed-1)%3]
			// Edits of open Terraform files are read without a reparse whatever their size
			// (Config.SpliceFrom) in every other sequence; the fresh scan parses everything.
			if seed%2 == 1 {
				cfg.SpliceFrom = 1
			}
			ws := eng.Workspace(dir, cfg)
			if _, err := ws.Load(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			open := map[string]int32{}
			keys := func() []string {
				var ks []string
				for k := range texts {
					ks = append(ks, k)
				}
				sort.Strings(ks)
				return ks
			}
			deleted := map[string][]byte{}
			for step := 0; step < *incrementalSteps; step++ {
				ks := keys()
				key := ks[r.Intn(len(ks))]
				var what string
				switch op := r.Intn(20); {
				case op == 0 && len(ks) > 10: // delete a file
					what = "delete " + key
					deleted[key] = texts[key]
					delete(texts, key)
					if _, ok := open[key]; ok {
						if _, err := ws.Close(key); err != nil {
							t.Fatal(err)
						}
						delete(open, key)
					}
					os.Remove(filepath.Join(dir, key))
					ws.StageRefresh(key)
				case op == 1 && len(deleted) > 0: // restore one
					for k, text := range deleted {
						key, what = k, "restore "+k
						texts[k] = text
						delete(deleted, k)
						break
					}
					writeFile(t, dir, key, texts[key])
					ws.StageRefresh(key)
				default:
					old := texts[key]
					next, desc := mutate(r, old)
					what = desc + " in " + key
					texts[key] = next
					writeFile(t, dir, key, next)
					if v, ok := open[key]; ok || r.Intn(3) == 0 {
						if !ok {
							lang, ok := languageIDs[filepath.Ext(key)]
							if !ok {
								lang = "yaml"
							}
							if _, err := ws.Open(key, lang, 1, old); err != nil {
								t.Fatal(err)
							}
							v = 1
						}
						v++
						open[key] = v
						if err := ws.Stage(key, v, []parse.Edit{minimalEdit(old, next)}); err != nil {
							t.Fatal(err)
						}
					} else {
						ws.StageRefresh(key)
					}
				}
				got := ws.Snapshot()
				fresh, err := eng.Workspace(dir, engine.DefaultConfig()).Load(context.Background(), nil)
				if err != nil {
					t.Fatal(err)
				}
				if d := diffSnapshots(got, fresh); d != "" {
					t.Fatalf("step %d (%s): the updated workspace differs from a fresh scan (-updated +fresh):\n%s", step, what, d)
				}
			}
		})
	}
}

// languageIDs are the editor's language of the files the sequences open, by extension.
var languageIDs = map[string]string{".tf": "terraform", ".go": "go", ".py": "python", ".ts": "typescript",
	".java": "java", ".cs": "csharp", ".md": "markdown"}

func writeFile(t *testing.T, dir, key string, text []byte) {
	t.Helper()
	p := filepath.Join(dir, key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, text, 0o644); err != nil {
		t.Fatal(err)
	}
}

// minimalEdit is the one edit that turns old into next.
func minimalEdit(old, next []byte) parse.Edit {
	p := 0
	for p < len(old) && p < len(next) && old[p] == next[p] {
		p++
	}
	s := 0
	for s < len(old)-p && s < len(next)-p && old[len(old)-1-s] == next[len(next)-1-s] {
		s++
	}
	return parse.Edit{Start: p, End: len(old) - s, Text: string(next[p : len(next)-s])}
}

// swaps are tokens an edit may turn into one another: each changes what some analyzer reads.
var swaps = [][2]string{
	{"true", "false"}, {"0.0.0.0/0", "10.0.0.0/8"}, {"redis://cache", "redis://queue"},
	{"LoadBalancer", "ClusterIP"}, {"5432", "6379"}, {"https", "http"}, {"api", "web"},
	{"orders-db", "orders-cache"}, {"AES256", "aws:kms"}, {"private", "public-read"},
	{"runAsNonRoot: true", "runAsNonRoot: false"}, {"postgres", "mysql"}, {"-->", "---"},
}

// mutate makes one random edit of text, and says what it did.
func mutate(r *rand.Rand, text []byte) ([]byte, string) {
	lines := bytes.SplitAfter(text, []byte("\n"))
	switch op := r.Intn(10); {
	case op < 5:
		var hits [][2]int // offset, swap index (negative: reversed)
		for i, sw := range swaps {
			for _, dir := range []int{0, 1} {
				from := sw[dir]
				for off := 0; ; {
					j := bytes.Index(text[off:], []byte(from))
					if j < 0 {
						break
					}
					hits = append(hits, [2]int{off + j, i*2 + dir})
					off += j + len(from)
				}
			}
		}
		if len(hits) > 0 {
			h := hits[r.Intn(len(hits))]
			sw := swaps[h[1]/2]
			from, to := sw[h[1]%2], sw[1-h[1]%2]
			out := append(append(append([]byte(nil), text[:h[0]]...), to...), text[h[0]+len(from):]...)
			return out, fmt.Sprintf("%q → %q at %d", from, to, h[0])
		}
		fallthrough
	case op < 7 && len(lines) > 1:
		i := r.Intn(len(lines))
		out := bytes.Join(append(append([][]byte(nil), lines[:i]...), lines[i+1:]...), nil)
		return out, fmt.Sprintf("line %d deleted", i+1)
	case op < 8 && len(lines) > 1:
		i := r.Intn(len(lines))
		ls := append(append(append([][]byte(nil), lines[:i+1]...), lines[i]), lines[i+1:]...)
		return bytes.Join(ls, nil), fmt.Sprintf("line %d duplicated", i+1)
	case op < 9 && len(lines) > 4:
		i := r.Intn(len(lines) - 2)
		n := 1 + r.Intn(min(6, len(lines)-i-1))
		block := lines[i : i+n]
		rest := append(append([][]byte(nil), lines[:i]...), lines[i+n:]...)
		j := r.Intn(len(rest) + 1)
		ls := append(append(append([][]byte(nil), rest[:j]...), block...), rest[j:]...)
		return bytes.Join(ls, nil), fmt.Sprintf("lines %d-%d moved to %d", i+1, i+n, j+1)
	default:
		off := r.Intn(len(text) + 1)
		c := []string{"{", "}", "x", ":", "\"", "\n", "  ", "[", "-", "#"}[r.Intn(10)]
		return append(append(append([]byte(nil), text[:off]...), c...), text[off:]...), fmt.Sprintf("%q typed at %d", c, off)
	}
}

// A first load in batches (each batch's model made while the next is read, units that grow
// linked at the end) makes the model that a load of every file at once makes: Terraform
// stacks and their modules cut across batches, a namespace of every manifest, compose files
// and documents.
func TestLoadInBatchesIsLoadWhole(t *testing.T) {
	for _, c := range []struct {
		name  string
		files []corpus.File
	}{
		{"system", corpus.System(corpus.Spec{Seed: corpusSeed, Stacks: 2})},
		{"one namespace", corpus.Scale(640, true)},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := corpus.Write(dir, c.files); err != nil {
				t.Fatal(err)
			}
			load := func(batch int, budget int64) *engine.Snapshot {
				defer engine.SetLoadBatch(batch)()
				cfg := engine.DefaultConfig()
				cfg.SyntaxBudget = budget
				snap, err := newEngine(t).Workspace(dir, cfg).Load(context.Background(), nil)
				if err != nil {
					t.Fatal(err)
				}
				return snap
			}
			whole := load(1<<30, 0)
			for _, batch := range []int{3, 64} {
				if d := diffSnapshots(whole, load(batch, 8<<10)); d != "" {
					t.Errorf("a load %d files at a time differs from a load of every file at once:\n%s", batch, d)
				}
			}
		})
	}
}

// Editing while a load in batches runs — files opened, typed into and closed, the server's
// updates running meanwhile on a goroutine of their own — ends in the model that a fresh
// load of the same texts makes.
func TestEditingDuringALoadInBatches(t *testing.T) {
	defer engine.SetLoadBatch(16)()
	base := corpus.Scale(640, false)
	dir := t.TempDir()
	if _, err := corpus.Write(dir, base); err != nil {
		t.Fatal(err)
	}
	texts := map[string][]byte{}
	var keys []string
	for _, f := range base {
		texts[f.Path] = f.Text
		keys = append(keys, f.Path)
	}
	sort.Strings(keys)
	ws := newEngine(t).Workspace(dir, engine.DefaultConfig())
	stop := make(chan struct{})
	updated := make(chan struct{})
	go func() { // the server's updater
		defer close(updated)
		for {
			select {
			case <-stop:
				return
			default:
				ws.Update()
				time.Sleep(3 * time.Millisecond)
			}
		}
	}()
	r := rand.New(rand.NewSource(7))
	open := map[string]int32{}
	var mu sync.Mutex // progress is called from the load's readers
	_, err := ws.Load(context.Background(), func(done, total int) {
		if done%20 != 0 {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		key := keys[r.Intn(len(keys))]
		lang := "terraform"
		if strings.HasSuffix(key, ".yaml") {
			lang = "yaml"
		}
		next, _ := mutate(r, texts[key])
		v, isOpen := open[key]
		switch {
		case !isOpen:
			if err := ws.StageOpen(key, lang, 1, next); err != nil {
				t.Error(err)
			}
			open[key] = 1
		case r.Intn(4) == 0:
			ws.StageClose(key) // its text on disk is the file's again
			delete(open, key)
			return
		default:
			if err := ws.Stage(key, v+1, []parse.Edit{minimalEdit(texts[key], next)}); err != nil {
				t.Error(err)
			}
			open[key] = v + 1
		}
		texts[key] = next
	})
	close(stop)
	<-updated
	if err != nil {
		t.Fatal(err)
	}
	got := ws.Snapshot()
	// The same texts, loaded afresh: the open files' texts written to a copy of the disk.
	fresh := t.TempDir()
	var final []corpus.File
	for _, k := range keys {
		text := texts[k]
		if _, isOpen := open[k]; !isOpen {
			text, err = os.ReadFile(filepath.Join(dir, filepath.FromSlash(k)))
			if err != nil {
				t.Fatal(err)
			}
		}
		final = append(final, corpus.File{Path: k, Text: text})
	}
	if _, err := corpus.Write(fresh, final); err != nil {
		t.Fatal(err)
	}
	want, err := newEngine(t).Workspace(fresh, engine.DefaultConfig()).Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffSnapshots(want, got); d != "" {
		t.Errorf("after editing %d files during the load, the model differs from a fresh load of the same texts:\n%s", len(open), d)
	}
}

// diffSnapshots compares what two snapshots say: every finding, every element, the paths, and
// the byte offsets of their places (a fix edits at them; a span prints as a line and a column).
func diffSnapshots(a, b *engine.Snapshot) string {
	var out []string
	af, bf := renderFindings(a.Findings()), renderFindings(b.Findings())
	out = append(out, diffLines("finding", af, bf)...)
	out = append(out, diffLines("element", renderElements(a.Graph()), renderElements(b.Graph()))...)
	out = append(out, diffLines("place", offsets(a), offsets(b))...)
	if len(out) > 8 {
		out = append(out[:8], fmt.Sprintf("… and %d more", len(out)-8))
	}
	return strings.Join(out, "\n")
}

func diffLines(what string, a, b []string) []string {
	in := map[string]int{}
	for _, s := range a {
		in[s]++
	}
	for _, s := range b {
		in[s]--
	}
	var out []string
	for s, n := range in {
		switch {
		case n > 0:
			out = append(out, "- "+what+": "+s)
		case n < 0:
			out = append(out, "+ "+what+": "+s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][2:] < out[j][2:] })
	return out
}

func renderFindings(fs []model.Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		supp := ""
		if f.Suppressed != nil {
			supp = " suppressed by " + f.Suppressed.Span.String()
		}
		out[i] = fmt.Sprintf("%s %s %s %s %s %q related=%v evidence=%v%s", f.Span, f.ThreatID, f.Severity, f.Confidence,
			f.Element, f.Message, f.Related, f.Evidence, supp)
	}
	return out
}

func renderElements(g *model.Graph) []string {
	var out []string
	for _, e := range g.Elements() {
		var attrs strings.Builder
		for k, a := range e.Attrs.All() {
			fmt.Fprintf(&attrs, " %s=%v(%s@%v)", k, a.Value, a.Origin, a.Span)
		}
		out = append(out, fmt.Sprintf("%s %s %s %q %s>%s %v%s members=%v sources=%v related=%d zone=%s in=%d out=%d reach=%v paths=%d",
			e.ID, e.Kind, e.Type, e.Name, e.From, e.To, e.Span, attrs.String(), e.Members, e.Sources, len(e.Related),
			g.ZoneID(e.ID), len(g.Inbound(e.ID)), len(g.Outbound(e.ID)), g.ReachableFromInternet(e.ID), len(g.PathsThrough(e.ID))))
	}
	return out
}

// offsets lists every place of a snapshot's elements and findings with its byte offsets
// (a Span prints as a line and a column).
func offsets(s *engine.Snapshot) []string {
	at := func(sp model.Span) string {
		return fmt.Sprintf("%s@%d-%d", sp, sp.Start.Offset, sp.End.Offset)
	}
	var out []string
	for _, e := range s.Graph().Elements() {
		out = append(out, e.ID+" "+at(e.Span)+" "+at(e.Head))
		for k, a := range e.Attrs.All() {
			out = append(out, e.ID+"."+k+" "+at(a.Span))
		}
		for _, r := range e.Related {
			out = append(out, e.ID+" related "+at(r.Span))
		}
	}
	for _, f := range s.Findings() {
		out = append(out, f.ThreatID+"@"+f.Element+" "+at(f.Span))
		for _, ev := range f.Evidence {
			out = append(out, f.ThreatID+"@"+f.Element+" evidence "+at(ev.Span))
		}
	}
	return out
}

// An edit of one Terraform module or one namespace's manifests leaves every element of the
// others as it was, pointer for pointer: nothing else is re-linked or re-evaluated.
func TestEditRelinksOnlyItsScope(t *testing.T) {
	ws, _, _, before := loadSystem(t, newEngine(t), 2)
	var tf, k8s string
	for _, k := range before.Files() {
		switch {
		case tf == "" && strings.HasSuffix(k, "/network/main.tf"):
			tf = k
		case k8s == "" && strings.HasSuffix(k, "/k8s/api.yaml"):
			k8s = k
		}
	}
	if tf == "" || k8s == "" {
		t.Fatalf("the corpus has no network module or api manifest: %v", before.Files())
	}
	for _, key := range []string{tf, k8s} {
		text := before.File(key).Text
		lang := "yaml"
		if strings.HasSuffix(key, ".tf") {
			lang = "terraform"
		}
		if _, err := ws.Open(key, lang, 1, text); err != nil {
			t.Fatal(err)
		}
		at := bytes.Index(text, []byte("\n")) // the end of the first line: a comment or a key
		after, err := ws.Change(key, 2, []parse.Edit{{Start: at, End: at, Text: " "}})
		if err != nil {
			t.Fatal(err)
		}
		stack := strings.Join(strings.SplitN(key, "/", 3)[:2], "/") + "/"
		kept, remade := 0, 0
		for _, e := range before.Graph().Elements() {
			if strings.HasPrefix(e.Span.File, stack) || e.Kind == model.Path || model.Format(e.ID) == "actor" || e.ID == model.InternetZone {
				continue
			}
			if after.Element(e.ID) == e {
				kept++
			} else {
				remade++
				t.Errorf("editing %s remade %s (%s)", key, e.ID, e.Span)
			}
		}
		if kept == 0 || remade > 0 {
			t.Fatalf("editing %s: %d elements of the other stack kept, %d remade", key, kept, remade)
		}
		before = after
	}
}

// An update that panics — in an analyzer's hook the engine does not recover, such as Joins,
// or in the model — loses nothing: the next update builds the model again from every file,
// and holds the edit the failed one was for, as a fresh load of the same texts does. The
// snapshot it makes says what changed since the last one a reader holds. (Before, the failed
// update's files were taken and forgotten: the next update returned the last snapshot, and
// every later one was made from a half-updated state.)
func TestUpdateAfterAPanicRebuilds(t *testing.T) {
	var fail atomic.Bool
	ws, _, files, before := loadSystem(t, engine.PanickyJoins(t, func(*model.FileFacts) bool { return fail.Load() }), 1)
	var key string
	for _, k := range before.Files() {
		if strings.HasSuffix(k, ".tf") {
			key = k
			break
		}
	}
	text := before.File(key).Text
	edited := append(append([]byte(nil), text...), "\nresource \"aws_s3_bucket\" \"added_after_a_panic\" {\n  bucket = \"added\"\n}\n"...)
	if _, err := ws.Open(key, "terraform", 1, text); err != nil {
		t.Fatal(err)
	}
	opened := ws.Snapshot()
	fail.Store(true)
	if r := panics(func() {
		ws.Change(key, 2, []parse.Edit{{Start: len(text), End: len(text), Text: string(edited[len(text):])}})
	}); r == nil {
		t.Fatal("the update did not panic: the test's analyzer does not reach it")
	}
	fail.Store(false)
	got := ws.Update()
	if f := got.File(key); f == nil || f.Version != 2 {
		t.Fatalf("after a panicking update, the next one does not hold the edit: %s is not at version 2", key)
	}
	fresh := t.TempDir()
	if _, err := corpus.Write(fresh, files); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fresh, filepath.FromSlash(key)), edited, 0o644); err != nil {
		t.Fatal(err)
	}
	want, err := engine.PanickyJoins(t, func(*model.FileFacts) bool { return fail.Load() }).Workspace(fresh, engine.DefaultConfig()).Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffSnapshots(want, got); d != "" {
		t.Errorf("the model after a panicking update differs from a fresh load of the same texts:\n%s", d)
	}
	if !slices.Contains(got.ChangedSince(opened), key) {
		t.Errorf("the rebuilt snapshot does not say that %s changed since the last one (%v)", key, got.ChangedSince(opened))
	}
}

// panics runs f and returns what it panicked with, nil if it did not.
func panics(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

// FindingFilesOf names, for every element, exactly the files that hold findings about it, after
// a load and after edits that add, change and remove what elements have findings, and a file
// deleted (the index follows each update).
func TestFindingFilesOfIsFindings(t *testing.T) {
	ws, dir, _, snap := loadSystem(t, newEngine(t), 1)
	seen := map[string]bool{"terraform:no/such.element": true} // every element checked so far: one may lose its findings
	check := func(when string, snap *engine.Snapshot) {
		t.Helper()
		want := map[string][]string{}
		for _, f := range snap.Findings() {
			if !slices.Contains(want[f.Element], f.Span.File) {
				want[f.Element] = append(want[f.Element], f.Span.File)
			}
		}
		if len(want) < 20 {
			t.Fatalf("%s: findings of only %d elements: the corpus no longer has what the test needs", when, len(want))
		}
		for id := range want {
			seen[id] = true
		}
		for _, id := range slices.Sorted(maps.Keys(seen)) {
			slices.Sort(want[id])
			if got := snap.FindingFilesOf(id); !slices.Equal(got, want[id]) {
				t.Errorf("%s: FindingFilesOf(%s) = %v, want %v", when, id, got, want[id])
			}
		}
	}
	check("after the load", snap)
	var tf string
	for _, k := range snap.Files() {
		if strings.HasSuffix(k, ".tf") && len(snap.FindingsIn(k)) > 0 {
			tf = k
			break
		}
	}
	text := snap.File(tf).Text
	if _, err := ws.Open(tf, "terraform", 1, text); err != nil {
		t.Fatal(err)
	}
	added := "\nresource \"aws_s3_bucket\" \"indexed\" {\n  bucket = \"indexed\"\n}\n"
	s2, err := ws.Change(tf, 2, []parse.Edit{{Start: len(text), End: len(text), Text: added}})
	if err != nil {
		t.Fatal(err)
	}
	check("after a bucket was added", s2)
	s3, err := ws.Change(tf, 3, []parse.Edit{{Start: 0, End: len(text) + len(added), Text: ""}})
	if err != nil {
		t.Fatal(err)
	}
	check("after the file was emptied", s3)
	if _, err := ws.Close(tf); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(tf))); err != nil {
		t.Fatal(err)
	}
	s4, err := ws.Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	check("after the file was deleted", s4)
}

// loadSystem writes a generated system of stacks stacks (Terraform, manifests, compose files,
// documents) to a directory and loads it with eng.
func loadSystem(t *testing.T, eng *engine.Engine, stacks int) (*engine.Workspace, string, []corpus.File, *engine.Snapshot) {
	t.Helper()
	dir := t.TempDir()
	files := corpus.System(corpus.Spec{Seed: corpusSeed, Stacks: stacks})
	if _, err := corpus.Write(dir, files); err != nil {
		t.Fatal(err)
	}
	ws := eng.Workspace(dir, engine.DefaultConfig())
	snap, err := ws.Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return ws, dir, files, snap
}
