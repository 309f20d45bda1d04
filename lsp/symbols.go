package lsp

import (
	"context"
	"slices"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/threatls/threatls/model"
)

// documentSymbol lists the model's elements defined in the document — components, stores,
// actors, flows, zones and controls — nested by where their definitions lie (a flow written
// inside a manifest is a child of its workload), each with its type and kind as detail.
func (s *server) documentSymbol(ctx context.Context, p *protocol.DocumentSymbolParams) ([]protocol.DocumentSymbol, error) {
	v, err := s.viewOf(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	if v.file == nil {
		return []protocol.DocumentSymbol{}, nil
	}
	type item struct {
		sp  model.Span
		sym protocol.DocumentSymbol
	}
	var items []item
	for _, el := range v.elementsIn(v.key) {
		if el.Kind == model.Path {
			continue
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		for _, sp := range spansIn(el, v.key) {
			detail := string(el.Kind) + " · " + el.Type
			items = append(items, item{sp, protocol.DocumentSymbol{
				Name: el.Name, Detail: &detail, Kind: symbolKind(el.Kind),
				Range: v.rangeOf(sp), SelectionRange: v.rangeOf(v.headIn(el, sp)),
			}})
		}
	}
	// A zone no file declares (the namespace a manifest implies) spans the definition that
	// implies it: the definition stands for it.
	defined := map[model.Span]bool{}
	for _, it := range items {
		if it.sym.Kind != protocol.SymbolKindNamespace {
			defined[it.sp] = true
		}
	}
	items = slices.DeleteFunc(items, func(it item) bool { return it.sym.Kind == protocol.SymbolKindNamespace && defined[it.sp] })
	// Outermost first, so that each item finds its parent among the ones before it.
	slices.SortStableFunc(items, func(a, b item) int {
		if a.sp.Start.Offset != b.sp.Start.Offset {
			return int(a.sp.Start.Offset - b.sp.Start.Offset)
		}
		return int(b.sp.End.Offset - a.sp.End.Offset)
	})
	parent := make([]int, len(items))
	for i := range items {
		parent[i] = -1
		for j := i - 1; j >= 0; j-- {
			if items[j].sp.Contains(items[i].sp) && items[j].sp != items[i].sp {
				parent[i] = j
				break
			}
		}
	}
	// Attach children bottom-up, so that a child is complete when it is copied into its parent.
	for i := len(items) - 1; i >= 0; i-- {
		if j := parent[i]; j >= 0 {
			items[j].sym.Children = append([]protocol.DocumentSymbol{items[i].sym}, items[j].sym.Children...)
		}
	}
	out := []protocol.DocumentSymbol{}
	for i, it := range items {
		if parent[i] < 0 {
			out = append(out, it.sym)
		}
	}
	return out, nil
}

// workspaceSymbol finds the elements of every folder's model whose name or ID contains the
// query (case-insensitive; every element for an empty query), at their first definition.
func (s *server) workspaceSymbol(ctx context.Context, p *protocol.WorkspaceSymbolParams) ([]protocol.WorkspaceSymbol, error) {
	q := strings.ToLower(p.Query)
	out := []protocol.WorkspaceSymbol{}
	for _, v := range s.views() {
		g := v.snap.Graph()
		for _, el := range g.Elements() {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if el.Kind == model.Path || (q != "" && !strings.Contains(strings.ToLower(el.Name), q) && !strings.Contains(strings.ToLower(el.ID), q)) {
				continue
			}
			srcs := sources(el)
			if len(srcs) == 0 {
				continue
			}
			loc, ok := v.location(v.headIn(el, srcs[0]))
			if !ok {
				continue
			}
			sym := protocol.WorkspaceSymbol{Location: &loc}
			sym.Name, sym.Kind = el.Name, symbolKind(el.Kind)
			if z := g.Zone(el.ID); z != nil {
				sym.ContainerName = &z.Name
			}
			out = append(out, sym)
		}
	}
	return out, nil
}

// symbolKind is how an element kind shows in an editor's outline.
func symbolKind(k model.Kind) protocol.SymbolKind {
	switch k {
	case model.Component:
		return protocol.SymbolKindClass
	case model.Store:
		return protocol.SymbolKindStruct
	case model.Actor:
		return protocol.SymbolKindInterface
	case model.Flow:
		return protocol.SymbolKindEvent
	case model.Zone:
		return protocol.SymbolKindNamespace
	case model.Control:
		return protocol.SymbolKindProperty
	}
	return protocol.SymbolKindObject
}
