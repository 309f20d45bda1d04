package terraform_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/threatls/threatls/analyzers/terraform"
	"github.com/threatls/threatls/model"
)

// A Link costs the modules it is given, not those the analyzer linked before: the engine links
// one unit at a time (a directory, or those module calls join), and a load of 40,000 files
// links thousands of them. Link copied its cache of every module on each call: 0.8 CPU-seconds
// of such a load (46.8 s on 2 cores), a cost that grew with the square of the workspace.
func TestLinkCostsItsModules(t *testing.T) {
	src := []byte("resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n")
	one := extractSrc(t, "edited/main.tf", src)
	// allocated returns the bytes a Link of one module allocates once the analyzer has linked
	// that many others, one call each.
	allocated := func(linked int) uint64 {
		a := terraform.New()
		for i := range linked {
			a.Link([]*model.FileFacts{extractSrc(t, fmt.Sprintf("m%d/main.tf", i), src)})
		}
		a.Link([]*model.FileFacts{one})
		edited := extractSrc(t, "edited/main.tf", append([]byte("# edited\n"), src...))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		a.Link([]*model.FileFacts{edited})
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	few, many := allocated(4), allocated(4000)
	if many > 2*few {
		t.Errorf("a Link of one module allocated %d bytes after 4,000 other modules were linked, %d after 4", many, few)
	}
}
