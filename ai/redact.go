package ai

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Redactor replaces secrets in text with numbered placeholders (__REDACTED_1__) before
// anything leaves the process, and remembers the originals so that a block the model
// proposes can be turned back into the user's text locally. The same secret always gets the
// same placeholder. What it replaces, in this order:
//
//   - private keys: a PEM block from BEGIN … PRIVATE KEY to its END (or the end of the text);
//   - known token formats: AWS access key IDs, GitHub, GitLab, Slack, OpenAI, Stripe, Google,
//     npm, SendGrid and Twilio keys, JWTs, Slack webhooks, bearer and basic credentials,
//     Azure storage account keys;
//   - the password of a connection string (scheme://user:password@host, Password=…;);
//   - the value given to a secret-like name (password, secret, token, api_key, access_key,
//     private_key, credential, …) in any of the forms threatls reads: `name = value`,
//     `name: value`, `"name": "value"`, `ENV name value`, `- name=value`, and the value or
//     default a few lines below a secret-like name (a Kubernetes env entry, a Terraform
//     variable);
//   - high-entropy strings: 20 characters or more of a token alphabet, with letters and
//     digits, that are not identifiers made of short words.
//
// References are left alone (${var.x}, ${{ secrets.X }}, $VAR, valueFrom): they name a
// secret without holding it, and the model needs them to propose a fix.
type Redactor struct {
	values []string
	index  map[string]int
}

// NewRedactor returns an empty redactor.
func NewRedactor() *Redactor { return &Redactor{index: map[string]int{}} }

var placeholderRE = regexp.MustCompile(`__REDACTED_(\d+)__`)

func (r *Redactor) placeholder(secret string) string {
	i, ok := r.index[secret]
	if !ok {
		r.values = append(r.values, secret)
		i = len(r.values)
		r.index[secret] = i
	}
	return fmt.Sprintf("__REDACTED_%d__", i)
}

// Count is how many distinct secrets were replaced.
func (r *Redactor) Count() int { return len(r.values) }

// Restore puts the originals back in text. A placeholder this redactor did not make is an
// error: the model invented it, and its value cannot be known.
func (r *Redactor) Restore(text string) (string, error) {
	var bad string
	out := placeholderRE.ReplaceAllStringFunc(text, func(m string) string {
		n, _ := strconv.Atoi(placeholderRE.FindStringSubmatch(m)[1])
		if n < 1 || n > len(r.values) {
			bad = m
			return m
		}
		return r.values[n-1]
	})
	if bad != "" {
		return "", fmt.Errorf("the answer uses %s, which stands for no redacted value", bad)
	}
	return out, nil
}

