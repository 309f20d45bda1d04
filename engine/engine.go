// Package engine runs the pipeline — parse, extract, link, evaluate, suppress — over a
// workspace, for the CLI (one scan) and the language server (a scan, then an edit at a time).
// It joins analyzers and the threat library and knows nothing of the LSP or of output formats.
package engine

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"runtime/debug"
	"slices"
	"sort"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// Config is what a user can set.
type Config struct {
	// MaxFileSize is the size in bytes above which a file is skipped (with a logged reason);
	// 0 sets no limit. A file of 2 GiB or more is skipped whatever it says (see sizeSkip).
	MaxFileSize int64
	// Exclude lists directory names never descended into.
	Exclude []string
	// Ignore, when set, says whether a workspace-relative, slash-separated path the user
	// excluded (a --exclude glob, .gitignore) is never read: a directory is not descended into.
	Ignore func(key string, dir bool) bool
	// NotAnalysed is the severity of the finding (TLS-009) a file of a format threatls reads
	// gets when it could not be analysed: over MaxFileSize, unreadable, a link to outside
	// the workspace.
	NotAnalysed model.Severity
	// SyntaxBudget is how many bytes of the source of closed files keep the syntax their
	// analyzer extracted (Terraform's expressions) between updates; the syntax of the rest is
	// let go and extracted again when a change makes their module link again. 0 is the
	// default (1 MB); a negative budget keeps none.
	SyntaxBudget int64
	// SpliceFrom is the size in bytes from which an edit of an open document whose analyzer
	// is an analyzers.Splicer is read without parsing the document again, when the edits lie
	// between two definitions they left as they were. 0 is the default (256 KB: below it, a
	// reparse costs less than a millisecond); a negative size never splices.
	SpliceFrom int64
}

// defaultSpliceFrom is Config.SpliceFrom's default.
const defaultSpliceFrom = 256 << 10

// DefaultConfig is the configuration when the user sets nothing.
func DefaultConfig() Config {
	return Config{MaxFileSize: 5 << 20, Exclude: slices.Clone(DefaultExclude), NotAnalysed: model.High}
}

// Engine holds what is shared by every workspace: the library, the analyzers, the logger.
// It is safe for concurrent use.
type Engine struct {
	lib       *knowledge.Library
	classify  *knowledge.Classifier
	analyzers []analyzers.Analyzer
	log       *zap.Logger
	now       func() time.Time
	// extracts counts the extractions of files, linked the files given to analyzers' Link,
	// evaluated the elements the library was evaluated over, parallel the evaluations spread
	// over several goroutines, splices the edits read without a reparse (tests read them).
	extracts, linked, evaluated, parallel, splices atomic.Int64
}

// New returns an engine. A nil logger discards logs.
func New(lib *knowledge.Library, as []analyzers.Analyzer, log *zap.Logger) *Engine {
	if log == nil {
		log = zap.NewNop()
	}
	c, err := knowledge.BuiltinClassifier()
	if err != nil {
		log.Error("classification heuristics do not load; stores stay unclassified", zap.Error(err))
	}
	return &Engine{lib: lib, classify: c, analyzers: as, log: log, now: time.Now}
}

// Library returns the threat library.
func (e *Engine) Library() *knowledge.Library { return e.lib }

// AnalyzerFor returns the analyzer that reads file (or, for a document without a path, the
// editor's language), or nil. head, the beginning of its text or nil, lets an analyzer that
// knows its files by content claim it (see analyzers.Sniffer).
func (e *Engine) AnalyzerFor(file, languageID string, head []byte) analyzers.Analyzer {
	return analyzerFor(e.analyzers, file, languageID, head)
}

// analyzerFor returns, of as, the Sniffer that claims file by head (its text's beginning; nil
// when none was read), else the analyzer its name — or, for a document without a path, the
// editor's language — matches, or nil.
func analyzerFor(as []analyzers.Analyzer, file, languageID string, head []byte) analyzers.Analyzer {
	var byName analyzers.Analyzer
	for _, a := range as {
		if a.Match(file, languageID) {
			byName = a
			break
		}
	}
	if head == nil {
		return byName
	}
	head = head[:min(len(head), analyzers.SniffLen)]
	for _, a := range as {
		if s, ok := a.(analyzers.Sniffer); ok && a != byName && s.Sniffs(file) && s.Sniff(file, head) {
			return a
		}
	}
	return byName
}

