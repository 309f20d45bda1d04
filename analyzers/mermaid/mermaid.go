// Package mermaid reads Mermaid flowcharts as declared data-flow diagrams: the ```mermaid
// blocks of Markdown files, and .mmd / .mermaid files that hold a bare diagram.
//
// Every node becomes a component, store or actor, every subgraph a zone and every edge a
// flow, all with Provenance model.Documented: a diagram is compared with what the code and
// the infrastructure say, it never overrides them. No grammar exists for Mermaid; the
// flowchart subset is read by a small parser of this package, statement by statement, so
// that a line it cannot read costs only itself. Other diagram types (sequenceDiagram,
// classDiagram, …) are skipped without a word.
//
// Files are read as plain text (parse.Plain), and the fences of Markdown are found by this
// package, not by tree-sitter's Markdown grammar: that grammar (v0.5.1) crashes the process
// on some text (its scanner calls C's isdigit on a Unicode code point: "0" followed by
// U+CFEFB at the start of a line is enough), a crash no recover can catch, and bare .mmd
// diagrams are no Markdown anyway. The fence rules kept are CommonMark's: ``` or ~~~ fences
// of three or more, closed by a fence of the same character at least as long; fences inside
// block quotes (whose markers are blanked before the diagram is read, so offsets stay true)
// and list items; ```` fences and HTML comments hide the fences inside them.
package mermaid

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// Name is the analyzer's name: the Format of its facts and the prefix of its element IDs.
const Name = "mermaid"

// Analyzer reads Mermaid diagrams. It holds no state and is safe for concurrent use.
type Analyzer struct{}

// New returns the Mermaid analyzer.
func New() analyzers.Analyzer { return Analyzer{} }

var _ analyzers.Analyzer = Analyzer{}

// Name returns "mermaid".
func (Analyzer) Name() string { return Name }

// Lang returns parse.Plain: Markdown fences and diagrams are read by this package.
func (Analyzer) Lang() parse.Lang { return parse.Plain }

// Match reports whether p is a Markdown file (.md, .markdown) or a bare diagram (.mmd,
// .mermaid) or, for documents without a path, whether the editor's language is Markdown or
// Mermaid.
func (Analyzer) Match(p, languageID string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".md", ".markdown", ".mmd", ".mermaid":
		return true
	}
	return languageID == "markdown" || languageID == "mermaid"
}

// Comment returns a Markdown comment holding text. It is not a Mermaid comment: inside a
// diagram, write "%% " + text (see CommentAt).
func (Analyzer) Comment(text string) string { return "<!-- " + text + " -->" }

// CommentAt returns a Mermaid comment for a line inside a diagram, a Markdown comment
// elsewhere.
func (a Analyzer) CommentAt(src []byte, file string, offset int, text string) string {
	for _, b := range diagramBlocks(newFileModel(file, src), file) {
		if b.mermaid && b.start <= offset && offset < b.end {
			return "%% " + text
		}
	}
	return a.Comment(text)
}

// diagramBlocks returns the blocks of a file as Extract reads them.
func diagramBlocks(fm *fileModel, file string) []block {
	var blocks []block
	bare := false
	switch strings.ToLower(path.Ext(file)) {
	case ".mmd", ".mermaid":
		bare = true
	case ".md", ".markdown":
		blocks = fm.fences()
	default:
		blocks = fm.fences()
		bare = !slices.ContainsFunc(blocks, func(b block) bool { return b.mermaid })
	}
	if bare {
		blocks = []block{{0, len(fm.src), true}}
	}
	return blocks
}

// Fix returns an error wrapping analyzers.ErrNoFix: a diagram documents the system, the fix
// belongs where the system is defined.
func (Analyzer) Fix([]byte, *model.Element, model.FixOp) ([]model.TextEdit, error) {
	return nil, fmt.Errorf("mermaid: %w: fix the code or infrastructure the diagram documents", analyzers.ErrNoFix)
}

// Scope returns p: each file links alone.
func (Analyzer) Scope(p string) string { return p }

// Link returns the elements of every file unchanged: each file's diagrams stand alone.
func (Analyzer) Link(files []*model.FileFacts) []*model.Element {
	return analyzers.FileElements(files, Name)
}

