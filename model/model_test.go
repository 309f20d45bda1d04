package model

import (
	"math/rand"
	"testing"
)

func TestUTF16Len(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", 0}, {"abc", 3}, {"é", 1}, {"😀", 2}, {"a😀é", 4}, {"\xff\xfe", 2}, {"\xf0\x9f", 2},
	} {
		if got := UTF16Len([]byte(tc.in)); got != tc.want {
			t.Errorf("UTF16Len(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestSpanContains(t *testing.T) {
	outer := Span{File: "a.tf", Start: Pos{Offset: 10}, End: Pos{Offset: 50}}
	for _, tc := range []struct {
		s    Span
		want bool
	}{
		{Span{File: "a.tf", Start: Pos{Offset: 10}, End: Pos{Offset: 50}}, true},
		{Span{File: "a.tf", Start: Pos{Offset: 20}, End: Pos{Offset: 30}}, true},
		{Span{File: "a.tf", Start: Pos{Offset: 5}, End: Pos{Offset: 30}}, false},
		{Span{File: "a.tf", Start: Pos{Offset: 40}, End: Pos{Offset: 51}}, false},
		{Span{File: "b.tf", Start: Pos{Offset: 20}, End: Pos{Offset: 30}}, false},
	} {
		if got := outer.Contains(tc.s); got != tc.want {
			t.Errorf("Contains(%+v) = %v, want %v", tc.s, got, tc.want)
		}
	}
}

// TestSortFindingsIsTotal: whatever order findings arrive in, the output order is the same.
func TestSortFindingsIsTotal(t *testing.T) {
	var fs []Finding
	for _, file := range []string{"b.tf", "a.tf"} {
		for _, off := range []int{30, 10} {
			for _, id := range []string{"X-2", "X-1"} {
				for _, el := range []string{"e2", "e1"} {
					fs = append(fs, Finding{ThreatID: id, Element: el, Span: Span{File: file, Start: At(off, 0, 0)}})
				}
			}
		}
	}
	want := append([]Finding(nil), fs...)
	SortFindings(want)
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 20; i++ {
		got := append([]Finding(nil), fs...)
		rng.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
		SortFindings(got)
		for k := range got {
			if got[k].ThreatID != want[k].ThreatID || got[k].Element != want[k].Element || got[k].Span != want[k].Span {
				t.Fatalf("order depends on the input order at %d: %+v vs %+v", k, got[k], want[k])
			}
		}
	}
	if want[0].Span.File != "a.tf" || want[0].Span.Start.Offset != 10 || want[0].ThreatID != "X-1" || want[0].Element != "e1" {
		t.Errorf("first finding = %+v", want[0])
	}
}

func TestParseSeverity(t *testing.T) {
	if s, ok := ParseSeverity("HIGH"); !ok || s != High {
		t.Errorf("ParseSeverity(HIGH) = %v, %v", s, ok)
	}
	if _, ok := ParseSeverity("urgent"); ok {
		t.Error("ParseSeverity accepted urgent")
	}
	if !(Critical.Rank() > High.Rank() && High.Rank() > Medium.Rank() && Medium.Rank() > Low.Rank() && Low.Rank() > Info.Rank()) {
		t.Error("severity ranks are out of order")
	}
}

func TestIsURI(t *testing.T) {
	for key, want := range map[string]bool{
		"untitled:Untitled-1": true,
		"file:///a/b.tf":      true,
		"git+ssh://x":         true,
		"main.tf":             false,
		"dir/a:b.tf":          false,
		"c:/windows.tf":       false,
		"":                    false,
	} {
		if got := IsURI(key); got != want {
			t.Errorf("IsURI(%q) = %v, want %v", key, got, want)
		}
	}
}
