package code_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/all"
	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/code"
	"github.com/threatls/threatls/model"
)

// TestPacksLoad checks that every language's packs load and that its query compiles for
// each of its grammars.
func TestPacksLoad(t *testing.T) {
	ls, err := code.Languages()
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) == 0 {
		t.Fatal("no language")
	}
	for _, a := range code.Analyzers() {
		if err := a.(*code.Analyzer).Compile(); err != nil {
			t.Errorf("%s: %v", a.Name(), err)
		}
	}
}

// byFormat returns the code analyzer of a format.
func byFormat(t *testing.T, name string) analyzers.Analyzer {
	for _, a := range code.Analyzers() {
		if a.Name() == name {
			return a
		}
	}
	t.Fatalf("no analyzer %s", name)
	return nil
}

// ids names the elements of a workspace in its want directives: "." is the service of the
// file holding the directive, any other name is an ID below it (entry/GET /health,
// flow/DATABASE_URL).
func ids(t *testing.T, a analyzers.Analyzer, root string) func(file, name string) string {
	facts, _ := analyzertest.Workspace(t, a, root)
	var services []string
	for _, e := range a.Link(facts) {
		if e.Kind == model.Component && e.Type == "service" {
			services = append(services, e.ID)
		}
	}
	// The deepest service first.
	sort.Slice(services, func(i, j int) bool { return len(services[i]) > len(services[j]) })
	return func(file, name string) string {
		for _, id := range services {
			root := strings.TrimPrefix(id, a.Name()+":")
			if root == "." || file == root || strings.HasPrefix(file, root+"/") {
				if name == "." {
					return id
				}
				return id + "/" + name
			}
		}
		return a.Name() + ":?/" + name
	}
}

// TestServices checks every workspace of testdata/src/<format>: the elements each format's
// analyzer makes, one to one with the want directives of its files.
func TestServices(t *testing.T) {
	dirs, err := os.ReadDir(filepath.Join("testdata", "src"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		t.Run(d.Name(), func(t *testing.T) {
			a := byFormat(t, d.Name())
			root := filepath.Join("testdata", "src", d.Name())
			analyzertest.Check(t, a, root, ids(t, a, root))
		})
	}
}

// TestLinkedToDeployment checks each workspace as the model sees it, with every analyzer:
// the services fused with the Dockerfiles and manifests that run them, and their flows
// resolved through the configuration those set.
func TestLinkedToDeployment(t *testing.T) {
	dirs, err := os.ReadDir(filepath.Join("testdata", "src"))
	if err != nil {
		t.Fatal(err)
	}
	var formats []string
	for _, a := range code.Analyzers() {
		formats = append(formats, a.Name())
	}
	for _, d := range dirs {
		t.Run(d.Name(), func(t *testing.T) {
			analyzertest.CheckModel(t, all.Analyzers(), filepath.Join("testdata", "src", d.Name()), formats...)
		})
	}
}

// TestSourceOnly checks what the model makes of a repository holding only source folders
// and their Dockerfiles: a service per folder, fused with its Dockerfile, and the flows
// its code's configuration names, found by the names of the variables (tentative).
func TestSourceOnly(t *testing.T) {
	var formats []string
	for _, a := range code.Analyzers() {
		formats = append(formats, a.Name())
	}
	analyzertest.CheckModel(t, all.Analyzers(), filepath.Join("testdata", "model", "sourceonly"), formats...)
}
