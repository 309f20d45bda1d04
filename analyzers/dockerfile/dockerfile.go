// Package dockerfile reads Dockerfiles (and Containerfiles) into the model: one component per
// file, the image its last stage builds, with what the container inherits from it — the user
// it runs as, its base image and whether that is pinned, exposed ports, secrets baked into
// ENV or ARG, remote ADDs and a health check. The component carries the build alias of its
// directory, so that it fuses with the Compose service or manifest that runs the image.
//
// Dockerfiles have no tree-sitter grammar linked in: a small line-oriented parser reads
// them — parser directives, continuation lines, comments, here-documents, JSON and shell
// forms, multi-stage builds.
package dockerfile

import (
	"path"
	"strings"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// Name is the analyzer's name: the Format of its facts and the prefix of its element IDs.
const Name = "dockerfile"

// Analyzer reads Dockerfiles. It holds no state: the zero value is ready to use and safe for
// concurrent use.
type Analyzer struct{}

// New returns the Dockerfile analyzer.
func New() analyzers.Analyzer { return &Analyzer{} }

var _ analyzers.Analyzer = (*Analyzer)(nil)

// Name returns "dockerfile".
func (*Analyzer) Name() string { return Name }

// Lang returns parse.Plain: Dockerfiles are read by a parser of this package.
func (*Analyzer) Lang() parse.Lang { return parse.Plain }

// Match reports whether p is a Dockerfile by its base name — Dockerfile, Dockerfile.prod,
// api.dockerfile, Containerfile — or, for documents without a path, whether the editor's
// language is Dockerfile.
func (*Analyzer) Match(p, languageID string) bool {
	if languageID == "dockerfile" {
		return true
	}
	base := path.Base(p)
	if strings.HasSuffix(base, ".dockerignore") {
		return false
	}
	for _, n := range []string{"Dockerfile", "Containerfile"} {
		if base == n || strings.HasPrefix(base, n+".") && len(base) > len(n)+1 {
			return true
		}
	}
	lower := strings.ToLower(base)
	return strings.HasSuffix(lower, ".dockerfile") && len(lower) > len(".dockerfile")
}

// Comment returns a Dockerfile comment line holding text.
func (*Analyzer) Comment(text string) string { return "# " + text }

// Scope returns p: each file links alone.
func (*Analyzer) Scope(p string) string { return p }

// Link returns the elements of every file, unchanged and sorted: a Dockerfile stands alone.
func (*Analyzer) Link(files []*model.FileFacts) []*model.Element {
	out := analyzers.FileElements(files, Name)
	model.SortElements(out)
	return out
}
