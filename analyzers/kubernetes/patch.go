package kubernetes

import (
	"github.com/threatls/threatls/analyzers/yamlnode"
)

// A kustomize patch (patchesStrategicMerge, patches: - path:) is a fragment of a workload a
// base defines: alone it is no workload (what it leaves out is the base's), but what it sets
// is applied. An overlay whose patch made the base's container privileged passed every gate,
// the patch read as nothing and the base as it is. So each patch whose base is among the
// objects makes a workload of its own beside the base's: the base with the patch merged into
// it as kustomize merges (maps key by key, lists of named entries — containers, volumes, env
// — entry by entry, any other value replaced), its ID the base's told apart by the patch's
// file (kubernetes:default/Deployment/api@overlays/prod/priv.yaml), where the patch is. What
// the patch sets is read where the patch says it, the rest where the base does.

// patched adds the workloads the patches of b.patches make of the workloads they patch.
func (b *builder) patched() {
	for _, p := range b.patches {
		var base *workload
		for _, w := range b.workloads {
			if o := w.obj; o.kind == p.kind && o.name == p.name && o.namespace == p.namespace && o.file != p.file {
				base = w
				break
			}
		}
		if base == nil {
			continue // its base is not in the workspace, or not in this part of it
		}
		m := *p
		m.root = mergePatch(base.obj.root, p.root)
		id := base.el.ID + "@" + p.file
		if b.ids[id] {
			continue // a second patch of the file for the same object: the first counts
		}
		w := newWorkload(&m, id)
		b.add(w.el, false)
		b.workloads = append(b.workloads, w)
	}
}

// mergePatch returns base with patch merged into it as a strategic merge patch does, as a new
// tree sharing the nodes of both (neither is modified).
func mergePatch(base, patch *yamlnode.Node) *yamlnode.Node {
	switch {
	case patch == nil:
		return base
	case base == nil || patch.Tag == "!!null":
		return patch
	case base.Kind == yamlnode.Map && patch.Kind == yamlnode.Map:
		out := *patch
		out.Pairs = nil
		bs, ps := base.Entries(), patch.Entries()
		for _, bp := range bs {
			merged := bp
			for _, pp := range ps {
				if pp.Key.Value == bp.Key.Value {
					merged = yamlnode.Pair{Key: pp.Key, Value: mergePatch(bp.Value, pp.Value)}
					break
				}
			}
			out.Pairs = append(out.Pairs, merged)
		}
		for _, pp := range ps {
			if base.Get(pp.Key.Value) == nil {
				out.Pairs = append(out.Pairs, pp)
			}
		}
		return &out
	case base.Kind == yamlnode.Seq && patch.Kind == yamlnode.Seq && named(base) && named(patch):
		out := *patch
		out.Items = nil
		for _, bi := range base.Items {
			merged := bi
			for _, pi := range patch.Items {
				if pi.Get("name").String() == bi.Get("name").String() {
					merged = mergePatch(bi, pi)
					break
				}
			}
			out.Items = append(out.Items, merged)
		}
		for _, pi := range patch.Items {
			found := false
			for _, bi := range base.Items {
				found = found || bi.Get("name").String() == pi.Get("name").String()
			}
			if !found {
				out.Items = append(out.Items, pi)
			}
		}
		return &out
	}
	return patch
}

// named reports whether every item of a sequence is a map with a scalar name: a list kustomize
// merges entry by entry.
func named(seq *yamlnode.Node) bool {
	for _, it := range seq.Items {
		if _, ok := it.Get("name").Str(); !ok {
			return false
		}
	}
	return len(seq.Items) > 0
}
