package lsp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/threatls/threatls/knowledge"
)

// TestSession plays an editing session end to end: initialize, the workspace scan with
// progress, open, diagnostics, hover, a quick fix applied client-side, the diagnostics it
// removes, accepting a risk, and shutdown.
func TestSession(t *testing.T) {
	root := copyWorkspace(t, "workspace")
	c := startServer(t, nil)
	res := c.initialize(root, fullCapabilities())

	sync, ok := res.Capabilities.TextDocumentSync.(*protocol.TextDocumentSyncOptions)
	if !ok || sync.Change == nil || *sync.Change != protocol.TextDocumentSyncKindIncremental || sync.OpenClose == nil || !*sync.OpenClose {
		t.Errorf("textDocumentSync = %#v, want incremental with open/close", res.Capabilities.TextDocumentSync)
	}
	if res.Capabilities.PositionEncoding != protocol.PositionEncodingKindUTF16 {
		t.Errorf("positionEncoding = %q, want utf-16", res.Capabilities.PositionEncoding)
	}
	if res.Capabilities.HoverProvider == nil || res.Capabilities.CodeActionProvider == nil {
		t.Errorf("hover and code actions are not advertised: %+v", res.Capabilities)
	}

	mainURI := uri.File(filepath.Join(root, "main.tf"))

	// The scan publishes the findings of files on disk, without a version, after progress.
	disk := c.waitDiagnostics(mainURI, "from the scan", func(p published) bool { return len(p.Diagnostics) > 0 })
	if _, ok := disk.version(); ok {
		t.Errorf("diagnostics of a file that is not open carry a version: %s", disk.raw)
	}
	c.waitFor("progress end", func() bool {
		kinds := ""
		for _, n := range c.notes {
			if n.method == protocol.MethodProgress {
				switch {
				case strings.Contains(string(n.params), `"kind":"begin"`):
					kinds += "b"
				case strings.Contains(string(n.params), `"kind":"end"`):
					kinds += "e"
				}
			}
		}
		return strings.HasPrefix(kinds, "b") && strings.HasSuffix(kinds, "e")
	})
	c.waitFor("the watcher registration and the progress token", func() bool {
		var reg, create bool
		for _, r := range c.requests {
			reg = reg || r.method == protocol.MethodClientRegisterCapability && strings.Contains(string(r.params), `**/*.tf`)
			create = create || r.method == protocol.MethodWindowWorkDoneProgressCreate
		}
		return reg && create
	})

	// Open: the diagnostics carry the version, the range is right in UTF-16 (é and 😀 precede
	// the finding on its line), and each names its threat and documentation.
	b, err := os.ReadFile(filepath.Join(root, "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	c.notify(protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{
		URI: mainURI, LanguageID: "terraform", Version: 1, Text: text}})
	p := c.waitDiagnostics(mainURI, "version 1", func(p published) bool { v, ok := p.version(); return ok && v == 1 })
	d := diagnosticWithCode(t, p.Diagnostics, "AWS-RDS-002")
	if want := rangeOf(t, text, `storage_encrypted = false`); d.Range != want {
		t.Errorf("AWS-RDS-002 range = %+v, want %+v", d.Range, want)
	}
	if d.CodeDescription.Href != uri.URI(knowledge.DocURL("AWS-RDS-002")) {
		t.Errorf("codeDescription.href = %q", d.CodeDescription.Href)
	}
	if src, _ := d.Source.Get(); src != "threatls" {
		t.Errorf("source = %q", src)
	}
	if d.Severity == 0 {
		t.Errorf("no severity")
	}
	if msg, _ := d.Message.(protocol.String); !strings.Contains(string(msg), "aws_db_instance.orders") {
		t.Errorf("message = %v", d.Message)
	}

	// Hover on the finding explains it.
	var hover protocol.Hover
	pos := rangeOf(t, text, `storage_encrypted = false`).Start
	pos.Character += 3
	if err := c.call(protocol.MethodTextDocumentHover, &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: mainURI}, Position: pos}}, &hover); err != nil {
		t.Fatalf("hover: %v", err)
	}
	mc, ok := hover.Contents.(*protocol.MarkupContent)
	if !ok || mc.Kind != protocol.MarkupKindMarkdown {
		t.Fatalf("hover contents = %#v, want Markdown", hover.Contents)
	}
	// Short: what, why here, the fix, a link to the rest.
	for _, want := range []string{"AWS-RDS-002", "*Why here:*", "encrypted_at_rest", "*Fix:* Encrypt the storage", knowledge.DocURL("AWS-RDS-002")} {
		if !strings.Contains(mc.Value, want) {
			t.Errorf("hover lacks %q:\n%s", want, mc.Value)
		}
	}
	if len(mc.Value) > 1000 {
		t.Errorf("hover is %d characters long, want a short one:\n%s", len(mc.Value), mc.Value)
	}
	if hover.Range == nil || *hover.Range != d.Range {
		t.Errorf("hover range = %v, want the diagnostic's %+v", hover.Range, d.Range)
	}

	// Hover where there is no finding answers null.
	var none *protocol.Hover
	if err := c.call(protocol.MethodTextDocumentHover, &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: mainURI}, Position: rangeOf(t, text, `variable`).Start}}, &none); err != nil || none != nil {
		t.Errorf("hover off the findings = %v, %v; want null", none, err)
	}

	// Code actions: the mitigation (preferred) and accepting the risk.
	actions := c.codeActions(mainURI, d.Range, d)
	fix := actionTitled(t, actions, "Encrypt the storage")
	if fix.IsPreferred == nil || !*fix.IsPreferred {
		t.Errorf("the first mitigation is not preferred")
	}
	if fix.Kind == nil || *fix.Kind != protocol.CodeActionKindQuickFix {
		t.Errorf("kind = %v, want quickfix", fix.Kind)
	}
	if len(fix.Diagnostics) != 1 || !hasCode(fix.Diagnostics, "AWS-RDS-002") {
		t.Errorf("the action's diagnostics = %v", codes(fix.Diagnostics))
	}
	accept := actionTitled(t, actions, "Accept risk")
	if accept.IsPreferred != nil && *accept.IsPreferred {
		t.Errorf("accepting the risk is preferred")
	}

	// Apply the fix client-side and send it as incremental changes: AWS-RDS-002 goes away.
	edits := fix.Edit.Changes[mainURI]
	if len(edits) == 0 {
		t.Fatalf("the fix has no edits for %s: %+v", mainURI, fix.Edit)
	}
	text = applyEdits(text, edits)
	if !strings.Contains(text, "storage_encrypted = true") {
		t.Fatalf("the fix did not encrypt the storage:\n%s", text)
	}
	c.change(mainURI, 2, edits)
	p = c.waitDiagnostics(mainURI, "version 2", func(p published) bool { v, _ := p.version(); return v == 2 })
	if hasCode(p.Diagnostics, "AWS-RDS-002") || !hasCode(p.Diagnostics, "AWS-RDS-004") {
		t.Errorf("after the fix: %v, want AWS-RDS-004 only", codes(p.Diagnostics))
	}

	// Accept the remaining risk: the placeholder reason suppresses nothing and is reported;
	// writing a reason suppresses the finding.
	d4 := diagnosticWithCode(t, p.Diagnostics, "AWS-RDS-004")
	accept = actionTitled(t, c.codeActions(mainURI, d4.Range, d4), "Accept risk")
	edits = accept.Edit.Changes[mainURI]
	text = applyEdits(text, edits)
	c.change(mainURI, 3, edits)
	p = c.waitDiagnostics(mainURI, "version 3", func(p published) bool { v, _ := p.version(); return v == 3 })
	if !hasCode(p.Diagnostics, knowledge.MetaIgnoreReason) {
		t.Errorf("an ignore without a reason: %v, want %s", codes(p.Diagnostics), knowledge.MetaIgnoreReason)
	}
	reason := rangeOf(t, text, `<reason>`)
	text = applyEdits(text, []protocol.TextEdit{{Range: reason, NewText: "a test database"}})
	c.change(mainURI, 4, []protocol.TextEdit{{Range: reason, NewText: "a test database"}})
	p = c.waitDiagnostics(mainURI, "version 4", func(p published) bool { v, _ := p.version(); return v == 4 })
	if len(p.Diagnostics) != 0 || !strings.Contains(p.raw, `"diagnostics":[]`) {
		t.Errorf("after accepting the risk: %s, want an empty array", p.raw)
	}

	c.shutdown()
}

