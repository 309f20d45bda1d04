package kubernetes

import "testing"

// A .json file is a manifest when it is an object that begins with apiVersion or kind and has
// the other; a package.json or a CloudFormation template is not.
func TestSniffJSON(t *testing.T) {
	a := &Analyzer{}
	for head, want := range map[string]bool{
		"{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\"}":                true,
		"{\"kind\": \"List\", \"apiVersion\": \"v1\", \"items\": []}":       true,
		"{\"apiVersion\": \"v1\"}":                                          false,
		"{\"name\": \"web\", \"kind\": \"app\", \"apiVersion\": \"1\"}":     false,
		"{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {}}": false,
		"apiVersion: v1\nkind: Pod\n":                                       false,
	} {
		if got := a.Sniff("x.json", []byte(head)); got != want {
			t.Errorf("Sniff(%q) = %v, want %v", head, got, want)
		}
	}
	if !a.Sniffs("deploy/pod.JSON") || a.Sniffs("pod.yaml") {
		t.Error("Sniffs: .json files only (YAML is matched by name)")
	}
}
