package lsp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/threatls/threatls/knowledge"
)

// The model's features, in process, on the scripted client's workspace (../e2e/testdata):
// a web front and an API in a manifest, their database, a design document that draws two of
// them, and Terraform.

// system starts a server on a copy of the system workspace and waits for its first scan.
func system(t *testing.T) (*testClient, string) {
	t.Helper()
	root := copyWorkspace(t, filepath.Join("..", "e2e", "testdata", "workspace"))
	c := startServer(t, nil)
	c.initialize(root, fullCapabilities())
	c.waitDiagnostics(uri.File(filepath.Join(root, "k8s", "app.yaml")), "the first scan", func(p published) bool { return len(p.Diagnostics) > 0 })
	return c, root
}

func readText(t *testing.T, root, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func docID(root, rel string) protocol.TextDocumentIdentifier {
	return protocol.TextDocumentIdentifier{URI: uri.File(filepath.Join(root, rel))}
}

func at(root, rel string, pos protocol.Position) protocol.TextDocumentPositionParams {
	return protocol.TextDocumentPositionParams{TextDocument: docID(root, rel), Position: pos}
}

// lineOf returns the zero-based line of the first match of re in text.
func lineOf(t *testing.T, text, re string) uint32 {
	t.Helper()
	return rangeOf(t, text, re).Start.Line
}

func TestCodeLens(t *testing.T) {
	c, root := system(t)
	text := readText(t, root, "k8s/app.yaml")
	var lenses []protocol.CodeLens
	if err := c.call(protocol.MethodTextDocumentCodeLens, &protocol.CodeLensParams{TextDocument: docID(root, "k8s/app.yaml")}, &lenses); err != nil {
		t.Fatal(err)
	}
	byLine := map[uint32]protocol.CodeLens{}
	for _, l := range lenses {
		byLine[l.Range.Start.Line] = l
	}
	shape := regexp.MustCompile(`^\d+ threats? · \d+ attack paths? · zone \S`)
	for re, want := range map[string]string{
		`kind: Deployment\nmetadata:\n  name: web`:     "1 attack path",
		`kind: Deployment\nmetadata:\n  name: api`:     "1 attack path",
		`kind: StatefulSet\nmetadata:\n  name: orders`: "1 attack path",
	} {
		line := rangeOf(t, text, re).Start.Line + 2 // the head: the name
		l, ok := byLine[line]
		if !ok {
			t.Errorf("no code lens on line %d (%s); lenses: %+v", line+1, re, lenses)
			continue
		}
		if !shape.MatchString(l.Command.Title) || !strings.Contains(l.Command.Title, want) {
			t.Errorf("lens on line %d = %q, want %q and %q", line+1, l.Command.Title, shape, want)
		}
		if l.Command.Command != cmdShowElement || len(l.Command.Arguments) != 1 || !strings.Contains(string(l.Command.Arguments[0]), "kubernetes:") {
			t.Errorf("lens command = %+v, want %s with the element's ID", l.Command, cmdShowElement)
		}
	}
	// Services and flows get none: only components and stores.
	if len(lenses) != 3 {
		t.Errorf("%d lenses, want 3 (two Deployments, one StatefulSet): %+v", len(lenses), lenses)
	}
	c.shutdown()
}

func TestInlayHint(t *testing.T) {
	c, root := system(t)
	text := readText(t, root, "k8s/app.yaml")
	var hints []protocol.InlayHint
	full := protocol.Range{End: protocol.Position{Line: uint32(strings.Count(text, "\n") + 1)}}
	if err := c.call(protocol.MethodTextDocumentInlayHint, &protocol.InlayHintParams{TextDocument: docID(root, "k8s/app.yaml"), Range: full}, &hints); err != nil {
		t.Fatal(err)
	}
	// The web front calls the API over plain HTTP, unauthenticated: the hint ends the line
	// that defines the flow.
	line := lineOf(t, text, `- name: API_URL`)
	var found bool
	for _, h := range hints {
		label, _ := h.Label.(protocol.String)
		if h.Position.Line == line {
			found = true
			if !strings.Contains(string(label), "→ Deployment/api") || !strings.Contains(string(label), "plaintext") {
				t.Errorf("hint on API_URL = %q, want the target and plaintext", label)
			}
			if want := uint32(len(strings.Split(text, "\n")[line])); h.Position.Character != want {
				t.Errorf("hint at character %d, want the end of the line (%d)", h.Position.Character, want)
			}
		}
	}
	if !found {
		t.Errorf("no inlay hint on the line of API_URL (%d): %+v", line+1, hints)
	}
	// A range that holds no flow gets no hint.
	var none []protocol.InlayHint
	if err := c.call(protocol.MethodTextDocumentInlayHint, &protocol.InlayHintParams{TextDocument: docID(root, "k8s/app.yaml"),
		Range: protocol.Range{End: protocol.Position{Line: 2}}}, &none); err != nil || len(none) != 0 {
		t.Errorf("hints on the first two lines: %+v, %v", none, err)
	}
	c.shutdown()
}

func TestDocumentSymbol(t *testing.T) {
	c, root := system(t)
	var syms []protocol.DocumentSymbol
	if err := c.call(protocol.MethodTextDocumentDocumentSymbol, &protocol.DocumentSymbolParams{TextDocument: docID(root, "k8s/app.yaml")}, &syms); err != nil {
		t.Fatal(err)
	}
	var names []string
	var web *protocol.DocumentSymbol
	for i, s := range syms {
		names = append(names, s.Name)
		if s.Name == "Deployment/web" {
			web = &syms[i]
		}
	}
	for _, want := range []string{"Deployment/web", "Deployment/api", "StatefulSet/orders-db"} {
		if !slices.Contains(names, want) {
			t.Errorf("document symbols %q lack %q", names, want)
		}
	}
	if web == nil || web.Kind != protocol.SymbolKindClass || len(web.Children) == 0 || !strings.Contains(web.Children[0].Name, "API_URL") {
		t.Errorf("Deployment/web = %+v, want a class with its API_URL flow as a child", web)
	}
	c.shutdown()
}

func TestWorkspaceSymbol(t *testing.T) {
	c, root := system(t)
	var syms []protocol.WorkspaceSymbol
	if err := c.call(protocol.MethodWorkspaceSymbol, &protocol.WorkspaceSymbolParams{Query: "ORDERS"}, &syms); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range syms {
		loc, _ := s.Location.(*protocol.Location)
		if loc == nil {
			t.Errorf("symbol %s has no location", s.Name)
			continue
		}
		got[s.Name] = string(loc.URI)
	}
	for name, file := range map[string]string{"aws_db_instance.orders": "main.tf", "StatefulSet/orders-db": "k8s/app.yaml"} {
		if got[name] != string(uri.File(filepath.Join(root, file))) {
			t.Errorf("workspace symbol %s at %q, want %s; got %v", name, got[name], file, got)
		}
	}
	if _, ok := got["Deployment/web"]; ok {
		t.Errorf("the query \"ORDERS\" found Deployment/web")
	}
	c.shutdown()
}

// Definition crosses formats: from a node of the design document to the manifest that
// implements it, and from a DATABASE_URL to the database it names.
func TestDefinition(t *testing.T) {
	c, root := system(t)
	design, app := readText(t, root, "docs/design.md"), readText(t, root, "k8s/app.yaml")
	var locs []protocol.Location
	pos := rangeOf(t, design, `api\[Orders API\]`).Start
	if err := c.call(protocol.MethodTextDocumentDefinition, &protocol.DefinitionParams{TextDocumentPositionParams: at(root, "docs/design.md", pos)}, &locs); err != nil {
		t.Fatal(err)
	}
	want := lineOf(t, app, `kind: Deployment\nmetadata:\n  name: api`) - 1
	if len(locs) != 1 || locs[0].URI != uri.File(filepath.Join(root, "k8s/app.yaml")) || locs[0].Range.Start.Line != want {
		t.Errorf("definition of the diagram's api = %+v, want k8s/app.yaml line %d", locs, want+1)
	}

	pos = rangeOf(t, app, `orders-db:5432`).Start
	if err := c.call(protocol.MethodTextDocumentDefinition, &protocol.DefinitionParams{TextDocumentPositionParams: at(root, "k8s/app.yaml", pos)}, &locs); err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, l := range locs {
		files = append(files, filepath.Base(l.URI.FsPath()))
	}
	slices.Sort(files)
	if !slices.Equal(files, []string{"app.yaml", "design.md"}) {
		t.Errorf("definition of DATABASE_URL's host = %+v, want the StatefulSet and the diagram's node", locs)
	}
	c.shutdown()
}

func TestReferences(t *testing.T) {
	c, root := system(t)
	app := readText(t, root, "k8s/app.yaml")
	pos := rangeOf(t, app, `name: api\n`).Start
	var locs []protocol.Location
	if err := c.call(protocol.MethodTextDocumentReferences, &protocol.ReferenceParams{TextDocumentPositionParams: at(root, "k8s/app.yaml", pos),
		Context: protocol.ReferenceContext{IncludeDeclaration: true}}, &locs); err != nil {
		t.Fatal(err)
	}
	lines := map[string]bool{}
	for _, l := range locs {
		lines[filepath.Base(l.URI.FsPath())+":"+strings.TrimSpace(strings.Split(readText(t, root, rel(root, l.URI)), "\n")[l.Range.Start.Line])] = true
	}
	for _, want := range []string{"app.yaml:apiVersion: apps/v1", "design.md:api[Orders API] -->|postgres 5432| db[(orders-db)]", "app.yaml:- name: API_URL", "app.yaml:- name: DATABASE_URL"} {
		if !lines[want] {
			t.Errorf("references of the API lack %q: %v", want, lines)
		}
	}
	c.shutdown()
}

func rel(root string, u uri.URI) string {
	r, _ := filepath.Rel(root, u.FsPath())
	return r
}

func TestDocumentLink(t *testing.T) {
	c, root := system(t)
	text := "# threatls:ignore AWS-RDS-002 test data, never deployed\n" + readText(t, root, "main.tf")
	mainURI := uri.File(filepath.Join(root, "main.tf"))
	c.notify(protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: mainURI, LanguageID: "terraform", Version: 1, Text: text}})
	var links []protocol.DocumentLink
	if err := c.call(protocol.MethodTextDocumentDocumentLink, &protocol.DocumentLinkParams{TextDocument: docID(root, "main.tf")}, &links); err != nil {
		t.Fatal(err)
	}
	if len(links) != 1 || links[0].Range != rangeOf(t, text, `AWS-RDS-002`) || links[0].Target == nil || *links[0].Target != uri.URI(knowledge.DocURL("AWS-RDS-002")) {
		t.Errorf("links = %+v, want one on AWS-RDS-002 to %s", links, knowledge.DocURL("AWS-RDS-002"))
	}
	c.shutdown()
}

