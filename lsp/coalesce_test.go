package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// While the editor types faster than the model is updated, the changes are applied to the
// document as they come and one update of the model serves them all; diagnostics are
// published for newer and newer versions only, the last typed among them. (Before, each
// change rebuilt the model: thirty keystrokes, thirty updates and thirty publications,
// minutes behind the typist on a large workspace.)
func TestTypingCoalesces(t *testing.T) {
	root := copyWorkspace(t, "workspace")
	var srv atomic.Pointer[server]
	slow := atomic.Bool{}
	c := startServerWith(t, nil, &hooks{
		server: func(s *server) { srv.Store(s) },
		beforeUpdate: func() {
			if slow.Load() {
				time.Sleep(60 * time.Millisecond) // a model that takes its time to update
			}
		},
	})
	c.initialize(root, fullCapabilities())
	mainURI := uri.File(filepath.Join(root, "main.tf"))
	b, err := os.ReadFile(filepath.Join(root, "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	c.notify(protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{
		URI: mainURI, LanguageID: "terraform", Version: 1, Text: text}})
	c.waitDiagnostics(mainURI, "version 1", func(p published) bool { v, ok := p.version(); return ok && v == 1 })
	c.waitFor("the workspace scan", func() bool { return srv.Load().ws.Latest().Complete() })
	time.Sleep(50 * time.Millisecond) // let the scan's publications settle
	before := srv.Load().updates.Load()
	c.mu.Lock()
	publishedBefore := len(c.diagnosticsLocked(mainURI))
	c.mu.Unlock()

	// A comment line typed above a finding, thirty characters, one notification each, as fast
	// as they go.
	slow.Store(true)
	at := rangeOf(t, text, "storage_encrypted = false").Start
	const n = 30
	for i := range n {
		pos := protocol.Position{Line: at.Line, Character: uint32(i)}
		txt := "x"
		if i == 0 {
			txt = "#\n" // the comment's line; the rest is typed after its #
		}
		c.notify(protocol.MethodTextDocumentDidChange, &protocol.DidChangeTextDocumentParams{
			TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: mainURI}, Version: int32(2 + i)},
			ContentChanges: []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangePartial{Range: protocol.Range{Start: pos, End: pos}, Text: txt}},
		})
	}
	last := c.waitDiagnostics(mainURI, "the last version", func(p published) bool { v, ok := p.version(); return ok && v == n+1 })
	if d := diagnosticWithCode(t, last.Diagnostics, "AWS-RDS-002"); d.Range.Start.Line != at.Line+1 {
		t.Errorf("AWS-RDS-002 at line %d after typing a comment line above it, want %d", d.Range.Start.Line, at.Line+1)
	}
	updates := srv.Load().updates.Load() - before
	if updates > 4 {
		t.Errorf("%d keystrokes made %d updates of the model, want a few at most: they are not coalesced", n, updates)
	}
	c.mu.Lock()
	pubs := c.diagnosticsLocked(mainURI)[publishedBefore:]
	c.mu.Unlock()
	if len(pubs) > int(updates) {
		t.Errorf("%d publications for %d updates", len(pubs), updates)
	}
	prev := int32(1)
	for _, p := range pubs {
		v, _ := p.version()
		if v <= prev {
			t.Errorf("published version %d after %d", v, prev)
		}
		prev = v
	}
	t.Logf("%d keystrokes, %d updates of the model, %d publications", n, updates, len(pubs))
}

// A request is answered from the newest model while an update is still running: a hover
// while the updater works on a slow update answers at once, at the position the editor has
// now (the text typed since is accounted for).
func TestHoverDoesNotWaitForTheModel(t *testing.T) {
	root := copyWorkspace(t, "workspace")
	c, mainURI, edited := typedAhead(t, root, "main.tf", "terraform", "# a comment\n")
	at := rangeOf(t, edited, "storage_encrypted = false")
	t0 := time.Now()
	var h protocol.Hover
	if err := c.call(protocol.MethodTextDocumentHover, &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: mainURI}, Position: at.Start}}, &h); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(t0); took > 2*time.Second {
		t.Errorf("the hover took %v: it waited for the model", took)
	}
	md, _ := h.Contents.(*protocol.MarkupContent)
	if md == nil || !strings.Contains(md.Value, "AWS-RDS-002") {
		t.Errorf("the hover at the moved line does not explain AWS-RDS-002: %+v", h.Contents)
	}
	if h.Range == nil || h.Range.Start.Line != at.Start.Line {
		t.Errorf("hover range %+v, want on line %d of the edited text", h.Range, at.Start.Line)
	}
}

