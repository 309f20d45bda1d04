package mapping

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// Transforms are the named conversions a source may apply to a property's value, for what
// is, is-not, min and map cannot say. Each returns false when the value is not one it reads.
var Transforms = map[string]func(any) (any, bool){
	// protocol: an IP protocol's name or number, lower case: "-1" and "all" are "all", 6 "tcp".
	"protocol": func(v any) (any, bool) {
		s, ok := AsString(v)
		if !ok {
			return nil, false
		}
		return Protocol(s), true
	},
	// upper, lower: a string in upper (lower) case.
	"upper": func(v any) (any, bool) {
		s, ok := AsString(v)
		return strings.ToUpper(s), ok
	},
	"lower": func(v any) (any, bool) {
		s, ok := AsString(v)
		return strings.ToLower(s), ok
	},
	// tls_version: a minimum TLS version in any provider's spelling ("TLS1_2", "TLSv1.2_2021",
	// "1.2", "TLS_1_2") as "1.0", "1.1", "1.2" or "1.3".
	"tls_version": func(v any) (any, bool) {
		s, ok := AsString(v)
		if !ok {
			return nil, false
		}
		if t := TLSVersion(s); t != "" {
			return t, true
		}
		return nil, false
	},
	// not_empty: a string, list or map that has something in it.
	"not_empty": func(v any) (any, bool) {
		switch x := v.(type) {
		case string:
			return x != "", true
		case []any:
			return len(x) > 0, true
		case map[string]any:
			return len(x) > 0, true
		case bool:
			return x, true
		}
		return nil, false
	},
	// internet: whether an address prefix, or any of a list of them, stands for every address
	// ("0.0.0.0/0", "::/0", "*", "Internet", "Any", "0.0.0.0").
	"internet": func(v any) (any, bool) {
		l, ok := AsStrings(v)
		if !ok {
			return nil, false
		}
		for _, x := range l {
			if Internet(x.(string)) {
				return true, true
			}
		}
		return false, true
	},
}

// Protocol normalises an IP protocol: "-1", "all" and "*" are "all"; 6, 17, 1 and 58 are tcp,
// udp, icmp and icmpv6; names are lower case.
func Protocol(p string) string {
	switch strings.ToLower(p) {
	case "-1", "all", "*":
		return "all"
	case "6":
		return "tcp"
	case "17":
		return "udp"
	case "1":
		return "icmp"
	case "58":
		return "icmpv6"
	}
	return strings.ToLower(p)
}

var tlsDigits = regexp.MustCompile(`(?i)^(?:tls)?[ _v]?(1)[._](\d)(?:[._-].*)?$`)

// TLSVersion returns the version a minimum TLS setting names, "1.0" to "1.3", or "".
func TLSVersion(s string) string {
	s = strings.TrimSpace(s)
	if m := tlsDigits.FindStringSubmatch(s); m != nil {
		return m[1] + "." + m[2]
	}
	switch strings.ToUpper(s) {
	case "TLS1", "TLSV1", "TLS_1", "1", "TLS1_0", "TLS10", "TLSENFORCEMENTDISABLED", "SSLV3", "TLSV1_2016":
		return "1.0"
	case "TLS11":
		return "1.1"
	case "TLS12":
		return "1.2"
	case "TLS13":
		return "1.3"
	}
	return ""
}

// Internet reports whether an address prefix stands for every address.
func Internet(prefix string) bool {
	switch strings.ToLower(strings.TrimSpace(prefix)) {
	case "0.0.0.0/0", "::/0", "*", "internet", "any", "0.0.0.0":
		return true
	}
	return false
}

func init() {
	// acl: a canned ACL in Terraform's spelling ("public-read"), also from CloudFormation's
	// AccessControl ("PublicRead").
	Transforms["acl"] = func(v any) (any, bool) {
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		return CannedACL(s), true
	}
	// acl_public: whether a canned ACL grants access to everyone or every AWS account.
	Transforms["acl_public"] = func(v any) (any, bool) {
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		return PublicACL(CannedACL(s)), true
	}
	// s3_access_block: whether a public access block configuration sets all four flags.
	Transforms["s3_access_block"] = func(v any) (any, bool) {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
			if b, ok := AsBool(m[k]); !ok || !b {
				return false, true
			}
		}
		return true, true
	}
}

