package report

import (
	"bufio"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/threatls/threatls/model"
)

// Paths lists the attack paths of the model, riskiest first, as a compiler lists errors:
//
//	risk 72  internet → web → api → orders-db (pii)
//	  infra/lb.tf:12:3: hop 1: internet → web (https:443): no waf, no rate limiting
//	  infra/app.tf:30:3: hop 2: web → api (http:8080): no tls, no segmentation
//	  …
//	  infra/db.tf:1:1: asset: orders-db holds pii data
//
// then a count. Paths are joined to opts.Root, so that they are valid from where the
// command ran.
func Paths(w io.Writer, g *model.Graph, opts ModelOptions) error {
	bw := bufio.NewWriter(w)
	for _, p := range g.Paths() {
		fmt.Fprintf(bw, "risk %-3d %s", intAttr(p, "risk"), p.Name)
		if c := strAttr(p, "classification"); c != "" {
			fmt.Fprintf(bw, " (%s)", c)
		}
		fmt.Fprintln(bw)
		pos := func(sp model.Span) string { return textPos(Result{Root: opts.Root, Source: opts.Source}, sp) }
		steps, _ := p.Attrs.At("steps").Value.([]any)
		hop := 0
		for _, r := range p.Related {
			fmt.Fprintf(bw, "  %s: %s\n", pos(r.Span), oneLine(r.Message))
			if !strings.HasPrefix(r.Message, "hop ") || hop >= len(steps) {
				continue
			}
			step, _ := steps[hop].(map[string]any)
			hop++
			fl := g.Element(fmt.Sprint(step["flow"]))
			if fl == nil {
				continue
			}
			// The code behind the hop: where a service's code makes the call, and, at the
			// entry, the routes it serves without authentication.
			for i, m := range fl.Members {
				if i < len(fl.Sources) && isCode(fl.Sources[i].File) && fl.Sources[i] != r.Span {
					fmt.Fprintf(bw, "  %s:   in code: %s\n", pos(fl.Sources[i]), orElse(strAttr(fl, "client"), m))
				}
			}
			if hop == 1 && fl.From == model.Internet {
				for _, e := range openEntries(g, fl.To, 3) {
					fmt.Fprintf(bw, "  %s:   entry: %s, no authentication\n", pos(e.Span), strings.TrimSpace(strAttr(e, "method")+" "+strAttr(e, "path")))
				}
			}
		}
	}
	switch n := len(g.Paths()); n {
	case 0:
		fmt.Fprintln(bw, "no attack paths: nothing reachable from the internet or a public store leads to classified data")
	default:
		fmt.Fprintln(bw, plural(n, "attack path", "attack paths"))
	}
	return bw.Flush()
}

// codeExtensions are the source files of application code: a flow's member defined in one
// is a call in code.
var codeExtensions = map[string]bool{".go": true, ".py": true, ".js": true, ".jsx": true, ".mjs": true, ".cjs": true,
	".ts": true, ".tsx": true, ".mts": true, ".cts": true, ".java": true, ".cs": true}

func isCode(file string) bool { return codeExtensions[path.Ext(file)] }

// openEntries returns up to n entry points of the element id (or of an element fused into
// it) that require no authentication, in the graph's order.
func openEntries(g *model.Graph, id string, n int) []*model.Element {
	owners := map[string]bool{id: true}
	if e := g.Element(id); e != nil {
		for _, m := range e.Members {
			owners[m] = true
		}
	}
	var out []*model.Element
	for _, e := range g.Elements() {
		if e.Kind != model.Entry || !owners[e.Parent] {
			continue
		}
		if a, ok := e.Attrs.Get("authenticated"); ok && a.Value == true {
			continue
		}
		if out = append(out, e); len(out) == n {
			break
		}
	}
	return out
}

func orElse(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
