package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// startProfiles starts a CPU profile into cpu and arranges for a heap profile into mem ("" for
// neither); the returned function ends them. A user who reports that threatls is slow or
// large on their repository can send these: they hold function names and sizes, no content
// of the workspace.
func startProfiles(cpu, mem string) (func(), error) {
	var cpuFile *os.File
	if cpu != "" {
		f, err := os.Create(cpu)
		if err != nil {
			return nil, fmt.Errorf("--profile.cpu: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("--profile.cpu: %w", err)
		}
		cpuFile = f
	}
	return func() {
		if cpuFile != nil {
			pprof.StopCPUProfile()
			cpuFile.Close()
		}
		if mem == "" {
			return
		}
		f, err := os.Create(mem)
		if err != nil {
			fmt.Fprintln(os.Stderr, "threatls: --profile.mem:", err)
			return
		}
		defer f.Close()
		// The heap as of the last collection: the workspace of a command that ends is
		// garbage now, and a collection here would show none of it.
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			fmt.Fprintln(os.Stderr, "threatls: --profile.mem:", err)
		}
	}, nil
}
