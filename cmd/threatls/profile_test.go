package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// --profile.cpu and --profile.mem write profiles pprof reads (gzip-compressed protocol
// buffers), for a user to send with a report of slowness.
func TestProfiles(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "mem.pprof")
	if _, err := run(t, "--profile.cpu", cpu, "--profile.mem", mem, "scan", "--format", "json", "../../testdata/examples/shop"); err != nil {
		if _, ok := err.(exitError); !ok {
			t.Fatal(err)
		}
	}
	for _, p := range []string{cpu, mem} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("no profile: %v", err)
		}
		if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
			t.Errorf("%s is not a pprof profile (%d bytes)", filepath.Base(p), len(b))
		}
	}
	if _, err := run(t, "--profile.cpu", filepath.Join(dir, "no", "such", "dir"), "rules"); err == nil {
		t.Error("a profile that cannot be written is not an error")
	}
}