var (
	privateKeyRE = regexp.MustCompile(`(?s)-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\z)`)

	tokenREs = []*regexp.Regexp{
		regexp.MustCompile(`\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b`),
		regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{30,255}\b`),
		regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9_]{22,255}\b`),
		regexp.MustCompile(`\bglpat-[A-Za-z0-9_-]{20,}`),
		regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9-]{10,}`),
		regexp.MustCompile(`https://hooks\.slack\.com/services/[A-Za-z0-9/_-]+`),
		regexp.MustCompile(`\bsk-[A-Za-z0-9_-]{20,}`),
		regexp.MustCompile(`\b[rsp]k_(?:live|test)_[A-Za-z0-9]{10,}`),
		regexp.MustCompile(`\bAIza[0-9A-Za-z_-]{35}`),
		regexp.MustCompile(`\bnpm_[A-Za-z0-9]{36}\b`),
		regexp.MustCompile(`\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}`),
		regexp.MustCompile(`\bSK[0-9a-fA-F]{32}\b`),
		regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*`),
	}
	// credentialValueREs match a credential whose value is group 1, of at least min bytes.
	credentialValueREs = []struct {
		re  *regexp.Regexp
		min int
	}{
		{regexp.MustCompile(`(?i)\b(?:bearer|basic)\s+([A-Za-z0-9+/=._~-]*[0-9+/=][A-Za-z0-9+/=._~-]*)`), 8},
		{regexp.MustCompile(`(?i)\bAccountKey=([^;"'\s]+)`), 1},
		{regexp.MustCompile(`(?i)\bSharedAccessKey=([^;"'\s]+)`), 1},
		{regexp.MustCompile(`(?i)\b(?:password|pwd)\s*=\s*([^;"'\s]+)`), 1},
		// scheme://user:password@host — the password of a connection string, however short.
		{regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#@"'<>]*:([^\s@/"'<>]+)@`), 1},
	}

	secretWord = `(?:passw(?:or)?d|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|` +
		`credentials?|auth[_-]?key|signing[_-]?key|encryption[_-]?key|master[_-]?key|session[_-]?key|salt|` +
		`connection[_-]?string|dsn)`
	secretNameRE = regexp.MustCompile(`(?i)^[A-Za-z0-9_.-]*` + secretWord + `[A-Za-z0-9_.-]*$`)
	// assignRE finds `name = value`, `name: value` and `"name": value`; dockerRE finds
	// `ENV name value` and `ARG name value`. The value runs to the end of the line.
	assignRE = regexp.MustCompile(`(?m)(?:^|[\s{,;(\-])["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*[:=]\s*(.*)$`)
	dockerRE = regexp.MustCompile(`(?mi)^\s*(?:ENV|ARG)\s+([A-Za-z_][A-Za-z0-9_.-]*)\s+(.*)$`)
	// pendingRE finds a secret-like name given as the name of an entry whose value comes a
	// few lines below: `- name: DB_PASSWORD`, `variable "db_password" {`.
	pendingRE = regexp.MustCompile(`(?i)(?:\bname\s*[:=]\s*|\bvariable\s+)["']?([A-Za-z0-9_.-]+)["']?`)
	// laterValueRE is the value of such an entry.
	laterValueRE = regexp.MustCompile(`(?im)^\s*-?\s*["']?(?:value|default)["']?\s*[:=]\s*(.*)$`)

	// tokenRunRE is a run of a token alphabet, for the entropy check.
	tokenRunRE = regexp.MustCompile(`[A-Za-z0-9+/=_\-.~]{20,}`)
)

// benignSuffixes end secret-like names whose value names or describes a secret without
// being one: secretName, password_length, token_path, kms_key_arn.
var benignSuffixes = []string{"name", "names", "ref", "arn", "id", "ids", "path", "file", "version", "length",
	"type", "kind", "enabled", "ttl", "rotation", "policy", "mount", "provider", "store", "secret_name"}

// isSecretName reports whether a key names a secret value.
func isSecretName(name string) bool {
	if !secretNameRE.MatchString(name) {
		return false
	}
	low := strings.ToLower(name)
	for _, s := range benignSuffixes {
		if strings.HasSuffix(low, "_"+s) || strings.HasSuffix(low, "-"+s) || strings.HasSuffix(low, "."+s) ||
			(len(low) > len(s) && strings.HasSuffix(low, s) && name[len(name)-len(s)] >= 'A' && name[len(name)-len(s)] <= 'Z') {
			return false
		}
	}
	return true
}

// Redact returns text with every secret replaced by its placeholder.
func (r *Redactor) Redact(text string) string {
	text = privateKeyRE.ReplaceAllStringFunc(text, r.placeholder)
	for _, re := range tokenREs {
		text = re.ReplaceAllStringFunc(text, r.placeholder)
	}
	for _, c := range credentialValueREs {
		text = r.replaceGroup(text, c.re, c.min)
	}
	text = r.namedValues(text)
	text = tokenRunRE.ReplaceAllStringFunc(text, func(run string) string {
		if highEntropy(run) {
			return r.placeholder(run)
		}
		return run
	})
	return text
}

// replaceGroup replaces group 1 of every match of re that is at least min bytes long.
func (r *Redactor) replaceGroup(text string, re *regexp.Regexp, min int) string {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
		s, e := m[2], m[3]
		if s < 0 || e-s < min || isReference(text[s:e]) || placeholderRE.MatchString(text[s:e]) {
			continue
		}
		b.WriteString(text[last:s])
		b.WriteString(r.placeholder(text[s:e]))
		last = e
	}
	b.WriteString(text[last:])
	return b.String()
}

// namedValues replaces the values given to secret-like names, line by line.
func (r *Redactor) namedValues(text string) string {
	lines := strings.SplitAfter(text, "\n")
	pending := 0 // lines left in which the value of a secret-like entry name may come
	for i, line := range lines {
		if pending > 0 {
			if m := laterValueRE.FindStringSubmatchIndex(line); m != nil {
				lines[i] = r.value(line, m[2], m[3])
				pending = 0
				continue
			}
			pending--
		}
		if m := pendingRE.FindStringSubmatch(line); m != nil {
			pending = 0
			if isSecretName(m[1]) {
				pending = 4
			}
		}
		if m := dockerRE.FindStringSubmatchIndex(line); m != nil && isSecretName(line[m[2]:m[3]]) {
			lines[i] = r.value(line, m[4], m[5])
			continue
		}
		lines[i] = r.assignments(lines[i])
	}
	return strings.Join(lines, "")
}