// A keystroke right after the workspace scan does not wait for the diagnostics of the whole
// workspace to be published: the publication stops between two batches, the change is
// taken into the model, its document's diagnostics go out, and the rest of the workspace
// follows. (Before, the first keystrokes after a 5,000-file scan waited 300 ms and more.)
func TestTypingOvertakesThePublication(t *testing.T) {
	root := t.TempDir()
	const files = 400 // several batches
	for i := range files {
		src := fmt.Sprintf("resource \"aws_db_instance\" \"db%03d\" {\n  engine            = \"postgres\"\n  storage_encrypted = false\n}\n", i)
		if err := os.WriteFile(filepath.Join(root, fmt.Sprintf("db%03d.tf", i)), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var srv atomic.Pointer[server]
	batching := make(chan struct{})
	var once sync.Once
	c := startServerWith(t, nil, &hooks{
		server: func(s *server) { srv.Store(s) },
		betweenBatches: func() {
			s := srv.Load()
			if !s.ws.Latest().Complete() {
				return
			}
			once.Do(func() {
				close(batching)
				// Wait for the keystroke to be staged (or already taken into a model by
				// another update), as it would be by a typist.
				deadline := time.Now().Add(waitTimeout)
				for time.Now().Before(deadline) && !s.ws.Pending() {
					if f := s.ws.Latest().File("db000.tf"); f != nil && f.Version >= 2 {
						break
					}
					time.Sleep(time.Millisecond)
				}
			})
		},
	})
	c.initialize(root, fullCapabilities())
	typed, _ := c.openFile(root, "db000.tf")
	select {
	case <-batching:
	case <-time.After(waitTimeout):
		t.Fatal("the diagnostics of the workspace were not published in batches")
	}
	c.change(typed, 2, []protocol.TextEdit{{NewText: "# x\n"}})
	c.waitDiagnostics(typed, "version 2", func(p published) bool { v, ok := p.version(); return ok && v == 2 })
	last := uri.File(filepath.Join(root, fmt.Sprintf("db%03d.tf", files-1)))
	c.mu.Lock()
	before := len(c.diagnosticsLocked(last))
	c.mu.Unlock()
	if before > 0 {
		t.Errorf("the typed document's diagnostics came after those of the whole workspace")
	}
	// The rest of the workspace still gets its diagnostics.
	c.waitDiagnostics(last, "after the keystroke", func(published) bool { return true })
}

// The scan's garbage is given back to the system when the editor pauses, not while an update
// runs: an update that took longer than the pause looked like one (no update ended for a
// second), and the collection then ran between the keystrokes of a 5 MB stream of manifests
// and left a gigabyte resident after them (RSS after the typing 1.0–1.2 GB, 446 MB when it
// runs at the pause).
func TestMemoryIsReturnedAtAPause(t *testing.T) {
	root := copyWorkspace(t, "workspace")
	var mu sync.Mutex
	var updating bool
	var returnedWhileUpdating, returned int
	c := startServerWith(t, nil, &hooks{
		server: func(s *server) {
			s.pause = 100 * time.Millisecond
			s.memoryReturned = func() {
				mu.Lock()
				defer mu.Unlock()
				returned++
				if updating {
					returnedWhileUpdating++
				}
			}
		},
		beforeUpdate: func() {
			mu.Lock()
			updating = true
			mu.Unlock()
			time.Sleep(300 * time.Millisecond) // three pauses long
			mu.Lock()
			updating = false
			mu.Unlock()
		},
	})
	c.initialize(root, fullCapabilities())
	mainURI, _ := c.openFile(root, "main.tf")
	// Typing, one character every 200 ms for 2 s: the updater is never idle.
	for i := range 10 {
		c.change(mainURI, int32(2+i), []protocol.TextEdit{{NewText: " "}})
		time.Sleep(200 * time.Millisecond)
	}
	for deadline := time.Now().Add(waitTimeout); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := returned
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the scan's memory was not returned once the typing stopped")
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if returnedWhileUpdating > 0 {
		t.Errorf("the scan's memory was returned while an update ran")
	}
}

// An update that panics (a bug) is told to the user, and the server goes on: the update is
// tried again at once, and the edit it was for, and every later one, get their diagnostics.
// (Before, the panic ended the folder's updater: the server logged it and never published
// again, while the editor went on showing diagnostics of an old text.)
func TestUpdatesGoOnAfterAPanic(t *testing.T) {
	root := copyWorkspace(t, "workspace")
	var srv atomic.Pointer[server]
	var armed atomic.Bool
	c := startServerWith(t, nil, &hooks{
		server: func(s *server) { srv.Store(s) },
		beforeUpdate: func() {
			if armed.CompareAndSwap(true, false) {
				panic("a bug in an update")
			}
		},
	})
	c.initialize(root, fullCapabilities())
	mainURI, _ := c.openFile(root, "main.tf")
	c.waitDiagnostics(mainURI, "version 1", func(p published) bool { v, ok := p.version(); return ok && v == 1 })
	c.waitFor("the workspace scan", func() bool { return srv.Load().ws.Latest().Complete() })
	armed.Store(true)
	c.change(mainURI, 2, []protocol.TextEdit{{NewText: "# a comment\n"}})
	c.waitFor("window/showMessage about the internal error", func() bool {
		return slices.ContainsFunc(c.notes, func(n note) bool {
			return n.method == protocol.MethodWindowShowMessage && strings.Contains(string(n.params), "internal error while updating") &&
				strings.Contains(string(n.params), "a bug in an update")
		})
	})
	c.waitDiagnostics(mainURI, "version 2, after the update that panicked", func(p published) bool { v, ok := p.version(); return ok && v == 2 })
	c.change(mainURI, 3, []protocol.TextEdit{{NewText: "# another\n"}})
	c.waitDiagnostics(mainURI, "version 3", func(p published) bool { v, ok := p.version(); return ok && v == 3 })
	// The count of updates running is back to none (the memory is returned at a pause).
	for deadline := time.Now().Add(waitTimeout); srv.Load().busy.Load() != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d updates still counted as running after the typing", srv.Load().busy.Load())
		}
	}

	// A scan that panics ends as one that stopped, told to the user.
	s := srv.Load()
	err := s.runScan(s.folderList()[0], nil, func(*folder, func(done, total int)) error { panic("a bug in a scan") })
	if err == nil || err.Error() != "internal error: a bug in a scan" {
		t.Errorf("a scan that panicked returned %v", err)
	}
	c.waitFor("window/showMessage about the scan's internal error", func() bool {
		return slices.ContainsFunc(c.notes, func(n note) bool {
			return n.method == protocol.MethodWindowShowMessage && strings.Contains(string(n.params), "internal error while scanning")
		})
	})
}

