package terraform

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// maxDepth bounds the nesting of expressions and blocks Extract descends into; deeper parts are
// Computed. It keeps pathological files from costing more than they are worth.
const maxDepth = 200

// extractor reads one tree. It lives for one Extract call.
type extractor struct {
	t    *parse.Tree
	src  []byte
	file string
}

// Extract reads one parsed file into facts: Raw holds the file's blocks, Ignores its
// threatls:ignore comments and Problems at most one syntax error. Elements are left empty:
// Link builds them, because most of them depend on other files of the module.
func (a *Analyzer) Extract(t *parse.Tree, file string) *model.FileFacts {
	ff := &model.FileFacts{File: file, Format: Name}
	raw := &Raw{}
	ff.Raw = raw
	if t == nil {
		return ff
	}
	root := t.Root()
	if root == nil {
		return ff
	}
	if root.HasError() {
		x := &extractor{t: t, src: t.Src, file: file}
		problem := x.syntaxProblem(root)
		// Error recovery can swallow the rest of the file into one ERROR node: blank out the
		// broken top-level definitions and read the rest from a tree of what is left.
		rt, unclosed := recoverTree(t)
		if unclosed >= 0 && unclosed < int(problem.Span.Start.Offset) {
			// The parser notices a missing "}" only at the end of the file; say where the
			// block that is not closed starts.
			problem = x.unclosedProblem(unclosed)
		}
		ff.Problems = append(ff.Problems, problem)
		if rt != nil {
			defer rt.Close()
			t, root = rt, rt.Root()
		}
	}
	x := &extractor{t: t, src: t.Src, file: file}
	// The walk reads a copy of the tree made in one cgo call: walking *parse.Node values costs
	// a cgo call per method (and an allocation per Kind), more than parsing the file did.
	var tops *[]*Attribute
	if isVars(file) {
		tops = &raw.Attrs
	}
	flat := t.Flatten()
	walkFlat(flat, func(root *fnode) { x.body(root, 0, &raw.Blocks, tops) })
	flat.Release() // the facts hold strings and spans, nothing of the tree
	for _, b := range raw.Blocks {
		b.sum = textSum(x.src[b.Span.Start.Offset:b.Span.End.Offset])
	}
	ff.Ignores, ff.Problems = x.ignores(root, ff.Problems, raw)
	ff.Problems = append(ff.Problems, outsideModules(file, raw)...)
	return ff
}

// maxRecover bounds how many broken definitions recoverTree blanks out.
const maxRecover = 8

// defStartRE matches the start of a line that begins a top-level definition: an identifier
// in column 0 (`resource "a" "b" {`, or the first letters of one being typed).
var defStartRE = regexp.MustCompile(`(?m)^[A-Za-z_]`)

// recoverTree returns a tree of t's text in which the top-level definitions holding syntax
// errors are replaced by spaces (newlines kept, so every offset, line and column stays
// true), or nil when that does not help, and the offset of the first definition whose braces
// do not balance (-1 if none). A definition is the text from one column-0
// identifier to the next. First the definitions whose braces do not balance are blanked (an
// unclosed block would otherwise swallow the definitions after it), then, one at a time, the
// definition holding the first remaining error.
func recoverTree(t *parse.Tree) (*parse.Tree, int) {
	src := append([]byte(nil), t.Src...)
	var starts []int
	for _, m := range defStartRE.FindAllIndex(src, -1) {
		starts = append(starts, m[0])
	}
	blank := func(cs, ce int) {
		for j := cs; j < ce; j++ {
			if src[j] != '\n' {
				src[j] = ' '
			}
		}
	}
	var out *parse.Tree
	reparse := func() bool {
		nt, err := parse.Parse(context.Background(), t.Lang, src)
		if err != nil {
			return false
		}
		if out != nil {
			out.Close()
		}
		out = nt
		src = append([]byte(nil), src...) // the tree keeps the text it was parsed from
		return true
	}
	cur := t
	unclosed := -1
	for i, cs := range starts {
		ce := len(src)
		if i+1 < len(starts) {
			ce = starts[i+1]
		}
		if !balanced(src[cs:ce]) {
			blank(cs, ce)
			if unclosed < 0 {
				unclosed = cs
			}
		}
	}
	if unclosed >= 0 {
		if !reparse() {
			return nil, unclosed
		}
		cur = out
	}
	for i := 0; i < maxRecover && cur.Root().HasError(); i++ {
		off := int(firstError(cur.Root()).StartByte())
		cs, ce := 0, len(src)
		for _, st := range starts {
			if st <= off {
				cs = st
			} else {
				ce = st
				break
			}
		}
		if cs == 0 && ce == len(src) && i > 0 {
			break
		}
		// The fault may follow an intact definition in the same range (a NUL byte after its
		// closing brace): only what follows the definition is blanked.
		cs = max(cs, intactBefore(cur.Root(), cs, off))
		blank(cs, ce)
		if !reparse() {
			break
		}
		cur = out
	}
	return out, unclosed
}