func TestPullDiagnostics(t *testing.T) {
	c, root := system(t)
	mainURI := uri.File(filepath.Join(root, "main.tf"))
	pushed := c.waitDiagnostics(mainURI, "main.tf", func(p published) bool { return len(p.Diagnostics) > 0 })

	var rep protocol.RelatedFullDocumentDiagnosticReport
	if err := c.call(protocol.MethodTextDocumentDiagnostic, &protocol.DocumentDiagnosticParams{TextDocument: docID(root, "main.tf")}, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Kind != "full" || rep.ResultID == nil || !slices.Equal(codes(rep.Items), codes(pushed.Diagnostics)) {
		t.Fatalf("pulled %s %v, pushed %v", rep.Kind, codes(rep.Items), codes(pushed.Diagnostics))
	}
	var again protocol.RelatedUnchangedDocumentDiagnosticReport
	if err := c.call(protocol.MethodTextDocumentDiagnostic, &protocol.DocumentDiagnosticParams{TextDocument: docID(root, "main.tf"), PreviousResultID: rep.ResultID}, &again); err != nil {
		t.Fatal(err)
	}
	if again.Kind != "unchanged" || again.ResultID != *rep.ResultID {
		t.Errorf("asked again with the previous result: %+v, want unchanged", again)
	}

	var ws struct {
		Items []struct {
			Kind  string                `json:"kind"`
			URI   uri.URI               `json:"uri"`
			Items []protocol.Diagnostic `json:"items"`
		} `json:"items"`
	}
	if err := c.call(protocol.MethodWorkspaceDiagnostic, &protocol.WorkspaceDiagnosticParams{}, &ws); err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, it := range ws.Items {
		files = append(files, rel(root, it.URI))
		if it.Kind != "full" || len(it.Items) == 0 {
			t.Errorf("workspace report for %s: %s with %d items", it.URI, it.Kind, len(it.Items))
		}
	}
	for _, want := range []string{"main.tf", "k8s/app.yaml", "docs/design.md"} {
		if !slices.Contains(files, want) {
			t.Errorf("workspace diagnostics cover %v, not %s", files, want)
		}
	}
	c.shutdown()
}

// A client that pulls gets diagnosticProvider and no publishDiagnostics, and is asked to
// pull again when the model changes.
func TestPullMode(t *testing.T) {
	root := copyWorkspace(t, "workspace")
	c := startServer(t, nil)
	caps := fullCapabilities()
	yes := true
	caps.Workspace.Diagnostics = &protocol.DiagnosticWorkspaceClientCapabilities{RefreshSupport: &yes}
	u := uri.File(root)
	res := c.initializeWith(&protocol.InitializeParams{RootURI: &u, Capabilities: caps,
		InitializationOptions: protocol.LSPAny(`{"threatls":{"diagnostics":"pull"}}`)})
	if res.Capabilities.DiagnosticProvider == nil {
		t.Fatalf("no diagnosticProvider for a client that pulls")
	}
	c.waitFor("a refresh request after the scan", func() bool {
		return slices.ContainsFunc(c.requests, func(n note) bool { return n.method == protocol.MethodWorkspaceDiagnosticRefresh })
	})
	var rep protocol.RelatedFullDocumentDiagnosticReport
	if err := c.call(protocol.MethodTextDocumentDiagnostic, &protocol.DocumentDiagnosticParams{TextDocument: docID(root, "main.tf")}, &rep); err != nil || !hasCode(rep.Items, "AWS-RDS-002") {
		t.Errorf("pulled %v, %v; want AWS-RDS-002", codes(rep.Items), err)
	}
	c.mu.Lock()
	for _, n := range c.notes {
		if n.method == protocol.MethodTextDocumentPublishDiagnostics {
			t.Errorf("diagnostics pushed to a client that pulls: %s", n.params)
		}
	}
	c.mu.Unlock()
	c.shutdown()
}

func TestCommands(t *testing.T) {
	c, root := system(t)
	run := func(cmd string, arg any, out any) error {
		var args []protocol.LSPAny
		if arg != nil {
			b, _ := json.Marshal(arg)
			args = append(args, protocol.LSPAny(b))
		}
		return c.call(protocol.MethodWorkspaceExecuteCommand, &protocol.ExecuteCommandParams{Command: cmd, Arguments: args}, out)
	}
	mainURI := uri.File(filepath.Join(root, "main.tf"))

	var model struct {
		Version  int    `json:"version"`
		Root     string `json:"root"`
		Elements []struct {
			ID string `json:"id"`
		} `json:"elements"`
		Paths []struct {
			Name string `json:"name"`
			Hops []any  `json:"hops"`
		} `json:"paths"`
	}
	if err := c.call(methodModel, &modelParams{URI: mainURI}, &model); err != nil {
		t.Fatal(err)
	}
	if model.Version != 1 || model.Root != root || len(model.Elements) < 5 || len(model.Paths) != 1 || len(model.Paths[0].Hops) == 0 {
		t.Errorf("threatls/model = %+v", model)
	}
	var viaCommand map[string]any
	if err := run(cmdModel, map[string]string{"uri": string(mainURI)}, &viaCommand); err != nil || viaCommand["root"] != root {
		t.Errorf("%s = %v, %v", cmdModel, viaCommand["root"], err)
	}

	var paths struct {
		Paths []struct {
			Entry string `json:"entry"`
		} `json:"paths"`
	}
	if err := run(cmdPaths, map[string]string{"element": "kubernetes:default/Deployment/api"}, &paths); err != nil || len(paths.Paths) != 1 {
		t.Errorf("%s through the API: %+v, %v; want 1 path", cmdPaths, paths, err)
	}
	if err := run(cmdPaths, map[string]string{"element": "terraform:./aws_s3_bucket.assets"}, &paths); err != nil || len(paths.Paths) != 0 {
		t.Errorf("%s through a bucket on no path: %+v, %v", cmdPaths, paths, err)
	}

	var explained map[string]string
	if err := run(cmdExplain, "AWS-RDS-002", &explained); err != nil || !strings.Contains(explained["markdown"], "AWS-RDS-002") {
		t.Errorf("%s AWS-RDS-002 = %v, %v", cmdExplain, explained, err)
	}
	if err := run(cmdExplain, "NOPE-1", &explained); errorCode(err) != -32602 {
		t.Errorf("%s of an unknown threat: %v, want InvalidParams", cmdExplain, err)
	}

	var rep map[string]string
	if err := run(cmdReport, nil, &rep); err != nil || rep["format"] != "text" || !strings.Contains(rep["content"], "AWS-RDS-002") || !strings.Contains(rep["content"], "attack path") {
		t.Errorf("%s = %v, %v", cmdReport, rep, err)
	}

	var scanned map[string]int
	if err := run(cmdScan, nil, &scanned); err != nil || scanned["files"] < 4 || scanned["findings"] == 0 {
		t.Errorf("%s = %v, %v", cmdScan, scanned, err)
	}

	// Accepting a risk with a reason sends the complete comment through workspace/applyEdit.
	pushed := c.waitDiagnostics(mainURI, "main.tf", func(p published) bool { return hasCode(p.Diagnostics, "AWS-RDS-002") })
	d := diagnosticWithCode(t, pushed.Diagnostics, "AWS-RDS-002")
	// A client that has only the diagnostic names the finding by threat and range.
	if err := run(cmdExplain, map[string]any{"uri": mainURI, "threat": "AWS-RDS-002", "range": d.Range}, &explained); err != nil ||
		!strings.Contains(explained["markdown"], "aws_db_instance.orders") || !strings.Contains(explained["markdown"], "Why this applies here") {
		t.Errorf("%s of the diagnostic = %v, %v; want the finding's full explanation", cmdExplain, explained, err)
	}
	var fingerprint string
	for _, v := range []string{"AWS-RDS-002"} {
		fingerprint = knowledge.Fingerprint(v, "terraform:./aws_db_instance.orders")
	}
	var accepted map[string]any
	if err := run(cmdAcceptRisk, map[string]string{"uri": string(mainURI), "fingerprint": fingerprint, "reason": "  test data,\n never deployed "}, &accepted); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	i := slices.IndexFunc(c.requests, func(n note) bool { return n.method == protocol.MethodWorkspaceApplyEdit })
	var edit string
	if i >= 0 {
		edit = string(c.requests[i].params)
	}
	c.mu.Unlock()
	if !strings.Contains(edit, `threatls:ignore AWS-RDS-002 test data, never deployed\n`) {
		t.Errorf("workspace/applyEdit = %s, want the comment with the reason", edit)
	}
	if err := run(cmdAcceptRisk, map[string]string{"uri": string(mainURI), "fingerprint": fingerprint}, &accepted); errorCode(err) != -32602 {
		t.Errorf("accepting without a reason: %v, want InvalidParams", err)
	}
	if err := run("threatls.nope", nil, &accepted); errorCode(err) != -32602 {
		t.Errorf("an unknown command: %v, want InvalidParams", err)
	}
	c.shutdown()
}

// The settings are pulled with workspace/configuration after initialized and after a
// didChangeConfiguration without settings; a wrong one is shown with window/showMessage.
func TestConfigurationPull(t *testing.T) {
	root := copyWorkspace(t, "workspace")
	c := startServer(t, nil)
	setting := `{"minSeverity":"critical"}`
	c.answer = func(method string, _ []byte) (any, bool) {
		if method != protocol.MethodWorkspaceConfiguration {
			return nil, false
		}
		c.mu.Lock() // answer runs outside mu
		defer c.mu.Unlock()
		return []json.RawMessage{json.RawMessage(setting)}, true
	}
	caps := fullCapabilities()
	yes := true
	caps.Workspace.Configuration = &yes
	u := uri.File(root)
	c.initializeWith(&protocol.InitializeParams{RootURI: &u, Capabilities: caps})
	mainURI := uri.File(filepath.Join(root, "main.tf"))
	// AWS-RDS-002 is medium: below the floor pulled before the first scan.
	c.waitFor("the end of the first scan", func() bool {
		return slices.ContainsFunc(c.notes, func(n note) bool { return strings.Contains(string(n.params), `"kind":"end"`) })
	})
	c.mu.Lock()
	for _, p := range c.diagnosticsLocked(mainURI) {
		if hasCode(p.Diagnostics, "AWS-RDS-002") {
			t.Errorf("minSeverity critical (pulled) still shows AWS-RDS-002: %v", codes(p.Diagnostics))
		}
	}
	c.mu.Unlock()
	c.mu.Lock()
	setting = `{"minSeverity":"severe"}`
	c.mu.Unlock()
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, &protocol.DidChangeConfigurationParams{Settings: protocol.LSPAny("null")})
	c.waitFor("window/showMessage about minSeverity", func() bool {
		return slices.ContainsFunc(c.notes, func(n note) bool {
			return n.method == protocol.MethodWindowShowMessage && strings.Contains(string(n.params), "minSeverity")
		})
	})
	c.mu.Lock()
	setting = `{"minSeverity":"info"}`
	c.mu.Unlock()
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, &protocol.DidChangeConfigurationParams{Settings: protocol.LSPAny("null")})
	c.waitDiagnostics(mainURI, "AWS-RDS-002 back with the floor lowered", func(p published) bool { return hasCode(p.Diagnostics, "AWS-RDS-002") })
	c.shutdown()
}

