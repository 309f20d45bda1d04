package report

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/xeipuuv/gojsonschema"
)

// validate checks doc (JSON) against a schema of testdata/model: copies of the OTM 0.2.0
// schema and of Threagile's model schema.
func validate(t testing.TB, schema string, doc []byte) {
	t.Helper()
	for _, e := range schemaErrors(t, schema, doc) {
		t.Errorf("%s: %s", schema, e)
	}
}

// schemaErrors returns what the schema finds wrong in doc.
func schemaErrors(t testing.TB, schema string, doc []byte) []string {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("testdata", "model", schema))
	if err != nil {
		t.Fatal(err)
	}
	res, err := gojsonschema.Validate(gojsonschema.NewReferenceLoader("file://"+filepath.ToSlash(path)),
		gojsonschema.NewBytesLoader(doc))
	if err != nil {
		t.Fatalf("%s: %v", schema, err)
	}
	var out []string
	for _, e := range res.Errors() {
		out = append(out, e.String())
	}
	return out
}

func TestOTMSchema(t *testing.T) {
	validate(t, "otm-0.2.0.schema.json", renderModel(t, shopGraph(), "otm"))
}

// TestOTMValidateCatchesErrors: the validation can fail — a document without its project
// and with a component without a parent does.
func TestOTMValidateCatchesErrors(t *testing.T) {
	doc := []byte(`{"otmVersion": "0.2.0", "components": [{"id": "a", "name": "a", "type": "x"}]}`)
	if errs := schemaErrors(t, "otm-0.2.0.schema.json", doc); len(errs) < 2 {
		t.Errorf("errors %v, want a missing project and a missing parent", errs)
	}
}

func TestOTMContent(t *testing.T) {
	var doc struct {
		TrustZones []struct {
			ID     string                    `json:"id"`
			Risk   struct{ TrustRating int } `json:"risk"`
			Parent *struct {
				TrustZone string `json:"trustZone"`
			} `json:"parent"`
		} `json:"trustZones"`
		Components []struct {
			ID     string `json:"id"`
			Parent struct {
				TrustZone string `json:"trustZone"`
			} `json:"parent"`
			Representations []struct {
				Representation, File string
				Line                 int
			} `json:"representations"`
			Threats []struct {
				Threat, State string
				Mitigations   []struct{ Mitigation, State string }
			} `json:"threats"`
		} `json:"components"`
		Dataflows []struct {
			ID, Source, Destination string
			Threats                 []struct{ Threat, State string }
		} `json:"dataflows"`
		Threats []struct {
			ID         string
			Categories []string
			CWEs       []string `json:"cwes"`
			Risk       struct{ Likelihood, Impact int }
		} `json:"threats"`
		Mitigations []struct{ ID string } `json:"mitigations"`
	}
	if err := json.Unmarshal(renderModel(t, shopGraph(), "otm"), &doc); err != nil {
		t.Fatal(err)
	}
	ratings := map[string]int{}
	for _, z := range doc.TrustZones {
		ratings[z.ID] = z.Risk.TrustRating
		if z.ID == data && (z.Parent == nil || z.Parent.TrustZone != vpc) {
			t.Errorf("the data subnet is nested in the VPC: %+v", z.Parent)
		}
	}
	if want := map[string]int{vpc: 70, public: 40, data: 90, sg: 70, "zone:internet": 10, otmNoZone: 70}; !reflect.DeepEqual(ratings, want) {
		t.Errorf("trust ratings %v, want %v", ratings, want)
	}
	comps := map[string]int{}
	for i, c := range doc.Components {
		comps[c.ID] = i
	}
	if _, ok := comps[versioning]; ok {
		t.Error("a control is not a component")
	}
	a := doc.Components[comps[api]]
	if a.Parent.TrustZone != vpc || len(a.Representations) != 2 || a.Representations[1].File != "deploy/compose.yaml" ||
		a.Representations[1].Line != 1 || a.Representations[0].Representation != "code" {
		t.Errorf("api: %+v", a)
	}
	if l := doc.Components[comps[legacy]]; l.Parent.TrustZone != otmNoZone {
		t.Errorf("a component in no zone: parent %+v", l.Parent)
	}
	// Threats: per component, the path's finding counts for its entry and the control's for
	// its bucket, the accepted one is accepted, the one on a zone and the meta finding are
	// left out.
	states := map[string]string{}
	for _, c := range doc.Components {
		for _, th := range c.Threats {
			states[c.ID+" "+th.Threat] = th.State
			if th.Threat == "AWS-RDS-001" && (len(th.Mitigations) == 0 || th.Mitigations[0].Mitigation != "AWS-RDS-001-M1") {
				t.Errorf("AWS-RDS-001 mitigations: %+v", th.Mitigations)
			}
		}
	}
	for _, f := range doc.Dataflows {
		for _, th := range f.Threats {
			states[f.ID+" "+th.Threat] = th.State
		}
	}
	want := map[string]string{
		orders + " AWS-RDS-001": "exposed",
		exports + " AWS-S3-001": "accepted",
		exports + " AWS-S3-003": "exposed",
		web + " AWS-RDS-002":    "exposed",
		api + " CUSTOM-001":     "exposed",
		"terraform:infra/aws_security_group.web.ingress[0] AWS-SG-001": "exposed",
	}
	if !reflect.DeepEqual(states, want) {
		t.Errorf("threat states:\n got %v\nwant %v", states, want)
	}
	var ids []string
	for _, th := range doc.Threats {
		ids = append(ids, th.ID)
		if th.ID == "AWS-RDS-001" && (len(th.Categories) == 0 || len(th.CWEs) == 0 || th.Risk.Likelihood == 0 || th.Risk.Impact == 0) {
			t.Errorf("AWS-RDS-001: %+v", th)
		}
		if th.ID == "CUSTOM-001" && (th.Risk.Likelihood != 50 || !reflect.DeepEqual(th.Categories, []string{"Spoofing"})) {
			t.Errorf("a threat the library does not know is described from its finding: %+v", th)
		}
	}
	if want := []string{"AWS-RDS-001", "AWS-RDS-002", "AWS-S3-001", "AWS-S3-003", "AWS-SG-001", "CUSTOM-001"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("threats %v, want %v", ids, want)
	}
	for _, f := range doc.Dataflows {
		if f.ID == "terraform:infra/aws_security_group_rule.peer" {
			t.Error("a flow from an element the graph does not have has nothing to name in OTM")
		}
	}
}
