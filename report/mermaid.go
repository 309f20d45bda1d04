package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/threatls/threatls/model"
)

// Mermaid writes the system model as a Mermaid flowchart (`flowchart LR`):
//
//   - every zone is a subgraph, nested in the subgraph of its parent zone and titled with its
//     name and trust level ("vpc (internal)");
//   - components are drawn as boxes `[…]`, stores as cylinders `[(…)]` and actors as circles
//     `((…))`, each in the subgraph of its zone;
//   - every flow is an arrow labelled with its protocol and port, "tls" or "plaintext" and
//     "auth" or "no-auth" (what is unknown is left out); a flow a policy blocks is dotted and
//     says "blocked";
//   - elements outside the system under review (in_scope false) are dashed, through the
//     class outOfScope;
//   - a flow's end the graph does not have is drawn as a dashed box named by its ID.
//
// Controls and attack paths are not drawn. Node identifiers are made from element IDs
// (letters, digits and underscores, prefixed n_ for nodes and z_ for zones) and are stable
// across runs; labels are always quoted, with the characters Mermaid would read as markup
// written as entities, so any name renders.
func Mermaid(w io.Writer, g *model.Graph) error {
	s := newSystem(g)
	ids := newDiagramIDs()
	// Identifiers are handed out zones first, then nodes, in the graph's order.
	for _, z := range s.zones {
		ids.get("z_", z.ID)
	}
	for _, n := range s.nodes {
		ids.get("n_", n.ID)
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "flowchart LR")
	fmt.Fprintln(bw, "  classDef outOfScope stroke-dasharray: 5 5")
	var dashed []string
	var writeZone func(zoneID, indent string)
	writeZone = func(zoneID, indent string) {
		for _, z := range s.children[zoneID] {
			fmt.Fprintf(bw, "%ssubgraph %s[%s]\n", indent, ids.get("z_", z.ID), mermaidQuote(zoneLabel(z)))
			writeZone(z.ID, indent+"  ")
			fmt.Fprintf(bw, "%send\n", indent)
			if !inScope(z) {
				dashed = append(dashed, ids.get("z_", z.ID))
			}
		}
		for _, n := range s.inside[zoneID] {
			fmt.Fprintf(bw, "%s%s%s\n", indent, ids.get("n_", n.ID), mermaidShape(n.Kind, n.Name))
			if !inScope(n) {
				dashed = append(dashed, ids.get("n_", n.ID))
			}
		}
	}
	writeZone("", "  ")
	// Ends of flows that the graph does not have.
	for _, f := range s.flows {
		for _, end := range []string{f.From, f.To} {
			if g.Element(end) == nil && ids.of[end] == "" {
				id := ids.get("n_", end)
				fmt.Fprintf(bw, "  %s%s\n", id, mermaidShape(model.Component, end))
				dashed = append(dashed, id)
			}
		}
	}
	for _, f := range s.flows {
		arrow := "-->"
		if b, _ := boolAttr(f, "blocked"); b {
			arrow = "-.->"
		}
		from, to := endID(ids, g, f.From), endID(ids, g, f.To)
		if label := flowLabel(f); label != "" {
			fmt.Fprintf(bw, "  %s %s|%s| %s\n", from, arrow, mermaidQuote(label), to)
		} else {
			fmt.Fprintf(bw, "  %s %s %s\n", from, arrow, to)
		}
	}
	if len(dashed) > 0 {
		fmt.Fprintf(bw, "  class %s outOfScope\n", strings.Join(dashed, ","))
	}
	return bw.Flush()
}

// endID returns the diagram identifier of a flow's end: a node, a zone's subgraph, or the
// box drawn for an end the graph does not have.
func endID(ids *diagramIDs, g *model.Graph, id string) string {
	if e := g.Element(id); e != nil && e.Kind == model.Zone {
		return ids.get("z_", id)
	}
	return ids.get("n_", id)
}

func mermaidShape(k model.Kind, name string) string {
	q := mermaidQuote(name)
	switch k {
	case model.Store:
		return "[(" + q + ")]"
	case model.Actor:
		return "((" + q + "))"
	}
	return "[" + q + "]"
}

// mermaidEscaper writes the characters Mermaid or the HTML of its labels would interpret as
// entity codes (#name;), which Mermaid turns back into the characters.
var mermaidEscaper = strings.NewReplacer(
	"#", "#35;", `"`, "#quot;", "<", "#lt;", ">", "#gt;", "&", "#amp;",
	"\n", " ", "\r", " ", "\t", " ",
)

// mermaidQuote returns s as a quoted Mermaid label.
func mermaidQuote(s string) string {
	if s == "" {
		s = " "
	}
	return `"` + mermaidEscaper.Replace(s) + `"`
}
