package ai

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing/fstest"

	openai "github.com/sashabaranov/go-openai"
	"go.yaml.in/yaml/v3"

	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// Limits of a review request: the system is summarised, never sent whole.
const (
	maxReviewElements    = 200
	maxReviewFlows       = 300
	maxReviewPaths       = 20
	maxReviewSuggestions = 10
)

const reviewPrompt = `You review the threat model of a software system that threatls, a threat-modeling tool, inferred from a repository: its elements, data flows, trust zones and attack paths, and the threats its library already reports. Propose threats the library does not cover — business-logic flaws, abuse cases, misuse of the flows between these elements — each tied to the IDs of the elements it concerns, exactly as listed. Secrets were replaced by placeholders such as __REDACTED_1__.

Answer with one JSON object and nothing else:
{"suggestions": [{"title": "one line", "stride": ["Spoofing" | "Tampering" | "Repudiation" | "InformationDisclosure" | "DenialOfService" | "ElevationOfPrivilege"], "elements": ["element IDs as listed"], "likelihood": "low|medium|high", "impact": "low|medium|high", "rationale": "why it applies here, at most 80 words", "mitigation": "what to do, at most 40 words"}]}

At most 10 suggestions. Do not repeat a threat already reported.`

// Suggestion is one threat the model proposed, tied to elements of the model.
type Suggestion struct {
	Title      string   `json:"title"`
	Stride     []string `json:"stride"`
	Elements   []string `json:"elements"`
	Likelihood string   `json:"likelihood"`
	Impact     string   `json:"impact"`
	Rationale  string   `json:"rationale"`
	Mitigation string   `json:"mitigation"`
}

// Review is the outcome of `threatls model --ai-review`: suggestions to review, which become
// findings only when a user adopts them as threats of their own (--threats DIR).
type Review struct {
	Model       string       `json:"model"`
	Cached      bool         `json:"cached"`
	Suggestions []Suggestion `json:"suggestions"`
	// Dropped says why each suggestion that was left out was: it cited an element the model
	// does not have, or none.
	Dropped []string `json:"dropped"`
	Error   string   `json:"error,omitempty"`
}

// BuildReviewRequest summarises the model of snap for a review: elements, flows, zones,
// attack paths and the threats already reported — redacted.
func BuildReviewRequest(snap *engine.Snapshot, cfg Config) (*Request, error) {
	g := snap.Graph()
	var b strings.Builder
	var elems, flows, zones []*model.Element
	for _, e := range g.Elements() {
		switch e.Kind {
		case model.Flow:
			flows = append(flows, e)
		case model.Zone:
			zones = append(zones, e)
		case model.Component, model.Store, model.Actor:
			elems = append(elems, e)
		}
	}
	b.WriteString("## Elements (ID | kind | type | name | zone | facts)\n\n")
	for i, e := range elems {
		if i == maxReviewElements {
			fmt.Fprintf(&b, "… and %d more\n", len(elems)-i)
			break
		}
		zone := ""
		if z := g.Zone(e.ID); z != nil {
			zone = z.Name
		}
		fmt.Fprintf(&b, "- %s | %s | %s | %s | %s | %s\n", e.ID, e.Kind, e.Type, e.Name, zone, facts(e))
	}
	b.WriteString("\n## Flows (from ID -> to ID | protocol:port | tls | authenticated)\n\n")
	for i, f := range flows {
		if i == maxReviewFlows {
			fmt.Fprintf(&b, "… and %d more\n", len(flows)-i)
			break
		}
		proto, _ := f.Attrs.At("protocol").Value.(string)
		port, _ := f.Attrs.At("port").Value.(int64)
		fmt.Fprintf(&b, "- %s -> %s | %s:%d | tls %s | authenticated %s\n", f.From, f.To, proto, port, tri(f, "tls"), tri(f, "authenticated"))
	}
	b.WriteString("\n## Trust zones\n\n")
	for _, z := range zones {
		trust, _ := z.Attrs.At("trust").Value.(string)
		fmt.Fprintf(&b, "- %s | %s | trust %s\n", z.ID, z.Name, trust)
	}
	b.WriteString("\n## Attack paths\n\n")
	for i, p := range g.Paths() {
		if i == maxReviewPaths {
			break
		}
		r, _ := p.Attrs.At("risk").Value.(int64)
		fmt.Fprintf(&b, "- risk %d: %s\n", r, p.Name)
	}
	b.WriteString("\n## Threats already reported\n\n")
	seen := map[string]bool{}
	var reported []string
	for _, f := range snap.Findings() {
		if f.Suppressed == nil && !seen[f.ThreatID] {
			seen[f.ThreatID] = true
			reported = append(reported, "- "+f.ThreatID+": "+f.Title)
		}
	}
	sort.Strings(reported)
	b.WriteString(strings.Join(reported, "\n") + "\n")

	red := NewRedactor()
	req := &Request{redactor: red, Chat: openai.ChatCompletionRequest{
		Model: cfg.Model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: reviewPrompt},
			{Role: openai.ChatMessageRoleUser, Content: red.Redact(b.String())},
		},
		MaxTokens:   max(cfg.MaxTokens, 2000),
		Temperature: 0.2,
	}}
	body, err := req.Body()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	req.hash = hex.EncodeToString(sum[:])
	return req, nil
}

