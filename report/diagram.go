package report

import (
	"fmt"
	"html"
	"math"
	"sort"
	"strings"

	"github.com/threatls/threatls/model"
)

// The diagram of the report is laid out here, in Go, and written as an inline SVG: zones are
// boxes nested as the zones are, each holding its nodes and its child zones in columns — a
// layered layout, in which an item's column is the length of the longest chain of flows that
// leads to it from the other items of its box — so that traffic reads left to right, from
// the internet inwards. Flows are labelled curves; those on an attack path are red. Nodes
// are filled by their residual risk and link to their section of the page.
//
// A Graphviz compiled to WebAssembly was tried first: its package compiles the module at
// program start, which cost every threatls command (the language server too) 20 MB and, on
// a machine that had not cached it, a second and 12 MB written to the temporary directory.

// Sizes, in SVG user units (pixels).
const (
	nodeH       = 36
	nodeMinW    = 96
	charW       = 7.2 // average width of a character of the 12px sans-serif font
	padX        = 16  // inside a zone box, left and right
	padTop      = 28  // inside a zone box, above its content (its label)
	padBottom   = 14
	gapX        = 170 // between columns: room for a flow's label
	gapY        = 26
	labelCharW  = 5.8 // 10px font
	marginWhole = 12
)

// dItem is what a box holds: a node or a zone (with its own items).
type dItem struct {
	el       *model.Element
	zone     bool
	items    []*dItem // a zone's content
	w, h     float64
	x, y     float64 // top left, absolute once placed
	col      int
	parent   *dItem
	external bool // a flow's end the graph does not have
}

// diagramOptions decorate the diagram: flows on attack paths, nodes' residual risk levels,
// and the page's anchor of each element.
type diagramOptions struct {
	onPath map[string]bool           // flow IDs on an attack path
	level  map[string]model.Severity // element ID → residual risk level
	anchor func(id string) string    // element ID → the page's anchor for it, "" for none
}

// levelFill are the fills of nodes by residual risk level.
var levelFill = map[model.Severity]string{
	model.Critical: "#f5b7b1", model.High: "#fad7a0", model.Medium: "#fcf3cf", model.Low: "#e8f6f3",
}

type diagram struct {
	s    *system
	o    diagramOptions
	byID map[string]*dItem
	root *dItem
	// flowsIn are, by box, the flows between two of its items, as the items that hold each
	// end, in the order of the system's flows (see boxFlows).
	flowsIn map[*dItem][][2]*dItem
	svg     strings.Builder
	maxW    float64
	maxH    float64
}

// diagramSVG lays out and draws the model's data-flow diagram.
func diagramSVG(g *model.Graph, o diagramOptions) []byte {
	d := &diagram{s: newSystem(g), o: o, byID: map[string]*dItem{}}
	d.build()
	d.flowsIn = d.boxFlows()
	d.measure(d.root)
	d.place(d.root, marginWhole, marginWhole)
	d.draw()
	return []byte(d.svg.String())
}

func (d *diagram) build() {
	d.root = &dItem{zone: true}
	var add func(parent *dItem, zoneID string)
	add = func(parent *dItem, zoneID string) {
		for _, z := range d.s.children[zoneID] {
			it := &dItem{el: z, zone: true, parent: parent}
			d.byID[z.ID] = it
			parent.items = append(parent.items, it)
			add(it, z.ID)
		}
		for _, n := range d.s.inside[zoneID] {
			it := &dItem{el: n, parent: parent}
			d.byID[n.ID] = it
			parent.items = append(parent.items, it)
		}
	}
	add(d.root, "")
	for _, f := range d.s.flows {
		for _, end := range []string{f.From, f.To} {
			if d.byID[end] == nil && d.s.g.Element(end) == nil {
				it := &dItem{el: &model.Element{ID: end, Name: end, Kind: model.Component}, parent: d.root, external: true}
				d.byID[end] = it
				d.root.items = append(d.root.items, it)
			}
		}
	}
}

