package knowledge

import (
	"strings"
	"testing"

	"github.com/threatls/threatls/model"
)

func TestShortTitle(t *testing.T) {
	for in, want := range map[string]string{
		`Run as an unprivileged user (USER 10001 in the Dockerfile, user "10001:10001" in Compose, runAsNonRoot true and runAsUser in the securityContext)`:                   "Run as an unprivileged user",
		"Make the root filesystem read-only (read_only true in Compose, readOnlyRootFilesystem true in the securityContext, readonlyRootFilesystem in ECS) and mount a tmpfs": "Make the root filesystem read-only and mount a tmpfs",
		"Encrypt the storage": "Encrypt the storage",
	} {
		if got := ShortTitle(in); got != want {
			t.Errorf("ShortTitle(%q) = %q, want %q", in, got, want)
		}
	}
}

// A brief is what a hover shows: the threat, why here, the fix and a link — a few hundred
// characters, where the full explanation runs to thousands.
func TestBrief(t *testing.T) {
	lib, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	f := model.Finding{ThreatID: "AWS-RDS-002", Severity: model.High, Confidence: model.Certain, Message: "aws_db_instance.orders stores data unencrypted",
		Evidence: []model.Evidence{{Attr: "encrypted_at_rest", Value: "false", Origin: model.Read, Span: model.Span{File: "main.tf", Start: model.Pos{Line: 3}}},
			{Attr: "a", Value: "1", Origin: model.Read}, {Attr: "b", Value: "2", Origin: model.Read}}}
	brief := lib.Brief(f)
	for _, want := range []string{"**AWS-RDS-002**", lib.Threat("AWS-RDS-002").Title, "*Why here:*", "encrypted_at_rest", "… and 1 more", "*Fix:*", DocURL("AWS-RDS-002")} {
		if !strings.Contains(brief, want) {
			t.Errorf("brief lacks %q:\n%s", want, brief)
		}
	}
	if full := lib.Explain(f); len(brief)*3 > len(full) {
		t.Errorf("brief is %d characters, the full explanation %d: not short", len(brief), len(full))
	}
}
