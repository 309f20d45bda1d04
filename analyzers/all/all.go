// Package all is the registry of analyzers: the one list of formats threatls reads. Adding a
// format means adding its analyzer here.
package all

import (
	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/actions"
	"github.com/threatls/threatls/analyzers/appconfig"
	"github.com/threatls/threatls/analyzers/cloudformation"
	"github.com/threatls/threatls/analyzers/code"
	"github.com/threatls/threatls/analyzers/compose"
	"github.com/threatls/threatls/analyzers/config"
	"github.com/threatls/threatls/analyzers/dockerfile"
	"github.com/threatls/threatls/analyzers/kubernetes"
	"github.com/threatls/threatls/analyzers/mermaid"
	"github.com/threatls/threatls/analyzers/otm"
	"github.com/threatls/threatls/analyzers/terraform"
	"github.com/threatls/threatls/analyzers/threagile"
)

// Analyzers returns every analyzer, in the order files are matched against them: a file
// belongs to the first that matches. Kubernetes comes last, because it claims every YAML file
// that no format with a recognisable name (compose files, threatls.yaml, Threagile and OTM
// models, GitHub Actions workflows, CloudFormation templates) has claimed. CloudFormation
// comes after the formats whose names are more specific (a compose.cfn.yaml is a compose
// file). Application code has an analyzer per grammar (code.Analyzers), all made from the
// same packs.
func Analyzers() []analyzers.Analyzer {
	out := []analyzers.Analyzer{
		terraform.New(),
		config.New(),
		compose.New(),
		dockerfile.New(),
		mermaid.New(),
		threagile.New(),
		otm.New(),
		actions.New(),
		appconfig.New(),
		cloudformation.New(),
	}
	out = append(out, code.Analyzers()...)
	return append(out, kubernetes.New())
}
