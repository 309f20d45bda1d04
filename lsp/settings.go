package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"

	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/model"
)

// settings are the user's settings, in the section "threatls" of the client's configuration.
// A client sends them as initializationOptions, with workspace/didChangeConfiguration, or
// answers them to workspace/configuration, which the server asks after initialized and
// whenever a didChangeConfiguration comes without settings (VS Code's pull model).
type settings struct {
	MaxFileSize *int64    `json:"maxFileSize"`
	Exclude     *[]string `json:"exclude"`
	// MinSeverity hides the findings below a severity (critical, high, medium, low, info).
	MinSeverity *string `json:"minSeverity"`
	// Disable hides threats by ID or by family: "AWS-S3-005", "AWS-S3" (every AWS-S3-…),
	// "SYS-CI".
	Disable *[]string `json:"disable"`
	// Diagnostics is "push" (publishDiagnostics, the default) or "pull" (textDocument/diagnostic
	// and workspace/diagnostic only); read at initialize.
	Diagnostics *string `json:"diagnostics"`
}

// prefs is the whole of the user's settings as the server applies them: the engine's
// configuration, and what the LSP layer shows.
type prefs struct {
	cfg         engine.Config
	minSeverity model.Severity // "" shows every severity
	disable     []string
}

// applySettings returns pr with the settings of raw applied. raw is either the whole
// configuration (with a "threatls" section) or the section itself; null changes nothing.
// A setting of the wrong type or value is an error that names it, and changes nothing.
func applySettings(pr prefs, raw []byte) (prefs, *settings, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return pr, nil, nil
	}
	var whole map[string]json.RawMessage
	if err := json.Unmarshal(raw, &whole); err != nil {
		return pr, nil, fmt.Errorf("threatls settings: want an object: %w", err)
	}
	if section, ok := whole["threatls"]; ok {
		raw = section
		if string(bytes.TrimSpace(raw)) == "null" {
			return pr, nil, nil
		}
	}
	var st settings
	if err := json.Unmarshal(raw, &st); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return pr, nil, fmt.Errorf("threatls settings: %s must be %s, not %s", te.Field, wantType(te.Field), te.Value)
		}
		return pr, nil, fmt.Errorf("threatls settings: %w", err)
	}
	next := pr
	next.cfg.Exclude = slices.Clone(pr.cfg.Exclude)
	if st.MaxFileSize != nil {
		if *st.MaxFileSize <= 0 {
			return pr, nil, fmt.Errorf("threatls settings: maxFileSize must be a positive number of bytes, not %d", *st.MaxFileSize)
		}
		next.cfg.MaxFileSize = *st.MaxFileSize
	}
	if st.Exclude != nil {
		next.cfg.Exclude = slices.Clone(*st.Exclude)
	}
	if st.MinSeverity != nil {
		sev, ok := model.ParseSeverity(*st.MinSeverity)
		if !ok && *st.MinSeverity != "" {
			return pr, nil, fmt.Errorf("threatls settings: minSeverity %q is not one of critical, high, medium, low, info", *st.MinSeverity)
		}
		next.minSeverity = sev
	}
	if st.Disable != nil {
		next.disable = slices.Clone(*st.Disable)
	}
	if st.Diagnostics != nil && *st.Diagnostics != "push" && *st.Diagnostics != "pull" {
		return pr, nil, fmt.Errorf("threatls settings: diagnostics %q is neither \"push\" nor \"pull\"", *st.Diagnostics)
	}
	return next, &st, nil
}

func wantType(field string) string {
	switch field {
	case "maxFileSize":
		return "a number"
	case "exclude", "disable":
		return "a list of strings"
	}
	return "a string"
}

// currentPrefs returns the settings in force: read once per request, not per finding.
func (s *server) currentPrefs() prefs {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.prefs
}

// visibleWith reports whether the settings pr show a finding. Findings about threatls itself
// (TLS-…: a file that could not be read, a broken suppression) ignore the severity floor:
// nothing slips past unseen.
func (s *server) visibleWith(pr prefs, f *model.Finding) bool {
	for _, d := range pr.disable {
		if d != "" && (f.ThreatID == d || strings.HasPrefix(f.ThreatID, strings.TrimSuffix(strings.TrimSuffix(d, "*"), "-")+"-")) {
			return false
		}
	}
	if pr.minSeverity == "" || strings.HasPrefix(f.ThreatID, "TLS-") {
		return true
	}
	sev := f.Severity
	if t := s.eng.Library().Threat(f.ThreatID); t != nil {
		sev = t.Severity()
	}
	return sev.Rank() >= pr.minSeverity.Rank()
}

