package kubernetes

import (
	"bytes"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// TestReextractIsExtract holds Reextract to Extract: every manifest of the testdata (broken
// ones, templates, kustomizations, lists included), and all of them as one stream, edited
// at random — characters typed and deleted, lines and separators added — each edit read
// from the facts of the text before.
func TestReextractIsExtract(t *testing.T) {
	texts, all := testdataManifests(t)
	texts = append(texts, all)
	a := New().(*Analyzer)
	r := rand.New(rand.NewSource(11))
	pieces := []string{"x", "\n", "---\n", ": ", "  ", "{{ .Values.x }}", "\"", "# threatls:ignore K8S-001 reason\n", "- a\n", "kind: Service\n"}
	edits := 0
	for i, text := range texts {
		const file = "k8s/app.yaml"
		prev := analyzertest.Extract(t, a, file, text)
		for step := range 60 {
			at := r.Intn(len(text) + 1)
			if r.Intn(2) == 0 {
				text = append(text[:at:at], append([]byte(pieces[r.Intn(len(pieces))]), text[at:]...)...)
			} else {
				end := min(len(text), at+1+r.Intn(6))
				text = append(text[:at:at], text[end:]...)
			}
			got, want := readBoth(t, a, file, text, prev)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("text %d, edit %d: Reextract differs from Extract\n%s", i, step, text)
			}
			prev = got
			edits++
		}
	}
	t.Logf("%d edits of %d texts", edits, len(texts))
}

// readBoth returns text, the text of file after an edit, read by Reextract from prev, the
// facts of the text before, and by Extract alone.
func readBoth(t *testing.T, a *Analyzer, file string, text []byte, prev *model.FileFacts) (got, want *model.FileFacts) {
	t.Helper()
	tr, err := parse.Parse(t.Context(), a.Lang(), text)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	return a.Reextract(tr, file, prev), a.Extract(tr, file)
}

// testdataManifests returns the text of every manifest of the testdata, and all of them as
// one stream.
func testdataManifests(t *testing.T) ([][]byte, []byte) {
	var texts [][]byte
	var all bytes.Buffer
	err := filepath.WalkDir("testdata/src", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") && !strings.HasSuffix(p, ".yml") {
			return err
		}
		b, err := os.ReadFile(p)
		texts = append(texts, b)
		all.WriteString("---\n")
		all.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return texts, all.Bytes()
}

// TestReextractTakesDocumentsOver holds the point of Reextract: the objects of the documents
// before an edit keep their decoded trees.
func TestReextractTakesDocumentsOver(t *testing.T) {
	var b strings.Builder
	for i := range 50 {
		b.WriteString("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c" + string(rune('a'+i%26)) + strings.Repeat("x", i) + "\ndata:\n  k: v\n")
	}
	text := []byte(b.String())
	a := New().(*Analyzer)
	const file = "k8s/all.yaml"
	prev := analyzertest.Extract(t, a, file, text)
	at := bytes.LastIndex(text, []byte("k: v"))
	text = append(text[:at:at], append([]byte("x"), text[at:]...)...)
	tr, err := parse.Parse(t.Context(), a.Lang(), text)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	got := a.Reextract(tr, file, prev)
	was, now := prev.Raw.(*raw).objects, got.Raw.(*raw).objects
	if len(was) != 50 || len(now) != 50 {
		t.Fatalf("%d objects, then %d", len(was), len(now))
	}
	for i := range 49 {
		if was[i].root != now[i].root {
			t.Fatalf("object %d, before the edit, was decoded again", i)
		}
	}
	if was[49].root == now[49].root {
		t.Fatal("the edited object kept its old tree")
	}
}

// TestLinkOfOneFileIsItsBuild: a namespace whose objects are all one file's is linked as the
// file's Extract built it (not built a second time), and that is what a build of its objects
// makes — through random edits of a stream of every testdata manifest, each read by
// Reextract, as an editor's keystrokes in a large manifest are.
func TestLinkOfOneFileIsItsBuild(t *testing.T) {
	text := linkedStream(30)
	a := New().(*Analyzer)
	r := rand.New(rand.NewSource(13))
	const file = "k8s/all.yaml"
	ff := analyzertest.Extract(t, a, file, text)
	last := map[string]*model.Element{}
	kept := 0
	for step := range 80 {
		got := a.Link([]*model.FileFacts{ff})
		// An element several files share (the namespace, the internet, external actors) is
		// made anew by each Extract: it keeps the last Link's pointer while it is equal.
		own := map[*model.Element]bool{}
		for _, e := range ff.Elements {
			own[e] = true
		}
		for _, e := range got {
			if l := last[e.ID]; !own[e] && l != nil && model.Equal(l, e) {
				if l != e {
					t.Fatalf("edit %d: shared element %s is equal to the last Link's but not that element", step, e.ID)
				}
				kept++
			}
		}
		clear(last)
		for _, e := range got {
			last[e.ID] = e
		}
		want := map[string]*model.Element{}
		pt := newPartition([]*model.FileFacts{ff})
		for _, g := range pt.groups {
			b := newBuilder(g.objs)
			b.build()
			for _, e := range b.out {
				want[e.ID] = e
			}
		}
		if len(got) != len(want) {
			t.Fatalf("edit %d: Link made %d elements, a build of the objects %d", step, len(got), len(want))
		}
		for _, e := range got {
			if !model.Equal(e, want[e.ID]) {
				t.Fatalf("edit %d: Link's %s differs from a build's", step, e.ID)
			}
		}
		at := r.Intn(len(text) + 1)
		text = append(text[:at:at], append([]byte("x"), text[at:]...)...)
		tr, err := parse.Parse(t.Context(), a.Lang(), text)
		if err != nil {
			t.Fatal(err)
		}
		ff = a.Reextract(tr, file, ff)
		tr.Close()
	}
	if a.alone == 0 {
		t.Error("no namespace was linked from its file's Extract")
	}
	if kept == 0 {
		t.Error("no shared element was kept from one Link to the next")
	}
	t.Logf("%d parts linked from their file's Extract", a.alone)
}
