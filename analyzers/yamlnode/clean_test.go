package yamlnode

import (
	"strings"
	"testing"
)

// One character YAML does not allow costs its document nothing: it is read as spaces, one per
// byte (so every later offset, line and column is where the text has it), and reported where
// it is. yaml.v3 refused the whole document for it: one NUL byte appended to a CloudFormation
// template hid all its threats.
func TestDisallowedCharactersAreReadAsSpaces(t *testing.T) {
	for _, tc := range []struct {
		char, says string
		size       int // of the character reported
	}{
		{"\x00", "a NUL byte", 1},
		{"\x07", "a control character (U+0007)", 1},
		{"\x7f", "a control character (U+007F)", 1},
		{"\xc2\x80", "a control character (U+0080)", 2},
		{"\xef\xbf\xbe", "a noncharacter (U+FFFE)", 3},
		{"\xff", "a byte that is not UTF-8 (0xFF)", 1},
		{"\xed\xa0\x80", "a byte that is not UTF-8 (0xED)", 1}, // a surrogate: three bytes, each not UTF-8
	} {
		src := "kind: Pod\nname: a" + tc.char + "b\nimage: nginx # " + tc.char + "\nport: 80\n"
		docs, probs := Parse([]byte(src), "x.yaml")
		if len(docs) != 1 || docs[0].Root == nil || docs[0].Failed() {
			t.Fatalf("%q: the document must parse, problems %v", tc.char, probs)
		}
		root := docs[0].Root
		if got, want := root.Get("name").String(), "a"+strings.Repeat(" ", len(tc.char))+"b"; got != want {
			t.Errorf("%q: name = %q, want %q", tc.char, got, want)
		}
		if got := root.Get("image").String(); got != "nginx" {
			t.Errorf("%q: image = %q", tc.char, got)
		}
		port := root.Get("port")
		if port.String() != "80" || int(port.Span.Start.Offset) != strings.Index(src, "80") || port.Span.Start.Line != 3 || port.Span.Start.Col != 6 {
			t.Errorf("%q: port %q at %+v: the characters after the replaced ones moved", tc.char, port.String(), port.Span.Start)
		}
		if len(probs) != 1 {
			t.Fatalf("%q: problems %v, want one", tc.char, probs)
		}
		p := probs[0]
		if p.Span.Start.Line != 1 || p.Span.Start.Col != 7 || int(p.Span.End.Offset-p.Span.Start.Offset) != tc.size {
			t.Errorf("%q: problem at %+v–%+v, want line 2 column 8, %d bytes", tc.char, p.Span.Start, p.Span.End, tc.size)
		}
		more := "as was 1 more such character"
		if tc.char == "\xed\xa0\x80" {
			more = "as were 5 more" // each of the three bytes, twice
		}
		if !strings.HasPrefix(p.Message, tc.says+", which YAML does not allow: read as a space") || !strings.Contains(p.Message, more) {
			t.Errorf("%q: %q does not say %q … %q", tc.char, p.Message, tc.says, more)
		}
	}
}

// What YAML allows is read as it is: tab, CR LF, a byte order mark, U+FFFD itself, and
// characters beyond the BMP (and NEL, which yaml.v3 folds into a space as YAML 1.1 did).
func TestAllowedCharactersAreKept(t *testing.T) {
	src := "a: \"x\ty\ufeff\ufffd😀\"\r\nb: \"\u0085\"\r\n"
	docs, probs := Parse([]byte(src), "x.yaml")
	if len(probs) != 0 || docs[0].Root.Get("a").String() != "x\ty\ufeff\ufffd😀" {
		t.Fatalf("problems %v, a = %q", probs, docs[0].Root.Get("a").String())
	}
}

