package code

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/threatls/threatls/analyzers/code/codetest"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// Extraction runs on every edit of a code file, so its cost is measured against what the
// edit costs anyway: parsing. For each language, on a generated 5,000-line file:
//
//	parse    a full parse (the baseline)
//	extract  Extract on the parsed tree: flatten, run the query, qualify, evaluate
//	edit     what an edit costs the analyzer: an incremental reparse after a one-character
//	         change, then Extract of the new tree (p50 and p99 over the iterations)
//
//	go test -run '^$' -bench Extract -benchtime 200x ./analyzers/code/
//
// Each reports ms and a ratio to the parse measured in the same run.

const benchLines = 5000

func analyzerOf(tb testing.TB, format string) *Analyzer {
	for _, a := range Analyzers() {
		if a.Name() == format {
			return a.(*Analyzer)
		}
	}
	tb.Fatalf("no analyzer %s", format)
	return nil
}

// fastestParse returns the shortest of n full parses of text.
func fastestParse(tb testing.TB, l parse.Lang, text []byte, n int) time.Duration {
	best := time.Duration(1<<63 - 1)
	for range n {
		t0 := time.Now()
		tr, err := parse.Parse(context.Background(), l, text)
		if err != nil {
			tb.Fatal(err)
		}
		best = min(best, time.Since(t0))
		tr.Close()
	}
	return best
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func BenchmarkExtract(b *testing.B) {
	for _, format := range codetest.Formats {
		a := analyzerOf(b, format)
		text := codetest.Source(format, 1, benchLines)
		file := "svc/main" + codetest.Ext[format]
		lines := bytes.Count(text, []byte("\n"))
		base := fastestParse(b, a.Lang(), text, 5)

		b.Run(format+"/extract", func(b *testing.B) {
			tr, err := parse.Parse(context.Background(), a.Lang(), text)
			if err != nil {
				b.Fatal(err)
			}
			defer tr.Close()
			var lat []time.Duration
			var ff = a.Extract(tr, file)
			for b.Loop() {
				t0 := time.Now()
				ff = a.Extract(tr, file)
				lat = append(lat, time.Since(t0))
			}
			raw := ff.Raw.(*Raw)
			p50 := pct(lat, 50)
			b.ReportMetric(msOf(p50), "p50-ms")
			b.ReportMetric(msOf(base), "parse-ms")
			b.ReportMetric(float64(p50)/float64(base), "ratio-to-parse")
			b.Logf("%s: %d lines, %d KB: extract p50 %.2f ms, full parse %.2f ms (ratio %.2f); %d entries, %d flows, %d problems",
				format, lines, len(text)/1024, msOf(p50), msOf(base), float64(p50)/float64(base), len(raw.Entries), len(raw.Flows), len(ff.Problems))
		})

		// What the taint engine adds: extraction without it, and with it but without its cache
		// of functions (every function analysed, as on a file's first read).
		for _, mode := range []string{"off", "nocache"} {
			b.Run(format+"/extract-taint-"+mode, func(b *testing.B) {
				tr, err := parse.Parse(context.Background(), a.Lang(), text)
				if err != nil {
					b.Fatal(err)
				}
				defer tr.Close()
				benchTaint = mode
				defer func() { benchTaint = "" }()
				var lat []time.Duration
				for b.Loop() {
					t0 := time.Now()
					a.Extract(tr, file)
					lat = append(lat, time.Since(t0))
				}
				p50 := pct(lat, 50)
				b.ReportMetric(msOf(p50), "p50-ms")
				b.ReportMetric(float64(p50)/float64(base), "ratio-to-parse")
			})
		}

		b.Run(format+"/link", func(b *testing.B) {
			tr, err := parse.Parse(context.Background(), a.Lang(), text)
			if err != nil {
				b.Fatal(err)
			}
			ff := a.Extract(tr, file)
			tr.Close()
			var lat []time.Duration
			n := 0
			for b.Loop() {
				t0 := time.Now()
				els := a.Link([]*model.FileFacts{ff})
				lat = append(lat, time.Since(t0))
				n = len(els)
			}
			p50 := pct(lat, 50)
			b.ReportMetric(msOf(p50), "p50-ms")
			b.ReportMetric(float64(p50)/float64(base), "ratio-to-parse")
			b.Logf("%s: Link of the file: p50 %.2f ms, %d elements", format, msOf(p50), n)
		})

		b.Run(format+"/edit", func(b *testing.B) {
			doc, err := parse.NewDocument(context.Background(), a.Lang(), text)
			if err != nil {
				b.Fatal(err)
			}
			defer doc.Close()
			off := bytes.Index(text, []byte("NAME")) // never present: the middle instead
			if off < 0 {
				off = len(text) / 2
				off += bytes.IndexByte(text[off:], '\n') // a line start: an insertion keeps the syntax
			}
			var lat []time.Duration
			i := 0
			a.Extract(doc.Tree(), file) // the file's first read fills the cache of functions
			taintStats.mu.Lock()
			walked0, cached0 := taintStats.walked, taintStats.cached
			taintStats.mu.Unlock()
			for b.Loop() {
				t0 := time.Now()
				// A space more each time: every edit makes a text not seen before, as typing
				// does (the cache of functions never holds the edited one).
				edit := parse.Edit{Start: off + 1, End: off + 1, Text: " "}
				if err := doc.Apply(context.Background(), []parse.Edit{edit}); err != nil {
					b.Fatal(err)
				}
				a.Extract(doc.Tree(), file)
				lat = append(lat, time.Since(t0))
				i++
			}
			p50, p99 := pct(lat, 50), pct(lat, 99)
			b.ReportMetric(msOf(p50), "p50-ms")
			b.ReportMetric(msOf(p99), "p99-ms")
			b.ReportMetric(float64(p50)/float64(base), "ratio-to-parse")
			taintStats.mu.Lock()
			walked, cached := taintStats.walked-walked0, taintStats.cached-cached0
			taintStats.mu.Unlock()
			b.Logf("%s: edit of a %d-line file, reparse + extract: p50 %.2f ms, p99 %.2f ms over %d edits (full parse %.2f ms); taint: %d functions analysed, %d from the cache",
				format, lines, msOf(p50), msOf(p99), len(lat), msOf(base), walked, cached)
		})
	}
}

// TestGeneratedSources checks that the benchmarks' files are what they claim: large, the
// language's own (no syntax error), and full of what the engine reads.
func TestGeneratedSources(t *testing.T) {
	for _, format := range codetest.Formats {
		a := analyzerOf(t, format)
		text := codetest.Source(format, 1, benchLines)
		if !bytes.Equal(text, codetest.Source(format, 1, benchLines)) {
			t.Errorf("%s: the generator is not deterministic", format)
		}
		if n := bytes.Count(text, []byte("\n")); n < benchLines {
			t.Errorf("%s: %d lines", format, n)
		}
		tr, err := parse.Parse(context.Background(), a.Lang(), text)
		if err != nil {
			t.Fatal(err)
		}
		ff := a.Extract(tr, "svc/main"+codetest.Ext[format])
		tr.Close()
		raw := ff.Raw.(*Raw)
		if len(ff.Problems) > 0 {
			t.Errorf("%s: %v", format, ff.Problems[0])
		}
		if len(raw.Entries) < 100 || len(raw.Flows) < 100 {
			t.Errorf("%s: %d entries and %d flows: too few to measure the engine", format, len(raw.Entries), len(raw.Flows))
		}
	}
}
