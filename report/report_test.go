package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// The workspace of the tests. main.tf has non-ASCII text before the ACL on the same line, so
// that byte, character and UTF-16 columns all differ there.
var sources = map[string]string{
	"infra/main.tf": `# Logs of the équipe.
resource "aws_s3_bucket" "logs" {
  bucket = "logs"
  /* équipe 😀 */ acl = "public-read"
}

# threatls:ignore AWS-S3-001 public website assets, reviewed by security 2026-05
resource "aws_s3_bucket" "site" {
  acl = "public-read"
}
`,
	"infra/vars.tf": `resource "aws_s3_bucket" "data" {
  acl = var.data_acl
}

# threatls:ignore AWS-S3-009 stale
`,
}

// at returns the span of the first occurrence of needle in file, positions computed from the
// text as an analyzer would.
func at(t testing.TB, file, needle string) model.Span {
	t.Helper()
	src := sources[file]
	i := strings.Index(src, needle)
	if i < 0 {
		t.Fatalf("%q not in %s", needle, file)
	}
	return model.Span{File: file, Start: pos(src, i), End: pos(src, i+len(needle))}
}

// after is at, searching from the first occurrence of anchor.
func after(t testing.TB, file, anchor, needle string) model.Span {
	t.Helper()
	src := sources[file]
	a := strings.Index(src, anchor)
	i := strings.Index(src[a+1:], needle)
	if a < 0 || i < 0 {
		t.Fatalf("%q after %q not in %s", needle, anchor, file)
	}
	i += a + 1
	return model.Span{File: file, Start: pos(src, i), End: pos(src, i+len(needle))}
}

func pos(src string, off int) model.Pos {
	line := strings.Count(src[:off], "\n")
	return model.At(off, line, off-(strings.LastIndex(src[:off], "\n")+1))
}

func library(t testing.TB) *knowledge.Library {
	t.Helper()
	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatalf("built-in library: %v", err)
	}
	return lib
}

// fixture builds a Result by hand: a certain critical finding with evidence and a related
// location, an accepted risk, a tentative finding, a meta finding and a skipped file.
func fixture(t testing.TB) Result {
	t.Helper()
	lib := library(t)
	s3 := lib.Threat("AWS-S3-001")
	if s3 == nil {
		t.Fatal("AWS-S3-001 is not in the built-in library")
	}
	threat := func(element, name string, span model.Span) model.Finding {
		return model.Finding{
			ThreatID: s3.ID, Title: s3.Title, Severity: s3.Severity(), Stride: s3.Stride,
			Confidence: model.Certain, Element: element, ElementName: name, Span: span,
			Message:     `S3 bucket ` + name + ` grants access to everyone through its "public-read" ACL`,
			Fingerprint: s3.ID + "@" + element,
		}
	}

	logs := threat("terraform:infra/aws_s3_bucket.logs", "aws_s3_bucket.logs",
		at(t, "infra/main.tf", `acl = "public-read"`))
	logs.Evidence = []model.Evidence{
		{Attr: "public_acl", Value: "true", Origin: model.Read, Span: logs.Span},
		{Attr: "public_access_block", Value: "(not set)", Origin: model.Defaulted,
			Span: at(t, "infra/main.tf", `resource "aws_s3_bucket" "logs"`),
			Note: "no aws_s3_bucket_public_access_block for this bucket"},
		{Attr: "acl", Value: `"public-read"`, Origin: model.Read, Span: logs.Span},
	}
	logs.Related = []model.Related{{
		Span:    at(t, "infra/main.tf", `resource "aws_s3_bucket" "logs"`),
		Message: "the bucket aws_s3_bucket.logs",
	}}

	site := threat("terraform:infra/aws_s3_bucket.site", "aws_s3_bucket.site",
		after(t, "infra/main.tf", `"site"`, `acl = "public-read"`))
	site.Suppressed = &model.Ignore{
		ThreatID: s3.ID,
		Reason:   "public website assets, reviewed by security 2026-05",
		Span:     at(t, "infra/main.tf", "# threatls:ignore AWS-S3-001 public website assets, reviewed by security 2026-05"),
		Target:   at(t, "infra/main.tf", `resource "aws_s3_bucket" "site"`),
	}

	data := threat("terraform:infra/aws_s3_bucket.data", "aws_s3_bucket.data",
		at(t, "infra/vars.tf", "acl = var.data_acl"))
	data.Confidence = model.Tentative
	data.Message = "S3 bucket aws_s3_bucket.data may grant access to everyone through its ACL (var.data_acl)"
	data.Evidence = []model.Evidence{{Attr: "public_acl", Value: "(unknown)", Origin: model.Unknown,
		Span: data.Span, Note: "var.data_acl has no default"}}

	meta, _ := knowledge.MetaRuleFor(knowledge.MetaIgnoreUnused)
	stale := model.Finding{
		ThreatID: meta.ID, Title: meta.Title, Severity: meta.Severity, Confidence: model.Certain,
		Span:        at(t, "infra/vars.tf", "# threatls:ignore AWS-S3-009 stale"),
		Message:     "threatls:ignore AWS-S3-009 matches no finding",
		Fingerprint: meta.ID + "@infra/vars.tf#AWS-S3-009",
	}

	fs := []model.Finding{stale, site, data, logs}
	model.SortFindings(fs)
	return Result{
		Root:     ".",
		Files:    2,
		Findings: fs,
		Skipped:  []model.Skipped{{File: "infra/plan.tf.json", Reason: "larger than 4 MiB"}},
		Source: func(file string) []byte {
			if s, ok := sources[file]; ok {
				return []byte(s)
			}
			return nil
		},
	}
}

