package engine

import (
	"fmt"
	"reflect"
	"testing"
	"unsafe"

	"github.com/threatls/threatls/model"
)

// The findings and dependencies of a batch's elements are packed into one array each, with
// the same contents, each element's slice closed at its end.
func TestPackFillsOneArray(t *testing.T) {
	var out, want []evaluated
	for i := range 50 {
		var e evaluated
		for j := range i % 4 {
			e.findings = append(e.findings, model.Finding{ThreatID: fmt.Sprintf("T-%d", j), Element: fmt.Sprint("e", i), Message: "m"})
		}
		for j := range i % 3 {
			e.deps = append(e.deps, model.Dep{Kind: model.DepElement, ID: fmt.Sprint("d", i, j)})
		}
		out = append(out, e)
		c := e
		c.findings, c.deps = append([]model.Finding(nil), e.findings...), append([]model.Dep(nil), e.deps...)
		want = append(want, c)
	}
	pack(out)
	if !reflect.DeepEqual(out, want) {
		t.Fatal("packing changed what the elements' findings or dependencies say")
	}
	// One array: every slice lies within the first element's array, in order.
	var first, last uintptr
	n := uintptr(0)
	for _, e := range out {
		for i := range e.findings {
			p := uintptr(unsafe.Pointer(&e.findings[i]))
			if first == 0 {
				first = p
			}
			if last != 0 && p != last+unsafe.Sizeof(model.Finding{}) {
				t.Fatalf("finding %d is not next to the one before it: findings are not packed", n)
			}
			last = p
			n++
		}
	}
	// Each slice ends where the element's findings end: appending to one leaves the next.
	for i, e := range out {
		if len(e.findings) > 0 && cap(e.findings) != len(e.findings) || len(e.deps) > 0 && cap(e.deps) != len(e.deps) {
			t.Fatalf("element %d: its slices have room past their end", i)
		}
	}
	grown := append(out[5].findings, model.Finding{ThreatID: "NEW"})
	if out[6].findings[0].ThreatID != "T-0" || len(grown) != len(out[5].findings)+1 {
		t.Fatal("appending to one element's findings wrote over the next element's")
	}
}
