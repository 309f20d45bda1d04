package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"go.uber.org/zap"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// Workspace is a set of files under a root: read from disk, or held open by an editor. Its
// methods are safe for concurrent use.
//
// Two locks keep an edit from waiting for the model: mu guards the files (their text, trees
// and facts), held only while a file is read, parsed or extracted; bmu serialises the updates
// of the model, which read the facts of the files changed since the last update and publish
// a new immutable Snapshot. An editor's keystrokes are staged (Stage) while an update runs;
// the next update takes them all at once.
type Workspace struct {
	eng       *Engine
	root      string               // absolute directory, or "" when there is none
	analyzers []analyzers.Analyzer // the engine's, cloned where they keep state

	mu      sync.Mutex
	cfg     Config
	files   map[string]*fileState
	skipped []model.Skipped
	dirty   map[string]struct{} // files changed since the last update
	loaded  bool                // a Load has completed: the model covers the workspace
	loading bool                // a first Load reads in batches now (see buildState.deferred)
	snap    *Snapshot
	notify  func() // called (outside mu) when a file changed
	// reading are the files a Load is reading now, each with what stops its read: an editor
	// that opens one meanwhile makes the read pointless (the editor's text wins).
	reading map[string]context.CancelFunc
	// followed are the directories the walk leaves out that are read all the same, because
	// the workspace's files call them (see followCalls). calls counts, by directory, the
	// files of the model that call it, and joined holds what each such file calls; both are
	// kept by every update (track), and callsChanged says calls changed since followCalls
	// last looked.
	followed     map[string]bool
	calls        map[string]int
	joined       map[string][]string
	callsChanged bool
	neededRuns   int // how many times neededLocked ran, for tests

	bmu sync.Mutex
	st  *buildState
}

// fileState is the record of one file. A state is replaced, never modified, except for doc,
// which only the goroutine that stages edits touches.
type fileState struct {
	key        string
	languageID string
	analyzer   analyzers.Analyzer
	text       []byte
	version    int32
	open       bool            // an editor holds the file: its text wins over the disk's
	doc        *parse.Document // kept only while an editor has the file open (and it is analysed)
	facts      *model.FileFacts
	// stale is set when edits were applied to the text and the tree's positions but not yet
	// parsed and extracted: Update does that, once for however many edits came meanwhile.
	stale bool
	// joins are the directories its facts call (analyzers.Joiner: a Terraform module's local
	// sources), read when the facts are made, while they are warm.
	joins []string
}

// Workspace returns an empty workspace rooted at root (an absolute directory, or "").
func (e *Engine) Workspace(root string, cfg Config) *Workspace {
	if root != "" {
		// A root given as a symbolic link is the directory it points to.
		if r, err := filepath.EvalSymlinks(root); err == nil {
			root = r
		}
	}
	w := &Workspace{eng: e, root: root, cfg: cfg, files: map[string]*fileState{}, dirty: map[string]struct{}{}}
	for _, a := range e.analyzers {
		if c, ok := a.(analyzers.Cloner); ok {
			a = c.Clone()
		}
		w.analyzers = append(w.analyzers, a)
	}
	w.st = newBuildState(e)
	w.st.warm.init(cfg.SyntaxBudget)
	w.snap = w.st.build(nil, nil, false)
	return w
}

// SetNotify sets a function called whenever a file of the workspace changed (opened, edited,
// read from disk): a language server updates the model then, on a goroutine of its own. f
// must not call back into the workspace synchronously with a lock it holds.
func (w *Workspace) SetNotify(f func()) {
	w.mu.Lock()
	w.notify = f
	w.mu.Unlock()
}

// analyzerFor returns the workspace's analyzer that reads file (see Engine.AnalyzerFor).
func (w *Workspace) analyzerFor(file, languageID string, head []byte) analyzers.Analyzer {
	return analyzerFor(w.analyzers, file, languageID, head)
}

// locked runs f holding w.mu, and lets it go however f ends: what f runs of an analyzer's
// (Match, sniffing) may panic, and the workspace must not stay locked for it.
func (w *Workspace) locked(f func() error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return f()
}

// sameAnalyzer reports whether a and b are the same analyzer of the workspace, by name: an
// analyzer need not be of a comparable type.
func sameAnalyzer(a, b analyzers.Analyzer) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Name() == b.Name()
}

// markLocked records that file changed. The caller holds w.mu.
func (w *Workspace) markLocked(file string) { w.dirty[file] = struct{}{} }

func (w *Workspace) signal() {
	w.mu.Lock()
	f := w.notify
	w.mu.Unlock()
	if f != nil {
		f()
	}
}

// Snapshot returns the snapshot of the workspace as it is now: the model is brought up to
// date with every staged change first.
func (w *Workspace) Snapshot() *Snapshot { return w.Update() }

// Latest returns the newest snapshot without waiting for an update: it may lag behind edits
// staged since (File.Version and Workspace.Text tell).
func (w *Workspace) Latest() *Snapshot {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.snap
}

// Pending reports whether changes are staged that no snapshot holds yet.
func (w *Workspace) Pending() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.dirty) > 0
}

