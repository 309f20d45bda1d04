package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/threatls/threatls/analyzers/parse"
)

func TestScratchCorpus(t *testing.T) {
	files := generateCorpus(corpusSpec{Seed: 1, Stacks: 7})
	again := generateCorpus(corpusSpec{Seed: 1, Stacks: 7})
	var sizes []int
	total := 0
	for i, f := range files {
		if !bytes.Equal(f.Text, again[i].Text) {
			t.Fatalf("nondeterministic %s", f.Path)
		}
		sizes = append(sizes, len(f.Text))
		total += len(f.Text)
		tr, err := parse.Parse(context.Background(), parse.HCL, f.Text)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Root().HasError() {
			t.Errorf("%s has errors", f.Path)
			if testing.Verbose() { fmt.Println(string(f.Text)) }
		}
		tr.Close()
	}
	sort.Ints(sizes)
	t.Logf("%d files %d bytes; sizes min %d p25 %d p50 %d p75 %d p90 %d max %d", len(files), total, sizes[0], sizes[len(sizes)/4], sizes[len(sizes)/2], sizes[3*len(sizes)/4], sizes[9*len(sizes)/10], sizes[len(sizes)-1])
	big, mid := generateLargeFile(1, 5000)
	t.Logf("big %d bytes %d lines mid %d: %q", len(big), bytes.Count(big, []byte("\n")), mid, big[mid-20:mid+20])
	tr, _ := parse.Parse(context.Background(), parse.HCL, big)
	if tr.Root().HasError() {
		t.Errorf("big has errors")
	}
	tr.Close()
}
