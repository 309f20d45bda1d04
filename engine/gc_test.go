package engine

import (
	"context"
	"os"
	"runtime/debug"
	"testing"

	"github.com/threatls/threatls/analyzers/all"
	"github.com/threatls/threatls/engine/corpus"
	"github.com/threatls/threatls/knowledge"
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
