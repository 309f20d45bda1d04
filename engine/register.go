package engine

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// ApplyRegister applies the risk register (model.FileFacts.Risks of every file) to the
// findings of the whole workspace, and returns them with the register's own meta findings
// appended. It is a pure function: findings is not modified, and the result depends only on
// its arguments. today is YYYY-MM-DD.
//
// An entry covers the findings of its threat that match its scope: one finding (fingerprint),
// the threat on one element (element: an element's ID, name or alias, or a member of a fused
// element), or the threat everywhere. A valid entry that has not expired marks them
// accepted (Suppressed) or mitigated (Mitigated); a finding already accepted — by a
// threatls:ignore comment, or an earlier entry — is left as it is, so that inline
// suppressions keep their meaning. Entries are applied in (file, offset) order.
//
// Reported, at the entry's line: a malformed entry or one naming a threat the library does
// not have, or an element the model does not have (TLS-006), an expired one — whose findings
// are then open again (TLS-008) — and one that covers no finding (TLS-007).
func ApplyRegister(findings []model.Finding, risks []model.RiskEntry, g *model.Graph, lib *knowledge.Library, today string) []model.Finding {
	out := slices.Clone(findings)
	risks = slices.Clone(risks)
	sort.SliceStable(risks, func(i, j int) bool {
		a, b := risks[i].Span, risks[j].Span
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Start.Offset < b.Start.Offset
	})
	var meta []model.Finding
	for _, r := range risks {
		if r.Problem == "" && lib != nil && lib.Threat(r.Threat) == nil {
			if _, isMeta := knowledge.MetaRuleFor(r.Threat); !isMeta {
				r.Problem = fmt.Sprintf("%s is not a threat of the library (threatls rules lists them)", r.Threat)
			}
		}
		var ids map[string]bool
		if r.Problem == "" && r.Element != "" {
			if ids = resolveElement(g, r.Element); len(ids) == 0 {
				r.Problem = fmt.Sprintf("element %q is not an element of the model: name one by ID, name or alias (threatls model lists them)", r.Element)
			}
		}
		switch {
		case r.Problem != "":
			meta = append(meta, registerMeta(knowledge.MetaRiskInvalid, r, r.Problem))
			continue
		case r.Until != "" && r.Until < today:
			meta = append(meta, registerMeta(knowledge.MetaRiskExpired, r,
				fmt.Sprintf("the %s risk of %s%s expired on %s: review it with %s", r.Status, r.Threat, scopeText(r), r.Until, r.Owner)))
			continue
		}
		used := false
		for i := range out {
			f := &out[i]
			if f.ThreatID != r.Threat || !covers(r, ids, *f) {
				continue
			}
			used = true
			if f.Suppressed != nil || f.Mitigated != nil {
				continue
			}
			if r.Status == model.Mitigated {
				f.Mitigated = r.Treatment()
			} else {
				f.Suppressed = r.Treatment()
			}
		}
		if !used {
			meta = append(meta, registerMeta(knowledge.MetaRiskUnused, r,
				fmt.Sprintf("the %s risk of %s%s matches no finding: remove the entry, or correct it", r.Status, r.Threat, scopeText(r))))
		}
	}
	return append(out, meta...)
}

// covers reports whether r's scope includes f; ids are the elements r.Element resolved to.
func covers(r model.RiskEntry, ids map[string]bool, f model.Finding) bool {
	if r.Fingerprint != "" && f.Fingerprint != r.Fingerprint {
		return false
	}
	return r.Element == "" || ids[f.Element]
}

func scopeText(r model.RiskEntry) string {
	switch {
	case r.Fingerprint != "":
		return " (finding " + r.Fingerprint + ")"
	case r.Element != "":
		return " on " + r.Element
	}
	return ""
}

// resolveElement returns the IDs of the elements name denotes: by ID, name or alias, an
// element that has it as a member, and the attack paths that start or end there (a path's
// findings are about the path element).
func resolveElement(g *model.Graph, name string) map[string]bool {
	ids := map[string]bool{}
	if g == nil {
		return ids
	}
	alias := model.NameAlias(name)
	for _, e := range g.Elements() {
		if e.ID == name || e.Name == name || slices.Contains(e.Members, name) ||
			(alias != "" && slices.Contains(e.Aliases, alias)) || shortName(e.Name) == name {
			ids[e.ID] = true
		}
	}
	for _, p := range g.Paths() {
		if ids[p.From] || ids[p.To] {
			ids[p.ID] = true
		}
	}
	return ids
}

// shortName is what people call an element whose name has a type prefix:
// Deployment/web → web.
func shortName(n string) string {
	if i := strings.LastIndexByte(n, '/'); i >= 0 {
		return n[i+1:]
	}
	return n
}

func registerMeta(id string, r model.RiskEntry, msg string) model.Finding {
	m, _ := knowledge.MetaRuleFor(id)
	return model.Finding{ThreatID: id, Title: m.Title, Severity: m.Severity, Confidence: model.Certain,
		Element: r.Span.File, ElementName: "risk register: " + r.Threat, Span: r.Span, Message: msg,
		Fingerprint: knowledge.Fingerprint(id, r.Span.File+"|"+r.Threat+"|"+r.Element+"|"+r.Fingerprint)}
}
