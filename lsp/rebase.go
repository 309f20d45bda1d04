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
	p := commonPrefix(old, cur)
	s := commonSuffix(old[p:], cur[p:])
	return rebase{p: p, oldEnd: len(old) - s, newEnd: len(cur) - s, same: p == len(old) && p == len(cur)}
}

// chunk is how many bytes commonPrefix and commonSuffix compare at once: every request about
// a document typed into since the model compares its two texts, and byte by byte that was
// 5 ms a request in a 5 MB document.
const chunk = 4096

// commonPrefix returns the length of the longest common prefix of a and b.
func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	p := 0
	for p+chunk <= n && string(a[p:p+chunk]) == string(b[p:p+chunk]) {
		p += chunk
	}
	for p < n && a[p] == b[p] {
		p++
	}
	return p
}

// commonSuffix returns the length of the longest common suffix of a and b.
func commonSuffix(a, b []byte) int {
	n := min(len(a), len(b))
	s := 0
	for s+chunk <= n && string(a[len(a)-s-chunk:len(a)-s]) == string(b[len(b)-s-chunk:len(b)-s]) {
		s += chunk
	}
	for s < n && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	return s
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
