package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/model"
	"github.com/threatls/threatls/report"
)

// The commands of workspace/executeCommand, for any client: each takes at most one argument,
// a JSON object, and answers a JSON value. Clients that have no UI of their own for a command
// (a plain LSP client) can still run it and show the answer.
const (
	// cmdScan rescans every folder from disk: {} → {"files": n, "findings": n}.
	cmdScan = "threatls.scan"
	// cmdModel is the threatls/model request as a command: {"uri"?} → the model JSON.
	cmdModel = "threatls.model"
	// cmdPaths lists attack paths, all or those through one element:
	// {"uri"?, "element"?} → {"version": 1, "paths": […]} (docs/model-json.md).
	cmdPaths = "threatls.paths"
	// cmdAcceptRisk writes a complete threatls:ignore comment, reason included, for a finding
	// (workspace/applyEdit): {"uri", "fingerprint" | "threat" and "range" (of its
	// diagnostic), "reason"} → {"applied": bool}.
	cmdAcceptRisk = "threatls.acceptRisk"
	// cmdExplain explains a threat, or one finding of it: {"threat"}, or {"uri",
	// "fingerprint" | "threat" and "range"} → {"markdown": "…"}.
	cmdExplain = "threatls.explain"
	// cmdReport writes the report of a folder as `threatls scan` does, followed by its attack
	// paths: {"uri"?, "format"?: "text"|"json"|"sarif"} → {"format", "content"}.
	cmdReport = "threatls.report"
)

// commands are the commands the server advertises, in this order.
var commands = append([]string{cmdScan, cmdModel, cmdPaths, cmdAcceptRisk, cmdExplain, cmdReport}, aiCommands...)

// commandArgs is the union of the commands' arguments.
type commandArgs struct {
	URI         uri.URI `json:"uri"`
	Element     string  `json:"element"`
	Fingerprint string  `json:"fingerprint"`
	Reason      string  `json:"reason"`
	Threat      string  `json:"threat"`
	Format      string  `json:"format"`
	// Range is a diagnostic's range: with threat, it names a finding of the document uri
	// as a client that has only the diagnostic knows it.
	Range *protocol.Range `json:"range"`
}

func (s *server) executeCommand(ctx context.Context, p *protocol.ExecuteCommandParams) (any, error) {
	if slices.Contains(aiCommands, p.Command) {
		return s.executeAICommand(ctx, p)
	}
	var a commandArgs
	if len(p.Arguments) > 0 {
		raw := bytes.TrimSpace(p.Arguments[0])
		if len(raw) > 0 && raw[0] == '"' { // a bare string: the threat, element or URI it names
			var str string
			_ = json.Unmarshal(raw, &str)
			a.Threat, a.Element = str, str
		} else if err := json.Unmarshal(raw, &a); err != nil {
			return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, fmt.Sprintf("%s: the argument must be an object: %v", p.Command, err))
		}
	}
	switch p.Command {
	case cmdScan:
		return s.commandScan(ctx)
	case cmdModel:
		return s.model(ctx, &modelParams{URI: a.URI})
	case cmdPaths:
		return s.commandPaths(ctx, a)
	case cmdAcceptRisk:
		return s.commandAcceptRisk(ctx, a)
	case cmdExplain:
		return s.commandExplain(a)
	case cmdReport:
		return s.commandReport(a)
	}
	return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, fmt.Sprintf("unknown command %q; the server runs %s", p.Command, strings.Join(commands, ", ")))
}

func (s *server) commandScan(ctx context.Context) (any, error) {
	folders := s.folderList()
	if folders == nil {
		return nil, errNotInitialized
	}
	s.scan(ctx, "Scanning the workspace", folders, nil)
	files, findings := 0, 0
	for _, f := range folders {
		snap := f.ws.Snapshot()
		files += len(snap.Files())
		findings += len(s.shown(snap.Findings()))
	}
	return map[string]int{"files": files, "findings": findings}, ctx.Err()
}

func (s *server) commandPaths(_ context.Context, a commandArgs) (any, error) {
	v, err := s.viewOf(a.URI)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := report.PathsJSON(&buf, v.snap.Graph(), v.modelOptions()); err != nil {
		return nil, err
	}
	if a.Element == "" {
		return json.RawMessage(buf.Bytes()), nil
	}
	var doc struct {
		Version int               `json:"version"`
		Paths   []json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		return nil, err
	}
	through := map[string]bool{}
	for _, p := range v.snap.Graph().PathsThrough(a.Element) {
		through[p.ID] = true
	}
	kept := []json.RawMessage{}
	for _, raw := range doc.Paths {
		var id struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(raw, &id) == nil && through[id.ID] {
			kept = append(kept, raw)
		}
	}
	doc.Paths = kept
	return doc, nil
}

// findingOf returns the finding the arguments name: by fingerprint, or by threat and the
// range of its diagnostic in the view's document.
func (v *view) findingOf(a commandArgs) (model.Finding, bool) {
	for _, f := range v.snap.Findings() {
		switch {
		case a.Fingerprint != "":
			if f.Fingerprint == a.Fingerprint {
				return f, true
			}
		case a.Range != nil && v.file != nil:
			if f.ThreatID == a.Threat && f.Span.File == v.key && v.rangeOf(f.Span) == *a.Range {
				return f, true
			}
		}
	}
	return model.Finding{}, false
}

