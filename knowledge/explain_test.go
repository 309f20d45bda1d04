package knowledge

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/threatls/threatls/model"
)

const explainLibrary = `
- id: TEST-DB-001
  title: Database stores data unencrypted
  stride: [InformationDisclosure]
  cwe: [CWE-311, CWE-312]
  likelihood: medium
  impact: high
  applies_to:
    types: [aws_db_instance]
  condition: '!e.attrs.encrypted_at_rest'
  location: encrypted_at_rest
  message: 'Database {{.Name}} stores data unencrypted'
  mitigations:
    - title: Encrypt the storage
      fixes:
        aws_db_instance:
          - {op: set, path: storage_encrypted, value: 'true'}
  references:
    - https://example.com/rds-encryption
  compliance:
    pci-dss-4.0: ["3.5.1"]
    iso-27001-2022: ["A.8.24"]
  docs:
    why: Anyone who gets the disk or a snapshot reads the data.
    fix: Set ` + "`storage_encrypted = true`" + `.
    false_positives: Test databases that hold no real data.
`

func TestExplain(t *testing.T) {
	lib, errs := Load(fstest.MapFS{"threats/t.yaml": {Data: []byte(explainLibrary)}}, "threats")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	f := model.Finding{
		ThreatID: "TEST-DB-001", Title: "Database stores data unencrypted", Severity: model.High,
		Stride: []string{"InformationDisclosure"}, Confidence: model.Certain,
		Element: "terraform:./aws_db_instance.main", ElementName: "aws_db_instance.main",
		Message: "Database aws_db_instance.main stores data unencrypted",
		Evidence: []model.Evidence{
			{Attr: "encrypted_at_rest", Value: "false", Origin: model.Read,
				Span: model.Span{File: "main.tf", Start: model.Pos{Line: 3, Col: 2}}},
			{Attr: "kms_managed_key", Value: "(not set)", Origin: model.Defaulted, Note: "AWS-managed key by default"},
		},
	}
	got := lib.Explain(f)
	for _, want := range []string{
		"### TEST-DB-001: Database stores data unencrypted",
		"**STRIDE:** Information disclosure",
		"[CWE-311](https://cwe.mitre.org/data/definitions/311.html)",
		"[CWE-312](https://cwe.mitre.org/data/definitions/312.html)",
		"**Severity:** high (likelihood medium × impact high)",
		"**Confidence:** certain",
		"#### Why this applies here",
		"`encrypted_at_rest` = `false` — read at `main.tf:4:3`",
		"`kms_managed_key` = `(not set)` — defaulted (not set in the source): AWS-managed key by default",
		"Anyone who gets the disk",
		"#### What to do",
		"- Encrypt the storage",
		"`storage_encrypted = true`",
		"#### False positives",
		"#### References",
		"<https://example.com/rds-encryption>",
		"#### Compliance",
		"- ISO/IEC 27001:2022: A.8.24\n- PCI DSS 4.0: 3.5.1",
		"](" + DocURL("TEST-DB-001") + ")",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Explain lacks %q:\n%s", want, got)
		}
	}
	// The order of sections is part of the contract: why, then what to do, then the rest.
	order := []string{"Why this applies here", "What to do", "False positives", "References", "Compliance"}
	last := -1
	for _, s := range order {
		i := strings.Index(got, s)
		if i < last {
			t.Errorf("section %q is out of order:\n%s", s, got)
		}
		last = i
	}
}

func TestExplainTentativeAndSuppressed(t *testing.T) {
	lib, errs := Load(fstest.MapFS{"threats/t.yaml": {Data: []byte(explainLibrary)}}, "threats")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	f := model.Finding{
		ThreatID: "TEST-DB-001", Severity: model.High, Confidence: model.Tentative,
		ElementName: "aws_db_instance.main",
		Evidence:    []model.Evidence{{Attr: "encrypted_at_rest", Value: "(unknown)", Origin: model.Unknown, Note: "var.encrypted has no default"}},
		Suppressed:  &model.Ignore{ThreatID: "TEST-DB-001", Reason: "test data only"},
	}
	got := lib.Explain(f)
	for _, want := range []string{
		"**Confidence:** tentative: depends on `encrypted_at_rest`, which could not be resolved",
		"unknown (could not be resolved)",
		"var.encrypted has no default",
		"**Accepted risk:** `threatls:ignore TEST-DB-001` — test data only",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Explain lacks %q:\n%s", want, got)
		}
	}
}

func TestExplainMeta(t *testing.T) {
	lib, errs := Load(fstest.MapFS{"threats/t.yaml": {Data: []byte(explainLibrary)}}, "threats")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := lib.Explain(model.Finding{ThreatID: MetaParse, Severity: model.Low, Message: "syntax error near `}`"})
	for _, want := range []string{
		"### TLS-001: File could not be fully analysed",
		"syntax error near \\`}\\`",
		"Part of the file does not parse",
		"#### What to do",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Explain lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "likelihood") {
		t.Errorf("a meta finding has no likelihood:\n%s", got)
	}
}

func TestCode(t *testing.T) {
	for in, want := range map[string]string{
		"a":     "`a`",
		"a`b":   "``a`b``",
		"`a`":   "`` `a` ``",
		"x\ny":  "`x y`",
		"a``b`": "``` a``b` ```",
	} {
		if got := code(in); got != want {
			t.Errorf("code(%q) = %q, want %q", in, got, want)
		}
	}
}
