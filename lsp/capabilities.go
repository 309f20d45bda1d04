package lsp

import (
	"go.lsp.dev/protocol"
)

// modelCapabilities adds to what initialize answers the capabilities of the model's
// features: code lens, inlay hints, symbols, definitions and references, document links,
// commands, workspace folders, and — when the client chose pull — diagnostics on request.
func (s *server) modelCapabilities(c *protocol.ServerCapabilities) {
	c.CodeLensProvider = &protocol.CodeLensOptions{ResolveProvider: ptr(false)}
	c.InlayHintProvider = protocol.Boolean(true)
	c.DocumentSymbolProvider = protocol.Boolean(true)
	c.WorkspaceSymbolProvider = protocol.Boolean(true)
	c.DefinitionProvider = protocol.Boolean(true)
	c.ReferencesProvider = protocol.Boolean(true)
	c.DocumentLinkProvider = &protocol.DocumentLinkOptions{ResolveProvider: ptr(false)}
	c.ExecuteCommandProvider = protocol.ExecuteCommandOptions{Commands: commands}
	c.Workspace = &protocol.WorkspaceOptions{WorkspaceFolders: &protocol.WorkspaceFoldersServerCapabilities{
		Supported: ptr(true), ChangeNotifications: protocol.Boolean(true)}}
	if s.pulled() {
		c.DiagnosticProvider = &protocol.DiagnosticOptions{
			Identifier: ptr("threatls"), InterFileDependencies: true, WorkspaceDiagnostics: true}
	}
}
