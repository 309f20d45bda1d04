package engine_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/all"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/engine/corpus"
	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// Benchmarks of the two costs a user feels: scanning a repository (the CLI, and a server's
// start-up) and the wait between a keystroke and its diagnostics. Each reports its result as a
// ratio to bare tree-sitter parsing of the same text, measured in the same process, so that
// numbers from different machines and runs can be compared:
//
//	go test -run '^$' -bench . ./engine/
//	go test -run '^$' -bench Edit -benchtime 500x ./engine/   # enough samples for a p99
//	THREATLS_BENCH_LONG=1 go test -run '^$' -bench Scan ./engine/   # a 5× larger estate
//
// Targets: scan ≤ 3× parse; edit → diagnostics p99 ≤ 50 ms.

var long = flag.Bool("long", false, "benchmark a 5× larger estate (also THREATLS_BENCH_LONG=1)")

func longRun() bool { return *long || os.Getenv("THREATLS_BENCH_LONG") == "1" }

const (
	corpusSeed = corpus.Seed
	largeLines = 5000
)

// benchSpec is the estate the scan benchmarks read: 224 files (about 1 MB), or 1,120 with -long.
func benchSpec() corpus.Spec {
	if longRun() {
		return corpus.Spec{Seed: corpusSeed, Stacks: 35}
	}
	return corpus.Spec{Seed: corpusSeed, Stacks: 7}
}

func newEngine(tb testing.TB) *engine.Engine {
	tb.Helper()
	lib, err := knowledge.Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	return engine.New(lib, all.Analyzers(), nil)
}

// parseAll parses every text with the HCL grammar and closes each tree, on as many goroutines
// as Workspace.Load uses, so that the scan's ratio to it measures the pipeline, not parallelism.
func parseAll(tb testing.TB, texts [][]byte) {
	var wg sync.WaitGroup
	jobs := make(chan []byte)
	errs := make(chan error, 1)
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for text := range jobs {
				t, err := parse.Parse(context.Background(), parse.HCL, text)
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					continue
				}
				t.Close()
			}
		}()
	}
	for _, text := range texts {
		jobs <- text
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		tb.Fatal(err)
	default:
	}
}

// fastest returns the shortest of n timed runs of f.
func fastest(n int, f func()) time.Duration {
	best := time.Duration(1<<63 - 1)
	for range n {
		t0 := time.Now()
		f()
		best = min(best, time.Since(t0))
	}
	return best
}

func mbPerSec(bytes int64, d time.Duration) float64 { return float64(bytes) / 1e6 / d.Seconds() }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// percentile returns the p-th percentile (0–100) of ds by the nearest-rank method; ds is sorted
// in place.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(float64(len(ds))*p/100+0.5) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}

