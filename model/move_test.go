package model

import (
	"fmt"
	"testing"
)

// TestMovedNodeMovesWhatReadsWhereItIs: a keystroke above a workload moves it, and with it the
// place the code's flow quotes as where its variable is set — a flow of another file, which
// did not move. The builder puts the moved workload in its last one's place; what quotes it
// is made again.
func TestMovedNodeMovesWhatReadsWhereItIs(t *testing.T) {
	worker := with(node("kubernetes:shop/worker", Component, 5, NameAlias("worker")), map[string]any{
		EnvAttr: map[string]any{"ORDERS_ADDR": Ref(NameAlias("orders"))},
	})
	orders := node("kubernetes:shop/orders", Component, 8, NameAlias("orders"))
	code := flow("go:src/worker/flow/orders", "kubernetes:shop/worker", EnvRef("ORDERS_ADDR", ""), 3, map[string]any{"protocol": "grpc"})
	var b Builder
	b.Update(nil, []*Element{worker, orders, code})
	w2, o2 := moveLines(worker, 1), moveLines(orders, 1)
	got, _ := b.Update([]*Element{worker, orders}, []*Element{w2, o2})
	want := NewGraph([]*Element{w2, o2, code})
	if diff := diffParts(dump(got), dump(want)); diff != "" {
		t.Fatalf("the updated graph differs from a fresh build (-updated +fresh):\n%s", diff)
	}
	f := got.Element("go:src/worker/flow/orders")
	set := w2.Attrs.At(EnvAttr).Span
	if f == nil || len(f.Related) == 0 || f.Related[len(f.Related)-1].Span != set {
		t.Fatalf("the code's flow does not point where the workload sets ORDERS_ADDR now (%v): %+v", set, f)
	}
	// A character typed on a line above moves the place by a byte, on the same line and
	// column: the code's flow was kept by its line and column, and pointed a byte off.
	w3, _ := w2.Moved(func(sp Span) (Span, bool) {
		if sp.File == w2.Span.File {
			sp.Start.Offset++
			sp.End.Offset++
		}
		return sp, true
	})
	got, _ = b.Update([]*Element{w2}, []*Element{w3})
	if diff := diffParts(dump(got), dump(NewGraph([]*Element{w3, o2, code}))); diff != "" {
		t.Fatalf("after a byte's move, the updated graph differs from a fresh build (-updated +fresh):\n%s", diff)
	}
}

// TestMovedNodesAreNotMadeAgain: the stores below a keystroke are put in their last
// element's place, moved, not classified again; the graph is a fresh build's.
func TestMovedNodesAreNotMadeAgain(t *testing.T) {
	classified := 0
	opts := BuildOptions{Classify: func(*Element) (string, string) { classified++; return "pii", "a test" }}
	var els []*Element
	for i := range 100 {
		els = append(els, node(fmt.Sprintf("terraform:aws_db_instance.db%d", i), Store, 2+i))
	}
	var b Builder
	b.SetOptions(opts)
	b.Update(nil, els)
	var moved []*Element
	for _, e := range els {
		moved = append(moved, moveLines(e, 1))
	}
	classified = 0
	got, _ := b.Update(els, moved)
	if classified != 0 {
		t.Errorf("%d of 100 stores that only moved were classified again", classified)
	}
	var fresh Builder
	fresh.SetOptions(opts)
	want, _ := fresh.Update(nil, moved)
	if diff := diffParts(dump(got), dump(want)); diff != "" {
		t.Fatalf("the updated graph differs from a fresh build (-updated +fresh):\n%s", diff)
	}
}

// TestMovedConfigFlowIsWhereCodeFindsIt: a deployment's flow for a variable moved by a
// keystroke is where code that reads the variable, added later, says the variable is set.
func TestMovedConfigFlowIsWhereCodeFindsIt(t *testing.T) {
	worker := node("kubernetes:shop/worker", Component, 2, NameAlias("worker"))
	search := node("kubernetes:shop/search", Component, 3, NameAlias("search"))
	env := flow("kubernetes:shop/worker/env/SEARCH_ADDR", "kubernetes:shop/worker", Ref(NameAlias("search")), 5, map[string]any{ConfigAttr: "SEARCH_ADDR"})
	var b Builder
	b.Update(nil, []*Element{worker, search, env})
	env2 := moveLines(env, 1)
	b.Update([]*Element{env}, []*Element{env2})
	code := flow("go:src/worker/flow/search", "kubernetes:shop/worker", EnvRef("SEARCH_ADDR", ""), 3, map[string]any{"protocol": "grpc"})
	got, _ := b.Update(nil, []*Element{code})
	want := NewGraph([]*Element{worker, search, env2, code})
	if diff := diffParts(dump(got), dump(want)); diff != "" {
		t.Fatalf("the updated graph differs from a fresh build (-updated +fresh):\n%s", diff)
	}
}

