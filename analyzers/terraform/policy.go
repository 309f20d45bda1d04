package terraform

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/model"
)

// statement is one statement of an IAM or resource policy, normalised. A nil list means the
// list could not be known; unknownNote says why.
type statement struct {
	effect     string // "Allow", "Deny" or "" when unknown
	actions    []string
	notActions bool // the statement lists NotAction: it allows everything but those
	resources  []string
	principals []string // "*" for a principal of everyone
	condition  bool
	unknown    string // why the effect or principal of the statement is unknown
	// unknownActions and unknownResources say why part of those lists is unknown.
	unknownActions, unknownResources string
	span                             model.Span
	actionsSpan                      model.Span
}

// policyDoc is a policy read from a policy argument or a policy document data source.
type policyDoc struct {
	stmts   []statement
	unknown string // set when the policy as a whole cannot be read
}

var attachedTo = map[string]string{
	"aws_iam_role_policy":             "role",
	"aws_iam_user_policy":             "user",
	"aws_iam_group_policy":            "group",
	"aws_iam_user_policy_attachment":  "user",
	"aws_iam_role_policy_attachment":  "role",
	"aws_iam_group_policy_attachment": "group",
}

func buildPolicy(m *module, r *res) {
	el := m.element(r, model.Control, "iam")
	if t, ok := attachedTo[r.typ]; ok {
		analyzers.SetNote(el, "attached_to", t, r.b.Head, "")
	}
	var p *policyDoc
	at := r.b.Head
	if r.typ == "aws_iam_policy_document" {
		p = m.policyDocument(r.b)
	} else {
		a := r.b.Attr("policy")
		if a == nil {
			return
		}
		at = a.Span
		p = m.policy(el, a)
	}
	if p.unknown != "" {
		for _, n := range []string{"wildcard_actions", "wildcard_resources", "admin"} {
			el.SetUnknown(n, at, p.unknown)
		}
		return
	}
	p.setWildcards(el, at)
}

// policy reads the policy of argument a: jsonencode({...}), a JSON string or heredoc, or
// data.aws_iam_policy_document.X.json, which adds the document to el's related locations.
func (m *module) policy(el *model.Element, a *Attribute) *policyDoc {
	if addr, attr, ok := m.refAddr(a.Expr); ok {
		doc := m.resources[addr]
		if doc.typ != "aws_iam_policy_document" || attr != "json" {
			return &policyDoc{unknown: addr + "." + attr + " is not a policy document"}
		}
		el.Related = append(el.Related, model.Related{Span: doc.b.Head,
			Message: "policy document " + addr})
		return m.policyDocument(doc.b)
	}
	v, via := m.resolve(a.Expr)
	if s, ok := v.(string); ok {
		var j any
		if err := json.Unmarshal([]byte(s), &j); err != nil {
			return &policyDoc{unknown: fmt.Sprintf("the policy is not valid JSON: %v", err)}
		}
		v = fromJSON(j)
	}
	o, ok := v.(map[string]any)
	if !ok {
		if n := unknownNote(v); n != "" {
			return &policyDoc{unknown: n}
		}
		return &policyDoc{unknown: "the policy is not a JSON object"}
	}
	_ = via
	p := &policyDoc{}
	sts := o["Statement"]
	if s, ok := sts.(map[string]any); ok {
		sts = []any{s}
	}
	l, ok := sts.([]any)
	if !ok {
		p.unknown = "the policy has no list of statements"
		if n := unknownNote(sts); n != "" {
			p.unknown = n
		}
		return p
	}
	for _, x := range l {
		s, ok := x.(map[string]any)
		if !ok {
			p.stmts = append(p.stmts, statement{unknown: "a statement is not an object", span: a.Span})
			continue
		}
		st := statement{span: a.Span, actionsSpan: a.Span}
		if e, ok := s["Effect"].(string); ok {
			st.effect = e
		} else {
			st.unknown = "the effect of a statement is unknown"
		}
		if _, ok := s["NotAction"]; ok {
			st.notActions = true
		}
		st.actions = st.strings(s["Action"], &st.unknownActions)
		if st.notActions {
			st.actions = []string{"*"}
		}
		st.resources = st.resourceStrings(s["Resource"])
		if _, ok := s["NotResource"]; ok {
			st.resources = []string{"*"}
		}
		switch pr := s["Principal"].(type) {
		case nil:
		case string:
			st.principals = []string{pr}
		case map[string]any:
			for _, k := range sortedKeys(pr) {
				st.principals = append(st.principals, st.strings(pr[k], &st.unknown)...)
			}
		default:
			st.unknown = "the principal of a statement is unknown"
		}
		_, st.condition = s["Condition"]
		p.stmts = append(p.stmts, st)
	}
	return p
}

