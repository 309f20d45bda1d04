// Package cloud is the Go that the analyzers of cloud infrastructure formats (Terraform,
// CloudFormation) share where the resource mapping (package mapping) cannot say it as data:
// IAM and resource policies, whether a bucket is public, secrets in environment variables,
// security rules. Values are model values (bool, int64, string, []any, map[string]any, nil)
// whose unknown parts are *Unknown.
package cloud

import (
	"fmt"
	"sort"
)

// Unknown stands, inside a resolved value, for a part that cannot be known statically.
type Unknown struct {
	// Note says why, for people.
	Note string
	// NotStar is set when the value, though unknown, cannot be the string "*": a resource's
	// ARN attribute, or a template with literal text (an ARN built by interpolation).
	NotStar bool
	// MaybeNull is set when the value may turn out to be null (a variable without a default,
	// a value that depends on a condition), so that the property may not be set at all; a
	// resource's attribute is never null.
	MaybeNull bool
}

// Known reports whether v holds no unknown part.
func Known(v any) bool {
	switch x := v.(type) {
	case *Unknown:
		return false
	case []any:
		for _, y := range x {
			if !Known(y) {
				return false
			}
		}
	case map[string]any:
		for _, y := range x {
			if !Known(y) {
				return false
			}
		}
	}
	return true
}

// MaybeNull reports whether v is an unknown value that may be null.
func MaybeNull(v any) bool {
	u, ok := v.(*Unknown)
	return ok && u.MaybeNull
}

// UnknownNote returns the note of the first unknown part of v (map keys in order), or "".
func UnknownNote(v any) string {
	switch x := v.(type) {
	case *Unknown:
		return x.Note
	case []any:
		for _, y := range x {
			if n := UnknownNote(y); n != "" {
				return n
			}
		}
	case map[string]any:
		for _, k := range SortedKeys(x) {
			if n := UnknownNote(x[k]); n != "" {
				return n
			}
		}
	}
	return ""
}

// FromJSON turns decoded JSON into model values: whole numbers become int64.
func FromJSON(v any) any {
	switch x := v.(type) {
	case float64:
		if x == float64(int64(x)) {
			return int64(x)
		}
		return fmt.Sprint(x)
	case []any:
		for i := range x {
			x[i] = FromJSON(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = FromJSON(x[k])
		}
	}
	return v
}

// SortedKeys returns the keys of m in order.
func SortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
