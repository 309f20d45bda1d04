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

// The register in a live workspace. ApplyRegister above is the whole register over the
// whole workspace's findings; an update applies it file by file instead, to the files whose
// findings it assembles, and keeps how many findings of each file each entry covers, so that
// an entry that covers none anywhere is reported without looking at every file.

// liveRegister is the register as the last update applied it.
type liveRegister struct {
	from    map[string]*model.FileFacts // the files that hold entries, by the facts read
	entries []*liveEntry
	// byName indexes the elements by what an entry may call them (ID, name, short name,
	// member ID, alias), kept by the evaluation as elements come and go; nil while no entry
	// names an element (most workspaces: the index was 5% of the heap at 5,000 files).
	byName map[string]map[string]struct{}
	// byThreat counts, by threat and file, the findings the elements have there: the files an
	// entry of the threat may cover.
	byThreat map[string]map[string]int
	meta     map[string][]model.Finding // the register's own findings, by the entry's file
}

// liveEntry is one entry, resolved against the model.
type liveEntry struct {
	model.RiskEntry
	ids     map[string]bool // the elements its scope names (nil: every element)
	key     string          // the ids, written down, to see when they change
	covered map[string]int  // by file, the findings of its threat it covers there
}

func (r *liveRegister) init() {
	r.from = map[string]*model.FileFacts{}
	r.byThreat = map[string]map[string]int{}
	r.meta = map[string][]model.Finding{}
}

// names are the keys of e in byName.
func registerNames(e *model.Element) []string {
	out := []string{e.ID, e.Name, shortName(e.Name)}
	out = append(out, e.Members...)
	out = append(out, e.Aliases...)
	return out
}

// index records that the element of an ID went from old to now (either may be nil).
func (r *liveRegister) index(old, now *model.Element) {
	if r.byName == nil {
		return // no entry names an element
	}
	if old != nil {
		for _, n := range registerNames(old) {
			if s := r.byName[n]; s != nil {
				delete(s, old.ID)
				if len(s) == 0 {
					delete(r.byName, n)
				}
			}
		}
	}
	if now != nil {
		for _, n := range registerNames(now) {
			s := r.byName[n]
			if s == nil {
				s = map[string]struct{}{}
				r.byName[n] = s
			}
			s[now.ID] = struct{}{}
		}
	}
}

// count adds n findings of threat in file.
func (r *liveRegister) count(threat, file string, n int) {
	m := r.byThreat[threat]
	if m == nil {
		m = map[string]int{}
		r.byThreat[threat] = m
	}
	if m[file] += n; m[file] <= 0 {
		delete(m, file)
	}
}

// resolve returns the IDs of the elements name denotes (see resolveElement).
func (r *liveRegister) resolve(g *model.Graph, name string) map[string]bool {
	ids := map[string]bool{}
	for _, n := range []string{name, model.NameAlias(name)} {
		for id := range r.byName[n] {
			ids[id] = true
		}
	}
	for _, p := range g.Paths() {
		if ids[p.From] || ids[p.To] {
			ids[p.ID] = true
		}
	}
	return ids
}

// update reads the register again when the files that hold it changed, resolves its entries'
// elements against g, and adds to touched the files whose findings an entry now covers
// differently (and the register's files).
func (r *liveRegister) update(facts map[string]*model.FileFacts, changedFacts []string, g *model.Graph, lib *knowledge.Library, touched map[string]struct{}) {
	reread := false
	for _, f := range changedFacts {
		ff := facts[f]
		if _, had := r.from[f]; had || ff != nil && len(ff.Risks) > 0 {
			reread = true
			if ff == nil || len(ff.Risks) == 0 {
				delete(r.from, f)
			} else {
				r.from[f] = ff
			}
		}
	}
	if reread {
		var risks []model.RiskEntry
		for _, ff := range r.from {
			risks = append(risks, ff.Risks...)
		}
		sort.SliceStable(risks, func(i, j int) bool {
			a, b := risks[i].Span, risks[j].Span
			if a.File != b.File {
				return a.File < b.File
			}
			return a.Start.Offset < b.Start.Offset
		})
		for _, e := range r.entries {
			r.touch(e.Threat, e.Span.File, touched)
		}
		r.entries = r.entries[:0]
		for _, risk := range risks {
			if risk.Problem == "" && lib != nil && lib.Threat(risk.Threat) == nil {
				if _, isMeta := knowledge.MetaRuleFor(risk.Threat); !isMeta {
					risk.Problem = fmt.Sprintf("%s is not a threat of the library (threatls rules lists them)", risk.Threat)
				}
			}
			e := &liveEntry{RiskEntry: risk, covered: map[string]int{}}
			r.entries = append(r.entries, e)
			r.touch(e.Threat, e.Span.File, touched)
		}
	}
	named := slices.ContainsFunc(r.entries, func(e *liveEntry) bool { return e.Element != "" })
	switch {
	case named && r.byName == nil:
		r.byName = map[string]map[string]struct{}{}
		g.Scan(func(e *model.Element) bool {
			r.index(nil, e)
			return true
		})
	case !named:
		r.byName = nil
	}
	for _, e := range r.entries {
		if e.Element == "" || e.RiskEntry.Problem != "" && e.ids == nil {
			continue
		}
		ids := r.resolve(g, e.Element)
		keys := make([]string, 0, len(ids))
		for id := range ids {
			keys = append(keys, id)
		}
		sort.Strings(keys)
		if key := strings.Join(keys, "\x00"); key != e.key || reread {
			e.ids, e.key = ids, key
			r.touch(e.Threat, e.Span.File, touched)
		}
	}
}