// shown returns the findings a diagnostic is made of: not suppressed, and visible.
func (s *server) shown(fs []model.Finding) []model.Finding { return s.shownWhere(fs, nil) }

// shownWhere returns the shown findings of fs that keep (nil: any) reports true of, asking
// keep first: a hover or a light bulb wants the few at one place of a file, and a file may
// have 17,700 (each made shown and copied, 8–15 ms of every hover in the 5 MB stream of
// manifests).
func (s *server) shownWhere(fs []model.Finding, keep func(*model.Finding) bool) []model.Finding {
	pr := s.currentPrefs()
	var out []model.Finding
	if keep == nil {
		out = make([]model.Finding, 0, len(fs))
	}
	for i := range fs {
		f := &fs[i]
		if (keep == nil || keep(f)) && f.Suppressed == nil && s.visibleWith(pr, f) {
			out = append(out, *f)
		}
	}
	return out
}

// initSettings reads what initialize brings besides the workspace: the settings in
// initializationOptions, and the client capabilities the model features use. An error in
// the settings is shown to the user once the session runs (see initialized).
func (s *server) initSettings(p *protocol.InitializeParams) engine.Config {
	pr := prefs{cfg: engine.DefaultConfig()}
	var ext clientExt
	if w := p.Capabilities.Workspace; w != nil {
		ext.configuration = w.Configuration != nil && *w.Configuration
		ext.diagnosticRefresh = w.Diagnostics != nil && w.Diagnostics.RefreshSupport != nil && *w.Diagnostics.RefreshSupport
		ext.codeLensRefresh = w.CodeLens != nil && w.CodeLens.RefreshSupport != nil && *w.CodeLens.RefreshSupport
		ext.inlayHintRefresh = w.InlayHint != nil && w.InlayHint.RefreshSupport != nil && *w.InlayHint.RefreshSupport
		ext.applyEdit = w.ApplyEdit != nil && *w.ApplyEdit
	}
	if len(p.InitializationOptions) > 0 {
		next, st, err := applySettings(pr, p.InitializationOptions)
		if err != nil {
			s.log.Warn("ignoring initializationOptions", zap.Error(err))
			ext.pendingError = err.Error()
		} else {
			pr = next
			ext.pull = st != nil && st.Diagnostics != nil && *st.Diagnostics == "pull"
		}
	}
	s.mu.Lock()
	s.prefs, s.ext = pr, ext
	s.mu.Unlock()
	return pr.cfg
}

// clientExt is what the session knows beyond clientCaps: the model features' capabilities
// of the client and the diagnostics mode.
type clientExt struct {
	configuration     bool // workspace/configuration
	diagnosticRefresh bool
	codeLensRefresh   bool
	inlayHintRefresh  bool
	applyEdit         bool
	pull              bool   // diagnostics are pulled, not pushed
	pendingError      string // a settings error to show once initialized
}

// showError tells the user about a problem of their configuration (window/showMessage), and
// logs it.
func (s *server) showError(msg string) {
	s.log.Warn("configuration", zap.String("message", msg))
	if err := s.client.ShowMessage(s.ctx, &protocol.ShowMessageParams{Type: protocol.MessageTypeError, Message: msg}); err != nil {
		s.log.Debug("showing a message", zap.Error(err))
	}
}

// startSettings runs after initialized, before the first scan: it shows a settings error of
// initialize, and pulls the settings with workspace/configuration when the client answers
// it. It returns how the first scan must run: nil for a plain Load, or a Reconfigure when
// the pulled settings changed the engine's configuration.
func (s *server) startSettings(ctx context.Context) func(f *folder, report func(done, total int)) error {
	s.mu.Lock()
	pending := s.ext.pendingError
	s.ext.pendingError = ""
	s.mu.Unlock()
	if pending != "" {
		s.showError(pending)
	}
	raw, ok := s.pullSettings(ctx)
	if !ok {
		return nil
	}
	prev, next, ok := s.applyNew(raw)
	if !ok || sameConfig(prev.cfg, next.cfg) {
		return nil
	}
	return func(f *folder, _ func(done, total int)) error {
		_, err := f.ws.Reconfigure(s.ctx, next.cfg)
		return err
	}
}

