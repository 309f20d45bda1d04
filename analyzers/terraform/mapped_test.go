package terraform

import (
	"sort"
	"testing"
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
