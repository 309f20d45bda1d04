package actions

import (
	"regexp"
	"slices"
	"strings"

	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// baseTriggers are the outsiders' events whose jobs run in the base repository's context —
// its secrets, a token that may write, OIDC — whoever caused them. A fork's pull_request (and
// its reviews and review comments) runs with a read-only token and no secrets instead.
var baseTriggers = []string{"pull_request_target", "workflow_run", "issue_comment", "issues", "discussion", "discussion_comment"}

// githubHosted matches the labels of GitHub-hosted runners.
var githubHosted = regexp.MustCompile(`^(ubuntu|windows|macos)-(latest|\d[\w.-]*)$`)

var (
	// envFile finds a write to one of the files GitHub Actions reads between steps.
	envFile = regexp.MustCompile(`(>>?|tee\s+(-a\s+)?)\s*"?\$\{?(GITHUB_ENV|GITHUB_OUTPUT|GITHUB_PATH)\b`)
	// readsFile finds, on a line, content read from a file or a command's output.
	readsFile = regexp.MustCompile(`\$\(\s*(cat|head|tail|jq|unzip)\b|\bcat\s+\S|<\s*[\w./$-]`)
	// shellVar finds a shell variable.
	shellVar = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)
)

// hardening sets the attributes of the job's CI-specific hardening: base_trigger, self_hosted,
// oidc_token, persist_credentials, artifact_poisoning, env_injection, inherits_secrets.
func (x *extractor) hardening(el *model.Element, j *yamlnode.Node, steps []*yamlnode.Node) {
	wf := &x.wf
	if wf.on == nil {
		for _, a := range []string{"base_trigger", "artifact_poisoning"} {
			el.SetUnknown(a, el.Head, "the workflow has no on:")
		}
	} else {
		var base *trigger
		for i, t := range wf.triggers {
			if slices.Contains(baseTriggers, t.event) {
				base = &wf.triggers[i]
				break
			}
		}
		if base != nil {
			el.SetNote("base_trigger", true, base.span, base.event+" runs in the repository's context (secrets, a token that may write, OIDC) whoever starts it")
		} else {
			el.SetNote("base_trigger", false, wf.on.Span(), "no outsider's trigger runs in the repository's context")
		}
		x.artifacts(el, steps)
	}
	x.runner(el, j)
	x.oidc(el, j)
	x.checkoutCredentials(el, steps)
	x.envInjection(el, j, steps)
	x.inherit(el, j)
}

// runner sets self_hosted from runs-on: true for a self-hosted label, false for GitHub-hosted
// labels, unknown for an expression or a label that may name either (larger runners, groups).
func (x *extractor) runner(el *model.Element, j *yamlnode.Node) {
	p, ok := j.Pair("runs-on")
	if !ok {
		if _, reusable := j.Pair("uses"); reusable {
			el.SetUnknown("self_hosted", el.Head, "a reusable workflow's jobs choose their runners")
		} else {
			el.SetUnknown("self_hosted", el.Head, "no runs-on")
		}
		return
	}
	var labels []string
	switch v := p.Value; {
	case v == nil:
	case v.Kind == yamlnode.Map:
		labels = append(v.Get("labels").Strings(), v.Get("labels").String())
		if g := v.Get("group").String(); g != "" {
			el.SetNote("self_hosted", true, p.Span(), "runner group "+g)
			return
		}
	case v.Kind == yamlnode.Seq:
		labels = v.Strings()
	default:
		labels = []string{v.String()}
	}
	other := ""
	for _, l := range labels {
		switch {
		case l == "":
		case strings.EqualFold(l, "self-hosted"):
			el.SetNote("self_hosted", true, p.Span(), "runs-on self-hosted")
			return
		case strings.Contains(l, "${{"):
			el.SetUnknown("self_hosted", p.Span(), "runs-on comes from an expression")
			return
		case !githubHosted.MatchString(l) && other == "":
			other = l
		}
	}
	if other != "" {
		el.SetUnknown("self_hosted", p.Span(), "runs-on "+other+" may be a self-hosted runner or a larger GitHub-hosted one")
		return
	}
	el.SetNote("self_hosted", false, p.Span(), "a GitHub-hosted runner")
}

// oidc sets oidc_token: the job's permissions (else the workflow's) grant id-token: write.
func (x *extractor) oidc(el *model.Element, j *yamlnode.Node) {
	p, ok := j.Pair("permissions")
	if !ok && x.wf.perms != nil {
		p, ok = *x.wf.perms, true
	}
	switch {
	case !ok:
		el.Default("oidc_token", false, "no permissions: the default token has no id-token: write")
	case p.Value.String() == "write-all":
		el.SetNote("oidc_token", true, p.Span(), "write-all includes id-token: write")
	default:
		if s, ok := p.Value.Pair("id-token"); ok && s.Value.String() == "write" {
			el.SetNote("oidc_token", true, s.Span(), "id-token: write lets the job request cloud credentials by OIDC")
			return
		}
		el.SetNote("oidc_token", false, p.Span(), "no id-token: write")
	}
}

