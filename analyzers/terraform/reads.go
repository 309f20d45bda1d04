package terraform

import "github.com/threatls/threatls/model"

// A module's elements are a function of what its build read: the arguments it looked up by
// name, the references of every argument (index), and where each block is. The build
// records the first as it goes (attr, readAll); after a keystroke that changed only arguments
// it never read and that refer to nothing, the last elements are what a build would make
// again, moved to where their blocks now are (see reuse.go). A keystroke in a description, a
// comment or a blank line of a 15,000-resource module re-linked all of it.

// topRef names a top-level block where a build cannot mistake it after an edit that leaves
// the blocks of its file as they were (the same blocks, in the same order): its file and its
// place among the file's blocks.
type topRef struct {
	file string
	i    int
}

// readLog is what one build of a module read: for each top-level block, the names of the
// arguments it looked up anywhere in it (in a nested block too), "*" for every one. A log of
// keys (block, name) in a map made a build of 15,000 resources cost 60% more; this one costs
// a pointer lookup and a scan of a few names per argument read.
type readLog struct {
	// of maps every block of the module, nested ones and those expand made, to the index of
	// its top-level block; first maps each file to the index of its first block.
	of    map[*Block]int32
	first map[string]int32
	reads [][]string
	// last is the block read last, and lastI its top-level block's index: a builder reads
	// several arguments of a block in a row.
	last  *Block
	lastI int32
	// unknown is set when the build read a block it cannot name (an override's merge): its
	// reads are not known, and its elements are never taken over.
	unknown bool
}

// logMin is how many blocks a module's files hold at least for its builds to log what they
// read: a smaller module is built again in less time than the log costs to keep (memory for
// every argument read, in every module of a workspace of thousands).
var logMin = 1000

// logged reports whether the builds of a module of files log what they read.
func logged(files []*model.FileFacts) (blocks int, ok bool) {
	for _, f := range files {
		if raw, ok := f.RawFacts().(*Raw); ok {
			blocks += len(raw.Blocks)
		}
	}
	return blocks, blocks >= logMin
}

// kept returns what l keeps once its build is done (nil for none): what was read, not the
// blocks (which would keep every version's facts alive).
func (l *readLog) kept() *readLog {
	if l == nil {
		return nil
	}
	l.of, l.last = nil, nil
	return l
}

func newReadLog(blocks int) *readLog {
	return &readLog{of: make(map[*Block]int32, 2*blocks), first: map[string]int32{}, reads: make([][]string, 0, blocks)}
}

// add records b, the next top-level block of file, and its nested blocks.
func (l *readLog) add(file string, b *Block) {
	if l == nil {
		return
	}
	i := int32(len(l.reads))
	if _, ok := l.first[file]; !ok {
		l.first[file] = i
	}
	l.reads = append(l.reads, nil)
	l.register(b, i, 0)
}

func (l *readLog) register(b *Block, i int32, depth int) {
	if b == nil || depth > maxDepth {
		return
	}
	l.of[b] = i
	for _, c := range b.Blocks {
		l.register(c, i, depth+1)
	}
}

// derive records that made, a block expand made from b, says what b says.
func (l *readLog) derive(made, b *Block) {
	if l == nil {
		return
	}
	if i, ok := l.of[b]; ok {
		l.of[made] = i
	}
}

func (l *readLog) note(b *Block, name string) {
	if l == nil || b == nil {
		return
	}
	i := l.lastI
	if b != l.last {
		var ok bool
		if i, ok = l.of[b]; !ok {
			l.unknown = true
			return
		}
		l.last, l.lastI = b, i
	}
	for _, n := range l.reads[i] {
		if n == name {
			return
		}
	}
	l.reads[i] = append(l.reads[i], name)
}

// attr returns b's argument name (b.Attr), recording that the build read it. An argument
// looked up and absent is not recorded: one typed where there was none changes what the
// block holds, and the module is built again (see pairing.block).
func (m *module) attr(b *Block, name string) *Attribute {
	a := b.Attr(name)
	if a != nil {
		m.log.note(b, name)
	}
	return a
}

// readAll records that the build reads every argument of b.
func (m *module) readAll(b *Block) { m.log.note(b, "*") }

// wasRead reports whether the build read argument name of t.
func (l *readLog) wasRead(t topRef, name string) bool {
	first, ok := l.first[t.file]
	if l.unknown || !ok || int(first)+t.i >= len(l.reads) {
		return true
	}
	for _, n := range l.reads[int(first)+t.i] {
		if n == name || n == "*" {
			return true
		}
	}
	return false
}
