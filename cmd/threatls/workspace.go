package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/model"
)

// workspace is an analysed workspace, what scan and model report on.
type workspace struct {
	eng  *engine.Engine
	snap *engine.Snapshot
	root string // absolute
	// display is what report locations are relative to: the path given, or its directory when
	// it is a file, so that they stay relative to where the user is. only is that file's key,
	// "" for a directory.
	display, only string
}

// load analyses the workspace of path for the command verb: path's directory, or the
// directory of the file path names (a Terraform module spans files). maxFileSize > 0 replaces
// the default limit on the size of the files read.
func load(cmd *cobra.Command, g *globals, verb, path string, maxFileSize int64) (*workspace, error) {
	eng, err := g.engine()
	if err != nil {
		return nil, err
	}
	root, only, err := scanRoot(path)
	if err != nil {
		return nil, err
	}
	cfg := engine.DefaultConfig()
	if maxFileSize > 0 {
		cfg.MaxFileSize = maxFileSize
	}
	if g.ignore != nil {
		cfg.Ignore = g.ignore(root)
	}
	if g.notAnalysed != "" {
		sev, ok := model.ParseSeverity(g.notAnalysed)
		if !ok {
			return nil, fmt.Errorf("--not-analysed-severity %q: want critical, high, medium, low or info", g.notAnalysed)
		}
		cfg.NotAnalysed = sev
	}
	snap, err := eng.Workspace(root, cfg).Load(cmd.Context(), progress(cmd.ErrOrStderr()))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", verb, path, err)
	}
	if verb != "diff" && !readAny(snap) {
		// A gate that read nothing passed nothing: say so, and fail.
		why := "no file of a format threatls reads is there"
		if n := len(snap.Skipped()); n > 0 {
			why = fmt.Sprintf("none of the %d files of a format threatls reads could be analysed (%s: %s)", n,
				snap.Skipped()[0].File, snap.Skipped()[0].Reason)
		}
		return nil, fmt.Errorf("%s %s: nothing to analyse: %s (Terraform, CloudFormation, Kubernetes and compose YAML, Dockerfiles, GitHub Actions workflows, Markdown with Mermaid, Threagile, OTM, threatls.yaml, application code)", verb, path, why)
	}
	w := &workspace{eng: eng, snap: snap, root: root, display: path, only: only}
	if only != "" {
		w.display = displayRoot(path, root)
	}
	return w, nil
}

// source returns the text of a file of the workspace, or nil.
func (w *workspace) source(file string) []byte {
	if f := w.snap.File(file); f != nil {
		return f.Text
	}
	return nil
}

// scanRoot returns the workspace root for path and, when path is a file, that file's key:
// the file is analysed with the rest of its project (projectRoot), as it is when the project
// is scanned, and only its findings are reported.
func scanRoot(path string) (root, only string, err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", "", err
	}
	info, err := os.Stat(abs)
	if err != nil {
		return "", "", err
	}
	if info.IsDir() {
		return abs, "", nil
	}
	root = projectRoot(filepath.Dir(abs))
	only, err = filepath.Rel(root, abs)
	if err != nil {
		return "", "", err
	}
	return root, filepath.ToSlash(only), nil
}

// readAny reports whether a snapshot analysed at least one file.
func readAny(s *engine.Snapshot) bool {
	for _, k := range s.Files() {
		if f := s.File(k); f != nil && f.Analyzed {
			return true
		}
	}
	return false
}
