package kubernetes

import (
	"cmp"
	"path"
	"slices"
	"strings"

	"github.com/threatls/threatls/analyzers/container"
	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// The repository's build tooling decides which image a manifest's untagged reference runs:
// skaffold builds the images its artifacts name from the repository's own source and
// rewrites the manifests to the tag it built (build.artifacts[].image, also in profiles); a
// kustomization's images: entries replace a reference's tag or digest (images[].newTag,
// images[].digest). Such a reference is not an unpinned pull of whatever "latest" is.
//
// These configurations are read as objects of a namespace of their own, buildNamespace, which
// no manifest can name: a workload whose image is not pinned by its reference names it among
// its refs, so that Link builds it in one part with them.

// buildNamespace is the namespace of skaffold and kustomize configurations.
const buildNamespace = "(build)"

// buildConfig reports whether n is a skaffold or kustomize configuration. A kustomization
// may omit apiVersion and kind: it is then known by its file name.
func buildConfig(n *yamlnode.Node, file string) bool {
	api, kind := n.Get("apiVersion").String(), n.Get("kind").String()
	switch {
	case strings.HasPrefix(api, "skaffold/") && kind == "Config":
		return true
	case strings.HasPrefix(api, "kustomize.config.k8s.io/") && (kind == "Kustomization" || kind == "Component"):
		return true
	case api == "" && kind == "" && n != nil && n.Kind == yamlnode.Map:
		switch path.Base(file) {
		case "kustomization.yaml", "kustomization.yml", "Kustomization":
			return true
		}
	}
	return false
}

// readBuildConfig reads a skaffold or kustomize configuration as an object.
func readBuildConfig(file string, n *yamlnode.Node) *object {
	kind := n.Get("kind").String()
	var head model.Span
	if k := n.Get("kind"); k != nil {
		head = k.Span
	}
	if kind == "" {
		kind, head = "Kustomization", n.Span
		head.End = head.Start
	}
	o := &object{file: file, kind: kind, name: file, namespace: buildNamespace, root: n, span: n.Span,
		head: head, kindSpan: head}
	// The namespaces of the workloads its inline patches patch (patch.go) are linked with it.
	o.inline = inlinePatches(o)
	for _, ip := range o.inline {
		ns := cmp.Or(ip.namespace, n.Get("namespace").String(), "default")
		if !slices.Contains(o.refs, ns) {
			o.refs = append(o.refs, ns)
		}
	}
	return o
}

// unpinnedImage reports whether a workload object runs an image its reference does not pin.
func unpinnedImage(n *yamlnode.Node, kind string) bool {
	pod := n.Path(podPath[kind]...).Get("spec")
	for _, list := range []string{"containers", "initContainers"} {
		for _, c := range items(pod.Get(list)) {
			if img, ok := c.Get("image").Str(); ok {
				if pinned, known, _ := container.ImagePinned(img); known && !pinned {
					return true
				}
			}
		}
	}
	return false
}

// builtImage reports whether the workspace's build tooling builds or pins img, and says how.
func (b *builder) builtImage(img string) (string, bool) {
	repo, _, _ := container.Repository(img)
	alias := model.ImageAlias(repo)
	for _, o := range b.builds {
		if o.kind == "Config" {
			arts := items(o.root.Path("build", "artifacts"))
			for _, p := range items(o.root.Get("profiles")) {
				arts = append(arts, items(p.Path("build", "artifacts"))...)
			}
			for _, a := range arts {
				if name := a.Get("image").String(); name != "" && (name == repo || model.ImageAlias(name) == alias) {
					return "skaffold builds " + name + " from the repository's source (" + o.file + ") and deploys the tag it built", true
				}
			}
			continue
		}
		for _, it := range items(o.root.Get("images")) {
			name := it.Get("name").String()
			if name == "" || name != repo && model.ImageAlias(name) != alias {
				continue
			}
			if d := it.Get("digest").String(); d != "" {
				return o.file + " pins " + name + " to digest " + d, true
			}
			if t := it.Get("newTag").String(); t != "" {
				if pinned, known, _ := container.ImagePinned(name + ":" + t); pinned && known {
					return o.file + " sets the tag of " + name + " to " + t, true
				}
			}
		}
	}
	return "", false
}

// A kustomization's namespace: is the namespace of what it builds: kustomize sets it on every
// object. The manifests a kustomization lists by file (resources: deployment.yaml) that name
// no namespace are read in its namespace; one that names a namespace keeps it (kustomize
// would override it, but the manifest says otherwise, and that is for its author to see).
// Overlays are not followed: a base directory listed by two overlays would be two objects of
// two namespaces.

// kustomization returns, for a kustomization that sets a namespace, that namespace, its
// value's node, and the files it lists (workspace paths); ok is false for any other object.
func kustomization(o *object) (ns *yamlnode.Node, files []string, ok bool) {
	if o.kind != "Kustomization" {
		return nil, nil, false
	}
	ns = o.root.Get("namespace")
	if v, isStr := ns.Str(); !isStr || v == "" || templated(ns) {
		return nil, nil, false
	}
	dir := path.Dir(o.file)
	for _, r := range items(o.root.Get("resources")) {
		if rel, isStr := r.Str(); isStr && rel != "" && !strings.Contains(rel, "://") {
			files = append(files, path.Join(dir, rel))
		}
	}
	return ns, files, true
}

// kustomized returns objs with the namespace each gets from the first kustomization that
// lists its file. objs are not modified: an object that moves is a copy.
func kustomized(objs []*object) []*object {
	by := map[string]*yamlnode.Node{} // a listed file → the namespace: that applies to it
	for _, o := range objs {
		if ns, files, ok := kustomization(o); ok {
			for _, f := range files {
				if by[f] == nil {
					by[f] = ns
				}
			}
		}
	}
	if len(by) == 0 {
		return objs
	}
	out, copied := objs, false
	for i, o := range objs {
		ns := by[o.file]
		if ns == nil || !o.nsSpan.IsZero() || o.namespace == buildNamespace {
			continue
		}
		if !copied {
			out, copied = slices.Clone(objs), true
		}
		c := *o
		c.namespace, c.nsBy = ns.String(), ns.Span
		out[i] = &c
	}
	return out
}
