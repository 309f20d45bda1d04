package terraform

import "github.com/threatls/threatls/model"

// Raw is what Extract keeps of one file for Link and Fix: the file's top-level blocks with
// their nested blocks, attributes and expressions, as plain Go values. It holds no tree-sitter
// node and is never modified once Extract returns it.
type Raw struct {
	Blocks []*Block
	// Attrs are the file's top-level attributes: the values of a .tfvars file.
	Attrs []*Attribute
	// grown is, for facts Splice made, how many bytes and lines the edits since the
	// document's last parse had added (parse.Pending.Grown): the blocks after those edits are
	// where the parsed text's were, moved by as much. Zero for facts read from a tree.
	grown [2]int
}

// Block is a block of the file: `resource "aws_s3_bucket" "logs" { ... }`, `ingress { ... }`.
type Block struct {
	Type   string   // the keyword: resource, data, variable, ingress, ...
	Labels []string // the labels, unquoted
	// Span covers the whole block; Head runs from the keyword to the end of the last label
	// (the keyword alone when the block has no labels).
	Span   model.Span
	Head   model.Span
	Attrs  []*Attribute // in source order
	Blocks []*Block     // nested blocks, in source order
	// sum is the hash of a top-level block's text (textSum), by which Reextract recognises
	// it after an edit; 0 for nested blocks.
	sum uint64
}

// Attr returns the attribute called name, or nil.
func (b *Block) Attr(name string) *Attribute {
	if b == nil {
		return nil
	}
	for _, a := range b.Attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// Nested returns the nested blocks of type typ, in source order.
func (b *Block) Nested(typ string) []*Block {
	if b == nil {
		return nil
	}
	var out []*Block
	for _, c := range b.Blocks {
		if c.Type == typ {
			out = append(out, c)
		}
	}
	return out
}

// First returns the first nested block of type typ, or nil.
func (b *Block) First(typ string) *Block {
	if b == nil {
		return nil
	}
	for _, c := range b.Blocks {
		if c.Type == typ {
			return c
		}
	}
	return nil
}

// Attribute is `name = expression`.
type Attribute struct {
	Name string
	Span model.Span // the whole attribute, `name = expression`
	Expr *Expr
}

// ExprKind says what an expression is.
type ExprKind int

// Expression kinds. Anything that is not a literal, a collection of expressions or a plain
// reference is Computed: its value is known only when Terraform runs.
const (
	Computed ExprKind = iota
	Literal           // Lit holds nil, bool, int64, float64 or string
	Tuple             // Elems
	Object            // Keys and Elems, in source order
	Ref               // Path: a traversal such as var.x, local.y, aws_s3_bucket.b.id
	Call              // Name(Elems...): a function call
	Template          // Elems are the parts of "text ${expr} text": literals and expressions
	Cond              // Elems[0] ? Elems[1] : Elems[2]
	Op                // Name is the operator ("==", "&&", "!", "-", …), Elems its operands
)

// Expr is an expression. jsonencode(x) is stored as x: its value is x's, as JSON.
type Expr struct {
	Kind  ExprKind
	Span  model.Span
	Lit   any
	Elems []*Expr
	Keys  []string
	// Path is a reference's traversal, without index steps; Indexed is set when the traversal
	// has index or splat steps (aws_s3_bucket.b[0].id).
	Path    []string
	Indexed bool
	// Index are the index steps of a reference: after Path[:At], the key Key (a literal
	// index, or any expression); Splat marks [*].
	Index []IndexStep
	// Name is a function's name or an operator.
	Name string
	// Text is the source of a Computed expression, shortened, for notes.
	Text string
}

// IndexStep is one index step of a reference: local.m["k"], aws_vpc.web[0].
type IndexStep struct {
	At    int // the number of Path names before the step
	Key   *Expr
	Splat bool
}

// RefString returns the reference as written without indexes: "aws_s3_bucket.b.id".
func (e *Expr) RefString() string {
	s := ""
	for i, p := range e.Path {
		if i > 0 {
			s += "."
		}
		s += p
	}
	return s
}
