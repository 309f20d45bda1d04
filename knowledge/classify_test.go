package knowledge

import (
	"strings"
	"testing"

	"github.com/threatls/threatls/model"
)

func TestClassify(t *testing.T) {
	c, err := BuiltinClassifier()
	if err != nil {
		t.Fatal(err)
	}
	store := func(name string, attrs map[string]any) *model.Element {
		e := &model.Element{ID: "x:" + name, Kind: model.Store, Name: name}
		for k, v := range attrs {
			e.Set(k, v, model.Span{File: "f"})
		}
		return e
	}
	cases := []struct {
		el   *model.Element
		want string
	}{
		{store("aws_s3_bucket.card_exports", nil), "pci"},
		{store("orders-db", map[string]any{"category": "database"}), "confidential"},
		{store("cache", map[string]any{"category": "cache"}), ""},
		{store("cache", map[string]any{"category": "cache", "tags": map[string]any{"DataClass": "customer"}}), "pii"},
		{store("aws_secretsmanager_secret.db", map[string]any{"category": "secrets"}), "secret"},
		{store("userspace-logs", nil), ""}, // whole words only
		{store("static-assets", nil), ""},
	}
	// Twice: the second round is answered from what the classifier remembers, and a store
	// named alike with other tags must not get the first one's answer.
	for round := range 2 {
		for _, tc := range cases {
			got, note := c.Classify(tc.el)
			if got != tc.want {
				t.Errorf("round %d: %s: %q (%s), want %q", round, tc.el.Name, got, note, tc.want)
			}
			if got != "" && !strings.Contains(note, "classification.yaml") {
				t.Errorf("%s: the note must say where the guess comes from: %q", tc.el.Name, note)
			}
		}
	}
	if got, _ := c.Classify(&model.Element{Kind: model.Component, Name: "payments"}); got != "" {
		t.Error("components are not classified")
	}
}
