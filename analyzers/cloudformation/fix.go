package cloudformation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// Fix carries out op on el, a resource of the template src. The one operation is set: Path is
// a dotted path from the resource (Properties.BucketEncryption), Value the YAML or JSON text
// of the value. An existing value is replaced; missing keys are inserted after the last entry
// of the deepest map that exists, in the file's own style: block YAML indented as that map's
// entries, or JSON (and YAML flow maps) with commas, indented as its entries.
func (Analyzer) Fix(src []byte, el *model.Element, op model.FixOp) ([]model.TextEdit, error) {
	fail := func(err error) ([]model.TextEdit, error) {
		return nil, fmt.Errorf("cloudformation fix %s: %s %s: %w", el.Name, op.Op, op.Path, err)
	}
	if op.Op != "set" {
		return fail(fmt.Errorf("no mechanical %s for CloudFormation", op.Op))
	}
	if op.Path == "" || strings.TrimSpace(op.Value) == "" {
		return fail(fmt.Errorf("set needs a path and a value"))
	}
	var value any
	if err := yaml.Unmarshal([]byte(op.Value), &value); err != nil {
		return fail(fmt.Errorf("value %q: %w", op.Value, err))
	}
	docs, _ := yamlnode.Parse(src, el.Span.File)
	var res *yamlnode.Pair
	for _, d := range docs {
		for _, p := range d.Root.Get("Resources").Entries() {
			if p.Key.Span.Start.Offset == el.Head.Start.Offset || res == nil && p.Key.Value == el.Name {
				pp := p
				res = &pp
			}
		}
	}
	if res == nil || res.Value == nil || res.Value.Kind != yamlnode.Map {
		return fail(fmt.Errorf("no resource %s (has the file changed?)", el.Name))
	}
	e := editor{src: src, file: el.Span.File, json: isJSON(src, el.Span.File), nl: "\n", unit: 2}
	if ps := res.Value.Pairs; len(ps) > 0 && ps[0].Key.Span.Start.Col > res.Key.Span.Start.Col {
		e.unit = int(ps[0].Key.Span.Start.Col - res.Key.Span.Start.Col)
	}
	if bytes.Contains(src, []byte("\r\n")) {
		e.nl = "\r\n"
	}
	if err := e.set(res.Key, res.Value, strings.Split(op.Path, "."), value); err != nil {
		return fail(err)
	}
	return e.edits, nil
}

type editor struct {
	src   []byte
	file  string
	json  bool
	nl    string
	unit  int // the file's indentation step
	edits []model.TextEdit
}

func (e *editor) edit(start, end int, text string) {
	e.edits = append(e.edits, model.TextEdit{File: e.file, Start: start, End: end, NewText: text})
}

// set sets keys below n, the value of key.
func (e *editor) set(key, n *yamlnode.Node, keys []string, value any) error {
	if n == nil || n.Kind != yamlnode.Map {
		return fmt.Errorf("%s is not a map", key.Value)
	}
	k := keys[0]
	p, ok := n.Pair(k)
	if ok && len(keys) > 1 && p.Value != nil && p.Value.Kind == yamlnode.Map && !isIntrinsicMap(p.Value) {
		return e.set(p.Key, p.Value, keys[1:], value)
	}
	if ok && len(keys) > 1 {
		return fmt.Errorf("%s is not a map that can be edited", k)
	}
	if ok {
		// Replace the existing value, unless it is the value already.
		v := p.Value
		if v == nil {
			return fmt.Errorf("%s has no value", k)
		}
		if equal(plainNode(v, 0), value) {
			return nil
		}
		if v.Kind == yamlnode.Scalar || e.flow(v) {
			e.edit(int(v.Span.Start.Offset), e.valueEnd(v), e.inline(value))
			return nil
		}
		// A block collection: write the new value as a block under the key.
		col := int(p.Key.Span.Start.Col)
		end := int(v.Span.End.Offset)
		e.edit(int(p.Key.Span.End.Offset), end, ":"+e.block(value, col+e.unit))
		return nil
	}
	nested := value
	for i := len(keys) - 1; i >= 1; i-- {
		nested = map[string]any{keys[i]: nested}
	}
	return e.insert(key, n, k, nested)
}

// insert adds the entry k: value to the map n, the value of key.
func (e *editor) insert(key, n *yamlnode.Node, k string, value any) error {
	pairs := n.Pairs
	if e.flow(n) {
		// A JSON object (or a YAML flow map): after the last entry, with a comma.
		if len(pairs) == 0 {
			open := int(n.Span.Start.Offset)
			indent := e.indentOf(int(key.Span.Start.Offset)) + "  "
			e.edit(open+1, open+1, e.nl+indent+e.jsonEntry(k, value, indent)+e.nl+e.indentOf(int(key.Span.Start.Offset)))
			return nil
		}
		last := pairs[len(pairs)-1]
		end := int(last.Key.Span.End.Offset)
		if last.Value != nil {
			end = e.valueEnd(last.Value)
		}
		indent := e.indentOf(int(last.Key.Span.Start.Offset))
		e.edit(end, end, ","+e.nl+indent+e.jsonEntry(k, value, indent))
		return nil
	}
	if len(pairs) == 0 {
		// key: (empty) becomes key: followed by the entry.
		col := int(key.Span.Start.Col) + e.unit
		end := int(key.Span.End.Offset)
		if int(n.Span.End.Offset) > end {
			end = int(n.Span.End.Offset)
		}
		e.edit(int(key.Span.End.Offset), end, ":"+e.nl+strings.Repeat(" ", col)+yamlKey(k)+":"+e.block(value, col+e.unit))
		return nil
	}
	last := pairs[len(pairs)-1]
	col := int(pairs[0].Key.Span.Start.Col)
	end := int(last.Key.Span.End.Offset)
	if last.Value != nil {
		end = max(end, e.valueEnd(last.Value))
	}
	// After the end of the last entry's last line.
	if i := bytes.IndexByte(e.src[end:], '\n'); i >= 0 {
		end += i + 1
	} else {
		end = len(e.src)
		e.edit(end, end, e.nl)
	}
	e.edit(end, end, strings.Repeat(" ", col)+yamlKey(k)+":"+e.block(value, col+e.unit)+e.nl)
	return nil
}

