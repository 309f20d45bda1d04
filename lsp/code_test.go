package lsp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// TestHoverOnRoute hovers on a route of a Python service: the card names the route, the
// component its code belongs to (fused with the compose service that runs it) and the flow
// behind it, to the database the compose file sets its address to.
func TestHoverOnRoute(t *testing.T) {
	root := copyWorkspace(t, "code")
	c := startServer(t, nil)
	c.initialize(root, fullCapabilities())
	c.waitFor("the workspace scan", func() bool {
		for _, n := range c.notes {
			if n.method == protocol.MethodProgress && strings.Contains(string(n.params), `"kind":"end"`) {
				return true
			}
		}
		return false
	})
	appURI := uri.File(filepath.Join(root, "orders", "app.py"))
	b, err := os.ReadFile(filepath.Join(root, "orders", "app.py"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	c.notify(protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{
		URI: appURI, LanguageID: "python", Version: 1, Text: text}})
	c.waitDiagnostics(appURI, "version 1", func(p published) bool { v, ok := p.version(); return ok && v == 1 })

	pos := rangeOf(t, text, `@app.post`).Start
	pos.Character += 2
	var hover protocol.Hover
	if err := c.call(protocol.MethodTextDocumentHover, &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: appURI}, Position: pos}}, &hover); err != nil {
		t.Fatalf("hover: %v", err)
	}
	mc, ok := hover.Contents.(*protocol.MarkupContent)
	if !ok {
		t.Fatalf("hover contents = %#v", hover.Contents)
	}
	for _, want := range []string{"### entry `orders POST /orders`", "**Of:** component `orders`", "**Outbound flows (1)**", "`orders-db`", "`authenticated`"} {
		if !strings.Contains(mc.Value, want) {
			t.Errorf("hover lacks %q:\n%s", want, mc.Value)
		}
	}
	c.shutdown()
}
