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

// A module from outside the workspace is reported (TLS-010) however an edit is read: spliced
// (a small threshold makes every edit one), or parsed.
func TestOutsideModuleThroughEdits(t *testing.T) {
	ws := testEngine(t).Workspace("", Config{SpliceFrom: 1})
	text := "module \"s3\" {\n  source = \"terraform-aws-modules/s3-bucket/aws\"\n}\n" +
		"resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n"
	outside := func(s *Snapshot) int {
		n := 0
		for _, f := range s.File("main.tf").Findings {
			if f.ThreatID == "TLS-010" {
				n++
			}
		}
		return n
	}
	s, err := ws.Open("main.tf", "terraform", 1, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	splices := ws.eng.splices.Load()
	at := strings.Index(text, "\"b\"\n")
	if s, err = ws.Change("main.tf", 2, []parse.Edit{{Start: at + 1, End: at + 1, Text: "x"}}); err != nil {
		t.Fatal(err)
	}
	if ws.eng.splices.Load() == splices {
		t.Fatal("the edit was not spliced: the test needs it to be")
	}
	if n := outside(s); n != 1 {
		t.Errorf("after a spliced edit: %d TLS-010, want 1: %v", n, s.File("main.tf").Findings)
	}
	// The resource is half typed: the module before it is intact.
	if s, err = ws.Change("main.tf", 3, []parse.Edit{{Start: at + 1, End: at + 1, Text: "\" = = "}}); err != nil {
		t.Fatal(err)
	}
	if n := outside(s); n != 1 {
		t.Errorf("after an edit that breaks the file: %d TLS-010, want 1", n)
	}
}
