package lsp

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/threatls/threatls/knowledge"
)

// slowMethods are test-only requests: one that runs until it is cancelled, one that panics.
func slowMethods(started chan<- struct{}) map[string]extraMethod {
	return map[string]extraMethod{
		"test/block": func(ctx context.Context, _ jsonrpc2.RawMessage) (any, error) {
			started <- struct{}{}
			select {
			case <-ctx.Done():
				return "finished anyway", nil // the chain answers RequestCancelled all the same
			case <-time.After(waitTimeout):
				return "not cancelled", nil
			}
		},
		"test/panic": func(context.Context, jsonrpc2.RawMessage) (any, error) {
			panic("boom")
		},
	}
}

// alive checks that the server still answers a request.
func (c *testClient) alive(what string) {
	c.t.Helper()
	err := c.call("test/unknown", nil, nil)
	if errorCode(err) != jsonrpc2.MethodNotFound {
		c.t.Fatalf("after %s, an unknown method answers %v, want MethodNotFound", what, err)
	}
}

func TestCancel(t *testing.T) {
	started := make(chan struct{}, 4)
	c := startServer(t, slowMethods(started))
	c.initialize("", protocol.ClientCapabilities{})

	// A numeric id, then a string id: each request is cancelled and answers -32800. While the
	// first one blocks, other requests are answered: a slow request blocks nothing.
	for _, id := range []struct {
		wire string
		id   jsonrpc2.ID
	}{
		{`4242`, jsonrpc2.NewNumberID(4242)},
		{`"block-1"`, jsonrpc2.NewStringID("block-1")},
	} {
		c.frame(`{"jsonrpc":"2.0","id":` + id.wire + `,"method":"test/block"}`)
		<-started
		c.alive("a blocked request")
		c.frame(`{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":` + id.wire + `}}`)
		resp := c.response(id.id)
		if code := errorCode(resp.Err()); code != protocol.CodeRequestCancelled {
			t.Errorf("cancelled request %s answers %v, want %d", id.wire, resp.Err(), protocol.CodeRequestCancelled)
		}
	}
	c.shutdown()
}

func TestPanicCostsOneReply(t *testing.T) {
	c := startServer(t, slowMethods(make(chan struct{}, 1)))
	c.initialize("", protocol.ClientCapabilities{})
	err := c.call("test/panic", nil, nil)
	if errorCode(err) != jsonrpc2.InternalError {
		t.Errorf("a panicking request answers %v, want InternalError", err)
	}
	c.alive("a panic")
	c.shutdown()
}

func TestLifecycle(t *testing.T) {
	c := startServer(t, nil)
	// Before initialize: requests are refused, notifications dropped.
	hover := &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: "untitled:x"}}}
	if err := c.call(protocol.MethodTextDocumentHover, hover, nil); errorCode(err) != jsonrpc2.ServerNotInitialized {
		t.Errorf("hover before initialize = %v, want ServerNotInitialized", err)
	}
	c.notify(protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: "untitled:x", Text: "x"}})
	c.initialize("", protocol.ClientCapabilities{})
	if err := c.call(protocol.MethodInitialize, &protocol.InitializeParams{}, nil); errorCode(err) != jsonrpc2.InvalidRequest {
		t.Errorf("a second initialize = %v, want InvalidRequest", err)
	}
	if err := c.call(protocol.MethodShutdown, nil, nil); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if err := c.call(protocol.MethodTextDocumentHover, hover, nil); errorCode(err) != jsonrpc2.InvalidRequest {
		t.Errorf("hover after shutdown = %v, want InvalidRequest", err)
	}
	c.notify(protocol.MethodExit, nil)
	select {
	case err := <-c.served:
		if err != nil {
			t.Errorf("Serve = %v, want nil", err)
		}
		c.served <- err
	case <-time.After(waitTimeout):
		t.Fatal("Serve did not return after exit")
	}
}

func TestExitWithoutShutdown(t *testing.T) {
	c := startServer(t, nil)
	c.initialize("", protocol.ClientCapabilities{})
	c.notify(protocol.MethodExit, nil)
	select {
	case err := <-c.served:
		if err != errExitWithoutShutdown {
			t.Errorf("Serve = %v, want %v", err, errExitWithoutShutdown)
		}
		c.served <- err
	case <-time.After(waitTimeout):
		t.Fatal("Serve did not return after exit")
	}
}

