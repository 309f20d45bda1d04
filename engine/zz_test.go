package engine

import (
	"bytes"
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/engine/corpus"
)

func rss() string {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS") {
			return strings.TrimSpace(l[6:])
		}
	}
	return ""
}

func TestZZMem(t *testing.T) {
	text, _ := corpus.LargeFile(1, 5<<20/30)
	for len(text) > 5<<20 {
		text, _ = corpus.LargeFile(1, bytes.Count(text, []byte("\n"))*95/100)
	}
	runtime.GC(); debug.FreeOSMemory()
	t.Logf("start %s", rss())
	tr, _ := parse.Parse(context.Background(), parse.HCL, text)
	t.Logf("after parse %s", rss())
	f := tr.Flatten()
	t.Logf("after flatten %s (%d nodes)", rss(), len(f.Nodes))
	f.Release(); runtime.GC(); debug.FreeOSMemory()
	t.Logf("after release %s", rss())
	tr.Close()
	runtime.GC(); debug.FreeOSMemory()
	t.Logf("after close %s", rss())
	eng := testEngine(t)
	ws := eng.Workspace("", DefaultConfig())
	ws.Open("main.tf", "terraform", 1, text)
	runtime.GC(); debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	t.Logf("after open %s; heap inuse %d MB alloc %d MB sys %d MB", rss(), m.HeapInuse>>20, m.HeapAlloc>>20, m.Sys>>20)
}