// sniffable reports whether, of as, an analyzer may know file by its content.
// unread returns why an analyzer says file is of a format its tool reads and it does not
// (analyzers.Unreader), or "".
func unread(as []analyzers.Analyzer, file string) string {
	for _, a := range as {
		if u, ok := a.(analyzers.Unreader); ok {
			if why := u.Unread(file); why != "" {
				return why
			}
		}
	}
	return ""
}

func sniffable(as []analyzers.Analyzer, file string) bool {
	for _, a := range as {
		if s, ok := a.(analyzers.Sniffer); ok && s.Sniffs(file) {
			return true
		}
	}
	return false
}

// extract extracts one parsed file; a panic in an analyzer becomes a problem of the file. prev,
// when not nil, are the facts of the file's text before an edit (see analyzers.Reextractor).
func (e *Engine) extract(ctx context.Context, a analyzers.Analyzer, file string, tree *parse.Tree, prev *model.FileFacts) (facts *model.FileFacts) {
	e.extracts.Add(1)
	defer func() {
		if r := recover(); r != nil {
			e.log.Error("analyzer panicked", zap.String("analyzer", a.Name()), zap.String("file", file),
				zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))
			facts = &model.FileFacts{File: file, Format: a.Name(), Problems: []model.Problem{{
				Span:    model.Span{File: file},
				Message: fmt.Sprintf("internal error in the %s analyzer; this file was not analysed (%v)", a.Name(), r),
			}}}
		}
	}()
	if r, ok := a.(analyzers.Reextractor); ok && prev != nil {
		facts = r.Reextract(tree, file, prev)
	} else {
		facts = a.Extract(tree, file)
	}
	if tree != nil && facts != nil {
		if first, n := tree.NUL(); n > 0 {
			facts.Problems = append(slices.Clip(facts.Problems), nulProblem(file, tree.Src, first, n))
		}
	}
	return facts
}

// nulProblem reports the NUL bytes of a parsed text (parse.Tree.NUL): the first at offset
// first, n in all, each read as a space.
func nulProblem(file string, src []byte, first, n int) model.Problem {
	line := bytes.Count(src[:first], []byte("\n"))
	col := first - (bytes.LastIndexByte(src[:first], '\n') + 1)
	msg := "a NUL byte, which no text of this format holds: read as a space"
	switch n {
	case 1:
	case 2:
		msg += ", as was 1 more in this file"
	default:
		msg += fmt.Sprintf(", as were %d more in this file", n-1)
	}
	return model.Problem{Span: model.Span{File: file, Start: model.At(first, line, col), End: model.At(first+1, line, col+1)}, Message: msg}
}

// splice reads the pending edits of file without parsing it again when its analyzer can
// (analyzers.Splicer) and it is at least from bytes long; ok is false otherwise, and when
// the analyzer panics (the file is then parsed again).
func (e *Engine) splice(a analyzers.Analyzer, file string, p *parse.Pending, prev *model.FileFacts, from int64) (facts *model.FileFacts, ok bool) {
	s, can := a.(analyzers.Splicer)
	switch {
	case from == 0:
		from = defaultSpliceFrom
	case from < 0:
		return nil, false
	}
	// A text holding a NUL byte is parsed: the problem that reports the byte comes with a
	// parse (extract).
	if !can || prev == nil || int64(len(p.Text)) < from || bytes.IndexByte(p.Text, 0) >= 0 {
		return nil, false
	}
	defer func() {
		if r := recover(); r != nil {
			e.log.Error("analyzer panicked in Splice", zap.String("analyzer", a.Name()), zap.String("file", file),
				zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))
			facts, ok = nil, false
		}
	}()
	if facts, ok = s.Splice(p, file, prev); ok {
		e.splices.Add(1)
	}
	return facts, ok
}

