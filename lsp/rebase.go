package lsp

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
