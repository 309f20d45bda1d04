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

// tofuTwins returns, of a directory's files (sorted by name), the .tf files a .tofu file of
// the same name replaces for OpenTofu, and the addresses of the resources and data sources
// such a .tofu file declares otherwise than its twin, each with the .tofu file's name.
func tofuTwins(fs []*model.FileFacts) (replaced map[string]bool, differ map[string]string) {
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
		for _, b := range tf.RawFacts().(*Raw).Blocks {
			if (b.Type == "resource" || b.Type == "data") && len(b.Labels) == 2 {
				sums[blockAddr(b)] = b.sum
			}
		}
		for _, b := range f.RawFacts().(*Raw).Blocks {
			if (b.Type == "resource" || b.Type == "data") && len(b.Labels) == 2 {
				if sum, ok := sums[blockAddr(b)]; ok && sum != b.sum {
					differ[blockAddr(b)] = path.Base(f.File)
				}
			}
		}
	}
	return replaced, differ
}

// tofuElements returns the elements of the resources of differ (address → the .tofu file
// that declares it otherwise) as OpenTofu reads directory dir, whose files are fs: the module
// without the .tf files replaced, built with the Link's world. Their IDs say which .tofu file
// they come from; what they refer to keeps its ID (the element Terraform's reading made of
// it).
func tofuElements(dir string, fs []*model.FileFacts, replaced map[string]bool, differ map[string]string, w *world) []*model.Element {
	var view []*model.FileFacts
	for _, f := range fs {
		if !replaced[f.File] {
			view = append(view, f)
		}
	}
	m := newModule(dir, view, false)
	m.world = w
	m.build()
	// An element is a twin's when it is a resource of differ or a block nested in one.
	twin := func(e *model.Element) string {
		for addr, file := range differ {
			if e.Name == addr || strings.HasPrefix(e.Name, addr+".") || strings.HasPrefix(e.Name, addr+"[") {
				return file
			}
		}
		return ""
	}
	renamed := map[string]string{}
	var out []*model.Element
	for _, e := range m.out {
		if file := twin(e); file != "" {
			renamed[e.ID] = e.ID + "@" + file
			e.ID = e.ID + "@" + file
			out = append(out, e)
		}
	}
	for _, e := range out {
		if id, ok := renamed[e.Parent]; ok {
			e.Parent = id
		}
	}
	return out
}
