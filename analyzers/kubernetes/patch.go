package kubernetes

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// A kustomize patch (patchesStrategicMerge, patches: - path:) is a fragment of a workload a
// base defines: alone it is no workload (what it leaves out is the base's), but what it sets
// is applied. An overlay whose patch made the base's container privileged passed every gate,
// the patch read as nothing and the base as it is. So each patch whose base is among the
// objects makes a workload of its own beside the base's: the base with the patch merged into
// it as kustomize merges (maps key by key; the lists the API's types give a merge key —
// containers and env by name, ports by containerPort, volume mounts by mountPath — entry by
// entry, with the $patch directives; any other value replaced), its ID the base's told apart
// by the patch's file (kubernetes:default/Deployment/api@overlays/prod/priv.yaml), where the
// patch is. What the patch sets is read where the patch says it, the rest where the base does.

// patched adds the workloads the patches of b.patches make of the workloads they patch, and
// those the inline patches of the kustomizations of b.builds make (object.inline).
func (b *builder) patched() {
	for _, k := range b.builds {
		if len(k.inline) == 0 {
			continue
		}
		for _, w := range slices.Clone(b.workloads) {
			if strings.Contains(w.el.ID, "@") {
				continue // a twin, or a second object of the name
			}
			// Every patch of the kustomization that targets it, in order, as kustomize applies
			// them: one workload, where the first is.
			var root *yamlnode.Node
			var where model.Span
			for _, ip := range k.inline {
				if !ip.target.of(w.obj) {
					continue
				}
				cur := cmp.Or(root, w.obj.root)
				next := mergePatch(cur, ip.tree)
				if ip.ops {
					next = applyOps(cur, ip.tree)
				}
				if next != nil {
					if root == nil {
						where = ip.at
					}
					root = next
				}
			}
			if root != nil {
				m := *w.obj
				m.root, m.file, m.span, m.head = root, k.file, where, where
				b.addTwin(&m, w.el.ID+"@"+k.file)
			}
		}
	}
	for _, p := range b.patches {
		t := targetOf(p)
		i := slices.IndexFunc(b.workloads, func(w *workload) bool {
			return t.of(w.obj) && w.obj.file != p.file && !strings.Contains(w.el.ID, "@")
		})
		if i < 0 {
			continue // its base is not in the workspace, or not in this part of it
		}
		base := b.workloads[i]
		m := *p
		m.root = mergePatch(base.obj.root, p.root)
		b.addTwin(&m, base.el.ID+"@"+p.file)
	}
}

// addTwin adds the workload of o, a workload as a patch makes it, of ID id, unless an element of
// that ID is there (a second patch of the same file for the same object: the first counts).
func (b *builder) addTwin(o *object, id string) {
	if b.ids[id] {
		return
	}
	w := newWorkload(o, id)
	b.add(w.el, false)
	b.workloads = append(b.workloads, w)
}

// target is what a patch applies to: the objects of a kind, and of a name and a namespace
// when it says them.
type target struct{ kind, name, namespace string }

// targetOf is the target of a patch file: the object of its kind, name and namespace.
func targetOf(p *object) target { return target{p.kind, p.name, p.namespace} }

// of reports whether t is o.
func (t target) of(o *object) bool {
	return o.kind == t.kind && (t.name == "" || o.name == t.name) && (t.namespace == "" || o.namespace == t.namespace)
}

// mergePatch returns base with patch merged into it as a strategic merge patch does, as a new
// tree sharing the nodes of both (neither is modified).
func mergePatch(base, patch *yamlnode.Node) *yamlnode.Node { return mergeAt(base, patch, "") }

// mergeKeys are the keys by which a strategic merge patch merges the lists of a workload's
// pod template, by the field that holds the list (the patchMergeKey of the Kubernetes API's
// types: a container's ports by containerPort, its volume mounts by mountPath). A list of
// any other field (args, command, tolerations, envFrom) is replaced whole.
var mergeKeys = map[string]string{
	"containers": "name", "initContainers": "name", "ephemeralContainers": "name",
	"env": "name", "volumes": "name", "imagePullSecrets": "name", "resourceClaims": "name",
	"schedulingGates": "name", "ports": "containerPort", "volumeMounts": "mountPath",
	"volumeDevices": "devicePath", "hostAliases": "ip", "topologySpreadConstraints": "topologyKey",
}

// patchDirective is the key of a strategic merge patch's directive in a map: $patch: delete
// (the map goes; in an entry of a list, the base's entry of its key), $patch: replace (the
// map, or the list the entry is in, replaces the base's whole).
const patchDirective = "$patch"

