package code

import (
	"strings"
	"testing"
)

// TestSecretMarks keeps the cheap test before the secret formats in step with them: every
// format's regular expression holds one of the marks, so no literal a format matches is
// skipped.
func TestSecretMarks(t *testing.T) {
	r := secrets()
	if r == nil {
		t.Fatal(secretsErr)
	}
	for _, f := range r.Formats {
		src := strings.ReplaceAll(f.Regex, `\`, "")
		if !r.maybe(src) {
			t.Errorf("%s: %s holds none of the marks %v (nor pass/pwd)", f.Name, f.Regex, secretMarks)
		}
	}
}

// TestSecretLooking: a placeholder, a variable's name, a sentence or a short word is no
// secret; a random token is.
func TestSecretLooking(t *testing.T) {
	r := secrets()
	for s, want := range map[string]bool{
		"Zr8#qL2!vX9mT4wK7pB": true,
		"changeme-please-now": false,
		"X-API-KEY":           false,
		"DATABASE_PASSWORD":   false,
		"not a secret at all": false,
		"short":               false,
		"aaaaaaaaaaaaaaaa":    false,
		"${JWT_SECRET}":       false,
	} {
		if got := r.secretLooking(s); got != want {
			t.Errorf("secretLooking(%q) = %v, want %v", s, got, want)
		}
	}
}
