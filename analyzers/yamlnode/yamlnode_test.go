package yamlnode

import (
	"strings"
	"testing"

	"github.com/threatls/threatls/model"
)

func TestSpansAndValues(t *testing.T) {
	src := "# leading\napiVersion: v1\nkind: Service\nmetadata:\n  name: \"web\"  # the front\n  labels: {app: wéb, tier: front}\nspec:\n  ports:\n    - port: 443\n      name: https\n"
	docs, probs := Parse([]byte(src), "k8s/web.yaml")
	if len(probs) != 0 || len(docs) != 1 {
		t.Fatalf("docs %d problems %v", len(docs), probs)
	}
	root := docs[0].Root
	name := root.Path("metadata", "name")
	if name.String() != "web" || name.Comment != "the front" {
		t.Fatalf("name = %q comment %q", name.String(), name.Comment)
	}
	if got := src[name.Span.Start.Offset:name.Span.End.Offset]; got != `"web"` {
		t.Fatalf("name span covers %q", got)
	}
	if name.Span.Start.Line != 4 || name.Span.Start.Col != 8 {
		t.Fatalf("name starts at %d:%d", name.Span.Start.Line, name.Span.Start.Col)
	}
	tier := root.Path("metadata", "labels", "tier")
	if got := src[tier.Span.Start.Offset:tier.Span.End.Offset]; got != "front" {
		t.Fatalf("a value after a non-ASCII one spans %q (columns must become bytes)", got)
	}
	port := root.Path("spec", "ports").Items[0].Get("port")
	if v, ok := port.Int(); !ok || v != 443 {
		t.Fatalf("port = %v %v", v, ok)
	}
	if got := src[port.Span.Start.Offset:port.Span.End.Offset]; got != "443" {
		t.Fatalf("port span covers %q", got)
	}
}

// A syntax error costs its document only, and is reported on its line.
func TestMultiDocumentWithError(t *testing.T) {
	src := "kind: A\n---\nkind: B\n  bad: [\n---\nkind: C\n"
	docs, probs := Parse([]byte(src), "m.yaml")
	if len(docs) != 3 {
		t.Fatalf("want 3 documents, got %d", len(docs))
	}
	if docs[0].Root.Get("kind").String() != "A" || docs[2].Root.Get("kind").String() != "C" {
		t.Fatal("documents around the broken one must be read")
	}
	if docs[1].Root != nil || len(probs) != 1 {
		t.Fatalf("broken document: root %v problems %v", docs[1].Root, probs)
	}
	if l := probs[0].Span.Start.Line; l < 2 || l > 3 {
		t.Fatalf("problem on line %d, want the broken document's lines (2-3): %s", l, probs[0].Message)
	}
	if !strings.Contains(probs[0].Message, "YAML does not parse") {
		t.Fatal(probs[0].Message)
	}
}

func TestMergeKeys(t *testing.T) {
	src := "x-base: &base\n  image: app\n  restart: always\nservices:\n  web:\n    <<: *base\n    restart: never\n"
	docs, _ := Parse([]byte(src), "compose.yaml")
	web := docs[0].Root.Path("services", "web")
	if web.Get("image").String() != "app" || web.Get("restart").String() != "never" {
		t.Fatalf("merge: image %q restart %q", web.Get("image").String(), web.Get("restart").String())
	}
	// The merged value's span is where it is written: in the anchored map.
	if web.Get("image").Span.Start.Line != 1 {
		t.Fatal("a merged value keeps its own span")
	}
}

// An alias bomb stays as small as its text and every walk ends.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a: &a [x, x, x, x, x, x, x, x, x, x]\n")
	prev := "a"
	for i := 0; i < 30; i++ {
		name := string(rune('b'+i%24)) + strings.Repeat("z", i/24+1)
		b.WriteString(name + ": &" + name + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*" + prev)
		}
		b.WriteString("]\n")
		prev = name
	}
	docs, probs := Parse([]byte(b.String()), "bomb.yaml")
	if len(docs) != 1 {
		t.Fatalf("docs %d problems %v", len(docs), probs)
	}
	n := 0
	docs[0].Root.Walk(func(*Node) bool { n++; return true })
	if n != MaxNodes {
		t.Fatalf("walk visited %d nodes, want the bound %d", n, MaxNodes)
	}
}

