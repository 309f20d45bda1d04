package model

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"unsafe"
)

// asMap returns the attributes of a as a map, to compare with one.
func asMap(a Attrs) map[string]Attr {
	m := make(map[string]Attr, a.Len())
	for k, v := range a.All() {
		m[k] = v
	}
	return m
}

// TestAttrsBehaveAsAMap applies random sets and deletes to an Attrs and to a map: each read
// agrees, and the names come out sorted.
func TestAttrsBehaveAsAMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	names := []string{"a", "encrypted", "public", "zone", "b", "port", "x", "classification", "tls", "m"}
	for round := range 200 {
		var a Attrs
		m := map[string]Attr{}
		for step := range 40 {
			name := names[r.IntN(len(names))]
			if r.IntN(4) == 0 {
				a.Delete(name)
				delete(m, name)
			} else {
				v := Attr{Value: int64(step), Origin: Read, Span: Span{File: "f", Start: At(step, 0, step)}}
				a.Set(name, v)
				m[name] = v
			}
			if a.Len() != len(m) {
				t.Fatalf("round %d step %d: %d attributes, the map has %d", round, step, a.Len(), len(m))
			}
			for _, n := range names {
				got, ok := a.Get(n)
				want, wok := m[n]
				if ok != wok || got != want || a.At(n) != want {
					t.Fatalf("round %d step %d: %q is %+v %v, the map's %+v %v", round, step, n, got, ok, want, wok)
				}
			}
			if !slices.IsSorted(a.Names()) || !reflect.DeepEqual(asMap(a), m) && len(m) > 0 {
				t.Fatalf("round %d step %d: names %v, map %v", round, step, a.Names(), asMap(a))
			}
		}
		if !a.Equal(AttrsOf(m)) {
			t.Fatalf("round %d: %v is not AttrsOf its map", round, a.Names())
		}
	}
}

// TestAttrsCloneSharesNothing: a decorated element's attributes are a copy; setting one on
// it leaves the element it was made from as it was.
func TestAttrsCloneSharesNothing(t *testing.T) {
	var a Attrs
	a.Set("b", Attr{Value: "1"})
	a.Set("a", Attr{Value: "2"})
	c := a.Clone(1)
	c.Set("a", Attr{Value: "changed"})
	c.Set("c", Attr{Value: "added"})
	if a.Len() != 2 || a.At("a").Value != "2" {
		t.Fatalf("the original changed with its clone: %v", asMap(a))
	}
	if c.Len() != 3 || c.At("a").Value != "changed" {
		t.Fatalf("clone: %v", asMap(c))
	}
}

// TestAttrsDeleteKeepsNothingAlive: the slot a delete frees holds no value for the collector
// to keep.
func TestAttrsDeleteKeepsNothingAlive(t *testing.T) {
	var a Attrs
	a.Set("a", Attr{Value: "x", Note: "n"})
	a.Set("b", Attr{Value: "y", Note: "n"})
	a.Delete("a")
	if tail := a.list[len(a.list):cap(a.list)]; tail[0] != (NamedAttr{}) {
		t.Fatalf("the freed slot still holds %+v", tail[0])
	}
}

// TestAttrsJSON: attributes are written as an object by name, as the map they replace was,
// and read back.
func TestAttrsJSON(t *testing.T) {
	el := Element{ID: "x"}
	el.Set("public", true, Span{File: "main.tf"})
	el.Default("encrypted", false, "AWS default")
	raw, err := json.Marshal(el.Attrs)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(asMap(el.Attrs))
	if string(raw) != string(want) {
		t.Fatalf("written as\n%s\nnot as the map was\n%s", raw, want)
	}
	var back Attrs
	if err := json.Unmarshal(raw, &back); err != nil || !back.Equal(el.Attrs) {
		t.Fatalf("read back %v (%v), want %v", asMap(back), err, asMap(el.Attrs))
	}
	if err := json.Unmarshal([]byte("null"), &back); err != nil || back.Len() != 0 {
		t.Fatalf("null read as %v (%v)", asMap(back), err)
	}
}

// TestAttrSize holds what the representation's comment claims: 96 bytes an attribute, with
// its name. A field more in Attr costs every attribute of every element.
func TestAttrSize(t *testing.T) {
	if got := unsafe.Sizeof(NamedAttr{}); got != 96 {
		t.Fatalf("a named attribute takes %d bytes, not 96: update the comment of Attrs, or shrink it", got)
	}
	// The language server's publisher quotes what a finding took to keep (lsp/diagnostics.go).
	if got := unsafe.Sizeof(Finding{}); got != 264 {
		t.Errorf("a finding takes %d bytes, not the 264 lsp's sent quotes: update it", got)
	}
}

// valueSink keeps what a test makes, so that the compiler makes it.
var valueSink any

// A store's classification, decided by the model, shares its value with every other store of
// the same level: no allocation per store.
func TestClassificationValueIsShared(t *testing.T) {
	class := string([]byte("confidential")) // a string made at run time, as a classifier's is
	if n := testing.AllocsPerRun(100, func() { valueSink = boxedClass(class) }); n != 0 {
		t.Errorf("a known level costs %v allocations per store, want 0", n)
	}
	if boxedClass("made-up") != "made-up" {
		t.Error("an unknown level is not kept as it is")
	}
}

// Packed, a batch's attribute lists say what they said, in one array, each closed at its end:
// an attribute set on one element afterwards leaves the next one's as it was.
func TestPackAttrs(t *testing.T) {
	var els []*Element
	var want []map[string]Attr
	for i := range 20 {
		e := &Element{ID: string(rune('a' + i))}
		for j := range i % 7 {
			e.Set(string(rune('k'+j)), int64(i*j), Span{File: "f"})
		}
		els = append(els, e)
		want = append(want, asMap(e.Attrs))
	}
	PackAttrs(els)
	var prev *NamedAttr
	for i, e := range els {
		if got := asMap(e.Attrs); !reflect.DeepEqual(got, want[i]) && len(want[i]) > 0 {
			t.Fatalf("element %d: %v after packing, want %v", i, got, want[i])
		}
		if n := e.Attrs.Len(); n > 0 {
			if cap(e.Attrs.list) != n {
				t.Fatalf("element %d: room for %d more after packing", i, cap(e.Attrs.list)-n)
			}
			if prev != nil && &e.Attrs.list[0] != (*NamedAttr)(unsafe.Add(unsafe.Pointer(prev), unsafe.Sizeof(NamedAttr{}))) {
				t.Fatalf("element %d's attributes do not follow the element before's: not packed", i)
			}
			prev = &e.Attrs.list[n-1]
		}
	}
	els[3].Set("zzz", true, Span{File: "f"})
	if !reflect.DeepEqual(asMap(els[4].Attrs), want[4]) {
		t.Fatal("setting an attribute on one packed element changed the next")
	}
}
