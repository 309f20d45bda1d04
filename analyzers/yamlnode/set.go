package yamlnode

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/threatls/threatls/model"
)

// Set returns the edits of src that set path below root, a block map of src's file, to value,
// the YAML text of a scalar. path is dotted; a segment may index a list: [0], [*] every item,
// [key=value] the items that are maps whose key is value (value* for a prefix). An existing
// scalar is replaced; missing keys are inserted after the last entry of the deepest map that
// exists, indented as its entries and two spaces more at each level; `key:` with a null or {}
// value is filled. Lists are never created, and flow-style maps (other than {}) are not
// edited.
func Set(src []byte, file string, root *Node, path, value string) ([]model.TextEdit, error) {
	segs, err := parsePath(path)
	if err != nil {
		return nil, err
	}
	value = strings.TrimSpace(value)
	if value == "" || strings.ContainsAny(value, "\r\n") {
		return nil, fmt.Errorf("set needs a one-line value")
	}
	s := setter{src: src, file: file, value: value, nl: "\n"}
	if bytes.Contains(src, []byte("\r\n")) {
		s.nl = "\r\n"
	}
	if err := s.set(nil, root, segs); err != nil {
		return nil, err
	}
	return s.edits, nil
}

// segment is one step of a path: a key, and an index into its list (none, a number, or
// every item).
type segment struct {
	key   string
	index int
	// selKey and selValue select the items of the list that are maps whose selKey is selValue
	// (or starts with it, when selValue ends with *): steps[uses=actions/checkout@*].
	selKey, selValue string
}

const (
	noIndex  = -1
	every    = -2
	selected = -3
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
			k2, v2, isSel := strings.Cut(idx, "=")
			switch {
			case !closed:
				return nil, fmt.Errorf("bad index in %q", part)
			case idx == "*":
				s.index = every
			case isSel && k2 != "" && v2 != "":
				s.index, s.selKey, s.selValue = selected, k2, v2
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
func (s *setter) set(key, n *Node, segs []segment) error {
	seg := segs[0]
	if n == nil || n.Kind == Scalar && n.Tag == "!!null" || s.emptyFlow(n) {
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
		end := int(key.Span.End.Offset) + colon + 1
		if s.emptyFlow(n) {
			end = bytes.IndexByte(s.src[n.Span.Start.Offset:], '}') + int(n.Span.Start.Offset) + 1
		} else if n != nil && int(n.Span.End.Offset) > end {
			end = int(n.Span.End.Offset)
		}
		s.edit(int(key.Span.End.Offset), end, ":"+s.nl+s.render(segs, int(key.Span.Start.Col)+2))
		return nil
	}
	if n.Kind != Map {
		return fmt.Errorf("%s is not a map", keyName(key))
	}
	if s.src[n.Span.Start.Offset] == '{' {
		return fmt.Errorf("%s is a flow-style map: edit it by hand", keyName(key))
	}
	var pair *Pair
	for i := range n.Pairs {
		if n.Pairs[i].Key.Value == seg.key {
			pair = &n.Pairs[i]
		}
	}
	if pair == nil {
		if err := creatable(segs); err != nil {
			return err
		}
		end := int(n.Span.End.Offset)
		if e := bytes.IndexByte(s.src[end:], '\n'); e >= 0 {
			end += e
		} else {
			end = len(s.src)
		}
		if end > 0 && s.src[end-1] == '\r' {
			end--
		}
		s.edit(end, end, s.nl+s.render(segs, int(n.Pairs[0].Key.Span.Start.Col)))
		return nil
	}
	v := pair.Value
	if seg.index == noIndex {
		if len(segs) > 1 {
			return s.set(pair.Key, v, segs[1:])
		}
		return s.replace(pair.Key, v)
	}
	if v == nil || v.Kind != Seq {
		return fmt.Errorf("%s is not a list", seg.key)
	}
	list := v.Items
	switch seg.index {
	case every:
	case selected:
		var sel []*Node
		for _, it := range list {
			if it != nil && it.Kind == Map && seg.matches(it.Get(seg.selKey).String()) {
				sel = append(sel, it)
			}
		}
		if len(sel) == 0 {
			return fmt.Errorf("no item of %s has %s %s", seg.key, seg.selKey, seg.selValue)
		}
		list = sel
	default:
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
func (s *setter) replace(key, v *Node) error {
	switch {
	case v != nil && v.Kind != Scalar && s.oneLineFlow(v) >= 0:
		s.edit(int(v.Span.Start.Offset), s.oneLineFlow(v), s.value)
	case v != nil && v.Kind != Scalar:
		return fmt.Errorf("%s is not a scalar", keyName(key))
	case v != nil && v.Span.End.Offset > v.Span.Start.Offset:
		s.edit(int(v.Span.Start.Offset), int(v.Span.End.Offset), s.value)
	case key == nil:
		return fmt.Errorf("an empty list item cannot be set")
	default: // key: with no value
		colon := bytes.IndexByte(s.src[key.Span.End.Offset:], ':')
		if colon < 0 {
			return fmt.Errorf("no colon after %s", key.Value)
		}
		end := int(key.Span.End.Offset) + colon + 1
		s.edit(int(key.Span.End.Offset), end, ": "+s.value)
	}
	return nil
}

// matches reports whether v is the segment's selected value.
func (seg segment) matches(v string) bool {
	if p, ok := strings.CutSuffix(seg.selValue, "*"); ok {
		return strings.HasPrefix(v, p)
	}
	return v == seg.selValue
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

// oneLineFlow returns, for a collection written in flow style on one line ([a, b]), which a
// scalar may replace, the offset after its closing bracket; -1 for anything else.
func (s *setter) oneLineFlow(n *Node) int {
	start := int(n.Span.Start.Offset)
	if start >= len(s.src) || s.src[start] != '[' && s.src[start] != '{' {
		return -1
	}
	closing := byte(']')
	if s.src[start] == '{' {
		closing = '}'
	}
	depth, quote := 0, byte(0)
	for i := start; i < len(s.src); i++ {
		c := s.src[i]
		switch {
		case c == '\n' || c == '\r':
			return -1
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
			if depth == 0 {
				if c != closing {
					return -1
				}
				return i + 1
			}
		}
	}
	return -1
}

// emptyFlow reports whether n is written {}.
func (s *setter) emptyFlow(n *Node) bool {
	return n != nil && n.Kind == Map && len(n.Pairs) == 0 &&
		int(n.Span.Start.Offset) < len(s.src) && s.src[n.Span.Start.Offset] == '{'
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

func keyName(k *Node) string {
	if k == nil {
		return "the item"
	}
	return k.Value
}