// Update brings the model up to date with the changes staged since the last update and
// returns the new snapshot (the last one when nothing changed).
func (w *Workspace) Update() *Snapshot { return w.update(false) }

// afterReading, when set (by tests), runs in an update once the edited documents are read,
// before they are installed: what an editor's change arriving meanwhile meets.
var afterReading func()

// update is Update; a batch of a load (batch) links only units no earlier update linked.
func (w *Workspace) update(batch bool) *Snapshot {
	w.bmu.Lock()
	defer w.bmu.Unlock()
	w.mu.Lock()
	if len(w.dirty) == 0 {
		s := w.snap
		w.mu.Unlock()
		return s
	}
	keys := make([]string, 0, len(w.dirty))
	for k := range w.dirty {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	states := make([]*fileState, len(keys))
	for i, k := range keys {
		states[i] = w.files[k]
	}
	w.dirty = map[string]struct{}{}
	skipped, complete, notAnalysed, spliceFrom := w.skipped, w.loaded, w.cfg.NotAnalysed, w.cfg.SpliceFrom
	loading := batch || w.loading
	// Edited documents are reparsed and extracted here, outside the workspace's lock, so
	// that the editor's next changes are taken meanwhile.
	type reparse struct {
		i  int
		p  *parse.Pending
		st *fileState
		t  *parse.Tree
	}
	var rs []reparse
	for i, st := range states {
		if st != nil && st.stale {
			if p := st.doc.Snapshot(); p != nil {
				rs = append(rs, reparse{i: i, p: p, st: st})
			}
		}
	}
	w.mu.Unlock()
	for j := range rs {
		r := &rs[j]
		fresh := *r.st
		fresh.stale = false
		states[r.i] = &fresh
		// An edit of a large file between two definitions it left as they were is read
		// without parsing the file again; the document keeps its last tree, and the edits
		// since (the next reparse starts from them).
		if facts, ok := w.eng.splice(r.st.analyzer, r.st.key, r.p, r.st.facts, spliceFrom); ok {
			fresh.facts, fresh.joins = facts, joinsOf(r.st.analyzer, r.st.key, facts)
			continue
		}
		t, err := r.p.Parse(context.Background())
		if err != nil {
			fresh.facts = &model.FileFacts{File: r.st.key, Format: r.st.analyzer.Name(), Problems: []model.Problem{{
				Span: model.Span{File: r.st.key}, Message: fmt.Sprintf("the file could not be parsed again after an edit: %v", err)}}}
		} else {
			fresh.facts = w.eng.extract(context.Background(), r.st.analyzer, r.st.key, t, r.st.facts)
		}
		fresh.joins = joinsOf(r.st.analyzer, r.st.key, fresh.facts)
		r.t = t
	}
	if afterReading != nil {
		afterReading()
	}
	w.mu.Lock()
	for _, r := range rs {
		if r.t != nil {
			r.st.doc.Install(r.p, r.t)
		} else {
			r.p.Close()
		}
		switch cur := w.files[r.st.key]; {
		case cur == r.st:
			w.files[r.st.key] = states[r.i]
		case cur != nil && cur.stale && cur.doc == r.st.doc && cur.facts == r.st.facts:
			// Changed while it was read: the next update reads the newer text from what this
			// one read, the facts of the tree installed above, rather than again from the
			// reading before (whose kept build, kubernetes/kept.go, this one took).
			next := *cur
			next.facts, next.joins = states[r.i].facts, states[r.i].joins
			w.files[r.st.key] = &next
		}
	}
	w.trackLocked(keys, states)
	w.mu.Unlock()
	if !loading {
		// A load reads what its files call once it has read them (Load).
		keys, states, skipped = w.followCalls(keys, states, skipped)
	}

	s := w.build(keys, states, skipped, complete, batch, loading, notAnalysed)

	w.mu.Lock()
	w.snap = s
	w.mu.Unlock()
	return s
}

// build runs the build state's update of keys. A panic there (an analyzer's hook that the
// engine does not recover, such as Joins, or a bug of the model) leaves the build state half
// updated, and the update's keys taken: before the panic goes on to the caller, the workspace
// starts a new build state, and marks every file to be built again by the next update.
func (w *Workspace) build(keys []string, states []*fileState, skipped []model.Skipped, complete, batch, loading bool, notAnalysed model.Severity) *Snapshot {
	defer func() {
		if r := recover(); r != nil {
			w.restart(keys)
			panic(r)
		}
	}()
	return w.st.update(keys, states, skipped, complete, batch, loading, notAnalysed)
}

// restart replaces the build state with a new one that knows nothing yet, and marks every
// file of the workspace, of the last snapshot and of keys (an update's that failed) to be
// built again. What the last snapshot showed — each file's findings, the change log — carries
// over: the snapshot the next update makes says what changed since the one a reader holds,
// a file gone meanwhile included. The caller holds w.bmu.
func (w *Workspace) restart(keys []string) {
	nb := newBuildState(w.eng)
	nb.warm.init(w.cfg.SyntaxBudget)
	w.mu.Lock()
	defer w.mu.Unlock()
	last := w.snap
	nb.files, nb.findings, nb.where, nb.log, nb.seq = last.files.Copy(), last.findings.Copy(), last.where.Copy(), last.log, last.seq
	for _, k := range keys {
		w.markLocked(k)
	}
	for k := range w.files {
		w.markLocked(k)
	}
	for _, k := range last.Files() {
		w.markLocked(k)
	}
	w.st = nb
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

// Version returns the version of an open file (0 for files read from disk) and whether the
// workspace has it.
func (w *Workspace) Version(file string) (int32, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	st, ok := w.files[file]
	if !ok {
		return 0, false
	}
	return st.version, true
}

// Load reads every file under the root that an analyzer reads, in parallel, and returns the
// resulting snapshot. Unreadable directories, symlink loops, binary and over-size files are
// skipped with a logged reason (and listed in Snapshot.Skipped); they never stop the scan.
// Files an editor holds open keep the editor's text.
//
// The directories of the files an editor holds open are read first, and the workspace is
// notified of them before the rest is read, so that an editor shows their findings while the
// workspace loads (Snapshot.Complete is false until Load returns).
func (w *Workspace) Load(ctx context.Context, progress func(done, total int)) (*Snapshot, error) {
	if w.root == "" {
		w.mu.Lock()
		w.loaded = true
		w.markLocked("") // the snapshot becomes complete
		w.mu.Unlock()
		w.signal()
		return w.Snapshot(), nil
	}
	w.mu.Lock()
	cfg, reload := w.cfg, w.loaded
	openDirs := map[string]bool{}
	for key, st := range w.files {
		if st.open {
			openDirs[filepath.ToSlash(filepath.Dir(key))] = true
		}
	}
	w.mu.Unlock()
	paths, skipped := w.walk(cfg)
	// seen are the files on disk now: read, or held by the editor (whose text wins, and which
	// are not read: a file the editor opens while the load runs is not parsed for nothing, and
	// not taken for gone if the editor closes it before the load ends).
	seen := map[string]bool{}
	w.mu.Lock()
	paths = slices.DeleteFunc(paths, func(p string) bool {
		st, ok := w.files[w.key(p)]
		if ok && st.open {
			seen[st.key] = true
		}
		return ok && st.open
	})
	w.mu.Unlock()
	// read reads the file at p unless the editor holds it, and stops reading it if the editor
	// opens it meanwhile (a 5 MB file's parse is 1.5 s and 360 MB of tree); held reports that
	// the editor's text is what counts.
	read := func(p string) (st *fileState, skip *model.Skipped, held bool) {
		key := w.key(p)
		rctx, stop := context.WithCancel(ctx)
		defer stop()
		w.mu.Lock()
		if st, ok := w.files[key]; ok && st.open {
			w.mu.Unlock()
			return nil, nil, true
		}
		if w.reading == nil {
			w.reading = map[string]context.CancelFunc{}
		}
		w.reading[key] = stop
		w.mu.Unlock()
		st, skip = w.readFile(rctx, p, cfg)
		w.mu.Lock()
		delete(w.reading, key)
		w.mu.Unlock()
		if rctx.Err() != nil && ctx.Err() == nil { // opened meanwhile
			return nil, nil, true
		}
		return st, skip, false
	}
	// The open files' directories first.
	sort.SliceStable(paths, func(i, j int) bool {
		return openDirs[filepath.ToSlash(filepath.Dir(w.key(paths[i])))] && !openDirs[filepath.ToSlash(filepath.Dir(w.key(paths[j])))]
	})
	first := 0
	for first < len(paths) && openDirs[filepath.ToSlash(filepath.Dir(w.key(paths[first])))] {
		first++
	}
	results := make([]*fileState, len(paths))
	skips := make([]*model.Skipped, len(paths))
	open := make([]bool, len(paths))
	var done int
	var doneMu sync.Mutex
	readAll := func(lo, hi int) {
		jobs := make(chan int)
		var wg sync.WaitGroup
		for range max(1, runtime.GOMAXPROCS(0)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					results[i], skips[i], open[i] = read(paths[i])
					if progress != nil {
						doneMu.Lock()
						done++
						progress(done, len(paths))
						doneMu.Unlock()
					}
				}
			}()
		}
		for i := lo; i < hi && ctx.Err() == nil; i++ {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
	}
	// What the disk holds now replaces what it held: files deleted, newly excluded or grown
	// over the limit since the last load disappear. Files an editor holds open stay.
	install := func(lo, hi int) {
		w.mu.Lock()
		for i := lo; i < hi; i++ {
			if skips[i] != nil {
				skipped = append(skipped, *skips[i])
			}
			if open[i] {
				seen[w.key(paths[i])] = true
			}
			st := results[i]
			if st == nil {
				continue
			}
			seen[st.key] = true
			if old, ok := w.files[st.key]; ok && old.open {
				continue // the editor's text wins
			}
			w.files[st.key] = st
			w.markLocked(st.key)
		}
		w.mu.Unlock()
	}
	if first > 0 {
		readAll(0, first)
		install(0, first)
		w.signal()
	}
	// The rest in batches, on a first load: the model of each batch is made while the next
	// is read (see loadBatch).
	batch := len(paths)
	if !reload {
		batch = loadBatch
		w.mu.Lock()
		w.loading = true
		w.mu.Unlock()
	}
	var building sync.WaitGroup
	var failed atomic.Pointer[string] // a batch's update panicked: Load's caller gets the panic
	for lo := first; lo < len(paths); lo += batch {
		hi := min(len(paths), lo+batch)
		readAll(lo, hi)
		install(lo, hi)
		building.Wait()
		if hi < len(paths) && ctx.Err() == nil && failed.Load() == nil {
			building.Add(1)
			go func() {
				defer building.Done()
				defer caught(&failed)
				w.update(true)
			}()
		}
	}
	building.Wait()
	w.mu.Lock()
	w.loading = false
	// What the files call in a directory the walk leaves out is read by the update that makes
	// the complete model, the first that is not a load's (see followCalls); what an earlier
	// load read there goes with what the disk no longer holds, below.
	w.followed = nil
	for key, st := range w.files {
		if !st.open && !seen[key] {
			delete(w.files, key)
			w.markLocked(key)
		}
	}
	sort.Slice(skipped, func(i, j int) bool { return skipped[i].File < skipped[j].File })
	w.skipped = skipped
	w.loaded = true
	w.markLocked("") // the snapshot becomes complete even when no file changed
	w.mu.Unlock()
	w.signal()
	// A batch whose update panicked left every file to be built again (see restart): the
	// load is over all the same, and the next update builds the complete model.
	if msg := failed.Load(); msg != nil {
		panic("load: " + *msg)
	}
	return w.Snapshot(), ctx.Err()
}

// loadBatch is how many files a first load reads before it makes their model, while it reads
// the next batch. Each batch's syntax is let go once linked (cooling), and the next batch's
// allocations fill the room it leaves: read whole and then linked, every file's syntax was let
// go at once, and the spans it left half-empty among what stays stayed resident (at 5,000
// files, 318–325 MB of heap in use after the load for 188 MB live; 265–282 MB so). A unit
// that an earlier batch linked and a later one adds to waits for the end of the load
// (buildState.deferred): a namespace of every manifest is linked once, not once per batch.
var loadBatch = 256

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
			if p != w.root && excludedDir(rel, cfg) {
				return filepath.SkipDir
			}
			return nil
		}
		if ignoredFile(rel, cfg) {
			return nil
		}
		keep, skip := w.admit(p, rel, d)
		if skip != nil {
			skipped = append(skipped, *skip)
		}
		if keep {
			paths = append(paths, p)
		}
		return nil
	})
	return paths, skipped
}

