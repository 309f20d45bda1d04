package kubernetes

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// Fix carries out op on el, whose definition is an object of src. append inserts Text, a
// whole object, as a new document after the one that holds el. set: Path is a dotted path
// from the object's root, whose segments may index a list
// (spec.template.spec.containers[0].securityContext.runAsNonRoot; [*] is every item), and
// Value the YAML text of the value. An existing scalar is replaced; missing keys are inserted
// after the last entry of the deepest map that exists, indented as its entries and two spaces
// more at each level. Lists are never created, and flow-style maps (other than {}) are not
// edited.
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
	segs, err := parsePath(op.Path)
	if err != nil {
		return fail(err)
	}
	value := strings.TrimSpace(op.Value)
	if value == "" || strings.ContainsAny(value, "\r\n") {
		return fail(fmt.Errorf("set needs a one-line value"))
	}
	docs, _ := yamlnode.Parse(src, el.Span.File)
	root := objectAt(docs, el.Head.Start.Offset)
	if root == nil {
		return fail(fmt.Errorf("no object at %s (has the file changed?)", el.Head))
	}
	s := setter{src: src, file: el.Span.File, value: value, nl: "\n"}
	if bytes.Contains(src, []byte("\r\n")) {
		s.nl = "\r\n"
	}
	if err := s.set(nil, root, segs); err != nil {
		return fail(err)
	}
	return s.edits, nil
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
	end := doc.Root.Span.End.Offset
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

// segment is one step of a path: a key, and an index into its list (none, a number, or
// every item).
type segment struct {
	key   string
	index int
}

const (
	noIndex = -1
	every   = -2
)

func parsePath(p string) ([]segment, error) {
	if p == "" {
		return nil, fmt.Errorf("set needs a path")
	}
	var out []segment
	for _, part := range strings.Split(p, ".") {
		s := segment{key: part, index: noIndex}
		if k, idx, ok := strings.Cut(part, "["); ok {
			idx, closed := strings.CutSuffix(idx, "]")
			n, err := strconv.Atoi(idx)
			switch {
			case !closed:
				return nil, fmt.Errorf("bad index in %q", part)
			case idx == "*":
				s.index = every
			case err != nil || n < 0:
				return nil, fmt.Errorf("bad index in %q", part)
			default:
				s.index = n
			}
			s.key = k
		}
		if s.key == "" {
			return nil, fmt.Errorf("empty key in path %q", p)
		}
		out = append(out, s)
	}
	return out, nil
}

// objectAt returns the object (a document's root, or an item of a List) that holds off.
func objectAt(docs []*yamlnode.Doc, off int) *yamlnode.Node {
	for _, d := range docs {
		n := d.Root
		if !isObject(n) || off < n.Span.Start.Offset || off > n.Span.End.Offset {
			continue
		}
		if n.Get("kind").String() == "List" {
			for _, it := range items(n.Get("items")) {
				if isObject(it) && it.Span.Start.Offset <= off && off <= it.Span.End.Offset {
					return it
				}
			}
		}
		return n
	}
	return nil
}

type setter struct {
	src   []byte
	file  string
	value string
	nl    string
	edits []model.TextEdit
}

func (s *setter) edit(start, end int, text string) {
	s.edits = append(s.edits, model.TextEdit{File: s.file, Start: start, End: end, NewText: text})
}

