package actions

import (
	"regexp"
	"slices"
	"strings"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// outsiderTriggers are the events a person outside the repository can cause: opening a pull
// request or an issue, commenting, forking, or a workflow_run that follows one of those.
var outsiderTriggers = []string{"pull_request_target", "pull_request", "issue_comment",
	"pull_request_review_comment", "issues", "discussion", "discussion_comment", "fork", "workflow_run"}

// privilegedTriggers run in the base repository's context — its secrets, a token that can
// write — whatever started them.
var privilegedTriggers = []string{"pull_request_target", "workflow_run"}

var (
	// headRef finds, in a checkout's ref, the pull request's head (or the head of the run
	// that a workflow_run follows).
	headRef = regexp.MustCompile(`github\.event\.pull_request\.head\.(sha|ref)|github\.head_ref|refs/pull/|github\.event\.workflow_run\.head_(sha|branch)`)
	// expr finds a ${{ }} expression.
	expr = regexp.MustCompile(`\$\{\{([^}]*)\}\}`)
	// secretRef finds a secret in an expression.
	secretRef = regexp.MustCompile(`\bsecrets\.([A-Za-z_][A-Za-z0-9_-]*)|\bsecrets\[\s*'([^']*)'\s*\]`)
	// untrusted finds, in an expression, an event field an outsider writes.
	untrusted = regexp.MustCompile(`github\.event\.(issue\.(title|body)|pull_request\.(title|body|head\.ref)|comment\.body|review\.body|discussion\.(title|body))\b|github\.head_ref\b`)
	// sha is a full commit SHA.
	sha = regexp.MustCompile(`^[0-9a-fA-F]{40}$`)
)

// workflow is what every job of a file shares.
type workflow struct {
	file, name string
	on         *yamlnode.Pair // nil without `on:`
	triggers   []trigger
	perms      *yamlnode.Pair // the workflow's permissions, or nil
}

// trigger is one event of `on:` and where it is written.
type trigger struct {
	event string
	span  model.Span
}

type extractor struct {
	yamlnode.Reader
	wf     workflow
	els    []*model.Element
	jobs   []*model.Element
	actor  bool
	seenID map[string]bool
}

func extract(src []byte, file string) *model.FileFacts {
	ff := &model.FileFacts{File: file, Format: Name}
	docs, problems := yamlnode.Parse(src, file)
	if len(problems) > 0 {
		docs, problems = yamlnode.Salvage(src, file, docs, problems)
	}
	x := &extractor{Reader: yamlnode.Reader{Problems: problems}, seenID: map[string]bool{}}
	for _, d := range docs {
		if d.Root != nil {
			x.workflow(d.Root, file)
		}
	}
	model.SortElements(x.els)
	ff.Elements = x.els
	igs, ps := analyzers.LineIgnores(src, file, []string{"#"}, analyzers.Spans(x.jobs))
	ff.Ignores = igs
	ff.Problems = append(x.Problems, ps...)
	return ff
}

func (x *extractor) workflow(root *yamlnode.Node, file string) {
	if root.Kind != yamlnode.Map {
		x.Problem(root.Span, "a workflow must be a map with on: and jobs:")
		return
	}
	wf := workflow{file: file, name: file}
	if s, n := x.Str(root, "name", "the workflow"); n != nil && s != "" {
		wf.name = s
	}
	if p, ok := root.Pair("on"); ok {
		wf.on = &p
		wf.triggers = x.triggers(p.Value)
	}
	if p, ok := root.Pair("permissions"); ok {
		wf.perms = &p
	}
	x.wf = wf
	jobs, ok := root.Pair("jobs")
	if !ok {
		x.Problem(firstLine(root), "the workflow has no jobs:")
		return
	}
	if wf.on == nil {
		x.Problem(firstLine(root), "the workflow has no on: trigger")
	}
	if jobs.Value == nil || jobs.Value.Kind != yamlnode.Map {
		x.Problem(jobs.Key.Span, "jobs: must be a map of job IDs to jobs")
		return
	}
	pairs, ps := yamlnode.Unique(jobs.Value)
	x.Problems = append(x.Problems, ps...)
	for _, p := range pairs {
		x.job(p)
	}
}

// firstLine returns the span of n's first line.
func firstLine(n *yamlnode.Node) model.Span {
	sp := n.Span
	sp.End = sp.Start
	return sp
}

// triggers reads the events of `on:`: a string, a list of strings, or a map keyed by event.
func (x *extractor) triggers(n *yamlnode.Node) []trigger {
	var out []trigger
	switch {
	case n == nil:
	case n.Kind == yamlnode.Scalar && n.Tag != "!!null":
		out = append(out, trigger{n.Value, n.Span})
	case n.Kind == yamlnode.Seq:
		for _, it := range n.Items {
			if s, ok := it.Str(); ok {
				out = append(out, trigger{s, it.Span})
			} else {
				x.Problem(it.Span, "an event of on: must be a string")
			}
		}
	case n.Kind == yamlnode.Map:
		for _, p := range n.Entries() {
			out = append(out, trigger{p.Key.Value, p.Key.Span})
		}
	}
	if len(out) == 0 && n != nil {
		x.Problem(n.Span, "on: names no event")
	}
	return out
}

func (x *extractor) job(p yamlnode.Pair) {
	id := p.Key.Value
	if id == "" || x.seenID[id] {
		return
	}
	x.seenID[id] = true
	if p.Value == nil || p.Value.Kind != yamlnode.Map {
		x.Problem(p.Key.Span, "job %q must be a map", id)
		return
	}
	wf := &x.wf
	j := p.Value
	el := &model.Element{ID: Name + ":" + wf.file + "/" + id, Kind: model.Component, Type: "github_actions_job",
		Name: wf.name + "/" + id, Span: p.Span(), Head: p.Key.Span}
	el.Set("platform", "github-actions", el.Head)
	x.els = append(x.els, el)
	x.jobs = append(x.jobs, el)

	var steps []*yamlnode.Node
	if s := j.Get("steps"); s != nil {
		if s.Kind == yamlnode.Seq {
			for _, it := range s.Items {
				if it.Kind == yamlnode.Map {
					steps = append(steps, it)
				} else {
					x.Problem(it.Span, "a step of job %q must be a map", id)
				}
			}
		} else if s.Tag != "!!null" {
			x.Problem(s.Span, "steps of job %q must be a list", id)
		}
	}

	x.exposure(el)
	x.untrustedCheckout(el, steps)
	x.permissions(el, j)
	x.secrets(el, j, steps)
	x.pinned(el, j, steps)
	x.injection(el, steps)
	x.hardening(el, j, steps)
}

// exposure sets triggers and internet_facing, and adds the flow from the internet.
func (x *extractor) exposure(el *model.Element) {
	wf := &x.wf
	if wf.on == nil {
		el.SetUnknown("triggers", el.Head, "the workflow has no on:")
		el.SetUnknown("internet_facing", el.Head, "the workflow has no on:")
		return
	}
	onSpan := wf.on.Span()
	events := make([]any, len(wf.triggers))
	var outside []string
	var first *trigger
	for i, t := range wf.triggers {
		events[i] = t.event
		if slices.Contains(outsiderTriggers, t.event) {
			outside = append(outside, t.event)
			if first == nil {
				first = &wf.triggers[i]
			}
		}
	}
	el.Set("triggers", events, onSpan)
	if first == nil {
		el.SetNote("internet_facing", false, onSpan, "no trigger lets someone outside the repository start it")
		return
	}
	note := first.event + " lets someone outside the repository start it"
	if len(outside) == 1 && first.event == "pull_request" {
		note = "pull_request runs the code of a fork's pull request — without secrets and with a read-only token, but an outsider's code"
	}
	el.SetNote("internet_facing", true, first.span, note)

	fl := &model.Element{ID: el.ID + "/trigger", Kind: model.Flow, Type: "github_actions_trigger",
		Name: el.Name + "/trigger", Span: first.span, Head: first.span, From: model.Internet, To: el.ID}
	fl.Set("protocol", "https", first.span)
	fl.Set("tls", true, first.span)
	fl.SetNote("authenticated", false, first.span, "anyone with a GitHub account can open a pull request, an issue or a comment")
	fl.Set("label", strings.Join(outside, ", "), first.span)
	x.els = append(x.els, fl)
	if !x.actor {
		x.actor = true
		x.els = append(x.els, model.InternetActor(first.span))
	}
}

// untrustedCheckout sets runs_untrusted_code: a privileged trigger and a checkout of the
// pull request's head.
func (x *extractor) untrustedCheckout(el *model.Element, steps []*yamlnode.Node) {
	var priv string
	for _, t := range x.wf.triggers {
		if slices.Contains(privilegedTriggers, t.event) {
			priv = t.event
			break
		}
	}
	if x.wf.on == nil {
		el.SetUnknown("runs_untrusted_code", el.Head, "the workflow has no on:")
		return
	}
	if priv != "" {
		for _, s := range steps {
			if uses := s.Get("uses").String(); !isAction(uses, "actions/checkout") {
				continue
			}
			ref, ok := s.Get("with").Pair("ref")
			if !ok || !headRef.MatchString(ref.Value.String()) {
				continue
			}
			el.SetNote("runs_untrusted_code", true, ref.Span(),
				priv+" runs with the repository's secrets and token, and this checks out the pull request's code")
			return
		}
	}
	note := "no pull_request_target or workflow_run trigger"
	if priv != "" {
		note = "no step checks out the pull request's head"
	}
	el.SetNote("runs_untrusted_code", false, el.Head, note)
}

// isAction reports whether uses names the action name (at any ref).
func isAction(uses, name string) bool {
	base, _, _ := strings.Cut(uses, "@")
	return strings.EqualFold(base, name)
}

// permissions sets write_permissions from the job's permissions, else the workflow's.
func (x *extractor) permissions(el *model.Element, j *yamlnode.Node) {
	p, ok := j.Pair("permissions")
	if !ok {
		if x.wf.perms == nil {
			el.SetUnknown("write_permissions", el.Head, "no permissions: the repository's default token permissions decide")
			return
		}
		p = *x.wf.perms
	}
	v := p.Value
	switch {
	case v == nil || v.Tag == "!!null":
		el.SetNote("write_permissions", false, p.Span(), "empty permissions: the token can do nothing")
	case v.Kind == yamlnode.Scalar && strings.Contains(v.Value, "${{"):
		el.SetUnknown("write_permissions", p.Span(), "the permissions come from an expression")
	case v.Kind == yamlnode.Scalar && v.Value == "write-all":
		el.SetNote("write_permissions", true, p.Span(), "write-all")
	case v.Kind == yamlnode.Scalar:
		el.SetNote("write_permissions", false, p.Span(), v.Value)
	case v.Kind == yamlnode.Map:
		for _, s := range v.Entries() {
			// id-token: write lets the job request an OIDC token; the GITHUB_TOKEN itself
			// gains no write scope from it (oidc_token says it).
			if s.Value.String() == "write" && s.Key.Value != "id-token" {
				el.SetNote("write_permissions", true, s.Span(), s.Key.Value+": write")
				return
			}
		}
		el.SetNote("write_permissions", false, p.Span(), "no scope is write")
	default:
		x.Problem(v.Span, "permissions must be read-all, write-all or a map of scopes")
		el.SetUnknown("write_permissions", p.Span(), "permissions cannot be read")
	}
}

// secrets sets secrets_in_env: a secret other than GITHUB_TOKEN in the env or with of the
// job or of a step.
func (x *extractor) secrets(el *model.Element, j *yamlnode.Node, steps []*yamlnode.Node) {
	maps := []*yamlnode.Node{j.Get("env"), j.Get("with")}
	for _, s := range steps {
		maps = append(maps, s.Get("env"), s.Get("with"))
	}
	for _, m := range maps {
		if m == nil || m.Kind != yamlnode.Map {
			continue
		}
		for _, p := range m.Entries() {
			if name := secretIn(p.Value.String()); name != "" {
				el.SetNote("secrets_in_env", true, p.Span(), "secrets."+name+" in "+p.Key.Value)
				return
			}
		}
	}
	el.SetNote("secrets_in_env", false, el.Head, "no secret other than GITHUB_TOKEN in an env or with")
}

// secretIn returns the first secret other than GITHUB_TOKEN that an expression of s reads.
func secretIn(s string) string {
	for _, e := range expr.FindAllStringSubmatch(s, -1) {
		for _, m := range secretRef.FindAllStringSubmatch(e[1], -1) {
			name := m[1] + m[2]
			if !strings.EqualFold(name, "GITHUB_TOKEN") {
				return name
			}
		}
	}
	return ""
}

// pinned sets actions_pinned: every action and reusable workflow the job uses names a
// commit SHA.
func (x *extractor) pinned(el *model.Element, j *yamlnode.Node, steps []*yamlnode.Node) {
	var uses []yamlnode.Pair
	if p, ok := j.Pair("uses"); ok {
		uses = append(uses, p)
	}
	for _, s := range steps {
		if p, ok := s.Pair("uses"); ok {
			uses = append(uses, p)
		}
	}
	var first *yamlnode.Pair
	for i, p := range uses {
		u := p.Value.String()
		if strings.HasPrefix(u, "./") || strings.HasPrefix(u, "docker://") || u == "" {
			continue
		}
		if first == nil {
			first = &uses[i]
		}
		if _, ref, _ := strings.Cut(u, "@"); !sha.MatchString(ref) {
			el.SetNote("actions_pinned", false, p.Span(), u+" is not pinned to a commit SHA")
			return
		}
	}
	if first == nil {
		el.SetNote("actions_pinned", true, el.Head, "the job uses no third-party action")
		return
	}
	el.SetNote("actions_pinned", true, first.Span(), "every action is pinned to a commit SHA")
}

// injection sets script_injection: a run: script interpolates an event field an outsider
// writes.
func (x *extractor) injection(el *model.Element, steps []*yamlnode.Node) {
	for _, s := range steps {
		p, ok := s.Pair("run")
		if !ok {
			continue
		}
		for _, e := range expr.FindAllStringSubmatch(p.Value.String(), -1) {
			if m := untrusted.FindString(e[1]); m != "" {
				sp := p.Key.Span
				if p.Value.Span.Start.Line == sp.Start.Line && p.Value.Span.End.Line == sp.Start.Line {
					sp = p.Span()
				}
				el.SetNote("script_injection", true, sp, "the script interpolates "+m+", which an outsider writes")
				return
			}
		}
	}
	el.SetNote("script_injection", false, el.Head, "no run: script interpolates an event field an outsider writes")
}
