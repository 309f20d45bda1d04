package yamlnode

import (
	"strings"
	"testing"
)

func TestSuggest(t *testing.T) {
	known := Keys("name", "trustZones", "components", "dataflows", "id", "parent", "tags")
	for k, want := range map[string]string{
		"nme":        "name",       // one edit in a short key
		"trustzones": "trustZones", // one edit
		"componets":  "components", // one edit
		"dataflow":   "dataflows",
		"dataflws":   "dataflows",
		"tgs":        "tags",
		"ids":        "id",
		"parnet":     "parent", // two edits: a transposition
		"nmae":       "",       // two edits from name in a short key
		"compnts":    "",       // three edits
		"zzz":        "",
	} {
		if got := Suggest(k, known); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", k, got, want)
		}
	}
	// Of keys equally close, the first in byte order wins whatever the map's order.
	if got := Suggest("ab", Keys("xb", "ax", "ay")); got != "ax" {
		t.Errorf("Suggest among ties = %q, want ax", got)
	}
}

func TestReader(t *testing.T) {
	src := "name: api\nnme: x\nport: [1]\ntls: maybe\nok: true\nnull:\n"
	docs, _ := Parse([]byte(src), "f.yaml")
	m := docs[0].Root
	var r Reader
	r.CheckKeys(m, Keys("name", "port", "tls", "ok", "null"), "the service")
	if s, n := r.Str(m, "name", "the service"); s != "api" || n == nil {
		t.Errorf("Str(name) = %q %v", s, n)
	}
	if _, n := r.Str(m, "port", "the service"); n == nil {
		t.Error("Str(port) lost the node of a list")
	}
	if _, n := r.Str(m, "null", "the service"); n != nil {
		t.Error("Str of a null returned a node")
	}
	if b, n := r.Bool(m, "ok", "the service"); !b || n == nil {
		t.Errorf("Bool(ok) = %v %v", b, n)
	}
	if _, n := r.Bool(m, "tls", "the service"); n != nil {
		t.Error("Bool of maybe returned a node")
	}
	var got []string
	for _, p := range r.Problems {
		got = append(got, p.Span.String()+" "+p.Message)
	}
	want := []string{
		`f.yaml:2:1 unknown key "nme" in the service (did you mean "name"?)`,
		`f.yaml:3:7 port of the service must be a string`,
		`f.yaml:4:6 tls of the service must be true or false`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestUnique(t *testing.T) {
	src := "a: 1\nb: 2\na: 3\n"
	docs, _ := Parse([]byte(src), "f.yaml")
	pairs, problems := Unique(docs[0].Root)
	if len(pairs) != 2 || pairs[0].Value.Value != "1" || pairs[1].Key.Value != "b" {
		t.Errorf("pairs = %+v, want a: 1 and b: 2", pairs)
	}
	if len(problems) != 1 || problems[0].Span.Start.Line != 2 ||
		problems[0].Message != `key "a" is given twice: line 1 gives it first, this one is ignored` {
		t.Errorf("problems = %v", problems)
	}
}

func TestPairSpan(t *testing.T) {
	src := "base: &b one\nsvc: *b\nname: api # c\n"
	docs, _ := Parse([]byte(src), "f.yaml")
	for key, want := range map[string]string{
		"base": "base: &b one",
		"svc":  "svc", // the alias's value is written elsewhere
		"name": "name: api",
	} {
		p, _ := docs[0].Root.Pair(key)
		sp := p.Span()
		if got := src[sp.Start.Offset:sp.End.Offset]; got != want {
			t.Errorf("%s spans %q, want %q", key, got, want)
		}
	}
}
