//go:build !linux

package parse

// ReturnMemory gives the C memory of the trees closed since back to the system where the C
// allocator keeps it (glibc): on this system, nothing to do.
func ReturnMemory() {}
