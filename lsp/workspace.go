package lsp

import (
	"context"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"
)

// watchGlobs are the files whose changes on disk the server asks the client to report: those
// of every format an analyzer reads (analyzers/all), every JSON file among them (a
// CloudFormation template is known by its content, whatever its name).
var watchGlobs = []string{
	"**/*.tf",
	"**/*.{yaml,yml,json}",
	"**/*.template",
	"**/*.{md,markdown,mmd,mermaid}",
	"**/{Dockerfile,Containerfile}",
	"**/{Dockerfile,Containerfile}.*",
	"**/*.dockerfile",
	"**/*.otm",
	"**/*.{go,py,js,jsx,mjs,cjs,ts,tsx,mts,cts,java,cs}",
	"**/{application,bootstrap}*.properties",
}

// registerWatchers asks the client to report changes of the files the analyzers read, when it
// supports registering the watcher dynamically.
func (s *server) registerWatchers(ctx context.Context) {
	s.mu.Lock()
	dynamic := s.caps.watchDynamic
	s.mu.Unlock()
	if !dynamic {
		return
	}
	opts := protocol.DidChangeWatchedFilesRegistrationOptions{}
	for _, g := range watchGlobs {
		opts.Watchers = append(opts.Watchers, protocol.FileSystemWatcher{GlobPattern: protocol.Pattern(g)})
	}
	raw, err := protocol.Marshal(&opts)
	if err != nil {
		s.log.Error("encoding the file watcher registration", zap.Error(err))
		return
	}
	err = s.client.RegisterCapability(ctx, &protocol.RegistrationParams{Registrations: []protocol.Registration{{
		ID:              "threatls-watch-files",
		Method:          protocol.MethodWorkspaceDidChangeWatchedFiles,
		RegisterOptions: protocol.LSPAny(raw),
	}}})
	if err != nil {
		s.log.Warn("the client refused the file watcher", zap.Error(err))
	}
}

// didChangeWatchedFiles re-reads from disk the files that changed, appeared or disappeared
// there (the engine leaves the ones the editor holds open alone).
func (s *server) didChangeWatchedFiles(_ context.Context, p *protocol.DidChangeWatchedFilesParams) error {
	if s.folderList() == nil {
		return errNotInitialized
	}
	for _, c := range p.Changes {
		f, _ := s.folderOf(c.URI)
		f.ws.StageRefresh(f.files.key(c.URI))
	}
	return nil
}
