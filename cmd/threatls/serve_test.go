package main

import (
	"strings"
	"testing"
)

// A language client told to use another transport than stdio gets a message that says so,
// not cobra's "unknown flag".
func TestServeRefusesOtherTransports(t *testing.T) {
	for _, args := range [][]string{{"--node-ipc"}, {"--socket=5007"}, {"--pipe=/tmp/x.sock"}, {"--stdio", "--socket", "1"}} {
		_, err := run(t, append([]string{"serve"}, args...)...)
		if err == nil || !strings.Contains(err.Error(), "not supported") || !strings.Contains(err.Error(), "stdio") {
			t.Errorf("serve %v: %v, want a \"not supported … stdio\" error", args, err)
		}
	}
}
