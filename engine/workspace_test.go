package engine_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/threatls/threatls/analyzers/all"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

const unencrypted = "resource \"aws_ebs_volume\" \"v\" {\n  availability_zone = \"eu-west-1a\"\n  encrypted = false\n}\n"

func newWorkspace(t *testing.T, root string, cfg engine.Config) *engine.Workspace {
	t.Helper()
	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return engine.New(lib, all.Analyzers(), nil).Workspace(root, cfg)
}

func threatCounts(fs []model.Finding) map[string]int {
	out := map[string]int{}
	for _, f := range fs {
		if f.Suppressed == nil {
			out[f.ThreatID]++
		}
	}
	return out
}

// TestReloadDropsWhatTheDiskNoLongerHolds: a file deleted, or grown over the limit, since the
// last load must not keep its findings; a file open in the editor keeps the editor's text.
func TestReloadDropsWhatTheDiskNoLongerHolds(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.tf", "b.tf", "c.tf"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(unencrypted), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ws := newWorkspace(t, dir, engine.DefaultConfig())
	snap, err := ws.Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(snap.Files()); got != 3 {
		t.Fatalf("loaded %d files, want 3", got)
	}
	if _, err := ws.Open("c.tf", "terraform", 1, []byte("# being edited\n")); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "a.tf"))
	cfg := engine.DefaultConfig()
	cfg.MaxFileSize = 10
	snap, err = ws.Reconfigure(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if snap.File("a.tf") != nil || snap.File("b.tf") != nil {
		t.Errorf("deleted or over-size files are still there: %v", snap.Files())
	}
	if f := snap.File("c.tf"); f == nil || string(f.Text) != "# being edited\n" {
		t.Errorf("the open file lost the editor's text")
	}
	if len(snap.Skipped()) != 1 || snap.Skipped()[0].File != "b.tf" {
		t.Errorf("skipped = %v, want b.tf", snap.Skipped())
	}
}

