package main

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
	gitindex "github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/threatls/threatls/model"
	"github.com/threatls/threatls/report"
)

// filters are what a scan reads and reports, as scanners' users expect them: paths excluded
// by glob or by .gitignore, a minimum severity, threats to keep or skip. Flags override the
// scan: section of the nearest threatls.yaml (the scanned directory's or a parent's).
type filters struct {
	exclude     []string
	noGitignore bool
	minSeverity string
	only, skip  []string
	compact     bool
	baseline    string

	settings  settings // from threatls.yaml
	settingAt string   // the file they come from, "" when none
	minRank   int
}

// settings are the scan: section of threatls.yaml.
type settings struct {
	Exclude     []string `yaml:"exclude"`
	Gitignore   *bool    `yaml:"gitignore"`
	MinSeverity string   `yaml:"min_severity"`
	Threats     []string `yaml:"threats"`
	Skip        []string `yaml:"skip"`
	FailOn      string   `yaml:"fail_on"`
}

func (f *filters) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVar(&f.exclude, "exclude", nil, "skip files and directories matching this glob (** allowed), relative to PATH; repeatable")
	fl.BoolVar(&f.noGitignore, "no-gitignore", false, "also read files that .gitignore excludes")
	fl.StringVar(&f.minSeverity, "min-severity", "", "report only findings of this severity or worse: critical, high, medium, low, info")
	fl.StringSliceVar(&f.only, "threats", nil, "report only these threats (IDs, comma-separated; a trailing * matches a prefix: SYS-FLOW-*)")
	fl.StringSliceVar(&f.skip, "skip", nil, "never report these threats (IDs, comma-separated; SYS-CONT-* matches a prefix)")
	fl.BoolVar(&f.compact, "compact", false, "text format: one line per finding")
	fl.StringVar(&f.baseline, "baseline", "", "report only what is new since this earlier `scan --format json` report; --fail-on counts new findings only")
}

// resolve reads the settings of the nearest threatls.yaml above path and checks the values.
func (f *filters) resolve(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if info, err := os.Stat(abs); err == nil && !info.IsDir() {
		abs = filepath.Dir(abs)
	}
	for dir := abs; ; dir = filepath.Dir(dir) {
		for _, name := range []string{"threatls.yaml", ".threatls.yaml"} {
			p := filepath.Join(dir, name)
			if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
				continue // a named pipe would be waited on forever
			}
			b, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			var doc struct {
				Scan settings `yaml:"scan"`
			}
			if err := yaml.Unmarshal(b, &doc); err != nil {
				return fmt.Errorf("%s: scan: %w", filepath.Join(dir, name), err)
			}
			f.settings, f.settingAt = doc.Scan, filepath.Join(dir, name)
			goto found
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil || filepath.Dir(dir) == dir {
			break // settings above the repository are not the repository's
		}
	}
found:
	if f.minSeverity == "" {
		f.minSeverity = f.settings.MinSeverity
	}
	f.minRank = -1
	if f.minSeverity != "" {
		s, ok := model.ParseSeverity(f.minSeverity)
		if !ok {
			return fmt.Errorf("--min-severity %q: want critical, high, medium, low or info", f.minSeverity)
		}
		f.minRank = s.Rank()
	}
	for _, id := range f.only {
		if info, err := os.Stat(id); err == nil && info.IsDir() {
			return fmt.Errorf("--threats %s: --threats takes threat IDs; extra threat definitions are --threat-dir DIR", id)
		}
	}
	if len(f.only) == 0 {
		f.only = f.settings.Threats
	}
	f.skip = append(f.skip, f.settings.Skip...)
	f.exclude = append(f.exclude, f.settings.Exclude...)
	for _, g := range f.exclude {
		if !doublestar.ValidatePattern(g) {
			return fmt.Errorf("--exclude %q: not a valid glob", g)
		}
	}
	if f.settings.Gitignore != nil && !*f.settings.Gitignore {
		f.noGitignore = true
	}
	return nil
}

