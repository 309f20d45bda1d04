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
		if sp.File == v.key && contains(int(sp.Start.Offset), int(sp.End.Offset), off) {
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

// elementAt returns the element the offset of the view's document stands for: of the
// definitions there that hold it — of elements, and of flows, which stand for the element
// they reach (a DATABASE_URL names the database) — the narrowest; nil if none.
func (v *view) elementAt(off int) *model.Element {
	g := v.snap.Graph()
	var best *model.Element
	width := -1
	consider := func(el *model.Element, target *model.Element) {
		for _, sp := range spansIn(el, v.key) {
			if w := int(sp.End.Offset - sp.Start.Offset); contains(int(sp.Start.Offset), int(sp.End.Offset), off) && (width < 0 || w < width) {
				best, width = target, w
			}
		}
	}
	for _, el := range g.At(v.key, off) {
		if el.Kind != model.Flow && el.Kind != model.Path {
			consider(el, el)
		}
	}
	for _, fl := range v.elementsIn(v.key, model.Flow) {
		if to := g.Element(fl.To); to != nil {
			consider(fl, to)
		}
	}
	return best
}
