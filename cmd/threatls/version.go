package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// build is what the binary knows of its build: the module version (set by go install
// module@version, or at link time with -ldflags "-X main.version=v1.2.3") and the commit,
// its time and whether the tree had uncommitted changes (stamped by go build in a git
// checkout).
type build struct {
	version, commit, time string
	modified              bool
}

// commit is set at link time (-ldflags "-X main.commit=SHA") by make build and make release,
// which also works where go build cannot stamp the commit itself (a git worktree, a build
// with -buildvcs=false).
var commit = ""

func buildInfo() build {
	b := build{version: version, commit: commit}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if b.version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		b.version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if b.commit == "" {
				b.commit = s.Value
			}
		case "vcs.time":
			b.time = s.Value
		case "vcs.modified":
			b.modified = s.Value == "true"
		}
	}
	return b
}

// String is the version reports carry: the module version; for a build from a checkout, the
// commit ("devel+0123456789ab", "-dirty" when modified); "devel" when nothing is known.
func (b build) String() string {
	switch {
	case b.version != "":
		return b.version
	case b.commit != "":
		s := "devel+" + short(b.commit)
		if b.modified {
			s += "-dirty"
		}
		return s
	}
	return "devel"
}

// long is what `threatls version` and `threatls --version` print.
func (b build) long() string {
	s := "threatls " + b.String() + "\n"
	if b.commit != "" {
		s += "commit " + b.commit
		if b.time != "" {
			s += " (" + b.time + ")"
		}
		if b.modified {
			s += ", with uncommitted changes"
		}
		s += "\n"
	}
	return s + fmt.Sprintf("%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func newVersion() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, the commit and the Go toolchain of this binary",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprint(cmd.OutOrStdout(), buildInfo().long())
			return err
		},
	}
}
