package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/threatls/threatls/report"
)

func newModel(g *globals) *cobra.Command {
	var (
		format, output string
		paths          bool
		maxFileSize    int64
		review         aiFlags
	)
	cmd := &cobra.Command{
		Use:   "model [PATH]",
		Short: "Export the system model: a diagram, JSON, OTM or Threagile, or its attack paths",
		Long: `model analyses every file threatls reads under PATH (default: the current directory; a
file stands for its directory) and writes the system it infers — components, stores, actors,
flows and trust zones — in one of these formats:

  mermaid    a Mermaid flowchart: zones as subgraphs, flows labelled with protocol, port,
             TLS and authentication; what is out of scope is dashed (the default)
  dot        the same as a Graphviz digraph: threatls model -f dot . | dot -Tsvg > model.svg
  json       every element, flow, zone, attack path and problem with its attributes and
             where each was read (docs/model-json.md)
  otm        an Open Threat Model 0.2 document (JSON), with the threats found and their
             mitigations
  threagile  a Threagile model (YAML)

--paths lists the attack paths instead, riskiest first, each hop with the controls it lacks
and where it is defined; with --format json, only the paths of the JSON document.

--ai-review asks an LLM (off by default; see threatls ai preview) for threats the library
does not cover — business logic, abuse cases — given the inferred system, redacted. It
writes them as suggestions to review, in the threat library's format, each tied to the IDs
of the elements it concerns; a suggestion citing an element the model does not have is
dropped. They become findings only once you adopt them: reviewed, in a directory you pass
with --threats DIR.

Locations are relative to the workspace root; nothing from the analysed files is executed.`,
		Example: `  threatls model testdata/examples/aws-shop > model.mmd
  threatls model --format otm -o shop.otm.json .
  threatls model --paths .`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "."
			if len(args) == 1 {
				path = args[0]
			}
			switch format {
			case "mermaid", "dot", "json", "otm", "threagile":
			default:
				return fmt.Errorf("--format %q: want mermaid, dot, json, otm or threagile", format)
			}
			if paths && cmd.Flags().Changed("format") && format != "json" {
				return fmt.Errorf("--paths lists the attack paths as text, or as JSON with --format json; not as %s", format)
			}
			w, err := load(cmd, g, "model", path, maxFileSize)
			if err != nil {
				return err
			}
			if review.on {
				return writeReview(cmd, g, w, &review, output)
			}
			opts := report.ModelOptions{Name: filepath.Base(w.root), Root: w.display, Source: w.source, Findings: w.snap.Findings()}
			graph := w.snap.Graph()
			err = writeOutput(cmd, output, func(out io.Writer) error {
				switch {
				case paths && format == "json":
					return report.PathsJSON(out, graph, opts)
				case paths:
					return report.Paths(out, graph, opts)
				case format == "mermaid":
					return report.Mermaid(out, graph)
				case format == "dot":
					return report.DOT(out, graph)
				case format == "json":
					return report.ModelJSON(out, graph, opts)
				case format == "otm":
					return report.OTM(out, graph, w.snap.Findings(), w.eng.Library(), opts)
				}
				return report.Threagile(out, graph, opts)
			})
			if err != nil {
				return fmt.Errorf("write the %s model: %w", format, err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&format, "format", "f", "mermaid", "output format: mermaid, dot, json, otm or threagile")
	f.StringVarP(&output, "output", "o", "", "write the model to this file instead of stdout")
	f.BoolVar(&paths, "paths", false, "list the attack paths, riskiest first (text, or JSON with --format json)")
	f.Int64Var(&maxFileSize, "max-file-size", 0, "skip files larger than this many bytes (default 5 MiB)")
	review.add(f, "ai-review", "ask an LLM for threats the library does not cover, written as suggestions (threat library YAML) to review")
	return cmd
}

// writeReview writes the suggestions of an AI review of the model (model --ai-review).
func writeReview(cmd *cobra.Command, g *globals, w *workspace, flags *aiFlags, output string) error {
	svc, err := flags.service(g, w.eng, w.root)
	if err != nil {
		return fmt.Errorf("--ai-review: %w", err)
	}
	defer svc.Close()
	r := svc.Review(cmd.Context(), w.snap)
	if r.Error != "" {
		return fmt.Errorf("--ai-review: %s (the model and its findings are unaffected)", r.Error)
	}
	y, err := r.YAML()
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "threatls: ai: %d suggestions from %s, %d dropped\n", len(r.Suggestions), r.Model, len(r.Dropped))
	return writeOutput(cmd, output, func(out io.Writer) error {
		_, err := out.Write(y)
		return err
	})
}