// rangeText is " at line:column–line:column" (one-based) of r, or nothing.
func rangeText(r *protocol.Range) string {
	if r == nil {
		return ""
	}
	return fmt.Sprintf(" at %d:%d–%d:%d", r.Start.Line+1, r.Start.Character+1, r.End.Line+1, r.End.Character+1)
}

// elsewhere says where the view's document has findings of threat, for a command that named
// one by a range where there is none.
func (v *view) elsewhere(threat string) string {
	if threat == "" || v.file == nil {
		return ""
	}
	var at []string
	for _, f := range v.snap.Findings() {
		if f.ThreatID == threat && f.Span.File == v.key {
			r := v.rangeOf(f.Span)
			at = append(at, strings.TrimPrefix(rangeText(&r), " at "))
		}
	}
	if len(at) == 0 {
		return ""
	}
	return fmt.Sprintf(" (the document's model, version %d, has %s at %s)", v.file.Version, threat, strings.Join(at, ", "))
}

func (s *server) commandAcceptRisk(ctx context.Context, a commandArgs) (any, error) {
	reason := strings.Join(strings.Fields(a.Reason), " ")
	if reason == "" {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "threatls.acceptRisk: a reason is required (a suppression without one suppresses nothing)")
	}
	v, err := s.viewOf(a.URI)
	if err != nil {
		return nil, err
	}
	f, ok := v.findingOf(a)
	if !ok {
		return nil, fmt.Errorf("threatls.acceptRisk: no such finding (%s%s%s) in %s: it may have been fixed%s", a.Fingerprint, a.Threat, rangeText(a.Range), a.URI, v.elsewhere(a.Threat))
	}
	var fix *model.Fix
	for _, x := range s.eng.Fixes(v.snap, f) {
		if x.Kind == model.AcceptRisk {
			fix = &x
			break
		}
	}
	if fix == nil {
		return nil, fmt.Errorf("threatls.acceptRisk: %s on %s cannot be accepted here", f.ThreatID, f.ElementName)
	}
	for i := range fix.Edits {
		fix.Edits[i].NewText = strings.Replace(fix.Edits[i].NewText, engine.ReasonPlaceholder, reason, 1)
	}
	edit, ok := s.workspaceEdit(v, *fix)
	if !ok {
		return nil, fmt.Errorf("threatls.acceptRisk: the comment for %s cannot be placed", f.ThreatID)
	}
	label := "Accept risk " + f.ThreatID
	res, err := s.client.ApplyEdit(ctx, &protocol.ApplyWorkspaceEditParams{Label: &label, Edit: *edit})
	if err != nil {
		return nil, fmt.Errorf("threatls.acceptRisk: workspace/applyEdit: %w", err)
	}
	out := map[string]any{"applied": res != nil && res.Applied}
	if res != nil && res.FailureReason != nil {
		out["failureReason"] = *res.FailureReason
	}
	return out, nil
}

func (s *server) commandExplain(a commandArgs) (any, error) {
	lib := s.eng.Library()
	if a.Fingerprint != "" || a.Range != nil {
		v, err := s.viewOf(a.URI)
		if err != nil {
			return nil, err
		}
		if f, ok := v.findingOf(a); ok {
			return map[string]string{"markdown": lib.Explain(f)}, nil
		}
	}
	if t := lib.Threat(a.Threat); t != nil {
		return map[string]string{"markdown": t.Markdown()}, nil
	}
	return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, fmt.Sprintf("threatls.explain: %q is not a threat of the library (threatls rules lists them)", a.Threat))
}

func (s *server) commandReport(a commandArgs) (any, error) {
	v, err := s.viewOf(a.URI)
	if err != nil {
		return nil, err
	}
	res := report.Result{Root: ".", Files: len(v.snap.Files()), Findings: v.visibleFindings(), Skipped: v.snap.Skipped(), Source: v.source}
	lib := s.eng.Library()
	var buf bytes.Buffer
	format := a.Format
	switch format {
	case "json":
		err = report.JSON(&buf, res, lib)
	case "sarif":
		err = report.SARIF(&buf, res, lib, buildVersion())
	case "", "text":
		format = "text"
		if err = report.Text(&buf, res, lib, report.TextOptions{}); err == nil {
			buf.WriteString("\n")
			err = report.Paths(&buf, v.snap.Graph(), v.modelOptions())
		}
	default:
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, fmt.Sprintf("threatls.report: format %q is not text, json or sarif", a.Format))
	}
	if err != nil {
		return nil, fmt.Errorf("threatls.report: %w", err)
	}
	return map[string]string{"format": format, "content": buf.String()}, nil
}

// visibleFindings are the findings of the view's workspace the user's settings show
// (suppressed ones included: reports list accepted risks).
func (v *view) visibleFindings() []model.Finding {
	var out []model.Finding
	pr := v.s.currentPrefs()
	fs := v.snap.Findings()
	for i := range fs {
		if v.s.visibleWith(pr, &fs[i]) {
			out = append(out, fs[i])
		}
	}
	return out
}

// source returns the text of a file of the view's snapshot.
func (v *view) source(key string) []byte {
	if f := v.snap.File(key); f != nil {
		return f.Text
	}
	return nil
}

// modelOptions are the report options of the view's folder: paths relative to its root.
func (v *view) modelOptions() report.ModelOptions {
	name := "workspace"
	if v.files.root != "" {
		name = filepath.Base(v.files.root)
	}
	return report.ModelOptions{Name: name, Root: ".", Source: v.source}
}

// jsonString is s as an LSPAny.
func jsonString(s string) protocol.LSPAny {
	b, _ := json.Marshal(s)
	return protocol.LSPAny(b)
}
