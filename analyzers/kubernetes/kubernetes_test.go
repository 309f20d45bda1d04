package kubernetes_test

import (
	"path/filepath"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/kubernetes"
)

// elementID maps a NAME of the testdata ("shop/Deployment/api", "namespace/shop") to its ID.
func elementID(_, name string) string { return "kubernetes:" + name }

func TestWorkspaces(t *testing.T) {
	analyzertest.Run(t, kubernetes.New(), filepath.Join("testdata", "src"), elementID)
}
