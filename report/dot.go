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
func DOT(w io.Writer, g *model.Graph) error { return dot(w, g, dotOptions{}) }

// dotOptions decorate the diagram of a report: flows on attack paths drawn red, nodes filled
// by their residual risk level and linked to their section of the page.
type dotOptions struct {
	onPath map[string]bool           // flow IDs on an attack path
	level  map[string]model.Severity // element ID → residual risk level
	anchor func(id string) string    // element ID → the page's anchor for it, "" for none
}

func dot(w io.Writer, g *model.Graph, o dotOptions) error {
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
			fmt.Fprintf(bw, "%s%s [%s%s];\n", indent, dotQuote(ids.get("n_", n.ID)), dotNode(n.Kind, n.Name, inScope(n)), o.node(n.ID))
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
		if o.onPath[f.ID] {
			attrs = append(attrs, `color="#c0392b"`, `fontcolor="#c0392b"`, "penwidth=2.5", `class="attack-path"`)
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

// node returns the decorations of a node: a fill by its residual risk level, and its anchor.
func (o dotOptions) node(id string) string {
	var b strings.Builder
	if c, ok := levelFill[o.level[id]]; ok {
		fmt.Fprintf(&b, `, style=filled, fillcolor="%s"`, c)
	}
	if o.anchor != nil {
		if a := o.anchor(id); a != "" {
			fmt.Fprintf(&b, ", URL=%s, id=%s", dotQuote("#"+a), dotQuote("node-"+a))
		}
	}
	return b.String()
}

// levelFill are the fills of nodes by residual risk level.
var levelFill = map[model.Severity]string{
	model.Critical: "#f5b7b1", model.High: "#fad7a0", model.Medium: "#fcf3cf", model.Low: "#e8f6f3",
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
