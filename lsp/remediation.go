package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"

	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/model"
)

// Remediation in the editor: a short "What to do here" in the hover of a finding, and a
// "Show remediation" code action that opens the full guidance — steps for the element, the
// mechanical fix as a diff of the user's block or the threat's example in the element's names,
// the attack path's controls ranked by re-evaluating the model — the same text as
// `threatls explain FILE:LINE --format markdown`.

// The commands the server executes (workspace/executeCommand).
const (
	// cmdShowRemediation opens the guidance of a finding. Arguments: the document URI, the
	// finding's fingerprint, and optionally Markdown to add below it (an AI explanation).
	cmdShowRemediation = "threatls.showRemediation"
	// cmdExplainWithAI asks the LLM about a finding, applies its fix if verified and shows
	// the answer: "Explain and fix with AI" for clients that do not resolve code actions.
	// Arguments: the document URI and the finding's fingerprint.
	cmdExplainWithAI = "threatls.explainWithAI"
)

// aiCommands are the commands of remediation and AI enrichment, advertised with the others.
var aiCommands = []string{cmdShowRemediation, cmdExplainWithAI}

// remediationHover is the short guidance of a finding for its hover: the steps only (no
// re-evaluation, so that a hover stays fast).
func (s *server) remediationHover(snap *engine.Snapshot, f model.Finding) string {
	s.mu.Lock()
	cfg := s.cfg
	s.mu.Unlock()
	return s.eng.Guide(context.Background(), snap, cfg, f, engine.GuideOptions{}).Brief()
}

// remediationActions are the code actions a finding gets beside its fixes: "Show
// remediation", and "Explain and fix with AI" when AI is on.
func (s *server) remediationActions(files fileMap, f model.Finding, diag protocol.Diagnostic) []protocol.CommandOrCodeAction {
	u := files.uri(f.Span.File)
	out := []protocol.CommandOrCodeAction{&protocol.CodeAction{
		Title:       "Show remediation of " + f.ThreatID,
		Kind:        ptr(protocol.CodeActionKindQuickFix),
		Diagnostics: []protocol.Diagnostic{diag},
		Command: protocol.Command{Title: "Show remediation of " + f.ThreatID, Command: cmdShowRemediation,
			Arguments: args(string(u), f.Fingerprint)},
	}}
	if a := s.aiAction(u, f, diag); a != nil {
		out = append(out, a)
	}
	return out
}

// args encodes command arguments.
func args(vs ...string) []protocol.LSPAny {
	out := make([]protocol.LSPAny, len(vs))
	for i, v := range vs {
		b, _ := json.Marshal(v)
		out[i] = protocol.LSPAny(b)
	}
	return out
}

// stringArgs decodes command arguments that are strings; want is how many must be there.
func stringArgs(raw []protocol.LSPAny, want int) ([]string, error) {
	if len(raw) < want {
		return nil, fmt.Errorf("%d arguments, want %d", len(raw), want)
	}
	out := make([]string, len(raw))
	for i, r := range raw {
		if err := json.Unmarshal(r, &out[i]); err != nil {
			return nil, fmt.Errorf("argument %d: %w", i+1, err)
		}
	}
	return out, nil
}

// executeAICommand runs a command of remediation and AI enrichment (see executeCommand). It
// answers the Markdown it showed, so that a client without window/showDocument still gets it.
func (s *server) executeAICommand(ctx context.Context, p *protocol.ExecuteCommandParams) (any, error) {
	switch p.Command {
	case cmdShowRemediation:
		a, err := stringArgs(p.Arguments, 2)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Command, err)
		}
		extra := ""
		if len(a) > 2 {
			extra = a[2]
		}
		return s.showRemediation(ctx, uri.URI(a[0]), a[1], extra)
	case cmdExplainWithAI:
		a, err := stringArgs(p.Arguments, 2)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Command, err)
		}
		return s.explainWithAI(ctx, uri.URI(a[0]), a[1])
	}
	return nil, fmt.Errorf("unknown command %q (threatls has %s)", p.Command, strings.Join(aiCommands, ", "))
}

// finding returns the finding of the document u with the fingerprint, in the current snapshot.
func (s *server) finding(u uri.URI, fingerprint string) (*engine.Snapshot, model.Finding, error) {
	ws, files, _ := s.session()
	if ws == nil {
		return nil, model.Finding{}, errNotInitialized
	}
	snap := ws.Latest()
	file := snap.File(files.key(u))
	if file != nil {
		for _, f := range file.Findings {
			if f.Fingerprint == fingerprint {
				return snap, f, nil
			}
		}
	}
	return snap, model.Finding{}, fmt.Errorf("the finding is no longer reported in %s", u)
}

// showRemediation opens the full guidance of a finding, with extra (an AI explanation)
// below it, and returns it.
func (s *server) showRemediation(ctx context.Context, u uri.URI, fingerprint, extra string) (string, error) {
	snap, f, err := s.finding(u, fingerprint)
	if err != nil && extra != "" {
		// The AI's fix was just applied (an action runs its edit, then its command): the
		// explanation is still worth reading.
		md := "*The finding is no longer reported.*\n\n" + extra
		s.showMarkdown(ctx, "ai-"+fingerprint, md)
		return md, nil
	}
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	cfg := s.cfg
	s.mu.Unlock()
	p := s.beginProgress(ctx, "Remediation of "+f.ThreatID)
	g := s.eng.Guide(ctx, snap, cfg, f, engine.GuideOptions{Rank: true})
	p.end("done")
	md := g.Markdown()
	if extra != "" {
		md += "\n" + extra
	}
	s.showMarkdown(ctx, "remediation-"+f.ThreatID+"-"+fingerprint, md)
	return md, nil
}

// showMarkdown shows a Markdown text to the user: as a document the client opens
// (window/showDocument on a file under the user's cache directory) when it can, else as a
// message.
func (s *server) showMarkdown(ctx context.Context, name, md string) {
	if s.ai.canShowDocument() {
		dir, err := os.UserCacheDir()
		if err == nil {
			dir = filepath.Join(dir, "threatls", "remediation")
			p := filepath.Join(dir, name+".md")
			if err = os.MkdirAll(dir, 0o700); err == nil {
				err = os.WriteFile(p, []byte(md), 0o600)
			}
			if err == nil {
				res, err := s.client.ShowDocument(ctx, &protocol.ShowDocumentParams{URI: uri.File(p), TakeFocus: ptr(true)})
				if err == nil && res != nil && res.Success {
					return
				}
				s.log.Debug("the client did not show the remediation document", zap.Error(err))
			}
		}
		if err != nil {
			s.log.Warn("writing the remediation document", zap.Error(err))
		}
	}
	if err := s.client.ShowMessage(ctx, &protocol.ShowMessageParams{Type: protocol.MessageTypeInfo, Message: md}); err != nil {
		s.log.Debug("showing the remediation", zap.Error(err))
	}
}