// BenchmarkScan scans the generated estate: parse is the baseline (parse.Parse of every file,
// trees closed), scan is Workspace.Load (read, parse, extract, link, evaluate, suppress) over
// the same directory, reported as a ratio to the baseline timed in its own set-up. stages
// times the pipeline's steps one after the other on one goroutine, to show where scan's time
// goes.
func BenchmarkScan(b *testing.B) {
	dir := b.TempDir()
	files := corpus.Terraform(benchSpec())
	stats, err := corpus.Write(dir, files)
	if err != nil {
		b.Fatal(err)
	}
	texts := make([][]byte, len(files))
	for i, f := range files {
		texts[i] = f.Text
	}
	eng := newEngine(b)

	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			parseAll(b, texts)
		}
		per := b.Elapsed() / time.Duration(b.N)
		b.ReportMetric(mbPerSec(stats.Bytes, per), "MB/s")
		b.ReportMetric(float64(stats.Files), "files")
	})

	b.Run("scan", func(b *testing.B) {
		base := fastest(3, func() { parseAll(b, texts) })
		var snap *engine.Snapshot
		for b.Loop() {
			snap, err = eng.Workspace(dir, engine.DefaultConfig()).Load(context.Background(), nil)
			if err != nil {
				b.Fatal(err)
			}
		}
		per := b.Elapsed() / time.Duration(b.N)
		ratio := float64(per) / float64(base)
		b.ReportMetric(mbPerSec(stats.Bytes, per), "MB/s")
		b.ReportMetric(ratio, "ratio-to-parse")
		b.ReportMetric(float64(len(snap.Findings())), "findings")
		b.Logf("scan of %s (GOMAXPROCS=%d): %.1f ms, %.1f MB/s; parse %.1f ms, %.1f MB/s; ratio %.2f (target ≤ 3); %d elements, %d findings",
			stats, runtime.GOMAXPROCS(0), ms(per), mbPerSec(stats.Bytes, per), ms(base), mbPerSec(stats.Bytes, base),
			ratio, len(snap.Graph().Elements()), len(snap.Findings()))
	})

	b.Run("stages", func(b *testing.B) {
		lib := eng.Library()
		var a analyzers.Analyzer
		for _, x := range all.Analyzers() {
			if x.Name() == "terraform" {
				a = x
			}
		}
		var parseT, extractT, linkT, evalT time.Duration
		for b.Loop() {
			facts := make([]*model.FileFacts, len(files))
			for i, f := range files {
				t0 := time.Now()
				tree, err := parse.Parse(context.Background(), a.Lang(), f.Text)
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				facts[i] = a.Extract(tree, f.Path)
				parseT += t1.Sub(t0)
				extractT += time.Since(t1)
				tree.Close()
			}
			t0 := time.Now()
			g := model.NewGraph(a.Link(facts))
			t1 := time.Now()
			findings := lib.Evaluate(g, nil)
			linkT += t1.Sub(t0)
			evalT += time.Since(t1)
			_ = findings
		}
		n := time.Duration(b.N)
		b.ReportMetric(ms(parseT/n), "parse-ms")
		b.ReportMetric(ms(extractT/n), "extract-ms")
		b.ReportMetric(ms(linkT/n), "link-ms")
		b.ReportMetric(ms(evalT/n), "eval-ms")
	})
}

// editAt returns the i-th edit of the edit benchmarks: alternately insert and delete one
// character at off, inside a string literal, so that the text stays valid and returns to the
// original after every second edit.
func editAt(off, i int) []parse.Edit {
	if i%2 == 0 {
		return []parse.Edit{{Start: off, End: off, Text: "x"}}
	}
	return []parse.Edit{{Start: off, End: off + 1}}
}

// reparse is the p50 of tree-sitter's incremental reparse of the edits BenchmarkEdit types at
// off in text.
func reparse(tb testing.TB, text []byte, off int) time.Duration {
	return percentile(reparseLatencies(tb, text, off, 50), 50)
}

