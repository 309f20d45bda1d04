package lsp

import (
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/model"
)

// view is what a request about one document reads: the newest snapshot of the workspace that
// holds the document, its file key there, and how to turn byte spans into LSP locations.
// Every handler starts from one.
//
// The snapshot may lag a few keystrokes behind the text the editor has (requests never wait
// for the model): positions of the document are carried between its text and the snapshot's
// through the region typed since (see rebase).
type view struct {
	s     *server
	ws    *engine.Workspace
	snap  *engine.Snapshot
	files fileMap
	enc   encoding
	key   string       // the document's file key ("" for a view of the whole workspace)
	file  *engine.File // the document in snap, or nil
	rb    rebase       // from the snapshot's text of the document to the editor's
	cur   []byte       // the editor's text of the document
	// others are the views of the other documents the request placed spans in (location).
	others map[string]*view
}

// viewOf returns the view of the document u, routed to the workspace folder that holds it.
func (s *server) viewOf(u uri.URI) (*view, error) {
	f, enc := s.folderOf(u)
	if f == nil {
		return nil, errNotInitialized
	}
	v := &view{s: s, ws: f.ws, snap: f.ws.Latest(), files: f.files, enc: enc}
	if u != "" {
		key := f.files.key(u)
		v = v.of(key)
		if version, ok := f.ws.Version(key); ok && version > 0 && (v.file == nil || v.file.Version == 0) {
			// Opened a moment ago: no model has the editor's text yet (a model made while
			// the editor types has a version of it, and requests do not wait for the next).
			// The one that has it is being made.
			v.snap = f.ws.Update()
			v = v.of(key)
		}
	}
	return v, nil
}

// viewAt returns a view of the whole first folder in snap, one of its snapshots.
func (s *server) viewAt(snap *engine.Snapshot) *view {
	ws, files, enc := s.session()
	return &view{s: s, ws: ws, snap: snap, files: files, enc: enc}
}

// of returns the view of the file key in the same snapshot.
func (v *view) of(key string) *view {
	o := &view{s: v.s, ws: v.ws, snap: v.snap, files: v.files, enc: v.enc, key: key, file: v.snap.File(key)}
	if o.file != nil {
		o.cur = o.file.Text
		if text, ok := v.ws.Text(key); ok {
			o.cur = text
		}
		o.rb = newRebase(o.file.Text, o.cur)
	}
	return o
}

// current returns the mapper of the editor's text of the view's document.
func (v *view) current() *mapper { return v.s.maps.get(v.key, v.cur, v.enc) }

// views returns a view of every workspace folder, in the order the client gave them.
func (s *server) views() []*view {
	var out []*view
	_, _, enc := s.session()
	for _, f := range s.folderList() {
		out = append(out, &view{s: s, ws: f.ws, snap: f.ws.Latest(), files: f.files, enc: enc})
	}
	return out
}

// location returns the LSP location of a span; ok is false when its file is not in the
// snapshot (a span that points nowhere). The span is placed in the editor's text of its file
// (rangeOf), which is the snapshot's unless the editor has the file open and has typed into
// it since.
func (v *view) location(sp model.Span) (protocol.Location, bool) {
	if sp.IsZero() && sp.File == "" {
		return protocol.Location{}, false
	}
	o := v
	if sp.File != v.key {
		if o = v.others[sp.File]; o == nil {
			o = v.of(sp.File)
			if v.others == nil {
				v.others = map[string]*view{}
			}
			v.others[sp.File] = o
		}
	}
	if o.file == nil {
		return protocol.Location{}, false
	}
	return protocol.Location{URI: v.files.uri(sp.File), Range: o.rangeOf(sp)}, true
}

// rangeOf returns the range, in the editor's text, of a span of the view's document.
func (v *view) rangeOf(sp model.Span) protocol.Range {
	r, _ := v.rangeOKOf(int(sp.Start.Offset), int(sp.End.Offset))
	return r
}

// rangeOK is rangeOf, and whether the span is still there (it does not meet text typed since
// the snapshot).
func (v *view) rangeOK(sp model.Span) (protocol.Range, bool) {
	return v.rangeOKOf(int(sp.Start.Offset), int(sp.End.Offset))
}

func (v *view) rangeOKOf(start, end int) (protocol.Range, bool) {
	s, ok1 := v.rb.toCur(start)
	e, ok2 := v.rb.toCur(end)
	return v.current().rangeOf(s, e), ok1 && ok2
}

// offset returns the snapshot's byte offset of a position of the editor's text.
func (v *view) offset(p protocol.Position) int {
	return v.rb.toOld(v.current().offset(p))
}

// span returns the snapshot's byte offsets of a range of the editor's text.
func (v *view) span(r protocol.Range) (int, int) {
	start, end := v.current().span(r)
	return v.rb.toOld(start), v.rb.toOld(end)
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
	for end < sp.End.Offset && int(end) < len(file.Text) && file.Text[end] != '\n' {
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
	for _, el := range v.snap.Graph().InFile(file) {
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