func render(t testing.TB, r Result, format string) []byte {
	t.Helper()
	lib := library(t)
	var buf bytes.Buffer
	var err error
	switch format {
	case "text":
		err = Text(&buf, r, lib, TextOptions{})
	case "text-all-color":
		err = Text(&buf, r, lib, TextOptions{ShowSuppressed: true, Color: true})
	case "json":
		err = JSON(&buf, r, lib)
	case "sarif":
		err = SARIF(&buf, r, lib, "0.1.0")
	default:
		t.Fatalf("unknown format %q", format)
	}
	if err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return buf.Bytes()
}

var goldens = map[string]string{
	"text":           "scan.txt.golden",
	"text-all-color": "scan-all-color.txt.golden",
	"json":           "scan.json.golden",
	"sarif":          "scan.sarif.golden",
}

func TestGolden(t *testing.T) {
	r := fixture(t)
	for _, format := range []string{"text", "text-all-color", "json", "sarif"} {
		t.Run(format, func(t *testing.T) {
			got := render(t, r, format)
			path := filepath.Join("testdata", goldens[format])
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (run go test -update if the change is intended):\n%s",
					format, path, got)
			}
		})
	}
}

// TestDeterministic: the order of the input and repeated runs do not change any output.
func TestDeterministic(t *testing.T) {
	r := fixture(t)
	shuffled := r
	shuffled.Findings = append([]model.Finding(nil), r.Findings...)
	for i, j := 0, len(shuffled.Findings)-1; i < j; i, j = i+1, j-1 {
		shuffled.Findings[i], shuffled.Findings[j] = shuffled.Findings[j], shuffled.Findings[i]
	}
	for format := range goldens {
		a, b := render(t, r, format), render(t, shuffled, format)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: output depends on the order of the findings", format)
		}
		if c := render(t, r, format); !bytes.Equal(a, c) {
			t.Errorf("%s: two runs differ", format)
		}
	}
}

