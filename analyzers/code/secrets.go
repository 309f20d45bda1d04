package code

import (
	"fmt"
	"io/fs"
	"math"
	"regexp"
	"strings"
	"sync"
)

// Secrets written into the source: literals of known formats (cloud keys, tokens, private
// keys, URLs with credentials), and literals assigned to secret-like names that look random.
// The formats are data (packs/secrets.yaml), shared by every language.

type secretFormat struct {
	Name  string `yaml:"name"`
	Regex string `yaml:"regex"`
	re    *regexp.Regexp
}

type secretRules struct {
	MinLength    int            `yaml:"min_length"`
	MinEntropy   float64        `yaml:"min_entropy"`
	Placeholders []string       `yaml:"placeholders"`
	Formats      []secretFormat `yaml:"formats"`
	any          *regexp.Regexp
}

var (
	secretsOnce sync.Once
	secretsData *secretRules
	secretsErr  error
)

// loadSecrets reads packs/secrets.yaml.
func loadSecrets(fsys fs.FS) (*secretRules, error) {
	src, err := fs.ReadFile(fsys, "packs/secrets.yaml")
	if err != nil {
		return nil, fmt.Errorf("code packs: %w", err)
	}
	r := &secretRules{}
	if err := decodeStrict(src, r); err != nil {
		return nil, fmt.Errorf("code packs packs/secrets.yaml: %w", err)
	}
	var alts []string
	for i := range r.Formats {
		f := &r.Formats[i]
		re, err := regexp.Compile(f.Regex)
		if err != nil {
			return nil, fmt.Errorf("code packs packs/secrets.yaml: %s: %w", f.Name, err)
		}
		f.re = re
		alts = append(alts, "(?:"+f.Regex+")")
	}
	r.any = regexp.MustCompile(strings.Join(alts, "|"))
	return r, nil
}

func secrets() *secretRules {
	secretsOnce.Do(func() { secretsData, secretsErr = loadSecrets(packsFS) })
	return secretsData
}

// maybe is a cheap test before the formats' regular expressions: a literal none of whose
// marks it holds matches none of them.
func (r *secretRules) maybe(s string) bool {
	for _, m := range secretMarks {
		if strings.Contains(s, m) {
			return true
		}
	}
	for _, m := range []string{"pass", "Pass", "PASS", "pwd", "Pwd", "PWD"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// secretMarks are substrings every format's match contains (packs/secrets.yaml); a test
// keeps them in step with the formats.
var secretMarks = []string{"AKIA", "ASIA", "gh", "github_pat_", "xox", "_live_", "AIza", "PRIVATE KEY", "sk-", "SG.", "SK", "://"}

// entropy is the Shannon entropy of s in bits per character.
func entropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	var h float64
	n := float64(len(s))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// secretLooking reports whether a literal assigned to a secret's name looks like one.
func (r *secretRules) secretLooking(s string) bool {
	if len(s) < r.MinLength || strings.ContainsAny(s, " \t\n") {
		return false
	}
	low := strings.ToLower(s)
	for _, p := range r.Placeholders {
		if strings.Contains(low, p) {
			return false
		}
	}
	if strings.Contains(s, "://") || strings.HasPrefix(s, "/") {
		return false
	}
	// the name of a variable or a header, not its value: API_KEY, X-Api-Key, api.key
	if strings.ToUpper(s) == s && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") == "" {
		return false
	}
	return entropy(s) >= r.MinEntropy
}

// scanSecrets finds the secrets written in the file's string literals.
func (x *extractor) scanSecrets(rs []role) []Check {
	f := x.f
	rules := secrets()
	if rules == nil {
		return nil
	}
	var out []Check
	for i := range f.flat.Nodes {
		n := int32(i)
		nd := &f.flat.Nodes[n]
		if int(nd.Sym) >= len(rs) || rs[nd.Sym] != rString {
			continue
		}
		if p := f.parent(n); p >= 0 && int(f.flat.Nodes[p].Sym) < len(rs) && rs[f.flat.Nodes[p].Sym] == rString {
			continue // a part of a concatenated string: the whole is read
		}
		if nd.EndByte-nd.StartByte < 10 || nd.EndByte-nd.StartByte > 8192 {
			continue
		}
		text := string(f.src[nd.StartByte:nd.EndByte])
		if rules.maybe(text) && rules.any.MatchString(text) {
			for _, fm := range rules.Formats {
				if !fm.re.MatchString(text) {
					continue
				}
				if fm.Name == "credentials in a URL" && placeholderURL(text, rules) {
					break
				}
				out = append(out, Check{Check: "secret_known", Span: f.span(nd.StartByte, nd.EndByte), Detail: fm.Name})
				break
			}
			if len(out) > 0 && int(out[len(out)-1].Span.Start.Offset) == int(nd.StartByte) {
				continue
			}
		}
		name := x.literalName(n)
		if name == "" || nameKind(name) != "secret" {
			continue
		}
		v, whole := f.evalString(n, maxEvalDepth).str()
		if !whole || !rules.secretLooking(v) {
			continue
		}
		out = append(out, Check{Check: "secret_entropy", Span: f.span(nd.StartByte, nd.EndByte),
			Detail: fmt.Sprintf("%s = a %d-character literal (%.1f bits of entropy per character)", name, len(v), entropy(v))})
	}
	return out
}

// placeholderURL reports whether the credentials of a URL are placeholders (user:password).
func placeholderURL(s string, r *secretRules) bool {
	i := strings.Index(s, "://")
	at := strings.LastIndex(s, "@")
	if i < 0 || at < i {
		return true
	}
	cred := strings.ToLower(s[i+3 : at])
	_, pass, _ := strings.Cut(cred, ":")
	for _, p := range append([]string{"password", "pass", "pwd", "secret", "user"}, r.Placeholders...) {
		if pass == p || strings.Contains(pass, p) && len(p) > 3 {
			return true
		}
	}
	return false
}

// literalName returns the name a literal is assigned to: the variable, field, keyword or
// key it is the value of, or "".
func (x *extractor) literalName(n int32) string {
	f := x.f
	syn := &f.l.Syntax
	p := f.parent(n)
	for i := 0; i < 3 && p >= 0 && (has(syn.Unwrap, f.k(p)) || f.k(p) == "expression_list"); i++ {
		p = f.parent(p)
	}
	if p < 0 {
		return ""
	}
	k := f.k(p)
	if sh, ok := f.l.Flow.Assign[k]; ok {
		left := f.field(p, sh.Left)
		if ch := f.chain(left); ch != nil {
			return ch[len(ch)-1]
		}
		if ls := (&walker{f: f}).items(left); len(ls) > 0 {
			if ch := f.chain(ls[0]); ch != nil {
				return ch[len(ch)-1]
			}
		}
		return ""
	}
	if sh, ok := syn.Keywords[k]; ok {
		return f.keyText(f.field(p, sh.Key))
	}
	if sh, ok := syn.Pairs[k]; ok {
		return f.keyText(f.field(p, sh.Key))
	}
	return ""
}
