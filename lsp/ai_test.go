package lsp

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// fakeModel is an OpenAI-compatible endpoint that proposes, for the block it is shown, the
// block with storage_encrypted set to true. gate, when set, holds every answer until closed;
// arrived gets a value when a request comes in.
type fakeModel struct {
	srv      *httptest.Server
	requests atomic.Int64
	arrived  chan struct{}
	gate     chan struct{}
}

var fenceRE = regexp.MustCompile("(?s)```[a-z]*\n(.*?)```")

func newFakeModel(t *testing.T, gate chan struct{}) *fakeModel {
	t.Helper()
	m := &fakeModel{arrived: make(chan struct{}, 16), gate: gate}
	m.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.requests.Add(1)
		m.arrived <- struct{}{}
		if m.gate != nil {
			select {
			case <-m.gate:
			case <-r.Context().Done():
				return
			}
		}
		var req struct {
			Messages []struct{ Content string } `json:"messages"`
		}
		body, _ := io.ReadAll(r.Body)
		json.Unmarshal(body, &req)
		user := req.Messages[len(req.Messages)-1].Content
		block := ""
		if ms := fenceRE.FindAllStringSubmatch(user, -1); len(ms) > 0 {
			block = ms[len(ms)-1][1]
		}
		answer, _ := json.Marshal(map[string]any{
			"explanation": "The orders database stores its data unencrypted: anyone with a snapshot reads it.",
			"steps":       []string{"Set storage_encrypted = true on aws_db_instance.orders."},
			"fixed_block": strings.Replace(block, "storage_encrypted = false", "storage_encrypted = true", 1),
		})
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": "x", "object": "chat.completion", "choices": []any{map[string]any{
			"index": 0, "finish_reason": "stop", "message": map[string]any{"role": "assistant", "content": string(answer)}}}})
	}))
	t.Cleanup(m.srv.Close)
	return m
}

// aiCapabilities add to fullCapabilities the lazy resolution of a code action's edit.
func aiCapabilities() protocol.ClientCapabilities {
	caps := fullCapabilities()
	caps.TextDocument = &protocol.TextDocumentClientCapabilities{CodeAction: &protocol.CodeActionClientCapabilities{
		DataSupport: ptr(true), ResolveSupport: protocol.ClientCodeActionResolveOptions{Properties: []string{"edit"}}}}
	return caps
}

// initializeAI initializes the session with AI on, pointed at m.
func (c *testClient) initializeAI(root string, m *fakeModel, cache string) {
	c.t.Helper()
	u := uri.File(root)
	opts, _ := json.Marshal(map[string]any{"threatls": map[string]any{"ai": map[string]any{
		"enabled": true, "baseURL": m.srv.URL + "/v1", "model": "test-model", "cacheDir": cache, "budget": 20}}})
	var res protocol.InitializeResult
	if err := c.call(protocol.MethodInitialize, &protocol.InitializeParams{RootURI: &u, Capabilities: aiCapabilities(),
		InitializationOptions: protocol.LSPAny(opts)}, &res); err != nil {
		c.t.Fatalf("initialize: %v", err)
	}
	cap, _ := res.Capabilities.CodeActionProvider.(*protocol.CodeActionOptions)
	if cap == nil || cap.ResolveProvider == nil || !*cap.ResolveProvider || len(res.Capabilities.ExecuteCommandProvider.Commands) == 0 {
		c.t.Errorf("resolve and commands are not advertised: %+v", res.Capabilities)
	}
	c.notify(protocol.MethodInitialized, &protocol.InitializedParams{})
}

// openMain opens main.tf of root and returns its URI, text and AWS-RDS-002 diagnostic.
func (c *testClient) openMain(root string) (uri.URI, string, protocol.Diagnostic) {
	c.t.Helper()
	u, text := c.openFile(root, "main.tf")
	p := c.waitDiagnostics(u, "version 1", func(p published) bool { v, ok := p.version(); return ok && v == 1 })
	return u, text, diagnosticWithCode(c.t, p.Diagnostics, "AWS-RDS-002")
}