// intactBefore returns where the last top-level definition of the tree that holds no error,
// starts at or after from and ends at or before off, ends; 0 when there is none.
func intactBefore(root *parse.Node, from, off int) int {
	end := 0
	var visit func(n *parse.Node, depth int)
	visit = func(n *parse.Node, depth int) {
		for i := uint(0); i < n.ChildCount(); i++ {
			c := n.Child(i)
			switch c.Kind() {
			case "body":
				if depth == 0 {
					visit(c, depth+1)
				}
			case "block", "attribute":
				if !c.HasError() && !c.IsMissing() && int(c.StartByte()) >= from && int(c.EndByte()) <= off {
					end = max(end, int(c.EndByte()))
				}
			}
		}
	}
	visit(root, 0)
	return end
}

// unclosedProblem reports a top-level definition, starting at offset start, whose braces do
// not balance. The span is its first line.
func (x *extractor) unclosedProblem(start int) model.Problem {
	end := bytes.IndexByte(x.src[start:], '\n')
	if end < 0 {
		end = len(x.src) - start
	}
	line := bytes.Count(x.src[:start], []byte("\n"))
	return model.Problem{
		Span: model.Span{File: x.file, Start: model.At(start, line, 0),
			End: model.At(start+end, line, end)},
		Message: "syntax error: this block is not closed (a `}` is missing); the rest of the file was analysed",
	}
}

