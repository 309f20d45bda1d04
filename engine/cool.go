package engine

import (
	"cmp"
	"container/list"
	"context"
	"slices"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// defaultSyntaxBudget is how much source (bytes) of closed files keeps its extracted syntax
// (see Config.SyntaxBudget): about ten Terraform stacks of 30 files, those edited last.
const defaultSyntaxBudget = 1 << 20

// warmth keeps the Raw of the files of Cooler analyzers that were linked last, up to a budget
// of source bytes, and lets the rest go (model.FileFacts.Cool): at 5,000 files, Terraform's
// expressions were a third of the heap. Files an editor holds are never cooled: their facts
// change with every keystroke.
type warmth struct {
	budget int64
	bytes  int64
	// floor is the source of the largest unit linked so far: a budget is never below it, or
	// a unit larger than the budget (a namespace of thousands of manifests) would be
	// extracted again on every edit of it. (A budget of none stays none.)
	floor int64
	order *list.List               // of *warm, most recently linked first
	of    map[string]*list.Element // by file
}

type warm struct {
	key   string
	facts *model.FileFacts
	size  int64
}

func (w *warmth) init(budget int64) {
	switch {
	case budget == 0:
		budget = defaultSyntaxBudget
	case budget < 0:
		budget = 0
	}
	w.budget, w.order, w.of = budget, list.New(), map[string]*list.Element{}
}

// forget drops key from the files kept warm (its facts are gone or replaced).
func (w *warmth) forget(key string) {
	if e, ok := w.of[key]; ok {
		w.bytes -= e.Value.(*warm).size
		w.order.Remove(e)
		delete(w.of, key)
	}
}

// linked records that the files of units (the facts of each Link call) were just linked
// (their Raw is held again), then cools the least recently linked files over the budget. Of
// units linked together (a first model links every unit), the larger count as linked later,
// the largest last but for those that hold a document the editor has open: the next keystroke
// links them again (the first keystroke after a first model extracted its stack's other 31
// files again: 60 ms), and the budget is never below the largest (opening a manifest of a
// namespace of 2,500 decoded the namespace again: 0.4 s).
func (b *buildState) linked(units [][]*model.FileFacts) {
	w := &b.warm
	held := func(facts []*model.FileFacts) bool {
		return slices.ContainsFunc(facts, func(f *model.FileFacts) bool {
			st := b.states[f.File]
			return st != nil && st.open
		})
	}
	sizeOf := func(facts []*model.FileFacts) int64 {
		var size int64
		for _, f := range facts {
			if st := b.states[f.File]; st != nil {
				size += int64(len(st.text))
			}
		}
		return size
	}
	type unit struct {
		facts []*model.FileFacts
		size  int64
	}
	var first, last []unit
	for _, u := range units {
		if held(u) {
			last = append(last, unit{u, sizeOf(u)})
		} else {
			first = append(first, unit{u, sizeOf(u)})
		}
	}
	slices.SortStableFunc(first, func(x, y unit) int { return cmp.Compare(x.size, y.size) })
	for _, u := range append(first, last...) {
		w.floor = max(w.floor, u.size)
		b.warmUnit(u.facts)
	}
	limit := w.budget
	if limit > 0 {
		limit = max(limit, w.floor)
	}
	b.coolTo(limit)
}

// loaded cools, once a first load's model is complete, what the load left warm beyond its
// largest unit (see linked) and the units of the documents an editor holds: what the load
// linked last is the end of the workspace's walk, no guide to what the editor links next, and
// keeping the budget's worth of it cost 8 MB of live syntax at 5,000 files (live 175 → 167
// MB, heap in use 237–240 → 227–233 MB once cooled). The budget fills again with what edits
// link.
func (b *buildState) loaded() {
	b.coolTo(b.warm.floor)
}

// coolTo lets the syntax of the files linked longest ago go until what stays warm is within
// limit bytes of source, but for the units that hold an open document.
func (b *buildState) coolTo(limit int64) {
	w := &b.warm
	// A unit that holds an open document stays warm however long ago it was linked: a load
	// links its batches after the open files' (see Workspace.Load).
	var holding map[scopeID]bool
	for kept := 0; w.bytes > limit && w.order.Len() > kept; {
		e := w.order.Back()
		v := e.Value.(*warm)
		if holding == nil {
			holding = b.heldScopes()
		}
		if holding[b.scopeOf[v.key]] {
			w.order.MoveToFront(e)
			kept++
			continue
		}
		w.forget(v.key)
		if st := b.states[v.key]; st != nil && st.facts == v.facts && !st.open {
			v.facts.Cool(b.reheat(st))
		}
	}
}

// heldScopes returns the scopes of the units that hold a document an editor has open.
func (b *buildState) heldScopes() map[scopeID]bool {
	held := map[scopeID]bool{}
	for key, st := range b.states {
		if !st.open {
			continue
		}
		if sid, ok := b.scopeOf[key]; ok && !held[sid] {
			for _, u := range b.unit(sid) {
				held[u] = true
			}
		}
	}
	return held
}

// warmUnit records that the files of facts were just linked.
func (b *buildState) warmUnit(facts []*model.FileFacts) {
	w := &b.warm
	for _, f := range facts {
		st := b.states[f.File]
		if st == nil || st.open || st.facts != f {
			continue
		}
		if c, ok := st.analyzer.(analyzers.Cooler); !ok || !c.Cools() {
			continue
		}
		if e, ok := w.of[f.File]; ok {
			w.order.MoveToFront(e)
			continue
		}
		size := int64(len(st.text))
		w.of[f.File] = w.order.PushFront(&warm{key: f.File, facts: f, size: size})
		w.bytes += size
	}
}

// reheat returns what extracts the Raw of a closed file again from its text.
func (b *buildState) reheat(st *fileState) func() any {
	a, key, text := st.analyzer, st.key, st.text
	return func() any {
		t, err := parse.Parse(context.Background(), a.Lang(), text)
		if err != nil {
			return nil
		}
		defer t.Close()
		b.reheated++
		return b.eng.extract(context.Background(), a, key, t, nil).Raw
	}
}
