package analyzers

import (
	"bytes"
	"testing"
	"unicode/utf16"
)

// A UTF-16 text, either byte order, is read as the UTF-8 it says; any other text is left as
// it is, a UTF-8 byte order mark included.
func TestUTF8(t *testing.T) {
	want := "kind: Pod # ünïcode, 😀\r\n"
	units := utf16.Encode([]rune("\ufeff" + want))
	le, be := make([]byte, 0, 2*len(units)), make([]byte, 0, 2*len(units))
	for _, u := range units {
		le = append(le, byte(u), byte(u>>8))
		be = append(be, byte(u>>8), byte(u))
	}
	for name, text := range map[string][]byte{"little-endian": le, "big-endian": be} {
		if got := string(UTF8(text)); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	for _, text := range [][]byte{[]byte("\ufeffkind: Pod\n"), []byte("kind: Pod\n"), {0xff}, {}, []byte("a\x00b")} {
		if got := UTF8(text); !bytes.Equal(got, text) {
			t.Errorf("%q became %q", text, got)
		}
	}
}