func TestText(t *testing.T) {
	r := fixture(t)
	out := string(render(t, r, "text"))
	for _, want := range []string{
		// é and 😀 are one character each: column 18, not the byte column 22.
		"infra/main.tf:4:18: AWS-S3-001 critical [InformationDisclosure,Tampering] S3 bucket aws_s3_bucket.logs",
		"    evidence: public_acl = true (read at infra/main.tf:4:18)\n",
		"    evidence: … and 1 more\n",
		"    fix: Block public access to the bucket\n",
		"infra/vars.tf:2:3: AWS-S3-001 critical (tentative) [",
		"infra/vars.tf:5:1: TLS-003 low threatls:ignore AWS-S3-009 matches no finding\n",
		"infra/plan.tf.json: skipped: larger than 4 MiB\n",
		"3 findings (2 critical, 1 low), 1 tentative, 1 accepted risk, 2 files, 1 skipped\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "aws_s3_bucket.site") || strings.Contains(out, "\x1b[") {
		t.Errorf("default text output shows an accepted risk or colour:\n%s", out)
	}
	all := string(render(t, r, "text-all-color"))
	for _, want := range []string{"aws_s3_bucket.site", "    accepted: public website assets", "\x1b[1;31mcritical\x1b[0m"} {
		if !strings.Contains(all, want) {
			t.Errorf("text output with suppressed findings and colour lacks %q:\n%s", want, all)
		}
	}

	// Without the source, columns count bytes.
	r.Source = nil
	var buf bytes.Buffer
	if err := Text(&buf, r, nil, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "infra/main.tf:4:22: AWS-S3-001") {
		t.Errorf("text output without source should use byte columns:\n%s", buf.String())
	}
}

func TestDisplayPath(t *testing.T) {
	for _, tc := range []struct{ root, file, want string }{
		{"", "main.tf", "main.tf"},
		{".", "infra/main.tf", "infra/main.tf"},
		{"infra", "modules/s3/main.tf", filepath.Join("infra", "modules", "s3", "main.tf")},
		{"infra", "untitled:Untitled-1", "untitled:Untitled-1"},
	} {
		if got := displayPath(tc.root, tc.file); got != tc.want {
			t.Errorf("displayPath(%q, %q) = %q, want %q", tc.root, tc.file, got, tc.want)
		}
	}
}

func TestTextEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := Text(&buf, Result{Root: ".", Files: 1}, nil, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "0 findings, 1 file\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestSARIFUTF16Columns: SARIF columns are one-based UTF-16 code units. On the line
// `  /* équipe 😀 */ acl = "public-read"` the ACL starts at byte 21: é is 2 bytes and 1 unit,
// 😀 is 4 bytes and 2 units (a surrogate pair), so the start column is 21 - 1 - 2 + 1 = 19, and
// the exclusive end column is 19 + len(`acl = "public-read"`) = 38.
func TestSARIFUTF16Columns(t *testing.T) {
	r := fixture(t)
	line := strings.Split(sources["infra/main.tf"], "\n")[3]
	if got := strings.Index(line, "acl"); got != 21 {
		t.Fatalf("fixture changed: acl at byte %d of %q", got, line)
	}
	log := decodeSARIF(t, render(t, r, "sarif"))
	res := findResult(t, log, "aws_s3_bucket.logs")
	region := res.Locations[0].PhysicalLocation.Region
	if *region.StartLine != 4 || *region.StartColumn != 19 || *region.EndLine != 4 || *region.EndColumn != 38 {
		t.Errorf("region = %d:%d-%d:%d, want 4:19-4:38",
			*region.StartLine, *region.StartColumn, *region.EndLine, *region.EndColumn)
	}
	ev := res.Properties.Properties["evidence"].([]any)[0].(map[string]any)
	if ev["location"] != "infra/main.tf:4:19" {
		t.Errorf("evidence location = %v, want infra/main.tf:4:19", ev["location"])
	}

	// Without the source, the columns are byte columns (the best that can be done).
	r.Source = nil
	log = decodeSARIF(t, render(t, r, "sarif"))
	region = findResult(t, log, "aws_s3_bucket.logs").Locations[0].PhysicalLocation.Region
	if *region.StartColumn != 22 || *region.EndColumn != 41 {
		t.Errorf("without source: columns %d-%d, want 22-41", *region.StartColumn, *region.EndColumn)
	}
}

func TestColumn(t *testing.T) {
	src := []byte("x\n\xffé😀ab")
	p := func(col int) model.Pos { return model.At(2+col, 1, col) }
	for _, tc := range []struct {
		pos          model.Pos
		chars, units int
	}{
		{p(0), 1, 1},
		{p(1), 2, 2}, // after an invalid byte: one unit (U+FFFD)
		{p(3), 3, 3}, // after é
		{p(7), 4, 5}, // after 😀
		{p(8), 5, 6},
	} {
		if got := column(src, tc.pos, model.CharLen); got != tc.chars {
			t.Errorf("chars at %+v = %d, want %d", tc.pos, got, tc.chars)
		}
		if got := column(src, tc.pos, model.UTF16Len); got != tc.units {
			t.Errorf("UTF-16 at %+v = %d, want %d", tc.pos, got, tc.units)
		}
	}
	// A position that does not match the text falls back to the byte column.
	for _, bad := range []model.Pos{{Offset: 99, Line: 1, Col: 3}, {Offset: 3, Line: 1, Col: 3}} {
		if got := column(src, bad, model.UTF16Len); got != 4 {
			t.Errorf("mismatched %+v: got %d, want the byte column 4", bad, got)
		}
	}
}

// TestSARIFSchema validates the log as written — not as go-sarif would re-encode it —
// against the official SARIF 2.1.0 schema (testdata/model/sarif-schema-2.1.0.json, the copy go-sarif
// embeds), and checks that it carries no placeholder: no -1, no empty array or object other
// than a run's results.
func TestSARIFSchema(t *testing.T) {
	for name, r := range map[string]Result{"fixture": fixture(t), "empty": {Root: "."}} {
		out := render(t, r, "sarif")
		for _, e := range schemaErrors(t, "sarif-schema-2.1.0.json", out) {
			t.Errorf("%s: %s", name, e)
		}
		for _, placeholder := range regexp.MustCompile(`": (-1|\[\]|\{\})`).FindAllString(string(out), -1) {
			if !strings.Contains(string(out), `"results": []`) || placeholder != `": []` {
				t.Errorf("%s: placeholder %s in the SARIF log", name, placeholder)
			}
		}
		_ = decodeSARIF(t, out)
	}
}

// TestSARIFStructure checks what GitHub code scanning needs beyond the schema.
func TestSARIFStructure(t *testing.T) {
	r := fixture(t)
	out := render(t, r, "sarif")
	var raw map[string]any
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatal(err)
	}
	if raw["$schema"] == "" || raw["version"] != "2.1.0" {
		t.Errorf("$schema %v, version %v", raw["$schema"], raw["version"])
	}
	log := decodeSARIF(t, out)
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(log.Runs))
	}
	run := log.Runs[0]
	driver := run.Tool.Driver
	if *driver.Name != "threatls" || *driver.Version != "0.1.0" || *driver.InformationURI != InformationURI {
		t.Errorf("driver = %s %s %s", *driver.Name, *driver.Version, *driver.InformationURI)
	}
	if run.ColumnKind == nil || *run.ColumnKind != "utf16CodeUnits" {
		t.Errorf("columnKind = %v, want utf16CodeUnits", run.ColumnKind)
	}

	// Rules: one per ID that has a finding, sorted, complete.
	var ids []string
	for _, rule := range driver.Rules {
		id := *rule.ID
		ids = append(ids, id)
		if rule.Name == nil || *rule.Name == "" || strings.ContainsAny(*rule.Name, " -`") {
			t.Errorf("%s: name %v is not CamelCase", id, rule.Name)
		}
		for what, s := range map[string]*sarif.MultiformatMessageString{
			"shortDescription": rule.ShortDescription, "fullDescription": rule.FullDescription,
		} {
			if s == nil || s.Text == nil || *s.Text == "" {
				t.Errorf("%s: no %s", id, what)
			}
		}
		if rule.Help == nil || rule.Help.Text == nil || rule.Help.Markdown == nil ||
			!strings.Contains(*rule.Help.Markdown, "## Why it matters") {
			t.Errorf("%s: help text and markdown missing", id)
		}
		if *rule.HelpURI != knowledge.DocURL(id) {
			t.Errorf("%s: helpUri %s", id, *rule.HelpURI)
		}
		props := rule.Properties
		if _, meta := knowledge.MetaRuleFor(id); meta {
			if _, ok := props.Properties["security-severity"]; ok || slices.Contains(props.Tags, "security") {
				t.Errorf("%s: a meta rule must not be a security rule: %+v", id, props)
			}
			continue
		}
		sev, err := strconv.ParseFloat(props.Properties["security-severity"].(string), 64)
		if err != nil || sev <= 0 || sev > 10 {
			t.Errorf("%s: security-severity %v", id, props.Properties["security-severity"])
		}
		if props.Properties["precision"] == nil {
			t.Errorf("%s: no precision", id)
		}
		if !slices.Contains(props.Tags, "security") {
			t.Errorf("%s: tags %v lack security", id, props.Tags)
		}
	}
	if want := []string{"AWS-S3-001", "TLS-003"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("rules %v, want %v", ids, want)
	}
	s3 := driver.Rules[0]
	if *s3.Name != "S3BucketGrantsPublicAccessThroughItsACL" || s3.DefaultConfiguration.Level != "error" ||
		s3.Properties.Properties["security-severity"] != "9.5" ||
		!reflect.DeepEqual(s3.Properties.Tags, []string{"security", "InformationDisclosure", "Tampering", "external/cwe/cwe-732"}) {
		t.Errorf("AWS-S3-001 rule: name %s, level %s, properties %+v",
			*s3.Name, s3.DefaultConfiguration.Level, s3.Properties)
	}

	// Results: one per finding, in order, pointing at their rule.
	if len(run.Results) != len(r.Findings) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(r.Findings))
	}
	for i, res := range run.Results {
		f := r.Findings[i]
		if *res.RuleID != f.ThreatID || *driver.Rules[res.RuleIndex].ID != f.ThreatID {
			t.Errorf("result %d: ruleId %s, ruleIndex %d, finding %s", i, *res.RuleID, res.RuleIndex, f.ThreatID)
		}
		if res.Message == nil || res.Message.Text == nil || *res.Message.Text != f.Message {
			t.Errorf("result %d: message %v", i, res.Message)
		}
		if len(res.Locations) != 1 {
			t.Fatalf("result %d: %d locations", i, len(res.Locations))
		}
		al := res.Locations[0].PhysicalLocation.ArtifactLocation
		if *al.URI != f.Span.File || *al.URIBaseID != SourceRoot {
			t.Errorf("result %d: uri %s base %v", i, *al.URI, al.URIBaseID)
		}
		if res.PartialFingerprints[FingerprintKey] != f.Fingerprint {
			t.Errorf("result %d: partialFingerprints %v", i, res.PartialFingerprints)
		}
		if got := *res.Locations[0].PhysicalLocation.Region.StartLine; got != int(f.Span.Start.Line)+1 {
			t.Errorf("result %d: startLine %d", i, got)
		}
		wantLevel := map[string]string{"aws_s3_bucket.data": "warning", "": "note"}[f.ElementName]
		if wantLevel == "" {
			wantLevel = "error"
		}
		if res.Level != wantLevel {
			t.Errorf("result %d (%s): level %s, want %s", i, f.ElementName, res.Level, wantLevel)
		}
		if (f.Suppressed != nil) != (len(res.Suppressions) == 1) {
			t.Errorf("result %d: suppressions %v", i, res.Suppressions)
		}
	}
	site := findResult(t, log, "aws_s3_bucket.site")
	if s := site.Suppressions[0]; *s.Kind != "inSource" || !strings.HasPrefix(*s.Justification, "public website") {
		t.Errorf("suppression = %+v", s)
	}
	logs := findResult(t, log, "aws_s3_bucket.logs")
	if len(logs.RelatedLocations) != 1 || logs.RelatedLocations[0].ID != 1 ||
		*logs.RelatedLocations[0].PhysicalLocation.Region.StartLine != 2 {
		t.Errorf("related locations = %+v", logs.RelatedLocations)
	}
	if n := len(logs.Properties.Properties["evidence"].([]any)); n != 3 {
		t.Errorf("%d evidence entries, want 3", n)
	}

	// Skipped files are notifications.
	notes := run.Invocations[0].ToolExecutionNotifications
	if !*run.Invocations[0].ExecutionSuccessful || len(notes) != 1 ||
		*notes[0].Locations[0].PhysicalLocation.ArtifactLocation.URI != "infra/plan.tf.json" {
		t.Errorf("invocation = %+v", run.Invocations[0])
	}
}

