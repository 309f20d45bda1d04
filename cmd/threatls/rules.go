package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/threatls/threatls/knowledge"
)

func newRules(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the threat library",
		Long: `rules lists every threat of the library (built-in and --threat-dir directories): ID,
severity, STRIDE categories and title. --format markdown prints the documentation page
(docs/rules.md is generated with it).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lib, err := g.library()
			if err != nil {
				return err
			}
			switch format {
			case "markdown":
				_, err = io.WriteString(cmd.OutOrStdout(), lib.RulesPage())
				return err
			case "text":
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSEVERITY\tSTRIDE\tTITLE")
				for _, t := range lib.Threats() {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.ID, t.Severity(), strings.Join(t.Stride, ","), t.Title)
				}
				for _, m := range knowledge.Meta() {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.ID, m.Severity, "-", m.Title)
				}
				return tw.Flush()
			}
			return fmt.Errorf("--format %q: want text or markdown", format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "text or markdown")
	return cmd
}
