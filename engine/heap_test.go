package engine_test

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"

	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/engine/corpus"
)

// TestHeapProfile writes the heap profile of a loaded scale corpus (THREATLS_HEAP_PROFILE=file).
func TestHeapProfile(t *testing.T) {
	out := os.Getenv("THREATLS_HEAP_PROFILE")
	if out == "" {
		t.Skip("THREATLS_HEAP_PROFILE not set: this writes a profile, it checks nothing")
	}
	dir := t.TempDir()
	if _, err := corpus.Write(dir, corpus.Scale(2000, false)); err != nil {
		t.Fatal(err)
	}
	ws := newEngine(t).Workspace(dir, engine.DefaultConfig())
	if _, err := ws.Load(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	f, _ := os.Create(out)
	pprof.WriteHeapProfile(f)
	f.Close()
	runtime.KeepAlive(ws)
}