func TestSARIFURI(t *testing.T) {
	for _, tc := range []struct{ root, file, want string }{
		{"", "infra/main.tf", "infra/main.tf"},
		{".", "infra/my bucket #1.tf", "infra/my%20bucket%20%231.tf"},
		{"infra", "main.tf", "infra/main.tf"},
		{"./infra/", "net/main.tf", "infra/net/main.tf"},
		{"/abs/infra", "main.tf", "main.tf"},
		{"../other", "main.tf", "main.tf"},
		{"infra", "untitled:Untitled-1", "untitled:Untitled-1"},
	} {
		if got := *artifact(tc.root, tc.file).URI; got != tc.want {
			t.Errorf("artifact(%q, %q) = %s, want %s", tc.root, tc.file, got, tc.want)
		}
	}
}

// TestSARIFWithoutLibrary: findings whose threat is unknown still get a complete rule.
func TestSARIFWithoutLibrary(t *testing.T) {
	r := fixture(t)
	var buf bytes.Buffer
	if err := SARIF(&buf, r, nil, ""); err != nil {
		t.Fatal(err)
	}
	for _, e := range schemaErrors(t, "sarif-schema-2.1.0.json", buf.Bytes()) {
		t.Error(e)
	}
	log := decodeSARIF(t, buf.Bytes())
	rule := log.Runs[0].Tool.Driver.Rules[0]
	if *rule.ID != "AWS-S3-001" || *rule.ShortDescription.Text == "" || rule.Properties.Properties["security-severity"] != "9.5" {
		t.Errorf("rule made from the finding: %+v", rule)
	}
}

