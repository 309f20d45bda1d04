package knowledge_test

import (
	"flag"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/threatls/threatls/analyzers/all"
	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/engine/enginetest"
	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

var update = flag.Bool("update", false, "rewrite golden files")

func builtin(t *testing.T) *knowledge.Library {
	t.Helper()
	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatalf("the built-in library does not load:\n%v", err)
	}
	return lib
}

// TestLibrary checks that every built-in entry loads, compiles and is documented.
func TestLibrary(t *testing.T) {
	lib := builtin(t)
	for _, err := range lib.Compile() {
		t.Errorf("a built-in condition does not compile: %v", err)
	}
	if n := len(lib.Threats()); n < 20 {
		t.Errorf("the library has %d threats, want at least 20", n)
	}
	for _, th := range lib.Threats() {
		if len(th.CWE) == 0 {
			t.Errorf("%s has no CWE", th.ID)
		}
		if len(th.References) == 0 {
			t.Errorf("%s has no references", th.ID)
		}
		// The threats of the clouds' libraries show the threat and its fix in source.
		switch path.Base(th.File()) {
		case "cloud.yaml", "azure.yaml", "gcp.yaml", "aws-more.yaml":
			if th.Docs.Before == "" || th.Docs.After == "" {
				t.Errorf("%s has no before/after example", th.ID)
			}
		}
	}
}

// TestMalformedEntry checks that a bad entry is reported with its file and ID, and that the
// good entries of the same file still load.
func TestMalformedEntry(t *testing.T) {
	good := `
  title: Good
  stride: [Tampering]
  cwe: [CWE-1]
  likelihood: low
  impact: low
  applies_to: {types: [t]}
  condition: e.attrs.x == true
  message: "{{.Name}} is bad"
  mitigations: [{title: Fix it}]
  docs: {why: because, fix: this}
`
	cases := map[string]string{
		"bad CEL":           "- id: X-BAD-001" + strings.Replace(good, "e.attrs.x == true", "e.attrs.x ==", 1),
		"not a bool":        "- id: X-BAD-002" + strings.Replace(good, "e.attrs.x == true", "1 + 2", 1),
		"unknown field":     "- id: X-BAD-003" + good + "  severity: high\n",
		"no mitigation":     "- id: X-BAD-004" + strings.Replace(good, "[{title: Fix it}]", "[]", 1),
		"bad stride":        "- id: X-BAD-005" + strings.Replace(good, "Tampering", "Hacking", 1),
		"bad id":            "- id: bad" + good,
		"bad template":      "- id: X-BAD-007" + strings.Replace(good, "{{.Name}}", "{{.Name", 1),
		"bad fix op":        "- id: X-BAD-008" + strings.Replace(good, "[{title: Fix it}]", "[{title: Fix it, fixes: {t: [{op: delete}]}}]", 1),
		"unknown framework": "- id: X-BAD-009" + good + "  compliance: {pci: [\"1\"]}\n",
	}
	for name, entry := range cases {
		t.Run(name, func(t *testing.T) {
			fsys := fstest.MapFS{"threats/x.yaml": {Data: []byte(entry + "- id: X-GOOD-001" + good)}}
			lib, errs := knowledge.Load(fsys, "threats")
			if len(errs) != 1 {
				t.Fatalf("got %d errors, want 1: %v", len(errs), errs)
			}
			if !strings.Contains(errs[0].Error(), "threats/x.yaml") {
				t.Errorf("error does not name the file: %v", errs[0])
			}
			if lib.Threat("X-GOOD-001") == nil {
				t.Errorf("the good entry was not loaded")
			}
		})
	}
}

func newEngine(t *testing.T) *engine.Engine {
	return engine.New(builtin(t), all.Analyzers(), nil)
}

// TestThreats runs every threat's cases: each directory of testdata/threats is a workspace
// whose files say which findings they expect.
func TestThreats(t *testing.T) {
	eng := newEngine(t)
	dirs, err := filepath.Glob("testdata/threats/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no threat cases: %v", err)
	}
	positive := map[string]bool{}
	negative := map[string]bool{}
	for _, dir := range dirs {
		snap := enginetest.Scan(t, eng, dir)
		t.Run(filepath.Base(dir), func(t *testing.T) { enginetest.Check(t, snap) })
		fired := map[string]bool{} // threat@element
		for _, f := range snap.Findings() {
			positive[f.ThreatID] = true
			fired[f.ThreatID+"@"+f.Element] = true
		}
		for _, th := range eng.Library().Threats() {
			for _, el := range snap.Graph().Elements() {
				if applies(th, el) && !fired[th.ID+"@"+el.ID] {
					negative[th.ID] = true
				}
			}
		}
	}
	for _, th := range eng.Library().Threats() {
		if !positive[th.ID] {
			t.Errorf("%s has no positive case in testdata/threats", th.ID)
		}
		if !negative[th.ID] {
			t.Errorf("%s has no negative case in testdata/threats (an element it applies to, on which it must not fire)", th.ID)
		}
	}
}

