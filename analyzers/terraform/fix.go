package terraform

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// Fix carries out op on el, whose definition is a block of src, and returns the edits. For set
// and replace, the element's top-level block is rewritten and formatted as `terraform fmt`
// would, and the edit covers only what changed in it; append inserts a new top-level block
// after it, separated by a blank line. Nothing outside that block (or the insertion) changes.
//
// The top-level block of the element is parsed alone, not the file: a fix is computed for
// every hover and every light bulb of a finding, and parsing a 5 MB file for it took each of
// them 1.4 s (BenchmarkGuideLargeFile). The file is parsed when the block's lines cannot be
// told from the text (a block that does not begin a line, a header that is not the
// element's resource's), or do not parse alone as the block that holds the element.
func (a *Analyzer) Fix(src []byte, el *model.Element, op model.FixOp) ([]model.TextEdit, error) {
	if lo, hi, ok := ownLines(src, el); ok {
		t, err := parse.Parse(context.Background(), parse.HCL, src[lo:hi])
		if err == nil {
			defer t.Close()
			blk, top := findBlock(t.Root(), int(el.Span.Start.Offset)-lo, int(el.Span.End.Offset)-lo)
			if blk != nil && !t.Root().HasError() && int(top.StartByte()) == 0 {
				return fixBlock(t, lo, blk, top, el, op)
			}
		}
	}
	return a.fixWhole(src, el, op)
}

// fixWhole is Fix on the parse of the whole file.
func (a *Analyzer) fixWhole(src []byte, el *model.Element, op model.FixOp) ([]model.TextEdit, error) {
	t, err := parse.Parse(context.Background(), parse.HCL, src)
	if err != nil {
		return nil, fmt.Errorf("terraform fix %s: %w", el.Name, err)
	}
	defer t.Close()
	blk, top := findBlock(t.Root(), int(el.Span.Start.Offset), int(el.Span.End.Offset))
	if blk == nil {
		return nil, fmt.Errorf("terraform fix %s: no block at %s (has the file changed?)", el.Name, el.Span)
	}
	return fixBlock(t, 0, blk, top, el, op)
}

// ownLines returns the lines [lo, hi) of src that hold the top-level block of el, a resource
// or data source or a block nested in one: the block whose header, at the start of a line at
// or before el's, says `resource "type" "name"` (or `data`) as el's address begins, through
// the first line after el that closes a block at the start of a line (`}`, as formatted
// Terraform closes its top-level blocks). The caller checks that the lines parse as one
// block that holds el's.
func ownLines(src []byte, el *model.Element) (lo, hi int, ok bool) {
	s, e := int(el.Span.Start.Offset), int(el.Span.End.Offset)
	if s < 0 || s >= e || e > len(src) {
		return 0, 0, false
	}
	kind, rest := "resource", el.Name
	if r, isData := strings.CutPrefix(el.Name, "data."); isData {
		kind, rest = "data", r
	}
	typ, name, ok := strings.Cut(rest, ".")
	if !ok {
		return 0, 0, false
	}
	if i := strings.IndexAny(name, ".["); i >= 0 {
		name = name[:i] // a nested block's: aws_security_group.web.ingress[0]
	}
	header := kind + ` "` + typ + `" "` + name + `"`
	lo = bytes.LastIndex(src[:min(len(src), s+len(header))], []byte("\n"+header))
	switch {
	case lo >= 0:
		lo++
	case bytes.HasPrefix(src, []byte(header)):
		lo = 0
	default:
		return 0, 0, false
	}
	hi = e
	if src[e-1] != '}' || el.Span.Start.Col != 0 || lo != s {
		// Nested: the top-level block closes on a line of its own, after el.
		close := bytes.Index(src[e:], []byte("\n}"))
		if close < 0 {
			return 0, 0, false
		}
		hi = e + close + 2
	}
	for hi < len(src) && src[hi-1] != '\n' {
		hi++
	}
	return lo, hi, true
}