// Each workspace folder is its own model: two copies of one workspace give two sets of
// diagnostics, an edit of one leaves the other alone, and threatls/model answers per folder.
func TestWorkspaceFolders(t *testing.T) {
	a, b := copyWorkspace(t, "workspace"), copyWorkspace(t, "workspace")
	c := startServer(t, nil)
	ua, ub := uri.File(a), uri.File(b)
	params := &protocol.InitializeParams{Capabilities: fullCapabilities()}
	params.WorkspaceFolders = protocol.NewNullable([]protocol.WorkspaceFolder{{URI: ua, Name: "a"}, {URI: ub, Name: "b"}})
	c.initializeWith(params)
	aMain, bMain := uri.File(filepath.Join(a, "main.tf")), uri.File(filepath.Join(b, "main.tf"))
	for _, u := range []uri.URI{aMain, bMain} {
		c.waitDiagnostics(u, "the scan of "+string(u), func(p published) bool { return hasCode(p.Diagnostics, "AWS-RDS-002") })
	}
	text := readText(t, b, "main.tf")
	fixed := strings.Replace(text, "storage_encrypted = false", "storage_encrypted = true", 1)
	c.notify(protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: bMain, LanguageID: "terraform", Version: 1, Text: fixed}})
	c.waitDiagnostics(bMain, "b/main.tf fixed", func(p published) bool {
		v, ok := p.version()
		return ok && v == 1 && !hasCode(p.Diagnostics, "AWS-RDS-002")
	})
	var rep protocol.RelatedFullDocumentDiagnosticReport
	if err := c.call(protocol.MethodTextDocumentDiagnostic, &protocol.DocumentDiagnosticParams{TextDocument: protocol.TextDocumentIdentifier{URI: aMain}}, &rep); err != nil || !hasCode(rep.Items, "AWS-RDS-002") {
		t.Errorf("a/main.tf after b/main.tf was fixed: %v, %v", codes(rep.Items), err)
	}
	var m struct {
		Root string `json:"root"`
	}
	if err := c.call(methodModel, &modelParams{URI: bMain}, &m); err != nil || m.Root != b {
		t.Errorf("threatls/model of b = %q, %v; want %s", m.Root, err, b)
	}
	c.notify(protocol.MethodWorkspaceDidChangeWorkspaceFolders, &protocol.DidChangeWorkspaceFoldersParams{Event: protocol.WorkspaceFoldersChangeEvent{
		Removed: []protocol.WorkspaceFolder{{URI: ub, Name: "b"}}}})
	if err := c.call(methodModel, &modelParams{URI: bMain}, &m); err != nil || m.Root != a {
		t.Errorf("threatls/model of a file of a removed folder = %q, %v; want the first folder %s", m.Root, err, a)
	}
	c.shutdown()
}

