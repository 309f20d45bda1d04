package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/threatls/threatls/model"
)

// DOT writes the system model as a Graphviz digraph with the information of Mermaid: every
// zone is a cluster (nested in its parent's, labelled with its name and trust level);
// components are boxes, stores cylinders and actors ellipses; every flow is an edge labelled
// with its protocol and port, tls or plaintext, auth or no-auth; elements outside the
// system under review are dashed; blocked flows are dotted; a flow's end the graph does not
// have is a dashed box named by its ID. A flow into or out of a zone itself (a Terraform
// ingress rule admits traffic into a security group) ends at the zone's cluster, through an
// invisible anchor node; an empty zone gets an anchor too, since Graphviz does not draw
// empty clusters. Identifiers are those of Mermaid (n_…, z_…; clusters cluster_z_…).
// Controls and attack paths are not drawn.
func DOT(w io.Writer, g *model.Graph) error {
	s := newSystem(g)
	ids := newDiagramIDs()
	for _, z := range s.zones {
		ids.get("z_", z.ID)
	}
	for _, n := range s.nodes {
		ids.get("n_", n.ID)
	}
	anchored := map[string]bool{}
	for _, f := range s.flows {
		for _, end := range []string{f.From, f.To} {
			if e := g.Element(end); e != nil && e.Kind == model.Zone {
				anchored[end] = true
			}
		}
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "digraph model {")
	fmt.Fprintln(bw, "  rankdir=LR;")
	fmt.Fprintln(bw, "  compound=true;")
	fmt.Fprintln(bw, `  graph [fontname="Helvetica", fontsize=11];`)
	fmt.Fprintln(bw, `  node [fontname="Helvetica", fontsize=11];`)
	fmt.Fprintln(bw, `  edge [fontname="Helvetica", fontsize=9];`)
	var writeZone func(zoneID, indent string)
	writeZone = func(zoneID, indent string) {
		for _, z := range s.children[zoneID] {
			id := ids.get("z_", z.ID)
			fmt.Fprintf(bw, "%ssubgraph %s {\n", indent, dotQuote("cluster_"+id))
			fmt.Fprintf(bw, "%s  label=%s;\n", indent, dotQuote(zoneLabel(z)))
			if !inScope(z) {
				fmt.Fprintf(bw, "%s  style=dashed;\n", indent)
			}
			if anchored[z.ID] || len(s.children[z.ID]) == 0 && len(s.inside[z.ID]) == 0 {
				fmt.Fprintf(bw, "%s  %s [shape=point, style=invis, label=\"\"];\n", indent, dotQuote(id))
			}
			writeZone(z.ID, indent+"  ")
			fmt.Fprintf(bw, "%s}\n", indent)
		}
		for _, n := range s.inside[zoneID] {
			fmt.Fprintf(bw, "%s%s [%s];\n", indent, dotQuote(ids.get("n_", n.ID)), dotNode(n.Kind, n.Name, inScope(n)))
		}
	}
	writeZone("", "  ")
	for _, f := range s.flows {
		for _, end := range []string{f.From, f.To} {
			if g.Element(end) == nil && ids.of[end] == "" {
				fmt.Fprintf(bw, "  %s [%s];\n", dotQuote(ids.get("n_", end)), dotNode(model.Component, end, false))
			}
		}
	}
	for _, f := range s.flows {
		var attrs []string
		if label := flowLabel(f); label != "" {
			attrs = append(attrs, "label="+dotQuote(label))
		}
		if b, _ := boolAttr(f, "blocked"); b {
			attrs = append(attrs, "style=dotted")
		}
		for _, end := range []struct{ id, attr string }{{f.From, "ltail"}, {f.To, "lhead"}} {
			if anchored[end.id] {
				attrs = append(attrs, end.attr+"="+dotQuote("cluster_"+ids.get("z_", end.id)))
			}
		}
		line := fmt.Sprintf("  %s -> %s", dotQuote(endID(ids, g, f.From)), dotQuote(endID(ids, g, f.To)))
		if len(attrs) > 0 {
			line += " [" + strings.Join(attrs, ", ") + "]"
		}
		fmt.Fprintln(bw, line+";")
	}
	fmt.Fprintln(bw, "}")
	return bw.Flush()
}

func dotNode(k model.Kind, name string, in bool) string {
	shape := "box"
	switch k {
	case model.Store:
		shape = "cylinder"
	case model.Actor:
		shape = "ellipse"
	}
	attrs := "label=" + dotQuote(name) + ", shape=" + shape
	if !in {
		attrs += ", style=dashed"
	}
	return attrs
}

// dotEscaper escapes what a DOT quoted string (and a label's escape sequences) would read.
var dotEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", "")

func dotQuote(s string) string { return `"` + dotEscaper.Replace(s) + `"` }
