package lsp

import (
	"context"
	"fmt"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/threatls/threatls/model"
)

// cmdShowElement is the command of a code lens: a client shows the element's attack paths
// and threats (the VS Code extension reveals it in its attack paths view and diagram, the
// Neovim plugin fills the quickfix list). It is a client command, not one the server runs.
const cmdShowElement = "threatls.showElement"

// codeLens puts a lens above each component and store defined in the document: how many
// threats apply to it, how many attack paths go through it, and the zone it sits in —
// "3 threats · 1 attack path · zone Namespace/shop (internal)".
func (s *server) codeLens(ctx context.Context, p *protocol.CodeLensParams) ([]protocol.CodeLens, error) {
	v, err := s.viewOf(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	out := []protocol.CodeLens{}
	if v.file == nil {
		return out, nil
	}
	g := v.snap.Graph()
	// An element's threats are counted in the files that hold its findings, each file's once:
	// counting them over every finding of the workspace made each lens request, after each
	// keystroke, gather them all.
	counts := map[string]map[string]int{} // file → element → its shown findings there
	pr := s.currentPrefs()
	threats := func(id string) int {
		n := 0
		for _, file := range v.snap.FindingFilesOf(id) {
			c, ok := counts[file]
			if !ok {
				c = map[string]int{}
				fs := v.snap.FindingsIn(file)
				for i := range fs {
					if f := &fs[i]; f.Suppressed == nil && s.visibleWith(pr, f) {
						c[f.Element]++
					}
				}
				counts[file] = c
			}
			n += c[id]
		}
		return n
	}
	for _, el := range v.elementsIn(v.key, model.Component, model.Store) {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		title := lensTitle(threats(el.ID), len(g.PathsThrough(el.ID)), g.Zone(el.ID))
		for _, sp := range spansIn(el, v.key) {
			out = append(out, protocol.CodeLens{
				Range:   v.rangeOf(v.headIn(el, sp)),
				Command: protocol.Command{Title: title, Command: cmdShowElement, Arguments: []protocol.LSPAny{jsonString(el.ID)}},
			})
		}
	}
	return out, nil
}

// lensTitle is the text of a code lens.
func lensTitle(threats, paths int, zone *model.Element) string {
	parts := []string{plural(threats, "threat"), plural(paths, "attack path")}
	if zone != nil {
		z := "zone " + zone.Name
		if a, ok := zone.Attr("trust"); ok {
			if t, ok := a.Value.(string); ok && t != "" {
				z += " (" + t + ")"
			}
		}
		parts = append(parts, z)
	}
	return strings.Join(parts, " · ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
