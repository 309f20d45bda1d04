package report

import (
	"encoding/json"
	"reflect"
	"testing"

	"go.yaml.in/yaml/v3"
)

// yamlToJSON converts a YAML document to JSON, for schema validation.
func yamlToJSON(t testing.TB, doc []byte) []byte {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(doc, &v); err != nil {
		t.Fatalf("YAML does not parse: %v\n%s", err, doc)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("YAML does not convert to JSON: %v", err)
	}
	return out
}

func TestThreagileSchema(t *testing.T) {
	validate(t, "threagile.schema.json", yamlToJSON(t, renderModel(t, shopGraph(), "threagile")))
}

type tgDoc struct {
	BusinessCriticality string   `yaml:"business_criticality"`
	TagsAvailable       []string `yaml:"tags_available"`
	DataAssets          map[string]struct {
		ID              string
		Confidentiality string
		Tags            []string
	} `yaml:"data_assets"`
	TechnicalAssets map[string]struct {
		ID               string
		Type             string
		Technology       string
		Internet         bool
		OutOfScope       bool `yaml:"out_of_scope"`
		Encryption       string
		Confidentiality  string
		DataAssetsStored []string `yaml:"data_assets_stored"`
		Links            map[string]struct {
			Target, Protocol, Authentication string
			DataAssetsSent                   []string `yaml:"data_assets_sent"`
		} `yaml:"communication_links"`
	} `yaml:"technical_assets"`
	TrustBoundaries map[string]struct {
		ID     string
		Type   string
		Inside []string `yaml:"technical_assets_inside"`
		Nested []string `yaml:"trust_boundaries_nested"`
	} `yaml:"trust_boundaries"`
}

func TestThreagileContent(t *testing.T) {
	var doc tgDoc
	if err := yaml.Unmarshal(renderModel(t, shopGraph(), "threagile"), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.BusinessCriticality != "important" {
		t.Errorf("business_criticality %s: the most sensitive store holds pii", doc.BusinessCriticality)
	}
	pii := doc.DataAssets["customer profiles"]
	if pii.ID != "customer-profiles" || pii.Confidentiality != "confidential" || !reflect.DeepEqual(pii.Tags, []string{"pii"}) {
		t.Errorf("customer profiles: %+v", pii)
	}
	if card := doc.DataAssets["card data"]; card.Confidentiality != "strictly-confidential" || !reflect.DeepEqual(card.Tags, []string{"pci"}) {
		t.Errorf("card data: %+v", card)
	}
	db := doc.TechnicalAssets["aws_db_instance.orders"]
	if db.Type != "datastore" || db.Technology != "database" || db.Encryption != "none" || db.Confidentiality != "confidential" ||
		!reflect.DeepEqual(db.DataAssetsStored, []string{"orders", "customer-profiles"}) {
		t.Errorf("orders db: %+v", db)
	}
	if b := doc.TechnicalAssets["aws_s3_bucket.exports"]; b.Encryption != "transparent" || b.Technology != "data-lake" {
		t.Errorf("exports bucket: %+v", b)
	}
	web := doc.TechnicalAssets["aws_lb.web"]
	if !web.Internet || web.Technology != "load-balancer" || web.Type != "process" {
		t.Errorf("web: %+v", web)
	}
	if in := doc.TechnicalAssets["internet"]; in.Type != "external-entity" || !in.OutOfScope || !in.Internet {
		t.Errorf("internet: %+v", in)
	}
	apiLinks := doc.TechnicalAssets["aws_ecs_service.api"].Links
	db2 := apiLinks["api.DATABASE_URL"]
	if db2.Target != "aws-db-instance-orders" || db2.Protocol != "sql-access-protocol" || db2.Authentication != "none" ||
		!reflect.DeepEqual(db2.DataAssetsSent, []string{"orders"}) {
		t.Errorf("api → orders: %+v (links %v)", db2, apiLinks)
	}
	if s := apiLinks["api.STRIPE_URL"]; s.Protocol != "https" || s.Authentication != "credentials" {
		t.Errorf("api → stripe: %+v", s)
	}
	for title, l := range doc.TechnicalAssets["internet"].Links {
		if l.Target == "" || title == "aws_security_group.web.ingress[0]" {
			t.Errorf("a flow into a zone has no Threagile link: %s %+v", title, l)
		}
	}
	vpcB := doc.TrustBoundaries["aws_vpc.main"]
	if vpcB.Type != "network-cloud-provider" || !reflect.DeepEqual(vpcB.Inside, []string{"aws-ecs-service-api"}) ||
		!reflect.DeepEqual(vpcB.Nested, []string{"aws-subnet-public", "aws-subnet-data", "aws-security-group-web"}) {
		t.Errorf("vpc: %+v", vpcB)
	}
	if sgB := doc.TrustBoundaries["aws_security_group.web"]; sgB.Type != "network-cloud-security-group" {
		t.Errorf("security group: %+v", sgB)
	}
	if d := doc.TrustBoundaries["aws_subnet.data"]; d.Type != "network-cloud-security-group" {
		t.Errorf("a segmented subnet filters its traffic: %+v", d)
	}
	if _, ok := doc.TrustBoundaries["internet"]; ok {
		t.Error("the internet is not a trust boundary of the system")
	}
}

// TestThreagileValidateCatchesErrors: the validation can fail — a technical asset without
// its required fields does.
func TestThreagileValidateCatchesErrors(t *testing.T) {
	doc := []byte(`{"threagile_version": "1.0.0", "title": "x", "author": {"name": "a"},
		"business_criticality": "important", "tags_available": [], "data_assets": {},
		"shared_runtimes": {}, "technical_assets": {"a": {"id": "a", "type": "process"}}}`)
	if len(schemaErrors(t, "threagile.schema.json", doc)) == 0 {
		t.Error("a technical asset without its required fields validates")
	}
}