// link fuses the facts of one analyzer; a panic costs that format's elements, not the session.
func (e *Engine) link(a analyzers.Analyzer, files []*model.FileFacts) (els []*model.Element) {
	e.linked.Add(int64(len(files)))
	defer func() {
		if r := recover(); r != nil {
			e.log.Error("analyzer link panicked", zap.String("analyzer", a.Name()),
				zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))
			els = nil
		}
	}()
	return a.Link(files)
}

// Fixes returns the fixes of a finding: one per mitigation that has mechanical edits for the
// element's type, then "Accept risk", which inserts a threatls:ignore comment above the
// element's definition. Stale suppressions get a fix that removes them.
func (e *Engine) Fixes(s *Snapshot, f model.Finding) []model.Fix {
	if f.ThreatID == knowledge.MetaIgnoreUnused || f.ThreatID == knowledge.MetaIgnoreExpiry {
		file := s.File(f.Span.File)
		if file == nil {
			return nil
		}
		start, end := lineBounds(file.Text, int(f.Span.Start.Offset))
		if end < len(file.Text) {
			end++
		}
		return []model.Fix{{Title: "Remove the stale threatls:ignore comment", Kind: model.Cleanup,
			Edits: []model.TextEdit{{File: file.Path, Start: start, End: end}}}}
	}
	el := s.Element(f.Element)
	if el == nil {
		return nil
	}
	src := s.File(el.Span.File)
	if src == nil || src.analyzer == nil {
		return nil
	}
	var out []model.Fix
	// What an override file sets is fixed there (analyzers.FixTargeter).
	mitigations := e.lib.FixOps(f.ThreatID, el)
	target := func([]model.FixOp) (model.Span, bool) { return model.Span{}, false }
	if ft, ok := src.analyzer.(analyzers.FixTargeter); ok && len(mitigations) > 0 {
		target = ft.FixTarget(el, s.dirFiles(path.Dir(el.Span.File)), func(p string) []byte {
			if x := s.File(p); x != nil {
				return x.Text
			}
			return nil
		})
	}
	for _, m := range mitigations {
		at, in := el, src
		if sp, ok := target(m.Ops); ok {
			if x := s.File(sp.File); x != nil && x.analyzer != nil {
				c := *el
				c.Span, c.Head = sp, sp
				at, in = &c, x
			}
		}
		edit, err := e.fixEdit(in.analyzer, in.Path, in.Text, at, m.Ops)
		if err != nil {
			e.log.Warn("fix failed", zap.String("threat", f.ThreatID), zap.String("element", el.ID), zap.Error(err))
			continue
		}
		if edit.Start != edit.End || edit.NewText != "" {
			out = append(out, model.Fix{Title: m.Title, Kind: model.Mitigate, Edits: []model.TextEdit{edit}})
		}
	}
	if f.Suppressed == nil && e.lib.Threat(f.ThreatID) != nil {
		// The comment goes above the definition, in the finding's own file, that holds the
		// finding: for an element several files describe, or an attack path reported at its
		// asset, that is not always the element's first definition.
		// When no definition of the element is in the finding's file (drift reported in a
		// design document about a flow of the manifests), it goes above the finding's line.
		at, file := el.Span, src
		if f.Span.File != el.Span.File || !el.Span.Contains(f.Span) {
			if ff := s.File(f.Span.File); ff != nil && ff.analyzer != nil {
				at, file = f.Span, ff
			}
			for _, sp := range el.Sources {
				if sp.File == f.Span.File && sp.Contains(f.Span) && file.Path == sp.File {
					at = sp
					break
				}
			}
		}
		start, _ := lineBounds(file.Text, int(at.Start.Offset))
		comment := "threatls:ignore " + f.ThreatID + " " + ReasonPlaceholder
		if ca, ok := file.analyzer.(analyzers.CommentAter); ok {
			comment = ca.CommentAt(file.Text, file.Path, start, comment)
		} else {
			comment = file.analyzer.Comment(comment)
		}
		text := leadingSpace(file.Text[start:]) + comment + "\n"
		out = append(out, model.Fix{Title: "Accept risk: add threatls:ignore " + f.ThreatID + " (then write the reason)",
			Kind: model.AcceptRisk, Edits: []model.TextEdit{{File: file.Path, Start: start, End: start, NewText: text}}})
	}
	return out
}

