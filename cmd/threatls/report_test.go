package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threatls/threatls/knowledge"
)

// golden compares out with testdata/shop/NAME.golden (rewritten with -update).
func golden(t *testing.T, name, out string) {
	t.Helper()
	path := filepath.Join("testdata", "shop", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if out != string(want) {
		t.Errorf("%s differs from %s (run go test ./cmd/threatls -run %s -update to accept):\n%s",
			name, path, t.Name(), firstDiff(string(want), out))
	}
}

// TestShopReport compares each format of `threatls report` on the example with its golden
// file.
func TestShopReport(t *testing.T) {
	for _, tc := range []struct{ golden, format string }{
		{"report.html", "html"},
		{"report.md", "markdown"},
		{"report.json", "json"},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			out, err := run(t, "report", "--format", tc.format, shop)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.golden, out)
		})
	}
}

// TestShopCompliance compares the report of every framework on the example with its golden
// file, in text, and the PCI DSS report in every format.
func TestShopCompliance(t *testing.T) {
	type tc struct{ golden, fw, format string }
	var cases []tc
	for _, fw := range knowledge.Frameworks {
		cases = append(cases, tc{"compliance-" + fw + ".txt", fw, "text"})
	}
	cases = append(cases, tc{"compliance-pci-dss-4.0.json", "pci-dss-4.0", "json"},
		tc{"compliance-pci-dss-4.0.md", "pci-dss-4.0", "markdown"},
		tc{"compliance-pci-dss-4.0.html", "pci-dss-4.0", "html"})
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			out, err := run(t, "report", "--compliance", c.fw, "--format", c.format, shop)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.golden, out)
		})
	}
	out, err := run(t, "report", "--compliance", "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, fw := range append(knowledge.Frameworks, "owasp-asvs") {
		if !strings.Contains(out, fw+" ") {
			t.Errorf("--compliance list does not name %s:\n%s", fw, out)
		}
	}
	if _, err := run(t, "report", "--compliance", "sox", shop); exitCode(err) != 2 || !strings.Contains(err.Error(), "--compliance list") {
		t.Errorf("an unknown framework: %v", err)
	}
}

// TestRegisterInSARIF: an acceptance of the risk register is an external suppression, an
// inline one an inSource suppression, each with its reason.
func TestRegisterInSARIF(t *testing.T) {
	out, err := run(t, "scan", "--format", "sarif", shop)
	if exitCode(err) == 2 {
		t.Fatal(err)
	}
	for _, want := range []string{`"kind": "external"`, `"justification": "CloudTrail data events record every request to the invoices bucket"`,
		`"kind": "inSource"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the SARIF log lacks %s", want)
		}
	}
}