// pullSettings asks the client for the section "threatls" (workspace/configuration, scoped
// to the first folder); ok is false when the client does not answer it.
func (s *server) pullSettings(ctx context.Context) (json.RawMessage, bool) {
	s.mu.Lock()
	supported, folders := s.ext.configuration, s.folders
	s.mu.Unlock()
	if !supported || len(folders) == 0 {
		return nil, false
	}
	section := "threatls"
	item := protocol.ConfigurationItem{Section: &section}
	if root := folders[0].files.root; root != "" {
		u := uri.File(root)
		item.ScopeURI = &u
	}
	res, err := s.client.Configuration(ctx, &protocol.ConfigurationParams{Items: []protocol.ConfigurationItem{item}})
	if err != nil || len(res) == 0 {
		s.log.Debug("workspace/configuration", zap.Error(err))
		return nil, false
	}
	return json.RawMessage(res[0]), true
}

// applyNew applies settings the client sent or answered, and returns the settings before
// and after; ok is false (and the user told why) when they are wrong.
func (s *server) applyNew(raw []byte) (prev, next prefs, ok bool) {
	s.mu.Lock()
	prev = s.prefs
	s.mu.Unlock()
	next, _, err := applySettings(prev, raw)
	if err != nil {
		s.showError(err.Error())
		return prev, prev, false
	}
	s.mu.Lock()
	s.prefs, s.cfg = next, next.cfg
	s.mu.Unlock()
	s.log.Info("configuration", zap.Int64("maxFileSize", next.cfg.MaxFileSize), zap.Strings("exclude", next.cfg.Exclude),
		zap.String("minSeverity", string(next.minSeverity)), zap.Strings("disable", next.disable))
	return prev, next, true
}

func sameConfig(a, b engine.Config) bool {
	return a.MaxFileSize == b.MaxFileSize && slices.Equal(a.Exclude, b.Exclude)
}

// reapply makes new settings take effect: a changed engine configuration rescans every
// folder in the background; what only changes what is shown is republished at once.
func (s *server) reapply(prev, next prefs) {
	folders := s.folderList()
	if sameConfig(prev.cfg, next.cfg) {
		for _, f := range folders {
			f.diags.republish(s.ctx, f.ws.Latest())
		}
		s.modelChanged()
		return
	}
	s.goBackground(func() {
		s.scan(s.ctx, "Applying the configuration", folders, func(f *folder, _ func(done, total int)) error {
			_, err := f.ws.Reconfigure(s.ctx, next.cfg)
			return err
		})
		s.modelChanged()
	})
}

// didChangeConfiguration applies the settings sent; without settings (null, as VS Code's
// client sends in the pull model) it asks for them with workspace/configuration.
func (s *server) didChangeConfiguration(_ context.Context, p *protocol.DidChangeConfigurationParams) error {
	if s.folderList() == nil {
		return errNotInitialized
	}
	raw := bytes.TrimSpace(p.Settings)
	if len(raw) == 0 || string(raw) == "null" || string(raw) == "{}" {
		s.goBackground(func() {
			if raw, ok := s.pullSettings(s.ctx); ok {
				if prev, next, ok := s.applyNew(raw); ok {
					s.reapply(prev, next)
				}
			}
		})
		return nil
	}
	if prev, next, ok := s.applyNew(raw); ok {
		s.reapply(prev, next)
	}
	return nil
}

// refresher asks the client to re-request what depends on the whole model — pulled
// diagnostics, code lenses, inlay hints — after the model changed, at most every 200 ms.
type refresher struct {
	mu      sync.Mutex
	pending bool
}

// modelChanged is called after every publication of diagnostics.
func (s *server) modelChanged() {
	s.mu.Lock()
	ext := s.ext
	s.mu.Unlock()
	if !ext.codeLensRefresh && !ext.inlayHintRefresh && !(ext.pull && ext.diagnosticRefresh) {
		return
	}
	s.refresh.mu.Lock()
	if s.refresh.pending {
		s.refresh.mu.Unlock()
		return
	}
	s.refresh.pending = true
	s.refresh.mu.Unlock()
	s.goBackground(func() {
		select {
		case <-time.After(200 * time.Millisecond):
		case <-s.ctx.Done():
			return
		}
		s.refresh.mu.Lock()
		s.refresh.pending = false
		s.refresh.mu.Unlock()
		ctx := s.ctx
		if ext.pull && ext.diagnosticRefresh {
			_ = s.client.DiagnosticRefresh(ctx)
		}
		if ext.codeLensRefresh {
			_ = s.client.CodeLensRefresh(ctx)
		}
		if ext.inlayHintRefresh {
			_ = s.client.InlayHintRefresh(ctx)
		}
	})
}

// pulled reports whether the client pulls diagnostics instead of receiving them.
func (s *server) pulled() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ext.pull
}
