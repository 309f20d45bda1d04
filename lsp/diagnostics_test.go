package lsp

import (
	"testing"

	"go.lsp.dev/protocol"

	"github.com/threatls/threatls/model"
)

func TestSeverity(t *testing.T) {
	s := &server{eng: testEngine(t)}
	for _, c := range []struct {
		sev        model.Severity
		confidence model.Confidence
		want       protocol.DiagnosticSeverity
	}{
		{model.Critical, model.Certain, protocol.DiagnosticSeverityError},
		{model.High, model.Certain, protocol.DiagnosticSeverityError},
		{model.Medium, model.Certain, protocol.DiagnosticSeverityWarning},
		{model.Low, model.Certain, protocol.DiagnosticSeverityInformation},
		{model.Info, model.Certain, protocol.DiagnosticSeverityHint},
		{model.High, model.Tentative, protocol.DiagnosticSeverityWarning},
		{model.Medium, model.Tentative, protocol.DiagnosticSeverityInformation},
		{model.Low, model.Tentative, protocol.DiagnosticSeverityHint},
		{model.Info, model.Tentative, protocol.DiagnosticSeverityHint},
	} {
		f := model.Finding{ThreatID: "NOT-IN-LIBRARY-1", Severity: c.sev, Confidence: c.confidence}
		if got := s.severity(f); got != c.want {
			t.Errorf("%s %s: %d, want %d", c.sev, c.confidence, got, c.want)
		}
	}
	// A threat of the library takes its severity from the library.
	lib := s.eng.Library()
	for _, th := range lib.Threats() {
		f := model.Finding{ThreatID: th.ID, Severity: model.Info, Confidence: model.Certain}
		if got := s.severity(f); got == protocol.DiagnosticSeverityHint && th.Severity() != model.Info {
			t.Errorf("%s: severity %d ignores the library's %s", th.ID, got, th.Severity())
		}
	}
}

// The publisher keeps a digest of what it sent a file, not the findings: the digest changes
// with everything a diagnostic says, and with nothing else.
func TestDigestSeesWhatDiagnosticsSay(t *testing.T) {
	sp := func(file string, off int) model.Span {
		return model.Span{File: file, Start: model.At(off, 1, off), End: model.At(off+4, 1, off+4)}
	}
	base := func() []model.Finding {
		return []model.Finding{
			{ThreatID: "AWS-S3-001", Element: "terraform:a/aws_s3_bucket.b", Span: sp("a/main.tf", 10), Message: "bucket b is public",
				Severity: model.High, Confidence: model.Certain, Fingerprint: "f1",
				Related: []model.Related{{Span: sp("a/acl.tf", 3), Message: "its ACL"}}},
			{ThreatID: "AWS-S3-002", Element: "terraform:a/aws_s3_bucket.b", Span: sp("a/main.tf", 10), Message: "bucket b is not encrypted",
				Severity: model.Medium, Confidence: model.Tentative, Fingerprint: "f2"},
		}
	}
	want := digestOf(base())
	if digestOf(base()) != want {
		t.Fatal("the same findings make two digests")
	}
	for name, change := range map[string]func(fs []model.Finding) []model.Finding{
		"threat":           func(fs []model.Finding) []model.Finding { fs[0].ThreatID = "AWS-S3-009"; return fs },
		"element":          func(fs []model.Finding) []model.Finding { fs[1].Element = "terraform:a/aws_s3_bucket.c"; return fs },
		"file":             func(fs []model.Finding) []model.Finding { fs[0].Span.File = "a/other.tf"; return fs },
		"offset":           func(fs []model.Finding) []model.Finding { fs[0].Span.End.Offset++; return fs },
		"line":             func(fs []model.Finding) []model.Finding { fs[1].Span.Start.Line++; return fs },
		"column":           func(fs []model.Finding) []model.Finding { fs[1].Span.End.Col--; return fs },
		"message":          func(fs []model.Finding) []model.Finding { fs[0].Message += "!"; return fs },
		"severity":         func(fs []model.Finding) []model.Finding { fs[1].Severity = model.Low; return fs },
		"confidence":       func(fs []model.Finding) []model.Finding { fs[1].Confidence = model.Certain; return fs },
		"related place":    func(fs []model.Finding) []model.Finding { fs[0].Related[0].Span.Start.Offset = 4; return fs },
		"related message":  func(fs []model.Finding) []model.Finding { fs[0].Related[0].Message = "its policy"; return fs },
		"a related place":  func(fs []model.Finding) []model.Finding { fs[1].Related = fs[0].Related; return fs },
		"one finding less": func(fs []model.Finding) []model.Finding { return fs[:1] },
		"order":            func(fs []model.Finding) []model.Finding { fs[0], fs[1] = fs[1], fs[0]; return fs },
		"where the threat ends and the element begins": func(fs []model.Finding) []model.Finding {
			fs[0].ThreatID, fs[0].Element = fs[0].ThreatID+"t", fs[0].Element[1:] // the same bytes end to end
			return fs
		},
		"none": func([]model.Finding) []model.Finding { return nil },
	} {
		if digestOf(change(base())) == want {
			t.Errorf("%s changed and the digest did not", name)
		}
	}
	same := base()
	same[0].Fingerprint, same[1].Evidence = "other", []model.Evidence{{Attr: "acl"}}
	if digestOf(same) != want {
		t.Error("the digest changed with what no diagnostic shows (fingerprint, evidence)")
	}
}
