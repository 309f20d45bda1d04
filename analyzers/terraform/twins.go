package terraform

import (
	"path"
	"slices"
	"strings"

	"github.com/threatls/threatls/model"
)

// Where a directory holds main.tf and main.tofu, OpenTofu reads main.tofu instead of main.tf,
// and Terraform reads main.tf and never a .tofu file. The module is read as the union of its
// files, and of two blocks of one address the first, main.tf's, counts: a bucket that
// main.tofu makes public, which OpenTofu applies, passed every gate. So a resource that a
// .tofu twin declares otherwise than its .tf twin is built as OpenTofu reads the directory
// too, and its elements are added beside Terraform's, their IDs told apart by the twin's
// name (terraform:dir/aws_s3_bucket.b@main.tofu). Their names are the addresses, which is
// what a fix that adds a block refers to them by; where they are says which file's they are.

// Variables, locals, providers and modules a .tofu twin declares otherwise change what
// OpenTofu applies of resources declared alike, anywhere in the directory: a variables.tofu
// whose default for acl is "public-read", read by main.tf's bucket, passed every gate. When
// such a block differs, every element OpenTofu's reading makes otherwise than Terraform's is
// added as a twin, with the name of the first .tofu file whose other blocks differ.

// tofuTwins returns, of a directory's files (sorted by name), the .tf files a .tofu file of
// the same name replaces for OpenTofu, the addresses of the resources and data sources such
// a .tofu file declares otherwise than its twin, each with the .tofu file's name, and the
// name of the first such .tofu file whose other blocks (variables, locals, providers,
// modules…) differ from its twin's ("" for none).
func tofuTwins(fs []*model.FileFacts) (replaced map[string]bool, differ map[string]string, other string) {
	for _, f := range fs {
		stem, ok := strings.CutSuffix(f.File, ".tofu")
		if !ok || isOverride(f.File) {
			continue
		}
		// Every Link of a directory asks, a keystroke's included: no map of its files.
		i := slices.IndexFunc(fs, func(g *model.FileFacts) bool { return g.File == stem+".tf" })
		if i < 0 {
			continue
		}
		tf := fs[i]
		if replaced == nil {
			replaced, differ = map[string]bool{}, map[string]string{}
		}
		replaced[tf.File] = true
		sums := map[string]uint64{}
		var tfRest, tofuRest []uint64 // the sums of the other blocks
		for _, b := range tf.RawFacts().(*Raw).Blocks {
			if (b.Type == "resource" || b.Type == "data") && len(b.Labels) == 2 {
				sums[blockAddr(b)] = b.sum
			} else {
				tfRest = append(tfRest, b.sum)
			}
		}
		for _, b := range f.RawFacts().(*Raw).Blocks {
			if (b.Type == "resource" || b.Type == "data") && len(b.Labels) == 2 {
				if sum, ok := sums[blockAddr(b)]; ok && sum != b.sum {
					differ[blockAddr(b)] = path.Base(f.File)
				}
			} else {
				tofuRest = append(tofuRest, b.sum)
			}
		}
		slices.Sort(tfRest)
		slices.Sort(tofuRest)
		if other == "" && !slices.Equal(tfRest, tofuRest) {
			other = path.Base(f.File)
		}
	}
	return replaced, differ, other
}

// tofuElements returns the elements of the resources of differ (address → the .tofu file
// that declares it otherwise) as OpenTofu reads directory dir, whose files are fs: the module
// without the .tf files replaced, built with the Link's world. When other names a .tofu file
// whose other blocks differ, every element of that reading that is not one of tf, Terraform's
// reading, but for where it is, comes too, with other's name. Their IDs say which .tofu file
// they come from; what they refer to keeps its ID (the element Terraform's reading made of
// it).
func tofuElements(dir string, fs []*model.FileFacts, replaced map[string]bool, differ map[string]string, other string, w *world, tf []*model.Element) []*model.Element {
	var view []*model.FileFacts
	for _, f := range fs {
		if !replaced[f.File] {
			view = append(view, f)
		}
	}
	m := newModule(dir, view, false)
	m.world = w
	m.build()
	var terraform map[string]*model.Element
	if other != "" {
		terraform = make(map[string]*model.Element, len(tf))
		for _, e := range tf {
			terraform[e.ID] = e
		}
	}
	// An element is a twin's when it is a resource of differ or a block nested in one, or,
	// with other, one that OpenTofu's reading makes otherwise.
	twin := func(e *model.Element) string {
		for addr, file := range differ {
			if e.Name == addr || strings.HasPrefix(e.Name, addr+".") || strings.HasPrefix(e.Name, addr+"[") {
				return file
			}
		}
		if other != "" && !sameBut(terraform[e.ID], e) {
			return other
		}
		return ""
	}
	files := map[string]string{}
	for _, e := range m.out {
		if file := twin(e); file != "" {
			files[e.ID] = file
		}
	}
	// A block nested in a twin is its twin's too, said alike or not: its parent is the twin.
	parentOf := make(map[string]string, len(m.out))
	for _, e := range m.out {
		parentOf[e.ID] = e.Parent
	}
	var out []*model.Element
	for _, e := range m.out {
		file := files[e.ID]
		for p, depth := e.Parent, 0; file == "" && p != "" && depth < 64; p, depth = parentOf[p], depth+1 {
			file = files[p]
		}
		if file != "" {
			files[e.ID] = file
			out = append(out, e)
		}
	}
	renamed := map[string]string{}
	for _, e := range out {
		renamed[e.ID] = e.ID + "@" + files[e.ID]
		e.ID = renamed[e.ID]
	}
	for _, e := range out {
		if id, ok := renamed[e.Parent]; ok {
			e.Parent = id
		}
	}
	return out
}

// sameBut reports whether b says what a says, wherever each says it: a resource OpenTofu
// reads from main.tofu as Terraform reads it from main.tf is not a twin.
func sameBut(a, b *model.Element) bool {
	if a == nil || b == nil {
		return a == b
	}
	nowhere := func(model.Span) (model.Span, bool) { return model.Span{}, true }
	x, _ := a.Moved(nowhere)
	y, _ := b.Moved(nowhere)
	return model.Equal(x, y)
}