// set sets segs below n, the value of key (nil for the object's root).
func (s *setter) set(key, n *yamlnode.Node, segs []segment) error {
	seg := segs[0]
	if n == nil || n.Kind == yamlnode.Scalar && n.Tag == "!!null" || s.emptyFlow(n) {
		if key == nil {
			return fmt.Errorf("nothing to edit")
		}
		// key: (null, ~ or {}) becomes key: followed by the new entries.
		colon := bytes.IndexByte(s.src[key.Span.End.Offset:], ':')
		if colon < 0 {
			return fmt.Errorf("no colon after %s", key.Value)
		}
		if err := creatable(segs); err != nil {
			return err
		}
		end := key.Span.End.Offset + colon + 1
		if s.emptyFlow(n) {
			end = bytes.IndexByte(s.src[n.Span.Start.Offset:], '}') + n.Span.Start.Offset + 1
		} else if n != nil && n.Span.End.Offset > end {
			end = n.Span.End.Offset
		}
		s.edit(key.Span.End.Offset, end, ":"+s.nl+s.render(segs, key.Span.Start.Col+2))
		return nil
	}
	if n.Kind != yamlnode.Map {
		return fmt.Errorf("%s is not a map", keyName(key))
	}
	if s.src[n.Span.Start.Offset] == '{' {
		return fmt.Errorf("%s is a flow-style map: edit it by hand", keyName(key))
	}
	var pair *yamlnode.Pair
	for i := range n.Pairs {
		if n.Pairs[i].Key.Value == seg.key {
			pair = &n.Pairs[i]
		}
	}
	if pair == nil {
		if err := creatable(segs); err != nil {
			return err
		}
		end := n.Span.End.Offset
		if e := bytes.IndexByte(s.src[end:], '\n'); e >= 0 {
			end += e
		} else {
			end = len(s.src)
		}
		if end > 0 && s.src[end-1] == '\r' {
			end--
		}
		s.edit(end, end, s.nl+s.render(segs, n.Pairs[0].Key.Span.Start.Col))
		return nil
	}
	v := pair.Value
	if seg.index == noIndex {
		if len(segs) > 1 {
			return s.set(pair.Key, v, segs[1:])
		}
		return s.replace(pair.Key, v)
	}
	if v == nil || v.Kind != yamlnode.Seq {
		return fmt.Errorf("%s is not a list", seg.key)
	}
	list := v.Items
	if seg.index != every {
		if seg.index >= len(list) {
			return fmt.Errorf("%s has no item %d", seg.key, seg.index)
		}
		list = list[seg.index : seg.index+1]
	}
	for _, it := range list {
		if it == nil {
			continue
		}
		var err error
		if len(segs) > 1 {
			err = s.set(nil, it, segs[1:])
		} else {
			err = s.replace(nil, it)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// replace sets the scalar v, the value of key, to the value.
func (s *setter) replace(key, v *yamlnode.Node) error {
	switch {
	case v != nil && v.Kind != yamlnode.Scalar:
		return fmt.Errorf("%s is not a scalar", keyName(key))
	case v != nil && v.Span.End.Offset > v.Span.Start.Offset:
		s.edit(v.Span.Start.Offset, v.Span.End.Offset, s.value)
	case key == nil:
		return fmt.Errorf("an empty list item cannot be set")
	default: // key: with no value
		colon := bytes.IndexByte(s.src[key.Span.End.Offset:], ':')
		if colon < 0 {
			return fmt.Errorf("no colon after %s", key.Value)
		}
		end := key.Span.End.Offset + colon + 1
		s.edit(key.Span.End.Offset, end, ": "+s.value)
	}
	return nil
}

// creatable reports an error if segs index a list, which set does not create.
func creatable(segs []segment) error {
	for _, seg := range segs {
		if seg.index != noIndex {
			return fmt.Errorf("no list %s to index", seg.key)
		}
	}
	return nil
}

// emptyFlow reports whether n is written {}.
func (s *setter) emptyFlow(n *yamlnode.Node) bool {
	return n != nil && n.Kind == yamlnode.Map && len(n.Pairs) == 0 &&
		n.Span.Start.Offset < len(s.src) && s.src[n.Span.Start.Offset] == '{'
}

// render writes segs as nested block entries, the first indented by indent.
func (s *setter) render(segs []segment, indent int) string {
	var b strings.Builder
	for i, seg := range segs {
		if i > 0 {
			b.WriteString(s.nl)
		}
		b.WriteString(strings.Repeat(" ", indent+2*i))
		b.WriteString(seg.key)
		b.WriteString(":")
	}
	b.WriteString(" " + s.value)
	return b.String()
}

func keyName(k *yamlnode.Node) string {
	if k == nil {
		return "the item"
	}
	return k.Value
}
