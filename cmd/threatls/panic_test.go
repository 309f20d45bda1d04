package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/all"
	"github.com/threatls/threatls/model"
)

// panickyJoins is an analyzer whose Joins panics: the engine recovers what Extract and Link
// do, and raises a panic of Joins again in the Load that met it (a bug, not a file's doing).
type panickyJoins struct{ analyzers.Analyzer }

func (panickyJoins) Joins(*model.FileFacts) []string { panic("joins: index out of range") }

// A bug of threatls met while scanning ends the scan with exit code 2 and a message that
// says it is one, with the version and the stack for a report: not Go's bare panic, which
// says nothing of what to do, nor a gate that passes.
func TestScanPanicIsAnInternalError(t *testing.T) {
	defer func(was func() []analyzers.Analyzer) { builtinAnalyzers = was }(builtinAnalyzers)
	builtinAnalyzers = func() []analyzers.Analyzer {
		as := all.Analyzers()
		for i, a := range as {
			if a.Name() == "terraform" {
				as[i] = panickyJoins{a}
			}
		}
		return as
	}
	root := newRoot()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs([]string{"scan", "testdata/ws"})
	code := execute(context.Background(), root, &errOut)
	if code != 2 {
		t.Errorf("exit code %d, want 2", code)
	}
	msg := errOut.String()
	for _, want := range []string{"threatls: internal error: ", "joins: index out of range", "panic_test.go", "this is a bug in threatls"} {
		if !strings.Contains(msg, want) {
			t.Errorf("standard error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(out.String(), "findings") {
		t.Errorf("a scan that failed printed a result:\n%s", out.String())
	}
}