// mergeAt is mergePatch of the value of field (a map's key; "" for the root).
func mergeAt(base, patch *yamlnode.Node, field string) *yamlnode.Node {
	switch {
	case patch == nil:
		return base
	case base == nil || patch.Tag == "!!null":
		return directiveFree(patch) // a null the map it is in deletes
	case base.Kind == yamlnode.Map && patch.Kind == yamlnode.Map:
		switch patch.Get(patchDirective).String() {
		case "replace":
			return directiveFree(patch)
		case "delete": // the map goes, as a null would take it
			return &yamlnode.Node{Kind: yamlnode.Scalar, Tag: "!!null", Span: patch.Span}
		}
		out := *patch
		out.Pairs = nil
		bs, ps := base.Entries(), patch.Entries()
		for _, bp := range bs {
			merged := bp
			for _, pp := range ps {
				if pp.Key.Value == bp.Key.Value {
					merged = yamlnode.Pair{Key: pp.Key, Value: mergeAt(bp.Value, pp.Value, bp.Key.Value)}
					break
				}
			}
			if merged.Value != nil && merged.Value.Tag == "!!null" && merged.Value != bp.Value {
				continue // key: null deletes the key
			}
			out.Pairs = append(out.Pairs, merged)
		}
		for _, pp := range ps {
			if base.Get(pp.Key.Value) == nil && pp.Value.Tag != "!!null" && !directive(pp.Key.Value) && pp.Value.Get(patchDirective).String() != "delete" {
				out.Pairs = append(out.Pairs, yamlnode.Pair{Key: pp.Key, Value: directiveFree(pp.Value)})
			}
		}
		return &out
	case base.Kind == yamlnode.Seq && patch.Kind == yamlnode.Seq && mergeKeys[field] != "" && keyed(base, mergeKeys[field]) && keyed(patch, mergeKeys[field]):
		key := mergeKeys[field]
		if slices.ContainsFunc(patch.Items, func(it *yamlnode.Node) bool { return it.Get(patchDirective).String() == "replace" }) {
			out := *patch // the list replaces the base's, the directive's entry aside
			out.Items = nil
			for _, it := range patch.Items {
				if it.Get(patchDirective) == nil {
					out.Items = append(out.Items, directiveFree(it))
				}
			}
			return &out
		}
		keyOf := func(n *yamlnode.Node) string { return n.Get(key).String() }
		out := *patch
		out.Items = nil
		for _, bi := range base.Items {
			merged := bi
			for _, pi := range patch.Items {
				if keyOf(pi) == keyOf(bi) {
					if pi.Get(patchDirective).String() == "delete" {
						merged = nil
					} else {
						merged = mergeAt(bi, pi, "")
					}
					break
				}
			}
			if merged != nil {
				out.Items = append(out.Items, merged)
			}
		}
		for _, pi := range patch.Items {
			if pi.Get(patchDirective).String() == "delete" {
				continue
			}
			if !slices.ContainsFunc(base.Items, func(bi *yamlnode.Node) bool { return keyOf(bi) == keyOf(pi) }) {
				out.Items = append(out.Items, directiveFree(pi))
			}
		}
		return &out
	}
	return directiveFree(patch)
}

// keyed reports whether every item of a sequence is a map with a scalar key: a list a
// strategic merge patch merges entry by entry. An entry that is only a directive
// ($patch: replace) counts.
func keyed(seq *yamlnode.Node, key string) bool {
	for _, it := range seq.Items {
		if _, ok := it.Get(key).Str(); !ok && it.Get(patchDirective).String() != "replace" {
			return false
		}
	}
	return len(seq.Items) > 0
}

// directive reports whether a map's key is a strategic merge patch's directive ($patch,
// $retainKeys, $setElementOrder/…, $deleteFromPrimitiveList/…): what the patch says to do,
// not a field of the workload.
func directive(k string) bool { return strings.HasPrefix(k, "$") }

// directiveFree returns n without the directives of its maps, at any depth (n itself when it
// has none): a value the patch sets, as the workload has it.
func directiveFree(n *yamlnode.Node) *yamlnode.Node {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yamlnode.Map:
		var out *yamlnode.Node
		for i, p := range n.Pairs {
			v := directiveFree(p.Value)
			drop := p.Key != nil && directive(p.Key.Value)
			if out == nil && (drop || v != p.Value) {
				c := *n
				c.Pairs = append([]yamlnode.Pair(nil), n.Pairs[:i]...)
				out = &c
			}
			if out != nil && !drop {
				out.Pairs = append(out.Pairs, yamlnode.Pair{Key: p.Key, Value: v})
			}
		}
		if out != nil {
			return out
		}
	case yamlnode.Seq:
		var out *yamlnode.Node
		for i, it := range n.Items {
			v := directiveFree(it)
			if out == nil && v != it {
				c := *n
				c.Items = append([]*yamlnode.Node(nil), n.Items[:i]...)
				out = &c
			}
			if out != nil {
				out.Items = append(out.Items, v)
			}
		}
		if out != nil {
			return out
		}
	}
	return n
}

// inlinePatch is a patch a kustomization writes in itself (patches: - patch: |-, or
// patchesJson6902: - patch: |-): a strategic merge patch, or JSON 6902 operations (ops), of the
// workloads of a kind (and a name, a namespace) its target or its own kind and name say. Where
// it is, is the patch's text: what it sets is read there.
type inlinePatch struct {
	target
	tree *yamlnode.Node
	ops  bool
	at   model.Span
}

