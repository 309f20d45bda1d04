package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"

	"github.com/threatls/threatls/ai"
	"github.com/threatls/threatls/model"
)

// AI enrichment in the editor, off unless the setting threatls.ai.enabled is true. It never
// runs on the way to diagnostics: only when the user picks "Explain and fix with AI", resolved
// lazily — codeAction/resolve, or the command threatls.explainWithAI for clients that do not
// resolve code actions — with work-done progress, cancellable with $/cancelRequest. The
// resolved action carries the verified fix as its edit (none when the fix could not be
// verified) and a command that shows the explanation with the offline guidance.

// aiSession is the AI state of one editor session.
type aiSession struct {
	mu sync.Mutex
	// settings are the last threatls.ai settings; svc the session they make (nil while AI
	// is off), err why AI is on but unusable (no key…).
	settings ai.Settings
	svc      *ai.Service
	err      error
	// What the client can do with a code action and a document.
	resolveEdit  bool // codeAction/resolve of the edit property
	showDocument bool // window/showDocument
}

func (a *aiSession) canShowDocument() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.showDocument
}

// service returns the session's AI service, whether AI is on, and why it cannot be used.
func (a *aiSession) service() (*ai.Service, bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.svc, a.settings.Enabled, a.err
}

// setAIClient records what the client can do, from initialize.
func (s *server) setAIClient(c protocol.ClientCapabilities) {
	s.ai.mu.Lock()
	defer s.ai.mu.Unlock()
	if td := c.TextDocument; td != nil && td.CodeAction != nil {
		s.ai.resolveEdit = slices.Contains(td.CodeAction.ResolveSupport.Properties, "edit")
	}
	if w := c.Window; w != nil && w.ShowDocument != nil {
		s.ai.showDocument = w.ShowDocument.Support
	}
}

// aiSettings reads the section threatls.ai of raw settings (the whole configuration, or the
// section threatls); ok is false when raw does not mention it.
func aiSettings(raw []byte) (ai.Settings, bool, error) {
	var st ai.Settings
	if len(raw) == 0 || string(raw) == "null" {
		return st, false, nil
	}
	var whole map[string]json.RawMessage
	if err := json.Unmarshal(raw, &whole); err != nil {
		return st, false, fmt.Errorf("settings: %w", err)
	}
	if section, ok := whole["threatls"]; ok {
		whole = nil
		if err := json.Unmarshal(section, &whole); err != nil {
			return st, false, fmt.Errorf("settings: threatls: %w", err)
		}
	}
	section, ok := whole["ai"]
	if !ok || string(section) == "null" {
		return st, false, nil
	}
	if err := json.Unmarshal(section, &st); err != nil {
		return st, false, fmt.Errorf("settings: threatls.ai: %w", err)
	}
	return st, true, nil
}

// configureAI applies the threatls.ai settings of raw, if it has any: a new session (and
// budget) when they changed. The key comes from OPENAI_API_KEY or the keyFile setting — a
// file outside the workspace — never from the settings themselves.
func (s *server) configureAI(raw []byte) {
	st, ok, err := aiSettings(raw)
	if err != nil {
		s.log.Warn("ignoring the AI settings", zap.Error(err))
		return
	}
	if !ok {
		return
	}
	_, files, _ := s.session()
	s.ai.mu.Lock()
	defer s.ai.mu.Unlock()
	if st == s.ai.settings && (s.ai.svc != nil || s.ai.err != nil || !st.Enabled) {
		return
	}
	if s.ai.svc != nil {
		s.ai.svc.Close()
	}
	s.ai.settings, s.ai.svc, s.ai.err = st, nil, nil
	if !st.Enabled {
		s.log.Info("AI enrichment is off")
		return
	}
	cfg, err := ai.Resolve(st, nil, files.root)
	if err != nil {
		s.ai.err = err
		s.log.Warn("AI enrichment is on but cannot be used", zap.Error(err))
		return
	}
	svc := ai.New(cfg, s.eng, s.log)
	s.ai.svc = svc
	// The scratch copy of the workspace that fixes are verified on goes when the session
	// ends (Serve waits for background tasks before it returns).
	s.goBackground(func() {
		<-s.ctx.Done()
		svc.Close()
	})
	s.log.Info("AI enrichment is on", zap.String("endpoint", cfg.Endpoint()), zap.String("model", cfg.Model),
		zap.Int("budget", cfg.Budget), zap.Int("concurrency", cfg.Concurrency), zap.String("cache", cfg.CacheDir))
}

// aiData is what an "Explain and fix with AI" action carries until it is resolved.
type aiData struct {
	URI         string `json:"uri"`
	Fingerprint string `json:"fingerprint"`
}

