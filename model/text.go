package model

import "unicode/utf8"

// UTF16Len returns how many UTF-16 code units the UTF-8 text b takes — the unit of LSP
// positions and SARIF columns. A byte that is not valid UTF-8 counts as one unit, as the
// U+FFFD an editor shows for it does. This is the one place that counts them.
func UTF16Len(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r >= 0x10000 && size > 1 {
			n += 2
		} else {
			n++
		}
		b = b[size:]
	}
	return n
}

// CharLen returns how many characters b holds, an invalid byte counting as one.
func CharLen(b []byte) int { return utf8.RuneCount(b) }
