// Command threatls keeps a threat model of a repository: it reads infrastructure code, infers
// the system it describes, and reports the threats that apply — in an editor (threatls serve,
// a language server) or in CI (threatls scan).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"

	"github.com/spf13/cobra"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/threatls/threatls/analyzers/all"
	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/knowledge"
)

// version is set at link time (-ldflags "-X main.version=v1.2.3"); otherwise the build
// info says (version.go).
var version = ""

func versionString() string { return buildInfo().String() }

// exitError carries an exit code without printing anything more.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := execute(ctx, newRoot(), os.Stderr)
	stop()
	os.Exit(code)
}

// execute runs the command line and returns its exit code. A panic is a bug of threatls (what
// a file does to an analyzer is a finding of the file): it ends the command with exit code 2,
// as an error does, and a message that says so, which version, and where, for a report.
func execute(ctx context.Context, root *cobra.Command, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "threatls: internal error: %v\n\n%s\nthreatls: this is a bug in threatls %s, not a problem of the files it read: please report it with the lines above.\n",
				r, debug.Stack(), versionString())
			code = 2
		}
	}()
	err := root.ExecuteContext(ctx)
	var ee exitError
	switch {
	case errors.As(err, &ee):
		return ee.code
	case err != nil:
		fmt.Fprintln(stderr, "threatls:", err)
		return 2
	}
	return 0
}

// globals are the flags every command shares.
type globals struct {
	logFile    string
	logLevel   string
	threatDirs []string
	log        *zap.Logger
	// ignore, when set, says what the workspace walk under root leaves out (scan's --exclude
	// and .gitignore).
	ignore func(root string) func(key string, dir bool) bool
	// notAnalysed is the severity of a file that could not be analysed (TLS-009), "" for the
	// default (high).
	notAnalysed string
	// cpuProfile and memProfile are where to write profiles of the command (--profile.cpu,
	// --profile.mem), for reports of slowness; stopProfile ends them.
	cpuProfile, memProfile string
	stopProfile            func()
}

func newRoot() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "threatls",
		Short: "Threat modeling from the code: threats where you type, and in CI",
		Long: `threatls reads infrastructure-as-code (Terraform for AWS today), infers the system it
describes — stores, components, network flows, trust zones — and reports the threats that
apply, each with the evidence, where it is in the source, and how to fix it.

  threatls scan .                 report the threats of the current directory
  threatls scan --format sarif .  the same, for GitHub code scanning
  threatls serve                  run the language server (your editor starts it)
  threatls rules                  list the threat library
  threatls explain AWS-S3-001     show what a threat is and how to fix it
  threatls explain k8s/api.yaml:23  how to fix the findings on that line, for that element

Nothing from the analysed files is ever executed, or sent anywhere unless you turn AI
enrichment on (--ai): then a redacted excerpt goes to the endpoint you chose.`,
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			log, err := newLogger(g.logFile, g.logLevel)
			if err != nil {
				return err
			}
			g.log = log
			stop, err := startProfiles(g.cpuProfile, g.memProfile)
			if err != nil {
				return err
			}
			g.stopProfile = stop
			batchGC(cmd)
			return nil
		},
	}
	root.PersistentFlags().StringVar(&g.logFile, "log-file", "", "write logs to this file instead of stderr")
	root.PersistentFlags().StringVar(&g.logLevel, "log-level", "warn", "log level: debug, info, warn, error")
	root.PersistentFlags().StringVar(&g.notAnalysed, "not-analysed-severity", "", "severity of a file of a format threatls reads that it could not analyse — too large, unreadable, a link out of the workspace (TLS-009; default high: a gate does not pass it)")
	root.PersistentFlags().StringVar(&g.cpuProfile, "profile.cpu", "", "write a CPU profile of the command to this file (pprof format)")
	root.PersistentFlags().StringVar(&g.memProfile, "profile.mem", "", "write a heap profile to this file when the command ends (pprof format)")
	root.PersistentFlags().StringSliceVar(&g.threatDirs, "threat-dir", nil, "directory of extra threat definitions (YAML, the library's format); repeatable")
	root.AddCommand(newScan(g), newServe(g), newRules(g), newExplain(g), newModel(g), newAI(g), newReport(g), newDiff(g), newVersion())
	root.SetVersionTemplate(buildInfo().long())
	// Profiles are written and logs flushed however a command ends: cobra's post-run hooks
	// run only after a success, and a scan that finds threats ends with an exit code.
	var finish func(*cobra.Command)
	finish = func(c *cobra.Command) {
		if run := c.RunE; run != nil {
			c.RunE = func(cmd *cobra.Command, args []string) error {
				defer g.finish()
				return run(cmd, args)
			}
		}
		for _, sub := range c.Commands() {
			finish(sub)
		}
	}
	finish(root)
	return root
}

// finish ends the profiles and flushes the log.
func (g *globals) finish() {
	if g.stopProfile != nil {
		g.stopProfile()
		g.stopProfile = nil
	}
	if g.log != nil {
		_ = g.log.Sync()
	}
}

// newLogger logs to stderr, or to a file; never to stdout, which belongs to the protocol and
// to reports.
func newLogger(file, level string) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	cfg := zap.NewProductionConfig()
	cfg.Level = zap.NewAtomicLevelAt(lvl)
	cfg.Encoding = "console"
	cfg.EncoderConfig = zap.NewDevelopmentEncoderConfig()
	cfg.Sampling = nil
	cfg.OutputPaths = []string{"stderr"}
	cfg.ErrorOutputPaths = []string{"stderr"}
	if file != "" {
		cfg.Encoding = "json"
		cfg.EncoderConfig = zap.NewProductionEncoderConfig()
		cfg.OutputPaths = []string{file}
	}
	log, err := cfg.Build()
	if err != nil {
		return nil, fmt.Errorf("logger: %w", err)
	}
	return log, nil
}

// library loads the built-in threats and the user's. A user entry that does not load is
// reported and left out; the rest works.
func (g *globals) library() (*knowledge.Library, error) {
	lib, errs := knowledge.LoadWith(g.threatDirs...)
	for _, err := range errs {
		g.log.Warn("threat library entry skipped", zap.Error(err))
		fmt.Fprintln(os.Stderr, "threatls: warning:", err)
	}
	if lib == nil {
		return nil, errors.New("the threat library could not be loaded")
	}
	return lib, nil
}

func (g *globals) engine() (*engine.Engine, error) {
	lib, err := g.library()
	if err != nil {
		return nil, err
	}
	return engine.New(lib, builtinAnalyzers(), g.log), nil
}

// builtinAnalyzers returns the analyzers the commands read workspaces with (a variable for
// tests).
var builtinAnalyzers = all.Analyzers

// batchGCPercent is the collector's target for the commands that read a workspace, write a
// report and end (Go's default is 100). A load interleaves what it keeps (facts, elements,
// findings) with many times as much garbage, and the collector never moves what it keeps;
// then the report's garbage grows the heap until the next collection. At 5,000 files a JSON
// scan peaked at 911 MB with the default and ~570 MB with 50, for ~5% more time. The server
// keeps the default: collecting as often during its first load left its keystrokes after
// the load at 20,000 files five times slower (p50 7 -> 40 ms through the protocol; why is not
// understood), and its memory is returned at the first pause anyway.
const batchGCPercent = 50

// batchGC sets batchGCPercent for every command but serve, unless GOGC is set.
func batchGC(cmd *cobra.Command) {
	if _, set := os.LookupEnv("GOGC"); set || cmd.Name() == "serve" {
		return
	}
	debug.SetGCPercent(batchGCPercent)
}
