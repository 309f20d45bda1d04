package code

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/parse"
)

// TestEveryRowExercised extracts every source file of testdata (the services of
// testdata/src and testdata/model, and the packs' own corpus in testdata/packs) and fails
// for each row of the packs that matched nothing: a row without testdata is knowledge
// nobody checked. A row with verbs counts as exercised when one of its verbs is.
func TestEveryRowExercised(t *testing.T) {
	hit := map[string]bool{}
	traceRow = func(r *Row) { hit[r.Pos()] = true }
	defer func() { traceRow = nil }()
	as := Analyzers()
	err := filepath.WalkDir("testdata", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := filepath.ToSlash(p)
		for _, an := range as {
			a := an.(*Analyzer)
			// testdata/ is a test directory to the Go rules: match the path below it.
			if !a.Match(strings.TrimPrefix(rel, "testdata/"), "") {
				continue
			}
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			tr, err := parse.Parse(context.Background(), a.Lang(), src)
			if err != nil {
				return err
			}
			a.Extract(tr, strings.TrimPrefix(rel, "testdata/"))
			tr.Close()
			break
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ls, err := Languages()
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	total := 0
	seen := map[string]bool{}
	for _, l := range ls {
		for _, p := range l.packs {
			for _, r := range p.Rows {
				if seen[r.Pos()] {
					continue
				}
				seen[r.Pos()] = true
				total++
				if !hit[r.Pos()] {
					_, key := r.key()
					missing = append(missing, r.Pos()+" "+key)
				}
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("no testdata exercises %s", m)
	}
	t.Logf("%d of %d rows exercised", total-len(missing), total)
}
