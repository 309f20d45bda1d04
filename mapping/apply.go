package mapping

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/threatls/threatls/model"
)

// Reader is what a format's analyzer gives the mapper for one resource: its properties.
type Reader interface {
	// Get returns the value at path (dot-separated, from the resource's body) and whether
	// the property is written. A path through a list reads its first item; a path that names
	// a nested block (HCL) or object is present with a non-nil value.
	Get(path string) (Value, bool)
}

// Value is a property's value as far as the source lets it be known.
type Value struct {
	// V is nil (null), bool, int64, string, []any or map[string]any.
	V any
	// Span is where the property is written.
	Span model.Span
	// Unknown, when not empty, says why the value (or a part of it) cannot be known
	// statically; V is then meaningless. MaybeNull says the unknown value may be null: the
	// property may turn out not to be set.
	Unknown   string
	MaybeNull bool
	// Via names where the value came from when that is not the property itself: a
	// variable's default, a parameter's ("var.size", "parameter Size").
	Via string
}

// Apply records on el the attributes of row read from r, a resource of format: for each
// attribute, the first source present decides (read, or unknown when its value cannot be
// known); otherwise a conditional default, or else the documented default. Attributes the
// row does not map are left alone; technology and category come from the row unless an
// attribute of that name is read.
func Apply(el *model.Element, row *Row, format string, r Reader) {
	el.Set("cloud", row.Provider(), el.Head)
	if row.Category != "" {
		el.Set("category", row.Category, el.Head)
	}
	if row.Platform != "" {
		el.Set("platform", row.Platform, el.Head)
	}
	for _, a := range row.Attrs {
		a.apply(el, format, r)
	}
}

func (a *Attr) apply(el *model.Element, format string, r Reader) {
	for i := range a.From {
		s := &a.From[i]
		p := s.Path(format)
		if p == "" {
			continue
		}
		v, ok := r.Get(p)
		if !ok || v.V == nil && v.Unknown == "" {
			continue
		}
		if s.If != nil && (v.Unknown != "" || !oneOf(v.V, s.If)) {
			continue
		}
		note := s.Note
		if v.Via != "" {
			note = join("from "+v.Via, note)
		}
		if (s.Present || s.Value != nil) && v.Unknown != "" && v.MaybeNull {
			el.SetUnknown(a.Name, v.Span, v.Unknown)
			return
		}
		if s.Present || s.Value != nil {
			x := s.Value
			if s.Present {
				x = true
			}
			x = s.negate(x)
			el.SetNote(a.Name, x, v.Span, note)
			return
		}
		if s.Unknown != "" {
			el.SetUnknown(a.Name, v.Span, s.Unknown)
			return
		}
		if v.Unknown != "" {
			el.SetUnknown(a.Name, v.Span, v.Unknown)
			return
		}
		x, ok := s.convert(a.typ(), v.V)
		if !ok {
			el.SetUnknown(a.Name, v.Span, fmt.Sprintf("%s is not %s", lastPart(p), typeName(s.inputType(a.typ()))))
			return
		}
		el.SetNote(a.Name, x, v.Span, note)
		return
	}
	for _, c := range a.When {
		p := c.Path(format)
		if p == "" {
			continue
		}
		v, ok := r.Get(p)
		if !ok || v.V == nil || v.Unknown != "" {
			continue
		}
		if len(c.Is) > 0 && !oneOf(v.V, c.Is) {
			continue
		}
		note := c.Note
		if note == "" {
			note = fmt.Sprintf("%s is %v", lastPart(p), v.V)
		}
		el.Default(a.Name, c.Then, note)
		return
	}
	if a.Default == nil {
		return
	}
	el.Default(a.Name, normalise(a.Default), a.DefaultNote(format))
}

// DefaultNote explains the attribute's default in format: the row's note, or else what the
// first property that decides it defaults to; with the date the default changed.
func (a *Attr) DefaultNote(format string) string {
	note := a.Note
	if note == "" {
		for i := range a.From {
			if p := a.From[i].Path(format); p != "" {
				note = fmt.Sprintf("%s defaults to %v", p, defaultText(a.From[i].Path(format), a.Default))
				break
			}
		}
	}
	if a.Since != "" {
		note = join(note, "the provider's default since "+a.Since)
	}
	return note
}

