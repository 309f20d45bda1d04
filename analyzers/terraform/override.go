package terraform

import (
	"path"
	"strings"
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
