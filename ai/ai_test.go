package ai

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threatls/threatls/knowledge"
)

func TestResolve(t *testing.T) {
	env := func(m map[string]string) Env { return func(k string) string { return m[k] } }
	c, err := Resolve(Settings{}, env(map[string]string{"OPENAI_API_KEY": "sk-env", "OPENAI_BASE_URL": "https://gw.example.com/v1",
		"THREATLS_AI_MODEL": "m-env", "OPENAI_API_VERSION": "2024-10-21"}), "")
	if err != nil || c.key != "sk-env" || c.BaseURL != "https://gw.example.com/v1" || c.Model != "m-env" || c.APIVersion != "2024-10-21" {
		t.Errorf("from the environment: %+v, %v", c, err)
	}
	c, err = Resolve(Settings{BaseURL: "https://other.example.com/v1", Model: "m-set", Budget: 7, Concurrency: 3}, env(map[string]string{
		"OPENAI_API_KEY": "sk-env", "OPENAI_BASE_URL": "https://gw.example.com/v1", "THREATLS_AI_MODEL": "m-env"}), "")
	if err != nil || c.BaseURL != "https://other.example.com/v1" || c.Model != "m-set" || c.Budget != 7 || c.Concurrency != 3 {
		t.Errorf("settings over the environment: %+v, %v", c, err)
	}
	if c, _ := Resolve(Settings{}, env(map[string]string{"OPENAI_API_KEY": "k"}), ""); c.BaseURL != DefaultBaseURL || c.Model != DefaultModel ||
		c.Budget != DefaultBudget || c.Concurrency != DefaultConcurrency || c.Timeout != DefaultTimeout {
		t.Errorf("defaults: %+v", c)
	}
	if _, err := Resolve(Settings{}, env(nil), ""); err == nil || !strings.Contains(err.Error(), "no API key") {
		t.Errorf("a remote endpoint without a key: %v", err)
	}
	if _, err := Resolve(Settings{BaseURL: "http://localhost:11434/v1"}, env(nil), ""); err != nil {
		t.Errorf("a local server needs no key: %v", err)
	}
	if _, err := Resolve(Settings{BaseURL: "ftp://x"}, env(map[string]string{"OPENAI_API_KEY": "k"}), ""); err == nil {
		t.Error("a non-HTTP endpoint was accepted")
	}

	repo, home := t.TempDir(), t.TempDir()
	inside, outside := filepath.Join(repo, "secrets", "openai.key"), filepath.Join(home, "openai.key")
	os.MkdirAll(filepath.Dir(inside), 0o700)
	os.WriteFile(inside, []byte("sk-inside\n"), 0o600)
	os.WriteFile(outside, []byte("sk-outside\n"), 0o600)
	if _, err := Resolve(Settings{KeyFile: inside}, env(nil), repo); err == nil || !strings.Contains(err.Error(), "inside the repository") {
		t.Errorf("a key file inside the repository: %v", err)
	}
	// A symbolic link from outside to inside is inside.
	link := filepath.Join(home, "link.key")
	if os.Symlink(inside, link) == nil {
		if _, err := Resolve(Settings{KeyFile: link}, env(nil), repo); err == nil {
			t.Error("a link to a key file inside the repository was accepted")
		}
	}
	c, err = Resolve(Settings{KeyFile: outside}, env(map[string]string{"OPENAI_API_KEY": "sk-env"}), repo)
	if err != nil || c.key != "sk-outside" {
		t.Errorf("a key file outside the repository: %q, %v", c.key, err)
	}
}

func TestReview(t *testing.T) {
	eng := testEngine(t)
	snap := load(t, eng, "testdata/ws")
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, `{"suggestions": [
			{"title": "Orders can be replayed {{.Name}}", "stride": ["Tampering", "Nonsense"], "elements": ["compose:compose.yaml/api"],
			 "likelihood": "high", "impact": "extreme", "rationale": "The API has no idempotency key.", "mitigation": "Require an idempotency key."},
			{"title": "Ghost service leaks", "stride": ["InformationDisclosure"], "elements": ["compose:compose.yaml/ghost"]},
			{"title": "No element at all", "stride": ["Spoofing"], "elements": []}
		]}`)
	})
	r := testService(t, testConfig(t, srv), eng, nil).Review(context.Background(), snap)
	if r.Error != "" {
		t.Fatal(r.Error)
	}
	if len(r.Suggestions) != 1 || len(r.Dropped) != 2 || !strings.Contains(r.Dropped[0], `"compose:compose.yaml/ghost", which is not an element of the model`) {
		t.Fatalf("suggestions %+v, dropped %q", r.Suggestions, r.Dropped)
	}
	sg := r.Suggestions[0]
	if sg.Title != "Orders can be replayed .Name" || len(sg.Stride) != 1 || sg.Impact != "medium" || sg.Likelihood != "high" {
		t.Errorf("normalised suggestion = %+v", sg)
	}
	y, err := r.YAML()
	if err != nil {
		t.Fatal(err)
	}
	// Adopted as a threat directory, the suggestion is a finding on the element it names.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "suggested.yaml"), y, 0o644)
	lib, errs := knowledge.LoadWith(dir)
	if len(errs) > 0 {
		t.Fatalf("%v\n%s", errs, y)
	}
	adopted := load(t, engineWith(lib), "testdata/ws")
	found := false
	for _, f := range adopted.Findings() {
		if f.ThreatID == "AI-REVIEW-001" && f.Element == "compose:compose.yaml/api" {
			found = true
		}
	}
	if !found {
		t.Errorf("the adopted suggestion is no finding:\n%s", y)
	}
	if !strings.Contains(string(y), "# They are suggestions, not findings.") || !strings.Contains(string(y), "#   \"Ghost service leaks\"") {
		t.Errorf("the file does not say what it is, or what was dropped:\n%s", y)
	}
}
