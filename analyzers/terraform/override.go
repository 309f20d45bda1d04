package terraform

import (
	"context"
	"path"
	"slices"
	"strings"

	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// Override files (override.tf, and files whose name ends in _override.tf) change what the
// module's other files say: Terraform merges each of their blocks into the block of the same
// kind and name, after reading every other file. Read as more blocks of the module, the first
// of two blocks of an address won and the override was dropped: an acl = "public-read" in
// override.tf made a private bucket public, and no threat said so.
// (https://developer.hashicorp.com/terraform/language/files/override)

// isOverride reports whether file is an override file (OpenTofu's .tofu ones too).
func isOverride(file string) bool {
	base := strings.TrimSuffix(strings.TrimSuffix(path.Base(file), ".tf"), ".tofu")
	return base != path.Base(file) && (base == "override" || strings.HasSuffix(base, "_override"))
}

// merged returns orig with over merged into it as Terraform merges an override block: each
// argument of over replaces the argument of that name (or is added), and the nested blocks of
// a type over has replace all of orig's of that type, but for lifecycle, whose arguments are
// merged one by one. orig is not modified.
func merged(orig, over *Block) *Block {
	out := *orig
	out.Attrs = append([]*Attribute(nil), orig.Attrs...)
	for _, a := range over.Attrs {
		out.Attrs = setAttr(out.Attrs, a)
	}
	replaced := map[string]bool{}
	for _, c := range over.Blocks {
		if c.Type != "lifecycle" {
			replaced[c.Type] = true
		}
	}
	out.Blocks = nil
	for _, c := range orig.Blocks {
		if !replaced[c.Type] {
			out.Blocks = append(out.Blocks, c)
		}
	}
	for _, c := range over.Blocks {
		if c.Type != "lifecycle" {
			out.Blocks = append(out.Blocks, c)
			continue
		}
		i := 0
		for i < len(out.Blocks) && out.Blocks[i].Type != "lifecycle" {
			i++
		}
		if i == len(out.Blocks) {
			out.Blocks = append(out.Blocks, c)
		} else {
			out.Blocks[i] = merged(out.Blocks[i], c)
		}
	}
	return &out
}

// setAttr returns attrs with a in place of the attribute of its name, or added.
func setAttr(attrs []*Attribute, a *Attribute) []*Attribute {
	for i, b := range attrs {
		if b.Name == a.Name {
			attrs[i] = a
			return attrs
		}
	}
	return append(attrs, a)
}

// FixTarget returns where the fixes of el, a resource or data source, take effect: the block
// of an override file of its directory that sets what a fix changes, when one does.
// Terraform merges that block over el's, so a fix made in el's block changed nothing (the
// quick fix for a public ACL set in override.tf set acl in main.tf, and the bucket stayed
// public). Of several, the last in name order, which Terraform merges last, is the one. A fix
// that adds a block stays in el's file: an override file may only change what another file
// declares. The override files are read once, for every fix asked of the function returned.
func (a *Analyzer) FixTarget(el *model.Element, dir []string, text func(string) []byte) func(ops []model.FixOp) (model.Span, bool) {
	none := func([]model.FixOp) (model.Span, bool) { return model.Span{}, false }
	if strings.Contains(el.Name, "[") || !strings.HasPrefix(el.ID, "terraform:") {
		return none // a nested block's element: its fixes rewrite the block it is in
	}
	var overrides []string
	for _, f := range dir {
		if isOverride(f) && f != el.Span.File {
			overrides = append(overrides, f)
		}
	}
	slices.Sort(overrides)
	var blocks []*Block // el's blocks in the override files, the one merged last first
	for _, f := range slices.Backward(overrides) {
		src := text(f)
		if src == nil {
			continue
		}
		t, err := parse.Parse(context.Background(), parse.HCL, src)
		if err != nil {
			continue
		}
		ff := a.Extract(t, f)
		t.Close()
		raw, _ := ff.RawFacts().(*Raw)
		if raw == nil {
			continue
		}
		for _, b := range raw.Blocks {
			if (b.Type == "resource" || b.Type == "data") && len(b.Labels) == 2 && blockAddr(b) == el.Name {
				blocks = append(blocks, b)
			}
		}
	}
	if len(blocks) == 0 {
		return none
	}
	return func(ops []model.FixOp) (model.Span, bool) {
		var names []string
		for _, op := range ops {
			if op.Op == "append" {
				return model.Span{}, false
			}
			if name, _, _ := strings.Cut(op.Path, "."); name != "" {
				names = append(names, name)
			}
		}
		for _, b := range blocks {
			for _, n := range names {
				if b.Attr(n) != nil || slices.ContainsFunc(b.Blocks, func(c *Block) bool { return c.Type == n }) {
					return b.Span, true
				}
			}
		}
		return model.Span{}, false
	}
}

// blockAddr is the address of a resource or data block: aws_s3_bucket.b, data.x.y.
func blockAddr(b *Block) string {
	addr := b.Labels[0] + "." + b.Labels[1]
	if b.Type == "data" {
		addr = "data." + addr
	}
	return addr
}