// touch adds the files that have findings of threat, and the entry's file.
func (r *liveRegister) touch(threat, entryFile string, touched map[string]struct{}) {
	for f := range r.byThreat[threat] {
		touched[f] = struct{}{}
	}
	touched[entryFile] = struct{}{}
}

// problem returns why an entry cannot apply, "" when it can.
func (e *liveEntry) problem() string {
	switch {
	case e.RiskEntry.Problem != "":
		return e.RiskEntry.Problem
	case e.Element != "" && len(e.ids) == 0:
		return fmt.Sprintf("element %q is not an element of the model: name one by ID, name or alias (threatls model lists them)", e.Element)
	}
	return ""
}

// apply applies the register to the findings of one file (inline suppressions applied
// already), in place, and records what each entry covers there.
func (r *liveRegister) apply(file string, fs []model.Finding, today string) {
	for _, e := range r.entries {
		delete(e.covered, file)
		if e.problem() != "" || e.Until != "" && e.Until < today {
			continue
		}
		n := 0
		for i := range fs {
			f := &fs[i]
			if f.ThreatID != e.Threat || !covers(e.RiskEntry, e.ids, *f) {
				continue
			}
			n++
			if f.Suppressed != nil || f.Mitigated != nil {
				continue
			}
			if e.Status == model.Mitigated {
				f.Mitigated = e.Treatment()
			} else {
				f.Suppressed = e.Treatment()
			}
		}
		if n > 0 {
			e.covered[file] = n
		}
	}
}

// metas computes the register's own findings — invalid, expired and unused entries — and
// adds to touched the files whose register findings changed.
func (r *liveRegister) metas(today string, touched map[string]struct{}) {
	next := map[string][]model.Finding{}
	for _, e := range r.entries {
		var f model.Finding
		switch p := e.problem(); {
		case p != "":
			f = registerMeta(knowledge.MetaRiskInvalid, e.RiskEntry, p)
		case e.Until != "" && e.Until < today:
			f = registerMeta(knowledge.MetaRiskExpired, e.RiskEntry,
				fmt.Sprintf("the %s risk of %s%s expired on %s: review it with %s", e.Status, e.Threat, scopeText(e.RiskEntry), e.Until, e.Owner))
		case len(e.covered) == 0:
			f = registerMeta(knowledge.MetaRiskUnused, e.RiskEntry,
				fmt.Sprintf("the %s risk of %s%s matches no finding: remove the entry, or correct it", e.Status, e.Threat, scopeText(e.RiskEntry)))
		default:
			continue
		}
		next[e.Span.File] = append(next[e.Span.File], f)
	}
	for file, fs := range next {
		if !sameMeta(r.meta[file], fs) {
			touched[file] = struct{}{}
		}
	}
	for file := range r.meta {
		if _, ok := next[file]; !ok {
			touched[file] = struct{}{}
		}
	}
	r.meta = next
}

func sameMeta(a, b []model.Finding) bool {
	return slices.EqualFunc(a, b, func(x, y model.Finding) bool {
		return x.ThreatID == y.ThreatID && x.Span == y.Span && x.Message == y.Message
	})
}
