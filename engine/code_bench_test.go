package engine_test

import (
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
	files := 1000
	if longRun() {
		files = 10000
	}
	dir := b.TempDir()
	paths, err := codetest.Repository(dir, corpusSeed, files, 150)
	if err != nil {
		b.Fatal(err)
	}
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
