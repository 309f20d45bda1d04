package ai

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/threatls/threatls/engine"
)

// canaries are secrets planted in testdata/canary, in every format threatls reads, in every
// form the redaction knows: values of secret-like names, known token formats, connection
// string passwords, a private key, a high-entropy string. Each contains "c4n4ry" (in some
// case), so that a leak of any part of one shows.
var canaries = map[string][]string{
	"terraform":     {"pw-c4n4ry-tf-7781", "sk_live_c4n4ry000000000000000000", "AKIAC4N4RY0000000001", "tf-c4n4ry-lambda-secret"},
	"kubernetes":    {"k8s-c4n4ry-pw", "k8s-c4n4ry-conn", "ghp_c4n4ry000000000000000000000000000000", "Zx8Qp2c4n4ryVt7Lm3Kd9Rw5", "MIIEvc4n4ryQIBADANBgkqhkiG9w0BAQEFAASC"},
	"compose":       {"compose-c4n4ry-secret", "compose-c4n4ry-redis", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjNG40cnkifQ.c4n4rySig0000"},
	"dockerfile":    {"npm_c4n4ry000000000000000000000000000000", "docker-c4n4ry-secret", "https://hooks.slack.com/services/T000/B000/c4n4ry"},
	"actions":       {"gha-c4n4ry-token", "xoxb-c4n4ry-000000000000", "c4n4ryBearer0123456789"},
	"mermaid":       {"md-c4n4ry-pw"},
	"threagile":     {"thr-c4n4ry-pw", "thr-c4n4ry-token"},
	"otm":           {"otm-c4n4ry-key", "otm-c4n4ry-secret", "otm-c4n4ry-pw"},
	"threatls.yaml": {"cfg-c4n4ry-pw"},
}

// TestCanariesNeverReachTheServer enriches every finding of a workspace that holds the
// canaries, and reviews its model, through the real client and a fake server: no request
// body may contain any part of a canary. The same requests built without redaction must
// contain every canary — else this test would prove nothing for it.
func TestCanariesNeverReachTheServer(t *testing.T) {
	eng := testEngine(t)
	snap := load(t, eng, "testdata/canary")
	fs := snap.Findings()
	if len(fs) < 20 {
		t.Fatalf("%d findings: the canary workspace no longer reads", len(fs))
	}

	var unredacted strings.Builder
	for _, f := range fs {
		req, err := buildRequest(eng, snap, f, Config{Model: "m"}, false)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := req.Body()
		unredacted.Write(body)
	}
	for format, cs := range canaries {
		for _, c := range cs {
			if !strings.Contains(unredacted.String(), jsonString(c)) {
				t.Errorf("%s canary %q is in no request even unredacted: the test proves nothing for it", format, c)
			}
		}
	}

	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, answerJSON("ok", ""))
	})
	cfg := testConfig(t, srv)
	cfg.Budget = 1000
	s := testService(t, cfg, eng, nil)
	for _, f := range fs {
		if e := s.Enrich(context.Background(), snap, engine.DefaultConfig(), f); e.Error != "" {
			t.Fatalf("%s: %s", f.ThreatID, e.Error)
		}
	}
	if r := s.Review(context.Background(), snap); r.Error != "" {
		t.Fatalf("review: %s", r.Error)
	}
	if srv.count() != len(fs)+1 {
		t.Fatalf("%d requests for %d findings and a review", srv.count(), len(fs))
	}
	for i, body := range srv.bodies {
		if bytes.Contains(bytes.ToLower(body), []byte("c4n4ry")) {
			at := bytes.Index(bytes.ToLower(body), []byte("c4n4ry"))
			t.Errorf("request %d leaks a canary: …%s…", i+1, body[max(0, at-80):min(len(body), at+40)])
		}
	}
}

// jsonString is how s appears inside a JSON string (the private key's line, for one).
func jsonString(s string) string {
	b := new(strings.Builder)
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