// Inlay hints, like hovers, are answered from the newest model while the editor has typed
// since: a hint is placed at the end of its flow's line in the editor's text, and the range
// asked for is a range of that text. (They were placed by the model's text: two lines typed
// at the top put every hint two lines above its flow until the model caught up.)
func TestInlayHintsFollowTheTyping(t *testing.T) {
	root := copyWorkspace(t, filepath.Join("..", "e2e", "testdata", "workspace"))
	c, u, edited := typedAhead(t, root, "k8s/app.yaml", "yaml", "# one\n# two\n")
	line := lineOf(t, edited, `- name: API_URL`)
	var hints []protocol.InlayHint
	// The lines around the flow, in the editor's text.
	around := protocol.Range{Start: protocol.Position{Line: line - 1}, End: protocol.Position{Line: line + 1}}
	if err := c.call(protocol.MethodTextDocumentInlayHint, &protocol.InlayHintParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}, Range: around}, &hints); err != nil {
		t.Fatal(err)
	}
	if len(hints) != 1 {
		t.Fatalf("%d hints around the API_URL line of the edited text, want 1: %+v", len(hints), hints)
	}
	want := protocol.Position{Line: line, Character: uint32(len(strings.Split(edited, "\n")[line]))}
	if hints[0].Position != want {
		t.Errorf("the hint is at %+v, want the end of API_URL's line in the editor's text, %+v", hints[0].Position, want)
	}
}

// Document links, too, are where the editor's text has them.
func TestDocumentLinksFollowTheTyping(t *testing.T) {
	root := copyWorkspace(t, "workspace")
	if err := os.WriteFile(filepath.Join(root, "main.tf"), []byte("# threatls:ignore AWS-RDS-002 test data, never deployed\n"+readText(t, root, "main.tf")), 0o644); err != nil {
		t.Fatal(err)
	}
	c, u, edited := typedAhead(t, root, "main.tf", "terraform", "# one\n# two\n")
	var links []protocol.DocumentLink
	if err := c.call(protocol.MethodTextDocumentDocumentLink, &protocol.DocumentLinkParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}}, &links); err != nil {
		t.Fatal(err)
	}
	if want := rangeOf(t, edited, `AWS-RDS-002`); len(links) != 1 || links[0].Range != want {
		t.Errorf("links = %+v, want one at %+v, on AWS-RDS-002 in the editor's text", links, want)
	}
}

