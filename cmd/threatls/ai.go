package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/threatls/threatls/ai"
	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/model"
	"github.com/threatls/threatls/report"
)

// aiFlags turn AI enrichment on for one run and configure it. Unset flags fall back to the
// environment (OPENAI_API_KEY, OPENAI_BASE_URL, THREATLS_AI_MODEL, OPENAI_API_VERSION), then
// to the defaults.
type aiFlags struct {
	on bool
	s  ai.Settings
}

// add registers the flags; name is the switch (--ai, or --ai-review for model).
func (a *aiFlags) add(f *pflag.FlagSet, name, usage string) {
	f.BoolVar(&a.on, name, false, usage)
	f.StringVar(&a.s.Model, "ai-model", "", "model, or Azure deployment (default $THREATLS_AI_MODEL, then "+ai.DefaultModel+")")
	f.StringVar(&a.s.BaseURL, "ai-base-url", "", "OpenAI-compatible endpoint (default $OPENAI_BASE_URL, then "+ai.DefaultBaseURL+")")
	f.StringVar(&a.s.APIVersion, "ai-api-version", "", "Azure OpenAI API version, which selects Azure's API (default $OPENAI_API_VERSION)")
	f.StringVar(&a.s.KeyFile, "ai-key-file", "", "file holding the API key, outside the repository (default: $OPENAI_API_KEY)")
	f.IntVar(&a.s.Budget, "ai-budget", 0, fmt.Sprintf("most requests this run sends, retries included (default %d)", ai.DefaultBudget))
	f.IntVar(&a.s.Concurrency, "ai-concurrency", 0, fmt.Sprintf("most requests in flight at once (default %d)", ai.DefaultConcurrency))
	f.IntVar(&a.s.TimeoutSeconds, "ai-timeout", 0, fmt.Sprintf("seconds to wait for one answer (default %d)", int(ai.DefaultTimeout.Seconds())))
}

// service makes this run's AI session for the workspace at root.
func (a *aiFlags) service(g *globals, eng *engine.Engine, root string) (*ai.Service, error) {
	cfg, err := ai.Resolve(a.s, nil, root)
	if err != nil {
		return nil, err
	}
	return ai.New(cfg, eng, g.log), nil
}

// enrich adds AI enrichment to the findings of res (scan --ai): the findings of the library's
// threats that are shown, the most severe first, each fingerprint once, within the budget.
// Whatever fails — the configuration included — becomes each finding's note and a line on
// stderr; the findings, their count and the exit code stay those of the scan without --ai.
func (a *aiFlags) enrich(cmd *cobra.Command, g *globals, w *workspace, ecfg engine.Config, res *report.Result) {
	if !a.on {
		return
	}
	var todo []model.Finding
	seen := map[string]bool{}
	for _, f := range res.Findings {
		if f.Suppressed != nil || w.eng.Library().Threat(f.ThreatID) == nil || seen[f.Fingerprint] {
			continue
		}
		seen[f.Fingerprint] = true
		todo = append(todo, f)
	}
	sort.SliceStable(todo, func(i, j int) bool { return todo[i].Severity.Rank() > todo[j].Severity.Rank() })
	out := make(map[string]*report.Enrichment, len(todo))
	res.Enrichment = func(f model.Finding) *report.Enrichment { return out[f.Fingerprint] }
	svc, err := a.service(g, w.eng, w.root)
	if err != nil {
		fmt.Fprintln(cmd.ErrOrStderr(), "threatls: ai:", err)
		for _, f := range todo {
			out[f.Fingerprint] = &report.Enrichment{Error: "AI is not configured: " + err.Error()}
		}
		return
	}
	defer svc.Close()
	cfg := svc.Config()
	results := make([]ai.Enrichment, len(todo))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range max(1, cfg.Concurrency) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] = svc.Enrich(cmd.Context(), w.snap, ecfg, todo[i])
			}
		}()
	}
	for i := range todo {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	var cached, failed int
	for i, e := range results {
		out[todo[i].Fingerprint] = toReport(e)
		switch {
		case e.Error != "":
			failed++
		case e.Cached:
			cached++
		}
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "threatls: ai: %d findings enriched by %s (%d from the cache), %d without enrichment\n",
		len(todo)-failed, cfg.Model, cached, failed)
}

