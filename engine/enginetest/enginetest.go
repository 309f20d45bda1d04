// Package enginetest checks findings against expectations written in testdata, next to the
// line they concern, in the file's own comment syntax — in the style of analysistest:
//
//	resource "aws_db_instance" "main" {
//	  storage_encrypted = false # want "AWS-RDS-002"
//
// A want names the IDs of the findings whose diagnostic starts on its line. Matching is one to
// one: a missing finding and an unexpected one both fail the test. Suppressed findings are
// not expected (they are not shown); meta findings (TLS-…) are.
package enginetest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/model"
)

var (
	wantRE = regexp.MustCompile(`(?:#|//|<!--)\s*want((?:\s+"[^"]+")+)`)
	idRE   = regexp.MustCompile(`"([^"]+)"`)
)

// Want is one expected finding.
type Want struct {
	File string
	Line int // one-based
	ID   string
}

func (w Want) String() string { return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.ID) }

// Wants reads the expectations of every file of a snapshot.
func Wants(s *engine.Snapshot) []Want {
	var out []Want
	for _, key := range s.Files() {
		sc := bufio.NewScanner(bytes.NewReader(s.File(key).Text))
		sc.Buffer(nil, 1<<20)
		for line := 1; sc.Scan(); line++ {
			m := wantRE.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			for _, id := range idRE.FindAllStringSubmatch(m[1], -1) {
				out = append(out, Want{File: key, Line: line, ID: id[1]})
			}
		}
	}
	return out
}

// Scan loads the workspace at dir.
func Scan(t testing.TB, eng *engine.Engine, dir string) *engine.Snapshot {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := eng.Workspace(abs, engine.DefaultConfig()).Load(context.Background(), nil)
	if err != nil {
		t.Fatalf("scan %s: %v", dir, err)
	}
	return snap
}

// Check compares the shown (unsuppressed) findings of s with the wants of its files, one to one.
func Check(t testing.TB, s *engine.Snapshot) {
	t.Helper()
	want := map[Want]int{}
	for _, w := range Wants(s) {
		want[w]++
	}
	got := map[Want]int{}
	msgs := map[Want]string{}
	for _, f := range s.Findings() {
		if f.Suppressed != nil {
			continue
		}
		w := Want{File: f.Span.File, Line: int(f.Span.Start.Line) + 1, ID: f.ThreatID}
		got[w]++
		msgs[w] = f.Message
	}
	var problems []string
	for w, n := range got {
		if extra := n - want[w]; extra > 0 {
			problems = append(problems, fmt.Sprintf("unexpected finding %s (%s)", w, msgs[w]))
		}
	}
	for w, n := range want {
		if missing := n - got[w]; missing > 0 {
			problems = append(problems, fmt.Sprintf("missing finding %s", w))
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// Apply applies the edits of fix to the file texts of s and returns the new texts by key.
func Apply(s *engine.Snapshot, fix model.Fix) (map[string][]byte, error) {
	byFile := map[string][]model.TextEdit{}
	for _, e := range fix.Edits {
		byFile[e.File] = append(byFile[e.File], e)
	}
	out := map[string][]byte{}
	for file, edits := range byFile {
		f := s.File(file)
		if f == nil {
			return nil, fmt.Errorf("fix edits unknown file %s", file)
		}
		text, err := engine.ApplyEdits(f.Text, edits)
		if err != nil {
			return nil, fmt.Errorf("fix %q: %w", fix.Title, err)
		}
		out[file] = text
	}
	return out, nil
}

// Golden compares got with the golden file, or rewrites it when update is set.
func Golden(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the golden file:\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}
