package engine

import (
	"context"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/threatls/threatls/analyzers/all"
	"github.com/threatls/threatls/engine/corpus"
	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// A load collects garbage more often (see loadGCPercent) and leaves the target as it found
// it; overlapping loads restore it once, when the last ends.
func TestLoadRestoresGC(t *testing.T) {
	was := debug.SetGCPercent(100)
	defer debug.SetGCPercent(was)
	if _, set := os.LookupEnv("GOGC"); set { // the user's choice stands
		restore := loadingGC()
		if got := debug.SetGCPercent(100); got != 100 {
			t.Fatalf("GOGC is set, and a load changed the target to %d", got)
		}
		restore()
		return
	}
	r1 := loadingGC()
	if got := debug.SetGCPercent(loadGCPercent); got != loadGCPercent {
		t.Fatalf("during a load the target is %d, want %d", got, loadGCPercent)
	}
	r2 := loadingGC()
	r1()
	if got := debug.SetGCPercent(loadGCPercent); got != loadGCPercent {
		t.Fatalf("with a second load running the target is %d, want %d", got, loadGCPercent)
	}
	r2()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("after the loads the target is %d, want 100", got)
	}

	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := corpus.Write(dir, corpus.Scale(64, false)); err != nil {
		t.Fatal(err)
	}
	if _, err := New(lib, all.Analyzers(), nil).Workspace(dir, DefaultConfig()).Load(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("after Load the target is %d, want 100", got)
	}
}

// A first model's evaluation is spread over every CPU; the findings are those of one
// goroutine evaluating everything.
func TestParallelEvaluationIsSerial(t *testing.T) {
	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := corpus.Write(dir, corpus.Scale(128, false)); err != nil {
		t.Fatal(err)
	}
	load := func(threshold int) ([]model.Finding, int64) {
		was := parallelEval
		parallelEval = threshold
		defer func() { parallelEval = was }()
		eng := New(lib, all.Analyzers(), nil)
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