// TestHostileInput sends what a broken or hostile client could, and checks after each that
// the session goes on.
func TestHostileInput(t *testing.T) {
	c := startServer(t, nil)
	c.initialize("", protocol.ClientCapabilities{})

	// A body that is not JSON: a ParseError with a null id.
	c.frame(`{"jsonrpc":"2.0","id":`)
	c.waitFor("a ParseError", func() bool {
		for _, r := range c.resps {
			if !r.ID().IsValid() && errorCode(r.Err()) == jsonrpc2.ParseError {
				return true
			}
		}
		return false
	})
	c.alive("a body that is not JSON")

	// JSON that is not a request: InvalidRequest, with the id when there is one.
	c.frame(`{"jsonrpc":"1.0","id":77,"method":"textDocument/hover"}`)
	if resp := c.response(jsonrpc2.NewNumberID(77)); errorCode(resp.Err()) != jsonrpc2.InvalidRequest {
		t.Errorf("a JSON-RPC 1.0 request answers %v, want InvalidRequest", resp.Err())
	}
	c.frame(`[]`)
	c.alive("an empty batch")

	// A Content-Length too small, then one too large: the next message is still read.
	body := `{"jsonrpc":"2.0","id":78,"method":"test/unknown"}`
	c.raw(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body)-10, body))
	c.frame(`{"jsonrpc":"2.0","id":79,"method":"test/unknown"}`)
	if resp := c.response(jsonrpc2.NewNumberID(79)); errorCode(resp.Err()) != jsonrpc2.MethodNotFound {
		t.Errorf("after a short Content-Length: %v", resp.Err())
	}
	c.raw(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body)+500, body))
	c.frame(`{"jsonrpc":"2.0","id":80,"method":"test/unknown"}`)
	if resp := c.response(jsonrpc2.NewNumberID(80)); errorCode(resp.Err()) != jsonrpc2.MethodNotFound {
		t.Errorf("after a long Content-Length: %v", resp.Err())
	}

	// Headers that are not headers, and one without a length.
	c.raw("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
	c.raw("Content-Type: application/json\r\n\r\n")
	c.raw("Content-Length: -5\r\n\r\n")
	c.alive("garbage headers")

	// Unknown methods and notifications, cancellation of unknown ids, bad params.
	if err := c.call("workspace/unknownThing", map[string]int{"a": 1}, nil); errorCode(err) != jsonrpc2.MethodNotFound {
		t.Errorf("an unknown request answers %v, want MethodNotFound", err)
	}
	c.notify("$/unknownNotification", map[string]int{"a": 1})
	c.notify(protocol.MethodCancelRequest, map[string]int{"id": 123456})
	c.notify(protocol.MethodCancelRequest, map[string]string{"id": "nobody"})
	c.frame(`{"jsonrpc":"2.0","method":"$/cancelRequest","params":"nonsense"}`)
	c.frame(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":[1,2,3]}`)
	c.frame(`{"jsonrpc":"2.0","id":81,"method":"textDocument/hover","params":"nonsense"}`)
	if resp := c.response(jsonrpc2.NewNumberID(81)); errorCode(resp.Err()) != jsonrpc2.InvalidParams {
		t.Errorf("hover with bad params answers %v, want InvalidParams", resp.Err())
	}
	c.alive("unknown methods and bad params")

	// An untitled document, then positions past its end.
	u := uri.URI("untitled:Untitled-9")
	text := "resource \"aws_db_instance\" \"x\" {\n  storage_encrypted = false\n}\n"
	c.notify(protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{
		URI: u, LanguageID: "terraform", Version: 1, Text: text}})
	c.waitDiagnostics(u, "with AWS-RDS-002", func(p published) bool { return hasCode(p.Diagnostics, "AWS-RDS-002") })
	far := protocol.Position{Line: 1000, Character: 1000}
	var h *protocol.Hover
	if err := c.call(protocol.MethodTextDocumentHover, &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: u}, Position: far}}, &h); err != nil {
		t.Errorf("hover past the end: %v", err)
	}
	var actions []protocol.CommandOrCodeAction
	if err := c.call(protocol.MethodTextDocumentCodeAction, &protocol.CodeActionParams{TextDocument: protocol.TextDocumentIdentifier{URI: u},
		Range: protocol.Range{Start: far, End: far}}, &actions); err != nil {
		t.Errorf("code actions past the end: %v", err)
	}
	c.change(u, 2, []protocol.TextEdit{{Range: protocol.Range{Start: far, End: far}, NewText: "# appended\n"}})
	c.waitDiagnostics(u, "version 2", func(p published) bool { v, _ := p.version(); return v == 2 })
	// A change of a document that is not open, and hover on one: errors logged, no reply lost.
	c.change("untitled:never-opened", 2, []protocol.TextEdit{{NewText: "x"}})
	if err := c.call(protocol.MethodTextDocumentHover, &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: "untitled:never-opened"}}}, &h); err != nil || h != nil {
		t.Errorf("hover on a document that is not open = %v, %v; want null", h, err)
	}

	// Invalid UTF-8 inside the JSON of a document.
	bad := "untitled:Bad-UTF8"
	c.frame(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"` + bad +
		`","languageId":"terraform","version":1,"text":"resource \"aws_db_instance\" \"` + "\xff\xfe" +
		`\" {\n  storage_encrypted = false # ` + "\xc3" + `\n}\n"}}}`)
	c.waitDiagnostics(uri.URI(bad), "despite invalid UTF-8", func(p published) bool { return true })
	c.alive("invalid UTF-8")

	// A 20 MB document: over the size limit, it is reported as not analysed, and the
	// session goes on.
	big := "big.tf"
	bigURI := uri.URI("untitled:" + big)
	var sb strings.Builder
	sb.WriteString(text)
	line := "# " + strings.Repeat("é😀x", 20) + "\n"
	for sb.Len() < 20<<20 {
		sb.WriteString(line)
	}
	c.notify(protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{
		URI: bigURI, LanguageID: "terraform", Version: 1, Text: sb.String()}})
	p := c.waitDiagnostics(bigURI, "of the big document", func(p published) bool { return true })
	if !hasCode(p.Diagnostics, knowledge.MetaNotAnalysed) {
		t.Errorf("the 20 MB document: %v, want %s (not analysed)", codes(p.Diagnostics), knowledge.MetaNotAnalysed)
	}
	if err := c.call(protocol.MethodTextDocumentHover, &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: bigURI}, Position: protocol.Position{Line: 100000, Character: 5}}}, &h); err != nil {
		t.Errorf("hover in the big document: %v", err)
	}
	c.alive("a 20 MB document")
	c.shutdown()
}
