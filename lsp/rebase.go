package lsp

import (
	"go.lsp.dev/protocol"

	"github.com/threatls/threatls/engine"
)

// A request is answered from the newest snapshot, which may lag a few keystrokes behind the
// text the editor has (the updater has not caught up yet): positions are carried between the
// two texts through the one region where they differ.

// rebase maps byte offsets between a snapshot's text of a file and the file's current text:
// they are equal before p and after the region [p, oldEnd) of the old text, which is
// [p, newEnd) in the new one.
type rebase struct {
	p, oldEnd, newEnd int
	same              bool
}

func newRebase(old, cur []byte) rebase {
	if sameSlice(old, cur) {
		return rebase{same: true}
	}
	p := 0
	for p < len(old) && p < len(cur) && old[p] == cur[p] {
		p++
	}
	s := 0
	for s < len(old)-p && s < len(cur)-p && old[len(old)-1-s] == cur[len(cur)-1-s] {
		s++
	}
	return rebase{p: p, oldEnd: len(old) - s, newEnd: len(cur) - s, same: p == len(old) && p == len(cur)}
}

// toOld maps an offset of the current text to the old one; inside the changed region it is
// the region's start.
func (r rebase) toOld(off int) int {
	switch {
	case r.same || off <= r.p:
		return off
	case off >= r.newEnd:
		return off - r.newEnd + r.oldEnd
	}
	return r.p
}

// toCur maps an offset of the old text to the current one, and reports whether it is outside
// the changed region (what was there may be gone).
func (r rebase) toCur(off int) (int, bool) {
	switch {
	case r.same || off <= r.p:
		return off, true
	case off >= r.oldEnd:
		return off - r.oldEnd + r.newEnd, true
	}
	return r.p, false
}

// view is one file of a snapshot as the editor sees it now.
type view struct {
	key      string
	file     *engine.File
	old, cur *mapper
	rb       rebase
}

// view returns the file key of snap seen through its current text in ws, or nil when the
// snapshot does not have it.
func (s *server) view(ws *engine.Workspace, snap *engine.Snapshot, key string, enc encoding) *view {
	file := snap.File(key)
	if file == nil {
		return nil
	}
	cur, ok := ws.Text(key)
	if !ok {
		cur = file.Text
	}
	v := &view{key: key, file: file, old: s.maps.get(key, file.Text, enc), rb: newRebase(file.Text, cur)}
	v.cur = v.old
	if !v.rb.same {
		v.cur = s.maps.get(key, cur, enc)
	}
	return v
}

// offset returns the snapshot offset of a position of the current text.
func (v *view) offset(p protocol.Position) int { return v.rb.toOld(v.cur.offset(p)) }

// span returns the snapshot offsets of a range of the current text.
func (v *view) span(r protocol.Range) (int, int) {
	start, end := v.cur.span(r)
	return v.rb.toOld(start), v.rb.toOld(end)
}

// rangeOf returns the current range of snapshot offsets, and whether it is still there (it
// does not meet the text typed since).
func (v *view) rangeOf(start, end int) (protocol.Range, bool) {
	s, ok1 := v.rb.toCur(start)
	e, ok2 := v.rb.toCur(end)
	return v.cur.rangeOf(s, e), ok1 && ok2
}
