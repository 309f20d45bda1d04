package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// writeOutput streams what write writes to where a command's output goes: stdout, or the
// file --output names. Nothing is held whole in memory (a report of 20,000 files is tens of
// megabytes, and it was built in a buffer, then copied). A regular file is written beside
// its final name and renamed into place only once write succeeded and the file was closed,
// so a failed command never leaves half a report where a whole one was; anything else that
// output names (/dev/stdout, a pipe), or a file in a directory where no new file can be made,
// is written in place.
func writeOutput(cmd *cobra.Command, output string, write func(io.Writer) error) error {
	if output == "" {
		bw := bufio.NewWriterSize(cmd.OutOrStdout(), 64<<10)
		err := write(bw)
		if ferr := bw.Flush(); err == nil {
			err = ferr
		}
		return err
	}
	if fi, err := os.Stat(output); err == nil && !fi.Mode().IsRegular() {
		f, err := os.OpenFile(output, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return err
		}
		return closeAfter(f, write)
	}
	// O_EXCL: the name is this process's alone; the mode is a new file's, under the umask.
	tmp := fmt.Sprintf("%s.%d.tmp", output, os.Getpid())
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		// A directory that takes no new file may still hold a file that can be written.
		if f, err := os.Create(output); err == nil {
			return closeAfter(f, write)
		}
		return fmt.Errorf("write %s: %w", output, err)
	}
	if err := closeAfter(f, write); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, output); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// closeAfter runs write on f through a buffer and closes f, returning the first error: a
// full disk often shows only when the last bytes are flushed or the file is closed.
func closeAfter(f *os.File, write func(io.Writer) error) error {
	bw := bufio.NewWriterSize(f, 64<<10)
	err := write(bw)
	if err == nil {
		err = bw.Flush()
	}
	return errors.Join(err, f.Close())
}
