package cloudformation_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/cloudformation"
	"github.com/threatls/threatls/model"
)

// element extracts src as file and returns its element called name.
func element(t *testing.T, file string, src []byte, name string) *model.Element {
	t.Helper()
	a := cloudformation.New()
	ff := analyzertest.Extract(t, a, file, src)
	for _, p := range ff.Problems {
		t.Errorf("%s: %s", file, p.Message)
	}
	for _, e := range a.Link([]*model.FileFacts{ff}) {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("no element %s", name)
	return nil
}

// TestFix runs the fix of each testdata/fix case — named on the first line of a YAML template
// (`# fix: ELEMENT {op as JSON}`), in FILE.fix beside a JSON one — and compares the result
// with the .golden file; the fixed file must read back without problems and a second run must
// change nothing.
func TestFix(t *testing.T) {
	cases := analyzertest.FixCases(t, filepath.Join("testdata", "fix", "*.cfn.yaml"))
	jsons, _ := filepath.Glob(filepath.Join("testdata", "fix", "*.json"))
	if len(jsons) == 0 {
		t.Fatal("no JSON fix cases")
	}
	for _, f := range jsons {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		spec, err := os.ReadFile(f + ".fix")
		if err != nil {
			t.Fatal(err)
		}
		el, op, _ := strings.Cut(strings.TrimSpace(string(spec)), " ")
		c := analyzertest.FixCase{Path: f, Src: src, Element: el}
		if err := json.Unmarshal([]byte(op), &c.Op); err != nil {
			t.Fatalf("%s.fix: %v", f, err)
		}
		cases = append(cases, c)
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.Path), func(t *testing.T) {
			name := filepath.Base(c.Path)
			el := element(t, name, c.Src, c.Element)
			edits, err := cloudformation.New().Fix(c.Src, el, c.Op)
			if err != nil {
				t.Fatal(err)
			}
			got := analyzertest.Apply(t, c.Src, edits)
			analyzertest.Golden(t, c.Path, got)
			if strings.HasSuffix(name, ".json") {
				var v any
				if err := json.Unmarshal(got, &v); err != nil {
					t.Errorf("the fixed file is not JSON: %v", err)
				}
			}
			again, err := cloudformation.New().Fix(got, element(t, name, got, c.Element), c.Op)
			if err != nil {
				t.Fatal(err)
			}
			if again := analyzertest.Apply(t, got, again); string(again) != string(got) {
				t.Errorf("a second run changes the file again:\n%s", again)
			}
		})
	}
}
