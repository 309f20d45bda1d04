package parse

/*
#include <stdbool.h>
#include <stdint.h>

// The few declarations of tree-sitter's api.h (v0.25) that flatten needs; the functions are
// linked in through go-tree-sitter, which this package imports.
typedef struct TSTree TSTree;
typedef struct { uint32_t row; uint32_t column; } TSPoint;
typedef struct { uint32_t context[4]; const void *id; const TSTree *tree; } TSNode;
typedef struct { const void *tree; const void *id; uint32_t context[3]; } TSTreeCursor;

extern TSTreeCursor ts_tree_cursor_new(TSNode);
extern void ts_tree_cursor_delete(TSTreeCursor *);
extern bool ts_tree_cursor_goto_first_child(TSTreeCursor *);
extern bool ts_tree_cursor_goto_next_sibling(TSTreeCursor *);
extern bool ts_tree_cursor_goto_parent(TSTreeCursor *);
extern TSNode ts_tree_cursor_current_node(const TSTreeCursor *);
extern uint16_t ts_tree_cursor_current_field_id(const TSTreeCursor *);
extern uint16_t ts_node_symbol(TSNode);
extern uint32_t ts_node_start_byte(TSNode);
extern uint32_t ts_node_end_byte(TSNode);
extern TSPoint ts_node_start_point(TSNode);
extern TSPoint ts_node_end_point(TSNode);
extern bool ts_node_is_named(TSNode);
extern bool ts_node_is_missing(TSNode);
extern bool ts_node_is_error(TSNode);
extern bool ts_node_has_error(TSNode);
extern uint32_t ts_node_descendant_count(TSNode);
extern uint32_t ts_node_child_count(TSNode);

// Must match FlatNode.
typedef struct {
	uint32_t start_byte, end_byte;
	uint32_t start_row, start_col, end_row, end_col;
	int32_t parent, first_child, next_sibling;
	uint32_t child_count;
	uint16_t sym, field;
	uint8_t flags;
	uint8_t pad[3];
} flat_node;

static uint32_t threatls_descendants(TSNode root) { return ts_node_descendant_count(root); }

// threatls_fill writes what node is into f, without links to other nodes.
static void threatls_fill(flat_node *f, TSNode node, uint16_t field) {
	f->start_byte = ts_node_start_byte(node);
	f->end_byte = ts_node_end_byte(node);
	TSPoint s = ts_node_start_point(node), e = ts_node_end_point(node);
	f->start_row = s.row; f->start_col = s.column; f->end_row = e.row; f->end_col = e.column;
	f->parent = -1; f->first_child = -1; f->next_sibling = -1; f->child_count = 0;
	f->sym = ts_node_symbol(node);
	f->field = field;
	f->flags = (ts_node_is_named(node) ? 1 : 0) | (ts_node_is_missing(node) ? 2 : 0) |
		(ts_node_is_error(node) ? 4 : 0) | (ts_node_has_error(node) ? 8 : 0);
}

// threatls_children writes n's children (at most cap) into info and nodes and returns how
// many it wrote.
static uint32_t threatls_children(TSNode n, flat_node *info, TSNode *nodes, uint32_t cap) {
	TSTreeCursor c = ts_tree_cursor_new(n);
	uint32_t k = 0;
	if (ts_tree_cursor_goto_first_child(&c)) {
		do {
			if (k == cap) break;
			TSNode node = ts_tree_cursor_current_node(&c);
			threatls_fill(&info[k], node, ts_tree_cursor_current_field_id(&c));
			nodes[k++] = node;
		} while (ts_tree_cursor_goto_next_sibling(&c));
	}
	ts_tree_cursor_delete(&c);
	return k;
}

// threatls_flatten writes the nodes under root in pre-order into out (room for cap nodes)
// and returns how many it wrote.
static uint32_t threatls_flatten(TSNode root, flat_node *out, uint32_t cap) {
	TSTreeCursor c = ts_tree_cursor_new(root);
	uint32_t n = 0;
	int32_t parent = -1, prev = -1;
	for (;;) {
		if (n == cap) break;
		TSNode node = ts_tree_cursor_current_node(&c);
		flat_node *f = &out[n];
		threatls_fill(f, node, ts_tree_cursor_current_field_id(&c));
		f->parent = parent;
		if (prev >= 0) out[prev].next_sibling = (int32_t)n;
		if (parent >= 0) {
			if (out[parent].first_child < 0) out[parent].first_child = (int32_t)n;
			out[parent].child_count++;
		}
		uint32_t self = n++;
		if (ts_tree_cursor_goto_first_child(&c)) {
			parent = (int32_t)self;
			prev = -1;
			continue;
		}
		prev = (int32_t)self;
		while (!ts_tree_cursor_goto_next_sibling(&c)) {
			if (!ts_tree_cursor_goto_parent(&c)) {
				ts_tree_cursor_delete(&c);
				return n;
			}
			prev = parent;
			parent = out[parent].parent;
		}
	}
	ts_tree_cursor_delete(&c);
	return n;
}
*/
import "C"

