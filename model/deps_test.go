package model

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"
)

// TestDepsIsASetIndex compares deps, after random sets and drops, with the plain index it
// stands for (a set of readers per key): every key's readers, as dirty reports them, are the
// same, whether a key has one reader, a few or many.
func TestDepsIsASetIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	var d Readers[int, int]
	d.Init()
	want := map[int]map[int]bool{} // key → readers
	reads := map[int][]int{}       // unit → keys
	for step := 0; step < 20000; step++ {
		u := r.IntN(300)
		for _, k := range reads[u] {
			delete(want[k], u)
		}
		delete(reads, u)
		if r.IntN(4) == 0 {
			d.Drop(u)
			continue
		}
		// A few keys read by most units (past fewReaders), the others by one or two;
		// duplicates in one unit's reads included.
		var keys []int
		for range r.IntN(6) {
			k := 1000 + r.IntN(400)
			if r.IntN(3) == 0 {
				k = r.IntN(3)
			}
			keys = append(keys, k)
		}
		d.Set(u, keys)
		reads[u] = keys
		for _, k := range keys {
			if want[k] == nil {
				want[k] = map[int]bool{}
			}
			want[k][u] = true
		}
		if step%100 != 0 {
			continue
		}
		for k := 0; k < 1400; k++ {
			got := map[int]struct{}{}
			d.Dirty(map[int]struct{}{k: {}}, got)
			exp := map[int]struct{}{}
			for u := range want[k] {
				exp[u] = struct{}{}
			}
			if !reflect.DeepEqual(got, exp) {
				t.Fatalf("step %d: readers of key %d are %v, want %v", step, k, got, exp)
			}
		}
	}
	if len(d.many) == 0 {
		t.Fatal("no key had more than fewReaders readers: the test does not cover sets")
	}
}

// TestDepsMemory holds what a key read by one unit costs: the model of 5,000 files records
// about 100,000 of them, and a set per key made that 22 MB of what the model keeps.
func TestDepsMemory(t *testing.T) {
	const n = 20000
	keys := make([][]key, n)
	units := make([]string, n)
	for i := range keys {
		keys[i] = []key{idKey(fmt.Sprintf("terraform:stack/aws_s3_bucket.b%d", i))}
		units[i] = fmt.Sprintf("u%d", i)
	}
	var d Readers[key, string]
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	d.Init()
	for i := range keys {
		d.Set(units[i], keys[i])
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(after.HeapAlloc-before.HeapAlloc) / n
	runtime.KeepAlive(&d)
	// A slice of one reader and two map entries: about 170 bytes; a set per key made it 384.
	if per > 220 {
		t.Errorf("a key read by one unit keeps %.0f bytes, want at most 220", per)
	}
	t.Logf("%.0f bytes per key read by one unit", per)
}
