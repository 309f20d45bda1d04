// Command heapfrag reads a heap dump (runtime/debug.WriteHeapDump, written after a
// collection) and says, by object size, how much of the heap's pages the live objects fill:
// where a heap in use larger than what is live comes from.
//
//	go test -run '^$' -bench 'Scale/files=5000$/load' -benchtime 1x ./engine/ -args -scale=5000 -scale.heapdump /tmp/dump
//	go run ./measure/heapfrag /tmp/dump-5000
//
// The pages of an object size are those its live objects touch, 8 KB each: a page only
// garbage shared with them is counted as theirs (for the few sizes whose spans are several
// pages, a wholly empty page of a span is not, so their waste is a lower bound).
package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

// The records of a dump (runtime/heapdump.go) that come before and among its objects.
const (
	tagObject = 1
	tagType   = 3
	tagParams = 6
	tagItab   = 8
	header    = "go1.7 heap dump\n"
	pageShift = 13
)

// class is what the dump says of the live objects of one size.
type class struct {
	size, objects, live, pages uint64
}

func (c class) waste() uint64 { return c.pages<<pageShift - c.live }

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: heapfrag DUMP")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "heapfrag:", err)
		os.Exit(1)
	}
	defer f.Close()
	classes, err := read(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		fmt.Fprintln(os.Stderr, "heapfrag:", err)
		os.Exit(1)
	}
	report(os.Stdout, classes, 25)
}

// read returns the live objects of the dump by size.
func read(r *bufio.Reader) ([]class, error) {
	hdr := make([]byte, len(header))
	if _, err := io.ReadFull(r, hdr); err != nil || string(hdr) != header {
		return nil, errors.New("not a heap dump of this Go (its header is not " + fmt.Sprintf("%q", header) + ")")
	}
	var err error
	u := func() uint64 {
		if err != nil {
			return 0
		}
		var v uint64
		v, err = binary.ReadUvarint(r)
		return v
	}
	skip := func(n uint64) {
		if err == nil {
			_, err = r.Discard(int(n))
		}
	}
	type acc struct {
		objects, live uint64
		pages         map[uint64]struct{}
	}
	by := map[uint64]*acc{}
	for err == nil {
		switch tag := u(); tag {
		case tagParams: // endianness, pointer size, arena start and end, GOARCH, version, CPUs
			u()
			u()
			u()
			u()
			skip(u())
			skip(u())
			u()
		case tagType: // address, size, name, whether stored indirectly
			u()
			u()
			skip(u())
			u()
		case tagItab:
			u()
			u()
		case tagObject: // address, contents, pointer fields up to a 0
			addr, size := u(), u()
			skip(size)
			for u() != 0 && err == nil {
				u()
			}
			a := by[size]
			if a == nil {
				a = &acc{pages: map[uint64]struct{}{}}
				by[size] = a
			}
			a.objects++
			a.live += size
			for p := addr >> pageShift; size > 0 && p <= (addr+size-1)>>pageShift; p++ {
				a.pages[p] = struct{}{}
			}
		default: // the goroutines, threads and roots that follow the objects
			out := make([]class, 0, len(by))
			for size, a := range by {
				out = append(out, class{size: size, objects: a.objects, live: a.live, pages: uint64(len(a.pages))})
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("reading the dump: %w", err)
}

// report writes the totals and the top sizes by waste.
func report(w io.Writer, classes []class, top int) {
	sort.Slice(classes, func(i, j int) bool { return classes[i].waste() > classes[j].waste() })
	var live, held, small uint64
	for _, c := range classes {
		live += c.live
		held += c.pages << pageShift
		if c.size <= 512 {
			small += c.waste()
		}
	}
	fmt.Fprintf(w, "live %.1f MB in %.1f MB of pages: %.1f MB unused (%.0f%%), of it %.1f MB among objects of 512 bytes or less\n",
		mb(live), mb(held), mb(held-live), 100*float64(held-live)/float64(max(1, held)), mb(small))
	fmt.Fprintf(w, "%8s %10s %10s %10s %10s\n", "size", "objects", "live MB", "pages MB", "unused MB")
	for _, c := range classes[:min(top, len(classes))] {
		fmt.Fprintf(w, "%8d %10d %10.1f %10.1f %10.1f\n", c.size, c.objects, mb(c.live), mb(c.pages<<pageShift), mb(c.waste()))
	}
}

func mb(b uint64) float64 { return float64(b) / 1e6 }
