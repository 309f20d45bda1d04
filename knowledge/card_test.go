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

// TestEntryCard checks that the card of an entry point (a route in code) names the component
// it belongs to — through the member its code gave, once fused — and shows that component's
// zone and flows: what a hover on a route shows.
func TestEntryCard(t *testing.T) {
	lib := graphLib(t)
	els := graphFixture(false, nil)
	code := &model.Element{ID: "go:web", Kind: model.Component, Name: "web", Head: sp(7), Span: sp(7)}
	route := &model.Element{ID: "go:web/entry/GET /", Kind: model.Entry, Type: "route", Name: "web GET /", Head: sp(8), Span: sp(8), Parent: "go:web"}
	route.Set("authenticated", false, sp(8))
	zone := &model.Element{ID: "c:zone", Kind: model.Zone, Name: "front", Head: sp(6), Span: sp(6)}
	els[0].Set("zone", "c:zone", sp(1))
	els = append(els, zone, code, route)
	g := model.NewGraph(els)
	card := lib.Card(g, g.Element(route.ID), nil)
	for _, want := range []string{
		"### entry `web GET /`",
		"**Of:** component `web`",
		"**Zone:** `front`",
		"**Outbound flows (1)**",
		"**Controls missing:** `authenticated`",
	} {
		if !strings.Contains(card, want) {
			t.Errorf("card lacks %q:\n%s", want, card)
		}
	}
}
