package engine

import (
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/parse"
)

// An open file holding a NUL byte keeps the findings of the block the byte is in, and says
// where the byte is, through edits: the problem goes when the byte does and comes back with
// it, whether an edit is parsed or spliced (a text holding a NUL byte is always parsed: the
// problem comes with the parse). Small splice threshold, so that the edits could be spliced.
func TestNULThroughEdits(t *testing.T) {
	ws := testEngine(t).Workspace("", Config{SpliceFrom: 1})
	pad := strings.Repeat("# padding\n", 50)
	text := pad + "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n\x00\n}\n"
	nul := strings.IndexByte(text, 0)
	check := func(step string, s *Snapshot, wantNUL bool) {
		t.Helper()
		public, problem := false, false
		for _, f := range s.File("main.tf").Findings {
			public = public || f.ThreatID == "AWS-S3-001"
			problem = problem || f.ThreatID == "TLS-001" && strings.HasPrefix(f.Message, "a NUL byte")
		}
		if !public || problem != wantNUL {
			t.Errorf("%s: public bucket reported %v, NUL byte reported %v (want %v): %v", step, public, problem, wantNUL, s.File("main.tf").Findings)
		}
	}
	s, err := ws.Open("main.tf", "terraform", 1, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	check("opened", s, true)
	if s, err = ws.Change("main.tf", 2, []parse.Edit{{Start: 0, End: 0, Text: "#\n"}}); err != nil {
		t.Fatal(err)
	}
	check("edited elsewhere", s, true)
	if s, err = ws.Change("main.tf", 3, []parse.Edit{{Start: nul + 2, End: nul + 3, Text: " "}}); err != nil {
		t.Fatal(err)
	}
	check("the byte removed", s, false)
	if s, err = ws.Change("main.tf", 4, []parse.Edit{{Start: nul + 2, End: nul + 3, Text: "\x00"}}); err != nil {
		t.Fatal(err)
	}
	check("the byte typed again", s, true)
}