import (
	"sync"
	"unsafe"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// FlatNode is a node of a Flat tree: plain Go data, valid after the tree is closed.
type FlatNode struct {
	StartByte, EndByte                 uint32
	StartRow, StartCol, EndRow, EndCol uint32
	Parent, FirstChild, NextSibling    int32 // -1 for none
	ChildCount                         uint32
	Sym, Field                         uint16
	Flags                              uint8
	_                                  [3]uint8
}

// Flags of a FlatNode.
const (
	FlatNamed    = 1
	FlatMissing  = 2
	FlatError    = 4
	FlatHasError = 8
)

// Flat is a tree copied out of tree-sitter in one call: nodes in pre-order, the root first.
// Reading it costs no cgo call, which makes a full walk an order of magnitude cheaper than
// walking *Node values.
type Flat struct {
	Nodes  []FlatNode
	kinds  []string // by symbol
	fields []string // by field ID; "" for none
}

// Field returns the field name of node i in its parent, or "".
func (f *Flat) Field(i int32) string {
	if id := int(f.Nodes[i].Field); id < len(f.fields) {
		return f.fields[id]
	}
	return ""
}

// Kind returns the node type of node i, as Node.Kind does.
func (f *Flat) Kind(i int32) string {
	if s := int(f.Nodes[i].Sym); s < len(f.kinds) {
		return f.kinds[s]
	}
	return "ERROR" // ts_builtin_sym_error and ts_builtin_sym_error_repeat are not in the table
}

// Flatten copies t out of tree-sitter.
func (t *Tree) Flatten() *Flat {
	if t.t == nil {
		return &Flat{} // Plain
	}
	return t.flatten(*(*C.TSNode)(unsafe.Pointer(t.t.RootNode())))
}

func (t *Tree) flatten(tsroot C.TSNode) *Flat {
	n := uint32(C.threatls_descendants(tsroot))
	nodes := nodeBuffer(int(n))
	if n > 0 {
		got := C.threatls_flatten(tsroot, (*C.flat_node)(unsafe.Pointer(&nodes[0])), C.uint32_t(n))
		nodes = nodes[:got]
	}
	kinds, fields := names(t.t.Language())
	return &Flat{Nodes: nodes, kinds: kinds, fields: fields}
}

// nodePool holds node buffers of Flats released by their readers (see Release): reading a
// workspace flattens every file once, and their buffers were a seventh of what a load
// allocates.
var nodePool sync.Pool // of *[]FlatNode

// maxPooled is the largest buffer (in nodes) kept for reuse.
const maxPooled = 1 << 20

func nodeBuffer(n int) []FlatNode {
	if p, ok := nodePool.Get().(*[]FlatNode); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]FlatNode, n)
}

// Release gives f's nodes back for the next Flatten. Call it when nothing reads f any more;
// f is empty afterwards.
func (f *Flat) Release() {
	if c := cap(f.Nodes); c > 0 && c <= maxPooled {
		nodes := f.Nodes[:0]
		nodePool.Put(&nodes)
	}
	f.Nodes = nil
}

// A Child is a node reached through Top and Children, without copying the rest of the tree:
// an analyzer that needs only some definitions of a large file flattens only those
// (FlattenAt). Its FlatNode's links (Parent, FirstChild, NextSibling) are unset. It is valid
// until the tree is closed.
type Child struct {
	FlatNode
	node C.TSNode
}

// Top returns the root node as a Child; ok is false for a Plain tree.
func (t *Tree) Top() (c Child, ok bool) {
	if t.t == nil {
		return Child{}, false
	}
	root := *(*C.TSNode)(unsafe.Pointer(t.t.RootNode()))
	c = Child{node: root}
	C.threatls_fill((*C.flat_node)(unsafe.Pointer(&c.FlatNode)), root, 0)
	return c, true
}

// Children returns the children of c, in order.
func (t *Tree) Children(c Child) []Child {
	n := uint32(C.ts_node_child_count(c.node))
	if n == 0 {
		return nil
	}
	info := make([]FlatNode, n)
	nodes := make([]C.TSNode, n)
	got := int(C.threatls_children(c.node, (*C.flat_node)(unsafe.Pointer(&info[0])), &nodes[0], C.uint32_t(n)))
	out := make([]Child, got)
	for i := range out {
		out[i] = Child{FlatNode: info[i], node: nodes[i]}
	}
	return out
}

// FlattenAt copies the subtree of c out of tree-sitter, as Flatten copies the whole tree: c
// is node 0 (its Field is kept, its Parent is -1).
func (t *Tree) FlattenAt(c Child) *Flat {
	f := t.flatten(c.node)
	if len(f.Nodes) > 0 {
		f.Nodes[0].Field = c.Field
	}
	return f
}

// KindOf returns the node type of c.
func (t *Tree) KindOf(c Child) string {
	kinds, _ := names(t.t.Language())
	if s := int(c.Sym); s < len(kinds) {
		return kinds[s]
	}
	return "ERROR"
}

// Symbols returns how many node kinds the tree's grammar has: the symbols of FlatNode.Sym.
func (f *Flat) Symbols() int { return len(f.kinds) }

// SymbolName returns the node kind of a symbol ("" for none).
func (f *Flat) SymbolName(s uint16) string {
	if int(s) < len(f.kinds) {
		return f.kinds[s]
	}
	return ""
}

// Kinds returns every node kind of grammar l (for a test that the kinds data names exist).
func Kinds(l Lang) ([]string, error) {
	sl, err := l.language()
	if err != nil {
		return nil, err
	}
	kinds, _ := names(sl)
	return kinds, nil
}

type langNames struct{ kinds, fields []string }

var nameCache = map[uintptr]langNames{}

// names returns the node kinds and field names of l, by ID.
func names(l *sitter.Language) ([]string, []string) {
	key := uintptr(unsafe.Pointer(l.Inner))
	languagesMu.Lock()
	defer languagesMu.Unlock()
	if n, ok := nameCache[key]; ok {
		return n.kinds, n.fields
	}
	kinds := make([]string, l.NodeKindCount())
	for i := range kinds {
		kinds[i] = l.NodeKindForId(uint16(i))
	}
	fields := make([]string, l.FieldCount()+1)
	for i := 1; i < len(fields); i++ {
		fields[i] = l.FieldNameForId(uint16(i))
	}
	nameCache[key] = langNames{kinds, fields}
	return kinds, fields
}
