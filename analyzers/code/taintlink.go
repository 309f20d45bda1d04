package code

import (
	"fmt"
	"sort"
	"strings"

	"github.com/threatls/threatls/model"
)

// Code sites: the elements the threats of code read. Each is a control (kind control) of
// its service (Parent), placed where the code does what a threat is about:
//
//   - code_flow: data from a source reaches a sink (attrs sink, source, function, entry,
//     trace, fix);
//   - code_check: a check row holds (a broken cipher, an insecure cookie, a JWT decoded
//     without pinned algorithms, a hard-coded secret), or a control the extractor read
//     says so (TLS verification off, TLS below 1.2, CSRF protection off) (attrs check,
//     function, fix).
//
// Beside them, the route whose input reaches a sink gets `reaches` (the sink kinds), every
// route `stores` (the flows to stores its handler reaches), and the flow to the database a
// sink queries `injection` (the sink kinds untrusted input reaches on it): the model's
// threats and its attack paths read them (docs/model.md, "Code").

// CodeSiteTypes are the types of the elements code sites are.
var CodeSiteTypes = []string{"code_flow", "code_check"}

// sinkFamily groups the source kinds whose findings share an element: request input of
// any protocol is one family; a model's output, an agent tool's input, secrets, personal
// data and weak randomness are each their own.
func sinkFamily(kind string) string {
	switch kind {
	case "http", "grpc", "queue":
		return "input"
	}
	return kind
}

