package analyzers

import (
	"bytes"

	"golang.org/x/text/encoding/unicode"
)

// UTF8 returns text as UTF-8: a text that begins with a UTF-16 byte order mark is decoded
// (without the mark); any other is returned as it is, byte for byte. Windows PowerShell's
// `>` writes UTF-16 (`kubectl get -o yaml > app.yaml`, `helm template > all.yaml`), and
// kubectl reads such a file: read as bytes, its every other byte a NUL, it said nothing, and
// a gate passed it.
func UTF8(text []byte) []byte {
	var enc unicode.Endianness
	switch {
	case bytes.HasPrefix(text, []byte{0xff, 0xfe}):
		enc = unicode.LittleEndian
	case bytes.HasPrefix(text, []byte{0xfe, 0xff}):
		enc = unicode.BigEndian
	default:
		return text
	}
	out, err := unicode.UTF16(enc, unicode.ExpectBOM).NewDecoder().Bytes(text)
	if err != nil {
		return text // not reached: the decoder replaces what it cannot decode
	}
	return out
}
