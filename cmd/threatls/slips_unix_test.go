//go:build unix

package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A named pipe (or socket, or device) among the workspace's files is not opened — reading a
// pipe no one writes to waits forever, and the scan hung — and one whose name says it is a
// format threatls reads is reported as not analysed; a .json that only its content could make
// a template is passed over, and so is a threatls.yaml the scan would read its settings from.
func TestSlipsPipe(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": openSSH})
	for _, name := range []string{"pipe.tf", "pipe.json", "threatls.yaml"} {
		if err := syscall.Mkfifo(filepath.Join(dir, name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	type result struct {
		out string
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := run(t, "scan", "--fail-on", "high", dir)
		done <- result{out, err}
	}()
	select {
	case r := <-done:
		if exitCode(r.err) != 1 || !strings.Contains(r.out, "AWS-SG-001") {
			t.Errorf("scan with pipes: exit %d, want 1 with main.tf's AWS-SG-001:\n%s", exitCode(r.err), r.out)
		}
		if !strings.Contains(r.out, "pipe.tf") || !strings.Contains(r.out, "TLS-009") {
			t.Errorf("the pipe named pipe.tf is not reported as not analysed:\n%s", r.out)
		}
		if strings.Contains(r.out, "pipe.json") {
			t.Errorf("pipe.json, which nothing says is a template, is reported:\n%s", r.out)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the scan of a workspace holding a named pipe did not end in 30 s")
	}
}