// actions returns the code actions for a diagnostic, by title.
func (c *testClient) actions(u uri.URI, d protocol.Diagnostic) map[string]*protocol.CodeAction {
	c.t.Helper()
	var raw []json.RawMessage
	if err := c.call(protocol.MethodTextDocumentCodeAction, &protocol.CodeActionParams{TextDocument: protocol.TextDocumentIdentifier{URI: u},
		Range: d.Range, Context: protocol.CodeActionContext{Diagnostics: []protocol.Diagnostic{d}}}, &raw); err != nil {
		c.t.Fatalf("codeAction: %v", err)
	}
	out := map[string]*protocol.CodeAction{}
	for _, r := range raw {
		var a protocol.CodeAction
		if err := protocol.Unmarshal(r, &a); err != nil {
			c.t.Fatal(err)
		}
		out[a.Title] = &a
	}
	return out
}

// TestRemediationAndAIFix: the hover says what to do; "Show remediation" opens the full
// guidance; "Explain and fix with AI" resolves to the model's explanation and a verified
// edit, which, applied, clears the diagnostic; asked again, the answer comes from the cache.
func TestRemediationAndAIFix(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-test")
	root := copyWorkspace(t, "workspace")
	m := newFakeModel(t, nil)
	c := startServer(t, nil)
	c.initializeAI(root, m, t.TempDir())
	u, text, d := c.openMain(root)

	var hover protocol.Hover
	if err := c.call(protocol.MethodTextDocumentHover, &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: u}, Position: d.Range.Start}}, &hover); err != nil {
		t.Fatal(err)
	}
	if mc, _ := hover.Contents.(*protocol.MarkupContent); mc == nil || !strings.Contains(mc.Value, "#### What to do here") ||
		!strings.Contains(mc.Value, "Make `encrypted_at_rest` true") {
		t.Errorf("the hover does not say what to do here: %+v", hover.Contents)
	}

	acts := c.actions(u, d)
	show, aiAct := acts["Show remediation of AWS-RDS-002"], acts["Explain and fix AWS-RDS-002 with AI"]
	if show == nil || aiAct == nil {
		t.Fatalf("actions: %v", keys(acts))
	}
	if aiAct.Edit != nil || len(aiAct.Data) == 0 || m.requests.Load() != 0 {
		t.Fatalf("the AI action is not lazy: %+v, %d requests", aiAct, m.requests.Load())
	}

	var md string
	if err := c.call(protocol.MethodWorkspaceExecuteCommand, &protocol.ExecuteCommandParams{Command: show.Command.Command,
		Arguments: show.Command.Arguments}, &md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md, "### Remediation of AWS-RDS-002") || !strings.Contains(md, "```diff") {
		t.Errorf("Show remediation:\n%s", md)
	}
	c.waitFor("the guidance shown", func() bool {
		for _, r := range c.requests {
			if r.method == protocol.MethodWindowShowDocument {
				return true
			}
		}
		for _, n := range c.notes {
			if n.method == protocol.MethodWindowShowMessage && strings.Contains(string(n.params), "Remediation of AWS-RDS-002") {
				return true
			}
		}
		return false
	})

	var resolved protocol.CodeAction
	if err := c.call(protocol.MethodCodeActionResolve, aiAct, &resolved); err != nil {
		t.Fatal(err)
	}
	if resolved.Edit == nil || len(resolved.Command.Arguments) != 3 {
		t.Fatalf("resolved action = %+v", resolved)
	}
	var explanation string
	json.Unmarshal(resolved.Command.Arguments[2], &explanation)
	for _, want := range []string{"#### AI explanation (test-model)", "anyone with a snapshot reads it", "Proposed fix — verified"} {
		if !strings.Contains(explanation, want) {
			t.Errorf("the resolved action's explanation lacks %q:\n%s", want, explanation)
		}
	}
	fixed := applyEdits(text, resolved.Edit.Changes[u])
	if !strings.Contains(fixed, "storage_encrypted = true") {
		t.Fatalf("the edit gives:\n%s", fixed)
	}
	c.notify(protocol.MethodTextDocumentDidChange, &protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}, Version: 2},
		ContentChanges: []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangeWholeDocument{Text: fixed}}})
	p := c.waitDiagnostics(u, "version 2", func(p published) bool { v, ok := p.version(); return ok && v == 2 })
	if hasCode(p.Diagnostics, "AWS-RDS-002") {
		t.Errorf("the AI fix, applied, left AWS-RDS-002: %v", codes(p.Diagnostics))
	}
	if m.requests.Load() != 1 {
		t.Errorf("%d requests to the model, want 1", m.requests.Load())
	}
	c.shutdown()
}