// A risk is accepted by the range of its diagnostic after the document was edited, as an editor
// does after a quick fix: the finding is found in the model of the edited text.
func TestAcceptRiskAfterAnEdit(t *testing.T) {
	c, root := system(t)
	u, text, _ := c.openMain(root)
	end := oraclePosition(text, len(text))
	c.notify(protocol.MethodTextDocumentDidChange, &protocol.DidChangeTextDocumentParams{
		TextDocument: protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}, Version: 2},
		ContentChanges: []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangePartial{
			Range: protocol.Range{Start: end, End: end}, Text: "\n# an edit below every finding\n"}}})
	p := c.waitDiagnostics(u, "version 2", func(p published) bool { v, ok := p.version(); return ok && v == 2 })
	d := diagnosticWithCode(t, p.Diagnostics, "AWS-RDS-002")
	b, _ := json.Marshal(map[string]any{"uri": u, "threat": "AWS-RDS-002", "range": d.Range, "reason": "test data"})
	var accepted map[string]any
	if err := c.call(protocol.MethodWorkspaceExecuteCommand, &protocol.ExecuteCommandParams{Command: cmdAcceptRisk, Arguments: []protocol.LSPAny{protocol.LSPAny(b)}}, &accepted); err != nil {
		t.Fatalf("accepting AWS-RDS-002 at %v after an edit: %v", d.Range, err)
	}
	c.shutdown()
}
