package report

import (
	"bytes"
	"context"
	"fmt"

	"github.com/goccy/go-graphviz"

	"github.com/threatls/threatls/model"
)

// diagramSVG lays out the data-flow diagram with Graphviz — compiled to WebAssembly and run
// in process by go-graphviz, so no program is started and nothing leaves the machine — and
// returns it as an inline <svg> element: zones are boxes, flows labelled edges, attack paths
// red, nodes filled by residual risk and linked to their section of the page.
func diagramSVG(ctx context.Context, g *model.Graph, o dotOptions) ([]byte, error) {
	var src bytes.Buffer
	if err := dot(&src, g, o); err != nil {
		return nil, err
	}
	gv, err := graphviz.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("diagram: graphviz: %w", err)
	}
	defer gv.Close()
	graph, err := graphviz.ParseBytes(src.Bytes())
	if err != nil {
		return nil, fmt.Errorf("diagram: parse the model's DOT: %w", err)
	}
	defer graph.Close()
	var out bytes.Buffer
	if err := gv.Render(ctx, graph, graphviz.SVG, &out); err != nil {
		return nil, fmt.Errorf("diagram: layout: %w", err)
	}
	svg := out.Bytes()
	if i := bytes.Index(svg, []byte("<svg")); i >= 0 {
		svg = svg[i:] // drop the XML prolog and DOCTYPE: the SVG is inlined in HTML
	}
	return svg, nil
}
