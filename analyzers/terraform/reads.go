package terraform

import "github.com/threatls/threatls/model"

// A module's elements are a function of what its build read: the arguments it looked up by
// name, the references of every argument (index), and where each block is. The build
// records the first as it goes (attr, readAll); after a keystroke that changed only arguments
// it never read and that refer to nothing, the last elements are what a build would make
// again, moved to where their blocks now are (see reuse.go). A keystroke in a description, a
// comment or a blank line of a 15,000-resource module re-linked all of it.

// top names a top-level block where a build cannot mistake it after an edit that leaves the
// blocks of its file as they were (the same blocks, in the same order): its file and its
// place among the file's blocks.
type topRef struct {
	file string
	i    int
}

// readKey is an argument a build looked up: by name, anywhere in the top-level block (in a
// nested block too), or "*" for every argument of it.
type readKey struct {
	topRef
	name string
}

// readLog is what one build of a module read.
type readLog struct {
	// of maps every block of the module, nested ones and those expand made, to its top-level
	// block.
	of   map[*Block]topRef
	read map[readKey]struct{}
	// unknown is set when the build read a block it cannot name (an override's merge): its
	// reads are not known, and its elements are never taken over.
	unknown bool
}

// logMin is how many blocks a module's files hold at least for its builds to log what they
// read: a smaller module is built again in less time than the log costs to keep (memory for
// every argument read, in every module of a workspace of thousands).
var logMin = 1000

// logged reports whether the builds of a module of files log what they read.
func logged(files []*model.FileFacts) bool {
	n := 0
	for _, f := range files {
		if raw, ok := f.RawFacts().(*Raw); ok {
			n += len(raw.Blocks)
		}
	}
	return n >= logMin
}

// kept returns what l keeps once its build is done (nil for none): what was read, not the
// blocks (which would keep every version's facts alive).
func (l *readLog) kept() *readLog {
	if l == nil {
		return nil
	}
	l.of = nil
	return l
}

func newReadLog() *readLog {
	return &readLog{of: map[*Block]topRef{}, read: map[readKey]struct{}{}}
}

// register records b and its nested blocks as parts of t.
func (l *readLog) register(b *Block, t topRef, depth int) {
	if l == nil || b == nil || depth > maxDepth {
		return
	}
	l.of[b] = t
	for _, c := range b.Blocks {
		l.register(c, t, depth+1)
	}
}

// derive records that made, a block expand made from b, says what b says.
func (l *readLog) derive(made, b *Block) {
	if l == nil {
		return
	}
	if t, ok := l.of[b]; ok {
		l.of[made] = t
	}
}

func (l *readLog) note(b *Block, name string) {
	if l == nil || b == nil {
		return
	}
	t, ok := l.of[b]
	if !ok {
		l.unknown = true
		return
	}
	l.read[readKey{t, name}] = struct{}{}
}

// attr returns b's argument name (b.Attr), recording that the build read it.
func (m *module) attr(b *Block, name string) *Attribute {
	m.log.note(b, name)
	return b.Attr(name)
}

// readAll records that the build reads every argument of b.
func (m *module) readAll(b *Block) { m.log.note(b, "*") }

// wasRead reports whether the build read argument name of t.
func (l *readLog) wasRead(t topRef, name string) bool {
	if l.unknown {
		return true
	}
	_, one := l.read[readKey{t, name}]
	_, all := l.read[readKey{t, "*"}]
	return one || all
}