// TestParseErrorKeepsFindings breaks the syntax with incremental edits: the findings of what
// still parses stay, one TLS-001 says what could not be read, and no diagnostics of an older
// version arrive after a newer one.
func TestParseErrorKeepsFindings(t *testing.T) {
	root := copyWorkspace(t, "workspace")
	c := startServer(t, nil)
	c.initialize(root, protocol.ClientCapabilities{})
	u := uri.File(filepath.Join(root, "main.tf"))
	b, err := os.ReadFile(filepath.Join(root, "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	c.notify(protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{
		URI: u, LanguageID: "terraform", Version: 1, Text: text}})
	c.waitDiagnostics(u, "version 1", func(p published) bool { v, _ := p.version(); return v == 1 })

	// Type an unterminated block at the end, a character at a time.
	end := oraclePosition(text, len(text))
	typed := `resource "aws_s3_bucket" "x" {` + "\n  acl = "
	version := int32(1)
	for _, ch := range typed {
		version++
		c.change(u, version, []protocol.TextEdit{{Range: protocol.Range{Start: end, End: end}, NewText: string(ch)}})
		text += string(ch)
		end = oraclePosition(text, len(text))
	}
	last := version
	p := c.waitDiagnostics(u, "the last version", func(p published) bool { v, _ := p.version(); return v == last })
	if n := countCode(p.Diagnostics, knowledge.MetaParse); n != 1 {
		t.Errorf("%d %s diagnostics, want 1: %v", n, knowledge.MetaParse, codes(p.Diagnostics))
	}
	if !hasCode(p.Diagnostics, "AWS-RDS-002") {
		t.Errorf("the findings of what parses are gone: %v", codes(p.Diagnostics))
	}
	c.mu.Lock()
	prev := int32(0)
	for _, p := range c.diagnosticsLocked(u) {
		v, ok := p.version()
		if !ok {
			continue
		}
		if v < prev {
			t.Errorf("diagnostics for version %d after version %d", v, prev)
		}
		prev = v
	}
	c.mu.Unlock()
	c.shutdown()
}

