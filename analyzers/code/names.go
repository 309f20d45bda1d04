package code

import (
	"strings"
	"sync"
	"unicode"
)

// What a name says of the value it holds: a secret (password, token, API key) or personal
// data (e-mail address, phone number, date of birth). Names are split into lower-case words
// (camelCase and snake_case alike) and read word by word.

var nameKinds sync.Map // name → "secret", "pii" or ""

// nameKind returns "secret" or "pii" when a name says its value is one, else "".
func nameKind(name string) string {
	if v, ok := nameKinds.Load(name); ok {
		return v.(string)
	}
	k := classifyName(words(name))
	nameKinds.Store(name, k)
	return k
}

// words splits an identifier into lower-case words: apiKey, api_key and API-KEY are api key.
func words(s string) []string {
	var out []string
	var cur []rune
	rs := []rune(s)
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1])):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return out
}

// notValue are words that make a name about a secret, not the secret: its hash, its
// length, the field or header that carries it, when it expires.
var notValue = map[string]bool{"hash": true, "hashed": true, "digest": true, "encrypted": true, "masked": true,
	"redacted": true, "length": true, "len": true, "size": true, "count": true, "field": true, "url": true,
	"uri": true, "path": true, "file": true, "name": true, "type": true, "header": true, "expiry": true,
	"expires": true, "expiration": true, "ttl": true, "policy": true, "reset": true, "min": true, "max": true,
	"regex": true, "pattern": true, "label": true, "prompt": true, "input": true, "form": true, "required": true,
	"valid": true, "is": true, "has": true, "check": true, "verify": true, "validate": true, "env": true,
	"var": true, "key": false, "endpoint": true, "format": true, "prefix": true, "id": false, "strength": true,
	"changed": true, "at": true, "column": true, "param": true, "placeholder": true}

func classifyName(ws []string) string {
	if len(ws) == 0 {
		return ""
	}
	has := func(w string) bool {
		for _, x := range ws {
			if x == w {
				return true
			}
		}
		return false
	}
	for _, w := range ws {
		if notValue[w] {
			return ""
		}
	}
	for i, w := range ws {
		switch w {
		case "password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "credential", "credentials", "pin":
			return "secret"
		case "key":
			if i > 0 {
				switch ws[i-1] {
				case "api", "private", "secret", "signing", "access", "encryption", "client":
					return "secret"
				}
			}
		}
	}
	for i, w := range ws {
		switch w {
		case "email", "phone", "ssn", "dob", "birthdate", "birthday", "passport", "iban", "salary", "diagnosis":
			return "pii"
		case "birth":
			return "pii"
		case "card":
			if has("credit") || has("number") || has("debit") {
				return "pii"
			}
		case "address":
			if i > 0 && (ws[i-1] == "ip" || ws[i-1] == "mac" || ws[i-1] == "remote" || ws[i-1] == "server" ||
				ws[i-1] == "bind" || ws[i-1] == "listen" || ws[i-1] == "host" || ws[i-1] == "local" || ws[i-1] == "wallet") {
				return ""
			}
			if has("home") || has("street") || has("postal") || has("billing") || has("shipping") || has("email") || len(ws) == 1 {
				return "pii"
			}
		case "national", "tax":
			if has("id") || has("number") {
				return "pii"
			}
		}
	}
	return ""
}

// secretName reports whether a name holds a value that must be unpredictable: a token, a
// secret, a key, a password, a nonce, a salt, a session identifier.
func secretName(name string) bool {
	ws := words(name)
	for _, w := range ws {
		if notValue[w] && w != "is" {
			return false
		}
	}
	for i, w := range ws {
		switch w {
		case "token", "secret", "password", "passwd", "nonce", "otp", "salt", "csrf", "apikey", "iv":
			return true
		case "key":
			if i > 0 {
				switch ws[i-1] {
				case "api", "private", "secret", "signing", "access", "encryption", "session", "aes", "hmac":
					return true
				}
			}
		case "session":
			if i+1 < len(ws) && (ws[i+1] == "id" || ws[i+1] == "key") || len(ws) == 1 {
				return true
			}
		case "sessionid":
			return true
		}
	}
	return false
}