// admit says whether the walk reads the file at p (rel in the workspace), which is not a
// directory, or why it does not when that is worth a finding (skip).
func (w *Workspace) admit(p, rel string, d fs.DirEntry) (keep bool, skip *model.Skipped) {
	if d.Type()&fs.ModeSymlink != 0 {
		// WalkDir does not descend into a linked directory; one inside the workspace is
		// walked where it is. One outside is not read (its files could put any text into
		// a report), and says so: a Terraform module linked in from outside was applied,
		// and nothing said it was not seen.
		if target, err := filepath.EvalSymlinks(p); err == nil && !within(w.root, target) {
			if info, err := os.Stat(target); err == nil && info.IsDir() {
				w.eng.log.Warn("not reading a link to a directory outside the workspace", zap.String("file", rel), zap.String("target", target))
				return false, &model.Skipped{File: rel, Reason: "a symbolic link to a directory outside the workspace (" + target + "): not read"}
			}
		}
	}
	if why := unread(w.analyzers, rel); why != "" {
		return false, &model.Skipped{File: rel, Reason: why}
	}
	// WalkDir does not follow symlinked directories, so a symlink loop cannot trap it.
	named := w.analyzerFor(rel, "", nil) != nil
	if !named && !sniffable(w.analyzers, rel) {
		return false, nil
	}
	if d.Type()&fs.ModeSymlink != 0 {
		// Nothing outside the workspace is read: a link out of it could put any file's
		// text (a secret) into a report. A file only its content could make ours (any
		// .json) is not reported unread: nothing says it is one.
		target, err := filepath.EvalSymlinks(p)
		switch {
		case !named && (err != nil || !within(w.root, target)):
			return false, nil
		case err != nil:
			return false, &model.Skipped{File: rel, Reason: "a symbolic link that does not resolve: " + err.Error()}
		case !within(w.root, target):
			w.eng.log.Warn("not reading a link to outside the workspace", zap.String("file", rel), zap.String("target", target))
			return false, &model.Skipped{File: rel, Reason: "a symbolic link to outside the workspace (" + target + "): not read"}
		}
		if info, err := os.Stat(target); err == nil && info.IsDir() {
			return false, nil
		}
	}
	return true, nil
}