// fixBlock is Fix on t, a tree of the bytes of the file from base on, where blk is el's block
// and top the top-level block that holds it.
func fixBlock(t *parse.Tree, base int, blk, top *parse.Node, el *model.Element, op model.FixOp) ([]model.TextEdit, error) {
	src := t.Src
	file := el.Span.File
	topStart, topEnd := int(top.StartByte()), int(top.EndByte())
	if op.Op == "append" {
		text := strings.TrimSpace(op.Text)
		if text == "" {
			return nil, fmt.Errorf("terraform fix %s: append needs a text", el.Name)
		}
		formatted := strings.TrimRight(string(hclwrite.Format([]byte(text+"\n"))), "\n")
		if err := checkSyntax(formatted); err != nil {
			return nil, fmt.Errorf("terraform fix %s: the appended text: %w", el.Name, err)
		}
		return []model.TextEdit{{File: file, Start: base + topEnd, End: base + topEnd, NewText: "\n\n" + formatted}}, nil
	}
	var ed *localEdit
	var err error
	switch op.Op {
	case "set":
		ed, err = setEdit(t, blk, op)
	case "replace":
		ed, err = replaceEdit(t, blk, op)
	default:
		err = fmt.Errorf("unknown fix operation %q", op.Op)
	}
	if err != nil {
		return nil, fmt.Errorf("terraform fix %s: %s: %w", el.Name, op.Op, err)
	}
	old := string(src[topStart:topEnd])
	rel := old[:ed.start-topStart] + ed.text + old[ed.end-topStart:]
	formatted := strings.TrimRight(string(hclwrite.Format([]byte(rel+"\n"))), "\n")
	if err := checkSyntax(formatted); err != nil {
		return nil, fmt.Errorf("terraform fix %s: %s %s: %w", el.Name, op.Op, op.Path, err)
	}
	s, oe, ne := diff(old, formatted)
	if s == oe && s == ne {
		return nil, nil // already as the fix would make it
	}
	return []model.TextEdit{{File: file, Start: base + topStart + s, End: base + topStart + oe, NewText: formatted[s:ne]}}, nil
}

// localEdit replaces the bytes [start, end) of the source with text.
type localEdit struct {
	start, end int
	text       string
}

// findBlock returns the block spanning exactly [start, end) and the top-level block holding it.
func findBlock(root *parse.Node, start, end int) (blk, top *parse.Node) {
	var walk func(n *parse.Node, top *parse.Node, depth int) (*parse.Node, *parse.Node)
	walk = func(n *parse.Node, t *parse.Node, depth int) (*parse.Node, *parse.Node) {
		if depth > maxDepth {
			return nil, nil
		}
		for i := uint(0); i < n.ChildCount(); i++ {
			c := n.Child(i)
			if int(c.EndByte()) < start || int(c.StartByte()) > start {
				continue
			}
			switch c.Kind() {
			case "block":
				tt := t
				if tt == nil {
					tt = c
				}
				if int(c.StartByte()) == start && int(c.EndByte()) == end {
					return c, tt
				}
				if b, tp := walk(c, tt, depth+1); b != nil {
					return b, tp
				}
			case "body", "ERROR":
				if b, tp := walk(c, t, depth+1); b != nil {
					return b, tp
				}
			}
		}
		return nil, nil
	}
	return walk(root, nil, 0)
}

// parts of a block node.
func blockParts(b *parse.Node) (body, end *parse.Node) {
	for i := uint(0); i < b.ChildCount(); i++ {
		c := b.Child(i)
		switch c.Kind() {
		case "body":
			body = c
		case "block_end":
			end = c
		}
	}
	return body, end
}

func identOf(t *parse.Tree, n *parse.Node) string {
	for i := uint(0); i < n.ChildCount(); i++ {
		if c := n.Child(i); c.Kind() == "identifier" {
			return t.Text(c)
		}
	}
	return ""
}

// child returns the first nested block (kind "block") or attribute (kind "attribute") called
// name in block b.
func child(t *parse.Tree, b *parse.Node, kind, name string) *parse.Node {
	body, _ := blockParts(b)
	if body == nil {
		return nil
	}
	for i := uint(0); i < body.ChildCount(); i++ {
		c := body.Child(i)
		if c.Kind() == kind && identOf(t, c) == name {
			return c
		}
	}
	return nil
}

func setEdit(t *parse.Tree, blk *parse.Node, op model.FixOp) (*localEdit, error) {
	if op.Path == "" || strings.TrimSpace(op.Value) == "" {
		return nil, fmt.Errorf("set needs a path and a value")
	}
	if err := checkSyntax("x = " + op.Value); err != nil {
		return nil, fmt.Errorf("value %q: %w", op.Value, err)
	}
	parts := strings.Split(op.Path, ".")
	cur := blk
	for i, name := range parts[:len(parts)-1] {
		next := child(t, cur, "block", name)
		if next == nil {
			// Create the missing blocks, innermost holding the attribute, at the end of cur.
			text := parts[len(parts)-1] + " = " + op.Value
			for j := len(parts) - 2; j >= i; j-- {
				text = parts[j] + " {\n" + text + "\n}"
			}
			return insertBeforeEnd(t, cur, text), nil
		}
		cur = next
	}
	name := parts[len(parts)-1]
	if a := child(t, cur, "attribute", name); a != nil {
		for i := uint(0); i < a.ChildCount(); i++ {
			if c := a.Child(i); c.Kind() == "expression" {
				return &localEdit{start: int(c.StartByte()), end: int(c.EndByte()), text: op.Value}, nil
			}
		}
		return nil, fmt.Errorf("attribute %s has no expression", name)
	}
	text := name + " = " + op.Value
	body, _ := blockParts(cur)
	if body != nil {
		var last *parse.Node
		for i := uint(0); i < body.ChildCount(); i++ {
			c := body.Child(i)
			if c.Kind() == "attribute" {
				last = c
			} else if c.Kind() == "block" {
				break
			}
		}
		if last != nil {
			return &localEdit{start: int(last.EndByte()), end: int(last.EndByte()), text: "\n" + text}, nil
		}
		return &localEdit{start: int(body.StartByte()), end: int(body.StartByte()), text: text + "\n"}, nil
	}
	return insertBeforeEnd(t, cur, text), nil
}