// patchedBy reports whether a patch of b (a file, or one a kustomization writes) applies to
// o: its twin is made with it, so an edit of o is built whole (delta.go).
func (b *builder) patchedBy(o *object) bool {
	if slices.ContainsFunc(b.patches, func(p *object) bool { return targetOf(p).of(o) }) {
		return true
	}
	return slices.ContainsFunc(b.builds, func(k *object) bool {
		return slices.ContainsFunc(k.inline, func(ip inlinePatch) bool { return ip.target.of(o) })
	})
}

// inlinePatches returns the inline patches of kustomization k (none for another object), read
// once, when k is (readBuildConfig).
func inlinePatches(k *object) []inlinePatch {
	if !applies(k) {
		return nil
	}
	var out []inlinePatch
	for _, list := range []string{"patches", "patchesJson6902"} {
		for _, e := range items(k.root.Get(list)) {
			text := e.Get("patch")
			src, ok := text.Str()
			if !ok || templated(text) {
				continue
			}
			docs, problems := yamlnode.Parse([]byte(src), k.file)
			if len(problems) > 0 || len(docs) != 1 || docs[0].Root == nil {
				continue
			}
			ip := inlinePatch{tree: at(docs[0].Root, text.Span), at: text.Span}
			if ip.tree.Kind == yamlnode.Seq {
				ip.ops = true
			} else {
				ip.kind, ip.name = ip.tree.Get("kind").String(), ip.tree.Path("metadata", "name").String()
				ip.namespace = ip.tree.Path("metadata", "namespace").String()
			}
			if t := e.Get("target"); t != nil {
				ip.kind, ip.name, ip.namespace = t.Get("kind").String(), t.Get("name").String(), t.Get("namespace").String()
			}
			if podPath[ip.kind] != nil {
				out = append(out, ip)
			}
		}
	}
	return out
}

// at returns the tree n with every node where sp is: the text of an inline patch is a string
// of the kustomization, whose own places are not the file's.
func at(n *yamlnode.Node, sp model.Span) *yamlnode.Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Span = sp
	c.Pairs, c.Items = nil, nil
	for _, p := range n.Pairs {
		c.Pairs = append(c.Pairs, yamlnode.Pair{Key: at(p.Key, sp), Value: at(p.Value, sp)})
	}
	for _, it := range n.Items {
		c.Items = append(c.Items, at(it, sp))
	}
	return &c
}

// applyOps returns base with the JSON 6902 operations ops done to it, each as the strategic
// merge patch that does what it does: add and replace put a value at a path (an index of a
// list with a merge key is the entry of its key), remove puts a null there, which deletes.
// It returns nil when no operation applies.
func applyOps(base, ops *yamlnode.Node) *yamlnode.Node {
	cur, applied := base, false
	for _, op := range ops.Items {
		kind := op.Get("op").String()
		if kind != "add" && kind != "replace" && kind != "remove" {
			continue
		}
		segs := strings.Split(strings.TrimPrefix(op.Get("path").String(), "/"), "/")
		value := op.Get("value")
		if kind == "remove" {
			value = &yamlnode.Node{Kind: yamlnode.Scalar, Tag: "!!null", Span: op.Span}
		}
		if value == nil || len(segs) == 0 || segs[0] == "" {
			continue
		}
		if p := opTree(cur, segs, value, ""); p != nil {
			cur, applied = mergePatch(cur, p), true
		}
	}
	if !applied {
		return nil
	}
	return cur
}

// opTree returns the patch that puts value at the path segs of base, the value of field, or
// nil when the path goes through a list by an index of an entry a strategic merge patch could
// not name (a list without a merge key, an entry without its key), or past base.
func opTree(base *yamlnode.Node, segs []string, value *yamlnode.Node, field string) *yamlnode.Node {
	if len(segs) == 0 {
		return value
	}
	seg := strings.ReplaceAll(strings.ReplaceAll(segs[0], "~1", "/"), "~0", "~")
	if base != nil && base.Kind == yamlnode.Seq {
		i, err := strconv.Atoi(seg)
		if err != nil || i < 0 || i >= len(base.Items) {
			return nil // "-" appends: an entry of its own, which only a named list could merge
		}
		item, key := base.Items[i], mergeKeys[field]
		name := item.Get(key)
		if _, ok := name.Str(); !ok || key == "" {
			return nil
		}
		rest := opTree(item, segs[1:], value, "")
		if rest == nil || rest.Kind != yamlnode.Map {
			return nil
		}
		entry := *rest
		entry.Pairs = append([]yamlnode.Pair{{Key: &yamlnode.Node{Kind: yamlnode.Scalar, Tag: "!!str", Value: key, Span: value.Span}, Value: name}}, rest.Pairs...)
		return &yamlnode.Node{Kind: yamlnode.Seq, Tag: "!!seq", Span: value.Span, Items: []*yamlnode.Node{&entry}}
	}
	rest := opTree(base.Get(seg), segs[1:], value, seg)
	if rest == nil {
		return nil
	}
	return &yamlnode.Node{Kind: yamlnode.Map, Tag: "!!map", Span: value.Span,
		Pairs: []yamlnode.Pair{{Key: &yamlnode.Node{Kind: yamlnode.Scalar, Tag: "!!str", Value: seg, Span: value.Span}, Value: rest}}}
}