// TestCrossFile changes one file and checks that another file's diagnostics follow.
func TestCrossFile(t *testing.T) {
	root := copyWorkspace(t, "crossfile")
	c := startServer(t, nil)
	c.initialize(root, protocol.ClientCapabilities{})
	bucketURI := uri.File(filepath.Join(root, "bucket.tf"))
	blockURI := uri.File(filepath.Join(root, "block.tf"))
	c.waitDiagnostics(bucketURI, "with AWS-S3-001", func(p published) bool { return hasCode(p.Diagnostics, "AWS-S3-001") })

	b, err := os.ReadFile(filepath.Join(root, "block.tf"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	c.notify(protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{
		URI: blockURI, LanguageID: "terraform", Version: 1, Text: text}})
	block := `resource "aws_s3_bucket_public_access_block" "site" {
  bucket                  = aws_s3_bucket.site.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
`
	end := oraclePosition(text, len(text))
	c.change(blockURI, 2, []protocol.TextEdit{{Range: protocol.Range{Start: end, End: end}, NewText: block}})
	c.waitDiagnostics(bucketURI, "without AWS-S3-001", func(p published) bool { return !hasCode(p.Diagnostics, "AWS-S3-001") })

	// Closing the document reads the file from disk again, where the block is not.
	c.notify(protocol.MethodTextDocumentDidClose, &protocol.DidCloseTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: blockURI}})
	c.waitDiagnostics(bucketURI, "with AWS-S3-001 again", func(p published) bool { return hasCode(p.Diagnostics, "AWS-S3-001") })

	// A file created on disk is reported by the watcher.
	if err := os.WriteFile(filepath.Join(root, "block.tf"), []byte(block), 0o644); err != nil {
		t.Fatal(err)
	}
	c.notify(protocol.MethodWorkspaceDidChangeWatchedFiles, &protocol.DidChangeWatchedFilesParams{Changes: []protocol.FileEvent{
		{URI: blockURI, Type: protocol.FileChangeTypeChanged}}})
	c.waitDiagnostics(bucketURI, "without AWS-S3-001 after the watcher", func(p published) bool { return !hasCode(p.Diagnostics, "AWS-S3-001") })
	c.shutdown()
}

