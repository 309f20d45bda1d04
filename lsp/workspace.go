package lsp

import (
	"context"
	"encoding/json"
	"fmt"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/threatls/threatls/engine"
)

// watchGlobs are the files whose changes on disk the server asks the client to report: those
// of every format an analyzer reads (analyzers/all).
var watchGlobs = []string{
	"**/*.tf",
	"**/*.{yaml,yml}",
	"**/*.template",
	"**/*.{template,cfn,cloudformation,sam}.json",
	"**/{cloudformation,cfn}/**/*.json",
	"**/template.json",
	"**/*.{md,markdown,mmd,mermaid}",
	"**/{Dockerfile,Containerfile}",
	"**/{Dockerfile,Containerfile}.*",
	"**/*.dockerfile",
	"**/*.otm",
	"**/*.otm.json",
	"**/otm.json",
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
	ws, files, _ := s.session()
	if ws == nil {
		return errNotInitialized
	}
	keys := make([]string, 0, len(p.Changes))
	for _, c := range p.Changes {
		key := files.key(c.URI)
		if _, err := ws.Refresh(key); err != nil {
			s.log.Warn("refreshing a file", zap.String("file", key), zap.Error(err))
		}
		keys = append(keys, key)
	}
	s.diags.publish(keys...)
	return nil
}

// didChangeConfiguration applies the settings of the section "threatls" (maxFileSize,
// exclude) and rescans the workspace in the background.
func (s *server) didChangeConfiguration(_ context.Context, p *protocol.DidChangeConfigurationParams) error {
	s.mu.Lock()
	cfg, ws := s.cfg, s.ws
	s.mu.Unlock()
	if ws == nil {
		return errNotInitialized
	}
	cfg, err := applySettings(cfg, p.Settings)
	if err != nil {
		return fmt.Errorf("didChangeConfiguration: %w", err)
	}
	s.mu.Lock()
	s.cfg = cfg
	s.mu.Unlock()
	s.log.Info("configuration changed", zap.Int64("maxFileSize", cfg.MaxFileSize), zap.Strings("exclude", cfg.Exclude))
	s.goBackground(func() {
		s.scan(s.ctx, "Applying the configuration", func(func(done, total int)) error {
			_, err := ws.Reconfigure(s.ctx, cfg)
			return err
		})
	})
	return nil
}

// settings are the user's settings, in the section "threatls" of the client's configuration.
type settings struct {
	MaxFileSize *int64    `json:"maxFileSize"`
	Exclude     *[]string `json:"exclude"`
}

// applySettings returns cfg with the settings of raw applied. raw is either the whole
// configuration (with a "threatls" section) or the section itself; null changes nothing.
func applySettings(cfg engine.Config, raw []byte) (engine.Config, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return cfg, nil
	}
	var whole map[string]json.RawMessage
	if err := json.Unmarshal(raw, &whole); err != nil {
		return cfg, fmt.Errorf("settings: %w", err)
	}
	if section, ok := whole["threatls"]; ok {
		raw = section
	}
	var st settings
	if err := json.Unmarshal(raw, &st); err != nil {
		return cfg, fmt.Errorf("settings: %w", err)
	}
	if st.MaxFileSize != nil {
		cfg.MaxFileSize = *st.MaxFileSize
	}
	if st.Exclude != nil {
		cfg.Exclude = append([]string(nil), *st.Exclude...)
	}
	return cfg, nil
}
