// Package analyzers turns files into model facts. Each format has an analyzer of its own in a
// sub-package; this package holds the interface they implement, the registry the engine
// reads, and what every analyzer does alike: reading threatls:ignore comments, recording
// attributes with their notes, linking files that stand alone. Analyzers know nothing of the
// LSP or of the threat library.
package analyzers

import (
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// Analyzer reads one format.
//
// Extraction is split in two so that an edit costs little: Extract reads one file's tree into
// facts that stand alone (no tree-sitter nodes survive it); Link fuses the facts of all the
// files of the format into elements, resolving what crosses files (variables, companion
// resources). Neither may panic on bad input: what cannot be read becomes a model.Problem.
type Analyzer interface {
	// Name is the format's name, used in element IDs and messages: "terraform".
	Name() string
	// Lang is the grammar the analyzer's files are parsed with.
	Lang() parse.Lang
	// Match reports whether the analyzer reads the file at path (slash-separated) or, for
	// documents without a path, the editor's language identifier.
	Match(path, languageID string) bool
	// Extract reads one parsed file. file is the path facts and spans refer to.
	Extract(t *parse.Tree, file string) *model.FileFacts
	// Link fuses the facts of every file of the format into the model's elements. It must not
	// modify its input: facts are shared between snapshots.
	Link(files []*model.FileFacts) []*model.Element
	// Fix turns a fix operation on el into text edits of src, the text of el's file.
	Fix(src []byte, el *model.Element, op model.FixOp) ([]model.TextEdit, error)
	// Comment returns the line comment that holds text, in the format's syntax: "# " + text.
	Comment(text string) string
}

// Scoper is implemented by analyzers whose files do not all link together: Link is called
// with the facts of one scope at a time, and an edit re-links only its file's scope. An
// analyzer that does not implement it links every file of its format together.
type Scoper interface {
	// Scope returns the key of the files that link with the file at path: the path itself
	// for files that stand alone, its directory for a Terraform module.
	Scope(path string) string
}

// Joiner is implemented by Scopers whose scopes reference each other (a Terraform module
// calling a module of another directory): the scopes a file's facts join are linked together,
// as one unit, whenever one of them changes.
type Joiner interface {
	// Joins returns the keys of the scopes (see Scoper) the facts of one file reference.
	Joins(ff *model.FileFacts) []string
}

// Caller is implemented by analyzers whose files make the workspace apply files of other
// places of it by path: a kustomization's local resources, bases and components. The engine
// reads those the walk leaves out (vendor/, an excluded or ignored directory), as it reads the
// local sources of a Terraform module (Joiner, when the analyzer's scopes are directories):
// what is applied is what is scanned.
type Caller interface {
	// Calls returns the workspace paths (of directories or files, cleaned, relative to the
	// workspace root) that the file of ff makes the workspace apply. It is asked each time a
	// file's facts change: it must cost little.
	Calls(ff *model.FileFacts) []string
}

// FixTargeter is implemented by analyzers in whose formats what a fix changes may be said by
// a definition in another file than the element's own, one that wins over it (a Terraform
// override file): a fix made in the element's definition would change nothing.
type FixTargeter interface {
	// FixTarget returns the function that says, for the operations of one fix of el, the
	// span of the definition where they take effect when it is not el's own. dir lists the
	// files of el's directory; text returns a file's text, or nil.
	FixTarget(el *model.Element, dir []string, text func(file string) []byte) func(ops []model.FixOp) (model.Span, bool)
}

// Cloner is implemented by analyzers that keep state between Links (what they built last, to
// rebuild only what changed): each workspace links with a clone of its own, so that two
// workspaces of one engine never undo each other's work.
type Cloner interface {
	// Clone returns a new analyzer of the same configuration and no state.
	Clone() Analyzer
}

// Reextractor is implemented by analyzers that read an edited file faster from the facts of
// its last version: the definitions whose text did not change are taken over, moved to where
// they now are, and only the rest is read from the tree. What it returns must equal what
// Extract returns for the same tree.
type Reextractor interface {
	// Reextract reads t, the tree of file after an edit; prev are the facts of the text before.
	Reextract(t *parse.Tree, file string, prev *model.FileFacts) *model.FileFacts
}

// Relocator is implemented by analyzers that can tell where an element's definition is after
// the edits a fix of it made (a mitigation of several operations fixes it again after each),
// without reading the file again: for a 5 MB file, that read is a second and a half per
// operation. ok is false when the edits are not of a kind it can follow; the engine then
// reads the file. A Relocator's Fix reads of the element only its name, Span and Head, and
// of the text only the lines of the element's definition: the engine may give it those lines
// alone, the element's spans made theirs.
type Relocator interface {
	Relocate(text []byte, el *model.Element, edits []model.TextEdit) (moved *model.Element, ok bool)
}

// Splicer is implemented by analyzers that can read an edit of a large file without parsing
// the file again: tree-sitter's incremental reparse of a grammar whose top-level definitions
// it cannot take over in runs (HCL's) walks every definition, 60 ms in a 5 MB file. Splice
// is given the pending reparse of the file (its text, the tree of the last parse with the
// edits since applied to its positions, and the range those edits wrote) and the facts of the
// text before the last edit; it parses alone the definitions the edits reached, with the
// whitespace around them, and takes the others over. It returns false when it cannot (what
// the edits made does not parse alone, or does not end on a line of its own): the file is
// then parsed again. What it returns must equal what Extract returns for a parse of p.Text.
type Splicer interface {
	Splice(p *parse.Pending, file string, prev *model.FileFacts) (*model.FileFacts, bool)
}

// Unreader is implemented by analyzers whose tool reads files they do not read yet (Terraform
// reads its JSON syntax, *.tf.json): such a file must fail a gate, not pass it unseen.
type Unreader interface {
	// Unread says why a file at path, of a format the analyzer's tool reads but the analyzer
	// does not yet, is not analysed; "" for any other file. Such a file is a finding of its
	// own (TLS-009): what it declares is applied, and the model does not have it.
	Unread(path string) string
}

// Sniffer is implemented by analyzers that know their files by content as well as by name: a
// CloudFormation template may be called anything.yaml, and Kubernetes, which reads every
// .yaml, would find nothing in it. The engine gives a file to the Sniffer whose Sniff claims
// its text before the analyzer its name matches, and reads the beginning of a file that no
// name matches when a Sniffer Sniffs its name. A claim must be certain: it takes the file from
// the analyzer its name chose.
type Sniffer interface {
	// Sniffs reports whether a file at path may be one of the analyzer's by content (for
	// CloudFormation, a .yaml, .yml or .json file), before any of it is read.
	Sniffs(path string) bool
	// Sniff reports whether head, the beginning of the file's text (SniffLen bytes at most),
	// is one of the analyzer's.
	Sniff(path string, head []byte) bool
}

// SniffLen is how much of a file's text a Sniffer is given.
const SniffLen = 64 << 10

// Cooler is implemented by analyzers whose Raw is large next to the file's text (Terraform's
// expressions, kept whole for Link) and cheap to extract again: the engine lets the Raw of
// files no editor holds go once they have not been linked for a while, and their Link reads
// it through model.FileFacts.RawFacts, which extracts it again.
type Cooler interface {
	// Cools reports whether the engine may let Raw go.
	Cools() bool
}

// CommentAter is implemented by analyzers whose comment syntax depends on where the comment
// goes: a line inside a Mermaid diagram of a Markdown file takes "%%", the prose around it
// "<!-- -->".
type CommentAter interface {
	// CommentAt returns the line comment holding text, for a line that starts at offset of
	// src, the text of file.
	CommentAt(src []byte, file string, offset int, text string) string
}
