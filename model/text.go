package model

import (
	"bytes"
	"iter"
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

// Lines yields the start and the end of each line of src, its newline excluded (a carriage
// return before it is the line's): the one walk of a text line by line. A text that ends with
// a newline has no empty line after it.
func Lines(src []byte) iter.Seq2[int, int] {
	return func(yield func(start, end int) bool) {
		for start := 0; start < len(src); {
			end := bytes.IndexByte(src[start:], '\n')
			if end < 0 {
				end = len(src)
			} else {
				end += start
			}
			if !yield(start, end) {
				return
			}
			start = end + 1
		}
	}
}