// excludedDir reports whether the walk does not descend into directory dir, a workspace key:
// its name is excluded, or it is ignored.
func excludedDir(dir string, cfg Config) bool {
	return slices.Contains(cfg.Exclude, path.Base(dir)) || cfg.Ignore != nil && cfg.Ignore(dir, true)
}

// ignoredFile reports whether the walk passes over the file of key where it finds it.
func ignoredFile(key string, cfg Config) bool { return cfg.Ignore != nil && cfg.Ignore(key, false) }

// leftOut reports whether the walk leaves out the file of key: it is ignored, or in a
// directory the walk leaves out.
func leftOut(key string, cfg Config) bool {
	return ignoredFile(key, cfg) || leftOutDir(path.Dir(key), cfg)
}

// leftOutDir reports whether the walk leaves out directory dir, a workspace key: it, or a
// directory it is in, is one the walk does not descend into.
func leftOutDir(dir string, cfg Config) bool {
	for d := dir; d != "." && d != ".." && d != "/" && d != ""; d = path.Dir(d) {
		if excludedDir(d, cfg) {
			return true
		}
	}
	return false
}

// joinsOf returns the paths ff, the facts a read of file, calls: what the analyzer says they
// make the workspace apply (analyzers.Caller: a kustomization's local resources), or the
// scopes they join when a's scopes are directories (analyzers.Scoper, analyzers.Joiner: a
// Terraform module's local sources). Kubernetes joins namespaces, and asking it cost every
// keystroke in a stream of manifests another pass over its objects. A Joins or a Calls that
// panics gives none here; the update that links the file meets the panic again and starts
// over (Workspace.build).
func joinsOf(a analyzers.Analyzer, file string, ff *model.FileFacts) (out []string) {
	if ff == nil {
		return nil
	}
	defer func() {
		if recover() != nil {
			out = nil
		}
	}()
	if c, ok := a.(analyzers.Caller); ok {
		return c.Calls(ff)
	}
	j, ok := a.(analyzers.Joiner)
	sc, scoped := a.(analyzers.Scoper)
	if !ok || !scoped || sc.Scope(file) != path.Dir(file) {
		return nil
	}
	return j.Joins(ff)
}

