package analyzers

import (
	"errors"
	"slices"

	"github.com/threatls/threatls/model"
)

// ErrNoFix is the error, wrapped with the format's name, of Fix on a format that has no
// mechanical fixes.
var ErrNoFix = errors.New("no mechanical fixes")

// FileElements returns the elements of every file of format, unchanged and in order: the Link
// of a format whose files stand alone. Nil facts and those of other formats are skipped.
func FileElements(files []*model.FileFacts, format string) []*model.Element {
	var out []*model.Element
	for _, f := range files {
		if f != nil && f.Format == format {
			out = append(out, f.Elements...)
		}
	}
	return out
}

// Spans returns the spans of els, in their order: the definitions LineIgnores attaches
// suppressions to.
func Spans(els []*model.Element) []model.Span {
	out := make([]model.Span, len(els))
	for i, e := range els {
		out[i] = e.Span
	}
	return out
}

// Declare records on e a value that a model or design document states (origin
// model.Declared), written at at.
func Declare(e *model.Element, name string, v any, at model.Span, note string) {
	e.Attrs.Set(name, model.Attr{Value: v, Origin: model.Declared, Span: at, Note: note})
}

// NameAliases returns the name aliases (model.NameAlias) of names, without repeats; a name
// that has none is left out.
func NameAliases(names ...string) []string {
	var out []string
	for _, s := range names {
		if a := model.NameAlias(s); a != "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// Cycle follows parent from id and returns the chain id, parent(id), … when it comes back to
// id within limit steps: id is its own ancestor. It returns nil when the chain ends (parent
// returns "") or loops without id.
func Cycle(id string, parent func(string) string, limit int) []string {
	chain := []string{id}
	for p := parent(id); p != "" && len(chain) <= limit; p = parent(p) {
		chain = append(chain, p)
		if p == id {
			return chain
		}
	}
	return nil
}
