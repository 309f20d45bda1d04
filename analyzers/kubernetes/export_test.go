package kubernetes

import "github.com/threatls/threatls/model"

// FixWhole is Fix reading the whole file, for tests that compare the two.
func FixWhole(src []byte, el *model.Element, op model.FixOp) ([]model.TextEdit, error) {
	return fixIn(src, 0, len(src), el, op)
}
