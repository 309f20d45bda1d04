package terraform

import (
	"path/filepath"
	"sort"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
)

// TestEveryTypeHasARow fails when Go reads a resource type the resource mapping does not name:
// a type is added by a row of mapping/data, and Go only adds logic to it.
func TestEveryTypeHasARow(t *testing.T) {
	var types []string
	for typ := range builders {
		types = append(types, typ)
	}
	for typ := range linkers {
		types = append(types, typ)
	}
	sort.Strings(types)
	for _, typ := range types {
		if row(typ) == nil {
			t.Errorf("%s is read in Go but has no row in mapping/data", typ)
		}
	}
}

// A workspace links with a clone of the analyzer: what another's Links built is not its own.
func TestCloneLinksAlone(t *testing.T) {
	a := &Analyzer{}
	facts, _ := analyzertest.Workspace(t, a, filepath.Join("testdata", "src"))
	a.Link(facts)
	if len(a.modules) == 0 {
		t.Fatal("the Link kept no module: nothing to test")
	}
	if n := len(a.Clone().(*Analyzer).modules); n != 0 {
		t.Errorf("a clone holds %d modules linked by the analyzer it was made from", n)
	}
}
