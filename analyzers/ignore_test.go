package analyzers

import (
	"testing"

	"github.com/threatls/threatls/model"
)

func TestLineIgnores(t *testing.T) {
	src := []byte("services:\n  # threatls:ignore MODEL-AUTHN-001 internal tool\n  admin:\n    image: x\n  web:\n    image: y # threatls:ignore MODEL-X-1,MODEL-X-2 until=2030-01-01 ok\n  url: http://a#threatls:ignore NOT-ONE\n  # threatls:ignore\n")
	starts := []int{0}
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	def := func(l0, l1 int) model.Span { // lines l0..l1, whole
		return model.Span{File: "c.yaml", Start: model.At(starts[l0], l0, 0), End: model.At(starts[l1+1]-1, l1, 0)}
	}
	defs := []model.Span{def(2, 3), def(4, 5)}
	igs, probs := LineIgnores(src, "c.yaml", []string{"#"}, defs)
	if len(igs) != 3 {
		t.Fatalf("ignores = %+v", igs)
	}
	if igs[0].ThreatID != "MODEL-AUTHN-001" || igs[0].Reason != "internal tool" || igs[0].Target != defs[0] || igs[0].Span.Start.Line != 1 {
		t.Errorf("comment above a definition: %+v", igs[0])
	}
	if igs[1].ThreatID != "MODEL-X-1" || igs[2].ThreatID != "MODEL-X-2" || igs[1].Until != "2030-01-01" || igs[1].Target != defs[1] {
		t.Errorf("trailing comment: %+v %+v", igs[1], igs[2])
	}
	if len(probs) != 1 || probs[0].Span.Start.Line != 7 {
		t.Errorf("an ignore without an ID is a problem on its line: %+v", probs)
	}
}