func (a *Analyzer) codeSites(s *service, comp *model.Element, entries map[*model.FileFacts][]*model.Element,
	flows map[model.Span]*model.Element, made []*model.Element) []*model.Element {
	g := newFlowGraph(s.files)
	g.bindHandlers(entries)
	found := g.findings()
	sort.SliceStable(found, func(i, j int) bool {
		a, b := &g.fns[found[i].fn].f.Sinks[found[i].sink], &g.fns[found[j].fn].f.Sinks[found[j].sink]
		if a.Span.File != b.Span.File {
			return a.Span.File < b.Span.File
		}
		if a.Span.Start.Offset != b.Span.Start.Offset {
			return a.Span.Start.Offset < b.Span.Start.Offset
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return sinkFamily(found[i].srcKnd) < sinkFamily(found[j].srcKnd)
	})
	var out []*model.Element
	ids := map[string]int{}
	newID := func(base string) string {
		ids[base]++
		if n := ids[base]; n > 1 {
			return fmt.Sprintf("%s#%d", base, n)
		}
		return base
	}
	rel := func(file string) string {
		if s.root == "." || s.root == "" {
			return file
		}
		return strings.TrimPrefix(file, s.root+"/")
	}
	fnName := func(key string) string {
		if key == "" {
			return "(top level)"
		}
		return key
	}

	// Findings of the taint engine: one element per sink and family of sources, the
	// first source (in the order of the search) named, the others counted.
	type group struct {
		fs []tfinding
	}
	var order []string
	groups := map[string]*group{}
	for _, tf := range found {
		k := fmt.Sprintf("%d/%d/%s", tf.fn, tf.sink, sinkFamily(tf.srcKnd))
		if groups[k] == nil {
			groups[k] = &group{}
			order = append(order, k)
		}
		groups[k].fs = append(groups[k].fs, tf)
	}
	reaches := map[*model.Element][]any{}
	reachAt := map[*model.Element]model.Span{}
	injection := map[*model.Element][]any{}
	injAt := map[*model.Element]model.Span{}
	injNote := map[*model.Element]string{}
	dbFlows := databaseFlows(made)
	for _, k := range order {
		fs := groups[k].fs
		first := fs[0]
		// prefer a finding whose source is a route's input: it says the most
		for _, tf := range fs {
			if tf.entry != nil && first.entry == nil {
				first = tf
			}
		}
		n := g.fns[first.fn]
		sk := &n.f.Sinks[first.sink]
		fam := sinkFamily(first.srcKnd)
		idBase := comp.ID + "/code/" + rel(sk.Span.File) + "/" + fnName(n.f.Key) + "/" + sk.Kind
		if fam != "input" {
			idBase += "-" + fam
		}
		el := &model.Element{ID: newID(idBase), Kind: model.Control, Type: "code_flow", Parent: comp.ID,
			Name: comp.Name + " " + rel(sk.Span.File) + " " + fnName(n.f.Key), Span: sk.Span, Head: sk.Arg}
		srcNote := first.src.What
		if first.src.Kind == oParam {
			srcNote = "parameter " + first.src.What + " of " + fnName(g.fns[first.srcFn].f.Key)
		}
		el.Attrs.Set("sink", model.Attr{Value: sk.Kind, Origin: model.Read, Span: sk.Arg, Note: sk.What})
		el.Attrs.Set("origin", model.Attr{Value: srcNote, Origin: model.Read, Span: first.src.Span})
		el.Attrs.Set("source", model.Attr{Value: first.srcKnd, Origin: model.Read, Span: first.src.Span, Note: srcNote})
		el.Attrs.Set("function", model.Attr{Value: fnName(n.f.Key), Origin: model.Read, Span: n.f.Span})
		var tr []any
		tr = append(tr, fmt.Sprintf("%s: %s (%s)", first.src.Span, srcNote, first.srcKnd))
		for _, st := range first.steps {
			tr = append(tr, fmt.Sprintf("%s: %s", st.span, st.what))
		}
		tr = append(tr, fmt.Sprintf("%s: %s (%s)", sk.Span, sk.What, sk.Kind))
		el.Attrs.Set("trace", model.Attr{Value: tr, Origin: model.Read, Span: sk.Arg, Note: fmt.Sprintf("%d source(s) reach it", len(fs))})
		el.Related = append(el.Related, model.Related{Span: first.src.Span, Message: "source: " + srcNote})
		for _, st := range first.steps {
			el.Related = append(el.Related, model.Related{Span: st.span, Message: st.what})
		}
		if first.entry != nil {
			route := strings.TrimPrefix(first.entry.Name, comp.Name+" ")
			el.Attrs.Set("entry", model.Attr{Value: route, Origin: model.Read, Span: first.entry.Span, Note: first.entry.ID})
			el.Related = append(el.Related, model.Related{Span: first.entry.Span, Message: "route " + route})
		}
		if len(sk.Fix) > 0 {
			el.Attrs.Set("fix", fixAttr(sk.Fix, sk.Arg))
		}
		for _, tf := range fs[1:] {
			if len(el.Related) >= 12 {
				break
			}
			el.Related = append(el.Related, model.Related{Span: tf.src.Span, Message: "also from " + tf.src.What})
		}
		out = append(out, el)
		// The model: the route whose input it is, and the store it queries.
		if fam == "input" || fam == "tool" {
			for _, tf := range fs {
				if tf.entry != nil {
					if !hasValue(reaches[tf.entry], sk.Kind) {
						reaches[tf.entry] = append(reaches[tf.entry], sk.Kind)
					}
					if _, ok := reachAt[tf.entry]; !ok {
						reachAt[tf.entry] = sk.Arg
					}
				}
			}
			if injectable(sk.Kind) {
				fl := flows[sk.Store]
				if fl == nil && len(dbFlows) == 1 && (sk.Kind == "sql" || sk.Kind == "nosql") {
					fl = dbFlows[0]
				}
				if fl != nil {
					if !hasValue(injection[fl], sk.Kind) {
						injection[fl] = append(injection[fl], sk.Kind)
					}
					if _, ok := injAt[fl]; !ok {
						injAt[fl] = sk.Arg
						injNote[fl] = fmt.Sprintf("%s reaches %s", srcNote, sk.What)
						if first.entry != nil {
							injNote[fl] += " (route " + strings.TrimPrefix(first.entry.Name, comp.Name+" ") + ")"
						}
					}
				}
			}
		}
	}
	for el, kinds := range reaches {
		el.Attrs.Set("reaches", model.Attr{Value: kinds, Origin: model.Read, Span: reachAt[el], Note: "sinks its input reaches"})
	}
	for el, kinds := range injection {
		el.Attrs.Set("injection", model.Attr{Value: kinds, Origin: model.Read, Span: injAt[el], Note: injNote[el]})
	}

	// Stores each route's handler reaches.
	for i, n := range g.fns {
		if n.entry == nil {
			continue
		}
		var ids []any
		var at model.Span
		spans, queries := g.flowsOf(i)
		if queries && len(dbFlows) == 1 {
			spans = append(spans, dbFlows[0].Span) // the service's only database
		}
		for _, sp := range spans {
			if fl := flows[sp]; fl != nil && !hasValue(ids, fl.ID) {
				if to := fl.To; !strings.HasPrefix(to, "actor:") {
					ids = append(ids, fl.ID)
					if at.IsZero() {
						at = sp
					}
				}
			}
		}
		// The flows a route without authentication reaches: a threat of the model reads them
		// on the flow, which fuses with the deployment's flow to the same store.
		if au, ok := n.entry.Attrs.Get("authenticated"); ok && au.Value == false {
			route := strings.TrimPrefix(n.entry.Name, comp.Name+" ")
			for _, id := range ids {
				for _, e := range made {
					if e.ID != id {
						continue
					}
					cur, _ := e.Attrs.At("open_routes").Value.([]any)
					if !hasValue(cur, route) {
						at := n.entry.Span
						if a, ok := e.Attrs.Get("open_routes"); ok {
							at = a.Span
						}
						e.Attrs.Set("open_routes", model.Attr{Value: append(cur, route), Origin: model.Read, Span: at,
							Note: "routes without authentication whose handlers reach this flow"})
					}
				}
			}
		}
		if len(ids) > 0 {
			if cur, ok := n.entry.Attrs.Get("stores"); ok {
				for _, id := range cur.Value.([]any) {
					if !hasValue(ids, id) {
						ids = append(ids, id)
					}
				}
				at = cur.Span
			}
			sort.Slice(ids, func(i, j int) bool { return ids[i].(string) < ids[j].(string) })
			n.entry.Attrs.Set("stores", model.Attr{Value: ids, Origin: model.Read, Span: at, Note: "flows to stores its handler makes"})
		}
	}

	// Checks.
	var checked []model.Span
	for _, n := range g.fns {
		for _, c := range n.f.Checks {
			out = append(out, a.checkSite(comp, newID(comp.ID+"/code/"+rel(c.Span.File)+"/"+fnName(n.f.Key)+"/"+c.Check),
				c, fnName(n.f.Key), n.f.Span, rel))
			checked = append(checked, c.Span)
		}
	}
	for _, ff := range s.files {
		r := rawOf(ff)
		if r.Taint == nil {
			continue
		}
		for _, c := range r.Taint.Secrets {
			out = append(out, a.checkSite(comp, newID(comp.ID+"/code/"+rel(c.Span.File)+"/"+c.Check), c, "", c.Span, rel))
			checked = append(checked, c.Span)
		}
	}
	// Controls the extractor read that are findings of their own, where no check row
	// reported the same place.
	for _, ff := range s.files {
		r := rawOf(ff)
		type ctl struct {
			attr string
			v    any
			sp   model.Span
			note string
		}
		var cs []ctl
		for _, c := range r.Controls {
			cs = append(cs, ctl{c.Attr, c.Value, c.Span, c.Note})
		}
		for _, fl := range r.Flows {
			for _, k := range []string{"tls_verify", "tls_min_version"} {
				if at, ok := fl.Attrs[k]; ok && at.Origin == model.Read {
					cs = append(cs, ctl{k, at.Value, at.Span, at.Note})
				}
			}
		}
		sort.SliceStable(cs, func(i, j int) bool { return cs[i].sp.Start.Offset < cs[j].sp.Start.Offset })
		seen := map[model.Span]bool{}
		for _, c := range cs {
			check := controlCheck(c.attr, c.v)
			if check == "" || seen[c.sp] || overlaps(checked, c.sp) {
				continue
			}
			seen[c.sp] = true
			ck := Check{Check: check, Span: c.sp, Detail: c.note}
			out = append(out, a.checkSite(comp, newID(comp.ID+"/code/"+rel(c.sp.File)+"/"+check), ck, "", c.sp, rel))
		}
	}
	return out
}

func (a *Analyzer) checkSite(comp *model.Element, id string, c Check, fn string, fnSpan model.Span, rel func(string) string) *model.Element {
	el := &model.Element{ID: id, Kind: model.Control, Type: "code_check", Parent: comp.ID,
		Name: comp.Name + " " + rel(c.Span.File) + " " + c.Check, Span: c.Span, Head: c.Span}
	el.Attrs = model.AttrsOf(map[string]model.Attr{"check": {Value: c.Check, Origin: model.Read, Span: c.Span, Note: c.Detail},
		"detail": {Value: c.Detail, Origin: model.Read, Span: c.Span}})
	if fn != "" {
		el.Attrs.Set("function", model.Attr{Value: fn, Origin: model.Read, Span: fnSpan})
	}
	if len(c.Fix) > 0 {
		el.Attrs.Set("fix", fixAttr(c.Fix, c.Span))
	}
	return el
}

// controlCheck names the check a control of the extractor is, or "".
func controlCheck(attr string, v any) string {
	switch attr {
	case "tls_verify":
		if v == false {
			return "tls_verify_off"
		}
	case "tls_min_version":
		if s, _ := v.(string); s == "1.0" || s == "1.1" || s == "ssl3" {
			return "tls_old"
		}
	case "csrf_protection":
		if v == false {
			return "csrf_disabled"
		}
	}
	return ""
}

func overlaps(spans []model.Span, s model.Span) bool {
	for _, x := range spans {
		if x.File == s.File && x.Start.Offset < s.End.Offset && s.Start.Offset < x.End.Offset {
			return true
		}
	}
	return false
}

// injectable reports whether untrusted input reaching a sink of kind k lets an attacker
// act on the store behind it.
func injectable(k string) bool {
	switch k {
	case "sql", "nosql", "ldap", "xpath":
		return true
	}
	return false
}

// databaseFlows returns the service's flows to databases.
func databaseFlows(els []*model.Element) []*model.Element {
	var out []*model.Element
	for _, e := range els {
		if e.Kind != model.Flow {
			continue
		}
		switch p, _ := e.Attrs.At("protocol").Value.(string); p {
		case "postgres", "mysql", "sqlserver", "oracle", "sqlite", "mongodb", "mariadb":
			out = append(out, e)
		}
	}
	return out
}

func hasValue(list []any, v any) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// fixAttr records a fix's edits on a site: the code analyzer's Fix carries them out.
func fixAttr(es []Edit, at model.Span) model.Attr {
	var v []any
	var texts []string
	for _, e := range es {
		v = append(v, map[string]any{"start": int64(e.Start), "end": int64(e.End), "text": e.Text})
		texts = append(texts, e.Text)
	}
	return model.Attr{Value: v, Origin: model.Read, Span: at, Note: "mechanical fix: " + strings.Join(texts, " … ")}
}