// facts lists an element's boolean controls and exposures and its classification, briefly.
func facts(e *model.Element) string {
	var out []string
	for k, a := range e.Attrs.All() { // in the order of their names
		switch v := a.Value.(type) {
		case bool:
			out = append(out, fmt.Sprintf("%s=%t", k, v))
		case string:
			if k == "classification" || k == "technology" {
				out = append(out, k+"="+v)
			}
		}
	}
	return strings.Join(out, ", ")
}

func tri(e *model.Element, attr string) string {
	if v, ok := e.Attrs.At(attr).Value.(bool); ok {
		return fmt.Sprint(v)
	}
	return "unknown"
}

// Review asks the model for threats the library does not cover. Suggestions citing an
// element the model does not have are dropped. It never fails: a failure is in Review.Error.
func (s *Service) Review(ctx context.Context, snap *engine.Snapshot) Review {
	out := Review{Model: s.cfg.Model, Suggestions: []Suggestion{}, Dropped: []string{}}
	req, err := BuildReviewRequest(snap, s.cfg)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	key := "review:" + req.hash
	content, cached := s.cache.Get(key, s.cfg.Model, req.hash)
	if !cached {
		if content, err = s.send(ctx, req.Chat); err != nil {
			out.Error = classify(err, s.cfg.Timeout).note
			return out
		}
	}
	var a struct {
		Suggestions []Suggestion `json:"suggestions"`
	}
	t := strings.TrimSpace(content)
	i, j := strings.IndexByte(t, '{'), strings.LastIndexByte(t, '}')
	if i < 0 || j < i || json.Unmarshal([]byte(t[i:j+1]), &a) != nil {
		out.Error = "the answer is not the JSON object asked for"
		return out
	}
	if len(a.Suggestions) > 3*maxReviewSuggestions {
		out.Error = "the answer is longer than asked: refused"
		return out
	}
	if !cached {
		if err := s.cache.Put(key, s.cfg.Model, req.hash, content); err != nil {
			s.log.Warn("AI cache: " + err.Error())
		}
	}
	out.Cached = cached
	for _, sg := range a.Suggestions {
		if len(out.Suggestions) == maxReviewSuggestions {
			out.Dropped = append(out.Dropped, fmt.Sprintf("%q: more than %d suggestions", sg.Title, maxReviewSuggestions))
			continue
		}
		if why := check(snap, &sg); why != "" {
			out.Dropped = append(out.Dropped, fmt.Sprintf("%q: %s", sg.Title, why))
			continue
		}
		out.Suggestions = append(out.Suggestions, sg)
	}
	return out
}

var strides = []string{"Spoofing", "Tampering", "Repudiation", "InformationDisclosure", "DenialOfService", "ElevationOfPrivilege"}