// TestDiagnosticsNeverWaitForAI measures the time from a didChange to its diagnostics, first
// with nothing else going on, then while an AI request hangs at the endpoint: the second must
// not be slower (within scheduling noise). Then it cancels the hanging request.
func TestDiagnosticsNeverWaitForAI(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-test")
	root := copyWorkspace(t, "workspace")
	gate := make(chan struct{})
	defer close(gate)
	m := newFakeModel(t, gate)
	c := startServer(t, nil)
	c.initializeAI(root, m, t.TempDir())
	u, text, d := c.openMain(root)
	aiAct := c.actions(u, d)["Explain and fix AWS-RDS-002 with AI"]
	if aiAct == nil {
		t.Fatal("no AI action")
	}

	version := int32(1)
	edit := func() time.Duration {
		version++
		text += fmt.Sprintf("\n# edit %d\n", version)
		v := version
		start := time.Now()
		c.notify(protocol.MethodTextDocumentDidChange, &protocol.DidChangeTextDocumentParams{
			TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}, Version: v},
			ContentChanges: []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangeWholeDocument{Text: text}}})
		c.waitDiagnostics(u, fmt.Sprintf("version %d", v), func(p published) bool { got, ok := p.version(); return ok && got == v })
		return time.Since(start)
	}
	median := func(n int) time.Duration {
		ds := make([]time.Duration, n)
		for i := range ds {
			ds[i] = edit()
		}
		for i := range ds {
			for j := i + 1; j < len(ds); j++ {
				if ds[j] < ds[i] {
					ds[i], ds[j] = ds[j], ds[i]
				}
			}
		}
		return ds[n/2]
	}
	idle := median(9)

	params, err := protocol.Marshal(aiAct)
	if err != nil {
		t.Fatal(err)
	}
	c.frame(`{"jsonrpc":"2.0","id":"ai-1","method":"codeAction/resolve","params":` + string(params) + `}`)
	select {
	case <-m.arrived:
	case <-time.After(waitTimeout):
		t.Fatal("the AI request did not reach the endpoint")
	}
	busy := median(9)
	t.Logf("didChange → diagnostics, median of 9: %v idle, %v while an AI request hangs (ratio %.2f)", idle, busy, float64(busy)/float64(idle))
	if busy > 2*idle+50*time.Millisecond {
		t.Errorf("diagnostics waited for AI: %v idle, %v with a request in flight", idle, busy)
	}

	c.frame(`{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"ai-1"}}`)
	if code := errorCode(c.response(jsonrpc2.NewStringID("ai-1")).Err()); code != protocol.CodeRequestCancelled {
		t.Errorf("the cancelled resolve answers %d, want %d", code, protocol.CodeRequestCancelled)
	}
	c.shutdown()
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestExplainWithAICommand: a client that does not resolve code actions gets the command
// threatls.explainWithAI, which sends the verified fix with workspace/applyEdit and answers
// the explanation.
func TestExplainWithAICommand(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-test")
	root := copyWorkspace(t, "workspace")
	m := newFakeModel(t, nil)
	c := startServer(t, nil)
	u := uri.File(root)
	opts, _ := json.Marshal(map[string]any{"threatls": map[string]any{"ai": map[string]any{
		"enabled": true, "baseURL": m.srv.URL + "/v1", "model": "test-model", "cacheDir": t.TempDir()}}})
	if err := c.call(protocol.MethodInitialize, &protocol.InitializeParams{RootURI: &u, Capabilities: fullCapabilities(),
		InitializationOptions: protocol.LSPAny(opts)}, &protocol.InitializeResult{}); err != nil {
		t.Fatal(err)
	}
	c.notify(protocol.MethodInitialized, &protocol.InitializedParams{})
	mainURI, _, d := c.openMain(root)
	a := c.actions(mainURI, d)["Explain and fix AWS-RDS-002 with AI"]
	if a == nil || a.Command.Command != cmdExplainWithAI || len(a.Data) != 0 {
		t.Fatalf("action = %+v", a)
	}
	var md string
	if err := c.call(protocol.MethodWorkspaceExecuteCommand, &protocol.ExecuteCommandParams{Command: a.Command.Command,
		Arguments: a.Command.Arguments}, &md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md, "### Remediation of AWS-RDS-002") || !strings.Contains(md, "Proposed fix — verified") {
		t.Errorf("the command answers:\n%s", md)
	}
	c.waitFor("workspace/applyEdit with the fix", func() bool {
		for _, r := range c.requests {
			if r.method == protocol.MethodWorkspaceApplyEdit && strings.Contains(string(r.params), "storage_encrypted = true") {
				return true
			}
		}
		return false
	})
	c.shutdown()
}