// typedAhead opens rel of root (languageID) in a server, waits for its model, then types typed
// at its top while the model's update of it hangs (until the test ends): requests then see the
// editor's text ahead of the model's. It returns the client, the document and its text now.
func typedAhead(t *testing.T, root, rel, languageID, typed string) (*testClient, uri.URI, string) {
	t.Helper()
	var srv atomic.Pointer[server]
	slow := atomic.Bool{}
	release := make(chan struct{})
	c := startServerWith(t, nil, &hooks{
		server: func(s *server) { srv.Store(s) },
		beforeUpdate: func() {
			if slow.Load() {
				<-release // an update that does not end until the test does
			}
		},
	})
	t.Cleanup(func() { close(release) })
	c.initialize(root, fullCapabilities())
	u := uri.File(filepath.Join(root, filepath.FromSlash(rel)))
	text := readText(t, root, rel)
	c.notify(protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{
		URI: u, LanguageID: protocol.LanguageKind(languageID), Version: 1, Text: text}})
	c.waitDiagnostics(u, "version 1", func(p published) bool { v, ok := p.version(); return ok && v == 1 })
	c.waitFor("the workspace scan", func() bool { return srv.Load().ws.Latest().Complete() })
	slow.Store(true)
	top := protocol.Position{}
	c.notify(protocol.MethodTextDocumentDidChange, &protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}, Version: 2},
		ContentChanges: []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangePartial{Range: protocol.Range{Start: top, End: top}, Text: typed}},
	})
	return c, u, typed + text
}

// Go to definition, within the document, lands where the editor's text has the definition.
func TestDefinitionFollowsTheTyping(t *testing.T) {
	root := copyWorkspace(t, filepath.Join("..", "e2e", "testdata", "workspace"))
	c, u, edited := typedAhead(t, root, "k8s/app.yaml", "yaml", "# one\n# two\n")
	var locs []protocol.Location
	pos := rangeOf(t, edited, `orders-db:5432`).Start
	if err := c.call(protocol.MethodTextDocumentDefinition, &protocol.DefinitionParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: u}, Position: pos}}, &locs); err != nil {
		t.Fatal(err)
	}
	want := lineOf(t, edited, "kind: StatefulSet\nmetadata:\n  name: orders-db") - 1
	var found bool
	for _, l := range locs {
		if l.URI == u {
			found = true
			if l.Range.Start.Line != want {
				t.Errorf("the StatefulSet is at line %d, want %d of the editor's text", l.Range.Start.Line+1, want+1)
			}
		}
	}
	if !found {
		t.Errorf("definition of DATABASE_URL's host = %+v, want the StatefulSet in %s", locs, u)
	}
}

// A pull of the document's diagnostics while the model lags gives their ranges in the
// editor's text, and a result of its own: the text it was made for is the editor's.
func TestPulledDiagnosticsFollowTheTyping(t *testing.T) {
	root := copyWorkspace(t, "workspace")
	c, u, edited := typedAhead(t, root, "main.tf", "terraform", "# one\n# two\n")
	var rep protocol.RelatedFullDocumentDiagnosticReport
	if err := c.call(protocol.MethodTextDocumentDiagnostic, &protocol.DocumentDiagnosticParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}}, &rep); err != nil {
		t.Fatal(err)
	}
	want := rangeOf(t, edited, "storage_encrypted = false")
	var found bool
	for _, d := range rep.Items {
		if codeString(d.Code) == "AWS-RDS-002" {
			found = true
			if d.Range.Start.Line != want.Start.Line {
				t.Errorf("AWS-RDS-002 pulled at line %d, want %d of the editor's text", d.Range.Start.Line+1, want.Start.Line+1)
			}
		}
	}
	if rep.Kind != "full" || !found {
		t.Errorf("pulled %s %v, want a full report with AWS-RDS-002", rep.Kind, codes(rep.Items))
	}
}

// Go to definition from another document lands where the editor's text of the target has
// it, when the editor is typing there ahead of the model.
func TestDefinitionIntoATypedDocument(t *testing.T) {
	root := copyWorkspace(t, filepath.Join("..", "e2e", "testdata", "workspace"))
	c, u, edited := typedAhead(t, root, "k8s/app.yaml", "yaml", "# one\n# two\n")
	design := readText(t, root, "docs/design.md")
	var locs []protocol.Location
	pos := rangeOf(t, design, `api\[Orders API\]`).Start
	if err := c.call(protocol.MethodTextDocumentDefinition, &protocol.DefinitionParams{TextDocumentPositionParams: at(root, "docs/design.md", pos)}, &locs); err != nil {
		t.Fatal(err)
	}
	want := lineOf(t, edited, `kind: Deployment\nmetadata:\n  name: api`) - 1
	if len(locs) != 1 || locs[0].URI != u || locs[0].Range.Start.Line != want {
		t.Errorf("definition of the diagram's api = %+v, want %s line %d of the editor's text", locs, u, want+1)
	}
}
