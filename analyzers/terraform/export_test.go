package terraform

import "github.com/threatls/threatls/model"

// FixWhole is Fix on the parse of the whole file, for tests that compare the two.
func (a *Analyzer) FixWhole(src []byte, el *model.Element, op model.FixOp) ([]model.TextEdit, error) {
	return a.fixWhole(src, el, op)
}

// OwnLines is ownLines: the lines Fix parses for el, when not the whole file.
var OwnLines = ownLines