// decodeYAML is the time a YAML library takes to decode every document of text, the median
// of five: what a YAML edit would cost if nothing but the documents were read again.
func decodeYAML(tb testing.TB, text []byte) time.Duration {
	var lat []time.Duration
	for range 5 {
		t0 := time.Now()
		if err := corpus.DecodeYAML(text); err != nil {
			tb.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	return percentile(lat, 50)
}

// reparseLatencies applies n edits to a fresh Document of text and returns each one's latency.
func reparseLatencies(tb testing.TB, text []byte, off, n int) []time.Duration {
	doc, err := parse.NewDocument(context.Background(), parse.HCL, text)
	if err != nil {
		tb.Fatal(err)
	}
	defer doc.Close()
	lat := make([]time.Duration, 0, n)
	for i := range n {
		t0 := time.Now()
		if err := doc.Apply(context.Background(), editAt(off, i)); err != nil {
			tb.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	return lat
}

// BenchmarkEdit measures the latency from a one-character edit of an open 5,000-line file to
// its new diagnostics (Workspace.Change returns the snapshot that holds them). reparse is the
// baseline (Document.Apply of the same edit alone); change has the file open in a workspace of
// its own; change-in-estate has it open in a workspace that also holds the scanned estate, as a
// server in a real repository would. Every iteration's latency is recorded; p50-ms and p99-ms
// are their percentiles (the p99 needs a few hundred iterations: -benchtime 500x).
func BenchmarkEdit(b *testing.B) {
	text, off := corpus.LargeFile(corpusSeed, largeLines)
	eng := newEngine(b)

	b.Run("reparse", func(b *testing.B) {
		doc, err := parse.NewDocument(context.Background(), parse.HCL, text)
		if err != nil {
			b.Fatal(err)
		}
		defer doc.Close()
		var lat []time.Duration
		i := 0
		for b.Loop() {
			t0 := time.Now()
			if err := doc.Apply(context.Background(), editAt(off, i)); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
			i++
		}
		b.ReportMetric(ms(percentile(lat, 50)), "p50-ms")
		b.ReportMetric(ms(percentile(lat, 99)), "p99-ms")
	})

	// change types at off in text, open as key in ws; base is what the same edit costs bare
	// parsing (or decoding) alone, reported as the ratio to it.
	change := func(b *testing.B, ws *engine.Workspace, key, lang string, text []byte, off int, base time.Duration) {
		lines := bytes.Count(text, []byte("\n"))
		if _, err := ws.Open(key, lang, 1, text); err != nil {
			b.Fatal(err)
		}
		defer ws.Close(key) // its tree: 360 MB of C memory for the 5 MB file
		var lat []time.Duration
		var evals []int64 // the elements each edit evaluated
		version := int32(1)
		findings := 0
		for b.Loop() {
			t0 := time.Now()
			version++
			n := engine.Evaluated(eng)
			snap, err := ws.Change(key, version, editAt(off, int(version)))
			if err != nil {
				b.Fatal(err)
			}
			findings = len(snap.File(key).Findings)
			lat = append(lat, time.Since(t0))
			evals = append(evals, engine.Evaluated(eng)-n)
		}
		p50, p99 := percentile(lat, 50), percentile(lat, 99)
		ratio := float64(p50) / float64(base)
		b.ReportMetric(ms(p50), "p50-ms")
		b.ReportMetric(ms(p99), "p99-ms")
		b.ReportMetric(ratio, "ratio-to-base")
		// The elements an edit evaluates again (the median: the first edit of a file builds
		// what it keeps).
		slices.Sort(evals)
		b.ReportMetric(float64(evals[len(evals)/2]), "evaluated/edit")
		b.Logf("edit of a %d-line, %d KB file in a workspace of %d files: p50 %.2f ms, p99 %.2f ms over %d edits; baseline %.2f ms; ratio %.1f; %d findings in the file; %d elements evaluated an edit (median)",
			lines, len(text)/1024, len(ws.Snapshot().Files()), ms(p50), ms(p99), len(lat), ms(base), ratio, findings, evals[len(evals)/2])
	}

	b.Run("change", func(b *testing.B) {
		change(b, eng.Workspace("", engine.DefaultConfig()), "monolith/main.tf", "terraform", text, off, reparse(b, text, off))
	})

	// A file just under the default size limit (5 MB, about 170,000 lines): the issue's
	// 5 MB case, a keystroke's cost where the file alone is large — in its middle, and (-long)
	// near its top and its end: what follows an edit moves.
	big, mid := corpus.LargeFile(corpusSeed, 5<<20/30)
	for len(big) > 5<<20 {
		big, mid = corpus.LargeFile(corpusSeed, bytes.Count(big, []byte("\n"))*95/100)
	}
	for _, c := range []struct {
		name string
		at   int
	}{
		{"change-5MB", mid},
		// In a bucket's name, which the model reads: the module is built again (the
		// description of change-5MB is read by nothing, and its last elements are moved).
		{"change-5MB-read", corpus.NamePointNear(big, mid)},
		{"change-5MB-top", corpus.StringPointNear(big, 20000)},
		{"change-5MB-end", corpus.StringPointNear(big, len(big)-2000)},
	} {
		if c.name != "change-5MB" && c.name != "change-5MB-read" && !longRun() {
			continue
		}
		b.Run(c.name, func(b *testing.B) {
			change(b, eng.Workspace("", engine.DefaultConfig()), "monolith/main.tf", "terraform", big, c.at, reparse(b, big, c.at))
		})
	}

	// The same size as YAML: the manifests of a whole cluster in one stream.
	yaml, at := corpus.LargeManifest(corpusSeed, 5<<20-64<<10)
	b.Run("change-5MB-yaml", func(b *testing.B) {
		change(b, eng.Workspace("", engine.DefaultConfig()), "cluster/all.yaml", "yaml", yaml, at, decodeYAML(b, yaml))
	})

	b.Run("change-in-estate", func(b *testing.B) {
		dir := b.TempDir()
		if _, err := corpus.Write(dir, corpus.Terraform(benchSpec())); err != nil {
			b.Fatal(err)
		}
		ws := eng.Workspace(dir, engine.DefaultConfig())
		if _, err := ws.Load(context.Background(), nil); err != nil {
			b.Fatal(err)
		}
		change(b, ws, "stacks/monolith/main.tf", "terraform", text, off, reparse(b, text, off))
	})
}

// TestCorpusScans checks that the generated corpus is what the benchmarks need: identical on
// every run, valid Terraform as our parser sees it (no TLS-001), its suppressions well formed
// and used, and findings from every threat family it was written to exercise.
func TestCorpusScans(t *testing.T) {
	spec := corpus.Spec{Seed: corpusSeed, Stacks: 2}
	files := corpus.Terraform(spec)
	again := corpus.Terraform(spec)
	if len(files) != len(again) {
		t.Fatalf("the corpus is not deterministic: %d files, then %d", len(files), len(again))
	}
	for i := range files {
		if files[i].Path != again[i].Path || !bytes.Equal(files[i].Text, again[i].Text) {
			t.Fatalf("the corpus is not deterministic: %s differs between two generations", files[i].Path)
		}
	}
	dir := t.TempDir()
	stats, err := corpus.Write(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	eng := newEngine(t)
	snap, err := eng.Workspace(dir, engine.DefaultConfig()).Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(snap.Files()); n != stats.Files {
		t.Errorf("the scan read %d files, want %d", n, stats.Files)
	}
	for _, s := range snap.Skipped() {
		t.Errorf("skipped %s: %s", s.File, s.Reason)
	}
	families := map[string]int{}
	for _, f := range snap.Findings() {
		switch f.ThreatID {
		case knowledge.MetaParse, knowledge.MetaIgnoreReason, knowledge.MetaIgnoreUnused, knowledge.MetaIgnoreExpiry:
			t.Errorf("%s: %s %s", f.Span, f.ThreatID, f.Message)
		}
		families[family(f.ThreatID)]++
	}
	t.Logf("%s: %d elements, %d findings by family %v", stats, len(snap.Graph().Elements()), len(snap.Findings()), families)
	for _, fam := range []string{"AWS-S3", "AWS-RDS", "AWS-SG", "AWS-IAM"} {
		if families[fam] == 0 {
			t.Errorf("no %s finding: the corpus no longer exercises that family", fam)
		}
	}
	suppressed := 0
	for _, f := range snap.Findings() {
		if f.Suppressed != nil {
			suppressed++
		}
	}
	if suppressed == 0 {
		t.Error("no suppressed finding: the corpus's threatls:ignore comments match nothing")
	}

	// The large file parses cleanly, and so does every text the edit benchmarks produce.
	text, off := corpus.LargeFile(corpusSeed, largeLines)
	if n := bytes.Count(text, []byte("\n")); n < largeLines {
		t.Errorf("the large file has %d lines, want at least %d", n, largeLines)
	}
	ws := eng.Workspace("", engine.DefaultConfig())
	const key = "monolith/main.tf"
	s, err := ws.Open(key, "terraform", 1, text)
	if err != nil {
		t.Fatal(err)
	}
	before := ids(s.File(key).Findings)
	for i := range 2 {
		if s, err = ws.Change(key, int32(i+2), editAt(off, i)); err != nil {
			t.Fatal(err)
		}
		for _, f := range s.File(key).Findings {
			if f.ThreatID == knowledge.MetaParse {
				t.Errorf("after edit %d: %s %s", i, f.Span, f.Message)
			}
		}
	}
	if !bytes.Equal(s.File(key).Text, text) {
		t.Error("an insertion and a deletion did not restore the large file")
	}
	if after := ids(s.File(key).Findings); !slices.Equal(before, after) {
		t.Errorf("editing a description changed the findings: %d before, %d after", len(before), len(after))
	}
}

// family returns the family of a threat ID: "AWS-S3" for AWS-S3-001.
func family(id string) string {
	if i := strings.LastIndexByte(id, '-'); i > 0 {
		return id[:i]
	}
	return id
}

func ids(fs []model.Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.ThreatID + "@" + f.Element
	}
	sort.Strings(out)
	return out
}

// BenchmarkModelEdit measures what an edit costs when the model is a whole system: a
// workspace of over 2,000 files (Terraform stacks with their manifests, compose files and
// design documents), one file edited — a manifest's environment variable that names the
// service a flow goes to, changed back and forth; a character in a Terraform file — and the
// model rebuilt and re-evaluated. Its baseline is parsing the edited file.
func BenchmarkModelEdit(b *testing.B) {
	spec := corpus.Spec{Seed: corpusSeed, Stacks: 56} // 56 × (32 + 8) files
	files := corpus.System(spec)
	dir := b.TempDir()
	stats, err := corpus.Write(dir, files)
	if err != nil {
		b.Fatal(err)
	}
	eng := newEngine(b)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	ws := eng.Workspace(dir, engine.DefaultConfig())
	snap, err := ws.Load(context.Background(), nil)
	if err != nil {
		b.Fatal(err)
	}
	loadT := time.Since(t0)
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)

	type result struct{ p50, p99, model, eval time.Duration }
	// measure edits key with the edits of round i, alternately, and times each edit → model →
	// findings; base is the parse of the edited file alone.
	measure := func(b *testing.B, key, languageID string, edit func(i int) []parse.Edit) result {
		if _, err := ws.Open(key, languageID, 1, snap.File(key).Text); err != nil {
			b.Fatal(err)
		}
		defer ws.Close(key)
		var lat []time.Duration
		var model, eval time.Duration
		version := int32(1)
		for b.Loop() {
			t0 := time.Now()
			version++
			s, err := ws.Change(key, version, edit(int(version)))
			if err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
			model += s.Timings().Model
			eval += s.Timings().Eval
		}
		n := time.Duration(len(lat))
		return result{percentile(lat, 50), percentile(lat, 99), model / n, eval / n}
	}
	report := func(b *testing.B, what string, r result, base time.Duration) {
		s := ws.Snapshot()
		b.ReportMetric(ms(r.p50), "p50-ms")
		b.ReportMetric(ms(r.p99), "p99-ms")
		b.ReportMetric(float64(r.p50)/float64(max(base, time.Microsecond)), "ratio-to-parse")
		b.ReportMetric(float64(after.HeapInuse-min(after.HeapInuse, before.HeapInuse))/1e6, "heap-MB")
		b.ReportMetric(ms(r.model), "model-ms")
		b.ReportMetric(ms(r.eval), "eval-ms")
		b.Logf("workspace of %s: load %.1f s, %d elements, %d paths, %d findings, heap %.0f MB; %s → model + findings p50 %.2f ms, p99 %.2f ms (target ≤ 50), of which model.Build %.2f ms and evaluation %.2f ms on average; parsing the edited file %.3f ms (edit p50 / parse = %.0f)",
			stats, loadT.Seconds(), len(s.Graph().Elements()), len(s.Graph().Paths()), len(s.Findings()),
			float64(after.HeapInuse-min(after.HeapInuse, before.HeapInuse))/1e6, what, ms(r.p50), ms(r.p99),
			ms(r.model), ms(r.eval), ms(base), float64(r.p50)/float64(max(base, time.Microsecond)))
	}

	b.Run("manifest", func(b *testing.B) {
		// Alternately point REDIS_URL at the queue and back at the cache: a flow changes ends.
		key := "stacks/prod-eu-west-1/k8s/api.yaml"
		text := snap.File(key).Text
		off := strings.Index(string(text), "redis://cache:6379")
		if off < 0 || eng.AnalyzerFor(key, "", nil) == nil {
			b.Fatal("the edited variable is not in the manifest, or no analyzer reads it")
		}
		// Parsing a manifest is decoding its YAML (tree-sitter's YAML is not used for it).
		base := fastest(20, func() { yamlnode.Parse(text, key) })
		host := off + len("redis://")
		edits := [][]parse.Edit{{{Start: host, End: host + len("cache"), Text: "queue"}},
			{{Start: host, End: host + len("queue"), Text: "cache"}}}
		report(b, "a manifest's REDIS_URL retargeted", measure(b, key, "yaml", func(i int) []parse.Edit { return edits[i%2] }), base)
	})

	b.Run("terraform", func(b *testing.B) {
		// One character typed and removed in a string of a Terraform file of the same workspace.
		var key string
		off := -1
		for _, k := range snap.Files() {
			if strings.HasPrefix(k, "stacks/prod-eu-west-1/") && strings.HasSuffix(k, ".tf") {
				if off = corpus.StringPointNear(snap.File(k).Text, len(snap.File(k).Text)/2); off >= 0 {
					key = k
					break
				}
			}
		}
		if key == "" {
			b.Fatal("no Terraform file of the corpus has a description to type in")
		}
		text := snap.File(key).Text
		base := fastest(20, func() {
			tree, err := parse.Parse(context.Background(), parse.HCL, text)
			if err != nil {
				b.Fatal(err)
			}
			tree.Close()
		})
		report(b, "a character in "+key, measure(b, key, "terraform", func(i int) []parse.Edit { return editAt(off, i) }), base)
	})
}

// BenchmarkSniffJSON measures what looking into every .json for a CloudFormation template's
// content costs a load: a workspace of 5,000 small JSON fixtures and one .tf (json), against
// the same files named .dat, which no analyzer reads by name or content (dat).
//
//	go test -run '^$' -bench SniffJSON -benchtime 5x ./engine/
func BenchmarkSniffJSON(b *testing.B) {
	for _, ext := range []string{"dat", "json"} {
		b.Run(ext, func(b *testing.B) {
			dir := b.TempDir()
			files := []corpus.File{{Path: "main.tf", Text: []byte("resource \"aws_s3_bucket\" \"b\" {}\n")}}
			for i := range 5000 {
				files = append(files, corpus.File{Path: fmt.Sprintf("fixtures/f%d.%s", i, ext),
					Text: fmt.Appendf(nil, `{"id": %d, "name": %q, "items": [1, 2, 3]}`, i, strings.Repeat("x", 200))})
			}
			if _, err := corpus.Write(dir, files); err != nil {
				b.Fatal(err)
			}
			eng := newEngine(b)
			for b.Loop() {
				if _, err := eng.Workspace(dir, engine.DefaultConfig()).Load(context.Background(), nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
