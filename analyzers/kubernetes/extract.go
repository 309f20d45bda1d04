package kubernetes

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// raw is what Extract keeps of a file for Link: its objects, and the documents they were
// read from (what Reextract takes over). They hold no tree-sitter node (yamlnode trees are
// plain Go values) and are never modified once extracted.
type raw struct {
	objects []*object
	docs    []*yamlnode.Doc
	// built is what Extract built of the objects, shared elements included: a part of
	// Link whose objects are the file's is that (see Link), and is not built twice.
	built []*model.Element
	calls []string // what its kustomizations make the workspace apply (see Calls)
	// keep is the build that made built, kept for the file's next reading (kept.go).
	keep atomic.Pointer[kept]
}

// object is one Kubernetes object of a kind the analyzer reads: a document with apiVersion
// and kind, or an item of a List.
type object struct {
	file      string
	kind      string
	name      string
	namespace string // metadata.namespace, "default" when absent; a Namespace's own name
	root      *yamlnode.Node
	span      model.Span // the whole object
	head      model.Span // metadata.name, key and value
	kindSpan  model.Span // the kind's value
	nsSpan    model.Span // the metadata.namespace value; zero when absent
	// nsBy is, for an object that names no namespace, the namespace: value of the
	// kustomization that lists its file and gives it that namespace (see kustomized).
	nsBy model.Span
	// refs are the names that a host its values write may give as a namespace (`db.shop`,
	// `db.shop.svc.cluster.local` name namespace shop): what Link's partition looks at.
	refs []string
	// blanks are the offsets of the lines of the object that only template actions wrote (an
	// include, an if block): what they would have written is unknown.
	blanks []int
	// inline are the patches a kustomization writes in itself (patch.go).
	inline []inlinePatch
	// text is the hash of the text of the document the object is read from, and item its
	// place among the document's objects: an object of the same text and item says the same,
	// wherever it is (kept.go).
	text docText
	item int
}

// docText is the hash and length of a document's text.
type docText struct {
	sum uint64
	n   int32
}

// textSeed hashes documents' texts (docText).
var textSeed = maphash.MakeSeed()

// ref is the object's address in messages: "Deployment/api".
func (o *object) ref() string { return o.kind + "/" + o.name }

// modelled reports whether the analyzer reads objects of kind.
func modelled(kind string) bool {
	switch kind {
	case "Namespace", "Service", "Ingress", "NetworkPolicy", "ConfigMap", "ServiceAccount":
		return true
	}
	if _, ok := rbacKinds[kind]; ok {
		return true
	}
	return podPath[kind] != nil
}

// Extract reads the manifests of one file. A file none of whose documents has apiVersion and
// kind is not a manifest: it yields nothing, not even problems, but for a Helm chart's
// Chart.yaml, whose dependencies from a repository are problems of their own (outside.go).
// Elements are those the file would give if it were the only one; elements that several
// files share (namespaces they do not declare, the internet, external actors) are left to
// Link.
func (a *Analyzer) Extract(t *parse.Tree, file string) *model.FileFacts {
	return extract(t, file, nil)
}

// Reextract is Extract of t, the text of file after an edit, taking over the documents of
// prev, the facts of its text before, that the edit left as they were: a keystroke decodes
// its document, not the file (yamlnode.Reparse).
func (a *Analyzer) Reextract(t *parse.Tree, file string, prev *model.FileFacts) *model.FileFacts {
	if prev != nil && prev.File == file && prev.Warm() {
		if r, ok := prev.RawFacts().(*raw); ok {
			return extract(t, file, r)
		}
	}
	return extract(t, file, nil)
}

// extract is Extract, reading the text with the facts of its last version (prev, nil for
// none): its documents, and the build a file of many objects keeps (kept.go).
func extract(t *parse.Tree, file string, prev *raw) *model.FileFacts {
	ff := &model.FileFacts{File: file, Format: Name}
	var prevDocs []*yamlnode.Doc
	if prev != nil {
		prevDocs = prev.docs
	}
	objs, docs, problems, manifest := readObjects(t.Src, file, prevDocs)
	if !manifest {
		if isChart(file) {
			ff.Problems = chartDependencies(docs)
		}
		return ff
	}
	problems = append(problems, outsideSources(objs)...)
	var m result
	k := prev.takeKept()
	if k != nil {
		var ok bool
		if m, ok = k.apply(file, prev.objects, objs); !ok {
			k = nil
		}
	}
	if k == nil {
		b := newBuilder(objs)
		b.build()
		m = result{elements: b.out, shared: b.shared}
		if prev != nil && len(objs) >= deltaFrom {
			k = &kept{b: b}
		}
	}
	r := &raw{objects: objs, docs: docs, built: m.elements, calls: localSources(objs)}
	if k != nil {
		r.keep.Store(k)
	}
	ff.Raw = r
	var defs []model.Span
	for _, e := range m.elements {
		if !m.shared[e] {
			ff.Elements = append(ff.Elements, e)
		}
		if e.Span.File == file {
			defs = append(defs, e.Span)
		}
	}
	sort.SliceStable(defs, func(i, j int) bool { return defs[i].Start.Offset < defs[j].Start.Offset })
	igs, ps := analyzers.LineIgnores(t.Src, file, []string{"#"}, defs)
	ff.Ignores = igs
	ff.Problems = append(problems, ps...)
	sort.SliceStable(ff.Problems, func(i, j int) bool {
		return ff.Problems[i].Span.Start.Offset < ff.Problems[j].Span.Start.Offset
	})
	return ff
}