// TestEditCycle opens, edits (into a state that does not parse and back), and closes a file.
func TestEditCycle(t *testing.T) {
	ws := newWorkspace(t, "", engine.DefaultConfig())
	snap, err := ws.Open("untitled:1", "terraform", 1, []byte(unencrypted))
	if err != nil {
		t.Fatal(err)
	}
	if threatCounts(snap.Findings())["AWS-EBS-001"] != 1 {
		t.Fatalf("findings = %v, want AWS-EBS-001", threatCounts(snap.Findings()))
	}
	at := len("resource \"aws_ebs_volume\" \"v\" {\n  availability_zone = \"eu-west-1a\"\n  encrypted = ")
	snap, err = ws.Change("untitled:1", 2, []parse.Edit{{Start: at, End: at + len("false"), Text: "true"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := threatCounts(snap.Findings()); got["AWS-EBS-001"] != 0 {
		t.Errorf("after the fix, findings = %v", got)
	}
	snap, err = ws.Change("untitled:1", 3, []parse.Edit{{Start: 0, End: 0, Text: "resource {\n"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := threatCounts(snap.Findings()); got[knowledge.MetaParse] != 1 {
		t.Errorf("a broken file should yield one parse finding, got %v", got)
	}
	if f := snap.File("untitled:1"); f.Version != 3 {
		t.Errorf("version = %d, want 3", f.Version)
	}
	if _, err := ws.Change("untitled:1", 4, []parse.Edit{{Start: 0, End: 1 << 20}}); err == nil {
		t.Error("an out-of-range edit was accepted")
	}
	if _, err := ws.Change("nope.tf", 1, nil); err == nil {
		t.Error("a change of a file that is not open was accepted")
	}
	snap, _ = ws.Close("untitled:1")
	if snap.File("untitled:1") != nil {
		t.Error("a closed untitled document is still there")
	}
}

// TestTypingKeepsTheRest types a new block one character at a time after an intact one, and
// an unclosed block before another: the intact blocks' findings must hold at every keystroke.
func TestTypingKeepsTheRest(t *testing.T) {
	const intact = "resource \"aws_ebs_volume\" \"v\" {\n  availability_zone = \"eu-west-1a\"\n  encrypted = false\n}\n"
	ws := newWorkspace(t, "", engine.DefaultConfig())
	if _, err := ws.Open("main.tf", "terraform", 1, []byte(intact+"\n")); err != nil {
		t.Fatal(err)
	}
	typed := "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n"
	at := len(intact) + 1
	for i, c := range typed {
		snap, err := ws.Change("main.tf", int32(i+2), []parse.Edit{{Start: at, End: at, Text: string(c)}})
		if err != nil {
			t.Fatal(err)
		}
		at += len(string(c))
		if threatCounts(snap.Findings())["AWS-EBS-001"] != 1 {
			t.Fatalf("after typing %q the intact volume lost its finding: %v", typed[:i+1], threatCounts(snap.Findings()))
		}
	}

	// An unclosed block before an intact one.
	unclosed := "resource \"aws_s3_bucket\" \"half\" {\n  bucket = \"half\"\n\n" +
		strings.Replace(intact, "\"v\"", "\"w\"", 1)
	snap, err := ws.Open("other.tf", "terraform", 1, []byte(unclosed))
	if err != nil {
		t.Fatal(err)
	}
	var inOther int
	for _, f := range snap.File("other.tf").Findings {
		if f.ThreatID == "AWS-EBS-001" {
			inOther++
		}
	}
	if inOther != 1 {
		t.Errorf("a block after an unclosed one lost its finding: %v", threatCounts(snap.File("other.tf").Findings))
	}
	for _, f := range snap.File("other.tf").Findings {
		if f.ThreatID == knowledge.MetaParse && f.Span.Start.Line != 0 {
			t.Errorf("the parse error should point at the unclosed block on line 1, not line %d", f.Span.Start.Line+1)
		}
	}
}

// Findings that rest on the workspace as a whole — no CloudTrail trail anywhere, a flow into
// another file's service — change when another file changes, although their own element did
// not: the evaluation cache must not keep them.
func TestEditElsewhereReevaluates(t *testing.T) {
	ws := newWorkspace(t, "", engine.DefaultConfig())
	snap, err := ws.Open("providers.tf", "terraform", 1, []byte("provider \"aws\" {\n  region = \"eu-west-1\"\n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if threatCounts(snap.Findings())["AWS-CT-001"] != 1 {
		t.Fatalf("no trail: %v", threatCounts(snap.Findings()))
	}
	snap, _ = ws.Open("audit.tf", "terraform", 1, []byte("resource \"aws_cloudtrail\" \"t\" {\n  name = \"t\"\n  s3_bucket_name = \"b\"\n  is_multi_region_trail = true\n  enable_log_file_validation = true\n}\n"))
	if n := threatCounts(snap.Findings())["AWS-CT-001"]; n != 0 {
		t.Errorf("a trail was added in another file, AWS-CT-001 still reported %d times", n)
	}

	// A manifest's flow to a store another manifest defines: whether the store is reachable
	// from the internet (SYS-REACH-001, a store without authentication) follows the flow,
	// although the store's own file does not change.
	store := "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: cache\nspec:\n  template:\n    spec:\n      containers:\n        - name: redis\n          image: redis:7\n"
	app := func(host string) []byte {
		return []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers:\n        - name: api\n          image: shop/api:1\n          env:\n            - name: REDIS_URL\n              value: redis://" + host + ":6379\n" +
			"---\napiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec:\n  type: LoadBalancer\n  selector: {app: api}\n  ports: [{port: 80}]\n")
	}
	if _, err := ws.Open("k8s/cache.yaml", "yaml", 1, []byte(store)); err != nil {
		t.Fatal(err)
	}
	snap, _ = ws.Open("k8s/api.yaml", "yaml", 1, app("cache"))
	const cache = "kubernetes:default/StatefulSet/cache"
	if !snap.Graph().ReachableFromInternet(cache) || !slices.Contains(findingsOf(snap, cache), "SYS-REACH-001") {
		t.Fatalf("the cache behind an exposed API: reachable %v, findings %v", snap.Graph().ReachableFromInternet(cache), findingsOf(snap, cache))
	}
	at := strings.Index(string(app("cache")), "cache:6379")
	snap, _ = ws.Change("k8s/api.yaml", 2, []parse.Edit{{Start: at, End: at + len("cache"), Text: "other"}})
	if snap.Graph().ReachableFromInternet(cache) || slices.Contains(findingsOf(snap, cache), "SYS-REACH-001") {
		t.Errorf("the API no longer reaches the cache: reachable %v, findings %v", snap.Graph().ReachableFromInternet(cache), findingsOf(snap, cache))
	}
}

func findingsOf(s *engine.Snapshot, id string) []string {
	var out []string
	for _, f := range s.Findings() {
		if f.Element == id {
			out = append(out, f.ThreatID)
		}
	}
	return out
}

// An attack path through manifests, hop by hop, and what a NetworkPolicy does to it: the
// database admits only the API, so the path from the exposed web front through the API
// stays, while a direct flow from the web front to the database is blocked and carries none.
func TestAttackPathAndNetworkPolicy(t *testing.T) {
	ws := newWorkspace(t, "", engine.DefaultConfig())
	deploy := func(name, env string) string {
		return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name + "\n  namespace: shop\nspec:\n  selector: {matchLabels: {app: " + name + "}}\n  template:\n    metadata: {labels: {app: " + name + "}}\n    spec:\n      containers:\n        - name: " + name + "\n          image: shop/" + name + ":1\n          env:\n" + env
	}
	files := map[string]string{
		"k8s/web.yaml": deploy("web", "            - name: API_URL\n              value: http://api:8080\n") +
			"---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  type: LoadBalancer\n  selector: {app: web}\n  ports: [{port: 80}]\n",
		"k8s/api.yaml": deploy("api", "            - name: DATABASE_URL\n              value: postgres://api@db:5432/orders\n"),
		"k8s/db.yaml":  "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n  namespace: shop\nspec:\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec:\n      containers:\n        - name: postgres\n          image: postgres:16\n",
	}
	var snap *engine.Snapshot
	for _, name := range []string{"k8s/web.yaml", "k8s/api.yaml", "k8s/db.yaml"} {
		var err error
		if snap, err = ws.Open(name, "yaml", 1, []byte(files[name])); err != nil {
			t.Fatal(err)
		}
	}
	const db = "kubernetes:shop/StatefulSet/db"
	paths := snap.Graph().Paths()
	if len(paths) != 1 || paths[0].To != db {
		t.Fatalf("paths = %v", paths)
	}
	var hops []string
	for _, st := range model.Steps(paths[0]) {
		hops = append(hops, st.From+" → "+st.To)
	}
	want := []string{"actor:internet → kubernetes:shop/Deployment/web", "kubernetes:shop/Deployment/web → kubernetes:shop/Deployment/api",
		"kubernetes:shop/Deployment/api → kubernetes:shop/StatefulSet/db"}
	if strings.Join(hops, "; ") != strings.Join(want, "; ") {
		t.Errorf("hops:\n  %s\nwant\n  %s", strings.Join(hops, "\n  "), strings.Join(want, "\n  "))
	}
	risk := paths[0].Attrs.At("risk").Value.(int64)

	// The web front talks to the database directly too: a second, shorter path.
	web2 := strings.Replace(files["k8s/web.yaml"], "              value: http://api:8080\n",
		"              value: http://api:8080\n            - name: DATABASE_URL\n              value: postgres://web@db:5432/orders\n", 1)
	snap, _ = ws.Open("k8s/web.yaml", "yaml", 2, []byte(web2))
	if p := snap.Graph().Paths(); len(p) != 1 || p[0].Attrs.At("hops").Value != int64(2) || p[0].Attrs.At("risk").Value.(int64) <= risk {
		t.Fatalf("with a direct flow the riskiest path is the shorter one: %s hops %v risk %v (before %d)", p[0].Name, p[0].Attrs.At("hops").Value, p[0].Attrs.At("risk").Value, risk)
	}

	// A NetworkPolicy that admits only the API to the database blocks the direct flow: the
	// path through the API is the riskiest again.
	policy := "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  policyTypes: [Ingress]\n  ingress:\n    - from:\n        - podSelector: {matchLabels: {app: api}}\n"
	snap, _ = ws.Open("k8s/policy.yaml", "yaml", 1, []byte(policy))
	p := snap.Graph().Paths()
	if len(p) != 1 || p[0].Attrs.At("hops").Value != int64(3) {
		t.Fatalf("after the policy: %v", p)
	}
	// And one that admits nobody removes every path to the database.
	deny := strings.Replace(policy, "  ingress:\n    - from:\n        - podSelector: {matchLabels: {app: api}}\n", "", 1)
	snap, _ = ws.Open("k8s/policy.yaml", "yaml", 2, []byte(deny))
	if p := snap.Graph().Paths(); len(p) != 0 {
		t.Errorf("a default-deny policy on the database leaves paths %v", p[0].Name)
	}
}

// An element threatls.yaml declares out of scope has no findings; its threats come back when
// the declaration goes.
func TestOutOfScope(t *testing.T) {
	ws := newWorkspace(t, "", engine.DefaultConfig())
	snap, err := ws.Open("compose.yaml", "yaml", 1, []byte("services:\n  legacy:\n    image: vendor/legacy:1.0\n    privileged: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if threatCounts(snap.Findings())["SYS-CONT-001"] != 1 {
		t.Fatalf("a privileged service: %v", threatCounts(snap.Findings()))
	}
	cfg := "version: 1\nelements:\n  - name: legacy\n    in_scope: false\n"
	snap, _ = ws.Open("threatls.yaml", "yaml", 1, []byte(cfg))
	for _, f := range snap.Findings() {
		if f.Element == "compose:compose.yaml/legacy" {
			t.Errorf("out of scope, yet %s: %s", f.ThreatID, f.Message)
		}
	}
	snap, _ = ws.Close("threatls.yaml")
	if threatCounts(snap.Findings())["SYS-CONT-001"] != 1 {
		t.Errorf("back in scope: %v", threatCounts(snap.Findings()))
	}
}

// "Accept risk" on a finding that sits in another file than its element's first definition
// (a fused element, an attack path's asset) writes the comment in the finding's file, where it
// suppresses the finding.
func TestAcceptRiskInTheFindingsFile(t *testing.T) {
	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(lib, all.Analyzers(), nil)
	ws := eng.Workspace("", engine.DefaultConfig())
	manifest := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: shop/api:1\n"
	compose := "services:\n  api:\n    image: shop/api:1\n    environment:\n      DB_PASSWORD: hunter2\n"
	if _, err := ws.Open("k8s/api.yaml", "yaml", 1, []byte(manifest)); err != nil {
		t.Fatal(err)
	}
	snap, _ := ws.Open("compose.yaml", "yaml", 1, []byte(compose))
	var target *model.Finding
	for _, f := range snap.Findings() {
		if f.ThreatID == "SYS-SECRET-001" {
			target = &f
		}
	}
	if target == nil || target.Span.File != "compose.yaml" || target.Element != "kubernetes:default/Deployment/api" {
		t.Fatalf("the secret of the fused api, found in compose.yaml: %+v", target)
	}
	var accept *model.Fix
	for _, fx := range eng.Fixes(snap, *target) {
		if fx.Kind == model.AcceptRisk {
			accept = &fx
		}
	}
	if accept == nil || accept.Edits[0].File != "compose.yaml" {
		t.Fatalf("accept risk: %+v", accept)
	}
	text, err := engine.ApplyEdits([]byte(compose), accept.Edits)
	if err != nil {
		t.Fatal(err)
	}
	text = []byte(strings.Replace(string(text), engine.ReasonPlaceholder, "local development only", 1))
	snap, _ = ws.Open("compose.yaml", "yaml", 2, text)
	for _, f := range snap.Findings() {
		if f.ThreatID == "SYS-SECRET-001" && f.Suppressed == nil || strings.HasPrefix(f.ThreatID, "TLS-") {
			t.Errorf("after accepting the risk: %s %s at %s", f.ThreatID, f.Message, f.Span)
		}
	}
}

// Stage applies a change and leaves the rebuild to the next reader: the snapshot read then is
// the one Change would have made.
func TestStageThenRead(t *testing.T) {
	ws := newWorkspace(t, "", engine.DefaultConfig())
	src := "resource \"aws_ebs_volume\" \"v\" {\n  availability_zone = \"eu-west-1a\"\n  encrypted = true\n}\n"
	if _, err := ws.Open("main.tf", "terraform", 1, []byte(src)); err != nil {
		t.Fatal(err)
	}
	at := strings.Index(src, "true")
	if err := ws.Stage("main.tf", 2, []parse.Edit{{Start: at, End: at + 4, Text: "false"}}); err != nil {
		t.Fatal(err)
	}
	if text, _ := ws.Text("main.tf"); !strings.Contains(string(text), "encrypted = false") {
		t.Fatalf("staged text: %s", text)
	}
	snap := ws.Snapshot()
	if snap.File("main.tf").Version != 2 || threatCounts(snap.Findings())["AWS-EBS-001"] != 1 {
		t.Errorf("the snapshot after a staged change: version %d, %v", snap.File("main.tf").Version, threatCounts(snap.Findings()))
	}
	if err := ws.Stage("nope.tf", 1, nil); err == nil {
		t.Error("staging a change of a file that is not open must fail")
	}
}

// "Accept risk" on drift reported in a Mermaid diagram writes a Mermaid comment inside the
// diagram (an HTML comment there would break it), and the drift is accepted.
func TestAcceptRiskInADiagram(t *testing.T) {
	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(lib, all.Analyzers(), nil)
	ws := eng.Workspace("", engine.DefaultConfig())
	compose := "services:\n  web:\n    image: shop/web:1\n    environment:\n      API_URL: http://api:8080\n  api:\n    image: shop/api:1\n"
	doc := "# Design\n\n```mermaid\nflowchart LR\n  web[Web]\n  api[API]\n```\n"
	if _, err := ws.Open("compose.yaml", "yaml", 1, []byte(compose)); err != nil {
		t.Fatal(err)
	}
	snap, _ := ws.Open("docs/design.md", "markdown", 1, []byte(doc))
	var drift *model.Finding
	for _, f := range snap.Findings() {
		if f.ThreatID == "SYS-DRIFT-001" {
			drift = &f
		}
	}
	if drift == nil || drift.Span.File != "docs/design.md" {
		t.Fatalf("web → api is not in the design: %v", threatCounts(snap.Findings()))
	}
	var accept *model.Fix
	for _, fx := range eng.Fixes(snap, *drift) {
		if fx.Kind == model.AcceptRisk {
			accept = &fx
		}
	}
	if accept == nil || !strings.HasPrefix(strings.TrimSpace(accept.Edits[0].NewText), "%% threatls:ignore SYS-DRIFT-001") {
		t.Fatalf("accept risk: %+v", accept)
	}
	text, err := engine.ApplyEdits([]byte(doc), accept.Edits)
	if err != nil {
		t.Fatal(err)
	}
	text = []byte(strings.Replace(string(text), engine.ReasonPlaceholder, "the front calls the API through the gateway, drawn elsewhere", 1))
	snap, _ = ws.Open("docs/design.md", "markdown", 2, text)
	for _, f := range snap.Findings() {
		if f.Span.File == "docs/design.md" && f.Suppressed == nil {
			t.Errorf("after accepting the drift: %s %s\n%s", f.ThreatID, f.Message, text)
		}
	}
}

// bastionTemplate is a CloudFormation template with SSH open to the internet (AWS-SG-001).
const bastionTemplate = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bastion:\n    Type: AWS::EC2::SecurityGroup\n" +
	"    Properties:\n      GroupDescription: b\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n" +
	"          FromPort: 22\n          ToPort: 22\n          CidrIp: 0.0.0.0/0\n"

// readAsTemplate reports whether file of snap holds the template's AWS-SG-001, read by the
// CloudFormation analyzer.
func readAsTemplate(snap *engine.Snapshot, file string) bool {
	f := snap.File(file)
	return f != nil && slices.ContainsFunc(f.Findings, func(x model.Finding) bool {
		return x.ThreatID == "AWS-SG-001" && strings.HasPrefix(x.Element, "cloudformation:")
	})
}

// A template opened in the editor is read as one whatever its name: a .yaml that says
// AWSTemplateFormatVersion is no Kubernetes manifest; nor, whatever it holds, is an untitled
// buffer, whose name says nothing.
func TestOpenTemplateByContent(t *testing.T) {
	ws := newEngine(t).Workspace("", engine.DefaultConfig())
	for _, file := range []string{"deploy/infra.yaml", "untitled:Untitled-1"} {
		snap, err := ws.Open(file, "yaml", 1, []byte(bastionTemplate))
		if err != nil {
			t.Fatal(err)
		}
		if !readAsTemplate(snap, file) {
			t.Errorf("%s is not read as a template: %+v", file, snap.File(file))
		}
	}
}

// A template pasted into a new .yaml is read as a template from that edit on, and a manifest
// pasted over it as a manifest again.
func TestEditTurnsDocumentIntoTemplate(t *testing.T) {
	ws := newEngine(t).Workspace("", engine.DefaultConfig())
	if _, err := ws.Open("deploy/new.yaml", "yaml", 1, nil); err != nil {
		t.Fatal(err)
	}
	snap, err := ws.Change("deploy/new.yaml", 2, []parse.Edit{{Start: 0, End: 0, Text: bastionTemplate}})
	if err != nil {
		t.Fatal(err)
	}
	if !readAsTemplate(snap, "deploy/new.yaml") {
		t.Errorf("the pasted template is not read as one: %+v", snap.File("deploy/new.yaml"))
	}
	manifest := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx\n" +
		"      securityContext:\n        privileged: true\n"
	snap, err = ws.Change("deploy/new.yaml", 3, []parse.Edit{{Start: 0, End: len(bastionTemplate), Text: manifest}})
	if err != nil {
		t.Fatal(err)
	}
	if f := snap.File("deploy/new.yaml"); f == nil || len(f.Findings) == 0 ||
		slices.ContainsFunc(f.Findings, func(x model.Finding) bool { return !strings.HasPrefix(x.Element, "kubernetes:") }) {
		t.Errorf("the manifest pasted over the template is not read as one: %+v", f)
	}
}

// Editing a kustomization's namespace moves the manifests it lists into the new namespace:
// the edit links the kustomization with the files it names, not only with its own.
func TestKustomizationEditMovesItsManifests(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"k8s/kustomization.yaml": "namespace: shop\nresources: [api.yaml]\n",
		"k8s/api.yaml":           "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: example/api:1.0\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ws := newEngine(t).Workspace(dir, engine.DefaultConfig())
	snap, err := ws.Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Graph().Element("kubernetes:shop/Deployment/api") == nil {
		t.Fatal("the listed manifest is not in the kustomization's namespace")
	}
	text := snap.File("k8s/kustomization.yaml").Text
	if _, err := ws.Open("k8s/kustomization.yaml", "yaml", 1, text); err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(text, []byte("shop"))
	snap, err = ws.Change("k8s/kustomization.yaml", 2, []parse.Edit{{Start: at, End: at + 4, Text: "store"}})
	if err != nil {
		t.Fatal(err)
	}
	g := snap.Graph()
	if g.Element("kubernetes:store/Deployment/api") == nil || g.Element("kubernetes:shop/Deployment/api") != nil {
		t.Errorf("after the edit: store/Deployment/api %v, shop/Deployment/api %v; want the first only",
			g.Element("kubernetes:store/Deployment/api") != nil, g.Element("kubernetes:shop/Deployment/api") != nil)
	}
	// An edit of the manifest links it with the kustomization that lists it.
	api := snap.File("k8s/api.yaml").Text
	if _, err := ws.Open("k8s/api.yaml", "yaml", 1, api); err != nil {
		t.Fatal(err)
	}
	at = bytes.Index(api, []byte("1.0"))
	snap, err = ws.Change("k8s/api.yaml", 2, []parse.Edit{{Start: at, End: at + 3, Text: "1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	if snap.Graph().Element("kubernetes:store/Deployment/api") == nil {
		t.Error("an edit of the listed manifest took it out of the kustomization's namespace")
	}
}

// A condition may read the count of a type it names only at evaluation time (a library of the
// user's: more than one bucket of the element's type): its findings follow every change of
// any count, as a fresh scan's would.
func TestCountReadByAnyNameReevaluates(t *testing.T) {
	lib, errs := knowledge.Load(fstest.MapFS{"threats/dup.yaml": {Data: []byte(`
- id: TEST-DUP-001
  title: More than one resource of a type
  stride: [Tampering]
  likelihood: low
  impact: low
  applies_to: {types: [aws_s3_bucket]}
  condition: 'workspace.types[e.type] > 1'
  message: '{{.Name}} is one of several'
  mitigations: [{title: Keep one}]
  docs: {why: because, fix: this}
`)}}, "threats")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	ws := engine.New(lib, all.Analyzers(), nil).Workspace("", engine.DefaultConfig())
	bucket := func(name string) []byte {
		return []byte("resource \"aws_s3_bucket\" \"" + name + "\" {\n  bucket = \"" + name + "\"\n}\n")
	}
	snap, err := ws.Open("a/main.tf", "terraform", 1, bucket("a"))
	if err != nil {
		t.Fatal(err)
	}
	if n := threatCounts(snap.Findings())["TEST-DUP-001"]; n != 0 {
		t.Fatalf("one bucket: TEST-DUP-001 reported %d times", n)
	}
	snap, _ = ws.Open("b/main.tf", "terraform", 1, bucket("b"))
	if n := threatCounts(snap.File("a/main.tf").Findings)["TEST-DUP-001"]; n != 1 {
		t.Errorf("a second bucket in another file: the first bucket's file reports TEST-DUP-001 %d times, want 1", n)
	}
	ws.Close("b/main.tf")
	if n := threatCounts(ws.Snapshot().Findings())["TEST-DUP-001"]; n != 0 {
		t.Errorf("one bucket again: TEST-DUP-001 reported %d times", n)
	}
}

// TestNotAnalysedSeverityReachesAnalyzersProblems: a file that makes the workspace apply one
// threatls does not read (a Compose service extending a service of common.yml) is reported at
// the severity the configuration gives what was not analysed, and again when it changes.
func TestNotAnalysedSeverityReachesAnalyzersProblems(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"docker-compose.yml": "services:\n  api:\n    extends:\n      file: common.yml\n      service: base\n",
		"common.yml":         "services:\n  base:\n    privileged: true\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ws := newWorkspace(t, dir, engine.DefaultConfig())
	sevOf := func(snap *engine.Snapshot) model.Severity {
		for _, f := range snap.Findings() {
			if f.ThreatID == "TLS-009" {
				return f.Severity
			}
		}
		return ""
	}
	snap, err := ws.Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := sevOf(snap); got != model.High {
		t.Fatalf("TLS-009 %q, want high", got)
	}
	cfg := engine.DefaultConfig()
	cfg.NotAnalysed = model.Low
	if snap, err = ws.Reconfigure(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if got := sevOf(snap); got != model.Low {
		t.Errorf("after the setting changed, TLS-009 %q, want low", got)
	}
}

// TestEditOfAnExtendedComposeFile: a Compose service takes what the service it extends in
// another file says; an edit of that file changes the service's findings as a fresh load
// would.
func TestEditOfAnExtendedComposeFile(t *testing.T) {
	dir := t.TempDir()
	base := "services:\n  base:\n    image: acme/base:1.0\n    privileged: true\n"
	for name, text := range map[string]string{
		"docker-compose.yml":      "services:\n  api:\n    extends:\n      file: docker-compose.base.yml\n      service: base\n",
		"docker-compose.base.yml": base,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	privileged := func(snap *engine.Snapshot) bool {
		for _, f := range snap.Findings() {
			if f.ThreatID == "SYS-CONT-001" && f.Element == "compose:docker-compose.yml/api" {
				return true
			}
		}
		return false
	}
	ws := newWorkspace(t, dir, engine.DefaultConfig())
	snap, err := ws.Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !privileged(snap) {
		t.Fatal("api does not inherit privileged: true")
	}
	if _, err := ws.Open("docker-compose.base.yml", "dockercompose", 1, []byte(base)); err != nil {
		t.Fatal(err)
	}
	at := strings.Index(base, "true")
	if snap, err = ws.Change("docker-compose.base.yml", 2, []parse.Edit{{Start: at, End: at + 4, Text: "false"}}); err != nil {
		t.Fatal(err)
	}
	if privileged(snap) {
		t.Error("api is still privileged after its base stopped being so")
	}
}