func TestBadInput(t *testing.T) {
	for _, src := range []string{"\xff\xfe: bad\n", "", "---\n---\n", "a: *undefined\n", "{[", strings.Repeat("[", 5000)} {
		docs, probs := Parse([]byte(src), "x.yaml")
		for _, d := range docs {
			d.Root.Walk(func(*Node) bool { return true })
		}
		_ = probs
	}
	// The byte is read as a space (clean.go), which leaves " : x": both are reported.
	_, probs := Parse([]byte("ok: 1\n---\n\xff: x\n"), "x.yaml")
	if len(probs) != 2 || probs[1].Span.Start.Line != 2 || !strings.HasPrefix(probs[1].Message, "a byte that is not UTF-8 (0xFF)") {
		t.Fatalf("invalid UTF-8: %v", probs)
	}
}

// Problems sit on the line that is wrong, whichever part of the decoder found it.
func TestProblemLines(t *testing.T) {
	for _, tc := range []struct {
		src  string
		line int // zero-based
	}{
		{"a: 1\nb: [x\nc: 2\n", 1},
		{"a: 1\nb: 2\n  c: 3\n", 2},
		{"a: 1\n\tb: 2\n", 1},
	} {
		_, probs := Parse([]byte(tc.src), "x.yaml")
		if len(probs) != 1 || int(probs[0].Span.Start.Line) != tc.line {
			t.Errorf("%q: problems %+v, want one on line %d", tc.src, probs, tc.line+1)
		}
	}
}

// Salvage keeps what parses around a broken definition.
func TestSalvage(t *testing.T) {
	src := []byte("assets:\n  web:\n    type: process\n  api:\n    type: [broken\n  db:\n    type: datastore\n")
	docs, probs := Parse(src, "m.yaml")
	if len(probs) != 1 || docs[0].Root != nil {
		t.Fatalf("the document must fail first: %v", probs)
	}
	docs, _ = Salvage(src, "m.yaml", docs, probs)
	assets := docs[0].Root.Get("assets")
	if assets.Path("web", "type").String() != "process" || assets.Path("db", "type").String() != "datastore" {
		t.Fatalf("salvaged: %+v", assets)
	}
	if got := assets.Path("db", "type").Span.Start.Line; got != 6 {
		t.Errorf("a salvaged node keeps its line: %d", got)
	}
}

// Pair finds what the map's entries hold: a written key over a merged one, the first of a
// key written twice, a merged key through nested merges, a literal "<<" that is no merge.
func TestPairIsEntries(t *testing.T) {
	src := `a: &a {x: 1, y: 2}
b: &b {<<: *a, z: 3}
c:
  <<: [*b, {w: 4}]
  y: 20
  y: 21
  "<<": literal
d: {p: 1, p: 2}
`
	docs, _ := Parse([]byte(src), "x.yaml")
	for _, m := range []string{"a", "b", "c", "d"} {
		n := docs[0].Root.Get(m)
		want := map[string]*Node{}
		for _, p := range n.Entries() {
			if _, ok := want[p.Key.Value]; !ok {
				want[p.Key.Value] = p.Value
			}
		}
		for _, k := range []string{"x", "y", "z", "w", "p", "<<", "none"} {
			if got := n.Get(k); got != want[k] {
				t.Errorf("%s.Get(%q) = %v, the entries hold %v", m, k, got, want[k])
			}
		}
	}
	if got := docs[0].Root.Path("c", "y").String(); got != "20" {
		t.Errorf("c.y = %q, want the first written value 20", got)
	}
	if got := docs[0].Root.Path("c", "x").String(); got != "1" {
		t.Errorf("c.x = %q, want 1 through two merges", got)
	}
}

// A quoted value with an anchor spans its line, not the file up to the next character like
// its anchor's (its span ran into the documents after it).
func TestAnchoredQuotedSpan(t *testing.T) {
	src := "a:\n  flags: &f \"a,b\"\n  next: 1\n---\nb: &g 'x'\nc: &h y\n"
	docs, probs := Parse([]byte(src), "f.yaml")
	if len(probs) != 0 || len(docs) != 2 {
		t.Fatalf("docs %d problems %v", len(docs), probs)
	}
	flags := docs[0].Root.Path("a", "flags")
	if got := src[flags.Span.Start.Offset:flags.Span.End.Offset]; got != `&f "a,b"` {
		t.Errorf("an anchored double-quoted value spans %q", got)
	}
	if end := docs[0].Root.Span.End.Offset; int(end) > strings.Index(src, "---") {
		t.Errorf("the first document's root ends at %d, in the second document", end)
	}
	b := docs[1].Root.Get("b")
	if got := src[b.Span.Start.Offset:b.Span.End.Offset]; got != `&g 'x'` {
		t.Errorf("an anchored single-quoted value spans %q", got)
	}
}