// CannedACL spells an S3 canned ACL as Terraform does: CloudFormation's "PublicRead" is
// "public-read".
func CannedACL(s string) string {
	if strings.ContainsRune(s, '-') || strings.ToLower(s) == s {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('-')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// PublicACL reports whether a canned ACL (Terraform's spelling) grants access to everyone or
// to every AWS account.
func PublicACL(acl string) bool {
	switch acl {
	case "public-read", "public-read-write", "authenticated-read":
		return true
	}
	return false
}

func init() {
	// policy_public: whether a policy document (a JSON object or its text) has an Allow
	// statement for every principal ("*", {AWS: "*"}) without a condition.
	Transforms["policy_public"] = func(v any) (any, bool) {
		if s, ok := v.(string); ok {
			var j any
			if json.Unmarshal([]byte(s), &j) != nil {
				return nil, false
			}
			v = j
		}
		doc, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		sts := doc["Statement"]
		if one, ok := sts.(map[string]any); ok {
			sts = []any{one}
		}
		list, _ := sts.([]any)
		for _, x := range list {
			st, ok := x.(map[string]any)
			if !ok || st["Effect"] != "Allow" || st["Condition"] != nil {
				continue
			}
			if everyone(st["Principal"]) {
				return true, true
			}
		}
		return false, true
	}
	// public_member: whether an IAM member (or any of a list) is everyone: GCP's allUsers or
	// allAuthenticatedUsers.
	Transforms["public_member"] = func(v any) (any, bool) {
		l, ok := AsStrings(v)
		if !ok {
			return nil, false
		}
		for _, x := range l {
			if s := x.(string); s == "allUsers" || s == "allAuthenticatedUsers" {
				return true, true
			}
		}
		return false, true
	}
	// secret_text: whether a text (user data, a startup script) sets a secret in plain text:
	// a password, token or secret key assigned a literal, or a private key.
	Transforms["secret_text"] = func(v any) (any, bool) {
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		return secretText.MatchString(s), true
	}
	// elb_tls: the minimum TLS version of an Elastic Load Balancing security policy.
	Transforms["elb_tls"] = func(v any) (any, bool) {
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		switch {
		case strings.Contains(s, "TLS13-1-3"):
			return "1.3", true
		case strings.Contains(s, "TLS-1-2"), strings.Contains(s, "TLS13-1-2"), strings.Contains(s, "FS-1-2"):
			return "1.2", true
		case strings.Contains(s, "TLS-1-1"), strings.Contains(s, "FS-1-1"):
			return "1.1", true
		case strings.HasPrefix(s, "ELBSecurityPolicy"):
			return "1.0", true
		}
		return nil, false
	}
	// days_at_most_90: whether a rotation period ("7776000s", "90d") is 90 days or less.
	Transforms["days_at_most_90"] = func(v any) (any, bool) {
		s, ok := AsString(v)
		if !ok {
			return nil, false
		}
		s = strings.TrimSpace(s)
		var n float64
		switch {
		case strings.HasSuffix(s, "s"):
			f, err := strconv.ParseFloat(strings.TrimSuffix(s, "s"), 64)
			if err != nil {
				return nil, false
			}
			n = f / 86400
		case strings.HasSuffix(s, "d"):
			f, err := strconv.ParseFloat(strings.TrimSuffix(s, "d"), 64)
			if err != nil {
				return nil, false
			}
			n = f
		default:
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, false
			}
			n = f
		}
		return n <= 90, true
	}
}

// everyone reports whether a policy principal is everyone.
func everyone(p any) bool {
	switch x := p.(type) {
	case string:
		return x == "*"
	case map[string]any:
		for _, v := range x {
			l, _ := AsStrings(v)
			for _, s := range l {
				if s == "*" {
					return true
				}
			}
		}
	case []any:
		for _, y := range x {
			if everyone(y) {
				return true
			}
		}
	}
	return false
}

// secretText matches a secret set in plain text in a script: NAME=value or NAME: value where
// NAME says password, secret or token (not a reference such as $VAR or ${…}), or a private key.
var secretText = regexp.MustCompile(`(?i)(aws_secret_access_key|password|passwd|secret|api_?key|token)["']?\s*[:=]\s*["']?[A-Za-z0-9/+_\-!@#%^&*.]{6,}|-----BEGIN [A-Z ]*PRIVATE KEY-----`)

func init() {
	// lb_drop_headers: whether a CloudFormation load balancer's attributes turn
	// routing.http.drop_invalid_header_fields.enabled on.
	Transforms["lb_drop_headers"] = func(v any) (any, bool) {
		l, ok := v.([]any)
		if !ok {
			return nil, false
		}
		for _, x := range l {
			m, _ := x.(map[string]any)
			if m["Key"] == "routing.http.drop_invalid_header_fields.enabled" {
				b, ok := AsBool(m["Value"])
				return b, ok
			}
		}
		return false, true
	}
}

// secretName matches names of variables and parameters that hold secrets.
var secretName = regexp.MustCompile(`(?i)(password|passwd|secret|token|api[_-]?key|private[_-]?key|credential)`)

func init() {
	// secret_name: whether a name says it holds a secret (password, secret, token, API key).
	Transforms["secret_name"] = func(v any) (any, bool) {
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		return secretName.MatchString(s), true
	}
}

func init() {
	// rsasha1: whether a DNSSEC algorithm, or any of a list, is RSASHA1.
	Transforms["rsasha1"] = func(v any) (any, bool) {
		l, ok := AsStrings(v)
		if !ok {
			return nil, false
		}
		for _, x := range l {
			if strings.EqualFold(x.(string), "rsasha1") {
				return true, true
			}
		}
		return false, true
	}
}