// A document that holds a disallowed character and does not parse fails for the syntax
// error, not the character: Salvage keeps what is intact around the error, the character read
// as a space, and Recover reads it with tree-sitter likewise.
func TestDisallowedCharacterInABrokenDocument(t *testing.T) {
	src := []byte("assets:\n  web:\n    type: process\x00\n  api:\n    type: [broken\n  db:\n    type: datastore\n")
	docs, probs := Parse(src, "m.yaml")
	if len(probs) != 2 || !docs[0].Failed() || !strings.HasPrefix(probs[0].Message, "YAML does not parse") || !strings.HasPrefix(probs[1].Message, "a NUL byte") {
		t.Fatalf("want the syntax error first, then the NUL byte: %v", probs)
	}
	salvaged, sprobs := Salvage(src, "m.yaml", docs, probs)
	if !strings.Contains(sprobs[0].Message, "read as far as it is intact") {
		t.Errorf("Salvage must say the document was read in part: %v", sprobs)
	}
	assets := salvaged[0].Root.Get("assets")
	if assets.Path("web", "type").String() != "process" || assets.Path("db", "type").String() != "datastore" {
		t.Fatalf("salvaged: %+v", assets)
	}
	recovered, rprobs := Recover(src, "m.yaml", docs, probs)
	assets = recovered[0].Root.Get("assets")
	if assets.Path("web", "type").String() != "process" || assets.Path("db", "type").String() != "datastore" {
		t.Fatalf("recovered: %+v", assets)
	}
	if !strings.Contains(rprobs[0].Message, "read as far as it is intact") || !strings.HasPrefix(rprobs[1].Message, "a NUL byte") {
		t.Errorf("Recover must rewrite the syntax error's message, not the NUL byte's: %v", rprobs)
	}
}

// A document Reparse takes over from the text before an edit keeps the problem of its
// replaced characters, where the document now is.
func TestReparseKeepsWhatWasReadAsSpaces(t *testing.T) {
	before := []byte("a: 1\n---\nb: x\x00y\n")
	after := []byte("a: 12\n---\nb: x\x00y\n")
	docs, _ := Parse(before, "x.yaml")
	n := decodes.Load()
	redocs, probs := Reparse(after, "x.yaml", docs)
	if decodes.Load()-n != 1 {
		t.Fatalf("Reparse decoded %d documents, want the edited one", decodes.Load()-n)
	}
	fresh, want := Parse(after, "x.yaml")
	if len(probs) != 1 || probs[0] != want[0] || int(probs[0].Span.Start.Offset) != strings.IndexByte(string(after), 0) {
		t.Fatalf("Reparse problems %v, Parse's %v", probs, want)
	}
	if redocs[1].Root.Get("b").String() != fresh[1].Root.Get("b").String() {
		t.Errorf("b = %q, want %q", redocs[1].Root.Get("b").String(), fresh[1].Root.Get("b").String())
	}
}

// What follows a document's value is reported, not silently dropped: yaml.v3 reads one value
// and stops, so a stray bracket after a JSON template, or a second object, went unread and
// unsaid. The value itself is read; Reparse keeps the problem of a document it takes over.
func TestWhatFollowsTheValueIsReported(t *testing.T) {
	for _, src := range []string{"{\"a\": 1}\n]\n", "{\"a\": 1}\n{\"b\": 2}\n"} {
		docs, probs := Parse([]byte(src), "t.json")
		if len(docs) != 1 || docs[0].Root.Get("a").String() != "1" {
			t.Fatalf("%q: the value must be read: %+v", src, docs)
		}
		if len(probs) != 1 || probs[0].Span.Start.Line != 1 || !strings.HasSuffix(probs[0].Message, "what follows the document's value is not read") {
			t.Fatalf("%q: problems %v, want one on line 2", src, probs)
		}
		edited := "a: 1\n---\n" + src
		n := decodes.Load()
		_, reprobs := Reparse([]byte(edited), "t.json", docs)
		taken := decodes.Load()-n == 1
		_, want := Parse([]byte(edited), "t.json")
		if !taken || len(reprobs) != 1 || reprobs[0] != want[0] {
			t.Errorf("%q: Reparse problems %v, Parse's %v", src, reprobs, want)
		}
	}
	if _, probs := Parse([]byte("{\"a\": 1}\n# a comment\n\n"), "t.json"); len(probs) != 0 {
		t.Errorf("a comment after the value is no problem: %v", probs)
	}
}