// boxFlows returns, by box, the flows between two of its items, as the items that hold each
// end. A flow counts in the deepest box that holds both its ends apart: in the boxes above it
// one item holds both ends, in those below one end is missing. (Asking every box about every
// flow cost boxes × flows: 40 s of a 20,000-file report.)
func (d *diagram) boxFlows() map[*dItem][][2]*dItem {
	chain := func(it *dItem) []*dItem { // the item, its box, …, the root
		var out []*dItem
		for ; it != nil; it = it.parent {
			out = append(out, it)
		}
		return out
	}
	out := map[*dItem][][2]*dItem{}
	for _, f := range d.s.flows {
		a, b := d.byID[f.From], d.byID[f.To]
		if a == nil || b == nil {
			continue
		}
		ca, cb := chain(a), chain(b)
		i, j := len(ca)-1, len(cb)-1
		if ca[i] != cb[j] {
			continue
		}
		for i > 0 && j > 0 && ca[i-1] == cb[j-1] {
			i, j = i-1, j-1
		}
		if i == 0 || j == 0 {
			continue // one end holds the other
		}
		out[ca[i]] = append(out[ca[i]], [2]*dItem{ca[i-1], cb[j-1]})
	}
	return out
}

// measure sizes every item bottom-up and gives the items of each box their column.
func (d *diagram) measure(box *dItem) {
	for _, it := range box.items {
		if it.zone {
			d.measure(it)
		} else {
			it.w = math.Max(nodeMinW, float64(len([]rune(it.el.Name)))*charW+28)
			it.h = nodeH
		}
	}
	// Columns: the longest chain of flows between the box's items that leads to each. Only
	// flows inwards or within a trust level count (a call out to the internet does not pull
	// the internet to the right); the search visits the least trusted items first, and cuts
	// the cycles left where it meets them.
	preds := map[*dItem][]*dItem{}
	for _, p := range d.flowsIn[box] {
		if a, b := p[0], p[1]; d.trust(a) <= d.trust(b) {
			preds[b] = append(preds[b], a)
		}
	}
	sort.SliceStable(box.items, func(i, j int) bool { return d.trust(box.items[i]) < d.trust(box.items[j]) })
	state := map[*dItem]int{} // 1 visiting, 2 done
	var depth func(it *dItem) int
	depth = func(it *dItem) int {
		if state[it] == 2 {
			return it.col
		}
		state[it] = 1
		col := 0
		for _, p := range preds[it] {
			if state[p] == 1 {
				continue // a cycle
			}
			col = max(col, depth(p)+1)
		}
		it.col, state[it] = col, 2
		return col
	}
	cols := 0
	for _, it := range box.items {
		cols = max(cols, depth(it)+1)
	}
	// Within a column, items keep the graph's order, then follow their predecessors
	// (barycentre of the rows they come from).
	columns := make([][]*dItem, cols)
	for _, it := range box.items {
		columns[it.col] = append(columns[it.col], it)
	}
	row := map[*dItem]float64{}
	for c, col := range columns {
		if c > 0 {
			bary := map[*dItem]float64{}
			for i, it := range col {
				sum, n := 0.0, 0
				for _, p := range preds[it] {
					if p.col < c {
						sum += row[p]
						n++
					}
				}
				if n > 0 {
					bary[it] = sum / float64(n)
				} else {
					bary[it] = float64(i)
				}
			}
			sort.SliceStable(col, func(i, j int) bool { return bary[col[i]] < bary[col[j]] })
		}
		for i, it := range col {
			row[it] = float64(i)
		}
	}
	box.items = box.items[:0]
	for _, col := range columns {
		box.items = append(box.items, col...)
	}
	// The box's size: columns side by side, items stacked.
	w, h := 0.0, 0.0
	for c, col := range columns {
		cw, ch := 0.0, 0.0
		for i, it := range col {
			cw = math.Max(cw, it.w)
			if i > 0 {
				ch += gapY
			}
			ch += it.h
		}
		if c > 0 {
			w += gapX
		}
		w += cw
		h = math.Max(h, ch)
	}
	if box.el != nil {
		label := float64(len([]rune(zoneLabel(box.el))))*charW + 2*padX
		box.w = math.Max(w+2*padX, math.Max(label, nodeMinW))
		box.h = math.Max(h, 8) + padTop + padBottom
	} else {
		box.w, box.h = w, h
	}
}

