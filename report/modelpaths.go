package report

import (
	"bufio"
	"fmt"
	"io"

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
		for _, r := range p.Related {
			fmt.Fprintf(bw, "  %s: %s\n", textPos(Result{Root: opts.Root, Source: opts.Source}, r.Span), oneLine(r.Message))
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
