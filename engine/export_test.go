package engine

import (
	"testing"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/all"
	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// SetLoadBatch sets how many files a first load reads before it makes their model
// (loadBatch), and returns what restores it.
func SetLoadBatch(n int) (restore func()) {
	was := loadBatch
	loadBatch = n
	return func() { loadBatch = was }
}

// Evaluated returns how many elements e has evaluated the library over, in every workspace.
func Evaluated(e *Engine) int64 { return e.evaluated.Load() }

// PanickyJoins returns an engine of the built-in analyzers whose Terraform Joins panics for the
// facts panics says so of: the engine recovers the panics of Extract and Link, not those of
// the rest of an update.
func PanickyJoins(tb testing.TB, panics func(ff *model.FileFacts) bool) *Engine {
	lib, err := knowledge.Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	as := all.Analyzers()
	for i, a := range as {
		if a.Name() == "terraform" {
			as[i] = &joinsPanic{a, panics}
		}
	}
	return New(lib, as, nil)
}

// joinsPanic is an analyzer whose Joins panics for the facts panics says so of. It is used by
// pointer: the engine compares analyzers, and a struct with a func is not comparable.
type joinsPanic struct {
	analyzers.Analyzer
	panics func(ff *model.FileFacts) bool
}

func (j *joinsPanic) Scope(p string) string { return j.Analyzer.(analyzers.Scoper).Scope(p) }

func (j *joinsPanic) Joins(ff *model.FileFacts) []string {
	if j.panics(ff) {
		panic("joins of " + ff.File)
	}
	return j.Analyzer.(analyzers.Joiner).Joins(ff)
}

func (j *joinsPanic) Clone() analyzers.Analyzer {
	return &joinsPanic{j.Analyzer.(analyzers.Cloner).Clone(), j.panics}
}
