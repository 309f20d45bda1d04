package main

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/threatls/threatls/lsp/lsptest"
)

// The protocol's exit codes, through the real binary: exit after shutdown is 0, exit without
// shutdown is 1.
func TestServeExitCodes(t *testing.T) {
	bin := lsptest.Build(t)
	frame := func(body string) string { return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body) }
	initialize := frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}`) +
		frame(`{"jsonrpc":"2.0","method":"initialized","params":{}}`)
	for name, tc := range map[string]struct {
		in   string
		code int
	}{
		"after shutdown":   {initialize + frame(`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`) + frame(`{"jsonrpc":"2.0","method":"exit"}`), 0},
		"without shutdown": {initialize + frame(`{"jsonrpc":"2.0","method":"exit"}`), 1},
	} {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(bin, "serve")
			cmd.Stdin = strings.NewReader(tc.in)
			cmd.Dir = t.TempDir()
			done := make(chan error, 1)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				code := 0
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					code = ee.ExitCode()
				} else if err != nil {
					t.Fatal(err)
				}
				if code != tc.code {
					t.Errorf("exit code %d, want %d", code, tc.code)
				}
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				t.Fatal("the server did not exit")
			}
		})
	}
}
