package report

import (
	"context"
	"reflect"
	"testing"

	"github.com/threatls/threatls/analyzers/otm"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// TestOTMRoundTrip: what OTM exports, the OTM reader reads back as the same system — the same
// components, stores and actors (by name), flows (by the names of their ends, zones
// included), zones (by name, nesting and trust; a zone of unknown trust is rated internal)
// and the classification of every store — without a problem. The zone OTM needs for the
// components in no zone is left out of the comparison.
func TestOTMRoundTrip(t *testing.T) {
	g := shopGraph()
	out := renderModel(t, g, "otm")
	tree, err := parse.Parse(context.Background(), parse.Plain, out)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	a := otm.New()
	facts := a.Extract(tree, "shop.otm.json")
	for _, p := range facts.Problems {
		t.Errorf("reading the export back: %s: %s", p.Span, p.Message)
	}
	back := a.Link([]*model.FileFacts{facts})

	want := describeSystem(g.Elements(), func(*model.Element) bool { return false }, true, true)
	for i, z := range want.zones {
		if z == "aws_security_group.web in aws_vpc.main ()" {
			want.zones[i] = "aws_security_group.web in aws_vpc.main (internal)"
		}
	}
	got := describeSystem(back, func(e *model.Element) bool { return e.Name == "no zone" }, true, true)
	if len(want.nodes) != 9 || len(want.flows) != 8 || len(want.zones) != 5 {
		t.Fatalf("the shop changed: %+v", want)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back:\n got %+v\nwant %+v", got, want)
	}
	classes := func(els []*model.Element) map[string]string {
		out := map[string]string{}
		for _, e := range els {
			if e.Kind == model.Store {
				out[e.Name] = strAttr(e, "classification")
			}
		}
		return out
	}
	if got, want := classes(back), classes(g.Elements()); !reflect.DeepEqual(got, want) {
		t.Errorf("classifications read back %v, want %v", got, want)
	}
}