// ReasonPlaceholder stands for the reason in an inserted suppression; until it is replaced
// the suppression suppresses nothing and is itself reported.
const ReasonPlaceholder = "<reason>"

// fixEdit returns the one edit that carries out ops on el in text, trimmed to what changes.
// A mitigation of one operation (most) is made from the bytes its edits span: copying the
// file with the edits applied and comparing it with the file, whole, cost a light bulb in a
// 5 MB file 3 ms and 10 MB of garbage for each of its fixes.
func (e *Engine) fixEdit(a analyzers.Analyzer, file string, text []byte, el *model.Element, ops []model.FixOp) (model.TextEdit, error) {
	if len(ops) != 1 {
		if ed, ok := e.fixInLines(a, file, text, el, ops); ok {
			return ed, nil
		}
		fixed, err := e.applyOps(a, text, el, ops)
		if err != nil {
			return model.TextEdit{}, err
		}
		return minimalEdit(file, text, fixed), nil
	}
	edits, err := a.Fix(text, el, ops[0])
	if err != nil {
		return model.TextEdit{}, fmt.Errorf("%s %s: %w", ops[0].Op, ops[0].Path, err)
	}
	return spannedEdit(file, text, edits)
}

// fixInLines carries out a mitigation of several operations on the lines of el's definition
// alone, when a's Fix reads of el only what a Relocator's may (see analyzers.Relocator) and el
// begins a line: after each operation the file with its edits was copied whole, and the
// element found again in it (a hover over such a finding in a 5 MB file took 85 ms). ok is
// false when an operation could not be carried out there: the caller does it on the file.
func (e *Engine) fixInLines(a analyzers.Analyzer, file string, text []byte, el *model.Element, ops []model.FixOp) (model.TextEdit, bool) {
	r, ok := a.(analyzers.Relocator)
	lo, end := int(el.Span.Start.Offset), int(el.Span.End.Offset)
	if !ok || el.Span.Start.Col != 0 || lo >= end || end > len(text) {
		return model.TextEdit{}, false
	}
	hi := end
	for hi < len(text) && text[hi-1] != '\n' {
		hi++
	}
	lines := text[lo:hi]
	cur := *el
	for _, sp := range []*model.Span{&cur.Span, &cur.Head} {
		sp.Start = model.At(int(sp.Start.Offset)-lo, int(sp.Start.Line-el.Span.Start.Line), int(sp.Start.Col))
		sp.End = model.At(int(sp.End.Offset)-lo, int(sp.End.Line-el.Span.Start.Line), int(sp.End.Col))
	}
	at, now := &cur, lines
	var last []model.TextEdit
	for i, op := range ops {
		if i > 0 {
			if at, ok = r.Relocate(now, at, last); !ok {
				return model.TextEdit{}, false
			}
		}
		edits, err := a.Fix(now, at, op)
		if err != nil {
			return model.TextEdit{}, false
		}
		if now, err = ApplyEdits(now, edits); err != nil {
			return model.TextEdit{}, false
		}
		last = edits
	}
	ed := minimalEdit(file, lines, now)
	ed.Start, ed.End = ed.Start+lo, ed.End+lo
	return ed, true
}

// spannedEdit is minimalEdit of text and text with edits applied, made from the bytes the edits
// span. (It may place an insertion before a repetition of what it inserts where minimalEdit
// of the whole texts places it after: the text it makes is the same.)
func spannedEdit(file string, text []byte, edits []model.TextEdit) (model.TextEdit, error) {
	if len(edits) == 0 {
		return model.TextEdit{File: file}, nil
	}
	lo, hi, err := spanOf(text, edits)
	if err != nil {
		return model.TextEdit{}, err
	}
	after, err := ApplyEdits(text[lo:hi], shifted(edits, -lo))
	if err != nil {
		return model.TextEdit{}, err
	}
	ed := minimalEdit(file, text[lo:hi], after)
	ed.Start, ed.End = ed.Start+lo, ed.End+lo
	return ed, nil
}