// ignorer returns what the workspace walk must leave out under root: the --exclude globs and,
// unless turned off, what .gitignore files (and .git/info/exclude) exclude. nil when nothing.
func (f *filters) ignorer(root string) func(key string, dir bool) bool {
	var m gitignore.Matcher
	if !f.noGitignore {
		if ps, err := gitignore.ReadPatterns(osfs.New(root), nil); err == nil && len(ps) > 0 {
			m = gitignore.NewMatcher(ps)
		}
	}
	if m == nil && len(f.exclude) == 0 {
		return nil
	}
	globs := f.exclude
	var held map[string]bool
	if m != nil {
		held = tracked(root)
	}
	return func(key string, dir bool) bool {
		for _, g := range globs {
			if ok, _ := doublestar.Match(g, key); ok {
				return true
			}
		}
		return m != nil && m.Match(strings.Split(key, "/"), dir) && !held[key]
	}
}

// tracked returns the files under root that the git repository holding root tracks, and the
// directories that hold them (keys relative to root), or nil outside a repository. .gitignore
// leaves out untracked files only, as git does: a file committed with `git add -f` is checked
// out, and applied, whatever .gitignore says; left out, it passed the gate unseen. Only the
// index's paths are read (go-git's decoder), and git is not run: a repository's own
// configuration can make git run a command.
func tracked(root string) map[string]bool {
	dir, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil
	}
	top, index := dir, ""
	for {
		dotgit := filepath.Join(top, ".git")
		if fi, err := os.Stat(dotgit); err == nil && fi.IsDir() {
			index = filepath.Join(dotgit, "index")
			break
		} else if err == nil && fi.Mode().IsRegular() {
			// A worktree's or a submodule's: "gitdir: PATH", its git directory.
			b, err := os.ReadFile(dotgit)
			gitdir, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir: ")
			if err != nil || !ok {
				return nil
			}
			if !filepath.IsAbs(gitdir) {
				gitdir = filepath.Join(top, gitdir)
			}
			index = filepath.Join(gitdir, "index")
			break
		}
		up := filepath.Dir(top)
		if up == top {
			return nil
		}
		top = up
	}
	f, err := os.Open(index)
	if err != nil {
		return nil
	}
	defer f.Close()
	var idx gitindex.Index
	if err := gitindex.NewDecoder(f).Decode(&idx); err != nil {
		return nil
	}
	rel, err := filepath.Rel(top, dir)
	if err != nil {
		return nil
	}
	prefix := filepath.ToSlash(rel) + "/"
	if rel == "." {
		prefix = ""
	}
	out := map[string]bool{}
	for _, e := range idx.Entries {
		k, ok := strings.CutPrefix(e.Name, prefix)
		for ok && k != "." && k != "" && !out[k] {
			out[k] = true
			k = path.Dir(k)
		}
	}
	return out
}

// keep reports whether a finding passes the severity and threat filters. Meta findings
// (TLS-…) pass the threat filters: they say the analysis missed something.
func (f *filters) keep(fd model.Finding) bool {
	if f.minRank >= 0 && fd.Severity.Rank() < f.minRank && !model.IsMeta(fd.ThreatID) {
		return false
	}
	if model.IsMeta(fd.ThreatID) {
		return true
	}
	if len(f.only) > 0 && !slices.ContainsFunc(f.only, func(p string) bool { return idMatch(p, fd.ThreatID) }) {
		return false
	}
	return !slices.ContainsFunc(f.skip, func(p string) bool { return idMatch(p, fd.ThreatID) })
}

func idMatch(pattern, id string) bool {
	pattern = strings.TrimSpace(pattern)
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(id, p)
	}
	return pattern == id
}

// apply filters a result, and with --baseline keeps only the findings new since it.
func (f *filters) apply(r report.Result) (report.Result, error) {
	var kept []model.Finding
	for _, fd := range r.Findings {
		if f.keep(fd) {
			kept = append(kept, fd)
		}
	}
	r.Findings = kept
	if f.baseline == "" {
		return r, nil
	}
	file, err := os.Open(f.baseline)
	if err != nil {
		return r, fmt.Errorf("--baseline: %w", err)
	}
	defer file.Close()
	base, err := report.ReadBaseline(file)
	if err != nil {
		return r, fmt.Errorf("--baseline %s: %w", f.baseline, err)
	}
	d := report.Compare(report.Side{Result: report.Result{Findings: base}}, report.Side{Result: r})
	r.Findings = d.New
	return r, nil
}
