package compose

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// Fix carries out op on el, a service (or a declared network) of src. Only set is carried
// out: it replaces the value of the key at Path (dotted: deploy.resources.limits.memory)
// when the service sets it itself, or inserts the missing keys after the last line of the
// deepest mapping of the path that exists, indented as its keys are. Keys a service only
// inherits (from a merge key or extends) are not edited: the edit would change the others
// that share them; a key of its own is added instead, when that key is a scalar.
func (*Analyzer) Fix(src []byte, el *model.Element, op model.FixOp) ([]model.TextEdit, error) {
	fail := func(format string, args ...any) ([]model.TextEdit, error) {
		return nil, fmt.Errorf("compose fix %s: %s: %s", el.Name, op.Op, fmt.Sprintf(format, args...))
	}
	if op.Op != "set" {
		return fail("not supported: no mechanical fixes for compose other than set yet")
	}
	if op.Path == "" || strings.ContainsAny(op.Value, "\n\r") {
		return fail("set needs a path and a one-line value")
	}
	root, problems := decode(src, el.Span.File)
	if len(problems) > 0 {
		return fail("the file does not parse: %s", problems[0].Message)
	}
	section, name := "services", el.Name
	if el.Kind == model.Zone {
		section, name = "networks", strings.TrimPrefix(el.Name, "network:")
	}
	var key, node *yamlnode.Node
	for _, p := range root.Get(section).Entries() {
		if p.Key.Value == name {
			key, node = p.Key, p.Value
			break
		}
	}
	if key == nil {
		return fail("no %s %s in the file (has it changed?)", section, name)
	}
	if node != nil && node.Span.Start.Offset < key.Span.Start.Offset {
		return fail("%s is an alias of an anchor written before it: set the key there", name)
	}
	path := strings.Split(op.Path, ".")
	parentCol := int(key.Span.Start.Col)
	for i, seg := range path {
		if node != nil && node.Tag == "!!null" && node.Span.Start.Offset == node.Span.End.Offset {
			node = nil // `key:` with nothing after it: an empty mapping to fill
		}
		if node != nil && (node.Kind != yamlnode.Map || node.Span.Start.Line == key.Span.Start.Line) {
			return fail("%s is not a block mapping", strings.Join(path[:i], "."))
		}
		var found *yamlnode.Pair
		for _, p := range own(node, key) {
			if p.Key.Value == seg {
				found = &p
				break
			}
		}
		if found == nil {
			if _, merged := node.Pair(seg); merged && i < len(path)-1 {
				return fail("%s comes from a merge key: a key of its own would replace all of it", strings.Join(path[:i+1], "."))
			}
			return insert(src, el.Span.File, key, node, parentCol, path[i:], op.Value)
		}
		if i == len(path)-1 {
			v := found.Value
			if v != nil && v.Kind != yamlnode.Scalar {
				return fail("%s is a collection, not a value", op.Path)
			}
			if v == nil || v.Span.Start.Line != found.Key.Span.Start.Line || v.Span.Start.Offset == v.Span.End.Offset {
				// `key:` with no value: write one after the colon.
				end := int(found.Key.Span.End.Offset)
				colon := bytes.IndexByte(src[end:], ':')
				if colon < 0 {
					return fail("no colon after %s", seg)
				}
				at := end + colon + 1
				return []model.TextEdit{{File: el.Span.File, Start: at, End: at, NewText: " " + op.Value}}, nil
			}
			if string(src[v.Span.Start.Offset:v.Span.End.Offset]) == op.Value {
				return nil, nil // already so
			}
			return []model.TextEdit{{File: el.Span.File, Start: int(v.Span.Start.Offset), End: int(v.Span.End.Offset), NewText: op.Value}}, nil
		}
		parentCol = int(found.Key.Span.Start.Col)
		key, node = found.Key, found.Value
	}
	return nil, nil
}

// own returns the entries a mapping writes itself, not those it merges from an anchor
// written elsewhere: those are shared.
func own(node, key *yamlnode.Node) []yamlnode.Pair {
	if node == nil {
		return nil
	}
	var out []yamlnode.Pair
	for _, p := range node.Pairs {
		if p.Key.Tag != "!!merge" && p.Key.Span.Start.Offset > key.Span.Start.Offset {
			out = append(out, p)
		}
	}
	return out
}

// insert adds the keys path (the last one set to value) to the mapping node under key,
// after its last line, at the indentation of its keys (or two columns deeper than key's
// when it has none).
func insert(src []byte, file string, key, node *yamlnode.Node, keyCol int, path []string, value string) ([]model.TextEdit, error) {
	col, step := keyCol+2, 2
	end := int(key.Span.End.Offset)
	if node != nil && len(node.Pairs) > 0 {
		first := node.Pairs[0].Key
		col, step = int(first.Span.Start.Col), max(int(first.Span.Start.Col)-keyCol, 1)
		for _, p := range own(node, key) {
			end = max(end, int(p.Span().End.Offset))
		}
		end = max(end, int(node.Span.End.Offset))
	}
	nl := bytes.IndexByte(src[end:], '\n')
	var b strings.Builder
	at := len(src)
	if nl >= 0 {
		at = end + nl + 1
	} else {
		b.WriteByte('\n')
	}
	for i, seg := range path {
		b.WriteString(strings.Repeat(" ", col+i*step))
		b.WriteString(seg)
		b.WriteByte(':')
		if i == len(path)-1 {
			b.WriteString(" " + value)
		}
		b.WriteByte('\n')
	}
	text := b.String()
	if nl < 0 {
		text = strings.TrimSuffix(text, "\n")
	}
	return []model.TextEdit{{File: file, Start: at, End: at, NewText: text}}, nil
}