// TestJSONRoundTrip: every finding of the JSON output names the finding it came from, with
// one-based lines (JSON version 2) and the same byte offsets.
func TestJSONRoundTrip(t *testing.T) {
	r := fixture(t)
	type pos struct{ Line, Column, Offset int }
	var doc struct {
		Version  int `json:"version"`
		Findings []struct {
			ThreatID    string `json:"threat_id"`
			Element     string `json:"element"`
			Fingerprint string `json:"fingerprint"`
			Span        struct {
				File       string
				Start, End pos
			} `json:"span"`
			Suppressed *struct {
				Reason string `json:"reason"`
				Source string `json:"source"`
			} `json:"suppressed"`
		} `json:"findings"`
		Summary map[string]int `json:"summary"`
	}
	out := render(t, r, "json")
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != 2 {
		t.Errorf("version %d", doc.Version)
	}
	if len(doc.Findings) != len(r.Findings) {
		t.Fatalf("%d findings, want %d", len(doc.Findings), len(r.Findings))
	}
	for i, got := range doc.Findings {
		want := r.Findings[i]
		sp := want.Span
		if got.ThreatID != want.ThreatID || got.Element != want.Element || got.Fingerprint != want.Fingerprint ||
			got.Span.File != sp.File || (!sp.IsZero() && (got.Span.Start.Line != int(sp.Start.Line)+1 || got.Span.Start.Offset != int(sp.Start.Offset) ||
			got.Span.End.Line != int(sp.End.Line)+1 || got.Span.Start.Column < 1)) ||
			(got.Suppressed == nil) != (want.Suppressed == nil) {
			t.Errorf("finding %d: got %+v, want %+v (one-based lines)", i, got, want)
		}
		if got.Suppressed != nil && (got.Suppressed.Reason != want.Suppressed.Reason || got.Suppressed.Source != "inline") {
			t.Errorf("finding %d: suppressed %+v", i, got.Suppressed)
		}
	}
	want := map[string]int{"findings": 3, "critical": 2, "high": 0, "medium": 0, "low": 1, "info": 0,
		"tentative": 1, "accepted": 1, "mitigated": 0, "skipped": 1}
	if !reflect.DeepEqual(doc.Summary, want) {
		t.Errorf("summary %v, want %v", doc.Summary, want)
	}

	var raw struct {
		Findings []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatal(err)
	}
	var first map[string]any
	for _, f := range raw.Findings {
		if f["element_name"] == "aws_s3_bucket.logs" {
			first = f
		}
	}
	if first["location"] != "infra/main.tf:4:18" || first["doc_url"] != knowledge.DocURL("AWS-S3-001") ||
		!reflect.DeepEqual(first["cwe"], []any{"CWE-732"}) {
		t.Errorf("library metadata: %v", first)
	}
}