// trust ranks an item by its zone's trust: internet 0, dmz 1, internal (or unknown) 2,
// restricted 3.
func (d *diagram) trust(it *dItem) int {
	z := it.el
	if !it.zone {
		z = d.s.g.Element(d.s.zoneOf[it.el.ID])
	}
	if it.el.ID == model.Internet {
		return 0
	}
	if z != nil {
		switch strAttr(z, "trust") {
		case "internet":
			return 0
		case "dmz":
			return 1
		case "restricted":
			return 3
		}
	}
	return 2
}

// place gives every item of box its position, box's top left being (x, y).
func (d *diagram) place(box *dItem, x, y float64) {
	box.x, box.y = x, y
	cx, cy := x, y
	if box.el != nil {
		cx, cy = x+padX, y+padTop
	}
	col, colX, colW, rowY := -1, cx, 0.0, cy
	for _, it := range box.items {
		if it.col != col {
			if col >= 0 {
				colX += colW + gapX
			}
			col, colW, rowY = it.col, 0, cy
			for _, o := range box.items {
				if o.col == col {
					colW = math.Max(colW, o.w)
				}
			}
		}
		ix := colX + (colW-it.w)/2
		if it.zone {
			d.place(it, ix, rowY)
		} else {
			it.x, it.y = ix, rowY
		}
		d.maxW = math.Max(d.maxW, it.x+it.w)
		d.maxH = math.Max(d.maxH, it.y+it.h)
		rowY += it.h + gapY
	}
}

var trustFill = map[string]string{"internet": "#fdf0ef", "dmz": "#fef8e6", "internal": "#eef5fb", "restricted": "#ecf8f1"}

func (d *diagram) draw() {
	w, h := d.maxW+marginWhole, d.maxH+marginWhole
	fmt.Fprintf(&d.svg, `<svg xmlns="http://www.w3.org/2000/svg" class="dfd" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="Helvetica, Arial, sans-serif" font-size="12">`+"\n", w, h, w, h)
	d.svg.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker>` +
		`<marker id="arrow-path" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#c0392b"/></marker></defs>` + "\n")
	var zones func(box *dItem)
	zones = func(box *dItem) {
		for _, it := range box.items {
			if !it.zone {
				continue
			}
			fill := trustFill[strAttr(it.el, "trust")]
			if fill == "" {
				fill = "#f6f8fa"
			}
			dash := ""
			if !inScope(it.el) {
				dash = ` stroke-dasharray="5,3"`
			}
			fmt.Fprintf(&d.svg, `<g class="cluster"><title>%s</title><rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="6" fill="%s" stroke="#8a96a3"%s/>`+
				`<text x="%.1f" y="%.1f" fill="#34495e" font-weight="bold">%s</text></g>`+"\n",
				esc(it.el.ID), it.x, it.y, it.w, it.h, fill, dash, it.x+padX/2, it.y+17, esc(zoneLabel(it.el)))
			zones(it)
		}
	}
	zones(d.root)
	for _, f := range d.s.flows {
		d.edge(f)
	}
	var nodes func(box *dItem)
	nodes = func(box *dItem) {
		for _, it := range box.items {
			if it.zone {
				nodes(it)
			} else {
				d.node(it)
			}
		}
	}
	nodes(d.root)
	d.svg.WriteString("</svg>\n")
}

