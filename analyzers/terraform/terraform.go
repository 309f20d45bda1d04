// Package terraform reads Terraform configurations written for the AWS provider (v4 and
// later) into the model: S3 buckets and their companion resources, RDS, DynamoDB,
// ElastiCache, SQS, SNS, Secrets Manager, EBS, EFS, KMS keys, CloudTrail trails, IAM policies
// and attachments, VPCs and subnets (zones, public when routed to an internet gateway),
// security groups and their ingress rules, load balancers and their listeners, EC2, ECS, EKS,
// Lambda and API Gateway, and aws providers, with the normalised attributes of
// docs/attributes.md.
//
// Extract reads one file's tree into a tree-free Raw (blocks, attributes, expressions with
// their spans), the file's threatls:ignore comments and at most one syntax problem. Link
// groups the files of the workspace by module directory, resolves variables (.tfvars files,
// module calls, defaults), locals, module outputs and functions, expands count, for_each and
// dynamic blocks, attaches companion resources to their bucket, normalises every element
// through the resource mapping (package mapping), places components and stores in their subnets, and derives the flows between them
// that load balancers and security groups admit. Fix re-parses a file to carry out a threat's fix operations as text edits,
// formatted as `terraform fmt` would.
package terraform

import (
	"path"
	"strings"
	"sync"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// Name is the analyzer's name: the Format of its facts and the prefix of its element IDs.
const Name = "terraform"

// Analyzer reads Terraform. The zero value is ready to use and safe for concurrent use.
type Analyzer struct {
	mu sync.Mutex
	// modules caches the elements Link built for each module directory, with the facts they
	// were built from: facts are immutable, so a module whose files are the same facts
	// (pointer for pointer) needs no rebuilding. A Link of some directories (the engine
	// re-reads a single file to carry out a fix) leaves the others' entries alone, so one
	// entry per directory ever linked is kept.
	modules map[string]linked
	// reused counts the Links of a module that took the last elements over (reuse.go).
	reused int
}

type linked struct {
	files []*model.FileFacts
	out   []*model.Element
	// key is what the elements depend on in other directories (world.key): module calls.
	key string
	// log is what the build read, for a module large enough to keep it (reads.go).
	log *readLog
}

// New returns the Terraform analyzer.
func New() analyzers.Analyzer { return &Analyzer{} }

var _ analyzers.Analyzer = (*Analyzer)(nil)

// Clone returns a Terraform analyzer with nothing linked yet: each workspace keeps the modules
// its own Links built (two workspaces of one engine replaced each other's entries for a
// directory of the same name, and a closed workspace's stayed).
func (*Analyzer) Clone() analyzers.Analyzer { return &Analyzer{} }

// Cools reports true: a module's Raw is several times its text, and Link reads it through
// RawFacts.
func (*Analyzer) Cools() bool { return true }

// Name returns "terraform".
func (*Analyzer) Name() string { return Name }

// Lang returns the HCL grammar.
func (*Analyzer) Lang() parse.Lang { return parse.HCL }

// Match reports whether path is a .tf, .tofu (OpenTofu's, the same language) or .tfvars file
// or, for documents without a path, whether the editor's language is Terraform. (Where a
// directory holds main.tf and main.tofu, OpenTofu reads the second and Terraform the first;
// threatls reads both, and builds what they declare otherwise both ways: twins.go.)
func (*Analyzer) Match(p, languageID string) bool {
	if base := path.Base(p); strings.HasSuffix(base, ".tf") || strings.HasSuffix(base, ".tofu") || isVars(p) {
		return true
	}
	switch languageID {
	case "terraform", "tf":
		return true
	}
	return false
}

// Comment returns a Terraform line comment holding text.
func (*Analyzer) Comment(text string) string { return "# " + text }

// isVars reports whether a file sets variables: terraform.tfvars, *.auto.tfvars, or any
// other .tfvars file (passed with -var-file).
func isVars(p string) bool { return strings.HasSuffix(path.Base(p), ".tfvars") }

// Unread says why a file in Terraform's JSON syntax is not analysed: Terraform reads
// *.tf.json beside *.tf (resources, overrides) and *.tfvars.json beside *.tfvars, and
// threatls does not yet. Unreported, a bucket declared in main.tf.json passed every gate.
func (*Analyzer) Unread(p string) string {
	switch base := path.Base(p); {
	case strings.HasSuffix(base, ".tf.json"), strings.HasSuffix(base, ".tofu.json"):
		return "Terraform's JSON syntax is not read yet: what this file declares is not in the model, and Terraform applies it"
	case strings.HasSuffix(base, ".tfvars.json"):
		return "Terraform's JSON syntax is not read yet: the variables this file sets keep their defaults in the model"
	}
	return ""
}
