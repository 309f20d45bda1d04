package lsp

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/engine/corpus"
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

// TestEncodedDiagnosticsAreMarshal types into an open stream of manifests (hundreds of
// diagnostics, each with related places further down the file) and checks that each
// publication encoded from the last one's is, byte for byte, what encoding it whole writes:
// a diagnostic whose range, related places or message moved is encoded again, and those
// that did not are taken from the last publication.
func TestEncodedDiagnosticsAreMarshal(t *testing.T) {
	text, _ := corpus.LargeManifest(1, 96<<10)
	eng := testEngine(t)
	ws := eng.Workspace("", engine.DefaultConfig())
	const key = "cluster/all.yaml"
	snap, err := ws.Open(key, "yaml", 1, text)
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(context.Background(), eng, zap.NewNop(), nil)
	p := newPublisher(s, nil)
	files := fileMap{root: "/ws"}
	r := rand.New(rand.NewPCG(7, 7))
	total := 0
	for v := int32(1); v <= 40; v++ {
		if v > 1 {
			// A character, a line break or a character of two UTF-16 units, where the
			// findings are, or a change undone: ranges that move within a line, lines
			// that move, related places that move while their finding's range does not.
			cur := snap.File(key).Text
			fs := snap.File(key).Findings
			at := int(fs[r.IntN(len(fs))].Span.Start.Offset)
			if r.IntN(2) == 0 {
				at = r.IntN(len(cur))
			}
			ins := []string{"x", "\n", "𝄞", " "}[r.IntN(4)]
			if snap, err = ws.Change(key, v, []parse.Edit{{Start: at, End: at, Text: ins}}); err != nil {
				t.Fatal(err)
			}
		}
		file := snap.File(key)
		shown := s.shown(file.Findings)
		if len(shown) < encodedFrom {
			t.Fatalf("version %d: %d diagnostics, want at least %d for the test to mean anything", v, len(shown), encodedFrom)
		}
		diags := make([]protocol.Diagnostic, 0, len(shown))
		pl := s.places(snap, files, encUTF16)
		for _, f := range shown {
			diags = append(diags, s.diagnostic(pl, f))
		}
		version := v
		got, err := p.encodeDiagnostics(key, files.uri(key), &version, diags)
		if err != nil {
			t.Fatal(err)
		}
		want, err := protocol.Marshal(&protocol.PublishDiagnosticsParams{URI: files.uri(key), Version: protocol.NewOptional(v), Diagnostics: diags})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			i := 0
			for i < min(len(got), len(want)) && got[i] == want[i] {
				i++
			}
			t.Fatalf("version %d: the encoded publication differs from its whole encoding at byte %d:\n got …%s…\nwant …%s…",
				v, i, got[max(0, i-200):min(len(got), i+100)], want[max(0, i-200):min(len(want), i+100)])
		}
		total += len(diags)
	}
	if p.taken == 0 {
		t.Fatal("no diagnostic was taken from a last publication")
	}
	t.Logf("%d of %d diagnostics taken from the last publication", p.taken, total)
}