// aiAction is the "Explain and fix with AI" action of a finding, unresolved, or nil when AI
// is off or the finding is not a threat of the library.
func (s *server) aiAction(u uri.URI, f model.Finding, diag protocol.Diagnostic) *protocol.CodeAction {
	if s.eng.Library().Threat(f.ThreatID) == nil {
		return nil
	}
	s.ai.mu.Lock()
	on, resolve := s.ai.settings.Enabled, s.ai.resolveEdit
	s.ai.mu.Unlock()
	if !on {
		return nil
	}
	a := &protocol.CodeAction{
		Title:       "Explain and fix " + f.ThreatID + " with AI",
		Kind:        ptr(protocol.CodeActionKindQuickFix),
		Diagnostics: []protocol.Diagnostic{diag},
	}
	if resolve {
		b, _ := json.Marshal(aiData{URI: string(u), Fingerprint: f.Fingerprint})
		a.Data = protocol.LSPAny(b)
	} else {
		a.Command = protocol.Command{Title: a.Title, Command: cmdExplainWithAI, Arguments: args(string(u), f.Fingerprint)}
	}
	return a
}

// resolveCodeAction resolves "Explain and fix with AI": it asks the model (or the cache),
// verifies the proposed fix against the whole workspace, and returns the action with the fix
// as its edit when verified, and a command that shows the explanation. Actions of other
// kinds come back as they are.
func (s *server) resolveCodeAction(ctx context.Context, a *protocol.CodeAction) (*protocol.CodeAction, error) {
	var d aiData
	if len(a.Data) == 0 || json.Unmarshal(a.Data, &d) != nil || d.Fingerprint == "" {
		return a, nil
	}
	md, edit, err := s.askAI(ctx, uri.URI(d.URI), d.Fingerprint)
	if err != nil {
		return nil, err
	}
	out := *a
	out.Edit = edit
	title := "Show the AI's explanation"
	out.Command = protocol.Command{Title: title, Command: cmdShowRemediation, Arguments: args(d.URI, d.Fingerprint, md)}
	return &out, nil
}

// explainWithAI is "Explain and fix with AI" for clients that do not resolve code actions:
// the verified fix is applied with workspace/applyEdit, and the explanation shown.
func (s *server) explainWithAI(ctx context.Context, u uri.URI, fingerprint string) (string, error) {
	md, edit, err := s.askAI(ctx, u, fingerprint)
	if err != nil {
		return "", err
	}
	if edit != nil {
		res, err := s.client.ApplyEdit(ctx, &protocol.ApplyWorkspaceEditParams{Label: ptr("AI fix (verified by threatls)"), Edit: *edit})
		if err != nil || res == nil || !res.Applied {
			s.log.Info("the client did not apply the AI fix", zap.Error(err))
		}
	}
	return s.showRemediation(ctx, u, fingerprint, md)
}

// askAI enriches a finding, with work-done progress, and returns the enrichment as Markdown
// and its fix as a workspace edit (nil unless verified). A failure of AI is not an error: it
// is said in the Markdown; only a finding that no longer exists, or a cancellation, is.
func (s *server) askAI(ctx context.Context, u uri.URI, fingerprint string) (string, *protocol.WorkspaceEdit, error) {
	snap, f, err := s.finding(u, fingerprint)
	if err != nil {
		return "", nil, err
	}
	svc, on, aiErr := s.ai.service()
	if !on || svc == nil {
		why := "AI enrichment is off (setting threatls.ai.enabled)"
		if aiErr != nil {
			why = aiErr.Error()
		}
		return (ai.Enrichment{Model: "none", Error: why}).Markdown(), nil, nil
	}
	s.mu.Lock()
	cfg := s.cfg
	s.mu.Unlock()
	p := s.beginProgress(ctx, fmt.Sprintf("Asking %s about %s", svc.Config().Model, f.ThreatID))
	e := svc.Enrich(ctx, snap, cfg, f)
	msg := "done"
	switch {
	case ctx.Err() != nil:
		msg = "cancelled"
	case e.Error != "":
		msg = e.Error
	}
	p.end(msg)
	if ctx.Err() != nil {
		return "", nil, ctx.Err()
	}
	var edit *protocol.WorkspaceEdit
	if e.Fix != nil && e.Fix.Verified && e.Fix.Edit != nil {
		if we, ok := s.workspaceEdit(s.viewAt(snap), model.Fix{Title: "AI fix", Edits: []model.TextEdit{*e.Fix.Edit}}); ok {
			edit = we
		}
	}
	return e.Markdown(), edit, nil
}