var manifestLine = regexp.MustCompile(`(?m)^\s*(apiVersion|kind)\s*:`)

// readObjects decodes src and returns its objects, its documents, the problems of its
// documents, and whether the file is a manifest: one of its documents has apiVersion and kind
// (or, broken, looks as if it had them). The objects and problems of a file that is not a
// manifest are dropped, its documents kept (a Chart.yaml is read for its dependencies): the
// file belongs to another format. prev, when not nil, are the documents of the
// file's last version, taken over where the text is theirs (yamlnode.Reparse).
func readObjects(src []byte, file string, prev []*yamlnode.Doc) ([]*object, []*yamlnode.Doc, []model.Problem, bool) {
	// Template actions are rewritten so that what a Helm template writes literally is read
	// (template.go); spans are those of src.
	nsrc, blanks := neutralise(src)
	var docs []*yamlnode.Doc
	var probs []model.Problem
	if prev != nil {
		docs, probs = yamlnode.Reparse(nsrc, file, prev)
	} else {
		docs, probs = yamlnode.Parse(nsrc, file)
	}
	// A document that does not parse keeps what is intact (a half-typed manifest keeps the
	// findings of its other fields); its parse problem is reported below, and nothing else
	// about it: what is missing from it is missing because of the fault.
	docs, probs = yamlnode.Recover(nsrc, file, docs, probs)
	var objs []*object
	var problems, others []model.Problem
	manifest := false
	for _, d := range docs {
		n := d.Root
		if !isObject(n) && !buildConfig(n, file) {
			continue
		}
		manifest = true
		text := src[d.Span.Start.Offset:d.Span.End.Offset]
		objects := []*yamlnode.Node{n}
		if n.Get("kind").String() == "List" {
			objects = items(n.Get("items"))
		}
		templated := false
		if i := templateAction(text); i >= 0 && !d.Recovered {
			problems = append(problems, templateProblem(src, file, int(d.Span.Start.Offset)+i))
			templated = true
		}
		dt := docText{maphash.Bytes(textSeed, text), int32(len(text))}
		for item, it := range objects {
			if !isObject(it) && !buildConfig(it, file) {
				continue
			}
			o, p := readObject(src, file, it)
			if o != nil {
				o.text, o.item = dt, item
			}
			if p != nil && d.Recovered {
				continue
			}
			if p == nil {
				if o != nil {
					for _, b := range blanks {
						if int(o.span.Start.Offset) <= b.start && b.start < int(o.span.End.Offset) {
							o.blanks = append(o.blanks, b.start)
						}
					}
					objs = append(objs, o)
				}
				continue
			}
			if i := templateAction(text); i >= 0 {
				if !templated {
					problems = append(problems, templateProblem(src, file, int(d.Span.Start.Offset)+i))
					templated = true
				}
				continue
			}
			problems = append(problems, *p)
		}
	}
	for _, p := range probs {
		d := docAt(docs, int(p.Span.Start.Offset))
		if d == nil {
			others = append(others, p)
			continue
		}
		text := src[d.Span.Start.Offset:d.Span.End.Offset]
		switch i := templateAction(text); {
		case i >= 0:
			manifest = true
			problems = append(problems, templateProblem(src, file, int(d.Span.Start.Offset)+i))
		case manifestLine.Match(text):
			manifest = true
			problems = append(problems, p)
		default:
			others = append(others, p)
		}
	}
	if !manifest {
		return nil, docs, nil, false
	}
	return objs, docs, append(problems, others...), true
}

// isObject reports whether n is a map with a scalar apiVersion and kind.
func isObject(n *yamlnode.Node) bool {
	_, ok1 := n.Get("apiVersion").Str()
	_, ok2 := n.Get("kind").Str()
	return ok1 && ok2
}

// docAt returns the document whose text holds off.
func docAt(docs []*yamlnode.Doc, off int) *yamlnode.Doc {
	for _, d := range docs {
		if int(d.Span.Start.Offset) <= off && off <= int(d.Span.End.Offset) {
			return d
		}
	}
	return nil
}