// checkoutCredentials sets persist_credentials: an actions/checkout step leaves the token in
// the clone's git configuration (persist-credentials is not false), for every later step.
func (x *extractor) checkoutCredentials(el *model.Element, steps []*yamlnode.Node) {
	for _, s := range steps {
		up, ok := s.Pair("uses")
		if !ok || !isAction(up.Value.String(), "actions/checkout") {
			continue
		}
		if p, ok := s.Get("with").Pair("persist-credentials"); ok {
			if v, _ := p.Value.Bool(); !v && !strings.Contains(p.Value.String(), "${{") {
				continue
			}
			el.SetNote("persist_credentials", true, p.Span(), "persist-credentials keeps the token in .git/config")
			return
		}
		el.SetNote("persist_credentials", true, up.Span(), "actions/checkout keeps the token in .git/config unless persist-credentials: false")
		return
	}
	el.SetNote("persist_credentials", false, el.Head, "no actions/checkout keeps its token")
}

// downloadActions fetch the artifacts of another workflow run.
var downloadActions = []string{"actions/download-artifact", "dawidd6/action-download-artifact"}

// artifacts sets artifact_poisoning: a workflow_run job downloads the artifacts of the run
// that triggered it, which a pull request's code produced.
func (x *extractor) artifacts(el *model.Element, steps []*yamlnode.Node) {
	run := false
	for _, t := range x.wf.triggers {
		run = run || t.event == "workflow_run"
	}
	if !run {
		el.Default("artifact_poisoning", false, "no workflow_run trigger")
		return
	}
	for _, s := range steps {
		if up, ok := s.Pair("uses"); ok {
			u := up.Value.String()
			for _, a := range downloadActions {
				if !isAction(u, a) {
					continue
				}
				// actions/download-artifact reads another run's artifacts only with run-id.
				if a == "actions/download-artifact" && s.Get("with").Get("run-id") == nil {
					continue
				}
				el.SetNote("artifact_poisoning", true, up.Span(), u+" downloads the artifacts of the run that triggered this one: a pull request's code wrote them")
				return
			}
			if isAction(u, "actions/github-script") && strings.Contains(s.Get("with").Get("script").String(), "downloadArtifact") {
				el.SetNote("artifact_poisoning", true, up.Span(), "the script downloads the triggering run's artifacts: a pull request's code wrote them")
				return
			}
		}
		if p, ok := s.Pair("run"); ok && strings.Contains(p.Value.String(), "gh run download") {
			el.SetNote("artifact_poisoning", true, p.Key.Span, "gh run download fetches the triggering run's artifacts: a pull request's code wrote them")
			return
		}
	}
	el.Default("artifact_poisoning", false, "no step downloads the triggering run's artifacts")
}

// envInjection sets env_injection: a run: script writes to GITHUB_ENV, GITHUB_OUTPUT or
// GITHUB_PATH a value an outsider controls — an event field interpolated, an environment
// variable set from one, or, in a job that runs in the repository's context, a file's
// content (an artifact, the pull request's checkout).
func (x *extractor) envInjection(el *model.Element, j *yamlnode.Node, steps []*yamlnode.Node) {
	base := false
	for _, t := range x.wf.triggers {
		base = base || slices.Contains(baseTriggers, t.event)
	}
	tainted := map[string]string{}
	taint := func(env *yamlnode.Node) {
		for _, p := range env.Entries() {
			for _, e := range expr.FindAllStringSubmatch(p.Value.String(), -1) {
				if m := untrusted.FindString(e[1]); m != "" {
					tainted[p.Key.Value] = m
				}
			}
		}
	}
	taint(j.Get("env"))
	for _, s := range steps {
		p, ok := s.Pair("run")
		if !ok {
			continue
		}
		saved := make(map[string]string, len(tainted))
		for k, v := range tainted {
			saved[k] = v
		}
		taint(s.Get("env"))
		for _, line := range strings.Split(p.Value.String(), "\n") {
			m := envFile.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			what := ""
			for _, e := range expr.FindAllStringSubmatch(line, -1) {
				if u := untrusted.FindString(e[1]); u != "" {
					what = u
				}
			}
			for _, v := range shellVar.FindAllStringSubmatch(line, -1) {
				if u, ok := tainted[v[1]]; ok && what == "" {
					what = "$" + v[1] + " (" + u + ")"
				}
			}
			if what == "" && base && readsFile.MatchString(line) {
				what = "a file's content"
			}
			if what != "" {
				el.SetNote("env_injection", true, p.Key.Span, "the script writes "+what+" to "+m[3]+": an outsider can set the variables of the steps that follow")
				return
			}
		}
		tainted = saved
	}
	el.Default("env_injection", false, "no run: script writes a value an outsider controls to GITHUB_ENV, GITHUB_OUTPUT or GITHUB_PATH")
}

// inherit sets inherits_secrets: the job calls a reusable workflow of another repository
// with secrets: inherit, handing it every secret of this one.
func (x *extractor) inherit(el *model.Element, j *yamlnode.Node) {
	up, reusable := j.Pair("uses")
	sp, ok := j.Pair("secrets")
	switch {
	case !reusable || strings.HasPrefix(up.Value.String(), "./"):
		el.Default("inherits_secrets", false, "no reusable workflow of another repository")
	case ok && sp.Value.String() == "inherit":
		el.SetNote("inherits_secrets", true, sp.Span(), up.Value.String()+" receives every secret of the repository")
	default:
		el.Default("inherits_secrets", false, "the reusable workflow receives only the secrets passed by name")
	}
}
