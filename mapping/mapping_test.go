package mapping_test

import (
	"testing"

	"github.com/threatls/threatls/mapping"
)

// TestBuiltin checks that every built-in row loads.
func TestBuiltin(t *testing.T) {
	tab, err := mapping.Default()
	if err != nil {
		t.Fatalf("the built-in mapping does not load:\n%v", err)
	}
	if len(tab.Rows()) < 20 {
		t.Errorf("%d rows, want at least 20", len(tab.Rows()))
	}
}
