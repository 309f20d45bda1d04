package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/threatls/threatls/analyzers/all"
	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/engine/corpus"
	"github.com/threatls/threatls/knowledge"
)

// TestWhatIf: a what-if re-evaluates the whole workspace with one file replaced, and leaves
// the workspace it came from as it was.
func TestWhatIf(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	named := func(name, text string) string { return strings.Replace(text, `"v"`, `"`+name+`"`, 1) }
	write("a.tf", named("a", unencrypted))
	write("b.tf", named("b", unencrypted))
	ws := newWorkspace(t, dir, engine.DefaultConfig())
	snap, err := ws.Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The editor's unsaved text is what a what-if starts from, not the disk's.
	fixed := strings.Replace(unencrypted, "false", "true", 1)
	if snap, err = ws.Open("b.tf", "terraform", 1, []byte(named("b", fixed))); err != nil {
		t.Fatal(err)
	}
	eng := engineOf(t)
	next, err := eng.WhatIf(context.Background(), snap, engine.DefaultConfig(), "a.tf", []byte(named("a", fixed)))
	if err != nil {
		t.Fatal(err)
	}
	if got := threatCounts(next.Findings())["AWS-EBS-001"]; got != 0 {
		t.Errorf("with both volumes encrypted, %d AWS-EBS-001 findings", got)
	}
	if got := threatCounts(snap.Findings())["AWS-EBS-001"]; got != 1 {
		t.Errorf("the original snapshot changed: %d AWS-EBS-001 findings, want 1", got)
	}
	if got := threatCounts(ws.Snapshot().Findings())["AWS-EBS-001"]; got != 1 {
		t.Errorf("the workspace changed: %d AWS-EBS-001 findings, want 1", got)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.tf")); string(b) != named("a", unencrypted) {
		t.Error("the file on disk changed")
	}

	// A scratch copy tries one change after another, each against the original.
	sc, err := eng.NewScratch(context.Background(), snap, engine.DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	s1, err := sc.Try("a.tf", []byte(named("a", fixed)))
	if err != nil {
		t.Fatal(err)
	}
	s2, err := sc.Try("c.tf", []byte(named("c", unencrypted))) // a file the workspace lacks
	if err != nil {
		t.Fatal(err)
	}
	if got := threatCounts(s1.Findings())["AWS-EBS-001"]; got != 0 {
		t.Errorf("try 1: %d findings, want 0", got)
	}
	if got := threatCounts(s2.Findings())["AWS-EBS-001"]; got != 2 {
		t.Errorf("try 2 (a.tf back as it was, c.tf added): %d findings, want 2", got)
	}
	if _, err := sc.Try("../outside.tf", []byte(unencrypted)); err == nil {
		t.Error("a file outside the workspace was accepted")
	}
}

func engineOf(t *testing.T) *engine.Engine {
	t.Helper()
	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return engine.New(lib, all.Analyzers(), nil)
}

// BenchmarkWhatIf measures what a verified fix costs on the corpus of BenchmarkScan: a
// one-shot what-if (copy the snapshot's texts to a scratch directory, load it, one file
// replaced) and one more Try on a scratch copy, each against a plain scan of the same files.
func BenchmarkWhatIf(b *testing.B) {
	dir := b.TempDir()
	files := corpus.Terraform(benchSpec())
	if _, err := corpus.Write(dir, files); err != nil {
		b.Fatal(err)
	}
	eng := newEngine(b)
	snap, err := eng.Workspace(dir, engine.DefaultConfig()).Load(context.Background(), nil)
	if err != nil {
		b.Fatal(err)
	}
	key := snap.Files()[len(snap.Files())/2]
	text := append([]byte(nil), snap.File(key).Text...)
	text = append(text, "\n# edited\n"...)
	scan := fastest(3, func() {
		if _, err := eng.Workspace(dir, engine.DefaultConfig()).Load(context.Background(), nil); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("whatif", func(b *testing.B) {
		for b.Loop() {
			if _, err := eng.WhatIf(context.Background(), snap, engine.DefaultConfig(), key, text); err != nil {
				b.Fatal(err)
			}
		}
		per := b.Elapsed() / time.Duration(b.N)
		b.ReportMetric(ms(per), "ms")
		b.ReportMetric(float64(per)/float64(scan), "ratio-to-scan")
	})
	b.Run("try", func(b *testing.B) {
		sc, err := eng.NewScratch(context.Background(), snap, engine.DefaultConfig(), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer sc.Close()
		for b.Loop() {
			if _, err := sc.Try(key, text); err != nil {
				b.Fatal(err)
			}
		}
		per := b.Elapsed() / time.Duration(b.N)
		b.ReportMetric(ms(per), "ms")
		b.ReportMetric(float64(per)/float64(scan), "ratio-to-scan")
	})
}