// BenchmarkKeystroke is the model's update after a keystroke at the top of a stream of
// manifests: every workload below it moved, with its Service's flow, its variables' flows
// (one to a Service, one to a host nothing defines) and its namespace. "remade" is the same
// update with the moved elements taken out and fused, classified, resolved and decorated
// again, as before move.go.
func BenchmarkKeystroke(b *testing.B) {
	for _, n := range []int{1000, 4000} {
		for _, mode := range []string{"moved", "remade"} {
			b.Run(fmt.Sprintf("workloads=%d/%s", n, mode), func(b *testing.B) {
				moving = mode == "moved"
				defer func() { moving = true }()
				var els []*Element
				line := 1
				add := func(e *Element) { els = append(els, e) }
				ns := node("kubernetes:zone/shop", Zone, line, NameAlias("shop"))
				add(ns)
				for i := range n {
					line += 3
					w := fmt.Sprintf("kubernetes:shop/w%d", i)
					add(with(node(w, Component, line, NameAlias(fmt.Sprintf("w%d", i))), map[string]any{"zone": ns.ID, "internet_facing": i%50 == 0}))
					add(with(node(fmt.Sprintf("kubernetes:shop/db%d", i), Store, line+1, NameAlias(fmt.Sprintf("db%d", i))), map[string]any{"zone": ns.ID}))
					add(flow(w+"/env/DB", w, Ref(NameAlias(fmt.Sprintf("db%d", i))), line+1, map[string]any{ConfigAttr: "DB", "port": int64(5432)}))
					add(flow(w+"/env/MAIL", w, Ref(NameAlias("mail")), line+2, map[string]any{ConfigAttr: "MAIL"}))
				}
				var bl Builder
				bl.SetOptions(BuildOptions{Classify: func(*Element) (string, string) { return "pii", "a test" }})
				bl.Update(nil, els)
				by := 1
				b.ResetTimer()
				for range b.N {
					b.StopTimer()
					var removed, added []*Element
					for i, e := range els {
						if e.Span.Start.Line > 1 {
							removed, added = append(removed, e), append(added, moveLines(e, by))
							els[i] = added[len(added)-1]
						}
					}
					b.StartTimer()
					bl.Update(removed, added)
					by = -by
				}
			})
		}
	}
}

// TestMovedNodeFusedInTheSameUpdate: a store a keystroke moved, and in the same update
// another file's store of its name came, fuse into one element, the other's: the moved
// store's own element goes, as in a fresh build.
func TestMovedNodeFusedInTheSameUpdate(t *testing.T) {
	s := node("compose:shop/store/orders", Store, 4, NameAlias("orders"))
	var b Builder
	b.Update(nil, []*Element{s})
	s2 := moveLines(s, 1)
	tf := node("terraform:aws_db_instance.orders", Store, 2, NameAlias("orders"))
	got, _ := b.Update([]*Element{s}, []*Element{s2, tf})
	want := NewGraph([]*Element{s2, tf})
	if diff := diffParts(dump(got), dump(want)); diff != "" {
		t.Fatalf("the updated graph differs from a fresh build (-updated +fresh):\n%s", diff)
	}
	if got.Element(s.ID) != nil {
		t.Errorf("the moved store's own element is still there")
	}
}

// TestMovedDocumentMovesItsDrift: typing in the design document moves every element it
// documents below; a drift attribute quotes where the design says it (the documented
// element's head), and moves with it — by lines, and by bytes alone (a character typed on a
// line above: the places below keep their line and column). The flows' drift was kept by its
// line and column, and stayed a byte off.
func TestMovedDocumentMovesItsDrift(t *testing.T) {
	for _, shift := range []struct {
		what string
		move func(*Element) *Element
	}{
		{"lines", func(e *Element) *Element { return moveLines(e, 2) }},
		{"bytes", func(e *Element) *Element {
			m, _ := e.Moved(func(sp Span) (Span, bool) {
				if sp.File == e.Span.File {
					sp.Start.Offset++
					sp.End.Offset++
				}
				return sp, true
			})
			return m
		}},
	} {
		t.Run(shift.what, func(t *testing.T) { movedDocumentMovesItsDrift(t, shift.move) })
	}
}

func movedDocumentMovesItsDrift(t *testing.T, move func(*Element) *Element) {
	els := shop()
	var b Builder
	b.Update(nil, els)
	var was, now []*Element
	for _, e := range els {
		if e.Provenance == Documented {
			was, now = append(was, e), append(now, move(e))
		}
	}
	got, _ := b.Update(was, now)
	var all []*Element
	for _, e := range els {
		if e.Provenance != Documented {
			all = append(all, e)
		}
	}
	want := NewGraph(append(all, now...))
	if diff := diffParts(dump(got), dump(want)); diff != "" {
		t.Fatalf("the updated graph differs from a fresh build (-updated +fresh):\n%s", diff)
	}
}
