package model

import (
	"math/rand"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestSeparatedIsTheExpression holds Separated to the replacement it stands for, on text with
// non-ASCII letters and bytes that are not UTF-8.
func TestSeparatedIsTheExpression(t *testing.T) {
	re := regexp.MustCompile(`[^A-Za-z0-9]+`)
	r := rand.New(rand.NewSource(1))
	chars := []string{"a", "Z", "9", "-", ".", "_", "é", "\xff", " ", "::"}
	for range 5000 {
		var b strings.Builder
		for range r.Intn(10) {
			b.WriteString(chars[r.Intn(len(chars))])
		}
		s := b.String()
		for _, sep := range []string{"_", "-"} {
			if got, want := Separated(s, sep[0]), re.ReplaceAllString(s, sep); got != want {
				t.Fatalf("Separated(%q, %q) = %q, the expression %q", s, sep, got, want)
			}
		}
	}
}

// Lines walks a text line by line as splitting it at each newline does, without the empty
// line after a last newline; a carriage return stays its line's.
func TestLinesAreTheSplit(t *testing.T) {
	for _, src := range []string{"", "\n", "a", "a\n", "a\nb", "a\n\nb\n", "a\r\nb\r\n", "\n\n"} {
		var got []string
		for start, end := range Lines([]byte(src)) {
			got = append(got, src[start:end])
		}
		want := strings.Split(src, "\n")
		if strings.HasSuffix(src, "\n") || src == "" {
			want = want[:len(want)-1]
		}
		if !slices.Equal(got, want) {
			t.Errorf("Lines(%q) = %q, want %q", src, got, want)
		}
	}
}
