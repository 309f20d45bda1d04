package cloud

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/threatls/threatls/model"
)

// Statement is one statement of an IAM or resource policy, normalised. A nil list means the
// list could not be known; UnknownActions and UnknownResources say why.
type Statement struct {
	Effect     string // "Allow", "Deny" or "" when unknown
	Actions    []string
	NotActions bool // the statement lists NotAction: it allows everything but those
	Resources  []string
	Principals []string // "*" for a principal of everyone
	Condition  bool
	Unknown    string // why the effect or principal of the statement is unknown
	// UnknownActions and UnknownResources say why part of those lists is unknown.
	UnknownActions, UnknownResources string
	Span                             model.Span
	ActionsSpan                      model.Span
}

// Policy is a policy read from a policy argument or a policy document data source.
type Policy struct {
	Stmts   []Statement
	Unknown string // set when the policy as a whole cannot be read
}

// ParsePolicy reads a policy document, a JSON object (or its text) as a model value, whose
// statements were written at span.
func ParsePolicy(v any, span model.Span) *Policy {
	if s, ok := v.(string); ok {
		var j any
		if err := json.Unmarshal([]byte(s), &j); err != nil {
			return &Policy{Unknown: fmt.Sprintf("the policy is not valid JSON: %v", err)}
		}
		v = FromJSON(j)
	}
	o, ok := v.(map[string]any)
	if !ok {
		if n := UnknownNote(v); n != "" {
			return &Policy{Unknown: n}
		}
		return &Policy{Unknown: "the policy is not a JSON object"}
	}
	p := &Policy{}
	sts := o["Statement"]
	if s, ok := sts.(map[string]any); ok {
		sts = []any{s}
	}
	l, ok := sts.([]any)
	if !ok {
		p.Unknown = "the policy has no list of statements"
		if n := UnknownNote(sts); n != "" {
			p.Unknown = n
		}
		return p
	}
	for _, x := range l {
		s, ok := x.(map[string]any)
		if !ok {
			p.Stmts = append(p.Stmts, Statement{Unknown: "a statement is not an object", Span: span})
			continue
		}
		st := Statement{Span: span, ActionsSpan: span}
		if e, ok := s["Effect"].(string); ok {
			st.Effect = e
		} else {
			st.Unknown = "the effect of a statement is unknown"
		}
		if _, ok := s["NotAction"]; ok {
			st.NotActions = true
		}
		st.Actions = st.Strings(s["Action"], &st.UnknownActions)
		if st.NotActions {
			st.Actions = []string{"*"}
		}
		st.Resources = st.ResourceStrings(s["Resource"])
		if _, ok := s["NotResource"]; ok {
			st.Resources = []string{"*"}
		}
		switch pr := s["Principal"].(type) {
		case nil:
		case string:
			st.Principals = []string{pr}
		case map[string]any:
			for _, k := range SortedKeys(pr) {
				st.Principals = append(st.Principals, st.Strings(pr[k], &st.Unknown)...)
			}
		default:
			st.Unknown = "the principal of a statement is unknown"
		}
		_, st.Condition = s["Condition"]
		p.Stmts = append(p.Stmts, st)
	}
	return p
}

// Strings reads a string or a list of strings; why a part is unknown is recorded in *note
// and the part left out.
func (st *Statement) Strings(v any, note *string) []string {
	unknown := func(x any) {
		if *note == "" {
			*note = "a value of a statement is unknown"
			if n := UnknownNote(x); n != "" {
				*note = n
			}
		}
	}
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, y := range x {
			if s, ok := y.(string); ok {
				out = append(out, s)
			} else {
				unknown(y)
			}
		}
		return out
	}
	unknown(v)
	return nil
}

// ResourceStrings reads a Resource list. An unknown part that cannot be "*" (an ARN built
// by interpolation, a resource's arn attribute) is certain enough for the wildcard check and
// left out without making the list uncertain.
func (st *Statement) ResourceStrings(v any) []string {
	if l, ok := v.([]any); ok {
		kept := make([]any, 0, len(l))
		for _, x := range l {
			if u, ok := x.(*Unknown); !ok || !u.NotStar {
				kept = append(kept, x)
			}
		}
		v = kept
	} else if u, ok := v.(*Unknown); ok && u.NotStar {
		return nil
	}
	return st.Strings(v, &st.UnknownResources)
}

// SetWildcards records wildcard_actions, wildcard_resources and admin. Only Allow statements
// count; a statement that cannot be read fully makes a false result unknown.
func (p *Policy) SetWildcards(el *model.Element, at model.Span) {
	type res struct {
		v    bool
		sp   model.Span
		unkn string
	}
	var wa, wr, adm res
	for _, st := range p.Stmts {
		if st.Effect != "Allow" && st.Effect != "" {
			continue
		}
		uncertain := func(fields ...string) string {
			for _, f := range append([]string{st.Unknown}, fields...) {
				if f != "" {
					return f
				}
			}
			if st.Effect == "" {
				return "the effect of a statement is unknown"
			}
			return ""
		}
		maybe := func(r *res, note string) {
			if !r.v && r.unkn == "" && note != "" {
				r.unkn, r.sp = note, st.Span
			}
		}
		if st.Effect == "" {
			// Could be an Allow: only uncertainty follows from it.
			maybe(&wa, uncertain())
			maybe(&wr, uncertain())
			maybe(&adm, uncertain())
			continue
		}
		allActions, anyWildAction := false, false
		for _, a := range st.Actions {
			if a == "*" || a == "*:*" {
				allActions, anyWildAction = true, true
			} else if strings.HasSuffix(a, ":*") {
				anyWildAction = true
			}
		}
		allResources := false
		for _, r := range st.Resources {
			if r == "*" {
				allResources = true
			}
		}
		if anyWildAction && !wa.v {
			wa = res{v: true, sp: st.ActionsSpan}
		}
		if allResources && !wr.v {
			wr = res{v: true, sp: st.Span}
		}
		if allActions && allResources && !adm.v {
			adm = res{v: true, sp: st.ActionsSpan}
		}
		maybe(&wa, uncertain(st.UnknownActions))
		maybe(&wr, uncertain(st.UnknownResources))
		maybe(&adm, uncertain(st.UnknownActions, st.UnknownResources))
	}
	for _, x := range []struct {
		name string
		r    res
	}{{"wildcard_actions", wa}, {"wildcard_resources", wr}, {"admin", adm}} {
		sp := x.r.sp
		if sp.IsZero() {
			sp = at
		}
		switch {
		case x.r.v:
			el.SetNote(x.name, true, sp, "")
		case x.r.unkn != "":
			el.SetUnknown(x.name, sp, x.r.unkn)
		default:
			el.SetNote(x.name, false, at, "")
		}
	}
}

// Public reports whether an Allow statement grants access to everyone without a condition.
func (p *Policy) Public() (bool, model.Span, string) {
	for _, st := range p.Stmts {
		if st.Effect != "Allow" || st.Condition {
			continue
		}
		for _, pr := range st.Principals {
			if pr == "*" {
				return true, st.Span, "a statement allows everyone (Principal \"*\") without a condition"
			}
		}
	}
	return false, model.Span{}, ""
}
