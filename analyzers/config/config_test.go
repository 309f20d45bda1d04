package config_test

import (
	"path/filepath"
	"testing"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/config"
	"github.com/threatls/threatls/model"
)

// elementID maps a NAME of a testdata directive to the ID of the entry it names in file.
func elementID(file, name string) string { return "config:" + file + "/" + name }

// overrides shows an entry that only overrides (Kind "") as kind "override", which a
// want-element directive can name.
type overrides struct{ analyzers.Analyzer }

func (o overrides) Link(files []*model.FileFacts) []*model.Element {
	var out []*model.Element
	for _, e := range o.Analyzer.Link(files) {
		if e.Kind == "" {
			c := *e
			c.Kind = "override"
			e = &c
		}
		out = append(out, e)
	}
	return out
}

func TestWorkspaces(t *testing.T) {
	analyzertest.Run(t, overrides{config.New()}, filepath.Join("testdata", "src"), elementID)
}

func TestMatch(t *testing.T) {
	a := config.New()
	for _, c := range []struct {
		path, lang string
		want       bool
	}{
		{"threatls.yaml", "", true},
		{".threatls.yaml", "", true},
		{"services/api/threatls.yaml", "", true},
		{"threatls.yml", "", false},
		{"k8s/threatls.yaml.bak", "", false},
		{"compose.yaml", "", false},
		{"untitled:Untitled-1", "yaml", false},
	} {
		if got := a.Match(c.path, c.lang); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.path, c.lang, got, c.want)
		}
	}
}

func TestCommentAndFix(t *testing.T) {
	a := config.New()
	if got := a.Comment("threatls:ignore X why"); got != "# threatls:ignore X why" {
		t.Errorf("Comment = %q", got)
	}
	src := []byte("elements:\n  - name: api\n    kind: component\n")
	ff := analyzertest.Extract(t, a, "threatls.yaml", src)
	if len(ff.Elements) != 1 {
		t.Fatalf("got %d elements, want 1", len(ff.Elements))
	}
	analyzertest.NoFix(t, a, src, ff.Elements[0])
}

// Link returns the facts' elements themselves, in file order.
func TestLinkKeepsElements(t *testing.T) {
	analyzertest.LinkKeeps(t, config.New(), filepath.Join("testdata", "src", "valid"))
}

func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		"version: 1\nzones:\n  - name: a\n    parent: b\n  - name: b\n    parent: a\n",
		"elements:\n  - name: db\n    classification: pci\n    attrs: {x: [1, {y: true}], z: ~}\n",
		"flows:\n  - {from: a, to: b, port: 443, tls: true}\nassets:\n  - name: c\n    stored_in: [db, db]\n",
		"base: &b {name: x}\nelements:\n  - <<: *b\n    kind: store\n  - *b\n",
		"a: &a [*a]\nelements:\n  - name: x\n    attrs: {loop: *a}\n",
		"# threatls:ignore X until=2020-01-01 r\nelements: [\n",
	} {
		f.Add([]byte(s))
	}
	a := config.New()
	f.Fuzz(func(t *testing.T, src []byte) {
		ff := analyzertest.Extract(t, a, "threatls.yaml", src)
		analyzertest.Inside(t, src, ff, ff.Elements)
		ids := map[string]bool{}
		for _, e := range ff.Elements {
			if ids[e.ID] {
				t.Errorf("duplicate element %s", e.ID)
			}
			ids[e.ID] = true
			if e.Provenance != model.Configured || e.Head.Start.Offset < e.Span.Start.Offset {
				t.Errorf("%s: provenance %q span %+v head %+v", e.ID, e.Provenance, e.Span, e.Head)
			}
			for n, at := range e.Attrs.All() {
				if at.Origin != model.Declared {
					t.Errorf("%s: %s = %+v", e.ID, n, at)
				}
			}
		}
	})
}

// A zone in a parent cycle loses its parent (the model would loop on it); the others keep it.
func TestCycleDropsParent(t *testing.T) {
	facts, _ := analyzertest.Workspace(t, config.New(), filepath.Join("testdata", "src", "cycle"))
	for _, e := range facts[0].Elements {
		_, has := e.Attr("parent")
		inCycle := e.Name == "a" || e.Name == "b" || e.Name == "c" || e.Name == "self"
		if has == inCycle {
			t.Errorf("%s: has parent = %v, want %v", e.Name, has, !inCycle)
		}
	}
}
