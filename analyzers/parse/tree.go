package parse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// Tree is a syntax tree together with the text it was parsed from. Close it exactly once;
// extra calls are ignored (a double close in C would crash the process).
type Tree struct {
	Lang Lang
	Src  []byte
	t    *sitter.Tree
	once sync.Once
	// nul is where the first NUL byte of Src is and nuls how many it holds (see NUL).
	nul, nuls int
}

// NUL returns where the first NUL byte of the text is and how many the text holds (-1, 0
// for none). Each was read as a space: no format threatls reads allows one, tree-sitter's
// lexers take one for the end of the text (one NUL byte in the middle of a Python file lost
// what followed it), and the YAML decoder refuses a whole document for it. A Plain tree's Src
// holds the spaces (its analyzer reads Src); a parsed tree's Src is the text as it is.
func (t *Tree) NUL() (first, count int) {
	if t.nuls == 0 {
		return -1, 0
	}
	return t.nul, t.nuls
}

// withoutNUL returns src with its NUL bytes read as spaces (src itself when it holds none),
// where the first is and how many there are.
func withoutNUL(src []byte) (read []byte, first, n int) {
	first = bytes.IndexByte(src, 0)
	if first < 0 {
		return src, -1, 0
	}
	read = bytes.Clone(src)
	for i := first; i < len(read); i++ {
		if read[i] == 0 {
			read[i] = ' '
			n++
		}
	}
	return read, first, n
}

// Root returns the root node, or nil for a Plain tree. It is valid until Close.
func (t *Tree) Root() *Node {
	if t.t == nil {
		return nil
	}
	return t.t.RootNode()
}

// Close releases the tree's C memory.
func (t *Tree) Close() {
	t.once.Do(func() {
		if t.t != nil {
			t.t.Close()
		}
	})
}

// Text returns the source text of n.
func (t *Tree) Text(n *Node) string { return string(t.Src[n.StartByte():n.EndByte()]) }

// ErrBudget is the error of a parse that took longer than its Budget: some grammars' error
// recovery is exponential on some broken texts (the TSX grammar on a Python file), and a
// file must cost a problem, never a stalled server.
var ErrBudget = errors.New("the parse took too long")

// Budget is how long a parse of a text of n bytes may take: half a second, and two seconds
// per megabyte, of the parsing thread's CPU time where it can be read (Linux), else of wall
// time. Parsing runs at 3–25 MB/s (HCL the slowest, 3 MB/s on 2 cores), but a machine
// short of memory pages is slower: on ours, a 4.5 MB file the default size limit admits took
// 4–6 s to open in 2 of 8 runs (120,000 page faults) where it takes 1.5 s, and at a second
// per megabyte its parse gave up — the file then counts as not analysed. Error recovery that
// goes exponential takes minutes, not seconds: it is still stopped.
func Budget(n int) time.Duration {
	return 500*time.Millisecond + 2*time.Duration(n)*time.Microsecond
}

// readChunk is the most text a read of the parser is handed. go-tree-sitter copies what a read
// returns into C memory (and keeps the copy until the parse ends), and an incremental reparse
// reads again at every place it lexes anew: handing it the rest of the text each time copied
// a 5 MB file dozens of times per keystroke, more than the parse itself cost.
const readChunk = 64 << 10

// wallNow is the wall clock a parse's budget is checked against (tests move it).
var wallNow = time.Now

// handed counts the bytes handed to the parser's reads (tests read it).
var handed atomic.Int64

// Parse parses src from scratch. The context cancels a long parse: the result is then an error.
func Parse(ctx context.Context, l Lang, src []byte) (*Tree, error) {
	return parse(ctx, l, src, nil)
}

func parse(ctx context.Context, l Lang, src []byte, old *sitter.Tree) (*Tree, error) {
	if l == Plain {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("parse: %w", err)
		}
		read, nul, nuls := withoutNUL(src)
		return &Tree{Lang: l, Src: read, nul: nul, nuls: nuls}, nil
	}
	p, err := getParser(l)
	if err != nil {
		return nil, err
	}
	defer putParser(l, p)
	var cancelled, overrun atomic.Bool
	budget := Budget(len(src))
	deadline := wallNow().Add(budget)
	cpu0, cpuOK := time.Duration(-1), false
	opts := &sitter.ParseOptions{ProgressCallback: func(sitter.ParseState) bool {
		if ctx.Err() != nil {
			cancelled.Store(true)
			return true
		}
		if cpu0 < 0 {
			cpu0, cpuOK = threadCPU() // the callbacks run on the thread that parses
		}
		if wallNow().After(deadline) {
			// Wall time also passes for a parse the machine does not run (other work on
			// every core, a paused process): where the thread's CPU time can be read, only
			// what the parse itself used counts. A 2 KB file gave up after 500 ms of wall
			// time in a loaded CI run, and a fresh scan differed from an updated one.
			if cpu, ok := threadCPU(); cpuOK && ok && cpu-cpu0 < budget {
				deadline = wallNow().Add(budget - (cpu - cpu0))
				return false
			}
			overrun.Store(true)
			return true
		}
		return false
	}}
	n := len(src)
	read, nul, nuls := withoutNUL(src)
	t := p.ParseWithOptions(func(i int, _ sitter.Point) []byte {
		if i >= n {
			return nil
		}
		chunk := read[i:min(n, i+readChunk)]
		handed.Add(int64(len(chunk)))
		return chunk
	}, old, opts)
	if t == nil {
		if cancelled.Load() {
			return nil, fmt.Errorf("parse %s: %w", l, ctx.Err())
		}
		if overrun.Load() {
			return nil, fmt.Errorf("parse %s: %w: gave up after %s on a %d-byte text", l, ErrBudget, Budget(len(src)), len(src))
		}
		return nil, fmt.Errorf("parse %s: the parser gave up", l)
	}
	return &Tree{Lang: l, Src: src, t: t, nul: nul, nuls: nuls}, nil
}
