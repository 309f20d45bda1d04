package yamlnode

import (
	"fmt"
	"math/rand"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// stream returns a YAML stream of n documents of several shapes: anchors and aliases, block
// scalars, flow collections, comments, an empty document.
func stream(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString("---\n")
		}
		switch r.Intn(5) {
		case 0:
			fmt.Fprintf(&b, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%d  # the config\ndata:\n  script: |\n    echo %d\n    exit 0\n  flags: \"a,b\"\n", i, i)
		case 1:
			fmt.Fprintf(&b, "base: &b {app: a%d, tier: web}\nitems:\n  - *b\n  - <<: *b\n    extra: [1, 2, 'x']\n", i)
		case 2:
			fmt.Fprintf(&b, "# only a comment %d\n", i)
		case 3:
			fmt.Fprintf(&b, "kind: Deployment\nspec:\n  containers:\n    - name: app\n      image: reg/app:%d\n      env:\n        - name: URL\n          value: \"http://svc-%d:8080\"\n", i, i)
		default:
			fmt.Fprintf(&b, "list:\n- é%d\n- >\n  folded %d\n  text\n", i, i)
		}
	}
	return b.String()
}

// TestReparseIsParse holds Reparse to Parse after random edits of a stream — characters typed
// and deleted anywhere, lines and separators added and removed, documents broken and mended
// — each from the documents of the text before, as an editor's keystrokes come.
func TestReparseIsParse(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	const file = "k8s/all.yaml"
	text := stream(r, 40)
	prev, _ := Parse([]byte(text), file)
	pieces := []string{"x", "\n", "---\n", ": ", "  ", "[", "\"", "#", "- a\n", "&a ", "*a"}
	for step := range 3000 {
		at := r.Intn(len(text) + 1)
		switch r.Intn(3) {
		case 0:
			text = text[:at] + pieces[r.Intn(len(pieces))] + text[at:]
		case 1:
			end := min(len(text), at+1+r.Intn(8))
			text = text[:at] + text[end:]
		default:
			if step%50 == 0 {
				text = stream(r, 10+r.Intn(40)) // a file put back
			} else {
				text = text[:at] + "x" + text[at:]
			}
		}
		got, gotProbs := Reparse([]byte(text), file, prev)
		want, wantProbs := Parse([]byte(text), file)
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotProbs, wantProbs) {
			for i := range min(len(got), len(want)) {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Fatalf("step %d: document %d differs from Parse's\ntext:\n%s", step, i, text)
				}
			}
			t.Fatalf("step %d: %d documents, %d problems; Parse: %d, %d", step, len(got), len(gotProbs), len(want), len(wantProbs))
		}
		prev = got
	}
}

// TestReparseDecodesTheEditedDocument holds the point of Reparse: a keystroke decodes the
// document it is in, not the stream; the documents before it keep their very trees.
func TestReparseDecodesTheEditedDocument(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	const file = "k8s/all.yaml"
	text := stream(r, 200)
	prev, _ := Parse([]byte(text), file)
	at := strings.Index(text[len(text)/2:], "---\n") + len(text)/2 + len("---\n") + 1
	edited := text[:at] + "x" + text[at:]
	before := decodes.Load()
	docs, _ := Reparse([]byte(edited), file, prev)
	if n := decodes.Load() - before; n != 1 {
		t.Errorf("a keystroke decoded %d documents, want 1", n)
	}
	kept := 0
	for i, d := range docs {
		if d.Span.End.Offset < int32(at) && d.Root != nil {
			if d.Root != prev[i].Root {
				t.Fatalf("document %d, before the edit, was not taken over", i)
			}
			kept++
		}
	}
	if kept == 0 {
		t.Fatal("no document before the edit")
	}
}

// TestSeparatorsAreTheExpression holds the separator scanner to the regular expression it
// replaces, on lines made of the characters that matter.
func TestSeparatorsAreTheExpression(t *testing.T) {
	re := regexp.MustCompile(`(?m)^(---|\.\.\.)([ \t].*)?\r?$`)
	r := rand.New(rand.NewSource(5))
	parts := []string{"-", "---", "...", ".", " ", "\t", "\r", "\n", "a", "# c", "--- x", "\r\n"}
	for range 20000 {
		var b strings.Builder
		for range r.Intn(12) {
			b.WriteString(parts[r.Intn(len(parts))])
		}
		src := []byte(b.String())
		var want [][2]int
		for _, m := range re.FindAllIndex(src, -1) {
			want = append(want, [2]int{m[0], m[1]})
		}
		if got := separators(src); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: separators %v, the expression %v", src, got, want)
		}
	}
}

// FuzzReparse holds Reparse to Parse on any text and any edit of it: bytes that are not
// UTF-8, NUL bytes, alias bombs and broken documents included.
func FuzzReparse(f *testing.F) {
	f.Add("a: 1\n---\nb: &x [*x]\n---\nc: \"d\"\n", 3, 0, "x")
	f.Add("k: |\n  a\n  b\n---\n# c\n...\nz: 1\n", 10, 2, "---\n")
	f.Add("a: &a [1,2]\nb: [*a,*a,*a]\n---\n\xff: 1\n", 0, 0, "\x00")
	f.Fuzz(func(t *testing.T, text string, at, del int, ins string) {
		if len(text) > 4<<10 || len(ins) > 64 {
			return
		}
		prev, _ := Parse([]byte(text), "f.yaml")
		at = min(max(at, 0), len(text))
		end := min(at+max(del, 0)%16, len(text))
		edited := []byte(text[:at] + ins + text[end:])
		got, gotProbs := Reparse(edited, "f.yaml", prev)
		want, wantProbs := Parse(edited, "f.yaml")
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotProbs, wantProbs) {
			t.Fatalf("Reparse differs from Parse of %q", edited)
		}
	})
}