// TestUntitled opens a document that has no file: it is analysed by its language, and its
// diagnostics are cleared with an empty array when it is closed.
func TestUntitled(t *testing.T) {
	c := startServer(t, nil)
	c.initialize("", protocol.ClientCapabilities{})
	u := uri.URI("untitled:Untitled-1")
	text := "resource \"aws_db_instance\" \"scratch\" {\n  storage_encrypted = false\n}\n"
	c.notify(protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{
		URI: u, LanguageID: "terraform", Version: 1, Text: text}})
	p := c.waitDiagnostics(u, "with AWS-RDS-002", func(p published) bool { return hasCode(p.Diagnostics, "AWS-RDS-002") })
	d := diagnosticWithCode(t, p.Diagnostics, "AWS-RDS-002")
	if want := rangeOf(t, text, `storage_encrypted = false`); d.Range != want {
		t.Errorf("range = %+v, want %+v", d.Range, want)
	}
	c.notify(protocol.MethodTextDocumentDidClose, &protocol.DidCloseTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}})
	p = c.waitDiagnostics(u, "cleared", func(p published) bool { return len(p.Diagnostics) == 0 })
	if !strings.Contains(p.raw, `"diagnostics":[]`) {
		t.Errorf("diagnostics are not cleared with an empty array: %s", p.raw)
	}
	c.shutdown()
}

// TestUTF8Encoding negotiates UTF-8 positions when the client prefers them.
func TestUTF8Encoding(t *testing.T) {
	c := startServer(t, nil)
	res := c.initialize("", protocol.ClientCapabilities{General: &protocol.GeneralClientCapabilities{
		PositionEncodings: []protocol.PositionEncodingKind{protocol.PositionEncodingKindUTF8, protocol.PositionEncodingKindUTF16}}})
	if res.Capabilities.PositionEncoding != protocol.PositionEncodingKindUTF8 {
		t.Fatalf("positionEncoding = %q, want utf-8", res.Capabilities.PositionEncoding)
	}
	u := uri.URI("untitled:Untitled-2")
	text := "resource \"aws_db_instance\" \"x\" {\n  /* é😀 */ storage_encrypted = false\n}\n"
	c.notify(protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{
		URI: u, LanguageID: "terraform", Version: 1, Text: text}})
	p := c.waitDiagnostics(u, "with AWS-RDS-002", func(p published) bool { return hasCode(p.Diagnostics, "AWS-RDS-002") })
	d := diagnosticWithCode(t, p.Diagnostics, "AWS-RDS-002")
	line := text[strings.Index(text, "\n")+1:]
	if want := uint32(strings.Index(line, "storage")); d.Range.Start.Character != want {
		t.Errorf("start character = %d, want the byte column %d", d.Range.Start.Character, want)
	}
	c.shutdown()
}

