package config

import (
	"fmt"
	"time"

	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// The keys of the risk register's entries: risks: (accepted risks) and mitigations:
// (controls the analyzers cannot see, declared by their owners).
var (
	riskKeys       = []string{"threat", "element", "fingerprint", "owner", "reason", "ticket", "until"}
	mitigationKeys = []string{"threat", "element", "fingerprint", "owner", "control", "ticket", "until"}
)

// risk reads one entry of risks: or mitigations:. A malformed entry is kept with its Problem
// set, at the line at fault, so that the engine reports it there and applies it to nothing:
// whether its threat exists and what it matches is only known with the library and the model.
func (r *reader) risk(it *yamlnode.Node, status model.RiskStatus) {
	what, keys, text := "a risk", riskKeys, "reason"
	if status == model.Mitigated {
		what, keys, text = "a mitigation", mitigationKeys, "control"
	}
	f := r.fields(it, what, keys)
	e := model.RiskEntry{Status: status, Span: r.line(it), Source: "threatls.yaml"}
	bad := func(at model.Span, format string, args ...any) {
		if e.Problem == "" {
			e.Problem = fmt.Sprintf(format, args...)
			e.Span = at
		}
	}
	str := func(key string) (string, model.Span) {
		p, ok := f[key]
		if !ok {
			return "", e.Span
		}
		s, ok := p.Value.Str()
		if !ok || s == "" {
			bad(r.at(p), "%s must be a string, not %s", key, describe(p.Value))
			return "", r.at(p)
		}
		return s, r.at(p)
	}
	e.Threat, _ = str("threat")
	e.Element, _ = str("element")
	e.Fingerprint, _ = str("fingerprint")
	e.Owner, _ = str("owner")
	e.Reason, _ = str(text)
	e.Ticket, _ = str("ticket")
	until, untilAt := str("until")
	first := e.Span
	switch {
	case e.Threat == "":
		bad(first, "%s needs threat: the ID of the threat it is about", what)
	case e.Owner == "":
		bad(first, "%s of %s needs owner: the team or person answerable for it", what, e.Threat)
	case e.Reason == "" && status == model.Accepted:
		bad(first, "the risk of %s needs reason: why it is accepted", e.Threat)
	case e.Reason == "":
		bad(first, "the mitigation of %s needs control: what mitigates it (\"WAF in front of web, managed by the platform team\")", e.Threat)
	}
	if until != "" {
		if _, err := time.Parse(time.DateOnly, until); err != nil {
			bad(untilAt, "until %q is not a date: write YYYY-MM-DD", until)
		} else {
			e.Until = until
		}
	}
	if e.Problem == "" {
		e.Span = first
	}
	r.risks = append(r.risks, e)
}

// scanKeys are the keys of the scan: section, the command line's defaults (threatls scan
// reads them; the analyzer only checks them).
var scanKeys = []string{"exclude", "gitignore", "min_severity", "threats", "skip", "fail_on"}

// scan checks the scan: section.
func (r *reader) scan(p yamlnode.Pair) {
	if p.Value == nil || p.Value.Tag == "!!null" {
		return
	}
	if p.Value.Kind != yamlnode.Map {
		r.problem(r.at(p), "scan must be a map of %s, not %s", list(scanKeys), describe(p.Value))
		return
	}
	f := r.fields(p.Value, "scan", scanKeys)
	for _, key := range scanKeys {
		q, ok := f[key]
		if !ok {
			continue
		}
		switch key {
		case "exclude", "threats", "skip":
			if q.Value == nil || q.Value.Kind != yamlnode.Seq {
				r.problem(r.at(q), "%s must be a list, not %s", key, describe(q.Value))
			}
		case "gitignore":
			r.boolean(q)
		case "min_severity", "fail_on":
			if s, ok := r.str(q); ok {
				if _, ok := model.ParseSeverity(s); !ok {
					r.problem(r.at(q), "%s %q is not a severity: use critical, high, medium, low or info", key, s)
				}
			}
		}
	}
}
