package model

import "sort"

// Residual is the risk that findings leave: what the open findings weigh, and what
// acceptances and declared mitigations took off. It is computed by ResidualOf only, so that
// the hover card, the reports and the JSON agree.
//
// A finding weighs its severity's points — critical 10, high 6, medium 3, low 1, info 0 —
// halved when it is tentative (it rests on a value that could not be resolved). Meta findings
// (TLS-…, about the analysis itself) weigh nothing.
type Residual struct {
	// Score is the weight of the open findings; Inherent that of every finding, open or not.
	Score    float64 `json:"score"`
	Inherent float64 `json:"inherent"`
	// Accepted and Mitigated are the weights taken off by the risk register and inline
	// acceptances, and by declared mitigations.
	Accepted  float64 `json:"accepted"`
	Mitigated float64 `json:"mitigated"`
	// Level is the severity of the worst open finding; "" when none is open.
	Level Severity `json:"level,omitempty"`
	// Open, AcceptedCount and MitigatedCount count the findings.
	Open           int `json:"open"`
	AcceptedCount  int `json:"accepted_count"`
	MitigatedCount int `json:"mitigated_count"`
}

// Weight is what one finding weighs in residual risk.
func Weight(f Finding) float64 {
	if IsMeta(f.ThreatID) {
		return 0
	}
	w := 0.0
	switch f.Severity {
	case Critical:
		w = 10
	case High:
		w = 6
	case Medium:
		w = 3
	case Low:
		w = 1
	}
	if f.Confidence == Tentative {
		w /= 2
	}
	return w
}

// IsMeta reports whether id names a meta finding (TLS-…): one about the analysis, not the system.
func IsMeta(id string) bool { return len(id) > 4 && id[:4] == "TLS-" }

// ResidualOf sums the findings' residual risk. A threat on an element is one risk, however
// many places report it (an attack path is reported at its entry and at its asset): it counts
// once, open when any of its findings is open.
func ResidualOf(fs []Finding) Residual {
	type risk struct {
		f     Finding
		state int // 0 open, 1 mitigated, 2 accepted
	}
	state := func(f Finding) int {
		switch {
		case f.Suppressed != nil:
			return 2
		case f.Mitigated != nil:
			return 1
		}
		return 0
	}
	risks := map[string]*risk{}
	var keys []string
	for _, f := range fs {
		if IsMeta(f.ThreatID) {
			continue
		}
		k := f.ThreatID + "|" + f.Element
		r, ok := risks[k]
		if !ok {
			risks[k] = &risk{f: f, state: state(f)}
			keys = append(keys, k)
			continue
		}
		if s := state(f); s < r.state || (s == r.state && Weight(f) > Weight(r.f)) {
			r.f, r.state = f, s
		}
	}
	var r Residual
	for _, k := range keys {
		f, s := risks[k].f, risks[k].state
		w := Weight(f)
		r.Inherent += w
		switch s {
		case 2:
			r.Accepted += w
			r.AcceptedCount++
		case 1:
			r.Mitigated += w
			r.MitigatedCount++
		default:
			r.Score += w
			r.Open++
			if r.Level == "" || f.Severity.Rank() > r.Level.Rank() {
				r.Level = f.Severity
			}
		}
	}
	return r
}

// ElementResidual is the residual risk of one element.
type ElementResidual struct {
	Element     string   `json:"element"`
	ElementName string   `json:"element_name"`
	Residual    Residual `json:"residual"`
}

// ResidualByElement returns the residual risk of every element that has a finding, the
// riskiest first (then by name).
func ResidualByElement(fs []Finding) []ElementResidual {
	byID := map[string][]Finding{}
	names := map[string]string{}
	var ids []string
	for _, f := range fs {
		if IsMeta(f.ThreatID) {
			continue
		}
		if _, ok := byID[f.Element]; !ok {
			ids = append(ids, f.Element)
			names[f.Element] = f.ElementName
		}
		byID[f.Element] = append(byID[f.Element], f)
	}
	out := make([]ElementResidual, 0, len(ids))
	for _, id := range ids {
		out = append(out, ElementResidual{Element: id, ElementName: names[id], Residual: ResidualOf(byID[id])})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Residual.Score != b.Residual.Score {
			return a.Residual.Score > b.Residual.Score
		}
		if a.ElementName != b.ElementName {
			return a.ElementName < b.ElementName
		}
		return a.Element < b.Element
	})
	return out
}
