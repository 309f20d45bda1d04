package model

import (
	"strings"
	"unicode/utf8"
)

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

// Separated returns s with each run of characters other than ASCII letters and digits made
// one sep: a host as a variable name's prefix (`orders-db.shop` → `orders_db_shop`), an ID
// as a diagram's, a title as a Threagile link's. It is the replacement of the regular
// expression [^A-Za-z0-9]+, written out: every variable of every workload asks it of each
// address on every build.
func Separated(s string, sep byte) string {
	var b strings.Builder
	b.Grow(len(s))
	run := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			b.WriteByte(c)
			run = false
		} else if !run {
			b.WriteByte(sep)
			run = true
		}
	}
	return b.String()
}
