package code

import (
	"testing"

	"github.com/threatls/threatls/analyzers/parse"
)

// TestFlowKinds checks that every node kind the flow sections of lang.yaml name is a kind of
// one of the language's grammars (TypeScript's parameters are not JavaScript's): a misspelt
// kind would silently never match.
func TestFlowKinds(t *testing.T) {
	ls, err := Languages()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		set := map[string]bool{}
		for _, g := range l.Grammars {
			kinds, err := parse.Kinds(g.Lang)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range kinds {
				set[k] = true
			}
		}
		if err := l.CheckKinds(l.Grammars[0].Lang, func(k string) bool { return set[k] }); err != nil {
			t.Error(err)
		}
	}
}
