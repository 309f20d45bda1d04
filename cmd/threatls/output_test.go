package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// --output is written whole or not at all: a report that fails half-way leaves the previous
// report as it was and no stray file beside it; one that succeeds replaces it; a device or a
// pipe named by --output is written in place, never replaced.
func TestOutputIsWholeOrUntouched(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "report.json")
	if err := os.WriteFile(out, []byte("the previous report\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := &cobra.Command{}
	failed := errors.New("the disk is full")
	err := writeOutput(cmd, out, func(w io.Writer) error {
		io.WriteString(w, strings.Repeat("half a report ", 10_000)) // more than the buffer
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("a failed write returned %v, want its error", err)
	}
	if b, _ := os.ReadFile(out); string(b) != "the previous report\n" {
		t.Errorf("a failed write changed the output to %d bytes: %.40q", len(b), b)
	}
	if names, _ := os.ReadDir(dir); len(names) != 1 {
		t.Errorf("a failed write left %d files in the directory, want the report alone", len(names))
	}

	if err := writeOutput(cmd, out, func(w io.Writer) error {
		_, err := io.WriteString(w, "the new report\n")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); string(b) != "the new report\n" {
		t.Errorf("the output is %q after a successful write", b)
	}

	if err := writeOutput(cmd, os.DevNull, func(w io.Writer) error {
		_, err := io.WriteString(w, "discarded\n")
		return err
	}); err != nil {
		t.Fatalf("--output %s: %v", os.DevNull, err)
	}
	if fi, err := os.Stat(os.DevNull); err != nil || fi.Mode().IsRegular() {
		t.Fatalf("%s is no longer a device: %v %v", os.DevNull, fi, err)
	}
}

// Where no file can be made beside the output (here: its name is as long as a name can be,
// and the temporary name would be longer), the output is written in place, as it always was.
func TestOutputInPlaceWhenNothingBeside(t *testing.T) {
	out := filepath.Join(t.TempDir(), strings.Repeat("r", 250)+".json")
	err := writeOutput(&cobra.Command{}, out, func(w io.Writer) error {
		_, err := io.WriteString(w, "the report\n")
		return err
	})
	if err != nil {
		t.Fatalf("--output with a name of 255 bytes: %v", err)
	}
	if b, _ := os.ReadFile(out); string(b) != "the report\n" {
		t.Errorf("the output holds %q", b)
	}
}
