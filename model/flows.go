package model

import (
	"fmt"
	"sort"
	"strings"
)

// resolve maps an endpoint (an ID, a member's ID or a reference) to a fused node's ID. A
// reference resolves to the element of the name nearest in the directory tree to dir, the
// directory of the file that makes it: in a monorepo with an "api" per stack, a stack's
// manifests mean their own stack's api.
func (s *sys) resolve(id, dir string) (string, bool) {
	if f, ok := s.fusedOf[id]; ok {
		return f, true
	}
	alias, ok := RefAlias(id)
	if !ok {
		return id, false
	}
	if e := s.byAliasIn(alias, dir, "node", "actor"); e != nil {
		return e.ID, true
	}
	return id, false
}

// byAliasIn returns the fused element that carries alias nearest to dir, searching the
// families in order.
func (s *sys) byAliasIn(alias, dir string, families ...string) *Element {
	key := refKey{alias, dir, strings.Join(families, ",")}
	if e, ok := s.refs[key]; ok {
		return e
	}
	var best *Element
	for _, fam := range families {
		bestN := -1
		for _, e := range s.b.sortedSlot(slot{alias, fam}) {
			f := s.final[e]
			if f == nil && s.g.byID[e.ID] == e {
				f = e
			}
			if f == nil {
				continue
			}
			if n := commonDir(dir, s.b.info(e).dir); n > bestN {
				best, bestN = f, n
			}
		}
		if best != nil {
			break
		}
	}
	if s.refs == nil {
		s.refs = map[refKey]*Element{}
	}
	s.refs[key] = best
	return best
}

type refKey struct{ alias, dir, families string }

// resolveFlows points flows at fused nodes, adds an actor for what a reference names but the
// workspace does not define, and fuses flows that several formats describe.
func (s *sys) resolveFlows() {
	byNode := s.g.byID
	type pair struct{ from, to string }
	groups := map[pair][]*Element{}
	var order []pair
	for _, f := range s.flows {
		f = s.envFlow(f) // an address read from configuration: envref.go
		dir := dirOf(f.Span.File)
		from, okF := s.resolve(f.From, dir)
		to, okT := s.resolve(f.To, dir)
		for _, end := range []struct {
			id *string
			ok bool
		}{{&from, okF}, {&to, okT}} {
			if end.ok || byNode[*end.id] != nil {
				continue
			}
			alias, isRef := RefAlias(*end.id)
			if isRef && alias == NameAlias("internet") || *end.id == Internet {
				// The internet is always there, whether or not an analyzer made its actor.
				if byNode[Internet] == nil {
					a := s.memo("internet@"+f.Head.String(), func() *Element {
						return InternetActor(f.Head)
					})
					byNode[Internet] = a
					s.nodes = append(s.nodes, a)
				}
				*end.id = Internet
				continue
			}
			if f.Provenance == Configured {
				s.g.problems = append(s.g.problems, Problem{Span: f.Head,
					Message: fmt.Sprintf("flow %s: %s is not an element of the workspace", f.Name, strings.TrimPrefix(strings.TrimPrefix(*end.id, "ref:"), "name:"))})
				*end.id = ""
				continue
			}
			if !isRef {
				continue // an end outside the workspace (a rule of a group defined elsewhere): kept as written
			}
			// A service named but not defined here: keep the flow, towards an actor.
			name := strings.TrimPrefix(alias, "name:")
			id := "actor:" + name
			if byNode[id] == nil {
				a := s.memo("unresolved:"+id+ptrKey(f), func() *Element {
					a := &Element{ID: id, Kind: Actor, Type: "unresolved", Name: name, Span: f.Span, Head: f.Head,
						Aliases: []string{alias}}
					a.Default("in_scope", false, "named by "+f.Name+" but not defined in the workspace")
					return a
				})
				byNode[id] = a
				s.nodes = append(s.nodes, a)
			}
			*end.id = id
		}
		if (from == "" || to == "") && f.Provenance == Configured {
			continue
		}
		p := pair{from, to}
		if _, ok := groups[p]; !ok {
			order = append(order, p)
		}
		groups[p] = append(groups[p], s.retarget(f, from, to))
	}
	s.flows = s.flows[:0]
	for _, p := range order {
		s.flows = append(s.flows, s.fuseFlows(groups[p])...)
	}
}

// retarget returns f with the given endpoints (f itself when they are its own).
func (s *sys) retarget(f *Element, from, to string) *Element {
	if f.From == from && f.To == to {
		return f
	}
	return s.memo("flow:"+ptrKey(f)+from+">"+to, func() *Element {
		c := f.clone()
		c.From, c.To = from, to
		return c
	})
}

// fuseFlows fuses the flows between one pair of nodes: each documented or configured flow
// joins the first inferred flow of a compatible port; what stays apart is returned as is.
// Flows of one format stay apart (two variables may name the same service).
func (s *sys) fuseFlows(fs []*Element) []*Element {
	if len(fs) == 1 {
		return fs
	}
	var out []*Element
	joined := map[*Element][]*Element{}
	for _, f := range fs {
		var into *Element
		for _, o := range out {
			if Format(o.ID) != Format(f.ID) && o.From != "" && o.To != "" && portsAgree(o, f) {
				into = o
				break
			}
		}
		if into == nil {
			out = append(out, f)
			continue
		}
		joined[into] = append(joined[into], f)
	}
	for i, o := range out {
		if ms := joined[o]; len(ms) > 0 {
			all := append([]*Element{o}, ms...)
			sort.SliceStable(all, func(a, b int) bool { return rank(all[a]) < rank(all[b]) })
			out[i] = s.memo("fuseflow:"+ptrKey(all...), func() *Element {
				f := fuse(all)
				f.From, f.To = o.From, o.To
				return f
			})
			for _, m := range all {
				s.fusedOf[m.ID] = out[i].ID
			}
			s.members[out[i].ID] = all
		}
	}
	return out
}

func portsAgree(a, b *Element) bool {
	pa, okA := a.Attrs["port"]
	pb, okB := b.Attrs["port"]
	if !okA || !okB || pa.Value == nil || pb.Value == nil {
		return true
	}
	return pa.Value == pb.Value
}