func TestExitCode(t *testing.T) {
	f := func(sev model.Severity, conf model.Confidence, suppressed bool) model.Finding {
		fd := model.Finding{ThreatID: "AWS-S3-001", Severity: sev, Confidence: conf}
		if suppressed {
			fd.Suppressed = &model.Ignore{ThreatID: "AWS-S3-001", Reason: "accepted"}
		}
		return fd
	}
	for _, tc := range []struct {
		name     string
		findings []model.Finding
		failOn   model.Severity
		want     int
	}{
		{"no findings", nil, model.Low, 0},
		{"at threshold", []model.Finding{f(model.High, model.Certain, false)}, model.High, 1},
		{"above threshold", []model.Finding{f(model.Critical, model.Certain, false)}, model.High, 1},
		{"below threshold", []model.Finding{f(model.Medium, model.Certain, false)}, model.High, 0},
		{"confidence unset counts as certain", []model.Finding{f(model.High, "", false)}, model.High, 1},
		{"tentative never fails", []model.Finding{f(model.Critical, model.Tentative, false)}, model.Info, 0},
		{"suppressed never fails", []model.Finding{f(model.Critical, model.Certain, true)}, model.Info, 0},
		{"one failing among others", []model.Finding{
			f(model.Critical, model.Tentative, false), f(model.Critical, model.Certain, true),
			f(model.Low, model.Certain, false)}, model.Low, 1},
	} {
		if got := ExitCode(Result{Findings: tc.findings}, tc.failOn); got != tc.want {
			t.Errorf("%s: ExitCode = %d, want %d", tc.name, got, tc.want)
		}
	}
	if got := ExitCode(fixture(t), model.Critical); got != 1 {
		t.Errorf("fixture at critical: %d, want 1", got)
	}
}

