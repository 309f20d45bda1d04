package knowledge

import (
	"testing"
	"testing/fstest"

	"github.com/threatls/threatls/model"
)

const graphThreat = `
- id: TEST-GRAPH-001
  title: Store reachable from the internet over a plaintext flow
  stride: [InformationDisclosure]
  likelihood: high
  impact: high
  applies_to: {kinds: [store]}
  condition: >-
    reachable_from_internet(e) && inbound(e).exists(f, !f.attrs.tls && f.from.kind == "component")
    && e.attrs.classification in ["pii", "pci"]
  message: '{{.Name}} is reachable'
  mitigations: [{title: Encrypt}]
  docs: {why: because, fix: this}
`

func graphLib(t *testing.T) *Library {
	lib, errs := Load(fstest.MapFS{"threats/g.yaml": {Data: []byte(graphThreat)}}, "threats")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return lib
}

func sp(line int) model.Span {
	return model.Span{File: "x", Start: model.At(line*10, line, 0), End: model.At(line*10+5, line, 0)}
}

func graphFixture(tls bool, class *model.Attr) []*model.Element {
	web := &model.Element{ID: "c:web", Kind: model.Component, Name: "web", Head: sp(1), Span: sp(1)}
	db := &model.Element{ID: "c:db", Kind: model.Store, Name: "db", Head: sp(2), Span: sp(2), Attrs: model.Attrs{}}
	if class != nil {
		db.Attrs.Set("classification", *class)
	}
	in := &model.Element{ID: "c:in", Kind: model.Flow, From: model.Internet, To: "c:web", Head: sp(3), Span: sp(3)}
	fl := &model.Element{ID: "c:fl", Kind: model.Flow, Name: "web → db", From: "c:web", To: "c:db", Head: sp(4), Span: sp(4)}
	fl.Set("tls", tls, sp(4))
	internet := &model.Element{ID: model.Internet, Kind: model.Actor, Type: "internet", Name: "internet", Head: sp(5), Span: sp(5)}
	return []*model.Element{web, db, in, fl, internet}
}

func TestGraphFunctions(t *testing.T) {
	lib := graphLib(t)
	pii := &model.Attr{Value: "pii", Origin: model.Read, Span: sp(2)}
	g := model.NewGraph(graphFixture(false, pii))
	fs := lib.Evaluate(g, nil)
	if len(fs) != 1 || fs[0].Element != "c:db" || fs[0].Confidence != model.Certain {
		t.Fatalf("findings = %+v", fs)
	}
	// The flow and its origin are named as related locations of a graph finding.
	if len(fs[0].Related) == 0 {
		t.Error("a model-level finding lists the elements it rests on")
	}
	if fs := lib.Evaluate(model.NewGraph(graphFixture(true, pii)), nil); len(fs) != 0 {
		t.Errorf("an encrypted flow: %+v", fs)
	}
	// An unknown classification makes the finding tentative, graph functions notwithstanding.
	unknown := &model.Attr{Origin: model.Unknown, Span: sp(2)}
	fs = lib.Evaluate(model.NewGraph(graphFixture(false, unknown)), nil)
	if len(fs) != 1 || fs[0].Confidence != model.Tentative {
		t.Errorf("unknown classification: %+v", fs)
	}
}

// An evaluation records the parts of the graph it read, and an update that changes one of
// them reports it: an element's findings are redone when a neighbour changes, not otherwise.
func TestElementDeps(t *testing.T) {
	lib := graphLib(t)
	pii := &model.Attr{Value: "pii", Origin: model.Read, Span: sp(2)}
	els := graphFixture(false, pii)
	var b model.Builder
	g1, _ := b.Update(nil, els)
	_, deps := lib.Evaluator(g1).ElementDeps(g1.Element("c:db"))
	read := map[model.Dep]bool{}
	for _, d := range deps {
		read[d] = true
	}
	if !read[model.Dep{Kind: model.DepInbound, ID: "c:db"}] {
		t.Fatalf("a store's graph rule reads its inbound flows; recorded %v", deps)
	}
	_, changes := b.Update(nil, nil)
	if len(changes) != 0 {
		t.Errorf("nothing changed, the update reports %v", changes)
	}
	flow := &model.Element{ID: "c:fl", Kind: model.Flow, From: "c:web", To: "c:db", Head: sp(4), Span: sp(4)}
	_, changes = b.Update([]*model.Element{els[3]}, []*model.Element{flow})
	hit := false
	for _, c := range changes {
		hit = hit || read[c]
	}
	if !hit {
		t.Errorf("the inbound flow changed; the update reports %v, none of which the store's findings read (%v)", changes, deps)
	}
	if _, deps := lib.Evaluator(g1).ElementDeps(g1.Element("c:web")); len(deps) != 0 {
		t.Errorf("no graph rule applies to components here, yet they read %v", deps)
	}
}

// has(e.attrs.X) is an answer when X is absent, and a graph function called on e is known
// even while one of e's attributes is not: the finding is certain.
func TestHasAndGraphCallsAreCertain(t *testing.T) {
	const entry = `
- id: TEST-GRAPH-002
  title: Store without a declared backup that a flow reaches
  stride: [DenialOfService]
  likelihood: low
  impact: low
  applies_to: {kinds: [store]}
  condition: '!has(e.attrs.backup) && inbound(e).size() > 0 && e.attrs.classification == "pii"'
  message: '{{.Name}}'
  mitigations: [{title: Back it up}]
  docs: {why: because, fix: this}
`
	lib, errs := Load(fstest.MapFS{"threats/g.yaml": {Data: []byte(entry)}}, "threats")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	pii := &model.Attr{Value: "pii", Origin: model.Read, Span: sp(2)}
	fs := lib.Evaluate(model.NewGraph(graphFixture(false, pii)), nil)
	if len(fs) != 1 || fs[0].Confidence != model.Certain {
		t.Fatalf("findings = %+v, want one certain", fs)
	}
	// The classification unknown: tentative, the graph call notwithstanding.
	fs = lib.Evaluate(model.NewGraph(graphFixture(false, &model.Attr{Origin: model.Unknown, Span: sp(2)})), nil)
	if len(fs) != 1 || fs[0].Confidence != model.Tentative {
		t.Fatalf("findings = %+v, want one tentative", fs)
	}
}
