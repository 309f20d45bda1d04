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
