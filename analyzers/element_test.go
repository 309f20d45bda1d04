package analyzers

import (
	"reflect"
	"testing"

	"github.com/threatls/threatls/model"
)

func TestCycle(t *testing.T) {
	parents := map[string]string{"a": "b", "b": "c", "c": "a", "self": "self", "d": "a", "e": "f"}
	parent := func(id string) string { return parents[id] }
	for id, want := range map[string][]string{
		"a":    {"a", "b", "c", "a"},
		"self": {"self", "self"},
		"d":    nil, // leads into a cycle it is not part of
		"e":    nil, // ends at f, a root
	} {
		if got := Cycle(id, parent, len(parents)); !reflect.DeepEqual(got, want) {
			t.Errorf("Cycle(%s) = %v, want %v", id, got, want)
		}
	}
}

func TestNameAliases(t *testing.T) {
	got := NameAliases("web-api", "Web API", "", "db")
	if want := []string{"name:webapi", "name:db"}; !reflect.DeepEqual(got, want) {
		t.Errorf("NameAliases = %v, want %v", got, want)
	}
}

func TestFileElements(t *testing.T) {
	a, b := &model.Element{ID: "f:a"}, &model.Element{ID: "f:b"}
	files := []*model.FileFacts{
		{File: "1", Format: "f", Elements: []*model.Element{a}},
		nil,
		{File: "2", Format: "g", Elements: []*model.Element{{ID: "g:x"}}},
		{File: "3", Format: "f", Elements: []*model.Element{b}},
	}
	if got := FileElements(files, "f"); len(got) != 2 || got[0] != a || got[1] != b {
		t.Errorf("FileElements = %v, want a and b themselves", got)
	}
}

func TestDeclare(t *testing.T) {
	e := &model.Element{ID: "f:a"}
	at := model.Span{File: "f", End: model.Pos{Offset: 3}}
	e.SetNote("tls", true, at, "port 443")
	Declare(e, "owner", "team", at, "")
	if a := e.Attrs.At("tls"); a != (model.Attr{Value: true, Origin: model.Read, Span: at, Note: "port 443"}) {
		t.Errorf("tls = %+v", a)
	}
	if a := e.Attrs.At("owner"); a.Origin != model.Declared || a.Value != "team" {
		t.Errorf("owner = %+v", a)
	}
}
