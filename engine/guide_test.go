package engine_test

import (
	"context"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/all"
	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/engine/enginetest"
	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// guideCases are representative findings: a mechanical fix in Terraform and in a manifest, no
// mechanical fix in Terraform, compose, a workflow, a Dockerfile and a Mermaid diagram, a
// flow, a store, and attack paths whose controls are ranked.
var guideCases = []struct {
	golden, dir, file, threat string
}{
	{"s3-encryption", "../testdata/examples/shop", "infra/data.tf", "AWS-S3-004"},
	{"sg-ssh", "../testdata/examples/aws-shop", "network.tf", "AWS-SG-001"},
	{"iam-all-resources", "../testdata/examples/aws-shop", "iam.tf", "AWS-IAM-002"},
	{"iam-admin-user", "../testdata/examples/aws-shop", "iam.tf", "AWS-IAM-003"},
	{"k8s-read-only-fs", "../testdata/examples/shop", "k8s/api.yaml", "SYS-CONT-005"},
	{"compose-secret", "../testdata/examples/shop", "compose.yaml", "SYS-SECRET-001"},
	{"flow-plaintext", "../testdata/examples/shop", "k8s/api.yaml", "SYS-FLOW-001"},
	{"store-unauthenticated", "../testdata/examples/shop", "infra/data.tf", "SYS-AUTH-004"},
	{"edge-terraform", "testdata/guide/api", "main.tf", "SYS-EDGE-001"},
	{"edge-kubernetes", "../testdata/examples/shop", "k8s/web.yaml", "SYS-EDGE-001"},
	{"path-pii", "../testdata/examples/shop", "infra/data.tf", "SYS-PATH-003"},
	{"drift-mermaid", "../testdata/examples/shop", "docs/architecture.md", "SYS-DRIFT-001"},
	{"ci-script-injection", "testdata/guide/ci", ".github/workflows/triage.yml", "SYS-CI-002"},
	{"dockerfile-add-url", "testdata/guide/ci", "Dockerfile", "SYS-CONT-010"},
}

// TestGuideGolden renders the guidance of each case as `threatls explain FILE:LINE` prints it.
func TestGuideGolden(t *testing.T) {
	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(lib, all.Analyzers(), nil)
	snaps := map[string]*engine.Snapshot{}
	for _, tc := range guideCases {
		t.Run(tc.golden, func(t *testing.T) {
			snap := snaps[tc.dir]
			if snap == nil {
				snap = enginetest.Scan(t, eng, tc.dir)
				snaps[tc.dir] = snap
			}
			f := firstFinding(t, snap, tc.file, tc.threat)
			g := eng.Guide(context.Background(), snap, engine.DefaultConfig(), f, engine.GuideOptions{Rank: true})
			enginetest.Golden(t, filepath.Join("testdata", "guide", "golden", tc.golden+".txt"), []byte(g.Text()), *update)
			if len(g.Steps) == 0 {
				t.Error("no steps")
			}
			if len(g.Fixes) == 0 && g.Example == nil && g.Path == nil {
				t.Error("neither a fix, an example nor an attack path: the guidance is generic")
			}
		})
	}
}

func firstFinding(t *testing.T, snap *engine.Snapshot, file, threat string) model.Finding {
	t.Helper()
	for _, f := range snap.Findings() {
		if f.Span.File == file && f.ThreatID == threat && f.Suppressed == nil {
			return f
		}
	}
	t.Fatalf("no %s finding in %s", threat, file)
	return model.Finding{}
}

// TestGuideRanksByReevaluation: each ranked control is what the model says when that control
// is declared, checked here independently with a what-if of the same declaration written by
// hand; the ranking is best first.
func TestGuideRanksByReevaluation(t *testing.T) {
	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(lib, all.Analyzers(), nil)
	snap := enginetest.Scan(t, eng, "../testdata/examples/shop")
	f := firstFinding(t, snap, "infra/data.tf", "SYS-PATH-003")
	g := eng.Guide(context.Background(), snap, engine.DefaultConfig(), f, engine.GuideOptions{Rank: true})
	if g.Path == nil || len(g.Path.Ranked) < 3 {
		t.Fatalf("path guidance = %+v", g.Path)
	}
	for i := 1; i < len(g.Path.Ranked); i++ {
		a, b := g.Path.Ranked[i-1], g.Path.Ranked[i]
		if !a.Removed && (b.Removed || b.RiskAfter < a.RiskAfter) {
			t.Errorf("ranking out of order: %+v before %+v", a, b)
		}
	}
	for _, c := range g.Path.Ranked {
		if c.RiskAfter > g.Path.Risk {
			t.Errorf("adding %s raised the risk: %+v", c.Control, c)
		}
	}
	// TLS on the hop web → api, declared by hand in the example's threatls.yaml.
	var tls *knowledge.ControlEffect
	for i, c := range g.Path.Ranked {
		if c.Control == "tls" {
			tls = &g.Path.Ranked[i]
		}
	}
	if tls == nil {
		t.Fatal("TLS was not tried")
	}
	orig := string(snap.File("threatls.yaml").Text)
	end := strings.Index(orig, "    data: [invoices]\n")
	if end < 0 {
		t.Fatal("the example's threatls.yaml no longer has the last flow of its flows: section, which this test extends")
	}
	end += len("    data: [invoices]\n")
	cfgText := orig[:end] + "  - from: kubernetes:shop/Deployment/web\n    to: kubernetes:shop/Deployment/api\n    port: 8080\n    tls: true\n" + orig[end:]
	next, err := eng.WhatIf(context.Background(), snap, engine.DefaultConfig(), "threatls.yaml", []byte(cfgText))
	if err != nil {
		t.Fatal(err)
	}
	p := next.Element(f.Element)
	if p == nil {
		t.Fatal("the path disappeared with TLS on one hop")
	}
	if got := p.Attrs.At("risk").Value.(int64); int(got) != tls.RiskAfter || tls.RiskAfter >= g.Path.Risk {
		t.Errorf("with TLS declared by hand the risk is %d; the ranking says %d (from %d)", got, tls.RiskAfter, g.Path.Risk)
	}
}
