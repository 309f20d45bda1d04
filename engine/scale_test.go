package engine_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/engine/corpus"
)

// The scale corpus is what the issue that asked for it measured: half Terraform, half
// Kubernetes manifests, at 1,000, 5,000 and 20,000 files. Each stack is the Terraform estate's
// (a root module and six child modules, 32 files) beside 32 manifests of its services in a
// namespace of their own: 16 services, a Deployment and a Service each, and a ConfigMap and
// a NetworkPolicy each, naming one another in their environments.

var (
	scaleSizes = flag.String("scale", "", "workspace sizes (files) of BenchmarkScale, comma-separated (default 1000; with -long 1000,5000,20000)")
	scaleHeap  = flag.String("scale.heapprofile", "", "write the heap of each first complete model of BenchmarkScale to FILE-<files>[-one-namespace] (pprof), what it keeps live")
	scaleDump  = flag.String("scale.heapdump", "", "write a heap dump (runtime/debug.WriteHeapDump) of each first complete model of BenchmarkScale to FILE-<files>[-one-namespace]: where its heap is half-used (go run ./measure/heapfrag FILE)")
)

func scaleList() []int {
	spec := *scaleSizes
	if spec == "" {
		spec = "1000"
		if longRun() {
			spec = "1000,5000,20000"
		}
	}
	var out []int
	for _, s := range strings.Split(spec, ",") {
		var n int
		fmt.Sscan(s, &n)
		if n > 0 {
			out = append(out, n)
		}
	}
	return out
}

// BenchmarkScale measures, per workspace size, what the targets are about: the first
// complete model (Load) against bare parsing of the same files, the heap it keeps, and the
// latency from an edit to its findings — a character typed in a Terraform string, a manifest's
// environment variable retargeted, and a character typed inside a Terraform block left
// unclosed. Run it with -long for the curve (1k, 5k, 20k files):
//
//	go test -run '^$' -bench Scale -benchtime 200x ./engine/ -long
func BenchmarkScale(b *testing.B) {
	for _, n := range scaleList() {
		for _, oneNS := range []bool{false, true} {
			name := fmt.Sprintf("files=%d", n)
			if oneNS {
				if n > 5000 && !longRun() {
					continue
				}
				name += "/one-namespace"
			}
			b.Run(name, func(b *testing.B) { benchScale(b, n, oneNS) })
		}
	}
}