func applies(th *knowledge.Threat, el *model.Element) bool { return th.Applies(el) }

// TestFixes applies the first mitigation of every finding of threat ID in testdata/fix/ID.tf,
// compares the result with ID.tf.golden, and re-scans it: the threat must be gone and the file
// must still parse.
func TestFixes(t *testing.T) {
	eng := newEngine(t)
	// A case is testdata/fix/ID.tf, ID.k8s.yaml (a manifest), ID.compose.yaml, a
	// CloudFormation template ID.cfn.yaml or ID.cfn.json, ID.Dockerfile, ID.workflow.yml (a
	// GitHub Actions workflow), or a program: ID.py, ID.go, ID.js, ID.java, ID.cs.
	var inputs []string
	for _, pattern := range []string{"*.tf", "*.yaml", "*.json", "*.Dockerfile", "*.yml", "*.py", "*.go", "*.js", "*.java", "*.cs"} {
		more, _ := filepath.Glob(filepath.Join("testdata", "fix", pattern))
		inputs = append(inputs, more...)
	}
	if len(inputs) == 0 {
		t.Fatal("no fix cases in testdata/fix")
	}
	for _, in := range inputs {
		base := filepath.Base(in)
		id, variant, _ := strings.Cut(base, ".")
		name := map[string]string{"tf": "main.tf", "k8s.yaml": "manifest.yaml", "compose.yaml": "compose.yaml",
			"cfn.yaml": "template.yaml", "cfn.json": "template.json",
			"Dockerfile": "Dockerfile", "workflow.yml": ".github/workflows/ci.yml",
			"py": "app.py", "go": "main.go", "js": "app.js", "java": "App.java", "cs": "Program.cs"}[variant]
		if name == "" {
			t.Fatalf("%s: a fix case is ID.tf, ID.k8s.yaml, ID.compose.yaml, ID.cfn.yaml, ID.cfn.json, ID.Dockerfile, ID.workflow.yml or a program (ID.py, ID.go, ID.js, ID.java, ID.cs)", in)
		}
		t.Run(strings.TrimSuffix(base, filepath.Ext(base)), func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			path := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, src, 0o644); err != nil {
				t.Fatal(err)
			}
			// Fix one finding at a time, re-scanning in between, until none is left.
			for round := 0; ; round++ {
				snap := enginetest.Scan(t, eng, dir)
				var target *model.Finding
				for _, f := range snap.Findings() {
					if f.ThreatID == id && f.Suppressed == nil {
						target = &f
						break
					}
				}
				if target == nil {
					if round == 0 {
						t.Fatalf("%s reports no %s finding to fix", in, id)
					}
					break
				}
				if round > 10 {
					t.Fatalf("the fix does not remove %s: %s", id, target.Message)
				}
				fixes := eng.Fixes(snap, *target)
				if len(fixes) == 0 || fixes[0].Kind != model.Mitigate {
					t.Fatalf("%s on %s has no mechanical fix", id, target.ElementName)
				}
				texts, err := enginetest.Apply(snap, fixes[0])
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, texts[name], 0o644); err != nil {
					t.Fatal(err)
				}
			}
			fixed, _ := os.ReadFile(path)
			enginetest.Golden(t, in+".golden", fixed, *update)
			for _, f := range enginetest.Scan(t, eng, dir).Findings() {
				if f.ThreatID == knowledge.MetaParse {
					t.Errorf("the fixed file does not parse: %s", f.Message)
				}
			}
		})
	}
}

// TestRulesPageIsCurrent fails when docs/rules.md, the page every diagnostic links to, no longer
// matches the library (regenerate it with `make rules`, or -update).
func TestRulesPageIsCurrent(t *testing.T) {
	enginetest.Golden(t, "../docs/rules.md", []byte(builtin(t).RulesPage()), *update)
}
