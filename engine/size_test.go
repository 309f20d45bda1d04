package engine

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
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

// A paste that grows an open document past maxFileSize stops its analysis, as opening it that
// large would, and says why; deleting the paste brings the analysis back. The text is kept.
func TestEditPastTheLimit(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxFileSize = 200
	ws := testEngine(t).Workspace("", cfg)
	text := "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n"
	snap, err := ws.Open("main.tf", "terraform", 1, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(snap.File("main.tf").Findings); n == 0 {
		t.Fatal("the small document has no findings")
	}
	paste := "# " + strings.Repeat("x", 300) + "\n"
	snap, err = ws.Change("main.tf", 2, []parse.Edit{{Start: 0, End: 0, Text: paste}})
	if err != nil {
		t.Fatal(err)
	}
	if f := snap.File("main.tf"); f == nil || string(f.Text) != paste+text ||
		!slices.ContainsFunc(snap.Skipped(), func(s model.Skipped) bool { return s.File == "main.tf" }) {
		t.Fatalf("after the paste: %+v; skipped %v; want the text kept and the file skipped", f, snap.Skipped())
	}
	snap, err = ws.Change("main.tf", 3, []parse.Edit{{Start: 0, End: len(paste)}})
	if err != nil {
		t.Fatal(err)
	}
	if f := snap.File("main.tf"); f == nil || len(f.Findings) == 0 || slices.ContainsFunc(snap.Skipped(), func(s model.Skipped) bool { return s.File == "main.tf" }) {
		t.Errorf("after deleting the paste: %+v; skipped %v; want it analysed again", f, snap.Skipped())
	}
}
