package engine_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/engine/corpus"
)

// BenchmarkGuideLargeFile is what a hover of a finding costs its guidance (Engine.Guide: the
// fixes of the finding and their previews) in the 5 MB files, a Terraform file and a
// stream of manifests, against the same in a Terraform file of the corpus's usual size: the
// guidance is about one element, and should cost what it costs, not what the file weighs.
func BenchmarkGuideLargeFile(b *testing.B) {
	eng := newEngine(b)
	big, _ := corpus.LargeFile(corpusSeed, 5<<20/30)
	for len(big) > 5<<20 {
		big, _ = corpus.LargeFile(corpusSeed, bytes.Count(big, []byte("\n"))*95/100)
	}
	small, _ := corpus.LargeFile(corpusSeed, 300)
	stream, _ := corpus.LargeManifest(corpusSeed, 5<<20-64<<10)
	for _, c := range []struct {
		name, file, lang string
		text             []byte
	}{
		{"small", "monolith/main.tf", "terraform", small},
		{"5MB", "monolith/main.tf", "terraform", big},
		{"5MB-yaml", "cluster/all.yaml", "yaml", stream},
	} {
		b.Run(c.name, func(b *testing.B) {
			ws := eng.Workspace("", engine.DefaultConfig())
			if _, err := ws.Open(c.file, c.lang, 1, c.text); err != nil {
				b.Fatal(err)
			}
			snap := ws.Snapshot()
			fs := snap.File(c.file).Findings
			if len(fs) > 40 {
				fs = fs[:40]
			}
			var lat []time.Duration
			i := 0
			for b.Loop() {
				t0 := time.Now()
				eng.Guide(context.Background(), snap, engine.DefaultConfig(), fs[i%len(fs)], engine.GuideOptions{})
				lat = append(lat, time.Since(t0))
				i++
			}
			b.ReportMetric(ms(percentile(lat, 50)), "p50-ms")
			b.ReportMetric(ms(percentile(lat, 99)), "p99-ms")
			b.Logf("%d KB file, %d findings guided: p50 %.2f ms, p99 %.2f ms", len(c.text)>>10, len(fs), ms(percentile(lat, 50)), ms(percentile(lat, 99)))
		})
	}
}
