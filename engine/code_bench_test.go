package engine_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/threatls/threatls/analyzers/code/codetest"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/engine"
)

// BenchmarkScanCode scans a generated polyglot repository — services in Go, Python,
// TypeScript, Java and C#, each with its Dockerfile — against bare parsing of the same
// source files with their grammars, on as many goroutines as the scan uses. 1,000 files
// of 150 lines by default; the 10,000-file repository with -long (THREATLS_BENCH_LONG=1):
//
//	go test -run '^$' -bench ScanCode ./engine/
//	THREATLS_BENCH_LONG=1 go test -run '^$' -bench ScanCode -benchtime 1x -timeout 30m ./engine/
func BenchmarkScanCode(b *testing.B) {
	dir, paths := codeRepository(b)
	type src struct {
		lang parse.Lang
		text []byte
	}
	langs := map[string]parse.Lang{".go": parse.Go, ".py": parse.Python, ".ts": parse.TypeScript, ".java": parse.Java, ".cs": parse.CSharp}
	var srcs []src
	var size int64
	for _, p := range paths {
		text, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			b.Fatal(err)
		}
		srcs = append(srcs, src{langs[filepath.Ext(p)], text})
		size += int64(len(text))
	}
	parseAllCode := func() {
		var wg sync.WaitGroup
		jobs := make(chan src)
		for range max(1, runtime.GOMAXPROCS(0)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for s := range jobs {
					if t, err := parse.Parse(context.Background(), s.lang, s.text); err == nil {
						t.Close()
					}
				}
			}()
		}
		for _, s := range srcs {
			jobs <- s
		}
		close(jobs)
		wg.Wait()
	}
	eng := newEngine(b)
	base := fastest(2, parseAllCode)
	var snap *engine.Snapshot
	var err error
	for b.Loop() {
		snap, err = eng.Workspace(dir, engine.DefaultConfig()).Load(context.Background(), nil)
		if err != nil {
			b.Fatal(err)
		}
	}
	per := b.Elapsed() / time.Duration(b.N)
	ratio := float64(per) / float64(base)
	b.ReportMetric(ratio, "ratio-to-parse")
	b.ReportMetric(ms(per), "scan-ms")
	b.ReportMetric(ms(base), "parse-ms")
	b.Logf("scan of %d source files (%.1f MB) in %d services: %.0f ms (%.1f MB/s); bare parsing %.0f ms; ratio %.2f; %d elements, %d findings",
		len(paths), float64(size)/1e6, (len(paths)+19)/20, ms(per), mbPerSec(size, per), ms(base), ratio,
		len(snap.Graph().Elements()), len(snap.Findings()))
}

// BenchmarkCodeEdit types into a Go handler of the generated polyglot repository and measures
// each keystroke to the workspace's findings, with the baseline of parsing the edited file
// alone. 1,000 source files by default, 10,000 with -long.
func BenchmarkCodeEdit(b *testing.B) {
	dir, paths := codeRepository(b)
	var key string
	for _, p := range paths {
		if filepath.Ext(p) == ".go" {
			key = filepath.ToSlash(p)
			break
		}
	}
	text, err := os.ReadFile(filepath.Join(dir, key))
	if err != nil {
		b.Fatal(err)
	}
	ws := newEngine(b).Workspace(dir, engine.DefaultConfig())
	if _, err := ws.Load(context.Background(), nil); err != nil {
		b.Fatal(err)
	}
	if _, err := ws.Open(key, "go", 1, text); err != nil {
		b.Fatal(err)
	}
	reparse := fastest(5, func() {
		if t, err := parse.Parse(context.Background(), parse.Go, text); err == nil {
			t.Close()
		}
	})
	at := bytes.Index(text, []byte("\"")) + 1
	var lat []time.Duration
	v := int32(1)
	for b.Loop() {
		v++
		t0 := time.Now()
		if _, err := ws.Change(key, v, editAt(at, int(v))); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	p50, p99 := percentile(lat, 50), percentile(lat, 99)
	b.ReportMetric(ms(p50), "p50-ms")
	b.ReportMetric(ms(p99), "p99-ms")
	b.ReportMetric(float64(p50)/float64(max(reparse, time.Microsecond)), "p50/parse-file")
	b.Logf("a character typed in %s (%d lines) of %d source files: p50 %.2f ms, p99 %.2f ms; parsing the file alone %.2f ms",
		key, bytes.Count(text, []byte("\n")), len(paths), ms(p50), ms(p99), ms(reparse))
}

// codeRepository writes the generated polyglot repository of the code benchmarks: 1,000
// source files of 150 lines, 10,000 with -long.
func codeRepository(b *testing.B) (string, []string) {
	files := 1000
	if longRun() {
		files = 10000
	}
	dir := b.TempDir()
	paths, err := codetest.Repository(dir, corpusSeed, files, 150)
	if err != nil {
		b.Fatal(err)
	}
	return dir, paths
}