// templateAction returns the offset of the first template action of text that is not in a
// comment, or -1.
func templateAction(text []byte) int {
	if acts := actions(text); len(acts) > 0 {
		return acts[0][0]
	}
	return -1
}

func templateProblem(src []byte, file string, off int) model.Problem {
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	end := bytes.IndexByte(src[off:], '\n')
	if end < 0 {
		end = len(src)
	} else {
		end += off
	}
	return model.Problem{Span: spanOf(src, file, start, strings.TrimRight(string(src[start:end]), "\r")),
		Message: "this document is a template ({{ … }} actions): templates are not rendered, so what they write is unknown and the findings that depend on it are tentative; analyse the output of `helm template` for certain findings"}
}

// spanOf is the span of text starting at start in src.
func spanOf(src []byte, file string, start int, text string) model.Span {
	line := bytes.Count(src[:start], []byte("\n"))
	col := start - (bytes.LastIndexByte(src[:start], '\n') + 1)
	endLine := line + strings.Count(text, "\n")
	endCol := col + len(text)
	if i := strings.LastIndexByte(text, '\n'); i >= 0 {
		endCol = len(text) - i - 1
	}
	return model.Span{File: file, Start: model.At(start, line, col),
		End: model.At(start+len(text), endLine, endCol)}
}

// readObject reads one object. It returns nil and no problem for a kind the analyzer does
// not model, and a problem for one it cannot name.
func readObject(src []byte, file string, n *yamlnode.Node) (*object, *model.Problem) {
	if buildConfig(n, file) {
		return readBuildConfig(file, n), nil
	}
	kindNode := n.Get("kind")
	kind := kindNode.String()
	if !modelled(kind) {
		return nil, nil
	}
	meta := n.Get("metadata")
	np, ok := meta.Pair("name")
	name, _ := np.Value.Str()
	if templated(np.Value) {
		name = templateText(src, np.Value) // the action that names it: {{ include "web.fullname" . }}
	}
	if !ok || name == "" {
		return nil, &model.Problem{Span: kindNode.Span,
			Message: fmt.Sprintf("%s has no metadata.name (generateName is not read); it is not analysed", kind)}
	}
	o := &object{file: file, kind: kind, name: name, namespace: "default", root: n, span: n.Span,
		head: np.Span(), kindSpan: kindNode.Span}
	if ns := meta.Get("namespace"); ns != nil {
		v, _ := ns.Str()
		if templated(ns) {
			v = templateText(src, ns) // {{ .Release.Namespace }}: a namespace of its own
		}
		if v == "" {
			return nil, &model.Problem{Span: ns.Span, Message: fmt.Sprintf("%s/%s: metadata.namespace is not a name", kind, name)}
		}
		o.namespace, o.nsSpan = v, ns.Span
	}
	if kind == "Namespace" {
		o.namespace, o.nsSpan = name, np.Value.Span
	}
	switch {
	case kind == "ConfigMap":
		o.refs = namespaceRefs(n.Get("data"), "")
	case podPath[kind] != nil:
		o.refs = namespaceRefs(n, "value")
	}
	if podPath[kind] != nil && unpinnedImage(n, kind) {
		// The build configurations may pin its image: see images.go.
		o.refs = append([]string{buildNamespace}, o.refs...)
	}
	return o, nil
}

// namespaceRefs returns every namespace a host written in n's scalars could name, as
// clusterHost reads hosts: the second label of `db.shop`, `db.shop.svc` or
// `db.shop.svc.cluster.local`; sorted, without repeats. With key, only the scalars of map
// entries of that key count (an env variable's value; not an image's registry).
func namespaceRefs(n *yamlnode.Node, key string) []string {
	seen := map[string]bool{}
	budget := yamlnode.MaxNodes
	var walk func(n *yamlnode.Node, counts bool)
	walk = func(n *yamlnode.Node, counts bool) {
		if n == nil || budget <= 0 {
			return
		}
		budget--
		switch n.Kind {
		case yamlnode.Scalar:
			if !counts {
				return
			}
			for _, tok := range strings.FieldsFunc(n.Value, func(r rune) bool {
				return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r >= 'A' && r <= 'Z')
			}) {
				tok = strings.ToLower(strings.TrimSuffix(tok, "."))
				for _, s := range []string{".svc.cluster.local", ".svc", ".cluster.local"} {
					if t, ok := strings.CutSuffix(tok, s); ok {
						tok = t
						break
					}
				}
				if labels := strings.Split(tok, "."); len(labels) == 2 && labels[0] != "" && labels[1] != "" {
					seen[labels[1]] = true
				}
			}
		case yamlnode.Map:
			for _, p := range n.Pairs {
				walk(p.Value, key == "" || p.Key != nil && p.Key.Value == key)
			}
		case yamlnode.Seq:
			for _, it := range n.Items {
				walk(it, counts)
			}
		}
	}
	walk(n, key == "")
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
