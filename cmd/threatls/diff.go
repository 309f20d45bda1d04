package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/threatls/threatls/model"
	"github.com/threatls/threatls/report"
)

func newDiff(g *globals) *cobra.Command {
	var format, output, failOn, linkBase string
	cmd := &cobra.Command{
		Use:   "diff [BASE_REV] [PATH]",
		Short: "Report what a change adds to and removes from the threat model",
		Long: `diff compares the work tree under PATH (default: the current directory), as it is on disk,
committed or not, with the same directory at BASE_REV, and reports only what changed: new and
fixed findings, newly accepted ones, new and removed flows, new boundary crossings, new and
broken attack paths, and the change of residual risk.

BASE_REV defaults to the merge base of HEAD with the default branch (origin's HEAD, else main,
else master), else HEAD. A single argument is BASE_REV when git knows it as a revision,
PATH otherwise. The base is read from git with git archive into a temporary directory: the
work tree, the index and the checked-out branch are never touched.

Findings match by fingerprint (threat and element, never a line number), then by threat and
element name, so a finding that moves within its file, or whose file moves, is neither new
nor fixed.

Formats: text, json (top-level "new", "fixed" and "accepted" lists of findings in the shape
of scan --format json, and "model", the model's changes), sarif (the new findings) and
markdown (a pull-request comment).

Exit status: 0 when no new finding reaches --fail-on (or it is not set), 1 when one does, 2
when the comparison could not run: PATH is not in a git repository, BASE_REV does not exist,
or the clone is too shallow to hold it.`,
		Example: `  threatls diff                       # against the merge base with the default branch
  threatls diff origin/main .
  threatls diff --format markdown -o comment.md HEAD~1
  threatls diff --fail-on high --format sarif -o new.sarif main`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var threshold model.Severity
			if failOn != "" {
				s, ok := model.ParseSeverity(failOn)
				if !ok {
					return fmt.Errorf("--fail-on %q: want critical, high, medium, low or info", failOn)
				}
				threshold = s
			}
			if !contains([]string{"text", "json", "sarif", "markdown"}, format) {
				return fmt.Errorf("--format %q: want text, json, sarif or markdown", format)
			}
			ctx := cmd.Context()
			rev, dir, err := diffArgs(ctx, args)
			if err != nil {
				return err
			}
			repo, err := gitRepo(ctx, dir)
			if err != nil {
				return err
			}
			base, err := repo.base(ctx, rev)
			if err != nil {
				return err
			}
			tmp, err := os.MkdirTemp("", "threatls-base-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			if err := repo.archive(ctx, base, tmp); err != nil {
				return err
			}
			head, err := load(cmd, g, "diff", dir, 0)
			if err != nil {
				return err
			}
			baseDir := filepath.Join(tmp, filepath.FromSlash(repo.prefix))
			if err := os.MkdirAll(baseDir, 0o755); err != nil { // the directory may be new
				return err
			}
			old, err := load(cmd, g, "diff", baseDir, 0)
			if err != nil {
				return fmt.Errorf("diff: the base %s: %w", short(base), err)
			}
			hr, br := head.result(), old.result()
			br.Root = hr.Root
			d := report.Compare(report.Side{Result: br, Graph: old.snap.Graph()}, report.Side{Result: hr, Graph: head.snap.Graph()})
			lib := head.eng.Library()
			if format == "markdown" && !cmd.Flags().Changed("link-base") {
				linkBase = relativeLinkBase(head.root, output)
			}
			err = writeOutput(cmd, output, func(w io.Writer) error {
				switch format {
				case "json":
					return report.DiffJSON(w, d, hr, lib)
				case "sarif":
					nr := hr
					nr.Findings = d.New
					return report.SARIF(w, nr, lib, versionString())
				case "markdown":
					return report.DiffMarkdown(w, d, hr, lib, linkBase)
				}
				fmt.Fprintf(w, "compared with %s\n", short(base))
				return report.DiffText(w, d, hr, lib)
			})
			if err != nil {
				return fmt.Errorf("write the %s diff: %w", format, err)
			}
			if threshold != "" {
				if code := report.ExitCode(report.Result{Findings: d.New}, threshold); code != 0 {
					return exitError{code}
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&format, "format", "f", "text", "text, json, sarif or markdown")
	f.StringVarP(&output, "output", "o", "", "write to this file instead of stdout")
	f.StringVar(&failOn, "fail-on", "", "exit with status 1 if a NEW finding of this severity or worse is found: critical, high, medium, low, info")
	f.StringVar(&linkBase, "link-base", "", "prefix of the findings' links in the Markdown comment")
	return cmd
}

// diffArgs reads [BASE_REV] [PATH]: one argument is a revision when git knows it as one.
func diffArgs(ctx context.Context, args []string) (rev, dir string, err error) {
	dir = "."
	switch len(args) {
	case 2:
		rev, dir = args[0], args[1]
	case 1:
		if _, statErr := os.Stat(args[0]); statErr != nil {
			rev = args[0]
		} else if _, gitErr := git(ctx, ".", "rev-parse", "--verify", "--quiet", args[0]+"^{commit}"); gitErr == nil {
			rev = args[0]
		} else {
			dir = args[0]
		}
	}
	info, err := os.Stat(dir)
	if err != nil {
		return "", "", fmt.Errorf("diff: %w", err)
	}
	if !info.IsDir() {
		dir = filepath.Dir(dir)
	}
	return rev, dir, nil
}

// repository is the git repository of the directory diff compares.
type repository struct {
	dir     string // the directory compared
	top     string // the repository's top directory
	prefix  string // its path inside the repository, slash-separated, "" at the top
	shallow bool
}

func gitRepo(ctx context.Context, dir string) (*repository, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return nil, errors.New("diff: git is not installed")
	}
	prefix, err := git(ctx, dir, "rev-parse", "--show-prefix")
	if err != nil {
		return nil, fmt.Errorf("diff: %s is not in a git repository", dir)
	}
	top, err := git(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("diff: %s: %w", dir, err)
	}
	shallow, _ := git(ctx, dir, "rev-parse", "--is-shallow-repository")
	return &repository{dir: dir, top: top, prefix: strings.TrimSuffix(prefix, "/"), shallow: shallow == "true"}, nil
}

// base resolves the revision to compare with: rev, or the merge base with the default branch,
// else HEAD.
func (r *repository) base(ctx context.Context, rev string) (string, error) {
	if rev != "" {
		sha, err := git(ctx, r.dir, "rev-parse", "--verify", "--quiet", rev+"^{commit}")
		if err != nil {
			if r.shallow {
				return "", fmt.Errorf("diff: the base revision %q is not in this shallow clone: fetch its history (actions/checkout with fetch-depth: 0, or git fetch --unshallow)", rev)
			}
			return "", fmt.Errorf("diff: the base revision %q does not exist", rev)
		}
		return sha, nil
	}
	head, err := git(ctx, r.dir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
	if err != nil {
		return "", errors.New("diff: the repository has no commit to compare with")
	}
	for _, branch := range r.defaultBranches(ctx) {
		mb, err := git(ctx, r.dir, "merge-base", "HEAD", branch)
		if err == nil && mb != "" {
			return mb, nil
		}
		if r.shallow {
			return "", fmt.Errorf("diff: HEAD and %s have no merge base in this shallow clone: fetch their history (actions/checkout with fetch-depth: 0), or name BASE_REV", branch)
		}
	}
	return head, nil
}

// defaultBranches are the candidates for the default branch, the likeliest first.
func (r *repository) defaultBranches(ctx context.Context) []string {
	var out []string
	if ref, err := git(ctx, r.dir, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"); err == nil && ref != "" {
		return []string{ref}
	}
	for _, b := range []string{"main", "master", "origin/main", "origin/master"} {
		if _, err := git(ctx, r.dir, "rev-parse", "--verify", "--quiet", b+"^{commit}"); err == nil {
			out = append(out, b)
			break
		}
	}
	return out
}

// archive writes the tree of rev into dir, through git archive: regular files and
// directories only (a symbolic link could point outside dir, and is left out).
func (r *repository) archive(ctx context.Context, rev, dir string) error {
	args := []string{"archive", "--format=tar", rev}
	if r.prefix != "" {
		args = append(args, "--", r.prefix)
	}
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = r.top // names in the archive are relative to the top
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("diff: git archive: %w", err)
	}
	extractErr := untar(out, dir)
	_, _ = io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		if strings.Contains(stderr.String(), "did not match any files") {
			return nil // the directory does not exist at the base: everything is new
		}
		return fmt.Errorf("diff: git archive %s: %v: %s", short(rev), err, strings.TrimSpace(stderr.String()))
	}
	return extractErr
}

func untar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("diff: read git archive: %w", err)
		}
		name := path.Clean(h.Name)
		if path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			continue
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
	}
}

// git runs git in dir and returns its trimmed output.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