// check validates a suggestion against the model, normalising what it can; it returns why
// the suggestion must be dropped, or "".
func check(snap *engine.Snapshot, sg *Suggestion) string {
	sg.Title = oneLine(strings.NewReplacer("{", "", "}", "").Replace(sg.Title), 160)
	if sg.Title == "" {
		return "no title"
	}
	if len(sg.Elements) == 0 {
		return "it cites no element of the model"
	}
	for _, id := range sg.Elements {
		if snap.Element(id) == nil {
			return fmt.Sprintf("it cites %q, which is not an element of the model", id)
		}
	}
	var st []string
	for _, x := range sg.Stride {
		if slices.Contains(strides, x) && !slices.Contains(st, x) {
			st = append(st, x)
		}
	}
	if len(st) == 0 {
		return "no valid STRIDE category"
	}
	sg.Stride = st
	for _, lv := range []*string{&sg.Likelihood, &sg.Impact} {
		if *lv != "low" && *lv != "medium" && *lv != "high" {
			*lv = "medium"
		}
	}
	sg.Rationale = oneLine(sg.Rationale, 800)
	sg.Mitigation = oneLine(sg.Mitigation, 400)
	if sg.Rationale == "" {
		sg.Rationale = sg.Title
	}
	if sg.Mitigation == "" {
		sg.Mitigation = "Review this threat with the team that owns the elements named."
	}
	return ""
}

// threatEntry is a suggestion written as an entry of the threat library.
type threatEntry struct {
	ID          string           `yaml:"id"`
	Title       string           `yaml:"title"`
	Stride      []string         `yaml:"stride,flow"`
	Likelihood  string           `yaml:"likelihood"`
	Impact      string           `yaml:"impact"`
	AppliesTo   map[string][]any `yaml:"applies_to"`
	Condition   string           `yaml:"condition"`
	Message     string           `yaml:"message"`
	Mitigations []map[string]any `yaml:"mitigations"`
	Docs        map[string]any   `yaml:"docs"`
}

// YAML writes the suggestions as entries of the threat library (the format --threats DIR
// reads), each condition naming the elements it was suggested for, under a header saying
// they are suggestions to review. Every entry is checked to load as a threat.
func (r Review) YAML() ([]byte, error) {
	var entries []threatEntry
	for i, sg := range r.Suggestions {
		ids := make([]string, len(sg.Elements))
		for j, id := range sg.Elements {
			b, _ := json.Marshal(id)
			ids[j] = string(b)
		}
		kinds := []any{string(model.Component), string(model.Store), string(model.Actor), string(model.Flow)}
		entries = append(entries, threatEntry{
			ID: fmt.Sprintf("AI-REVIEW-%03d", i+1), Title: sg.Title, Stride: sg.Stride,
			Likelihood: sg.Likelihood, Impact: sg.Impact,
			AppliesTo:   map[string][]any{"kinds": kinds},
			Condition:   "e.id in [" + strings.Join(ids, ", ") + "]",
			Message:     "{{.Name}}: " + sg.Title,
			Mitigations: []map[string]any{{"title": sg.Mitigation}},
			Docs:        map[string]any{"why": sg.Rationale, "fix": sg.Mitigation},
		})
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Threats suggested by %s (threatls model --ai-review, prompt %s).\n", r.Model, PromptVersion)
	b.WriteString("# They are suggestions, not findings. To adopt one, review it, give it an ID of your own,\n" +
		"# and put it in a directory you pass with --threats DIR (or accept the risk in writing).\n")
	if len(r.Dropped) > 0 {
		b.WriteString("#\n# Dropped:\n")
		for _, d := range r.Dropped {
			b.WriteString("#   " + oneLine(d, 200) + "\n")
		}
	}
	if len(entries) == 0 {
		b.WriteString("[]\n")
		return b.Bytes(), nil
	}
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(entries); err != nil {
		return nil, fmt.Errorf("write the suggestions: %w", err)
	}
	if _, errs := knowledge.Load(fstest.MapFS{"suggestions.yaml": {Data: b.Bytes()}}, "."); len(errs) > 0 {
		return nil, fmt.Errorf("the suggestions do not load as threats: %w", errors.Join(errs...))
	}
	return b.Bytes(), nil
}
