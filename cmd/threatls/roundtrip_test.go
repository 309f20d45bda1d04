package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// treated lists the accepted and declared-mitigated findings of a scan: threat, element,
// status and reason.
func treated(t *testing.T, dir string) []string {
	t.Helper()
	out, err := run(t, "scan", "--format", "json", dir)
	if exitCode(err) == 2 {
		t.Fatal(err)
	}
	var doc struct {
		Findings []struct {
			ThreatID    string `json:"threat_id"`
			ElementName string `json:"element_name"`
			Suppressed  *struct {
				Reason, Owner, Ticket string
			} `json:"suppressed"`
			Mitigated *struct {
				Reason, Owner, Ticket string
			} `json:"mitigated"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range doc.Findings {
		switch {
		case f.Suppressed != nil:
			got = append(got, f.ThreatID+" "+f.ElementName+" accepted: "+f.Suppressed.Reason+" / "+f.Suppressed.Ticket)
		case f.Mitigated != nil:
			got = append(got, f.ThreatID+" "+f.ElementName+" mitigated: "+f.Mitigated.Reason+" / "+f.Mitigated.Owner+" / "+f.Mitigated.Ticket)
		}
	}
	sort.Strings(got)
	return got
}

// TestRegisterRoundTrip: the Threagile and OTM exports write the risk register (and inline
// acceptances) back — risk_tracking, threat states — and a workspace that has only the
// exported model, no register and no comments, accepts and mitigates the same findings.
func TestRegisterRoundTrip(t *testing.T) {
	want := treated(t, shop)
	if len(want) != 3 {
		t.Fatalf("the shop has %d treated findings, want 3 (two accepted, one mitigated): %q", len(want), want)
	}
	for _, format := range []string{"threagile", "otm"} {
		t.Run(format, func(t *testing.T) {
			exported, err := run(t, "model", "--format", format, shop)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			copyTree(t, shop, dir)
			cfg := string(mustRead(t, filepath.Join(dir, "threatls.yaml")))
			write(t, filepath.Join(dir, "threatls.yaml"), cfg[:strings.Index(cfg, "# The risk register")])
			tf := filepath.Join(dir, "infra", "data.tf")
			write(t, tf, regexp.MustCompile(`(?m)^# threatls:ignore.*\n`).ReplaceAllString(string(mustRead(t, tf)), ""))
			if got := treated(t, dir); len(got) != 0 {
				t.Fatalf("without the register: %q", got)
			}
			name := map[string]string{"threagile": "threagile.yaml", "otm": "model.otm.json"}[format]
			write(t, filepath.Join(dir, name), exported)
			got := treated(t, dir)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("read back from %s:\n%s\nwant:\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			out, _ := run(t, "scan", "--compact", dir)
			if strings.Contains(out, "TLS-006") || strings.Contains(out, "TLS-007") {
				t.Errorf("the register read back from %s is reported:\n%s", name, out)
			}
		})
	}
}
