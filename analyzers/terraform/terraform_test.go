package terraform_test

import (
	"path"
	"path/filepath"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/terraform"
	"github.com/threatls/threatls/model"
)

// elementID maps an address written in file to the ID of the element in file's module.
func elementID(file, name string) string { return "terraform:" + path.Dir(file) + "/" + name }

func TestWorkspaces(t *testing.T) {
	analyzertest.Run(t, terraform.New(), filepath.Join("testdata", "src"), elementID)
}

func extractSrc(t testing.TB, rel string, src []byte) *model.FileFacts {
	t.Helper()
	return analyzertest.Extract(t, terraform.New(), rel, src)
}

func workspace(t testing.TB, root string) ([]*model.FileFacts, map[string][]byte) {
	t.Helper()
	return analyzertest.Workspace(t, terraform.New(), root)
}
