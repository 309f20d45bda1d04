package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/threatls/threatls/ai"
	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

func newExplain(g *globals) *cobra.Command {
	var (
		format, root string
		flags        aiFlags
	)
	cmd := &cobra.Command{
		Use:   "explain ID | FILE:LINE",
		Short: "Explain a threat, or how to fix the findings on a line",
		Long: `explain ID documents a threat of the library: why it matters, how it is detected, how to
fix it.

explain FILE:LINE prints the remediation of each finding on that line of the workspace, as
the editor's "Show remediation" does: the steps for that element, with the values that make
the threat apply and where they are; each mechanical fix as a diff of your own block, or the
threat's example adapted to your names; for a finding on an attack path, the missing
controls ranked by re-evaluating the model with each one added; the threatls.yaml entry that
records a control already in place elsewhere. --format json or markdown for scripts and docs.
The workspace is the nearest directory above FILE with .git or threatls.yaml (or --root).

With --ai, an LLM explains each finding too and may propose a fix, which is verified against
the whole workspace before it is called verified (see threatls ai preview for what is sent).`,
		Example: `  threatls explain AWS-S3-001
  threatls explain k8s/api.yaml:23
  threatls explain --format json infra/data.tf:8`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if file, line, ok := splitFileLine(args[0]); ok {
				return explainLine(cmd, g, file, line, format, root, &flags)
			}
			lib, err := g.library()
			if err != nil {
				return err
			}
			id := strings.ToUpper(args[0])
			if t := lib.Threat(id); t != nil {
				_, err = io.WriteString(cmd.OutOrStdout(), t.Markdown())
				return err
			}
			if m, ok := knowledge.MetaRuleFor(id); ok {
				_, err = io.WriteString(cmd.OutOrStdout(), m.Markdown())
				return err
			}
			return fmt.Errorf("no threat %s in the library (threatls rules lists them), and no file %s", args[0], args[0])
		},
	}
	f := cmd.Flags()
	f.StringVarP(&format, "format", "f", "text", "for FILE:LINE: text, json or markdown")
	f.StringVar(&root, "root", "", "for FILE:LINE: the workspace root (default: the nearest directory above FILE with .git or threatls.yaml)")
	flags.add(f, "ai", "also ask an LLM to explain each finding and propose a fix (off by default; see threatls ai preview)")
	return cmd
}

var fileLineRE = regexp.MustCompile(`^(.+):(\d+)(?::\d+)?$`)

// splitFileLine reads FILE:LINE (or FILE:LINE:COL) naming an existing file.
func splitFileLine(arg string) (string, int, bool) {
	m := fileLineRE.FindStringSubmatch(arg)
	if m == nil {
		return "", 0, false
	}
	if info, err := os.Stat(m[1]); err != nil || info.IsDir() {
		return "", 0, false
	}
	n, err := strconv.Atoi(m[2])
	if err != nil || n < 1 {
		return "", 0, false
	}
	return m[1], n, true
}

// lineWorkspace is the workspace around one file, for explain and ai preview.
type lineWorkspace struct {
	eng  *engine.Engine
	snap *engine.Snapshot
	cfg  engine.Config
	root string // absolute
	key  string // the file's key
}

// loadAround analyses the workspace file belongs to: root if given, else the nearest
// directory above it holding .git or threatls.yaml, else the current directory when the file
// is under it, else the file's directory.
func loadAround(cmd *cobra.Command, g *globals, file, root string) (*lineWorkspace, error) {
	eng, err := g.engine()
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	if root == "" {
		root = findRoot(abs)
	}
	if root, err = filepath.Abs(root); err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, fmt.Errorf("%s is not under the workspace root %s", file, root)
	}
	cfg := engine.DefaultConfig()
	snap, err := eng.Workspace(root, cfg).Load(cmd.Context(), progress(cmd.ErrOrStderr()))
	if err != nil {
		return nil, fmt.Errorf("explain %s: %w", file, err)
	}
	lw := &lineWorkspace{eng: eng, snap: snap, cfg: cfg, root: root, key: filepath.ToSlash(rel)}
	if snap.File(lw.key) == nil {
		return nil, fmt.Errorf("%s is not a file threatls reads (or it is excluded)", file)
	}
	return lw, nil
}

func findRoot(abs string) string {
	for dir := filepath.Dir(abs); ; {
		for _, marker := range []string{".git", "threatls.yaml", ".threatls.yaml"} {
			if _, err := os.Stat(filepath.Join(dir, marker)); err == nil {
				return dir
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "..") {
			return wd
		}
	}
	return filepath.Dir(abs)
}

// findingsOn returns the shown findings of the file whose range covers the one-based line.
func (lw *lineWorkspace) findingsOn(line int) ([]model.Finding, error) {
	var out []model.Finding
	var lines []string
	for _, f := range lw.snap.File(lw.key).Findings {
		if f.Suppressed != nil {
			continue
		}
		if int(f.Span.Start.Line) <= line-1 && line-1 <= int(f.Span.End.Line) {
			out = append(out, f)
		}
		if n := strconv.Itoa(int(f.Span.Start.Line) + 1); len(lines) == 0 || lines[len(lines)-1] != n {
			lines = append(lines, n)
		}
	}
	if len(out) == 0 {
		if len(lines) == 0 {
			return nil, fmt.Errorf("no finding in %s", lw.key)
		}
		return nil, fmt.Errorf("no finding on line %d of %s; its findings are on lines %s", line, lw.key, strings.Join(lines, ", "))
	}
	return out, nil
}

// explained is one finding's guidance and, with --ai, its enrichment: the JSON of explain.
type explained struct {
	knowledge.Guidance
	Enrichment *ai.Enrichment `json:"enrichment,omitempty"`
}

func explainLine(cmd *cobra.Command, g *globals, file string, line int, format, root string, flags *aiFlags) error {
	if format != "text" && format != "json" && format != "markdown" {
		return fmt.Errorf("--format %q: want text, json or markdown", format)
	}
	lw, err := loadAround(cmd, g, file, root)
	if err != nil {
		return err
	}
	fs, err := lw.findingsOn(line)
	if err != nil {
		return err
	}
	var svc *ai.Service
	var aiErr error
	if flags.on {
		if svc, aiErr = flags.service(g, lw.eng, lw.root); svc != nil {
			defer svc.Close()
		}
	}
	out := make([]explained, len(fs))
	for i, f := range fs {
		out[i].Guidance = lw.eng.Guide(cmd.Context(), lw.snap, lw.cfg, f, engine.GuideOptions{Rank: true})
		switch {
		case svc != nil:
			e := svc.Enrich(cmd.Context(), lw.snap, lw.cfg, f)
			out[i].Enrichment = &e
		case aiErr != nil:
			out[i].Enrichment = &ai.Enrichment{Error: "AI is not configured: " + aiErr.Error()}
		}
	}
	w := cmd.OutOrStdout()
	switch format {
	case "json":
		return writeJSON(w, out)
	case "markdown":
		for i, x := range out {
			if i > 0 {
				io.WriteString(w, "\n---\n\n")
			}
			io.WriteString(w, x.Markdown())
			if x.Enrichment != nil {
				io.WriteString(w, "\n"+x.Enrichment.Markdown())
			}
		}
		return nil
	}
	for i, x := range out {
		if i > 0 {
			io.WriteString(w, "\n")
		}
		io.WriteString(w, x.Text())
		if x.Enrichment != nil {
			io.WriteString(w, "\n"+x.Enrichment.Markdown())
		}
	}
	return nil
}
