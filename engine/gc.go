package engine

import (
	"os"
	"runtime/debug"
	"sync"
)

// loadGCPercent is the garbage collector's target while a workspace loads (Go's default is
// 100). A load interleaves what it keeps (facts, elements, findings) with many times as much
// garbage (trees, their copies, text), and the collector never moves what it keeps: at the
// default, the heap a 5,000-file load left held 390 MB of spans for 222 MB of live data, and
// peaked at 620 MB of memory. Collecting twice as often packs what is kept into the room
// garbage left: 343 MB and a 500 MB peak, for the same load time (within its noise).
const loadGCPercent = 50

var loading struct {
	sync.Mutex
	n    int // loads running
	prev int // the target before the first of them
}

// loadingGC lowers the collector's target for a load and returns what restores it when the
// last running load ends. A GOGC the user set is left alone.
func loadingGC() (restore func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	loading.Lock()
	defer loading.Unlock()
	if loading.n == 0 {
		loading.prev = debug.SetGCPercent(loadGCPercent)
	}
	loading.n++
	return func() {
		loading.Lock()
		defer loading.Unlock()
		if loading.n--; loading.n == 0 {
			debug.SetGCPercent(loading.prev)
		}
	}
}
