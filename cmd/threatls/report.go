package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/report"
)

func newReport(g *globals) *cobra.Command {
	var format, output, compliance, title, linkBase string
	cmd := &cobra.Command{
		Use:   "report [PATH]",
		Short: "Write the threat model as a page people read, or a compliance report",
		Long: `report analyses PATH (default: the current directory) and writes the threat model as one
self-contained HTML page (the default; no network at view time), Markdown (GitHub renders
its Mermaid diagrams) or JSON: the data-flow diagram with zones as boxes and attack paths in
red, threats by element and by STRIDE category, attack paths, mitigations, accepted and
residual risk, compliance status, drift between the design and the workspace, and every
finding with a link to its line.

With --compliance FRAMEWORK it writes, per requirement of the framework, the findings that
bear on it, the accepted risks with their reasons, the declared mitigations, the elements
checked without a finding, and a status (open, accepted, mitigated, no-finding,
not-assessed): as text (the default), json, markdown or html. --compliance list names the
frameworks.

Links point at the files relative to the report (to the current directory on stdout);
--link-base https://github.com/ORG/REPO/blob/REV/ points them at a code host.

Exit status: 0 when the report is written, 2 when it could not be.`,
		Example: `  threatls report -o threat-model.html .
  threatls report --format markdown -o THREATS.md .
  threatls report --compliance pci-dss-4.0 .
  threatls report --compliance list`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if compliance == "list" {
				return report.ComplianceList(cmd.OutOrStdout())
			}
			var fw *knowledge.Framework
			if compliance != "" {
				if fw = knowledge.Catalogue(compliance); fw == nil {
					return fmt.Errorf("--compliance %q: not a framework; threatls report --compliance list names them", compliance)
				}
				if format == "" {
					format = "text"
				}
			}
			if format == "" {
				format = "html"
			}
			valid := []string{"html", "markdown", "json"}
			if fw != nil {
				valid = append(valid, "text")
			}
			if !contains(valid, format) {
				return fmt.Errorf("--format %q: want %s", format, strings.Join(valid, ", "))
			}
			path := "."
			if len(args) == 1 {
				path = args[0]
			}
			ws, err := load(cmd, g, "report", path, 0)
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("link-base") {
				linkBase = relativeLinkBase(ws.root, output)
			}
			res, lib, graph := ws.result(), ws.eng.Library(), ws.snap.Graph()
			if title == "" {
				title = "Threat model of " + filepath.Base(ws.root)
			}
			err = writeOutput(cmd, output, func(w io.Writer) error {
				if fw != nil {
					cd := report.NewComplianceDoc(fw, res, graph, lib, linkBase)
					switch format {
					case "json":
						return report.ComplianceJSON(w, cd)
					case "markdown":
						return report.ComplianceMarkdown(w, res.Root, cd)
					case "html":
						return report.ComplianceHTML(w, res.Root, cd)
					}
					return report.ComplianceText(w, res.Root, cd)
				}
				d := report.NewDocument(res, graph, lib, report.DocumentOptions{Title: title, Version: versionString(), LinkBase: linkBase})
				switch format {
				case "json":
					return report.DocumentJSON(w, d)
				case "markdown":
					return report.Markdown(w, d)
				}
				return report.HTML(cmd.Context(), w, d)
			})
			if err != nil {
				return fmt.Errorf("write the %s report: %w", format, err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&format, "format", "f", "", "html (the default), markdown or json; with --compliance also text (its default)")
	f.StringVarP(&output, "output", "o", "", "write the report to this file instead of stdout")
	f.StringVar(&compliance, "compliance", "", "report on one compliance framework (list: name them)")
	f.StringVar(&title, "title", "", "the report's title (default: Threat model of PATH)")
	f.StringVar(&linkBase, "link-base", "", "prefix of the findings' links (default: the files relative to the report)")
	return cmd
}

// relativeLinkBase is the path from where the report is read (output's directory, or the
// current directory) to the workspace root, slash-separated and ending with a slash, or "".
func relativeLinkBase(root, output string) string {
	from := "."
	if output != "" {
		from = filepath.Dir(output)
	}
	abs, err := filepath.Abs(from)
	if err != nil {
		return ""
	}
	rel, err := filepath.Rel(abs, root)
	if err != nil || rel == "." {
		return ""
	}
	return filepath.ToSlash(rel) + "/"
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
