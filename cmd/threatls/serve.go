package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/threatls/threatls/lsp"
)

func newServe(g *globals) *cobra.Command {
	var (
		stdio, nodeIPC bool
		socket, pipe   string
		clientPID      int
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the language server over stdio (your editor starts it)",
		Long: `serve speaks the Language Server Protocol on stdin/stdout. Editors start it themselves:
see editors/ for VS Code, Neovim, Helix and Emacs. Logs go to stderr or to --log-file,
never to stdout.

--stdio is accepted (it is the default, and what language clients pass when told to use
stdio); --node-ipc, --socket and --pipe are refused: stdio is the only transport.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, t := range []struct {
				name string
				set  bool
			}{{"--node-ipc", nodeIPC}, {"--socket", socket != ""}, {"--pipe", pipe != ""}} {
				if t.set {
					return fmt.Errorf("serve %s: not supported; threatls serves over stdio only (configure your client to use stdio)", t.name)
				}
			}
			eng, err := g.engine()
			if err != nil {
				return err
			}
			err = lsp.Serve(cmd.Context(), os.Stdin, os.Stdout, eng, g.log)
			if errors.Is(err, lsp.ErrExitWithoutShutdown) {
				g.log.Warn("the client sent exit without shutdown")
				return exitError{1} // the protocol's exit code for it
			}
			return err
		},
	}
	f := cmd.Flags()
	f.BoolVar(&stdio, "stdio", false, "serve over stdin/stdout (the default)")
	f.BoolVar(&nodeIPC, "node-ipc", false, "not supported: use stdio")
	f.StringVar(&socket, "socket", "", "not supported: use stdio")
	f.StringVar(&pipe, "pipe", "", "not supported: use stdio")
	// vscode-languageclient passes the editor's process ID; the session ends with the stream.
	f.IntVar(&clientPID, "clientProcessId", 0, "the client's process ID (accepted, unused)")
	_ = f.MarkHidden("clientProcessId")
	return cmd
}
