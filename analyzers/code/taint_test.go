package code_test

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers/all"
	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/engine/enginetest"
	"github.com/threatls/threatls/knowledge"
)

// updating reports whether -update was given (the flag is analyzertest's).
func updating() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	g, ok := f.Value.(flag.Getter)
	return ok && g.Get() == true
}

// The labelled corpus of the taint engine and the code checks: testdata/taint/<language>/
// holds services written as real ones are (routes with helpers in other files, collections,
// branches), whose lines carry the truth, not the engine's answer:
//
//	cur.execute("… '" + name + "'")  # vuln "CODE-INJ-001"   a finding of this threat belongs here
//	cur.execute("… ?", (name,))      # ok "CODE-INJ-001"     this line looks alike and is safe
//
// TestTaintCorpus scans each language's workspace with every analyzer and the built-in
// library and counts, per language and threat, true positives (a finding on a vuln line),
// false negatives (a vuln line without it), false positives (a finding on any other line)
// and true negatives (an ok line without it). The table is testdata/taint/rates.golden
// (docs/code.md, "Measured"): a change of the engine that changes a count changes it.

var (
	labelRE = regexp.MustCompile(`\b(vuln|ok)((?:\s+"[^"]+")+)`)
	idRE    = regexp.MustCompile(`"([^"]+)"`)
)

type label struct {
	file string
	line int
	id   string
	vuln bool
}

type counts struct{ tp, fn, fp, tn int }

func corpusLabels(s *engine.Snapshot) []label {
	var out []label
	for _, key := range s.Files() {
		sc := bufio.NewScanner(bytes.NewReader(s.File(key).Text))
		sc.Buffer(nil, 1<<20)
		for line := 1; sc.Scan(); line++ {
			text := sc.Text()
			i := strings.Index(text, "//")
			if j := strings.Index(text, "# "); j >= 0 && (i < 0 || j < i) {
				i = j
			}
			if i < 0 {
				continue
			}
			for _, m := range labelRE.FindAllStringSubmatch(text[i:], -1) {
				for _, id := range idRE.FindAllStringSubmatch(m[2], -1) {
					out = append(out, label{key, line, id[1], m[1] == "vuln"})
				}
			}
		}
	}
	return out
}

