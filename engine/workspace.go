package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"sync"

	"go.uber.org/zap"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// Workspace is a set of files under a root: read from disk, or held open by an editor. Its
// methods are safe for concurrent use; each change produces a new immutable Snapshot.
type Workspace struct {
	eng  *Engine
	root string // absolute directory, or "" when there is none

	mu      sync.Mutex
	cfg     Config
	files   map[string]*fileState
	skipped []model.Skipped
	snap    *Snapshot
	// builder fuses the elements of every format into the model, reusing its previous work;
	// links holds each analyzer's last Link (see linked).
	builder model.Builder
	links   map[string]linkResult
	// evalCache holds the findings of each element of the last snapshot (see evaluate).
	evalCache map[*model.Element]evaluated
	// stale is set when Stage changed a file and the snapshot is not rebuilt yet.
	stale bool
}

// evaluated is the cached evaluation of one element: its findings and the digest of the
// neighbourhood they depend on (for model-level threats).
type evaluated struct {
	findings []model.Finding
	deps     uint64
}

// fileState is the mutable record of one file; snapshots copy what they need from it.
type fileState struct {
	key        string
	languageID string
	analyzer   analyzers.Analyzer
	text       []byte
	version    int32
	open       bool            // an editor holds the file: its text wins over the disk's
	doc        *parse.Document // kept only while an editor has the file open (and it is analysed)
	facts      *model.FileFacts
}

// Workspace returns an empty workspace rooted at root (an absolute directory, or "").
func (e *Engine) Workspace(root string, cfg Config) *Workspace {
	w := &Workspace{eng: e, root: root, cfg: cfg, files: map[string]*fileState{}}
	w.snap = w.build()
	return w
}

// Snapshot returns the current snapshot, built first if Stage left it behind.
func (w *Workspace) Snapshot() *Snapshot {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stale {
		w.snap = w.build()
	}
	return w.snap
}

// Text returns the current text of a file, staged edits included, without building a
// snapshot; ok is false when the workspace has no such file.
func (w *Workspace) Text(file string) ([]byte, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	st, ok := w.files[file]
	if !ok {
		return nil, false
	}
	return st.text, true
}

// Load reads every file under the root that an analyzer reads, in parallel, and returns the
// resulting snapshot. Unreadable directories, symlink loops, binary and over-size files are
// skipped with a logged reason (and listed in Snapshot.Skipped); they never stop the scan.
// Files an editor holds open keep the editor's text.
func (w *Workspace) Load(ctx context.Context, progress func(done, total int)) (*Snapshot, error) {
	if w.root == "" {
		return w.Snapshot(), nil
	}
	w.mu.Lock()
	cfg := w.cfg
	w.mu.Unlock()
	paths, skipped := w.walk(cfg)
	w.mu.Lock()
	paths = slices.DeleteFunc(paths, func(p string) bool { // the editor's text wins
		st, ok := w.files[w.key(p)]
		return ok && st.open
	})
	w.mu.Unlock()
	type result struct {
		st   *fileState
		skip *model.Skipped
	}
	results := make([]result, len(paths))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var done int
	var doneMu sync.Mutex
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				st, skip := w.readFile(ctx, paths[i], cfg)
				results[i] = result{st, skip}
				if progress != nil {
					doneMu.Lock()
					done++
					progress(done, len(paths))
					doneMu.Unlock()
				}
			}
		}()
	}
	for i := range paths {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	// What the disk holds now replaces what it held: files deleted, newly excluded or grown
	// over the limit since the last load disappear. Files an editor holds open stay.
	files := make(map[string]*fileState, len(results))
	for key, st := range w.files {
		if st.open {
			files[key] = st
		}
	}
	w.skipped = skipped
	for _, r := range results {
		if r.skip != nil {
			w.skipped = append(w.skipped, *r.skip)
		}
		if r.st == nil {
			continue
		}
		if old, ok := files[r.st.key]; ok && old.open {
			continue // the editor's text wins
		}
		files[r.st.key] = r.st
	}
	w.files = files
	sort.Slice(w.skipped, func(i, j int) bool { return w.skipped[i].File < w.skipped[j].File })
	w.snap = w.build()
	return w.snap, ctx.Err()
}

