package terraform

import (
	"fmt"
	"strings"

	"github.com/threatls/threatls/analyzers/cloud"
	"github.com/threatls/threatls/model"
)

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
		el.SetNote("attached_to", t, r.b.Head, "")
	}
	var p *cloud.Policy
	at := r.b.Head
	if r.typ == "aws_iam_policy_document" {
		p = m.policyDocument(r.b)
	} else {
		a := m.attr(r.b, "policy")
		if a == nil {
			return
		}
		at = a.Span
		p = m.policy(el, a)
	}
	if p.Unknown != "" {
		for _, n := range []string{"wildcard_actions", "wildcard_resources", "admin"} {
			el.SetUnknown(n, at, p.Unknown)
		}
		return
	}
	p.SetWildcards(el, at)
}

// policy reads the policy of argument a: jsonencode({...}), a JSON string or heredoc, or
// data.aws_iam_policy_document.X.json, which adds the document to el's related locations.
func (m *module) policy(el *model.Element, a *Attribute) *cloud.Policy {
	if addr, attr, ok := m.refAddr(a.Expr); ok {
		doc := m.resources[addr]
		if doc.typ != "aws_iam_policy_document" || attr != "json" {
			return &cloud.Policy{Unknown: addr + "." + attr + " is not a policy document"}
		}
		el.Related = append(el.Related, model.Related{Span: doc.b.Head,
			Message: "policy document " + addr})
		return m.policyDocument(doc.b)
	}
	v, _ := m.resolve(a.Expr)
	return cloud.ParsePolicy(v, a.Span)
}

// policyDocument reads the statement blocks of an aws_iam_policy_document.
func (m *module) policyDocument(b *Block) *cloud.Policy {
	p := &cloud.Policy{}
	for _, s := range b.Nested("statement") {
		st := cloud.Statement{Span: s.Span, ActionsSpan: s.Head, Effect: "Allow"}
		if a := m.attr(s, "effect"); a != nil {
			v, _ := m.resolve(a.Expr)
			if e, ok := v.(string); ok {
				st.Effect = e
			} else {
				st.Effect, st.Unknown = "", "effect: "+unknownNote(v)
			}
		}
		list := func(arg string) ([]string, *Attribute) {
			a := m.attr(s, arg)
			if a == nil {
				return nil, nil
			}
			v, _ := m.resolve(a.Expr)
			if arg == "resources" {
				return st.ResourceStrings(v), a
			}
			return st.Strings(v, &st.UnknownActions), a
		}
		var a *Attribute
		st.Actions, a = list("actions")
		if a != nil {
			st.ActionsSpan = a.Span
		}
		if na, at := list("not_actions"); na != nil || at != nil {
			st.NotActions, st.Actions, st.ActionsSpan = true, []string{"*"}, at.Span
		}
		st.Resources, _ = list("resources")
		if nr, at := list("not_resources"); nr != nil || at != nil {
			st.Resources = []string{"*"}
		}
		for _, pr := range s.Nested("principals") {
			typ := m.str(pr, "type")
			ids := m.attr(pr, "identifiers")
			if ids == nil {
				continue
			}
			v, _ := m.resolve(ids.Expr)
			for _, id := range st.Strings(v, &st.Unknown) {
				if typ == "*" || (typ == "AWS" && id == "*") {
					st.Principals = append(st.Principals, "*")
				} else {
					st.Principals = append(st.Principals, typ+":"+id)
				}
			}
		}
		st.Condition = len(s.Nested("condition")) > 0
		p.Stmts = append(p.Stmts, st)
	}
	return p
}

// --- attachments ---

func buildAttachment(m *module, r *res) {
	el := m.element(r, model.Control, "iam")
	if t, ok := attachedTo[r.typ]; ok {
		el.SetNote("attached_to", t, r.b.Head, "")
	} else {
		for _, x := range []struct{ arg, t string }{{"users", "user"}, {"roles", "role"}, {"groups", "group"}} {
			if a := m.attr(r.b, x.arg); a != nil {
				el.SetNote("attached_to", x.t, a.Span, "")
				break
			}
		}
	}
	a := m.attr(r.b, "policy_arn")
	if a == nil {
		return
	}
	if _, _, ok := m.refAddr(a.Expr); ok {
		return // linkAttachment reads the policy it points at
	}
	v := m.setAttr(el, "policy_arn", a, tString)
	if v == nil {
		el.SetUnknown("admin", a.Span, el.Attrs.At("policy_arn").Note)
		return
	}
	arn := v.(string)
	admin := strings.HasSuffix(arn, ":policy/AdministratorAccess") || strings.HasSuffix(arn, ":policy/IAMFullAccess")
	el.SetNote("admin", admin, a.Span, "")
}

func linkAttachment(m *module, r *res) {
	el := r.el
	a := m.attr(r.b, "policy_arn")
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
	if adm, ok := pol.el.Attrs.Get("admin"); ok && adm.Origin != model.Unknown {
		el.SetNote("admin", adm.Value, a.Span, addr+" grants admin: "+fmt.Sprint(adm.Value))
	} else {
		el.SetUnknown("admin", a.Span, "whether "+addr+" grants admin is unknown")
	}
	if t, ok := el.Attrs.Get("attached_to"); ok {
		if _, set := pol.el.Attrs.Get("attached_to"); !set {
			pol.el.SetNote("attached_to", t.Value, t.Span, "attached by "+r.addr)
		}
	}
}
