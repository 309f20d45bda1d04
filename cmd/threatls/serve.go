package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/threatls/threatls/lsp"
)

func newServe(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the language server over stdio (your editor starts it)",
		Long: `serve speaks the Language Server Protocol on stdin/stdout. Editors start it themselves:
see editors/neovim for the Neovim configuration. Logs go to stderr or to
--log-file, never to stdout.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			eng, err := g.engine()
			if err != nil {
				return err
			}
			return lsp.Serve(cmd.Context(), os.Stdin, os.Stdout, eng, g.log)
		},
	}
}