// Extract reads the diagrams of one file. In a .mmd or .mermaid file the whole text is the
// diagram; in Markdown every fenced block whose info string starts with "mermaid" is one. A
// file with neither extension (an untitled buffer) is read as Markdown when it has a
// mermaid block, else as a bare diagram. Nodes, subgraphs and edge numbers are shared by
// the diagrams of one file: a node id names the same node in each.
func (Analyzer) Extract(t *parse.Tree, file string) *model.FileFacts {
	ff := &model.FileFacts{File: file, Format: Name}
	if t == nil {
		return ff
	}
	fm := newFileModel(file, t.Src)
	blocks := diagramBlocks(fm, file)
	for _, b := range blocks {
		if b.mermaid {
			fm.diagram(b.start, b.end)
		}
	}
	ff.Elements = fm.elements()
	model.SortElements(ff.Elements)
	defs := analyzers.Spans(ff.Elements)
	// Sorted by start; of two definitions that start together (an edge and its first
	// node), the longer first, so that a trailing comment covers the edge.
	sort.SliceStable(defs, func(i, j int) bool {
		if defs[i].Start.Offset != defs[j].Start.Offset {
			return defs[i].Start.Offset < defs[j].Start.Offset
		}
		return defs[i].End.Offset > defs[j].End.Offset
	})
	ignores, problems := analyzers.LineIgnores(t.Src, file, []string{"%%", "<!--"}, defs)
	// A Markdown comment counts outside code blocks, a Mermaid one inside a diagram; the
	// others are examples, or no comments at all.
	counts := func(sp model.Span) bool {
		mermaid := bytes.HasPrefix(t.Src[sp.Start.Offset:], []byte("%%"))
		for _, b := range blocks {
			if b.start <= int(sp.Start.Offset) && int(sp.Start.Offset) < b.end {
				return b.mermaid && mermaid
			}
		}
		return !mermaid
	}
	for _, ig := range ignores {
		if counts(ig.Span) {
			ff.Ignores = append(ff.Ignores, ig)
		}
	}
	ff.Problems = fm.problems
	for _, p := range problems {
		if counts(p.Span) {
			ff.Problems = append(ff.Problems, p)
		}
	}
	return ff
}

// block is the content of a fenced block, [start, end) of the file.
type block struct {
	start, end int
	mermaid    bool
}

var (
	// fenceRE opens a fenced block, after any block-quote markers and a list marker.
	fenceRE = regexp.MustCompile(`^[ \t]*(?:(?:[-*+]|[0-9]{1,9}[.)])[ \t]+)?(` + "`{3,}|~{3,})(.*)$")
	// closeRE closes one.
	closeRE = regexp.MustCompile(`^[ \t]*(` + "`{3,}|~{3,})[ \t]*$")
)

// fences returns the fenced blocks of a Markdown text. Block-quote markers inside mermaid
// blocks are blanked in fm.src.
func (fm *fileModel) fences() []block {
	src := fm.src
	var out []block
	var open struct {
		fence   string // the opening fence: ``` or ~~~, three or more
		depth   int    // block-quote depth of the opening line
		mermaid bool
		start   int // where the content starts
	}
	comment := false // inside an HTML comment
	for ls, le := range model.Lines(src) {
		line := strings.TrimRight(string(src[ls:le]), "\r")
		at, next := ls, le+1
		prefix, depth := quotePrefix(line, -1)
		if open.fence != "" {
			if depth < open.depth {
				// The block quote ends, and the fence with it.
				out = append(out, block{open.start, at, open.mermaid})
				open.fence = ""
			} else {
				prefix, _ = quotePrefix(line, open.depth)
				if m := closeRE.FindStringSubmatch(line[prefix:]); m != nil && m[1][0] == open.fence[0] && len(m[1]) >= len(open.fence) {
					out = append(out, block{open.start, at, open.mermaid})
					open.fence = ""
					continue
				}
				if open.mermaid {
					fm.blank(at, at+prefix)
				}
				continue
			}
		}
		rest := line[prefix:]
		if comment {
			comment = !strings.Contains(rest, "-->")
			continue
		}
		if t := strings.TrimLeft(rest, " \t"); strings.HasPrefix(t, "<!--") {
			comment = !strings.Contains(t[4:], "-->")
			continue
		}
		m := fenceRE.FindStringSubmatch(rest)
		if m == nil || m[1][0] == '`' && strings.Contains(m[2], "`") {
			continue
		}
		info := strings.Fields(m[2])
		open.fence, open.depth, open.start = m[1], depth, min(next, len(src))
		open.mermaid = len(info) > 0 && (strings.EqualFold(info[0], "mermaid") || strings.EqualFold(info[0], "{mermaid}"))
	}
	if open.fence != "" {
		out = append(out, block{open.start, len(src), open.mermaid}) // unclosed: it runs to the end
	}
	return out
}

// quotePrefix returns the length of the block-quote markers ("> ", up to three spaces
// before each) that start line, and how many there are, reading at most limit of them (-1:
// all).
func quotePrefix(line string, limit int) (int, int) {
	n, depth := 0, 0
	for depth != limit {
		i := n
		for i < len(line) && i-n < 3 && line[i] == ' ' {
			i++
		}
		if i == len(line) || line[i] != '>' {
			break
		}
		i++
		if i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		n, depth = i, depth+1
	}
	return n, depth
}
