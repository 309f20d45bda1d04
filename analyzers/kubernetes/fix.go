package kubernetes

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// Fix carries out op on el, whose definition is an object of src. append inserts Text, a
// whole object, as a new document after the one that holds el. set sets Path, a dotted path
// from the object's root (spec.template.spec.containers[*].securityContext.runAsNonRoot), to
// Value, as yamlnode.Set does.
func (a *Analyzer) Fix(src []byte, el *model.Element, op model.FixOp) ([]model.TextEdit, error) {
	fail := func(err error) ([]model.TextEdit, error) {
		return nil, fmt.Errorf("kubernetes fix %s: %s %s: %w", el.Name, op.Op, op.Path, err)
	}
	if op.Op == "append" {
		return appendDoc(src, el, op.Text, fail)
	}
	if op.Op != "set" {
		return fail(fmt.Errorf("no mechanical %s for Kubernetes yet", op.Op))
	}
	docs, _ := yamlnode.Parse(src, el.Span.File)
	root := objectAt(docs, int(el.Head.Start.Offset))
	if root == nil {
		return fail(fmt.Errorf("no object at %s (has the file changed?)", el.Head))
	}
	edits, err := yamlnode.Set(src, el.Span.File, root, op.Path, op.Value)
	if err != nil {
		return fail(err)
	}
	return edits, nil
}

// appendDoc inserts text, a whole object, as a document of its own after the document that
// holds el's definition.
func appendDoc(src []byte, el *model.Element, text string, fail func(error) ([]model.TextEdit, error)) ([]model.TextEdit, error) {
	text = strings.Trim(text, "\n")
	if text == "" {
		return fail(fmt.Errorf("append needs a text"))
	}
	docs, _ := yamlnode.Parse(src, el.Span.File)
	var doc *yamlnode.Doc
	for _, d := range docs {
		if d.Span.Start.Offset <= el.Head.Start.Offset && el.Head.Start.Offset <= d.Span.End.Offset {
			doc = d
		}
	}
	if doc == nil || !isObject(doc.Root) {
		return fail(fmt.Errorf("no object at %s (has the file changed?)", el.Head))
	}
	nl := "\n"
	if bytes.Contains(src, []byte("\r\n")) {
		nl = "\r\n"
	}
	end := int(doc.Root.Span.End.Offset)
	if e := bytes.IndexByte(src[end:], '\n'); e >= 0 {
		end += e
	} else {
		end = len(src)
	}
	if end > 0 && src[end-1] == '\r' {
		end--
	}
	text = strings.ReplaceAll(text, "\n", nl)
	return []model.TextEdit{{File: el.Span.File, Start: end, End: end, NewText: nl + "---" + nl + text}}, nil
}

// objectAt returns the object (a document's root, or an item of a List) that holds off.
func objectAt(docs []*yamlnode.Doc, off int) *yamlnode.Node {
	for _, d := range docs {
		n := d.Root
		if !isObject(n) || off < int(n.Span.Start.Offset) || off > int(n.Span.End.Offset) {
			continue
		}
		if n.Get("kind").String() == "List" {
			for _, it := range items(n.Get("items")) {
				if isObject(it) && int(it.Span.Start.Offset) <= off && off <= int(it.Span.End.Offset) {
					return it
				}
			}
		}
		return n
	}
	return nil
}
