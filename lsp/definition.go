package lsp

import (
	"context"

	"go.lsp.dev/protocol"

	"github.com/threatls/threatls/model"
)

// definition goes from what is under the cursor to where the model's element is defined
// elsewhere: from a node of a Mermaid diagram to the manifest and the Terraform resource
// fused with it, from a compose service to its Deployment, and from a flow (an environment
// variable naming a database) to the element it reaches. The definitions in other places come
// first; the one under the cursor is left out unless it is the only one.
func (s *server) definition(ctx context.Context, p *protocol.DefinitionParams) ([]protocol.Location, error) {
	v, err := s.viewOf(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	out := []protocol.Location{}
	if v.file == nil {
		return out, nil
	}
	off := v.offset(p.Position)
	el := v.elementAt(off)
	if el == nil {
		return out, nil
	}
	var here []protocol.Location
	for _, sp := range sources(el) {
		loc, ok := v.location(sp)
		if !ok {
			continue
		}
		if sp.File == v.key && contains(sp.Start.Offset, sp.End.Offset, off) {
			here = append(here, loc)
			continue
		}
		out = append(out, loc)
	}
	if len(out) == 0 {
		out = here
	}
	return out, ctx.Err()
}

// references lists every place the element under the cursor is described (each definition
// of a fused element), every flow that reaches it or leaves it, and the places that contributed
// to it (companion resources).
func (s *server) references(ctx context.Context, p *protocol.ReferenceParams) ([]protocol.Location, error) {
	v, err := s.viewOf(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	out := []protocol.Location{}
	if v.file == nil {
		return out, nil
	}
	el := v.elementAt(v.offset(p.Position))
	if el == nil {
		return out, nil
	}
	seen := map[model.Span]bool{}
	add := func(sp model.Span) {
		if seen[sp] {
			return
		}
		seen[sp] = true
		if loc, ok := v.location(sp); ok {
			out = append(out, loc)
		}
	}
	if p.Context.IncludeDeclaration {
		for _, sp := range sources(el) {
			add(sp)
		}
	}
	g := v.snap.Graph()
	for _, fl := range append(append([]*model.Element(nil), g.Inbound(el.ID)...), g.Outbound(el.ID)...) {
		for _, sp := range sources(fl) {
			add(v.headIn(fl, sp))
		}
	}
	for _, r := range el.Related {
		add(r.Span)
	}
	return out, ctx.Err()
}

// elementAt returns the element the offset of the view's document stands for: the target of
// a flow defined there (a DATABASE_URL names the database), else the innermost element
// defined there; nil if none.
func (v *view) elementAt(off int) *model.Element {
	g := v.snap.Graph()
	var flow *model.Element
	for _, fl := range v.elementsIn(v.key, model.Flow) {
		for _, sp := range spansIn(fl, v.key) {
			if contains(sp.Start.Offset, sp.End.Offset, off) && (flow == nil || sp.Start.Offset >= flow.Span.Start.Offset) {
				flow = fl
			}
		}
	}
	els := g.At(v.key, off)
	if flow != nil {
		// A flow written inside an element's definition (an env entry of a container) is more
		// specific than that element.
		if to := g.Element(flow.To); to != nil && (len(els) == 0 || innermostSpan(els[0], v.key, off) <= innermostSpan(flow, v.key, off)) {
			return to
		}
	}
	if len(els) > 0 {
		return els[0]
	}
	return nil
}

// innermostSpan returns the start of the definition span of el in file that holds off (-1 if none).
func innermostSpan(el *model.Element, file string, off int) int {
	best := -1
	for _, sp := range spansIn(el, file) {
		if contains(sp.Start.Offset, sp.End.Offset, off) && sp.Start.Offset > best {
			best = sp.Start.Offset
		}
	}
	return best
}
