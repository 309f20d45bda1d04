package main

import (
	"strings"
	"testing"
)

// TestVersion: `threatls version` and `threatls --version` print the version and the commit
// the build was stamped with, not "dev".
func TestVersion(t *testing.T) {
	defer func(v, c string) { version, commit = v, c }(version, commit)
	version, commit = "v1.2.3", "0123456789abcdef0123456789abcdef01234567"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, err := run(t, args...)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out, "threatls v1.2.3\ncommit 0123456789abcdef0123456789abcdef01234567") {
			t.Errorf("%v:\n%s", args, out)
		}
	}
	version = ""
	if got := buildInfo().String(); got != "devel+0123456789ab" {
		t.Errorf("without a module version: %q, want devel+ and the commit", got)
	}
}
