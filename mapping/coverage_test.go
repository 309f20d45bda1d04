package mapping_test

import (
	"fmt"
	"path/filepath"
	"sort"
	"testing"

	"github.com/threatls/threatls/analyzers/all"
	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/engine/enginetest"
	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/mapping"
	"github.com/threatls/threatls/model"
)

// corpora are the testdata workspaces that exercise the rows: the analyzers' own and the
// threats' cases.
var corpora = []string{
	"../analyzers/terraform/testdata/src/*",
	"../analyzers/cloudformation/testdata/src/*",
	"../analyzers/cloudformation/testdata/twins",
	"../knowledge/testdata/threats/*",
}

// TestRowsExercised fails when a row has no testdata that exercises it: for every format a row
// names, some workspace of the corpora must have an element of one of its types, and for every
// attribute the row reads in that format, such an element on which the attribute was read
// from the source (or found unknown there) — so that a mistyped path cannot hide.
func TestRowsExercised(t *testing.T) {
	tab, err := mapping.Default()
	if err != nil {
		t.Fatal(err)
	}
	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(lib, all.Analyzers(), nil)
	seenType := map[string]bool{}
	seenAttr := map[string]bool{} // type + " " + attribute
	for _, pattern := range corpora {
		dirs, _ := filepath.Glob(pattern)
		for _, dir := range dirs {
			snap := enginetest.Scan(t, eng, dir)
			for _, el := range snap.Graph().Elements() {
				seenType[el.Type] = true
				for name, a := range el.Attrs.All() {
					if a.Origin == model.Read || a.Origin == model.Unknown {
						seenAttr[el.Type+" "+name] = true
					}
				}
			}
		}
	}
	var missing []string
	for _, r := range tab.Rows() {
		for _, f := range mapping.Formats {
			types := r.Types(f)
			if len(types) == 0 {
				continue
			}
			any := func(attr string) bool {
				for _, typ := range types {
					if attr == "" && seenType[typ] || attr != "" && seenAttr[typ+" "+attr] {
						return true
					}
				}
				return false
			}
			if !any("") {
				missing = append(missing, fmt.Sprintf("%s: no %s element of type %v in the testdata", r.ID, f, types))
				continue
			}
			for _, a := range r.Attrs {
				reads := false
				for i := range a.From {
					reads = reads || a.From[i].Path(f) != ""
				}
				if reads && !any(a.Name) {
					missing = append(missing, fmt.Sprintf("%s: no %s element of type %v reads %s from the source", r.ID, f, types, a.Name))
				}
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Error(m)
	}
}