// trackLocked records what the files of keys call, states being their states in the model
// now (nil: gone). The caller holds w.mu.
func (w *Workspace) trackLocked(keys []string, states []*fileState) {
	for i, k := range keys {
		var now []string
		if states[i] != nil {
			now = states[i].joins
		}
		was := w.joined[k]
		if slices.Equal(was, now) {
			continue
		}
		if w.calls == nil {
			w.calls, w.joined = map[string]int{}, map[string][]string{}
		}
		for _, d := range was {
			if w.calls[d]--; w.calls[d] <= 0 {
				delete(w.calls, d)
			}
		}
		for _, d := range now {
			w.calls[d]++
		}
		if now == nil {
			delete(w.joined, k)
		} else {
			w.joined[k] = now
		}
		w.callsChanged = true
	}
}

// neededLocked returns the directories and files the walk leaves out that the workspace's
// files call (see followCalls). The caller holds w.mu.
func (w *Workspace) neededLocked() map[string]bool {
	w.neededRuns++
	needed := map[string]bool{}
	if w.root == "" {
		return needed
	}
	for d := range w.calls {
		if leftOutDir(d, w.cfg) || ignoredFile(d, w.cfg) {
			needed[d] = true
		}
	}
	return needed
}

// followCalls reads, for an update, the directories the walk leaves out that the workspace's
// files now call, and lets go of those they no longer call: a module vendored under vendor/
// is what Terraform applies when main.tf calls it (left out, its public bucket passed every
// gate unseen), and an edit that adds or removes the call makes the model a fresh load's.
// What those directories call in turn is followed too. It returns keys and states, an
// update's files, with those it read or let go added, sorted.
func (w *Workspace) followCalls(keys []string, states []*fileState, skipped []model.Skipped) ([]string, []*fileState, []model.Skipped) {
	more := map[string]*fileState{} // the files read, and those let go (nil)
	// A round reads the directories called, the next what they call: bounded, a chain of
	// sixteen modules deep is read as far as that.
	for range 16 {
		w.mu.Lock()
		if !w.callsChanged && w.followed != nil {
			w.mu.Unlock()
			break // what the files call is what it was: so is what they need
		}
		w.callsChanged = false
		needed, cfg := w.neededLocked(), w.cfg
		var add, drop []string
		for d := range needed {
			if !w.followed[d] {
				add = append(add, d)
			}
		}
		for d := range w.followed {
			if !needed[d] {
				drop = append(drop, d)
			}
		}
		w.followed = needed
		w.mu.Unlock()
		if len(add) == 0 && len(drop) == 0 {
			break
		}
		sort.Strings(add)
		var read []*fileState
		var sk []model.Skipped
		for _, d := range add {
			paths, s := w.follow(d)
			sk = append(sk, s...)
			for _, p := range paths {
				st, s := w.readFile(context.Background(), p, cfg)
				if s != nil {
					sk = append(sk, *s)
				}
				if st != nil {
					read = append(read, st)
				}
			}
		}
		w.mu.Lock()
		var ks []string
		var ss []*fileState
		for _, st := range read {
			if cur, ok := w.files[st.key]; ok && cur.open {
				continue // the editor's text wins
			}
			w.files[st.key] = st
			more[st.key] = st
			ks, ss = append(ks, st.key), append(ss, st)
		}
		for _, d := range drop {
			for k, st := range w.files {
				// A file called alone, or in a directory called: it goes when neither is.
				if !st.open && (path.Dir(k) == d || k == d) && !needed[k] && !needed[path.Dir(k)] {
					delete(w.files, k)
					more[k] = nil
					ks, ss = append(ks, k), append(ss, nil)
				}
			}
		}
		w.trackLocked(ks, ss)
		if len(sk) > 0 {
			w.skipped = append(slices.Clone(w.skipped), sk...)
			sort.Slice(w.skipped, func(i, j int) bool { return w.skipped[i].File < w.skipped[j].File })
			skipped = w.skipped
		}
		w.mu.Unlock()
	}
	if len(more) == 0 {
		return keys, states, skipped
	}
	for i, k := range keys {
		if _, ok := more[k]; !ok {
			more[k] = states[i]
		}
	}
	keys = slices.Sorted(maps.Keys(more))
	states = make([]*fileState, len(keys))
	for i, k := range keys {
		states[i] = more[k]
	}
	return keys, states, skipped
}