// spanOf returns the bytes [lo, hi) of text that edits span.
func spanOf(text []byte, edits []model.TextEdit) (lo, hi int, err error) {
	lo, hi = len(text), 0
	for _, ed := range edits {
		if ed.Start < 0 || ed.End > len(text) || ed.End < ed.Start {
			return 0, 0, fmt.Errorf("an edit [%d,%d) out of a %d-byte text", ed.Start, ed.End, len(text))
		}
		lo, hi = min(lo, ed.Start), max(hi, ed.End)
	}
	return lo, hi, nil
}

// shifted returns edits moved by d bytes.
func shifted(edits []model.TextEdit, d int) []model.TextEdit {
	out := make([]model.TextEdit, len(edits))
	for i, ed := range edits {
		ed.Start, ed.End = ed.Start+d, ed.End+d
		out[i] = ed
	}
	return out
}

// applyOps carries out the operations of one mitigation in order. After each one the file is
// re-read so that the next operation sees the element where it now is.
func (e *Engine) applyOps(a analyzers.Analyzer, src []byte, el *model.Element, ops []model.FixOp) ([]byte, error) {
	text, cur := src, el
	for i, op := range ops {
		if i > 0 {
			var err error
			if cur, err = e.relocate(a, text, el); err != nil {
				return nil, err
			}
		}
		edits, err := a.Fix(text, cur, op)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", op.Op, op.Path, err)
		}
		if text, err = ApplyEdits(text, edits); err != nil {
			return nil, err
		}
	}
	return text, nil
}

// relocate finds el again in text, the edited text of its file.
func (e *Engine) relocate(a analyzers.Analyzer, text []byte, el *model.Element) (*model.Element, error) {
	tree, err := parse.Parse(context.Background(), a.Lang(), text)
	if err != nil {
		return nil, err
	}
	defer tree.Close()
	facts := e.extract(context.Background(), a, el.Span.File, tree, nil)
	for _, x := range e.link(a, []*model.FileFacts{facts}) {
		if x.ID == el.ID {
			return x, nil
		}
	}
	return nil, fmt.Errorf("%s is no longer found after the previous fix operation", el.Name)
}

// ApplyEdits applies non-overlapping edits, each expressed against text, and returns the result.
func ApplyEdits(text []byte, edits []model.TextEdit) ([]byte, error) {
	sorted := append([]model.TextEdit(nil), edits...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Start < sorted[j].Start })
	var b bytes.Buffer
	last := 0
	for _, ed := range sorted {
		if ed.Start < last || ed.End < ed.Start || ed.End > len(text) {
			return nil, fmt.Errorf("overlapping or out-of-range edit [%d,%d) of a %d-byte text", ed.Start, ed.End, len(text))
		}
		b.Write(text[last:ed.Start])
		b.WriteString(ed.NewText)
		last = ed.End
	}
	b.Write(text[last:])
	return b.Bytes(), nil
}

// minimalEdit returns the single edit that turns old into new, trimmed to what differs.
func minimalEdit(file string, old, new []byte) model.TextEdit {
	p := 0
	for p < len(old) && p < len(new) && old[p] == new[p] {
		p++
	}
	for p > 0 && p < len(old) && !utf8.RuneStart(old[p]) {
		p-- // never split a character
	}
	s := 0
	for s < len(old)-p && s < len(new)-p && old[len(old)-1-s] == new[len(new)-1-s] {
		s++
	}
	for s > 0 && !utf8.RuneStart(old[len(old)-s]) {
		s--
	}
	return model.TextEdit{File: file, Start: p, End: len(old) - s, NewText: string(new[p : len(new)-s])}
}

// lineBounds returns the offsets of the start and end (the newline) of the line holding off.
func lineBounds(text []byte, off int) (int, int) {
	off = min(max(off, 0), len(text))
	start := bytes.LastIndexByte(text[:off], '\n') + 1
	end := bytes.IndexByte(text[off:], '\n')
	if end < 0 {
		return start, len(text)
	}
	return start, off + end
}

func leadingSpace(line []byte) string {
	n := 0
	for n < len(line) && (line[n] == ' ' || line[n] == '\t') {
		n++
	}
	return string(line[:n])
}
