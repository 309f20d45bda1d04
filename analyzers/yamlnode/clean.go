package yamlnode

import (
	"fmt"
	"unicode/utf8"

	"github.com/threatls/threatls/model"
)

// What a YAML stream may not hold (YAML 1.2 §5.1, as yaml.v3 enforces it): the control
// characters but tab, line feed and carriage return; DEL; the C1 controls but NEL; the
// noncharacters U+FFFE and U+FFFF; and bytes that are not UTF-8 (surrogates among them).
// yaml.v3 refuses a whole document for one of them, so one NUL byte appended to a template
// hid every threat of it from a gate. Such a character is read as spaces instead, one per
// byte, so that every offset, line and column stays true, and reported.

// disallowed returns the length of the character at src[i] when YAML does not allow it, else 0.
func disallowed(src []byte, i int) int {
	c := src[i]
	if c < utf8.RuneSelf {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return 1
		}
		return 0
	}
	r, n := utf8.DecodeRune(src[i:])
	switch {
	case r == utf8.RuneError && n == 1:
		return 1
	case r >= 0x80 && r <= 0x9f && r != 0x85, r == 0xfffe, r == 0xffff:
		return n
	}
	return 0
}

// cleaning is what clean replaced in a text: the first character replaced (its offset and
// length) and how many characters were.
type cleaning struct{ first, size, n int }

// scan returns what cleaning text would replace.
func scan(text []byte) cleaning {
	cl := cleaning{first: -1}
	for i := 0; i < len(text); {
		c := text[i]
		if c >= 0x20 && c < 0x7f || c == '\n' || c == '\t' || c == '\r' {
			i++ // the common case, decided without a call
			continue
		}
		if n := disallowed(text, i); n > 0 {
			if cl.n == 0 {
				cl.first, cl.size = i, n
			}
			cl.n++
			i += n
			continue
		}
		_, n := utf8.DecodeRune(text[i:])
		i += n
	}
	return cl
}

// blankDisallowed replaces, in place, every character of text YAML does not allow by spaces.
func blankDisallowed(text []byte) {
	for i := 0; i < len(text); {
		n := disallowed(text, i)
		if n == 0 {
			_, n = utf8.DecodeRune(text[i:])
			i += n
			continue
		}
		for j := range n {
			text[i+j] = ' '
		}
		i += n
	}
}

// cleaned returns text with every character YAML does not allow read as spaces: text itself
// when it holds none, else a copy.
func cleaned(text []byte) []byte {
	if scan(text).n == 0 {
		return text
	}
	out := append([]byte(nil), text...)
	blankDisallowed(out)
	return out
}

// describe names the character of text at i, n bytes long, that YAML does not allow.
func describe(text []byte, i, n int) string {
	c := text[i]
	switch {
	case c == 0:
		return "a NUL byte"
	case n == 1 && c < utf8.RuneSelf:
		return fmt.Sprintf("a control character (U+%04X)", c)
	case n == 1:
		return fmt.Sprintf("a byte that is not UTF-8 (0x%02X)", c)
	}
	r, _ := utf8.DecodeRune(text[i:])
	if r >= 0x80 && r <= 0x9f {
		return fmt.Sprintf("a control character (U+%04X)", r)
	}
	return fmt.Sprintf("a noncharacter (U+%04X)", r)
}

// cleanProblem reports the characters cl says were replaced in the document of src starting
// at start.
func cleanProblem(file string, src []byte, lines []int, start int, cl cleaning) model.Problem {
	at := start + cl.first
	msg := describe(src, at, cl.size) + ", which YAML does not allow: read as a space"
	if cl.size > 1 {
		msg += "s"
	}
	switch cl.n {
	case 1:
	case 2:
		msg += ", as was 1 more such character in this document"
	default:
		msg += fmt.Sprintf(", as were %d more such characters in this document", cl.n-1)
	}
	return model.Problem{Span: span(file, src, lines, at, at+cl.size), Message: msg}
}
