package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/threatls/threatls/model"
)

// Scratch is a private copy of a snapshot's workspace where a change can be tried without
// touching the workspace it came from: the what-if evaluation behind verified AI fixes and the
// ranking of an attack path's controls. The whole workspace is re-evaluated for each try, so a
// change that closes one finding and opens another anywhere shows.
//
// It is built with the Workspace API only: the snapshot's texts are written to a private
// temporary directory (mode 0700, removed by Close) and loaded as a workspace of their own;
// a try writes one file there and refreshes it. Cost: creating a scratch is one full scan of
// the snapshot's files (parse, extract, build, evaluate); each Try is one file re-read and one
// model rebuild and evaluation (the same as an edit in the editor), plus one more when Try
// switches to another file and restores the previous one.
//
// A Scratch is not safe for concurrent use.
type Scratch struct {
	ws      *Workspace
	dir     string
	base    *Snapshot
	changed map[string]bool // files whose text differs from base's
	last    *Snapshot
}

// NewScratch copies the files of s (with the texts of replace instead of theirs, a file of
// replace that s lacks being added) into a scratch workspace and evaluates it. Files that
// have no path — an editor's untitled buffer — are left out. The caller must Close it.
func (e *Engine) NewScratch(ctx context.Context, s *Snapshot, cfg Config, replace map[string][]byte) (*Scratch, error) {
	dir, err := os.MkdirTemp("", "threatls-whatif-")
	if err != nil {
		return nil, fmt.Errorf("what-if: %w", err)
	}
	sc := &Scratch{dir: dir, base: s, changed: map[string]bool{}}
	write := func(key string, text []byte) error {
		if !scratchable(key) {
			return nil
		}
		p := filepath.Join(dir, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return err
		}
		return os.WriteFile(p, text, 0o600)
	}
	for _, key := range s.Files() {
		if ctx.Err() != nil {
			sc.Close()
			return nil, ctx.Err()
		}
		f := s.File(key)
		if !f.Analyzed {
			continue
		}
		text := f.Text
		if r, ok := replace[key]; ok {
			text = r
			sc.changed[key] = true
		}
		if err := write(key, text); err != nil {
			sc.Close()
			return nil, fmt.Errorf("what-if: copy %s: %w", key, err)
		}
	}
	for key, text := range replace {
		if s.File(key) == nil {
			if err := write(key, text); err != nil {
				sc.Close()
				return nil, fmt.Errorf("what-if: write %s: %w", key, err)
			}
			sc.changed[key] = true
		}
	}
	// Every file written was in the snapshot, so nothing is excluded again, and the size
	// limit stays the user's.
	sc.ws = e.Workspace(dir, Config{MaxFileSize: cfg.MaxFileSize})
	if sc.last, err = sc.ws.Load(ctx, nil); err != nil {
		sc.Close()
		return nil, fmt.Errorf("what-if: %w", err)
	}
	return sc, nil
}

// scratchable reports whether a file key can be written under the scratch directory: a
// relative path that stays inside it.
func scratchable(key string) bool {
	if key == "" || model.IsURI(key) || filepath.IsAbs(key) {
		return false
	}
	clean := filepath.ToSlash(filepath.Clean(filepath.FromSlash(key)))
	return clean != ".." && !strings.HasPrefix(clean, "../")
}

// Snapshot returns the scratch workspace's current snapshot.
func (sc *Scratch) Snapshot() *Snapshot { return sc.last }

// Try replaces the text of file (adding it if the workspace lacks it) and returns the
// re-evaluated snapshot. Files changed by earlier tries get their original text back first,
// so each try is measured against the original workspace plus this one change.
func (sc *Scratch) Try(file string, text []byte) (*Snapshot, error) {
	if !scratchable(file) {
		return nil, fmt.Errorf("what-if: %s is not a file of the workspace directory", file)
	}
	for k := range sc.changed {
		if k == file {
			continue
		}
		if err := sc.restore(k); err != nil {
			return nil, err
		}
	}
	if err := sc.put(file, text); err != nil {
		return nil, err
	}
	sc.changed[file] = true
	snap, err := sc.ws.Refresh(file)
	if err != nil {
		return nil, fmt.Errorf("what-if: %s: %w", file, err)
	}
	sc.last = snap
	return snap, nil
}

// restore gives file its text of the base snapshot back (or removes it if the base lacks it).
func (sc *Scratch) restore(file string) error {
	p := filepath.Join(sc.dir, filepath.FromSlash(file))
	if f := sc.base.File(file); f != nil {
		if err := sc.put(file, f.Text); err != nil {
			return err
		}
	} else if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("what-if: restore %s: %w", file, err)
	}
	delete(sc.changed, file)
	snap, err := sc.ws.Refresh(file)
	if err != nil {
		return fmt.Errorf("what-if: restore %s: %w", file, err)
	}
	sc.last = snap
	return nil
}

func (sc *Scratch) put(file string, text []byte) error {
	p := filepath.Join(sc.dir, filepath.FromSlash(file))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("what-if: %w", err)
	}
	if err := os.WriteFile(p, text, 0o600); err != nil {
		return fmt.Errorf("what-if: %w", err)
	}
	return nil
}

// Close removes the scratch directory.
func (sc *Scratch) Close() error {
	if sc.dir == "" {
		return nil
	}
	err := os.RemoveAll(sc.dir)
	sc.dir = ""
	if err != nil {
		return fmt.Errorf("what-if: %w", err)
	}
	return nil
}

// WhatIf returns the findings of the workspace of s with file's text replaced by text: the
// whole workspace re-evaluated, s untouched. It costs one full scan of the snapshot's files
// (see Scratch).
func (e *Engine) WhatIf(ctx context.Context, s *Snapshot, cfg Config, file string, text []byte) (*Snapshot, error) {
	if !scratchable(file) {
		return nil, fmt.Errorf("what-if: %s is not a file of the workspace directory", file)
	}
	sc, err := e.NewScratch(ctx, s, cfg, map[string][]byte{file: text})
	if err != nil {
		return nil, err
	}
	defer sc.Close()
	return sc.Snapshot(), nil
}