// follow lists the files of dir (a workspace key) that the walk would read there, had it not
// left dir out; subdirectories are not followed (a module is one directory). dir may name a
// file (a manifest a kustomization lists): it is read alone, if the walk would read it. A
// path that is not there, or is outside the workspace through a link, gives nothing.
func (w *Workspace) follow(dir string) (paths []string, skipped []model.Skipped) {
	p := filepath.Join(w.root, filepath.FromSlash(dir))
	if real, err := filepath.EvalSymlinks(p); err != nil || !within(w.root, real) {
		return nil, nil
	}
	if info, err := os.Stat(p); err == nil && !info.IsDir() {
		if li, err := os.Lstat(p); err == nil {
			info = li // admit reads a link as the walk does
		}
		if keep, skip := w.admit(p, dir, fs.FileInfoToDirEntry(info)); keep {
			return []string{p}, nil
		} else if skip != nil {
			return nil, []model.Skipped{*skip}
		}
		return nil, nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, nil
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		fp := filepath.Join(p, e.Name())
		keep, skip := w.admit(fp, w.key(fp), e)
		if skip != nil {
			skipped = append(skipped, *skip)
		}
		if keep {
			paths = append(paths, fp)
		}
	}
	return paths, skipped
}

// irregular names the kind of a file that is not a regular one.
func irregular(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.Type().String()
}

// touchesHead reports whether edits change the part of a text a Sniffer reads (its first
// analyzers.SniffLen bytes): an edit past it cannot change what the text says it is, and the
// keystroke need not ask.
func touchesHead(edits []parse.Edit) bool {
	return slices.ContainsFunc(edits, func(e parse.Edit) bool { return e.Start < analyzers.SniffLen })
}

// readHead reads the first n bytes of the file at p, or all of a shorter one.
func readHead(p string, n int) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, int64(n)))
	if b == nil {
		b = []byte{}
	}
	return b, err
}

// within reports whether path lies under root (both absolute and clean).
func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
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
	a := w.analyzerFor(key, "", nil)
	// No name says a file is one threatls reads, its beginning may (a CloudFormation template
	// called anything.json); until it does, the file is not ours, and there is nothing to say.
	if a == nil && !sniffable(w.analyzers, key) {
		return nil, nil
	}
	info, err := os.Stat(p)
	var head []byte
	switch {
	case err != nil && a == nil:
		return nil, nil
	case err != nil:
		w.eng.log.Warn("skipping unreadable file", zap.String("file", key), zap.Error(err))
		return nil, &model.Skipped{File: key, Reason: err.Error()}
	case !info.Mode().IsRegular():
		// Not opened: reading a named pipe no one writes to waits forever.
		if a == nil {
			return nil, nil
		}
		reason := "not a regular file (" + irregular(info.Mode()) + "): not read"
		w.eng.log.Warn("skipping file", zap.String("file", key), zap.String("reason", reason))
		return nil, &model.Skipped{File: key, Reason: reason}
	case a == nil:
		if head, err = readHead(p, analyzers.SniffLen); err != nil {
			return nil, nil
		}
		if a = w.analyzerFor(key, "", analyzers.UTF8(head)); a == nil {
			return nil, nil
		}
	}
	tooLarge := func(size int64) *model.Skipped {
		reason, skip := sizeSkip(size, cfg.MaxFileSize)
		if !skip {
			return nil
		}
		w.eng.log.Info("skipping large file", zap.String("file", key), zap.String("reason", reason))
		return &model.Skipped{File: key, Reason: reason}
	}
	if sk := tooLarge(info.Size()); sk != nil {
		return nil, sk
	}
	text := head // a template known by content, no longer than what its sniff read
	if head == nil || int64(len(head)) != info.Size() || len(head) == analyzers.SniffLen {
		if text, err = os.ReadFile(p); err != nil {
			w.eng.log.Warn("skipping unreadable file", zap.String("file", key), zap.Error(err))
			return nil, &model.Skipped{File: key, Reason: err.Error()}
		}
	}
	if sk := tooLarge(int64(len(text))); sk != nil { // it grew since Stat
		return nil, sk
	}
	text = analyzers.UTF8(text)
	a = w.analyzerFor(key, "", text) // its content may say more than its name
	// A file whose name says it is a format threatls reads is parsed whatever bytes it holds
	// (NUL bytes, invalid UTF-8): what cannot be read is a syntax problem of the file.
	if reason := analyzers.SkipReason(key, text); reason != "" {
		w.eng.log.Info("skipping file", zap.String("file", key), zap.String("reason", reason))
		return nil, &model.Skipped{File: key, Reason: reason, Generated: true}
	}
	if beforeParse != nil {
		beforeParse(key)
	}
	tree, err := parse.Parse(ctx, a.Lang(), text)
	if err != nil {
		return nil, &model.Skipped{File: key, Reason: err.Error()}
	}
	defer tree.Close()
	facts := w.eng.extract(ctx, a, key, tree, nil)
	return &fileState{key: key, analyzer: a, text: text, facts: facts, joins: joinsOf(a, key, facts)}, nil
}

