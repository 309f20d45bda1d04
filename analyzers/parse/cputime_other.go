//go:build !linux

package parse

import "time"

// threadCPU reports false: the budget is then wall-clock time alone.
func threadCPU() (time.Duration, bool) { return 0, false }