// cpuTime is the CPU time the process has used, its own and the kernel's on its behalf.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchScale(b *testing.B, n int, oneNS bool) {
	dir := b.TempDir()
	files := corpus.Scale(n, oneNS)
	stats, err := corpus.Write(dir, files)
	if err != nil {
		b.Fatal(err)
	}
	texts := make([][]byte, 0, len(files))
	for _, f := range files {
		if strings.HasSuffix(f.Path, ".tf") {
			texts = append(texts, f.Text)
		}
	}
	// The baseline: tree-sitter parsing every Terraform file (manifests are decoded, not
	// parsed with tree-sitter: their parse is part of the pipeline's cost).
	base := fastest(2, func() { parseAll(b, texts) })
	eng := newEngine(b)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := cpuTime()
	evaluated := engine.Evaluated(eng)
	t0 := time.Now()
	ws := eng.Workspace(dir, engine.DefaultConfig())
	var read time.Duration // when the last file was read: what follows is the last batch's model
	snap, err := ws.Load(context.Background(), func(done, total int) {
		if done == total {
			read = time.Since(t0)
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	load := time.Since(t0)
	// How many of the machine's cores the load kept busy: CPU time over wall time.
	busy := float64(cpuTime()-cpu0) / float64(load)
	// How many times the load evaluated the library over each element of its model: more
	// than once when an element's findings read what later batches changed.
	evals := float64(engine.Evaluated(eng)-evaluated) / float64(max(1, snap.Graph().Len()))
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if *scaleHeap != "" {
		writeHeap(b, fmt.Sprintf("%s-%d%s", *scaleHeap, n, map[bool]string{true: "-one-namespace"}[oneNS]))
	}
	if *scaleDump != "" {
		writeDump(b, fmt.Sprintf("%s-%d%s", *scaleDump, n, map[bool]string{true: "-one-namespace"}[oneNS]))
	}
	heap := float64(after.HeapInuse-min(after.HeapInuse, before.HeapInuse)) / 1e6
	live := float64(after.HeapAlloc-min(after.HeapAlloc, before.HeapAlloc)) / 1e6
	allocated := float64(after.TotalAlloc-before.TotalAlloc) / 1e6

	tfKey, k8sKey := "", ""
	for _, k := range snap.Files() {
		if tfKey == "" && strings.HasSuffix(k, "/compute/main.tf") {
			tfKey = k
		}
		if k8sKey == "" && strings.Contains(k, "/k8s/") && strings.HasSuffix(k, "svc-03.yaml") {
			k8sKey = k
		}
	}
	if tfKey == "" || k8sKey == "" {
		b.Fatalf("no compute module or svc-03 manifest in the corpus (%q, %q)", tfKey, k8sKey)
	}
	type edit struct {
		name, key, lang string
		setup           func(text []byte) ([]byte, error)
		at              func(i int, text []byte) []parse.Edit
	}
	edits := []edit{
		{name: "terraform-string", key: tfKey, lang: "terraform",
			at: func(i int, text []byte) []parse.Edit {
				return editAt(bytes.Index(text, []byte("description = \""))+len("description = \""), i)
			}},
		{name: "manifest-env", key: k8sKey, lang: "yaml",
			at: func(i int, text []byte) []parse.Edit {
				off := bytes.Index(text, []byte("redis://")) + len("redis://")
				end := off + bytes.IndexByte(text[off:], ':')
				host := string(text[off:end])
				next := strings.Replace(host, "svc-", "svc-x", 1)
				if strings.Contains(host, "svc-x") {
					next = strings.Replace(host, "svc-x", "svc-", 1)
				}
				return []parse.Edit{{Start: off, End: end, Text: next}}
			}},
		{name: "manifest-object", key: k8sKey, lang: "yaml",
			// A Service added at the end of the manifest, selecting its workload; then taken
			// away; and so on.
			at: func(i int, text []byte) []parse.Edit {
				if j := bytes.Index(text, []byte("---\napiVersion: v1\nkind: Service\nmetadata:\n  name: extra-")); j >= 0 {
					return []parse.Edit{{Start: j, End: len(text)}}
				}
				value := func(key string) string {
					j := bytes.Index(text, []byte(key)) + len(key)
					return string(text[j : j+bytes.IndexByte(text[j:], '\n')])
				}
				doc := fmt.Sprintf("---\napiVersion: v1\nkind: Service\nmetadata:\n  name: extra-%s\n  namespace: %s\nspec:\n  type: LoadBalancer\n  selector:\n    app: %[1]s\n  ports:\n    - port: 9090\n",
					value("app: "), value("namespace: "))
				return []parse.Edit{{Start: len(text), End: len(text), Text: doc}}
			}},
		{name: "terraform-unclosed", key: tfKey, lang: "terraform",
			// A block being typed, not closed yet, in the middle of the file; then characters
			// typed inside it.
			setup: func(text []byte) ([]byte, error) {
				mid := bytes.Index(text[len(text)/2:], []byte("\nresource ")) + len(text)/2 + 1
				return append(append(append([]byte(nil), text[:mid]...), "resource \"aws_s3_bucket\" \"typing\" {\n  bucket = \"\"\n"...), text[mid:]...), nil
			},
			at: func(i int, text []byte) []parse.Edit {
				off := bytes.Index(text, []byte("\"typing\" {\n  bucket = \"")) + len("\"typing\" {\n  bucket = \"")
				return editAt(off, i)
			}},
	}
	for _, e := range edits {
		b.Run(e.name, func(b *testing.B) {
			text := snap.File(e.key).Text
			if e.setup != nil {
				text, _ = e.setup(text)
			}
			// Opening the file is its unit's first Link since the load (a large namespace's
			// is built whole then).
			t0 := time.Now()
			if _, err := ws.Open(e.key, e.lang, 1, text); err != nil {
				b.Fatal(err)
			}
			open := time.Since(t0)
			defer ws.Close(e.key)
			reparse := fastest(5, func() {
				t, err := parse.Parse(context.Background(), parse.HCL, text)
				if err == nil {
					t.Close()
				}
			})
			var lat []time.Duration
			v := int32(1)
			cur := text
			for b.Loop() {
				v++
				ed := e.at(int(v), cur)
				t0 := time.Now()
				s, err := ws.Change(e.key, v, ed)
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
				cur = s.File(e.key).Text
			}
			p50, p99 := percentile(lat, 50), percentile(lat, 99)
			b.ReportMetric(ms(p50), "p50-ms")
			b.ReportMetric(ms(p99), "p99-ms")
			b.ReportMetric(float64(p50)/float64(max(reparse, time.Microsecond)), "p50/parse-file")
			b.ReportMetric(ms(open), "open-ms")
			b.Logf("%s: %d findings in the file; opening it %.1f ms; edit p50 %.2f ms, p99 %.2f ms; parsing the file alone %.2f ms",
				e.name, len(ws.Snapshot().File(e.key).Findings), ms(open), ms(p50), ms(p99), ms(reparse))
		})
	}
	// A benchmark that runs others reports nothing of its own: the load's numbers are a
	// sub-benchmark's (its iterations do nothing; the load was measured once, above).
	b.Run("load", func(b *testing.B) {
		for b.Loop() {
		}
		b.ReportMetric(load.Seconds(), "load-s")
		b.ReportMetric(read.Seconds(), "read-s")
		b.ReportMetric(float64(load)/float64(base), "load/parse")
		b.ReportMetric(busy, "cores-busy")
		b.ReportMetric(evals, "evals/element")
		b.ReportMetric(heap, "heap-MB")
		b.ReportMetric(live, "live-MB")
		b.ReportMetric(allocated, "allocated-MB")
		b.Logf("%s: first complete model %.2f s, its files read in %.2f s (parsing the Terraform alone %.2f s, ratio %.1f); %d elements, %d findings; heap kept %.0f MB, of it live %.0f MB; the load allocated %.0f MB",
			stats, load.Seconds(), read.Seconds(), base.Seconds(), float64(load)/float64(base), snap.Graph().Len(), len(snap.Findings()), heap, live, allocated)
	})
	debug.FreeOSMemory()
}

// writeDump writes a heap dump to path (after the collection that ran before it: what is
// live, in the spans it is in).
func writeDump(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	debug.WriteHeapDump(f.Fd())
}

// writeHeap writes the heap profile (after a collection: what is live) to path.
func writeHeap(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		b.Fatal(err)
	}
}