// scanConfig is the engine configuration load uses for a maxFileSize flag.
func scanConfig(maxFileSize int64) engine.Config {
	cfg := engine.DefaultConfig()
	if maxFileSize > 0 {
		cfg.MaxFileSize = maxFileSize
	}
	return cfg
}

func toReport(e ai.Enrichment) *report.Enrichment {
	r := &report.Enrichment{Model: e.Model, Text: e.Text, Cached: e.Cached, Error: e.Error}
	if e.Fix != nil {
		r.Fix = &report.EnrichmentFix{Verified: e.Fix.Verified, Reason: e.Fix.Reason, File: e.Fix.File, Line: e.Fix.Line, Diff: e.Fix.Diff}
	}
	return r
}

// newAI is `threatls ai`: what AI enrichment sends, and its cache.
func newAI(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ai",
		Short: "Inspect AI enrichment: the request it would send, its cache",
		Long: `AI enrichment is off unless turned on (scan --ai, explain --ai, model --ai-review, or the
editor's threatls.ai.enabled). These commands send nothing.`,
	}
	var flags aiFlags
	var root string
	preview := &cobra.Command{
		Use:   "preview FILE:LINE",
		Short: "Print exactly the request AI enrichment would send for the findings on a line",
		Long: `preview prints, for each finding on the line, the request that AI enrichment would send:
the endpoint, how the key is passed (never the key), and the JSON body with its secrets
already replaced by placeholders. Nothing is sent.`,
		Example: "  threatls ai preview k8s/api.yaml:23",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file, line, ok := splitFileLine(args[0])
			if !ok {
				return fmt.Errorf("%q: want FILE:LINE", args[0])
			}
			lw, err := loadAround(cmd, g, file, root)
			if err != nil {
				return err
			}
			fs, err := lw.findingsOn(line)
			if err != nil {
				return err
			}
			cfg, err := ai.Resolve(flags.s, nil, lw.root)
			if err != nil && !errors.Is(err, ai.ErrNoKey) {
				return err
			}
			out := cmd.OutOrStdout()
			for i, f := range fs {
				req, err := ai.BuildRequest(lw.eng, lw.snap, f, cfg)
				if err != nil {
					return err
				}
				body, err := req.Body()
				if err != nil {
					return err
				}
				var pretty bytes.Buffer
				if err := json.Indent(&pretty, body, "", "  "); err != nil {
					return err
				}
				if i > 0 {
					fmt.Fprintln(out)
				}
				fmt.Fprintf(out, "# %s at %s: %d secret(s) replaced by placeholders, %d bytes\n", f.ThreatID, f.Span, req.Redactions(), len(body))
				fmt.Fprintf(out, "POST %s\n%s\nContent-Type: application/json\n\n%s\n", cfg.Endpoint(), cfg.Auth(), pretty.String())
			}
			return nil
		},
	}
	flags.add(preview.Flags(), "ai", "ignored: preview never sends")
	preview.Flags().StringVar(&root, "root", "", "the workspace root (default: the nearest directory above FILE with .git or threatls.yaml)")

	var clear bool
	var cacheDir string
	cache := &cobra.Command{
		Use:   "cache",
		Short: "Show where AI answers are cached, or clear the cache",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir := cacheDir
			if dir == "" {
				dir = os.Getenv("THREATLS_CACHE_DIR")
			}
			if dir == "" {
				dir = ai.DefaultCacheDir()
			}
			if clear {
				if err := ai.NewCache(dir).Clear(); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "cleared %s\n", dir)
				return nil
			}
			entries, err := os.ReadDir(dir)
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d cached answers\n", dir, len(entries))
			return nil
		},
	}
	cache.Flags().BoolVar(&clear, "clear", false, "delete every cached answer")
	cache.Flags().StringVar(&cacheDir, "dir", "", "the cache directory (default $THREATLS_CACHE_DIR, then "+ai.DefaultCacheDir()+")")
	cmd.AddCommand(preview, cache)
	return cmd
}

// writeJSON writes v indented, as every JSON output of the command line.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
