package appconfig_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/appconfig"
)

// TestExtract checks the elements of testdata/src/*: a component per service with the
// properties it sets (env), a flow per property holding an address, and the actors outside.
// A NAME "." is the service of the file; any other is below it.
func TestExtract(t *testing.T) {
	analyzertest.Run(t, appconfig.New(), filepath.Join("testdata", "src"), func(file, name string) string {
		root := filepath.ToSlash(filepath.Dir(file))
		if i := strings.Index(root, "/src/main/resources"); i >= 0 {
			root = root[:i]
		}
		if name == "." {
			return "appconfig:" + root
		}
		return "appconfig:" + root + "/" + name
	})
}