// strings reads a string or a list of strings; why a part is unknown is recorded in *note
// and the part left out.
func (st *statement) strings(v any, note *string) []string {
	unknown := func(x any) {
		if *note == "" {
			*note = "a value of a statement is unknown"
			if n := unknownNote(x); n != "" {
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

// resourceStrings reads a Resource list. An unknown part that cannot be "*" (an ARN built
// by interpolation, a resource's arn attribute) is certain enough for the wildcard check and
// left out without making the list uncertain.
func (st *statement) resourceStrings(v any) []string {
	if l, ok := v.([]any); ok {
		kept := make([]any, 0, len(l))
		for _, x := range l {
			if u, ok := x.(*unknownVal); !ok || !u.notStar {
				kept = append(kept, x)
			}
		}
		v = kept
	} else if u, ok := v.(*unknownVal); ok && u.notStar {
		return nil
	}
	return st.strings(v, &st.unknownResources)
}

// policyDocument reads the statement blocks of an aws_iam_policy_document.
func (m *module) policyDocument(b *Block) *policyDoc {
	p := &policyDoc{}
	for _, s := range b.Nested("statement") {
		st := statement{span: s.Span, actionsSpan: s.Head, effect: "Allow"}
		if a := s.Attr("effect"); a != nil {
			v, _ := m.resolve(a.Expr)
			if e, ok := v.(string); ok {
				st.effect = e
			} else {
				st.effect, st.unknown = "", "effect: "+unknownNote(v)
			}
		}
		list := func(arg string) ([]string, *Attribute) {
			a := s.Attr(arg)
			if a == nil {
				return nil, nil
			}
			v, _ := m.resolve(a.Expr)
			if arg == "resources" {
				return st.resourceStrings(v), a
			}
			return st.strings(v, &st.unknownActions), a
		}
		var a *Attribute
		st.actions, a = list("actions")
		if a != nil {
			st.actionsSpan = a.Span
		}
		if na, at := list("not_actions"); na != nil || at != nil {
			st.notActions, st.actions, st.actionsSpan = true, []string{"*"}, at.Span
		}
		st.resources, _ = list("resources")
		if nr, at := list("not_resources"); nr != nil || at != nil {
			st.resources = []string{"*"}
		}
		for _, pr := range s.Nested("principals") {
			typ := m.str(pr, "type")
			ids := pr.Attr("identifiers")
			if ids == nil {
				continue
			}
			v, _ := m.resolve(ids.Expr)
			for _, id := range st.strings(v, &st.unknown) {
				if typ == "*" || (typ == "AWS" && id == "*") {
					st.principals = append(st.principals, "*")
				} else {
					st.principals = append(st.principals, typ+":"+id)
				}
			}
		}
		st.condition = len(s.Nested("condition")) > 0
		p.stmts = append(p.stmts, st)
	}
	return p
}

// setWildcards records wildcard_actions, wildcard_resources and admin. Only Allow statements
// count; a statement that cannot be read fully makes a false result unknown.
func (p *policyDoc) setWildcards(el *model.Element, at model.Span) {
	type res struct {
		v    bool
		sp   model.Span
		unkn string
	}
	var wa, wr, adm res
	for _, st := range p.stmts {
		if st.effect != "Allow" && st.effect != "" {
			continue
		}
		uncertain := func(fields ...string) string {
			for _, f := range append([]string{st.unknown}, fields...) {
				if f != "" {
					return f
				}
			}
			if st.effect == "" {
				return "the effect of a statement is unknown"
			}
			return ""
		}
		maybe := func(r *res, note string) {
			if !r.v && r.unkn == "" && note != "" {
				r.unkn, r.sp = note, st.span
			}
		}
		if st.effect == "" {
			// Could be an Allow: only uncertainty follows from it.
			maybe(&wa, uncertain())
			maybe(&wr, uncertain())
			maybe(&adm, uncertain())
			continue
		}
		allActions, anyWildAction := false, false
		for _, a := range st.actions {
			if a == "*" || a == "*:*" {
				allActions, anyWildAction = true, true
			} else if strings.HasSuffix(a, ":*") {
				anyWildAction = true
			}
		}
		allResources := false
		for _, r := range st.resources {
			if r == "*" {
				allResources = true
			}
		}
		if anyWildAction && !wa.v {
			wa = res{v: true, sp: st.actionsSpan}
		}
		if allResources && !wr.v {
			wr = res{v: true, sp: st.span}
		}
		if allActions && allResources && !adm.v {
			adm = res{v: true, sp: st.actionsSpan}
		}
		maybe(&wa, uncertain(st.unknownActions))
		maybe(&wr, uncertain(st.unknownResources))
		maybe(&adm, uncertain(st.unknownActions, st.unknownResources))
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
			analyzers.SetNote(el, x.name, true, sp, "")
		case x.r.unkn != "":
			el.SetUnknown(x.name, sp, x.r.unkn)
		default:
			analyzers.SetNote(el, x.name, false, at, "")
		}
	}
}

// public reports whether an Allow statement grants access to everyone without a condition.
func (p *policyDoc) public() (bool, model.Span, string) {
	for _, st := range p.stmts {
		if st.effect != "Allow" || st.condition {
			continue
		}
		for _, pr := range st.principals {
			if pr == "*" {
				return true, st.span, "a statement allows everyone (Principal \"*\") without a condition"
			}
		}
	}
	return false, model.Span{}, ""
}

// fromJSON turns decoded JSON into model values: whole numbers become int64.
func fromJSON(v any) any {
	switch x := v.(type) {
	case float64:
		if x == float64(int64(x)) {
			return int64(x)
		}
		return fmt.Sprint(x)
	case []any:
		for i := range x {
			x[i] = fromJSON(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = fromJSON(x[k])
		}
	}
	return v
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// --- attachments ---

func buildAttachment(m *module, r *res) {
	el := m.element(r, model.Control, "iam")
	if t, ok := attachedTo[r.typ]; ok {
		analyzers.SetNote(el, "attached_to", t, r.b.Head, "")
	} else {
		for _, x := range []struct{ arg, t string }{{"users", "user"}, {"roles", "role"}, {"groups", "group"}} {
			if a := r.b.Attr(x.arg); a != nil {
				analyzers.SetNote(el, "attached_to", x.t, a.Span, "")
				break
			}
		}
	}
	a := r.b.Attr("policy_arn")
	if a == nil {
		return
	}
	if _, _, ok := m.refAddr(a.Expr); ok {
		return // linkAttachment reads the policy it points at
	}
	v := m.setAttr(el, "policy_arn", a, tString)
	if v == nil {
		el.SetUnknown("admin", a.Span, el.Attrs["policy_arn"].Note)
		return
	}
	arn := v.(string)
	admin := strings.HasSuffix(arn, ":policy/AdministratorAccess") || strings.HasSuffix(arn, ":policy/IAMFullAccess")
	analyzers.SetNote(el, "admin", admin, a.Span, "")
}

func linkAttachment(m *module, r *res) {
	el := r.el
	a := r.b.Attr("policy_arn")
	if el == nil || a == nil {
		return
	}
	addr, _, ok := m.refAddr(a.Expr)
	if !ok {
		return
	}
	pol := m.resources[addr]
	el.SetUnknown("policy_arn", a.Span, "the ARN of "+addr+" is known only when Terraform runs")
	if pol.el == nil || pol.typ != "aws_iam_policy" {
		el.SetUnknown("admin", a.Span, addr+" is not an aws_iam_policy")
		return
	}
	el.Related = append(el.Related, model.Related{Span: pol.b.Head, Message: "attaches " + addr})
	if adm, ok := pol.el.Attrs["admin"]; ok && adm.Origin != model.Unknown {
		analyzers.SetNote(el, "admin", adm.Value, a.Span, addr+" grants admin: "+fmt.Sprint(adm.Value))
	} else {
		el.SetUnknown("admin", a.Span, "whether "+addr+" grants admin is unknown")
	}
	if t, ok := el.Attrs["attached_to"]; ok {
		if _, set := pol.el.Attrs["attached_to"]; !set {
			analyzers.SetNote(pol.el, "attached_to", t.Value, t.Span, "attached by "+r.addr)
		}
	}
}