// walk lists the files under the root that some analyzer reads.
func (w *Workspace) walk(cfg Config) (paths []string, skipped []model.Skipped) {
	filepath.WalkDir(w.root, func(p string, d fs.DirEntry, err error) error {
		rel := w.key(p)
		if err != nil {
			w.eng.log.Warn("skipping unreadable path", zap.String("path", p), zap.Error(err))
			skipped = append(skipped, model.Skipped{File: rel, Reason: err.Error()})
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != w.root && (slices.Contains(cfg.Exclude, d.Name()) || cfg.Ignore != nil && cfg.Ignore(rel, true)) {
				return filepath.SkipDir
			}
			return nil
		}
		if cfg.Ignore != nil && cfg.Ignore(rel, false) {
			return nil
		}
		// WalkDir does not follow symlinked directories, so a symlink loop cannot trap it.
		if w.eng.AnalyzerFor(rel, "") != nil {
			paths = append(paths, p)
		}
		return nil
	})
	return paths, skipped
}

// key maps an absolute path under the root to the workspace-relative, slash-separated key.
func (w *Workspace) key(p string) string {
	rel, err := filepath.Rel(w.root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(rel)
}

// Path maps a file key back to an absolute path, or "" for keys that are not paths.
func (w *Workspace) Path(key string) string {
	if w.root == "" || filepath.IsAbs(key) || model.IsURI(key) {
		return ""
	}
	return filepath.Join(w.root, filepath.FromSlash(key))
}

// readFile reads and extracts one file from disk. A nil state means there is nothing to keep.
func (w *Workspace) readFile(ctx context.Context, p string, cfg Config) (*fileState, *model.Skipped) {
	key := w.key(p)
	a := w.eng.AnalyzerFor(key, "")
	if a == nil {
		return nil, nil
	}
	info, err := os.Stat(p)
	if err != nil {
		w.eng.log.Warn("skipping unreadable file", zap.String("file", key), zap.Error(err))
		return nil, &model.Skipped{File: key, Reason: err.Error()}
	}
	if cfg.MaxFileSize > 0 && info.Size() > cfg.MaxFileSize {
		reason := fmt.Sprintf("%d bytes is over the %d-byte limit (setting maxFileSize)", info.Size(), cfg.MaxFileSize)
		w.eng.log.Info("skipping large file", zap.String("file", key), zap.String("reason", reason))
		return nil, &model.Skipped{File: key, Reason: reason}
	}
	text, err := os.ReadFile(p)
	if err != nil {
		w.eng.log.Warn("skipping unreadable file", zap.String("file", key), zap.Error(err))
		return nil, &model.Skipped{File: key, Reason: err.Error()}
	}
	if binary(text) {
		w.eng.log.Info("skipping binary file", zap.String("file", key))
		return nil, &model.Skipped{File: key, Reason: "binary file"}
	}
	tree, err := parse.Parse(ctx, a.Lang(), text)
	if err != nil {
		return nil, &model.Skipped{File: key, Reason: err.Error()}
	}
	defer tree.Close()
	return &fileState{key: key, analyzer: a, text: text, facts: w.eng.extract(ctx, a, key, tree)}, nil
}

// Open records that an editor opened file with text. The tree is kept for incremental edits.
func (w *Workspace) Open(file, languageID string, version int32, text []byte) (*Snapshot, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.openLocked(file, languageID, version, text)
}

func (w *Workspace) openLocked(file, languageID string, version int32, text []byte) (*Snapshot, error) {
	a := w.eng.AnalyzerFor(file, languageID)
	if old, ok := w.files[file]; ok && old.doc != nil {
		old.doc.Close()
	}
	st := &fileState{key: file, languageID: languageID, analyzer: a, text: text, version: version, open: true}
	if a == nil {
		w.files[file] = st // not a format we read: keep the text, analyse nothing
		w.snap = w.build()
		return w.snap, nil
	}
	if reason, skip := w.tooLarge(len(text)); skip {
		w.eng.log.Info("not analysing large document", zap.String("file", file), zap.String("reason", reason))
		st.facts = &model.FileFacts{File: file, Format: a.Name(), Problems: []model.Problem{{
			Span: model.Span{File: file}, Message: "not analysed: " + reason}}}
		w.files[file] = st
		w.snap = w.build()
		return w.snap, nil
	}
	doc, err := parse.NewDocument(context.Background(), a.Lang(), text)
	if err != nil {
		return w.snap, fmt.Errorf("open %s: %w", file, err)
	}
	st.doc = doc
	st.facts = w.eng.extract(context.Background(), a, file, doc.Tree())
	w.files[file] = st
	w.snap = w.build()
	return w.snap, nil
}

func (w *Workspace) tooLarge(n int) (string, bool) {
	if w.cfg.MaxFileSize > 0 && int64(n) > w.cfg.MaxFileSize {
		return fmt.Sprintf("%d bytes is over the %d-byte limit (setting maxFileSize)", n, w.cfg.MaxFileSize), true
	}
	return "", false
}

// ErrNotOpen is returned for an edit of a file that is not open.
var ErrNotOpen = errors.New("document is not open")

// Change applies byte edits (in order) to an open file, reparses incrementally and re-evaluates.
// An edit out of range leaves the file as it was and returns an error.
func (w *Workspace) Change(file string, version int32, edits []parse.Edit) (*Snapshot, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.changeLocked(file, version, edits); err != nil {
		if w.stale {
			w.snap = w.build()
		}
		return w.snap, err
	}
	w.snap = w.build()
	return w.snap, nil
}

// Stage applies byte edits to an open file like Change, reparsing and re-extracting it, but
// leaves the rebuild of the model to whatever reads the workspace next: the editor sends
// another change of the same document right behind this one, and one rebuild serves both.
func (w *Workspace) Stage(file string, version int32, edits []parse.Edit) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.changeLocked(file, version, edits)
}

