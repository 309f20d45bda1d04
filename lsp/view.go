package lsp

import (
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/model"
)

// view is what a request about one document reads: the latest snapshot of the workspace that
// holds the document, its file key there, and how to turn byte spans into LSP locations.
// Every handler of the model features (code lens, inlay hints, symbols, definitions,
// references, links, pull diagnostics) starts from one.
type view struct {
	s     *server
	snap  *engine.Snapshot
	files fileMap
	enc   encoding
	key   string       // the document's file key ("" for a view of the whole workspace)
	file  *engine.File // the document in snap, or nil
}

// viewOf returns the view of the document u, routed to the workspace folder that holds it.
func (s *server) viewOf(u uri.URI) (*view, error) {
	f, enc := s.folderOf(u)
	if f == nil {
		return nil, errNotInitialized
	}
	snap := f.ws.Snapshot()
	v := &view{s: s, snap: snap, files: f.files, enc: enc}
	if u != "" {
		v.key = f.files.key(u)
		v.file = snap.File(v.key)
	}
	return v, nil
}

// views returns a view of every workspace folder, in the order the client gave them.
func (s *server) views() []*view {
	var out []*view
	_, _, enc := s.session()
	for _, f := range s.folderList() {
		out = append(out, &view{s: s, snap: f.ws.Snapshot(), files: f.files, enc: enc})
	}
	return out
}

// mapper returns the mapper of the file key in the view's snapshot, or nil when it has none.
func (v *view) mapper(key string) *mapper {
	file := v.snap.File(key)
	if file == nil {
		return nil
	}
	return v.s.maps.get(key, file.Text, v.enc)
}

// location returns the LSP location of a span; ok is false when its file is not in the
// snapshot (a span that points nowhere).
func (v *view) location(sp model.Span) (protocol.Location, bool) {
	if sp.IsZero() && sp.File == "" {
		return protocol.Location{}, false
	}
	m := v.mapper(sp.File)
	if m == nil {
		return protocol.Location{}, false
	}
	return protocol.Location{URI: v.files.uri(sp.File), Range: m.rangeOf(sp.Start.Offset, sp.End.Offset)}, true
}

// rangeOf returns the range of a span of the view's document.
func (v *view) rangeOf(sp model.Span) protocol.Range {
	return v.s.maps.get(v.key, v.file.Text, v.enc).rangeOf(sp.Start.Offset, sp.End.Offset)
}

// offset returns the byte offset of a position in the view's document.
func (v *view) offset(p protocol.Position) int {
	return v.s.maps.get(v.key, v.file.Text, v.enc).offset(p)
}

// spansIn returns the definition spans of el that lie in file: its own, or, for a fused
// element, those of its members there.
func spansIn(el *model.Element, file string) []model.Span {
	var out []model.Span
	if len(el.Sources) == 0 {
		if el.Span.File == file {
			out = append(out, el.Span)
		}
		return out
	}
	for _, sp := range el.Sources {
		if sp.File == file {
			out = append(out, sp)
		}
	}
	return out
}

// sources returns every definition span of el: its members' for a fused element, else its own.
func sources(el *model.Element) []model.Span {
	if len(el.Sources) > 0 {
		return el.Sources
	}
	if el.Span.File == "" {
		return nil
	}
	return []model.Span{el.Span}
}

// headIn returns the part of a definition span of el a feature points at: the element's head
// when the span is its own definition, else the first line of the span.
func (v *view) headIn(el *model.Element, sp model.Span) model.Span {
	if el.Head.File == sp.File && sp.Contains(el.Head) {
		return el.Head
	}
	file := v.snap.File(sp.File)
	if file == nil {
		return sp
	}
	end := sp.Start.Offset
	for end < sp.End.Offset && end < len(file.Text) && file.Text[end] != '\n' {
		end++
	}
	h := sp
	h.End = model.Pos{Offset: end, Line: sp.Start.Line, Col: sp.Start.Col + (end - sp.Start.Offset)}
	return h
}

// elementsIn returns the elements (flows, paths and zones included when kinds says so)
// that have a definition in file, in the graph's order.
func (v *view) elementsIn(file string, kinds ...model.Kind) []*model.Element {
	var out []*model.Element
	for _, el := range v.snap.Graph().Elements() {
		if len(kinds) > 0 && !hasKind(kinds, el.Kind) {
			continue
		}
		if len(spansIn(el, file)) > 0 {
			out = append(out, el)
		}
	}
	return out
}

func hasKind(kinds []model.Kind, k model.Kind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}