// beforeParse, when set, is called with a file's key before a file read from disk is parsed
// (tests: to open a file while a Load reads it).
var beforeParse func(key string)

// Open records that an editor opened file with text, and updates the model. The tree is kept
// for incremental edits.
func (w *Workspace) Open(file, languageID string, version int32, text []byte) (*Snapshot, error) {
	if err := w.StageOpen(file, languageID, version, text); err != nil {
		return w.Latest(), err
	}
	return w.Update(), nil
}

// StageOpen records that an editor opened file with text, like Open, and leaves the update of
// the model to whatever reads the workspace next.
func (w *Workspace) StageOpen(file, languageID string, version int32, text []byte) error {
	err := w.locked(func() error { return w.openLocked(file, languageID, version, text) })
	w.signal()
	return err
}

func (w *Workspace) openLocked(file, languageID string, version int32, text []byte) error {
	if stop, ok := w.reading[file]; ok {
		stop() // a Load reading it from disk: the editor's text wins
	}
	a := w.analyzerFor(file, languageID, text)
	if old, ok := w.files[file]; ok && old.doc != nil {
		old.doc.Close()
	}
	st := &fileState{key: file, languageID: languageID, analyzer: a, text: text, version: version, open: true}
	w.markLocked(file)
	if a == nil {
		w.files[file] = st // not a format we read: keep the text, analyse nothing
		return nil
	}
	w.skipped = slices.DeleteFunc(slices.Clone(w.skipped), func(s model.Skipped) bool { return s.File == file })
	if reason, skip := sizeSkip(int64(len(text)), w.cfg.MaxFileSize); skip {
		w.eng.log.Info("not analysing large document", zap.String("file", file), zap.String("reason", reason))
		st.facts = &model.FileFacts{File: file, Format: a.Name()}
		w.skipped = append(w.skipped, model.Skipped{File: file, Reason: reason})
		sort.Slice(w.skipped, func(i, j int) bool { return w.skipped[i].File < w.skipped[j].File })
		w.files[file] = st
		return nil
	}
	doc, err := parse.NewDocument(context.Background(), a.Lang(), text)
	if err != nil {
		w.files[file] = st
		return fmt.Errorf("open %s: %w", file, err)
	}
	st.doc = doc
	st.facts = w.eng.extract(context.Background(), a, file, doc.Tree(), nil)
	st.joins = joinsOf(a, file, st.facts)
	w.files[file] = st
	return nil
}

// maxAnalysed is the size in bytes above which a file is never analysed, whatever
// Config.MaxFileSize says (0, no limit, included): positions in the model (model.Pos) are
// int32, so a file of 2 GiB or more cannot be analysed.
const maxAnalysed = math.MaxInt32

// sizeSkip returns why a file (or an open document) of size bytes is not analysed under the
// setting maxFileSize (0 or less: no limit of the user's), and whether it is not. The limit is
// the smaller of maxFileSize and maxAnalysed.
func sizeSkip(size, maxFileSize int64) (string, bool) {
	if maxFileSize > 0 && maxFileSize < maxAnalysed {
		if size > maxFileSize {
			return fmt.Sprintf("%d bytes is over the %d-byte limit (setting maxFileSize)", size, maxFileSize), true
		}
		return "", false
	}
	if size > maxAnalysed {
		return fmt.Sprintf("%d bytes: a file of 2 GiB or more cannot be analysed", size), true
	}
	return "", false
}

// ErrNotOpen is returned for an edit of a file that is not open.
var ErrNotOpen = errors.New("document is not open")