// balanced reports whether the braces of b balance, outside quoted strings and comments.
// Heredocs are read as text: the JSON policies they hold balance their own braces.
func balanced(b []byte) bool {
	depth := 0
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			for i++; i < len(b) && b[i] != '"' && b[i] != '\n'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		case c == '#' || c == '/' && i+1 < len(b) && b[i+1] == '/':
			for i < len(b) && b[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(b) && b[i+1] == '*':
			end := bytes.Index(b[i+2:], []byte("*/"))
			if end < 0 {
				return false
			}
			i += end + 3
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

// spanned is a node of either kind: an *fnode, or a *parse.Node where the tree itself is
// searched (syntax errors, suppression comments).
type spanned interface {
	StartByte() uint
	EndByte() uint
	StartPosition() parse.Point
	EndPosition() parse.Point
}

func (x *extractor) span(n spanned) model.Span {
	s, e := n.StartPosition(), n.EndPosition()
	return model.Span{File: x.file,
		Start: model.Pos{Offset: int32(n.StartByte()), Line: int32(s.Row), Col: int32(s.Column)},
		End:   model.Pos{Offset: int32(n.EndByte()), Line: int32(e.Row), Col: int32(e.Column)},
	}
}

func (x *extractor) text(n spanned) string { return string(x.src[n.StartByte():n.EndByte()]) }

// body reads the blocks and attributes among n's children, descending into config_file, body
// and ERROR nodes (error recovery may wrap well-formed definitions in an ERROR node).
func (x *extractor) body(n *fnode, depth int, blocks *[]*Block, attrs *[]*Attribute) {
	if depth > maxDepth {
		return
	}
	for i := uint(0); i < n.ChildCount(); i++ {
		c := n.Child(i)
		switch c.Kind() {
		case "body", "ERROR":
			x.body(c, depth+1, blocks, attrs)
		case "block":
			if b := x.block(c, depth+1); b != nil {
				*blocks = append(*blocks, b)
			}
		case "attribute":
			if attrs == nil {
				continue // a top-level attribute means nothing in a .tf file (a .tfvars sets x.tops)
			}
			if a := x.attribute(c, depth+1); a != nil {
				*attrs = append(*attrs, a)
			}
		}
	}
}

func (x *extractor) block(n *fnode, depth int) *Block {
	b := &Block{Span: x.span(n)}
	headEnd := -1
	var body *fnode
	for i := uint(0); i < n.ChildCount(); i++ {
		c := n.Child(i)
		switch c.Kind() {
		case "identifier":
			if b.Type == "" {
				b.Type = x.text(c)
			} else {
				b.Labels = append(b.Labels, x.text(c))
			}
			headEnd = int(i)
		case "string_lit":
			s, _ := x.quoted(c)
			b.Labels = append(b.Labels, s)
			headEnd = int(i)
		case "body":
			body = c
		}
	}
	last := childAt(n, headEnd)
	if b.Type == "" || last == nil {
		return nil
	}
	end := x.span(last)
	b.Head = model.Span{File: x.file, Start: b.Span.Start, End: end.End}
	if body != nil {
		x.body(body, depth+1, &b.Blocks, &b.Attrs)
	}
	return b
}

// childAt returns n's child i, or nil when i is out of range.
func childAt(n *fnode, i int) *fnode {
	if i < 0 || uint(i) >= n.ChildCount() {
		return nil
	}
	return n.Child(uint(i))
}

func (x *extractor) attribute(n *fnode, depth int) *Attribute {
	a := &Attribute{Span: x.span(n)}
	for i := uint(0); i < n.ChildCount(); i++ {
		c := n.Child(i)
		switch c.Kind() {
		case "identifier":
			if a.Name == "" {
				a.Name = x.text(c)
			}
		case "expression":
			a.Expr = x.expr(c, depth+1)
		}
	}
	if a.Name == "" {
		return nil
	}
	if a.Expr == nil {
		a.Expr = &Expr{Kind: Computed, Span: a.Span}
	}
	return a
}

// namedChildren returns n's children that are not punctuation, comments or parse errors.
func namedChildren(n *fnode) []*fnode {
	var out []*fnode
	for i := uint(0); i < n.ChildCount(); i++ {
		c := n.Child(i)
		if c.IsNamed() && c.Kind() != "comment" {
			out = append(out, c)
		}
	}
	return out
}

func (x *extractor) computed(n *fnode) *Expr {
	t := x.text(n)
	if len(t) > 60 {
		t = t[:57] + "..."
		for !utf8.ValidString(t) && len(t) > 3 {
			t = t[:len(t)-4] + "..."
		}
	}
	return &Expr{Kind: Computed, Span: x.span(n), Text: t}
}

// expr converts an expression node (or one of the nodes an expression is made of).
func (x *extractor) expr(n *fnode, depth int) *Expr {
	if depth > maxDepth || n.HasError() {
		return x.computed(n)
	}
	switch n.Kind() {
	case "expression":
		kids := namedChildren(n)
		if len(kids) == 0 {
			return x.computed(n)
		}
		if len(kids) == 1 {
			e := x.expr(kids[0], depth+1)
			e.Span = x.span(n)
			return e
		}
		if kids[0].Kind() == "variable_expr" {
			return x.traversal(n, kids)
		}
		return x.computed(n)
	case "literal_value", "collection_value", "template_expr":
		kids := namedChildren(n)
		if len(kids) != 1 {
			return x.computed(n)
		}
		e := x.expr(kids[0], depth+1)
		e.Span = x.span(n)
		return e
	case "numeric_lit":
		return x.number(n, x.text(n))
	case "bool_lit":
		return &Expr{Kind: Literal, Span: x.span(n), Lit: x.text(n) == "true"}
	case "null_lit":
		return &Expr{Kind: Literal, Span: x.span(n)}
	case "string_lit", "quoted_template":
		s, ok := x.quoted(n)
		if !ok {
			return x.template(n, depth)
		}
		return &Expr{Kind: Literal, Span: x.span(n), Lit: s}
	case "heredoc_template":
		s, ok := x.heredoc(n)
		if !ok {
			return x.computed(n)
		}
		return &Expr{Kind: Literal, Span: x.span(n), Lit: s}
	case "tuple":
		e := &Expr{Kind: Tuple, Span: x.span(n)}
		for _, k := range namedChildren(n) {
			if k.Kind() == "expression" {
				e.Elems = append(e.Elems, x.expr(k, depth+1))
			}
		}
		return e
	case "object":
		e := &Expr{Kind: Object, Span: x.span(n)}
		for _, k := range namedChildren(n) {
			if k.Kind() != "object_elem" {
				continue
			}
			key, val := k.ChildByFieldName("key"), k.ChildByFieldName("val")
			if key == nil || val == nil {
				return x.computed(n)
			}
			ke := x.expr(key, depth+1)
			var name string
			switch {
			case ke.Kind == Literal:
				name = fmt.Sprint(ke.Lit)
			case ke.Kind == Ref && len(ke.Path) == 1 && !ke.Indexed:
				name = ke.Path[0] // a bare identifier is the key itself
			default:
				return x.computed(n)
			}
			e.Keys = append(e.Keys, name)
			e.Elems = append(e.Elems, x.expr(val, depth+1))
		}
		return e
	case "variable_expr":
		return x.traversal(n, []*fnode{n})
	case "function_call":
		kids := namedChildren(n)
		if len(kids) != 2 || kids[1].Kind() != "function_arguments" {
			return x.computed(n)
		}
		name := x.text(kids[0])
		var args []*fnode
		for _, a := range namedChildren(kids[1]) {
			if a.Kind() == "expression" {
				args = append(args, a)
			}
		}
		switch name {
		case "jsonencode", "tolist", "toset":
			if len(args) == 1 {
				e := x.expr(args[0], depth+1)
				e.Span = x.span(n)
				return e
			}
		}
		if kids[1].ChildCount() > 0 && strings.Contains(x.text(kids[1]), "...") {
			return x.computed(n) // expanded arguments
		}
		e := &Expr{Kind: Call, Span: x.span(n), Name: name, Text: x.computed(n).Text}
		for _, a := range args {
			e.Elems = append(e.Elems, x.expr(a, depth+1))
		}
		return e
	case "conditional":
		kids := namedChildren(n)
		if len(kids) != 3 {
			return x.computed(n)
		}
		e := &Expr{Kind: Cond, Span: x.span(n), Text: x.computed(n).Text}
		for _, k := range kids {
			e.Elems = append(e.Elems, x.expr(k, depth+1))
		}
		return e
	case "binary_operation":
		operands, ops := x.operands(n, depth)
		op := ""
		if len(ops) == 1 {
			op = ops[0]
		}
		if len(operands) != 2 || op == "" {
			return x.computed(n)
		}
		return &Expr{Kind: Op, Span: x.span(n), Name: op, Elems: operands, Text: x.computed(n).Text}
	case "unary_operation":
		operands, ops := x.operands(n, depth)
		if len(operands) != 1 || len(ops) != 1 {
			return x.computed(n)
		}
		operand, op := operands[0], ops[0]
		if operand.Kind == Literal && op == "-" {
			switch v := operand.Lit.(type) {
			case int64:
				return &Expr{Kind: Literal, Span: x.span(n), Lit: -v}
			case float64:
				return &Expr{Kind: Literal, Span: x.span(n), Lit: -v}
			}
		}
		return &Expr{Kind: Op, Span: x.span(n), Name: op, Elems: []*Expr{operand}, Text: x.computed(n).Text}
	case "operation":
		kids := namedChildren(n)
		if len(kids) == 1 && (kids[0].Kind() == "binary_operation" || kids[0].Kind() == "unary_operation") {
			e := x.expr(kids[0], depth+1)
			e.Span = x.span(n)
			return e
		}
		if len(kids) == 1 && kids[0].Kind() == "unary_operation" {
			u := kids[0]
			if u.ChildCount() == 2 && x.text(u.Child(0)) == "-" {
				v := x.expr(u.Child(1), depth+1)
				if v.Kind == Literal {
					switch n := v.Lit.(type) {
					case int64:
						return &Expr{Kind: Literal, Span: x.span(u), Lit: -n}
					case float64:
						return &Expr{Kind: Literal, Span: x.span(u), Lit: -n}
					}
				}
			}
		}
		return x.computed(n)
	}
	return x.computed(n)
}

// operands returns the operands of an operation and its operators. The grammar does not wrap
// a traversal operand in an expression: a variable_expr and the get_attr, index and splat
// nodes after it make one operand.
func (x *extractor) operands(n *fnode, depth int) ([]*Expr, []string) {
	var out []*Expr
	var ops []string
	var trav []*fnode
	flush := func() {
		if len(trav) > 0 {
			out = append(out, x.traversalOf(trav))
			trav = nil
		}
	}
	for i := uint(0); i < n.ChildCount(); i++ {
		c := n.Child(i)
		switch k := c.Kind(); {
		case k == "comment":
		case k == "variable_expr":
			flush()
			trav = []*fnode{c}
		case (k == "get_attr" || k == "index" || k == "splat") && len(trav) > 0:
			trav = append(trav, c)
		case c.IsNamed():
			flush()
			out = append(out, x.expr(c, depth+1))
		default:
			flush()
			ops = append(ops, x.text(c))
		}
	}
	flush()
	return out, ops
}

// traversalOf reads a traversal from its parts, spanning from the first to the last.
func (x *extractor) traversalOf(parts []*fnode) *Expr {
	e := x.traversal(parts[0], parts)
	last := x.span(parts[len(parts)-1])
	e.Span.End = last.End
	return e
}

// template reads "text ${expr} text" into its parts; a directive (%{ … }) makes it Computed.
func (x *extractor) template(n *fnode, depth int) *Expr {
	e := &Expr{Kind: Template, Span: x.span(n), Text: x.computed(n).Text}
	for i := uint(0); i < n.ChildCount(); i++ {
		c := n.Child(i)
		switch c.Kind() {
		case "quoted_template_start", "quoted_template_end":
		case "template_literal":
			e.Elems = append(e.Elems, &Expr{Kind: Literal, Span: x.span(c), Lit: unescape(x.text(c))})
		case "template_interpolation":
			var inner *Expr
			for _, k := range namedChildren(c) {
				if k.Kind() == "expression" {
					inner = x.expr(k, depth+1)
				}
			}
			if inner == nil {
				return x.computed(n)
			}
			e.Elems = append(e.Elems, inner)
		default:
			return x.computed(n)
		}
	}
	return e
}

// traversal reads `name.attr[index].attr...` from the nodes that make it up.
func (x *extractor) traversal(n *fnode, kids []*fnode) *Expr {
	e := &Expr{Kind: Ref, Span: x.span(n)}
	for i, k := range kids {
		switch k.Kind() {
		case "variable_expr":
			if i != 0 {
				return x.computed(n)
			}
			e.Path = append(e.Path, x.text(k))
		case "get_attr":
			for _, id := range namedChildren(k) {
				if id.Kind() == "identifier" {
					e.Path = append(e.Path, x.text(id))
				}
			}
		case "index", "splat":
			e.Indexed = true
			st := IndexStep{At: len(e.Path), Splat: k.Kind() == "splat"}
			for _, ik := range namedChildren(k) {
				for _, key := range namedChildren(ik) {
					if key.Kind() == "expression" {
						st.Key = x.expr(key, 0)
					} else if ik.Kind() == "legacy_index" && key.Kind() == "numeric_lit" {
						st.Key = x.number(key, x.text(key))
					}
				}
			}
			e.Index = append(e.Index, st)
		default:
			return x.computed(n)
		}
	}
	return e
}

func (x *extractor) number(n *fnode, s string) *Expr {
	e := &Expr{Kind: Literal, Span: x.span(n)}
	if i, err := strconv.ParseInt(s, 0, 64); err == nil {
		e.Lit = i
		return e
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return x.computed(n)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<62 {
		e.Lit = int64(f)
	} else {
		e.Lit = f
	}
	return e
}

// quoted returns the value of a quoted string, or false when it interpolates or holds a
// directive.
func (x *extractor) quoted(n *fnode) (string, bool) {
	var sb strings.Builder
	for i := uint(0); i < n.ChildCount(); i++ {
		c := n.Child(i)
		switch c.Kind() {
		case "quoted_template_start", "quoted_template_end":
		case "template_literal":
			sb.WriteString(x.text(c))
		default:
			return "", false
		}
	}
	return unescape(sb.String()), true
}

// heredoc returns the text of a heredoc without interpolation, its `<<-` indentation removed.
func (x *extractor) heredoc(n *fnode) (string, bool) {
	var ids []*fnode
	strip := false
	for i := uint(0); i < n.ChildCount(); i++ {
		c := n.Child(i)
		switch c.Kind() {
		case "heredoc_start":
			strip = x.text(c) == "<<-"
		case "heredoc_identifier":
			ids = append(ids, c)
		case "template_literal":
		default:
			return "", false
		}
	}
	if len(ids) != 2 {
		return "", false
	}
	body := x.src[ids[0].EndByte():ids[1].StartByte()]
	if i := bytes.IndexByte(body, '\n'); i >= 0 {
		body = body[i+1:]
	}
	body = body[:bytes.LastIndexByte(body, '\n')+1]
	s := string(body)
	if strip {
		s = dedent(s)
	}
	s = strings.ReplaceAll(s, "$${", "${")
	return strings.ReplaceAll(s, "%%{", "%{"), true
}

// dedent removes the indentation common to the non-blank lines of s.
func dedent(s string) string {
	lines := strings.SplitAfter(s, "\n")
	indent := -1
	for _, l := range lines {
		t := strings.TrimLeft(l, " \t")
		if strings.TrimSpace(t) == "" {
			continue
		}
		if w := len(l) - len(t); indent < 0 || w < indent {
			indent = w
		}
	}
	if indent <= 0 {
		return s
	}
	var sb strings.Builder
	for _, l := range lines {
		if len(l) >= indent && strings.TrimSpace(l[:indent]) == "" {
			l = l[indent:]
		} else {
			l = strings.TrimLeft(l, " \t")
		}
		sb.WriteString(l)
	}
	return sb.String()
}

// unescape decodes HCL's quoted-string escapes. Unknown escapes are kept as written.
func unescape(s string) string {
	if !strings.ContainsAny(s, `\$%`) {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				sb.WriteByte('\n')
			case 'r':
				sb.WriteByte('\r')
			case 't':
				sb.WriteByte('\t')
			case '"':
				sb.WriteByte('"')
			case '\\':
				sb.WriteByte('\\')
			case 'u', 'U':
				w := 4
				if s[i] == 'U' {
					w = 8
				}
				if i+w < len(s) {
					if r, err := strconv.ParseUint(s[i+1:i+1+w], 16, 32); err == nil {
						sb.WriteRune(rune(r))
						i += w
						continue
					}
				}
				sb.WriteByte('\\')
				sb.WriteByte(s[i])
			default:
				sb.WriteByte('\\')
				sb.WriteByte(s[i])
			}
		case (ch == '$' || ch == '%') && strings.HasPrefix(s[i+1:], string(ch)+"{"):
			sb.WriteByte(ch)
			sb.WriteByte('{')
			i += 2
		default:
			sb.WriteByte(ch)
		}
	}
	return sb.String()
}

// syntaxProblem reports the first ERROR or MISSING node of the tree.
func (x *extractor) syntaxProblem(root *parse.Node) model.Problem {
	n := firstError(root)
	if n == nil {
		n = root
	}
	var what string
	if n.IsMissing() && strings.Contains("}])\"", n.Kind()) {
		what = fmt.Sprintf("missing %s", quoteTok(n.Kind()))
	} else if n.IsMissing() {
		rest := bytes.TrimLeft(x.src[n.StartByte():], " \t")
		tok := rest[:len(rest)-len(bytes.TrimLeftFunc(rest, func(r rune) bool { return r != ' ' && r != '\t' && r != '\n' }))]
		if len(tok) > 30 {
			tok = tok[:30]
		}
		if len(tok) == 0 {
			what = fmt.Sprintf("missing %s", quoteTok(n.Kind()))
		} else {
			what = "unexpected " + quoteTok(string(tok))
		}
	} else {
		leaf := n
		for leaf.ChildCount() > 0 {
			leaf = leaf.Child(0)
		}
		tok := x.text(leaf)
		if tok == "" {
			tok = x.text(n)
		}
		if len(tok) > 30 {
			tok = tok[:30] + "…"
		}
		if tok == "" {
			what = "unexpected end of file"
		} else {
			what = "unexpected " + quoteTok(tok)
		}
	}
	return model.Problem{Span: x.span(n),
		Message: "syntax error: " + what + "; the rest of the file was analysed"}
}

func quoteTok(s string) string {
	if !utf8.ValidString(s) || strings.ContainsAny(s, "`\n") {
		return strconv.Quote(s)
	}
	return "`" + s + "`"
}

// firstError returns the node where the parse first went wrong: the first MISSING node, or
// the first ERROR node — within an ERROR, its first MISSING descendant, or else its first
// child that is not a well-formed definition.
func firstError(n *parse.Node) *parse.Node {
	for depth := 0; depth < 10*maxDepth; depth++ {
		if n.IsMissing() {
			return n
		}
		if n.IsError() {
			if m := firstMissing(n, 0); m != nil {
				return m
			}
			for i := uint(0); i < n.ChildCount(); i++ {
				switch c := n.Child(i); c.Kind() {
				case "block", "attribute", "body", "comment":
				default:
					return c
				}
			}
			return n
		}
		var next *parse.Node
		for i := uint(0); i < n.ChildCount(); i++ {
			if c := n.Child(i); c.IsError() || c.IsMissing() || c.HasError() {
				next = c
				break
			}
		}
		if next == nil {
			return n
		}
		n = next
	}
	return n
}

func firstMissing(n *parse.Node, depth int) *parse.Node {
	if depth > 10*maxDepth {
		return nil
	}
	for i := uint(0); i < n.ChildCount(); i++ {
		c := n.Child(i)
		if c.IsMissing() {
			return c
		}
		if c.HasError() && !c.IsError() {
			if m := firstMissing(c, depth+1); m != nil {
				return m
			}
		}
	}
	return nil
}

func (x *extractor) ignores(root *parse.Node, problems []model.Problem, raw *Raw) ([]model.Ignore, []model.Problem) {
	return x.ignoresBy(func(at, end uint) (model.Span, string, bool) {
		n := root.DescendantForByteRange(at, end)
		if n == nil || n.Kind() != "comment" {
			return model.Span{}, "", false
		}
		return x.span(n), x.text(n), true
	}, problems, raw)
}

// ignoresBy reads the suppression comments of x.src, each found by comment: the span and text
// of the comment that holds the bytes [at, end), if one does.
func (x *extractor) ignoresBy(comment func(at, end uint) (model.Span, string, bool), problems []model.Problem, raw *Raw) ([]model.Ignore, []model.Problem) {
	const marker = "threatls:ignore"
	var out []model.Ignore
	seen := map[int32]bool{}
	var tops []top
	for from := 0; ; {
		i := bytes.Index(x.src[from:], []byte(marker))
		if i < 0 {
			break
		}
		at := uint(from + i)
		from += i + len(marker)
		sp, text, ok := comment(at, at+uint(len(marker)))
		if !ok || seen[sp.Start.Offset] {
			continue
		}
		seen[sp.Start.Offset] = true
		if tops == nil {
			tops = raw.tops()
		}
		igs, ps := analyzers.ParseIgnore(text, sp, analyzers.Target(sp, defsNear(tops, sp)))
		out, problems = append(out, igs...), append(problems, ps...)
	}
	return out, problems
}

// A top is a top-level definition of a file: a block, or an attribute of a .tfvars file.
type top struct {
	span  model.Span
	block *Block
}

// tops returns the file's top-level definitions, in source order.
func (r *Raw) tops() []top {
	out := make([]top, 0, len(r.Blocks)+len(r.Attrs))
	i, j := 0, 0
	for i < len(r.Attrs) || j < len(r.Blocks) {
		if j == len(r.Blocks) || i < len(r.Attrs) && r.Attrs[i].Span.Start.Offset < r.Blocks[j].Span.Start.Offset {
			out = append(out, top{span: r.Attrs[i].Span})
			i++
		} else {
			out = append(out, top{span: r.Blocks[j].Span, block: r.Blocks[j]})
			j++
		}
	}
	return out
}

// defsNear returns, sorted by start, the spans of the definitions a comment at sp may cover
// (see analyzers.Target): those of the top-level definitions on or after its line and before
// it, with everything defined in them, and the first top-level definition after it.
// Definitions that end on an earlier line cannot be chosen, and reading only these keeps a
// file of many suppressions from costing their number times its size.
func defsNear(tops []top, sp model.Span) []model.Span {
	next := sort.Search(len(tops), func(i int) bool { return tops[i].span.Start.Offset >= sp.End.Offset })
	first := next
	for first > 0 && tops[first-1].span.End.Line >= sp.Start.Line {
		first--
	}
	var defs []model.Span
	for _, t := range tops[first:next] {
		if t.block == nil {
			defs = append(defs, t.span)
		} else {
			defs = appendDefs(defs, t.block)
		}
	}
	if next < len(tops) {
		defs = append(defs, tops[next].span) // what is defined in it starts after it
	}
	return defs
}
