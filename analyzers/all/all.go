// Package all is the registry of analyzers: the one list of formats threatls reads. Adding a
// format means adding its analyzer here.
package all

import (
	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/terraform"
)

// Analyzers returns every analyzer, in the order files are matched against them.
func Analyzers() []analyzers.Analyzer {
	return []analyzers.Analyzer{terraform.New()}
}
