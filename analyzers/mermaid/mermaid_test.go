package mermaid_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/mermaid"
	"github.com/threatls/threatls/model"
)

// elementID maps a NAME of a testdata directive to an element ID: a node id, zone/<id> for
// a subgraph, <from>-><to>#<n> for an edge.
func elementID(file, name string) string {
	if id, ok := strings.CutPrefix(name, "zone/"); ok {
		return "mermaid:" + file + "/zone:" + id
	}
	return "mermaid:" + file + "/" + name
}

func TestWorkspaces(t *testing.T) {
	analyzertest.Run(t, mermaid.New(), filepath.Join("testdata", "src"), elementID)
}

func TestMatch(t *testing.T) {
	a := mermaid.New()
	for _, c := range []struct {
		path, lang string
		want       bool
	}{
		{"docs/architecture.md", "", true},
		{"README.MD", "", true},
		{"docs/design.markdown", "", true},
		{"ops/context.mmd", "", true},
		{"ops/context.mermaid", "", true},
		{"main.tf", "", false},
		{"docs/notes.txt", "", false},
		{"untitled:Untitled-1", "markdown", true},
		{"untitled:Untitled-2", "mermaid", true},
		{"untitled:Untitled-3", "yaml", false},
	} {
		if got := a.Match(c.path, c.lang); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.path, c.lang, got, c.want)
		}
	}
}

func TestCommentAndFix(t *testing.T) {
	a := mermaid.New()
	if got := a.Comment("threatls:ignore X why"); got != "<!-- threatls:ignore X why -->" {
		t.Errorf("Comment = %q", got)
	}
	src := []byte("flowchart LR\n  a --> b\n")
	ff := analyzertest.Extract(t, a, "d.mmd", src)
	if len(ff.Elements) != 3 {
		t.Fatalf("got %d elements, want a, b and a->b", len(ff.Elements))
	}
	analyzertest.NoFix(t, a, src, ff.Elements[0])
}

// An untitled buffer is a bare diagram unless it holds a mermaid block.
func TestUntitled(t *testing.T) {
	a := mermaid.New()
	bare := analyzertest.Extract(t, a, "untitled:Untitled-1", []byte("flowchart LR\n  a --> b\n"))
	md := analyzertest.Extract(t, a, "untitled:Untitled-2", []byte("# T\n\n```mermaid\nflowchart LR\n  a --> b\n```\n"))
	if len(bare.Elements) != 3 || len(md.Elements) != 3 {
		t.Errorf("bare: %d elements, markdown: %d; want 3 each", len(bare.Elements), len(md.Elements))
	}
}

// Link returns the facts' elements themselves, in file order.
func TestLinkKeepsElements(t *testing.T) {
	analyzertest.LinkKeeps(t, mermaid.New(), filepath.Join("testdata", "src", "fences"))
}

func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		"flowchart LR\n  a[A] --> b[(B)] & c((C))\n  subgraph s [Data]\n    d -- https 443 --> a\n  end\n",
		"graph TD; a-->|x|b; b -.-> c\n  %% threatls:ignore X until=2020-01-01 r\n  c ==> d{{D}}:::k\n",
		"graph\n  a@{ shape: cyl, label: \"x\" } --o b\n  subgraph \"A b\"\n  end\n  end\n",
		"---\ntitle: t\n---\nflowchart LR\n  a -- \"open\n",
		"sequenceDiagram\n  A->>B: hi\n",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte("# T\n\n> ```mermaid\n> "+strings.ReplaceAll(s, "\n", "\n> ")+"```\n"), true)
	}
	a := mermaid.New()
	f.Fuzz(func(t *testing.T, src []byte, markdown bool) {
		file := "d.mmd"
		if markdown {
			file = "d.md"
		}
		ff := analyzertest.Extract(t, a, file, src)
		analyzertest.Inside(t, src, ff, ff.Elements)
		ids := map[string]bool{}
		for _, e := range ff.Elements {
			if ids[e.ID] {
				t.Errorf("duplicate element %s", e.ID)
			}
			ids[e.ID] = true
			if e.Head != e.Span {
				t.Errorf("%s: span %+v head %+v", e.ID, e.Span, e.Head)
			}
		}
		for _, e := range ff.Elements {
			if e.Kind == model.Flow && (!ids[e.From] || !ids[e.To]) {
				t.Errorf("%s: an endpoint is no element of the file", e.ID)
			}
		}
	})
}

// What a diagram does not say stays unknown: no attribute is guessed for an edge without a
// label or a node without a hint, and a node outside every subgraph has no zone.
func TestUnsaidIsAbsent(t *testing.T) {
	ff := analyzertest.Extract(t, mermaid.New(), "d.mmd", []byte("flowchart LR\n  a[Orders] --> b[Billing]\n  subgraph z [Zone]\n  end\n"))
	for _, e := range ff.Elements {
		if e.Attrs.Len() != 0 {
			t.Errorf("%s has attributes %v", e.ID, e.Attrs)
		}
	}
}