// openFile opens the Terraform file name of the workspace at root, version 1, with its text
// on disk, and returns its URI and text.
func (c *testClient) openFile(root, name string) (uri.URI, string) {
	c.t.Helper()
	u := uri.File(filepath.Join(root, name))
	b, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		c.t.Fatal(err)
	}
	c.notify(protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{
		URI: u, LanguageID: "terraform", Version: 1, Text: string(b)}})
	return u, string(b)
}

// change sends edits as one incremental didChange.
func (c *testClient) change(u uri.URI, version int32, edits []protocol.TextEdit) {
	c.t.Helper()
	var changes []protocol.TextDocumentContentChangeEvent
	for i := len(edits) - 1; i >= 0; i-- { // from the last, so that each range holds as is
		e := edits[i]
		changes = append(changes, &protocol.TextDocumentContentChangePartial{Range: e.Range, Text: e.NewText})
	}
	c.notify(protocol.MethodTextDocumentDidChange, &protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}, Version: version},
		ContentChanges: changes,
	})
}

// codeActions asks for the quick fixes of diagnostic d.
func (c *testClient) codeActions(u uri.URI, r protocol.Range, d protocol.Diagnostic) []*protocol.CodeAction {
	c.t.Helper()
	var res []protocol.CommandOrCodeAction
	if err := c.call(protocol.MethodTextDocumentCodeAction, &protocol.CodeActionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: u}, Range: r,
		Context: protocol.CodeActionContext{Diagnostics: []protocol.Diagnostic{d}},
	}, &res); err != nil {
		c.t.Fatalf("codeAction: %v", err)
	}
	var out []*protocol.CodeAction
	for _, a := range res {
		if ca, ok := a.(*protocol.CodeAction); ok {
			out = append(out, ca)
		}
	}
	return out
}

func actionTitled(t *testing.T, actions []*protocol.CodeAction, prefix string) *protocol.CodeAction {
	t.Helper()
	var titles []string
	for _, a := range actions {
		if strings.HasPrefix(a.Title, prefix) {
			return a
		}
		titles = append(titles, a.Title)
	}
	t.Fatalf("no code action %q among %q", prefix, titles)
	return nil
}

// TestConfiguration starts with a size limit that skips the workspace's file (from
// initializationOptions), then raises it with didChangeConfiguration: the rescan finds it.
func TestConfiguration(t *testing.T) {
	root := copyWorkspace(t, "workspace")
	c := startServer(t, nil)
	u := uri.File(root)
	var res protocol.InitializeResult
	if err := c.call(protocol.MethodInitialize, &protocol.InitializeParams{RootURI: &u,
		InitializationOptions: protocol.LSPAny(`{"threatls":{"maxFileSize":10}}`)}, &res); err != nil {
		t.Fatal(err)
	}
	c.notify(protocol.MethodInitialized, &protocol.InitializedParams{})
	mainURI := uri.File(filepath.Join(root, "main.tf"))
	// Nothing is published for a skipped file. (Scans run one at a time and each reads the
	// configuration when it starts, so whichever runs last sees the raised limit.)
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, &protocol.DidChangeConfigurationParams{
		Settings: protocol.LSPAny(`{"threatls":{"maxFileSize":1000000}}`)})
	p := c.waitDiagnostics(mainURI, "after the rescan", func(p published) bool { return len(p.Diagnostics) > 0 })
	if !hasCode(p.Diagnostics, "AWS-RDS-002") {
		t.Errorf("after raising maxFileSize: %v", codes(p.Diagnostics))
	}
	c.mu.Lock()
	n := len(c.diagnosticsLocked(mainURI))
	c.mu.Unlock()
	if n != 1 {
		t.Errorf("%d publications for main.tf, want 1 (nothing while it was skipped)", n)
	}
	c.shutdown()
}