// changeLocked applies edits to the state of an open file and marks the snapshot stale.
// The caller holds w.mu.
func (w *Workspace) changeLocked(file string, version int32, edits []parse.Edit) error {
	st, ok := w.files[file]
	if !ok || !st.open {
		return fmt.Errorf("change %s: %w", file, ErrNotOpen)
	}
	if st.doc == nil {
		// Not analysed (too large, or not our format): keep the text current all the same.
		text, err := parse.ApplyEdits(st.text, edits)
		if err != nil {
			return fmt.Errorf("change %s: %w", file, err)
		}
		if st.analyzer != nil {
			_, err := w.openLocked(file, st.languageID, version, text)
			return err
		}
		next := *st
		next.text, next.version = text, version
		w.files[file] = &next
		w.stale = true
		return nil
	}
	if err := st.doc.Apply(context.Background(), edits); err != nil {
		return fmt.Errorf("change %s: %w", file, err)
	}
	next := *st
	next.text, next.version = st.doc.Text(), version
	next.facts = w.eng.extract(context.Background(), st.analyzer, file, st.doc.Tree())
	w.files[file] = &next
	w.stale = true
	return nil
}

// Close records that the editor closed file: its tree is dropped and the file is re-read from
// disk (or forgotten, if it has no file on disk).
func (w *Workspace) Close(file string) (*Snapshot, error) {
	w.mu.Lock()
	if st, ok := w.files[file]; ok && st.open {
		if st.doc != nil {
			st.doc.Close()
		}
		delete(w.files, file)
	}
	w.mu.Unlock()
	return w.Refresh(file)
}

// Refresh re-reads file from disk after it changed, appeared or disappeared there. Files an
// editor holds open are left alone: the editor's text wins.
func (w *Workspace) Refresh(file string) (*Snapshot, error) {
	p := w.Path(file)
	w.mu.Lock()
	cfg := w.cfg
	if st, ok := w.files[file]; ok && st.open {
		defer w.mu.Unlock()
		return w.snap, nil
	}
	w.mu.Unlock()
	var st *fileState
	var skip *model.Skipped
	if p != "" {
		if _, err := os.Stat(p); err == nil {
			st, skip = w.readFile(context.Background(), p, cfg)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if cur, ok := w.files[file]; ok && cur.open {
		return w.snap, nil // opened meanwhile
	}
	delete(w.files, file)
	w.skipped = slices.DeleteFunc(w.skipped, func(s model.Skipped) bool { return s.File == file })
	if st != nil {
		w.files[file] = st
	}
	if skip != nil {
		w.skipped = append(w.skipped, *skip)
	}
	w.snap = w.build()
	return w.snap, nil
}

// Reconfigure applies a new configuration and rescans from disk.
func (w *Workspace) Reconfigure(ctx context.Context, cfg Config) (*Snapshot, error) {
	w.mu.Lock()
	w.cfg = cfg
	w.mu.Unlock()
	return w.Load(ctx, nil)
}