// Change applies byte edits (in order) to an open file, reparses incrementally and updates the
// model. An edit out of range leaves the file as it was and returns an error.
func (w *Workspace) Change(file string, version int32, edits []parse.Edit) (*Snapshot, error) {
	err := w.Stage(file, version, edits)
	return w.Update(), err
}

// Stage applies byte edits to an open file like Change, reparsing and re-extracting it, but
// leaves the update of the model to whatever reads the workspace next: an editor typing sends
// more changes right behind this one, and one update serves them all.
func (w *Workspace) Stage(file string, version int32, edits []parse.Edit) error {
	err := w.locked(func() error { return w.changeLocked(file, version, edits) })
	if err == nil {
		w.signal()
	}
	return err
}

// changeLocked applies edits to the state of an open file and marks it changed. The caller
// holds w.mu.
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
		if st.analyzer != nil || touchesHead(edits) && w.analyzerFor(file, st.languageID, text) != nil {
			return w.openLocked(file, st.languageID, version, text)
		}
		next := *st
		next.text, next.version = text, version
		w.files[file] = &next
		w.markLocked(file)
		return nil
	}
	// The edit goes into the text and the tree's positions now (a keystroke costs that);
	// the reparse and the extraction wait for Update, which does them once for every edit
	// queued meanwhile, without holding the workspace.
	if err := st.doc.Edit(edits); err != nil {
		return fmt.Errorf("change %s: %w", file, err)
	}
	if _, skip := sizeSkip(int64(len(st.doc.Text())), w.cfg.MaxFileSize); skip {
		// An edit that grows a document past the size limit (a 50 MB paste) makes it one that
		// is opened too large: not analysed, said so, its text kept; an edit that shrinks it
		// back opens it analysed again (the st.doc == nil path above).
		return w.openLocked(file, st.languageID, version, st.doc.Text())
	}
	if touchesHead(edits) && !sameAnalyzer(w.analyzerFor(file, st.languageID, st.doc.Text()), st.analyzer) {
		// What the text now says it is is read by another analyzer (a template pasted into a
		// new .yaml): the document is opened again, for it.
		return w.openLocked(file, st.languageID, version, st.doc.Text())
	}
	next := *st
	next.text, next.version, next.stale = st.doc.Text(), version, true
	w.files[file] = &next
	w.markLocked(file)
	return nil
}

// Close records that the editor closed file, and updates the model: its tree is dropped and
// the file is re-read from disk (or forgotten, if it has no file on disk).
func (w *Workspace) Close(file string) (*Snapshot, error) {
	w.StageClose(file)
	return w.Update(), nil
}

// StageClose records that the editor closed file, like Close, leaving the update of the model
// to whatever reads the workspace next.
func (w *Workspace) StageClose(file string) {
	w.mu.Lock()
	if st, ok := w.files[file]; ok && st.open {
		if st.doc != nil {
			st.doc.Close()
		}
		delete(w.files, file)
		w.markLocked(file)
	}
	w.mu.Unlock()
	w.StageRefresh(file)
}

// Refresh re-reads file from disk after it changed, appeared or disappeared there, and
// updates the model. Files an editor holds open are left alone: the editor's text wins.
func (w *Workspace) Refresh(file string) (*Snapshot, error) {
	w.StageRefresh(file)
	return w.Update(), nil
}

// StageRefresh re-reads file from disk like Refresh, leaving the update of the model to
// whatever reads the workspace next.
func (w *Workspace) StageRefresh(file string) {
	p := w.Path(file)
	w.mu.Lock()
	cfg := w.cfg
	if st, ok := w.files[file]; ok && st.open {
		w.mu.Unlock()
		return
	}
	// What the walk leaves out a refresh leaves out (a watcher tells of every file `terraform
	// init` or `npm install` writes): an updated model is the fresh scan's.
	out := leftOut(file, cfg) && !w.followed[path.Dir(file)]
	w.mu.Unlock()
	var st *fileState
	var skip *model.Skipped
	if p != "" && !out {
		if _, err := os.Stat(p); err == nil {
			st, skip = w.readFile(context.Background(), p, cfg)
		}
	}
	w.mu.Lock()
	if cur, ok := w.files[file]; ok && cur.open {
		w.mu.Unlock()
		return // opened meanwhile
	}
	delete(w.files, file)
	w.skipped = slices.DeleteFunc(slices.Clone(w.skipped), func(s model.Skipped) bool { return s.File == file })
	if st != nil {
		w.files[file] = st
	}
	if skip != nil {
		w.skipped = append(w.skipped, *skip)
		sort.Slice(w.skipped, func(i, j int) bool { return w.skipped[i].File < w.skipped[j].File })
	}
	w.markLocked(file)
	w.mu.Unlock()
	w.signal()
}

// Reconfigure applies a new configuration and rescans from disk.
func (w *Workspace) Reconfigure(ctx context.Context, cfg Config) (*Snapshot, error) {
	w.mu.Lock()
	w.cfg = cfg
	w.mu.Unlock()
	return w.Load(ctx, nil)
}
