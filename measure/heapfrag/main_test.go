package main

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// sink keeps what the test allocates live until the dump is written.
var sink [][]byte

// A dump of this process, with 2,000 objects of 4,000 bytes kept one in two: heapfrag finds
// them, and the pages the freed ones leave among them.
func TestReadsADumpOfThisProcess(t *testing.T) {
	all := make([][]byte, 4000)
	for i := range all {
		all[i] = make([]byte, 4000) // a size of its own: 4096-byte objects, two to a page
	}
	for i := range all {
		if i%2 == 0 {
			sink = append(sink, all[i])
		}
	}
	all = nil
	runtime.GC()
	path := filepath.Join(t.TempDir(), "dump")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	debug.WriteHeapDump(f.Fd())
	f.Close()
	f, err = os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	classes, err := read(bufio.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	var got *class
	for i := range classes {
		if classes[i].size == 4096 {
			got = &classes[i]
		}
	}
	if got == nil || got.objects < 2000 {
		t.Fatalf("4096-byte objects: %+v, want at least the 2,000 kept", got)
	}
	// Kept one in two, two to a page: every page of them is half used.
	if got.pages < got.objects*9/10 {
		t.Errorf("%d objects of 4096 bytes on %d pages: the pages the freed ones left among them are not counted", got.objects, got.pages)
	}
	var out strings.Builder
	report(&out, classes, 5)
	if !strings.Contains(out.String(), "unused") || !strings.Contains(out.String(), "4096") {
		t.Errorf("report:\n%s", out.String())
	}
	runtime.KeepAlive(sink)
}

func TestNotADump(t *testing.T) {
	if _, err := read(bufio.NewReader(strings.NewReader("hello"))); err == nil {
		t.Fatal("a file that is not a heap dump was read as one")
	}
}