// assignments replaces the values of every `name = value` form on one line whose name is
// secret-like (a line may hold several: a flow map, a JSON object, a k=v list).
func (r *Redactor) assignments(line string) string {
	for start := 0; start < len(line); {
		m := assignRE.FindStringSubmatchIndex(line[start:])
		if m == nil {
			break
		}
		name := line[start+m[2] : start+m[3]]
		next := start + m[3] // look again after the name
		if isSecretName(name) {
			line = r.value(line, start+m[4], start+m[5])
			next = start + m[4] + 1 // into the value (or its placeholder): the next pair is after it
		}
		start = next
	}
	return line
}

// value replaces the value that starts at line[s:e]: a quoted string's content, or an
// unquoted word up to a delimiter. Booleans, numbers, references and empty values stay.
func (r *Redactor) value(line string, s, e int) string {
	v := line[s:e]
	trimmed := strings.TrimLeft(v, " \t")
	s += len(v) - len(trimmed)
	v = trimmed
	if v == "" {
		return line
	}
	var vs, ve int
	switch q := v[0]; q {
	case '"', '\'':
		end := strings.IndexByte(v[1:], q)
		if end < 0 {
			end = len(strings.TrimRight(v[1:], "\r\n"))
		}
		vs, ve = s+1, s+1+end
	default:
		end := strings.IndexAny(v, " \t\r\n,;}#\"'")
		if end < 0 {
			end = len(v)
		}
		vs, ve = s, s+end
	}
	val := line[vs:ve]
	if val == "" || isReference(val) || placeholderRE.MatchString(val) || isPlain(val) {
		return line
	}
	return line[:vs] + r.placeholder(val) + line[ve:]
}

// isReference reports whether a value names a secret held elsewhere rather than holding it.
func isReference(v string) bool {
	v = strings.TrimSpace(v)
	for _, p := range []string{"${", "$(", "{{", "var.", "local.", "data.", "module.", "aws_", "random_", "<", "|", ">"} {
		if strings.HasPrefix(v, p) {
			return true
		}
	}
	return strings.HasPrefix(v, "$") && len(v) > 1 && (v[1] == '_' || v[1] >= 'A' && v[1] <= 'Z' || v[1] >= 'a' && v[1] <= 'z')
}

// isPlain reports whether a value is a boolean, a number or null: no secret.
func isPlain(v string) bool {
	switch strings.ToLower(v) {
	case "true", "false", "yes", "no", "null", "~", "none", "[]", "{}":
		return true
	}
	_, err := strconv.ParseFloat(v, 64)
	return err == nil
}

// highEntropy reports whether a run of token characters looks random: 20 characters or more,
// letters and digits both, not an identifier made of short words (aws_s3_bucket_policy,
// a UUID, a path), and at least 3.5 bits of entropy per character (3.0 for hex).
func highEntropy(run string) bool {
	if placeholderRE.MatchString(run) {
		return false
	}
	var letters, digits bool
	hex := true
	for _, c := range run {
		switch {
		case c >= '0' && c <= '9':
			digits = true
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letters = true
			if !(c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				hex = false
			}
		default:
			hex = false
		}
	}
	if !letters || !digits {
		return false
	}
	segs := strings.FieldsFunc(run, func(c rune) bool { return strings.ContainsRune("_-./~", c) })
	if len(segs) > 1 {
		longest := 0
		for _, s := range segs {
			longest = max(longest, len(s))
		}
		if longest < 16 {
			return false
		}
	}
	h := entropy(run)
	if hex {
		return h >= 3.0
	}
	return h >= 3.5
}

// entropy is the Shannon entropy of s in bits per character.
func entropy(s string) float64 {
	counts := map[rune]int{}
	n := 0
	for _, c := range s {
		counts[c]++
		n++
	}
	keys := make([]rune, 0, len(counts))
	for c := range counts {
		keys = append(keys, c)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	h := 0.0
	for _, c := range keys {
		p := float64(counts[c]) / float64(n)
		h -= p * math.Log2(p)
	}
	return h
}
