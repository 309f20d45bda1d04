package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"go.yaml.in/yaml/v3"

	"github.com/threatls/threatls/analyzers/all"
	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/engine/enginetest"
	"github.com/threatls/threatls/knowledge"
)

var update = flag.Bool("update", false, "rewrite golden files")

// shop is the built-in example that `make demo` scans: a multi-tier shop described by
// Terraform, Kubernetes manifests, a compose file, a Dockerfile, threatls.yaml and a Mermaid
// design that leaves out one flow.
var shop = filepath.Join("..", "..", "testdata", "examples", "shop")

// TestShopFindings checks the example's findings against the wants written in its files,
// one to one: what a user sees when trying threatls.
func TestShopFindings(t *testing.T) {
	lib, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	snap := enginetest.Scan(t, engine.New(lib, all.Analyzers(), nil), shop)
	enginetest.Check(t, snap)

	// One model of everything: the API is one element described by the manifest, compose,
	// the Dockerfile, its Go code and the design.
	api := snap.Element("kubernetes:shop/Deployment/api")
	if api == nil || len(api.Sources) != 5 || !slices.Contains(api.Members, "go:api") {
		t.Fatalf("the API fuses the manifest, compose, the Dockerfile, its code and the design: %+v", api)
	}
	// Its code's call to the database is the manifest's DATABASE_URL flow.
	var fromCode bool
	for _, f := range snap.Graph().Outbound(api.ID) {
		if f.To == "terraform:infra/aws_db_instance.orders" && slices.Contains(f.Members, "go:api/flow/DATABASE_URL") {
			fromCode = true
		}
	}
	if !fromCode {
		t.Errorf("the API's sql.Open(\"postgres\", DATABASE_URL) is not its flow to orders-db: %v", snap.Graph().Outbound(api.ID))
	}
	// The database is Terraform's, classified by threatls.yaml, reached through the manifests.
	db := snap.Element("terraform:infra/aws_db_instance.orders")
	if db == nil || db.Attrs.At("classification").Value != "pii" {
		t.Fatalf("orders-db: %+v", db)
	}
	if len(snap.Graph().Inbound(db.ID)) < 2 {
		t.Errorf("api and worker → orders-db: inbound %v", snap.Graph().Inbound(db.ID))
	}
}

// TestShopExports compares every export of the example's model with its golden file.
func TestShopExports(t *testing.T) {
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"model.mmd", []string{"model", "--format", "mermaid", shop}},
		{"model.dot", []string{"model", "--format", "dot", shop}},
		{"model.json", []string{"model", "--format", "json", shop}},
		{"model.otm.json", []string{"model", "--format", "otm", shop}},
		{"model.threagile.yaml", []string{"model", "--format", "threagile", shop}},
		{"paths.txt", []string{"model", "--paths", shop}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			out, err := run(t, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "shop", tc.golden+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if out != string(want) {
				t.Errorf("%s differs from %s (run go test ./cmd/threatls -run TestShopExports -update to accept):\n%s",
					tc.golden, path, firstDiff(string(want), out))
			}
			switch tc.golden {
			case "model.otm.json":
				if errs := schemaErrors(t, "otm-0.2.0.schema.json", []byte(out)); len(errs) > 0 {
					t.Errorf("the OTM export does not validate: %v", errs)
				}
			case "model.threagile.yaml":
				var v any
				if err := yaml.Unmarshal([]byte(out), &v); err != nil {
					t.Fatal(err)
				}
				doc, _ := json.Marshal(v)
				if errs := schemaErrors(t, "threagile.schema.json", doc); len(errs) > 0 {
					t.Errorf("the Threagile export does not validate: %v", errs)
				}
			}
		})
	}
}

// firstDiff shows the first line where two texts differ.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want " + w + "\n  got  " + g
		}
	}
	return ""
}

// TestShopSARIF: the example's findings — model-level ones, an attack path reported at both
// its ends, drift in a Markdown file — make a SARIF log that validates against the schema,
// with the path's hops as related locations.
func TestShopSARIF(t *testing.T) {
	out, err := run(t, "scan", "--format", "sarif", shop)
	if err != nil && exitCode(err) != 1 {
		t.Fatal(err)
	}
	log, err := sarif.FromBytes([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if errs := schemaErrors(t, "sarif-schema-2.1.0.json", []byte(out)); len(errs) > 0 {
		t.Fatalf("the SARIF log does not validate: %v", errs)
	}
	ends := 0
	for _, res := range log.Runs[0].Results {
		if res.RuleID != nil && strings.HasPrefix(*res.RuleID, "SYS-PATH-") {
			ends++
			if len(res.RelatedLocations) < 3 {
				t.Errorf("%s has %d related locations, want its hops", *res.RuleID, len(res.RelatedLocations))
			}
		}
	}
	if ends != 2 {
		t.Errorf("attack-path results: %d, want the entry and the asset", ends)
	}
}
