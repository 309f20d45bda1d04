package engine

import (
	"math"
	"strings"
	"testing"
)

// TestSizeSkip checks the size limit on sizes alone: the setting applies below 2 GiB, and a
// file of 2 GiB or more is skipped whatever the setting, none (0) included.
func TestSizeSkip(t *testing.T) {
	const setting = "-byte limit (setting maxFileSize)"
	const hard = "a file of 2 GiB or more cannot be analysed"
	for _, c := range []struct {
		size, maxFileSize int64
		want              string // a part of the reason; "" when the file is analysed
	}{
		{5 << 20, 5 << 20, ""},
		{5<<20 + 1, 5 << 20, "5242881 bytes is over the 5242880" + setting},
		{3 << 30, 5 << 20, "over the 5242880" + setting},
		{100, 0, ""},
		{math.MaxInt32, 0, ""},
		{math.MaxInt32 + 1, 0, "2147483648 bytes: " + hard},
		{math.MaxInt32 + 1, -1, hard},
		{math.MaxInt32, math.MaxInt32, ""},
		{math.MaxInt32 + 1, math.MaxInt32, hard},
		{math.MaxInt32, 1 << 40, ""},
		{math.MaxInt32 + 1, 1 << 40, hard},
		{1 << 40, 1 << 40, hard},
	} {
		reason, skip := sizeSkip(c.size, c.maxFileSize)
		if skip != (c.want != "") || !strings.Contains(reason, c.want) || !skip && reason != "" {
			t.Errorf("sizeSkip(%d, %d) = %q, %v; want a reason with %q", c.size, c.maxFileSize, reason, skip, c.want)
		}
	}
}