func TestCamelCase(t *testing.T) {
	for in, want := range map[string]string{
		"S3 bucket grants public access through its ACL": "S3BucketGrantsPublicAccessThroughItsACL",
		"Accepted risk without a reason":                 "AcceptedRiskWithoutAReason",
		"Secrets in `env` (plain-text)":                  "SecretsInEnvPlainText",
	} {
		if got := camelCase(in); got != want {
			t.Errorf("camelCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func decodeSARIF(t testing.TB, b []byte) *sarif.Report {
	t.Helper()
	log, err := sarif.FromBytes(b)
	if err != nil {
		t.Fatalf("SARIF does not decode: %v", err)
	}
	return log
}

func findResult(t testing.TB, log *sarif.Report, elementName string) *sarif.Result {
	t.Helper()
	for _, res := range log.Runs[0].Results {
		if res.Properties != nil && res.Properties.Properties["elementName"] == elementName {
			return res
		}
	}
	t.Fatalf("no result for %s", elementName)
	return nil
}

// TestOddFindings: a finding without a location, message or library entry (a defect upstream)
// still yields valid outputs rather than an error or a panic.
func TestOddFindings(t *testing.T) {
	r := Result{Root: ".", Files: 1, Findings: []model.Finding{{
		ThreatID: "CUSTOM-001", Title: "Custom threat", Severity: model.Medium,
		Stride: []string{"Spoofing"}, Confidence: model.Certain,
	}}}
	for format := range goldens {
		render(t, r, format)
	}
	if out := string(render(t, r, "text")); !strings.HasPrefix(out, "(no location): CUSTOM-001 medium [Spoofing] Custom threat\n") {
		t.Errorf("text:\n%s", out)
	}
	sarifOut := render(t, r, "sarif")
	for _, e := range schemaErrors(t, "sarif-schema-2.1.0.json", sarifOut) {
		t.Error(e)
	}
	log := decodeSARIF(t, sarifOut)
	res := log.Runs[0].Results[0]
	if *res.Message.Text != "Custom threat" || len(res.Locations) != 0 || res.Level != "warning" {
		t.Errorf("result %+v", res)
	}
	if rule := log.Runs[0].Tool.Driver.Rules[0]; *rule.Name != "CustomThreat" || rule.Properties.Properties["security-severity"] != "5.5" {
		t.Errorf("rule %+v", rule)
	}
}