// defaultText renders a default for a note: the attribute's value, unless the property that
// decides it is negated or transformed, when only the attribute's value can be said.
func defaultText(_ string, v any) string { return fmt.Sprint(normalise(v)) }

func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

func (a *Attr) typ() string {
	if a.Type == "" {
		return "bool"
	}
	return a.Type
}

// inputType is the type a source's value must have before its transform.
func (s *Source) inputType(attrType string) string {
	switch {
	case s.Min != nil:
		return "int"
	case s.Is != nil, s.Map != nil:
		return "any"
	case s.Transform != "":
		return "any"
	}
	return attrType
}

// convert turns a property's value into the attribute's, through the source's transform.
func (s *Source) convert(attrType string, v any) (any, bool) {
	switch {
	case s.Is != nil:
		return s.negate(oneOf(v, s.Is)), true
	case s.Min != nil:
		n, ok := AsInt(v)
		if !ok {
			return nil, false
		}
		return s.negate(n >= *s.Min), true
	case s.Map != nil:
		key, ok := AsString(v)
		if !ok {
			return nil, false
		}
		for k, x := range s.Map {
			if strings.EqualFold(k, key) {
				return s.negate(normalise(x)), true
			}
		}
		if s.Else != nil {
			return s.negate(normalise(s.Else)), true
		}
		return s.negate(key), true
	case s.Transform != "":
		x, ok := Transforms[s.Transform](v)
		if !ok {
			return nil, false
		}
		return s.negate(x), true
	}
	x, ok := As(attrType, v)
	if !ok {
		return nil, false
	}
	return s.negate(x), true
}

func (s *Source) negate(v any) any {
	if b, ok := v.(bool); ok && s.Not {
		return !b
	}
	return v
}

// oneOf reports whether v is one of vals: strings compare without case, a string and a
// number or bool by their text ("true" is true, "80" is 80).
func oneOf(v any, vals []any) bool {
	s, ok := AsString(v)
	if !ok {
		return false
	}
	for _, x := range vals {
		if y, ok := AsString(normalise(x)); ok && strings.EqualFold(s, y) {
			return true
		}
	}
	return false
}

// normalise turns a value decoded from the rows' YAML into a model value: int → int64.
func normalise(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case float64:
		if x == float64(int64(x)) {
			return int64(x)
		}
	case []any:
		out := make([]any, len(x))
		for i, y := range x {
			out[i] = normalise(y)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, y := range x {
			out[k] = normalise(y)
		}
		return out
	}
	return v
}

func lastPart(p string) string {
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[i+1:]
	}
	return p
}

func typeName(t string) string {
	switch t {
	case "bool":
		return "a bool"
	case "int":
		return "a whole number"
	case "string":
		return "a string"
	case "strings":
		return "a list of strings"
	case "map":
		return "a map"
	}
	return "a value this attribute can read"
}

// As converts v to an attribute type as the providers do with arguments: "true" is a bool, "80"
// a number, a single string a list of one.
func As(typ string, v any) (any, bool) {
	switch typ {
	case "bool":
		return AsBool(v)
	case "int":
		return AsInt(v)
	case "string":
		return AsString(v)
	case "strings":
		return AsStrings(v)
	case "map":
		m, ok := v.(map[string]any)
		return m, ok
	}
	return v, true
}

// AsBool converts a bool or "true"/"false".
func AsBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch strings.ToLower(x) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// AsInt converts a whole number or its text.
func AsInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case string:
		if i, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			return i, true
		}
	}
	return 0, false
}

// AsString converts a string, a number or a bool to text.
func AsString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int:
		return strconv.Itoa(x), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// AsStrings converts a list of scalars (or one scalar) to a list of strings.
func AsStrings(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		out := make([]any, 0, len(x))
		for _, y := range x {
			s, ok := AsString(y)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	case nil:
		return []any{}, true
	}
	if s, ok := AsString(v); ok {
		return []any{s}, true
	}
	return nil, false
}
