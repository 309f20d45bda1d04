package kubernetes

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// What a kustomization or a Helm chart takes from outside the workspace — a remote base, a
// chart from a repository — is applied with the manifests of the workspace but is not among
// them: read silently as nothing, a kustomization of remote bases looked like a deployment
// with no threat. Each such source is a problem of its own (TLS-010, as a Terraform module from
// the registry); nothing is fetched.

// appliedLists are the lists of a kustomization whose entries name what it applies.
var appliedLists = []string{"resources", "bases", "components"}

// applies reports whether o is a kustomization (or a kustomize component): what its lists
// name is applied with it.
func applies(o *object) bool {
	return o.namespace == buildNamespace && (o.kind == "Kustomization" || o.kind == "Component")
}

// outsideSources returns a problem for each source of the kustomizations among objs that is
// outside the workspace: a remote entry of resources, bases or components, and a chart of
// helmCharts taken from a repository.
func outsideSources(objs []*object) []model.Problem {
	var out []model.Problem
	for _, o := range objs {
		if !applies(o) {
			continue
		}
		for _, list := range appliedLists {
			for _, r := range items(o.root.Get(list)) {
				if s, ok := r.Str(); ok && remoteTarget(s) {
					out = append(out, model.Problem{Span: r.Span, Code: model.ProblemOutside,
						Message: fmt.Sprintf("%s entry %s is outside the workspace: what it adds is not in the model", list, s)})
				}
			}
		}
		for _, c := range items(o.root.Get("helmCharts")) {
			out = append(out, fromRepository(c, "repo", "chart")...)
		}
	}
	return out
}

// localSources returns what the kustomizations among objs make the workspace apply by path:
// the local entries of their resources, bases and components (a directory of another
// kustomization, or a manifest) and the files of their patches, as workspace paths, sorted.
// An entry that climbs above the workspace's root is left out (the engine reads nothing
// outside the workspace).
func localSources(objs []*object) []string {
	var out []string
	for _, o := range objs {
		if !applies(o) {
			continue
		}
		dir := path.Dir(o.file)
		for _, list := range slices.Concat(appliedLists, []string{"patchesStrategicMerge", "patches"}) {
			for _, r := range items(o.root.Get(list)) {
				if list == "patches" {
					r = r.Get("path") // patches: - path: priv.yaml (an inline patch is not a file)
				}
				s, ok := r.Str()
				if !ok || s == "" || remoteTarget(s) || path.IsAbs(s) || templated(r) {
					continue
				}
				if p := path.Join(dir, s); p != ".." && !strings.HasPrefix(p, "../") {
					out = append(out, p)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Calls returns what the kustomizations of ff make the workspace apply (see localSources):
// the engine reads those in directories its walk leaves out, a base vendored under vendor/.
func (*Analyzer) Calls(ff *model.FileFacts) []string {
	if r, ok := ff.RawFacts().(*raw); ok {
		return r.calls
	}
	return nil
}

// isChart reports whether file is a Helm chart's Chart.yaml.
func isChart(file string) bool { return path.Base(file) == "Chart.yaml" }

// chartDependencies returns a problem for each dependency of a Chart.yaml taken from a
// repository (http, oci, a repository name): its templates are not in the workspace. A
// dependency without a repository, or from file://, is a chart of the workspace (charts/).
func chartDependencies(docs []*yamlnode.Doc) []model.Problem {
	var out []model.Problem
	for _, d := range docs {
		for _, dep := range items(d.Root.Get("dependencies")) {
			out = append(out, fromRepository(dep, "repository", "chart dependency")...)
		}
	}
	return out
}

// fromRepository returns the problem of chart c (what it is called), when its key names a
// repository: a chart from none, or from file://, is one of the workspace (charts/).
func fromRepository(c *yamlnode.Node, key, what string) []model.Problem {
	repo := c.Get(key)
	if s, ok := repo.Str(); ok && s != "" && !strings.HasPrefix(s, "file://") {
		return []model.Problem{{Span: repo.Span, Code: model.ProblemOutside,
			Message: fmt.Sprintf("%s %s comes from %s, outside the workspace: what it deploys is not in the model", what, c.Get("name").String(), s)}}
	}
	return nil
}

// hostFirst matches a target that begins with a host name and goes on with a path:
// github.com/org/repo//dir, gitlab.example.org/team/app.
var hostFirst = regexp.MustCompile(`^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(:[0-9]+)?/`)

// remoteTarget reports whether a kustomization's resources entry names something kustomize
// fetches rather than a file or directory of the workspace: a URL, an scp-like git address, a
// reference (?ref=, ?version=), or a path that begins with a host name.
func remoteTarget(s string) bool {
	switch {
	case strings.Contains(s, "://"), strings.HasPrefix(s, "git@"), strings.Contains(s, "?ref="),
		strings.Contains(s, "?version="), strings.Contains(s, "&ref="):
		return true
	case strings.HasPrefix(s, "./"), strings.HasPrefix(s, "../"), strings.HasPrefix(s, "/"):
		return false
	}
	if !hostFirst.MatchString(s) {
		return false
	}
	// A local directory may have a dot in its name (app.v2/overlay); a host's last label is
	// not a manifest's extension.
	first, _, _ := strings.Cut(s, "/")
	switch strings.ToLower(path.Ext(first)) {
	case ".yaml", ".yml", ".json":
		return false
	}
	return true
}