func (d *diagram) node(it *dItem) {
	fill := levelFill[d.o.level[it.el.ID]]
	if fill == "" {
		fill = "#ffffff"
	}
	dash := ""
	if it.external || !inScope(it.el) {
		dash = ` stroke-dasharray="4,3"`
	}
	anchor := ""
	if d.o.anchor != nil {
		anchor = d.o.anchor(it.el.ID)
	}
	id := ""
	if anchor != "" {
		id = ` id="node-` + esc(anchor) + `"`
	}
	fmt.Fprintf(&d.svg, `<g class="node"%s><title>%s</title>`, id, esc(it.el.ID))
	if anchor != "" {
		fmt.Fprintf(&d.svg, `<a href="#%s">`, esc(anchor))
	}
	x, y, w, h := it.x, it.y, it.w, it.h
	switch it.el.Kind {
	case model.Store: // a cylinder
		ry := 5.0
		fmt.Fprintf(&d.svg, `<path d="M%.1f,%.1f a%.1f,%.1f 0 0,0 %.1f,0 v%.1f a%.1f,%.1f 0 0,1 -%.1f,0 z" fill="%s" stroke="#2c3e50"%s/>`+
			`<path d="M%.1f,%.1f a%.1f,%.1f 0 0,0 %.1f,0" fill="none" stroke="#2c3e50"/>`,
			x, y+ry, w/2, ry, w, h-2*ry, w/2, ry, w, fill, dash, x, y+ry, w/2, ry, w)
	case model.Actor: // a rounded box
		fmt.Fprintf(&d.svg, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="18" fill="%s" stroke="#2c3e50"%s/>`, x, y, w, h, fill, dash)
	default:
		fmt.Fprintf(&d.svg, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="3" fill="%s" stroke="#2c3e50"%s/>`, x, y, w, h, fill, dash)
	}
	fmt.Fprintf(&d.svg, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#1d2329">%s</text>`, x+w/2, y+h/2+4, esc(it.el.Name))
	if anchor != "" {
		d.svg.WriteString(`</a>`)
	}
	d.svg.WriteString("</g>\n")
}

// edge draws a flow between the boxes of its ends: out of the right side of its source into
// the left side of its target when the target lies to the right, else the other way round.
func (d *diagram) edge(f *model.Element) {
	a, b := d.byID[f.From], d.byID[f.To]
	if a == nil || b == nil || a == b {
		return
	}
	ax, ay, bx, by := a.x+a.w, a.y+a.h/2, b.x, b.y+b.h/2
	dir := 1.0
	switch {
	case b.x+b.w <= a.x: // to the left
		ax, bx, dir = a.x, b.x+b.w, -1
	case b.x < a.x+a.w && b.x+b.w > a.x: // same column: leave by the right side, come back
		ax, bx = a.x+a.w, b.x+b.w
		dir = 0
	}
	dx := math.Max(40, math.Abs(bx-ax)/2)
	c1x, c2x := ax+dir*dx, bx-dir*dx
	if dir == 0 {
		c1x, c2x = ax+60, bx+60
	}
	class, color, marker, width := "edge", "#444", "arrow", 1.2
	if d.o.onPath[f.ID] {
		class, color, marker, width = "edge attack-path", "#c0392b", "arrow-path", 2.6
	}
	dash := ""
	if blocked, _ := boolAttr(f, "blocked"); blocked {
		dash = ` stroke-dasharray="2,4"`
	}
	fmt.Fprintf(&d.svg, `<g class="%s"><title>%s</title><path d="M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="none" stroke="%s" stroke-width="%.1f"%s marker-end="url(#%s)"/>`,
		class, esc(f.Name), ax, ay, c1x, ay, c2x, by, bx, by, color, width, dash, marker)
	if label := flowLabel(f); label != "" {
		// The curve's midpoint (t = 0.5 of the cubic Bézier).
		mx := 0.125*ax + 0.375*c1x + 0.375*c2x + 0.125*bx
		my := 0.5*ay + 0.5*by
		lw := float64(len([]rune(label)))*labelCharW + 8
		fmt.Fprintf(&d.svg, `<rect x="%.1f" y="%.1f" width="%.1f" height="14" fill="#ffffff" fill-opacity="0.85"/><text x="%.1f" y="%.1f" text-anchor="middle" font-size="10" fill="%s">%s</text>`,
			mx-lw/2, my-10, lw, mx, my+1, color, esc(label))
	}
	d.svg.WriteString("</g>\n")
}

func esc(s string) string { return html.EscapeString(s) }