func TestTaintCorpus(t *testing.T) {
	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(lib, all.Analyzers(), nil)
	dirs, err := filepath.Glob(filepath.Join("testdata", "taint", "*"))
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ lang, id string }
	table := map[key]*counts{}
	var detail []string
	for _, dir := range dirs {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			continue
		}
		lang := filepath.Base(dir)
		snap := enginetest.Scan(t, eng, dir)
		labels := corpusLabels(snap)
		type at struct {
			file string
			line int
			id   string
		}
		found := map[at]bool{}
		for _, f := range snap.Findings() {
			if !strings.HasPrefix(f.ThreatID, "CODE-") || modelLevel[f.ThreatID] || f.Suppressed != nil {
				continue
			}
			found[at{f.Span.File, int(f.Span.Start.Line) + 1, f.ThreatID}] = true
		}
		labelled := map[at]bool{}
		for _, l := range labels {
			a := at{l.file, l.line, l.id}
			labelled[a] = true
			c := table[key{lang, l.id}]
			if c == nil {
				c = &counts{}
				table[key{lang, l.id}] = c
			}
			switch {
			case l.vuln && found[a]:
				c.tp++
			case l.vuln:
				c.fn++
				detail = append(detail, fmt.Sprintf("FN %s:%d %s", l.file, l.line, l.id))
			case found[a]:
				c.fp++
				detail = append(detail, fmt.Sprintf("FP %s:%d %s", l.file, l.line, l.id))
			default:
				c.tn++
			}
		}
		for a := range found {
			if labelled[a] {
				continue
			}
			// a finding on a line that says nothing of it: a false positive
			c := table[key{lang, a.id}]
			if c == nil {
				c = &counts{}
				table[key{lang, a.id}] = c
			}
			c.fp++
			detail = append(detail, fmt.Sprintf("FP %s:%d %s (unlabelled)", a.file, a.line, a.id))
		}
	}
	var keys []key
	for k := range table {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].lang != keys[j].lang {
			return keys[i].lang < keys[j].lang
		}
		return keys[i].id < keys[j].id
	})
	var b strings.Builder
	b.WriteString("| language | threat | TP | FN | FP | TN | precision | recall |\n|---|---|---|---|---|---|---|---|\n")
	total := map[string]*counts{}
	for _, k := range keys {
		c := table[k]
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %s | %s |\n", k.lang, k.id, c.tp, c.fn, c.fp, c.tn, ratio(c.tp, c.tp+c.fp), ratio(c.tp, c.tp+c.fn))
		if total[k.lang] == nil {
			total[k.lang] = &counts{}
		}
		t := total[k.lang]
		t.tp, t.fn, t.fp, t.tn = t.tp+c.tp, t.fn+c.fn, t.fp+c.fp, t.tn+c.tn
	}
	var langs []string
	for l := range total {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	all := &counts{}
	for _, l := range langs {
		c := total[l]
		fmt.Fprintf(&b, "| %s | all | %d | %d | %d | %d | %s | %s |\n", l, c.tp, c.fn, c.fp, c.tn, ratio(c.tp, c.tp+c.fp), ratio(c.tp, c.tp+c.fn))
		all.tp, all.fn, all.fp, all.tn = all.tp+c.tp, all.fn+c.fn, all.fp+c.fp, all.tn+c.tn
	}
	fmt.Fprintf(&b, "| all | all | %d | %d | %d | %d | %s | %s |\n", all.tp, all.fn, all.fp, all.tn, ratio(all.tp, all.tp+all.fp), ratio(all.tp, all.tp+all.fn))
	sort.Strings(detail)
	if len(detail) > 0 {
		b.WriteString("\nMisses and false alarms:\n\n")
		for _, d := range detail {
			b.WriteString("- " + d + "\n")
		}
	}
	enginetest.Golden(t, filepath.Join("testdata", "taint", "rates.golden"), []byte(b.String()), updating())
	// Every threat of code has a labelled case in some language.
	for _, th := range lib.Threats() {
		if !strings.HasPrefix(th.ID, "CODE-") || modelLevel[th.ID] {
			continue
		}
		ok := false
		for k, c := range table {
			if k.id == th.ID && c.tp > 0 {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s: no true positive in the labelled corpus", th.ID)
		}
	}
}

// modelLevel are the threats of code that judge the model (a route's authentication, an
// attack path), not a line: their cases are in knowledge/testdata/threats.
var modelLevel = map[string]bool{"CODE-WEB-005": true, "CODE-PATH-001": true}

func ratio(a, b int) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", float64(a)/float64(b))
}

// TestServiceFindings checks the findings of the threats of code on the services of
// testdata/src, seen with every analyzer as the model sees them: one to one with the
// `want "CODE-…"` directives of their files (the other threats are the library's tests').
func TestServiceFindings(t *testing.T) {
	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(lib, all.Analyzers(), nil)
	dirs, err := os.ReadDir(filepath.Join("testdata", "src"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		t.Run(d.Name(), func(t *testing.T) {
			snap := enginetest.Scan(t, eng, filepath.Join("testdata", "src", d.Name()))
			want := map[enginetest.Want]int{}
			for _, w := range enginetest.Wants(snap) {
				if strings.HasPrefix(w.ID, "CODE-") {
					want[w]++
				}
			}
			got := map[enginetest.Want]int{}
			msgs := map[enginetest.Want]string{}
			for _, f := range snap.Findings() {
				if !strings.HasPrefix(f.ThreatID, "CODE-") || f.Suppressed != nil {
					continue
				}
				w := enginetest.Want{File: f.Span.File, Line: int(f.Span.Start.Line) + 1, ID: f.ThreatID}
				got[w]++
				msgs[w] = f.Message
			}
			var problems []string
			for w, n := range got {
				if n > want[w] {
					problems = append(problems, fmt.Sprintf("unexpected finding %s (%s)", w, msgs[w]))
				}
			}
			for w, n := range want {
				if n > got[w] {
					problems = append(problems, fmt.Sprintf("missing finding %s", w))
				}
			}
			sort.Strings(problems)
			for _, p := range problems {
				t.Error(p)
			}
		})
	}
}
