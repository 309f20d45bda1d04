package knowledge

import (
	"strings"
	"testing"

	"github.com/threatls/threatls/model"
)

func TestCard(t *testing.T) {
	lib := graphLib(t)
	pii := &model.Attr{Value: "pii", Origin: model.Read, Span: sp(2), Note: "declared in threatls.yaml"}
	els := graphFixture(false, pii)
	zone := &model.Element{ID: "c:zone", Kind: model.Zone, Name: "backend", Head: sp(6), Span: sp(6)}
	zone.Set("trust", "internal", sp(6))
	els[1].Set("zone", "c:zone", sp(2))
	els[1].Set("backup", false, sp(2))
	els = append(els, zone)
	g := model.NewGraph(els)
	db := g.Element("c:db")
	fs := lib.Evaluate(g, nil)
	card := lib.Card(g, db, fs)
	for _, want := range []string{
		"### store `db`",
		"**Zone:** `backend` (trust internal)",
		"**Reachable from the internet**",
		"**Inbound flows (1)**",
		"`web` (plaintext)",
		"**Data:** classified `pii`",
		"**Controls missing:** `backup`",
		"TEST-GRAPH-001",
		"**Residual risk:** " + ResidualText(model.ResidualOf(fs)),
		"`classification` = `\"pii\"` — read at `x:3:1`: declared in threatls.yaml",
	} {
		if !strings.Contains(card, want) {
			t.Errorf("card lacks %q:\n%s", want, card)
		}
	}
}