// insertBeforeEnd inserts text on a line of its own just before the closing brace of b.
func insertBeforeEnd(t *parse.Tree, b *parse.Node, text string) *localEdit {
	_, end := blockParts(b)
	at := int(b.EndByte()) - 1
	if end != nil {
		at = int(end.StartByte())
	}
	// Insert after the whitespace that ends the previous line, so the brace stays where it is.
	prefix := "\n"
	for i := at - 1; i >= 0; i-- {
		ch := t.Src[i]
		if ch == '\n' {
			prefix = ""
			break
		}
		if ch != ' ' && ch != '\t' {
			break
		}
	}
	return &localEdit{start: at, end: at, text: prefix + text + "\n"}
}

func replaceEdit(t *parse.Tree, blk *parse.Node, op model.FixOp) (*localEdit, error) {
	if op.Path == "" || op.Old == "" {
		return nil, fmt.Errorf("replace needs a path and an old literal")
	}
	parts := strings.Split(op.Path, ".")
	cur := blk
	for _, name := range parts[:len(parts)-1] {
		if cur = child(t, cur, "block", name); cur == nil {
			return nil, fmt.Errorf("no %s block", name)
		}
	}
	a := child(t, cur, "attribute", parts[len(parts)-1])
	if a == nil {
		return nil, fmt.Errorf("no attribute %s", op.Path)
	}
	var expr *parse.Node
	for i := uint(0); i < a.ChildCount(); i++ {
		if c := a.Child(i); c.Kind() == "expression" {
			expr = c
		}
	}
	if expr == nil {
		return nil, fmt.Errorf("attribute %s has no expression", op.Path)
	}
	text := t.Text(expr)
	if !strings.Contains(text, op.Old) {
		return nil, fmt.Errorf("%s does not contain %s", op.Path, op.Old)
	}
	return &localEdit{start: int(expr.StartByte()), end: int(expr.EndByte()),
		text: strings.ReplaceAll(text, op.Old, op.New)}, nil
}

// checkSyntax reports the first syntax error of text.
func checkSyntax(text string) error {
	t, err := parse.Parse(context.Background(), parse.HCL, []byte(text))
	if err != nil {
		return err
	}
	defer t.Close()
	if !t.Root().HasError() {
		return nil
	}
	x := &extractor{t: t, src: t.Src}
	p := x.syntaxProblem(t.Root())
	return fmt.Errorf("%s at line %d", strings.TrimSuffix(p.Message, "; the rest of the file was analysed"), p.Span.Start.Line+1)
}

// diff returns the bounds of the part of a that b replaces: a[s:ae] becomes b[s:be]. The
// bounds fall on UTF-8 character boundaries.
func diff(a, b string) (s, ae, be int) {
	for s < len(a) && s < len(b) && a[s] == b[s] {
		s++
	}
	for s > 0 && (s < len(a) && !utf8.RuneStart(a[s]) || s < len(b) && !utf8.RuneStart(b[s])) {
		s--
	}
	ae, be = len(a), len(b)
	for ae > s && be > s && a[ae-1] == b[be-1] {
		ae--
		be--
	}
	for ae < len(a) && !utf8.RuneStart(a[ae]) || be < len(b) && !utf8.RuneStart(b[be]) {
		ae++
		be++
	}
	return s, ae, be
}

// Relocate follows el, a top-level block, through edits of a fix of its own (see
// analyzers.Relocator): the block starts where it did and ends where the edits inside it moved
// its end; an edit after it (an appended block) leaves it as it was. text is the text after
// the edits. Any other edit (before the block, or across an end of it) is not followed.
func (a *Analyzer) Relocate(text []byte, el *model.Element, edits []model.TextEdit) (*model.Element, bool) {
	s, e := int(el.Span.Start.Offset), int(el.Span.End.Offset)
	if el.Span.Start.Col != 0 {
		return nil, false // nested: its fixes rewrite the block it is in
	}
	end := e
	for _, ed := range edits {
		switch {
		case ed.File != el.Span.File:
			return nil, false
		case ed.Start >= e:
		case ed.Start >= s && ed.End <= e:
			end += len(ed.NewText) - (ed.End - ed.Start)
		default:
			return nil, false
		}
	}
	if end <= s || end > len(text) {
		return nil, false
	}
	c := *el
	c.Span.End = model.At(end, int(el.Span.Start.Line)+bytes.Count(text[s:end], []byte("\n")), end-1-bytes.LastIndexByte(text[:end], '\n'))
	return &c, true
}
