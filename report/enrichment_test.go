package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/threatls/threatls/model"
)

// TestEnrichmentChangesNoFinding: with an enrichment, each finding of the JSON report has the
// same fields, byte for byte, plus "enrichment"; text and SARIF show it.
func TestEnrichmentChangesNoFinding(t *testing.T) {
	f := model.Finding{ThreatID: "AWS-S3-004", Title: "t", Severity: model.Low, Element: "e", ElementName: "aws_s3_bucket.x",
		Span: model.Span{File: "a.tf", Start: model.Pos{Line: 2}}, Message: "m", Fingerprint: "fp"}
	plain := Result{Root: ".", Files: 1, Findings: []model.Finding{f}}
	enriched := plain
	enriched.Enrichment = func(model.Finding) *Enrichment {
		return &Enrichment{Model: "m1", Text: "Encrypt it.\n\n1. Add the configuration.", Fix: &EnrichmentFix{Verified: false, Reason: "the finding is still there", File: "a.tf", Line: 3, Diff: "-a\n+b\n"}}
	}
	var a, b bytes.Buffer
	if err := JSON(&a, plain, nil); err != nil {
		t.Fatal(err)
	}
	if err := JSON(&b, enriched, nil); err != nil {
		t.Fatal(err)
	}
	var da, db struct{ Findings []map[string]json.RawMessage }
	json.Unmarshal(a.Bytes(), &da)
	json.Unmarshal(b.Bytes(), &db)
	e, ok := db.Findings[0]["enrichment"]
	if !ok || !strings.Contains(string(e), `"verified": false`) {
		t.Fatalf("no enrichment in\n%s", b.String())
	}
	delete(db.Findings[0], "enrichment")
	if len(da.Findings[0]) != len(db.Findings[0]) {
		t.Fatal("the fields differ")
	}
	for k, v := range da.Findings[0] {
		if !bytes.Equal(v, db.Findings[0][k]) {
			t.Errorf("field %s: %s vs %s", k, v, db.Findings[0][k])
		}
	}
	var txt bytes.Buffer
	Text(&txt, enriched, nil, TextOptions{})
	if !strings.Contains(txt.String(), "    ai (m1): Encrypt it. …\n    ai fix: unverified (the finding is still there)\n") {
		t.Errorf("text:\n%s", txt.String())
	}
	var sarif bytes.Buffer
	SARIF(&sarif, enriched, nil, "test")
	if !strings.Contains(sarif.String(), `"enrichment"`) {
		t.Errorf("SARIF has no enrichment property")
	}
}
