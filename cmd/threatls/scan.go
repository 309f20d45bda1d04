package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/threatls/threatls/model"
	"github.com/threatls/threatls/report"
)

func newScan(g *globals) *cobra.Command {
	var (
		format, output, failOn  string
		showSuppressed, noColor bool
		maxFileSize             int64
		aiOn                    aiFlags
		flt                     filters
	)
	cmd := &cobra.Command{
		Use:   "scan [PATH]",
		Short: "Report the threats of a directory or file",
		Long: `scan analyses every file threatls reads under PATH (default: the current directory) and
reports the threats found: file:line:col, threat ID, severity, STRIDE category and a message
naming the resource. Accepted risks (# threatls:ignore ID reason) are not shown unless
--show-suppressed is given.

Filters: --exclude GLOB (repeatable) and .gitignore (unless --no-gitignore; as in git, it
leaves out untracked files only) leave files out; --min-severity, --threats ID,... and --skip ID,... leave findings out; --compact prints
one line per finding. Their defaults come from the scan: section of the nearest threatls.yaml
(the scanned directory's or a parent's): exclude, gitignore, min_severity, threats, skip,
fail_on. With --baseline FILE (an earlier scan --format json) only the findings new since
then are reported, and --fail-on counts those only. A file given alone is analysed with its
whole project (the nearest directory with a threatls.yaml or a .git), and only its findings
are reported.

Exit status: 0 when no finding reaches --fail-on (or --fail-on is not set), 1 when one does,
2 when the scan could not run.`,
		Example: `  threatls scan testdata/examples/aws-shop
  threatls scan --format sarif --output threatls.sarif .
  threatls scan --fail-on high .`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "."
			if len(args) == 1 {
				path = args[0]
			}
			if err := flt.resolve(path); err != nil {
				return err
			}
			if failOn == "" {
				failOn = flt.settings.FailOn
			}
			g.ignore = flt.ignorer
			var threshold model.Severity
			if failOn != "" {
				s, ok := model.ParseSeverity(failOn)
				if !ok {
					return fmt.Errorf("--fail-on %q: want critical, high, medium, low or info", failOn)
				}
				threshold = s
			}
			if format != "text" && format != "json" && format != "sarif" {
				return fmt.Errorf("--format %q: want text, json or sarif", format)
			}
			ws, err := load(cmd, g, "scan", path, maxFileSize)
			if err != nil {
				return err
			}
			res, lib := ws.result(), ws.eng.Library()
			aiOn.enrich(cmd, g, ws, scanConfig(maxFileSize), &res)
			if res, err = flt.apply(res); err != nil {
				return err
			}
			color := !noColor && output == "" && isTerminal(os.Stdout) && os.Getenv("NO_COLOR") == ""
			err = writeOutput(cmd, output, func(w io.Writer) error {
				switch format {
				case "json":
					return report.JSON(w, res, lib)
				case "sarif":
					return report.SARIF(w, res, lib, versionString())
				}
				return report.Text(w, res, lib, report.TextOptions{ShowSuppressed: showSuppressed, Color: color, Compact: flt.compact})
			})
			if err != nil {
				return fmt.Errorf("write %s report: %w", format, err)
			}
			if threshold != "" {
				if code := report.ExitCode(res, threshold); code != 0 {
					return exitError{code}
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&format, "format", "f", "text", "output format: text, json or sarif")
	f.StringVarP(&output, "output", "o", "", "write the report to this file instead of stdout")
	f.StringVar(&failOn, "fail-on", "", "exit with status 1 if a finding of this severity or worse is shown: critical, high, medium, low, info")
	f.BoolVar(&showSuppressed, "show-suppressed", false, "also list accepted risks (text format)")
	f.BoolVar(&noColor, "no-color", false, "never colour the text report")
	f.Int64Var(&maxFileSize, "max-file-size", 0, "skip files larger than this many bytes (default 5 MiB)")
	aiOn.add(f, "ai", "enrich each finding with an LLM's explanation and a verified fix (off by default; never changes the findings or the exit code)")
	flt.register(cmd)
	return cmd
}

// result is what scan reports: the findings of the workspace, or only those of the file
// the user named.
func (w *workspace) result() report.Result {
	res := report.Result{Root: w.display, Source: w.source}
	for _, key := range w.snap.Files() {
		if f := w.snap.File(key); f.Analyzed && (w.only == "" || key == w.only) {
			res.Files++
		}
	}
	for _, f := range w.snap.Findings() {
		if w.only == "" || f.Span.File == w.only {
			res.Findings = append(res.Findings, f)
		}
	}
	res.Skipped = w.snap.Skipped()
	return res
}

// progress draws a progress bar on stderr when it is a terminal.
func progress(w io.Writer) func(done, total int) {
	f, ok := w.(*os.File)
	if !ok || !isTerminal(f) {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total int) {
		if bar == nil {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(f),
				progressbar.OptionSetDescription("scanning"), progressbar.OptionShowCount(),
				progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100*time.Millisecond))
		}
		_ = bar.Set(done)
		if done == total {
			_ = bar.Finish()
		}
	}
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
