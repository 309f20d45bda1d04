package mapping

import (
	"regexp"
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
	case "TLS1", "TLSV1", "TLS_1", "1", "TLS1_0", "TLS10":
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
