package kubernetes

import (
	"fmt"
	"slices"
	"strings"

	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// RBAC objects become controls: a Role or ClusterRole carries what its rules grant, a
// RoleBinding or ClusterRoleBinding what it binds and to whom. They are read on their own:
// which workload a binding's service account runs is not followed.
//
// Role, ClusterRole:
//
//	rbac_wildcard    a rule grants "*" verbs or "*" resources
//	reads_secrets    a rule grants get, list or watch on secrets
//	exec_pods        a rule grants create or get on pods/exec, pods/attach or pods/portforward
//	escalates        a rule grants bind, escalate or impersonate
//	creates_pods     a rule grants create on pods or on a controller that makes them
//
// RoleBinding, ClusterRoleBinding:
//
//	role_ref             "ClusterRole/cluster-admin"
//	binds_cluster_admin  the role is the cluster-admin ClusterRole, or a subject is the group system:masters
//	binds_everyone       a subject is every user: system:anonymous, system:unauthenticated or system:authenticated

// rbacKinds are the RBAC kinds read, and whether each is cluster-scoped.
var rbacKinds = map[string]bool{"Role": false, "ClusterRole": true, "RoleBinding": false, "ClusterRoleBinding": true}

// isOther reports whether o is neither a workload nor what acts on one: an RBAC object, a
// skaffold or kustomize configuration, a kustomize patch (see partial).
func isOther(o *object) bool {
	_, rbac := rbacKinds[o.kind]
	return rbac || o.namespace == buildNamespace || podPath[o.kind] != nil && len(o.blanks) == 0 && partial(o)
}

// other handles, during index, the objects isOther reports: RBAC objects become controls,
// skaffold and kustomize configurations say which images the repository builds or pins, and
// patches are what they patch's, not elements of their own.
func (b *builder) other(o *object) {
	if _, ok := rbacKinds[o.kind]; ok {
		b.rbac(o)
	} else if o.namespace == buildNamespace {
		b.builds = append(b.builds, o)
	} else if podPath[o.kind] != nil {
		b.patches = append(b.patches, o)
	}
}

// partial reports whether a workload object is a fragment, not a workload: a container of its
// pod has no image, which a workload the API server admits always has. Kustomize patches
// (patchesStrategicMerge, patches: - path:) are such fragments of a workload defined in a
// base: what they leave out is the base's, not a default, so they make no workload of their
// own — the base merged with the patch is one (patch.go). (In a Helm template an include may write
// the image: a template's object is not taken for a patch.)
func partial(o *object) bool {
	pod := o.root.Path(podPath[o.kind]...).Get("spec")
	for _, c := range items(pod.Get("containers")) {
		if c.Get("image") == nil {
			return true
		}
	}
	return false
}

// rbacID is the ID of an RBAC object's element: kubernetes:<namespace>/<Kind>/<name>, or
// kubernetes:cluster/<Kind>/<name> for a cluster-scoped one.
func (b *builder) rbacID(o *object) string {
	if !rbacKinds[o.kind] {
		return b.id(o)
	}
	id := Name + ":cluster/" + o.kind + "/" + o.name
	if b.ids[id] {
		id += fmt.Sprintf("@%s:%d", o.file, o.head.Start.Line+1)
	}
	return id
}

func (b *builder) rbac(o *object) {
	e := &model.Element{ID: b.rbacID(o), Kind: model.Control, Type: o.kind, Name: o.ref(), Span: o.span, Head: o.head}
	e.Set("platform", "kubernetes", o.kindSpan)
	switch o.kind {
	case "Role", "ClusterRole":
		rules(e, o)
	default:
		binding(e, o)
	}
	b.add(e, false)
}

// grant is what one rule of a role allows.
type grant struct {
	groups, resources, verbs []string
	rule                     *yamlnode.Node
}

func (g grant) verb(vs ...string) *yamlnode.Node {
	for _, v := range g.verbs {
		if v == "*" || slices.Contains(vs, v) {
			return g.item("verbs", v)
		}
	}
	return nil
}

func (g grant) resource(rs ...string) *yamlnode.Node {
	for _, r := range g.resources {
		if slices.Contains(rs, r) {
			return g.item("resources", r)
		}
	}
	return nil
}

// coreGroup reports whether the rule covers the core API group (where secrets and pods are).
func (g grant) coreGroup() bool {
	return len(g.groups) == 0 || slices.Contains(g.groups, "") || slices.Contains(g.groups, "*")
}

// item returns the item of the rule's list key that is v, or the list.
func (g grant) item(key, v string) *yamlnode.Node {
	list := g.rule.Get(key)
	for _, it := range items(list) {
		if it.String() == v {
			return it
		}
	}
	return list
}

// rules reads a role's rules into its attributes.
func rules(e *model.Element, o *object) {
	var gs []grant
	for _, r := range items(o.root.Get("rules")) {
		gs = append(gs, grant{groups: r.Get("apiGroups").Strings(), resources: r.Get("resources").Strings(),
			verbs: r.Get("verbs").Strings(), rule: r})
	}
	if o.kind == "ClusterRole" && o.root.Get("aggregationRule") != nil && len(gs) == 0 {
		at := o.root.Get("aggregationRule").Span
		for _, a := range []string{"rbac_wildcard", "reads_secrets", "exec_pods", "escalates", "creates_pods"} {
			e.SetUnknown(a, at, "an aggregated ClusterRole: its rules are those of the roles it selects")
		}
		return
	}
	type check struct {
		attr, none string
		test       func(g grant) (*yamlnode.Node, string)
	}
	checks := []check{
		{"rbac_wildcard", "no rule grants every verb or every resource", func(g grant) (*yamlnode.Node, string) {
			if slices.Contains(g.verbs, "*") {
				return g.item("verbs", "*"), "a rule grants every verb (\"*\")"
			}
			if slices.Contains(g.resources, "*") {
				return g.item("resources", "*"), "a rule grants every resource (\"*\")"
			}
			return nil, ""
		}},
		{"reads_secrets", "no rule names secrets with get, list or watch", func(g grant) (*yamlnode.Node, string) {
			if g.coreGroup() && g.resource("secrets") != nil {
				if v := g.verb("get", "list", "watch"); v != nil {
					return g.resource("secrets"), "a rule lets it " + strings.Join(g.verbs, ", ") + " secrets"
				}
			}
			return nil, ""
		}},
		{"exec_pods", "no rule grants pods/exec, pods/attach or pods/portforward", func(g grant) (*yamlnode.Node, string) {
			if r := g.resource("pods/exec", "pods/attach", "pods/portforward", "pods/*"); r != nil && g.coreGroup() && g.verb("create", "get") != nil {
				what := "a shell in other pods"
				if r.String() == "pods/portforward" {
					what = "a tunnel into other pods, past their NetworkPolicies"
				}
				return r, "a rule grants " + r.String() + " (" + strings.Join(g.verbs, ", ") + "): " + what
			}
			return nil, ""
		}},
		{"creates_pods", "no rule grants create on pods or on a controller that makes them", func(g grant) (*yamlnode.Node, string) {
			if !slices.Contains(g.verbs, "create") {
				return nil, "" // "*" verbs are rbac_wildcard
			}
			if r := g.resource("pods"); r != nil && g.coreGroup() {
				return r, "a rule grants create on pods"
			}
			for _, ctl := range []string{"deployments", "daemonsets", "statefulsets", "replicasets", "jobs", "cronjobs"} {
				if r := g.resource(ctl); r != nil {
					return r, "a rule grants create on " + ctl + ", which make pods"
				}
			}
			return nil, ""
		}},
		{"escalates", "no rule grants bind, escalate or impersonate", func(g grant) (*yamlnode.Node, string) {
			for _, v := range []string{"bind", "escalate", "impersonate"} {
				if slices.Contains(g.verbs, v) {
					return g.item("verbs", v), "a rule grants " + v
				}
			}
			return nil, ""
		}},
	}
	for _, c := range checks {
		found := false
		for _, g := range gs {
			if n, note := c.test(g); n != nil {
				e.SetNote(c.attr, true, n.Span, note)
				found = true
				break
			}
		}
		if !found {
			e.Default(c.attr, false, c.none)
		}
	}
}

// everyone are the subjects that stand for every user, or every anonymous one.
var everyone = map[string]bool{"system:anonymous": true, "system:unauthenticated": true, "system:authenticated": true}

// binding reads a binding's role and subjects.
func binding(e *model.Element, o *object) {
	rp, _ := o.root.Pair("roleRef")
	ref := rp.Value
	kind, name := ref.Get("kind").String(), ref.Get("name").String()
	if ref != nil && name != "" {
		e.Set("role_ref", kind+"/"+name, rp.Key.Span)
	}
	admin := kind == "ClusterRole" && name == "cluster-admin"
	if admin {
		e.SetNote("binds_cluster_admin", true, ref.Get("name").Span, "it binds the cluster-admin ClusterRole: every right on every resource")
	}
	var all *yamlnode.Node
	for _, s := range items(o.root.Get("subjects")) {
		n := s.Get("name")
		if !admin && s.Get("kind").String() == "Group" && n.String() == "system:masters" {
			admin = true
			e.SetNote("binds_cluster_admin", true, n.Span, "system:masters bypasses RBAC altogether")
		}
		if all == nil && everyone[n.String()] {
			all = n
		}
	}
	if !admin {
		e.Default("binds_cluster_admin", false, "the role is not cluster-admin and no subject is system:masters")
	}
	if all != nil {
		e.SetNote("binds_everyone", true, all.Span, all.String()+" is every user"+map[bool]string{true: " who has any credential", false: " without credentials"}[all.String() == "system:authenticated"])
	} else {
		e.Default("binds_everyone", false, "no subject is system:anonymous, system:unauthenticated or system:authenticated")
	}
}