// valueEnd returns where a value ends in the source: for a JSON collection, its closing
// bracket.
func (e *editor) valueEnd(v *yamlnode.Node) int {
	end := int(v.Span.End.Offset)
	if e.flow(v) {
		closing := byte('}')
		if v.Kind == yamlnode.Seq {
			closing = ']'
		}
		depth := 0
		for i := int(v.Span.Start.Offset); i < len(e.src); i++ {
			switch e.src[i] {
			case '"':
				for i++; i < len(e.src) && e.src[i] != '"'; i++ {
					if e.src[i] == '\\' {
						i++
					}
				}
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 && e.src[i] == closing {
					return i + 1
				}
			}
		}
	}
	return end
}

// flow reports whether a collection is written in flow style ({…} or […]).
func (e *editor) flow(n *yamlnode.Node) bool {
	if n == nil || n.Kind == yamlnode.Scalar || int(n.Span.Start.Offset) >= len(e.src) {
		return false
	}
	c := e.src[n.Span.Start.Offset]
	return c == '{' || c == '['
}

// indentOf returns the whitespace that starts the line holding off.
func (e *editor) indentOf(off int) string {
	start := bytes.LastIndexByte(e.src[:off], '\n') + 1
	i := start
	for i < len(e.src) && (e.src[i] == ' ' || e.src[i] == '\t') {
		i++
	}
	return string(e.src[start:i])
}

// inline renders a value on one line: JSON in a JSON file, YAML flow style otherwise.
func (e *editor) inline(v any) string {
	if e.json {
		b, _ := json.Marshal(jsonable(v))
		return string(b)
	}
	return strings.TrimSpace(yamlScalarOrFlow(v))
}

// jsonEntry renders "k": value, the value's lines indented from indent.
func (e *editor) jsonEntry(k string, v any, indent string) string {
	kb, _ := json.Marshal(k)
	b, _ := json.MarshalIndent(jsonable(v), indent, "  ")
	return string(kb) + ": " + strings.ReplaceAll(string(b), "\n", e.nl)
}

// block renders the value of a YAML key: " scalar" on the key's line, or a block of entries
// indented by col.
func (e *editor) block(v any, col int) string {
	pad := strings.Repeat(" ", col)
	switch x := v.(type) {
	case map[string]any:
		var b strings.Builder
		for _, k := range sortedKeys(x) {
			b.WriteString(e.nl + pad + yamlKey(k) + ":" + e.block(x[k], col+e.unit))
		}
		return b.String()
	case []any:
		var b strings.Builder
		for _, it := range x {
			if m, ok := it.(map[string]any); ok && len(m) > 0 {
				keys := sortedKeys(m)
				b.WriteString(e.nl + pad + "- " + yamlKey(keys[0]) + ":" + e.block(m[keys[0]], col+4))
				for _, k := range keys[1:] {
					b.WriteString(e.nl + pad + "  " + yamlKey(k) + ":" + e.block(m[k], col+4))
				}
				continue
			}
			b.WriteString(e.nl + pad + "- " + strings.TrimSpace(yamlScalarOrFlow(it)))
		}
		return b.String()
	}
	return " " + strings.TrimSpace(yamlScalarOrFlow(v))
}

func yamlScalarOrFlow(v any) string {
	b, err := yaml.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func yamlKey(k string) string { return strings.TrimSpace(yamlScalarOrFlow(k)) }

// jsonable turns what yaml.v3 decodes into what encoding/json encodes in key order.
func jsonable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, y := range x {
			out[k] = jsonable(y)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, y := range x {
			out[i] = jsonable(y)
		}
		return out
	}
	return v
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// plainNode returns the value a node holds, scalars typed by their tags.
func plainNode(n *yamlnode.Node, depth int) any {
	if n == nil || depth > maxDepth {
		return nil
	}
	switch n.Kind {
	case yamlnode.Map:
		out := map[string]any{}
		for _, p := range n.Entries() {
			out[p.Key.Value] = plainNode(p.Value, depth+1)
		}
		return out
	case yamlnode.Seq:
		out := []any{}
		for _, it := range n.Items {
			out = append(out, plainNode(it, depth+1))
		}
		return out
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return nil // an intrinsic function is never the literal a fix writes
	}
	return scalar(n)
}

// equal compares a node's value with one yaml.v3 decoded (ints as int).
func equal(a, b any) bool {
	switch x := b.(type) {
	case int:
		b = int64(x)
	case map[string]any:
		y, ok := a.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k := range x {
			if !equal(y[k], x[k]) {
				return false
			}
		}
		return true
	case []any:
		y, ok := a.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(y[i], x[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

// isIntrinsicMap reports whether a map is an intrinsic function ({Ref: x}, {Fn::If: …}),
// which a fix must not descend into.
func isIntrinsicMap(n *yamlnode.Node) bool {
	_, _, ok := intrinsic(n)
	return ok
}
