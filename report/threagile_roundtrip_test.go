package report

import (
	"context"
	"reflect"
	"testing"

	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/analyzers/threagile"
	"github.com/threatls/threatls/model"
)

// TestThreagileRoundTrip: what Threagile exports, the Threagile reader reads back as the same
// system — the same components, stores and actors (by name), flows (by the names of their
// ends) and zones (by name, with the same nesting), without a problem. The internet's zone
// is not a trust boundary, and flows into zones have no Threagile counterpart: both are left
// out of the comparison.
func TestThreagileRoundTrip(t *testing.T) {
	g := shopGraph()
	out := renderModel(t, g, "threagile")
	tree, err := parse.Parse(context.Background(), parse.Plain, out)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	a := threagile.New()
	facts := a.Extract(tree, "shop.threagile.yaml")
	for _, p := range facts.Problems {
		t.Errorf("reading the export back: %s: %s", p.Span, p.Message)
	}
	back := a.Link([]*model.FileFacts{facts})

	skipInternet := func(e *model.Element) bool { return e.ID == model.InternetZone }
	want := describeSystem(g.Elements(), skipInternet, false, false)
	got := describeSystem(back, skipInternet, false, false)
	if len(want.nodes) != 9 || len(want.flows) != 7 || len(want.zones) != 4 {
		t.Fatalf("the shop changed: %+v", want)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back:\n got %+v\nwant %+v", got, want)
	}
}
