// Package actions reads GitHub Actions workflows into the system model, so that what starts a
// CI job — a pull request, a comment, an issue — is an entry point of the model like a
// published port.
//
// Files: the YAML files (.yml, .yaml) directly under a .github/workflows/ directory, or an
// editor document whose language identifier is github-actions-workflow.
//
// Elements, ID "actions:<file>/<job id>":
//
//   - every job becomes a component of type github_actions_job named "<workflow
//     name>/<job id>" (the file's path when the workflow has no name), its head the job's key.
//     Attributes, each spanning what decided it: platform ("github-actions"); triggers (the
//     events of `on:`, written as a string, a list or a map); internet_facing (a trigger lets
//     outsiders start the job: pull_request_target, pull_request, issue_comment,
//     pull_request_review_comment, issues, discussion, fork, workflow_run); runs_untrusted_code
//     (a pull_request_target or workflow_run job checks out the pull request's head with
//     actions/checkout); write_permissions (write-all, or a scope with write, in the job's
//     permissions or else the workflow's; unknown when neither sets any: the repository's
//     default decides); secrets_in_env (a `${{ secrets.X }}` other than GITHUB_TOKEN in the
//     env or with of the job or of a step); actions_pinned (every `uses:` of an action or a
//     reusable workflow, other than ./local ones and docker:// images, names a 40-hex commit
//     SHA); script_injection (a `run:` script interpolates an event field an outsider writes:
//     an issue's, pull request's or discussion's title or body, a comment or review body, the
//     head branch's name); base_trigger (an outsider's trigger whose jobs run in the
//     repository's context: pull_request_target, workflow_run, issue_comment, issues,
//     discussion, discussion_comment); self_hosted (runs-on names self-hosted or a runner group;
//     unknown for labels that are not GitHub-hosted ones, or an expression); oidc_token
//     (id-token: write); persist_credentials (an actions/checkout without persist-credentials:
//     false); artifact_poisoning (a workflow_run job downloads the triggering run's artifacts:
//     download-artifact with run-id, dawidd6/action-download-artifact, gh run download);
//     env_injection (a run: line writes to GITHUB_ENV, GITHUB_OUTPUT or GITHUB_PATH an event
//     field, a variable set from one, or — in a base_trigger job — a file's content);
//     inherits_secrets (a reusable workflow of another repository called with secrets:
//     inherit).
//   - an internet-facing job gets a flow from the internet actor (actor:internet, created
//     here) to it, ID "actions:<file>/<job id>/trigger", type github_actions_trigger, with
//     protocol https, tls true, authenticated false and label the outsiders' triggers.
//
// Problems are reported on their line: YAML that does not parse (the rest of the file is
// still read), a workflow without `on:` or `jobs:`, and jobs, steps or maps of the wrong
// shape. Expressions are not evaluated: a `${{ }}` in permissions leaves write_permissions
// unknown.
package actions

import (
	"fmt"
	"path"
	"strings"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// Name is the analyzer's name: the Format of its facts and the prefix of its element IDs.
const Name = "actions"

// Analyzer reads GitHub Actions workflows. It holds no state and is safe for concurrent use.
type Analyzer struct{}

// New returns the GitHub Actions analyzer.
func New() analyzers.Analyzer { return Analyzer{} }

var _ analyzers.Analyzer = Analyzer{}

// Name returns "actions".
func (Analyzer) Name() string { return Name }

// Lang returns parse.Plain: files are decoded by analyzers/yamlnode.
func (Analyzer) Lang() parse.Lang { return parse.Plain }

// Match reports whether p is a workflow: a .yml or .yaml file directly under a
// .github/workflows/ directory. A document without a path is one when its language
// identifier is github-actions-workflow.
func (Analyzer) Match(p, languageID string) bool {
	if p == "" || model.IsURI(p) {
		return languageID == "github-actions-workflow"
	}
	if ext := path.Ext(p); ext != ".yml" && ext != ".yaml" {
		return false
	}
	dir := path.Dir(p)
	return dir == ".github/workflows" || strings.HasSuffix(dir, "/.github/workflows")
}

// Extract reads one workflow. Every element is built here: a workflow stands alone.
func (Analyzer) Extract(t *parse.Tree, file string) *model.FileFacts {
	if t == nil {
		return &model.FileFacts{File: file, Format: Name}
	}
	return extract(t.Src, file)
}

// Scope returns p: each file links alone.
func (Analyzer) Scope(p string) string { return p }

// Link returns the elements of every workflow, unchanged: nothing crosses files.
func (Analyzer) Link(files []*model.FileFacts) []*model.Element {
	return analyzers.FileElements(files, Name)
}

// Fix carries out op on el, a job of src's workflow. The one operation is set: Path is a
// dotted path from the job's map, Value a scalar's YAML text, as yamlnode.Set does
// (steps[uses=actions/checkout@*].with.persist-credentials).
func (Analyzer) Fix(src []byte, el *model.Element, op model.FixOp) ([]model.TextEdit, error) {
	if op.Op != "set" {
		return nil, fmt.Errorf("actions %s: %s: %w", el.Name, op.Op, analyzers.ErrNoFix)
	}
	fail := func(err error) ([]model.TextEdit, error) {
		return nil, fmt.Errorf("actions fix %s: set %s: %w", el.Name, op.Path, err)
	}
	id := el.ID[strings.LastIndexByte(el.ID, '/')+1:]
	docs, _ := yamlnode.Parse(src, el.Span.File)
	for _, d := range docs {
		if p, ok := d.Root.Get("jobs").Pair(id); ok && p.Key.Span.Start.Offset == el.Head.Start.Offset {
			if p.Value == nil || p.Value.Kind != yamlnode.Map {
				return fail(fmt.Errorf("job %s is not a map", id))
			}
			edits, err := yamlnode.Set(src, el.Span.File, p.Value, op.Path, op.Value)
			if err != nil {
				return fail(err)
			}
			return edits, nil
		}
	}
	return fail(fmt.Errorf("no job %s at %s (has the file changed?)", id, el.Head))
}

// Comment returns a YAML line comment holding text.
func (Analyzer) Comment(text string) string { return "# " + text }