// DocumentAt finds the lines of the document that holds an offset: between the markers around
// it, the stream's ends standing for markers; a marker followed by a comment or a value is one,
// and --- inside a line or indented is not.
func TestDocumentAt(t *testing.T) {
	src := "a: 1\n---\nb: 2\nc: |\n  --- not a marker\nd: x---\n--- # the third\ne: 3\n...\nf: 4"
	for _, c := range []struct {
		at   string
		want string
	}{
		{"a: 1", "a: 1\n"},
		{"b: 2", "b: 2\nc: |\n  --- not a marker\nd: x---\n"},
		{"d: x", "b: 2\nc: |\n  --- not a marker\nd: x---\n"},
		{"e: 3", "e: 3\n"},
		{"f: 4", "f: 4"},
	} {
		off := strings.Index(src, c.at)
		lo, hi := DocumentAt([]byte(src), off+1)
		if got := src[lo:hi]; got != c.want {
			t.Errorf("the document at %q is %q, want %q", c.at, got, c.want)
		}
	}
}

// When the decoder names the start of the mapping that holds the fault, a line that parses,
// Salvage blanks the first line the document stops parsing at instead: junk after a
// workflow's last job blanked its top-level entries one by one, and nothing was left. A flow
// document (JSON), no prefix of which parses, is not searched.
func TestSalvageFindsTheLineThatBreaks(t *testing.T) {
	src := []byte("# a workflow\nname: PR\non:\n  push: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n]\n")
	docs, probs := Parse(src, "w.yml")
	if len(probs) != 1 || !docs[0].Failed() {
		t.Fatalf("the document must fail first: %v", probs)
	}
	docs, probs = Salvage(src, "w.yml", docs, probs)
	root := docs[0].Root
	if root.Get("name").String() != "PR" || root.Path("jobs", "build", "runs-on").String() != "ubuntu-latest" || root.Get("on") == nil {
		t.Fatalf("salvaged: %+v", root)
	}
	if !strings.Contains(probs[0].Message, "read as far as it is intact") {
		t.Errorf("the problem must say the document was read in part: %v", probs)
	}
	n := decodes.Load()
	json := []byte("{\n  \"a\": 1,\n  \"b\": [\n}\n")
	docs, probs = Parse(json, "t.json")
	Salvage(json, "t.json", docs, probs)
	if got := decodes.Load() - n; got > 1+maxSalvage {
		t.Errorf("a flow document was searched: %d decodes", got)
	}
}

// Retag copies a tree with its spans naming another file, leaving the tree it copies as it
// was (trees are shared by the facts of several versions of a file), and keeps what an
// alias shares shared.
func TestRetagCopies(t *testing.T) {
	src := "base: &b {image: nginx, port: 80}\nweb: *b\nname: web\n"
	docs, probs := Parse([]byte(src), "k8s/web.yaml")
	if len(probs) != 0 || len(docs) != 1 {
		t.Fatalf("docs %d problems %v", len(docs), probs)
	}
	root := docs[0].Root
	tagged := Retag(root, "k8s/web.yaml\x001")
	var walk func(n *Node, file string)
	nodes := 0
	walk = func(n *Node, file string) {
		if n == nil {
			return
		}
		nodes++
		if n.Span.File != file {
			t.Fatalf("%q names %q, want %q", n.Value, n.Span.File, file)
		}
		for _, p := range n.Pairs {
			walk(p.Key, file)
			walk(p.Value, file)
		}
		for _, it := range n.Items {
			walk(it, file)
		}
	}
	walk(tagged, "k8s/web.yaml\x001")
	walk(root, "k8s/web.yaml")
	if nodes < 10 {
		t.Fatalf("walked %d nodes", nodes)
	}
	if tagged == root || tagged.Get("base") == root.Get("base") {
		t.Fatal("Retag returned nodes of the tree it copies")
	}
	if tagged.Get("base") != tagged.Get("web") {
		t.Fatal("the alias's node is no longer the anchor's in the copy")
	}
	if n := tagged.Path("web", "port"); n.String() != "80" || n.Span != (model.Span{File: "k8s/web.yaml\x001", Start: root.Path("base", "port").Span.Start, End: root.Path("base", "port").Span.End}) {
		t.Fatalf("port %q at %v", n.String(), n.Span)
	}
}
