package ai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"
	"go.uber.org/zap"

	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/model"
)

// Service enriches findings for one session (an editor session, or one CLI run): it holds
// the client, the cache, the session's remaining request budget and its concurrency limit.
// It is safe for concurrent use.
type Service struct {
	cfg    Config
	eng    *engine.Engine
	client *openai.Client
	cache  *Cache
	log    *zap.Logger
	left   atomic.Int64  // requests left in the budget
	slots  chan struct{} // one per request allowed in flight
	// backoff is the wait before the second attempt of a request the endpoint asked to
	// retry without saying when; it doubles for each further attempt.
	backoff time.Duration
	// scratch is the copy of the workspace proposed fixes are verified on.
	scratch scratchCache
}

// Close removes what the session keeps on disk besides the cache: the scratch copy of the
// workspace that fixes are verified on.
func (s *Service) Close() { s.scratch.close() }

// Option changes how a Service is built (tests use them).
type Option func(*Service)

// WithHTTPClient sets the HTTP client under go-openai.
func WithHTTPClient(c *http.Client) Option {
	return func(s *Service) { s.client = newOpenAI(s.cfg, c) }
}

// WithBackoff sets the first retry's wait.
func WithBackoff(d time.Duration) Option { return func(s *Service) { s.backoff = d } }

// New returns the service of one session.
func New(cfg Config, eng *engine.Engine, log *zap.Logger, opts ...Option) *Service {
	if log == nil {
		log = zap.NewNop()
	}
	s := &Service{cfg: cfg, eng: eng, client: newOpenAI(cfg, nil), cache: NewCache(cfg.CacheDir), log: log,
		slots: make(chan struct{}, max(1, cfg.Concurrency)), backoff: time.Second}
	s.left.Store(int64(cfg.Budget))
	for _, o := range opts {
		o(s)
	}
	return s
}

// Config is the service's configuration.
func (s *Service) Config() Config { return s.cfg }

// Cache is the service's cache.
func (s *Service) Cache() *Cache { return s.cache }

// Enrichment is what AI adds to one finding's guidance. When it failed, Error says why in a
// few words and the rest is empty: the offline guidance stands alone, and the finding is
// unchanged either way.
type Enrichment struct {
	Model string `json:"model"`
	// Text is the model's explanation and steps, Markdown.
	Text   string `json:"text,omitempty"`
	Cached bool   `json:"cached"`
	// Fix is the edit the model proposed, with the verdict of its verification.
	Fix   *Fix   `json:"fix,omitempty"`
	Error string `json:"error,omitempty"`
}

// Markdown renders the enrichment under the offline guidance.
func (e Enrichment) Markdown() string {
	var b strings.Builder
	src := e.Model
	if e.Cached {
		src += ", cached"
	}
	fmt.Fprintf(&b, "#### AI explanation (%s)\n\n", src)
	if e.Error != "" {
		fmt.Fprintf(&b, "*Not available: %s. The guidance above is threatls's own.*\n", e.Error)
		return b.String()
	}
	b.WriteString(strings.TrimSpace(e.Text) + "\n\n")
	if e.Fix != nil {
		if e.Fix.Verified {
			fmt.Fprintf(&b, "**Proposed fix — verified:** applied to a copy of the workspace, the file still parses, the finding is gone and no finding of equal or higher severity appears.\n\n")
		} else {
			fmt.Fprintf(&b, "**Proposed fix — unverified, not offered as a quick fix:** %s.\n\n", e.Fix.Reason)
		}
		if e.Fix.Diff != "" {
			fmt.Fprintf(&b, "`%s`, line %d:\n\n%s\n", e.Fix.File, e.Fix.Line, fence("diff", e.Fix.Diff))
		}
	}
	b.WriteString("*Written by a language model from a redacted excerpt: check it before you rely on it. It changes no finding.*\n")
	return b.String()
}

// answer is what the model is asked to reply.
type answer struct {
	Explanation string   `json:"explanation"`
	Steps       []string `json:"steps"`
	FixedBlock  string   `json:"fixed_block"`
}

// Limits on an answer's parts; a longer one is refused as oversized.
const (
	maxExplanation = 4000
	maxSteps       = 10
	maxStep        = 600
)

// parseAnswer reads the model's reply: one JSON object, possibly inside a Markdown fence or
// after a sentence the model could not help writing.
func parseAnswer(content string, blockSize int) (answer, error) {
	s := strings.TrimSpace(content)
	i, j := strings.IndexByte(s, '{'), strings.LastIndexByte(s, '}')
	if i < 0 || j < i {
		return answer{}, errors.New("the answer is not the JSON object asked for")
	}
	var a answer
	if err := json.Unmarshal([]byte(s[i:j+1]), &a); err != nil {
		return answer{}, errors.New("the answer is not valid JSON")
	}
	a.Explanation = strings.TrimSpace(a.Explanation)
	if a.Explanation == "" && len(a.Steps) == 0 {
		return answer{}, errors.New("the answer is empty")
	}
	if len(a.Explanation) > maxExplanation || len(a.Steps) > maxSteps || len(a.FixedBlock) > 2*blockSize+2000 {
		return answer{}, errors.New("the answer is longer than asked: refused")
	}
	for _, st := range a.Steps {
		if len(st) > maxStep {
			return answer{}, errors.New("the answer is longer than asked: refused")
		}
	}
	return a, nil
}

// Enrich asks the model about finding f of snap and returns its explanation, with its
// proposed fix verified against the whole workspace (ecfg is the workspace's configuration,
// for the scratch copy). It never fails: a failure is reported in Enrichment.Error.
func (s *Service) Enrich(ctx context.Context, snap *engine.Snapshot, ecfg engine.Config, f model.Finding) Enrichment {
	out := Enrichment{Model: s.cfg.Model}
	req, err := BuildRequest(s.eng, snap, f, s.cfg)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	content, cached := s.cache.Get(f.Fingerprint, s.cfg.Model, req.hash)
	if !cached {
		content, err = s.send(ctx, req.Chat)
		if err != nil {
			out.Error = classify(err, s.cfg.Timeout).note
			s.log.Info("AI enrichment failed", zap.String("finding", f.Fingerprint), zap.String("why", out.Error))
			return out
		}
	}
	blockSize := 0
	if req.Block != nil {
		blockSize = req.Block.End - req.Block.Start
	}
	a, err := parseAnswer(content, blockSize)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	if !cached {
		if err := s.cache.Put(f.Fingerprint, s.cfg.Model, req.hash, content); err != nil {
			s.log.Warn("AI cache", zap.Error(err))
		}
	}
	out.Cached = cached
	out.Text = render(a, req.redactor)
	if a.FixedBlock != "" && req.Block != nil {
		fx := s.verify(ctx, snap, ecfg, f, req, a.FixedBlock)
		out.Fix = &fx
	}
	return out
}

// render writes the explanation and the steps as Markdown, placeholders left as they are
// (they stand for secrets, which have no place in advice text).
func render(a answer, _ *Redactor) string {
	var b strings.Builder
	if a.Explanation != "" {
		b.WriteString(a.Explanation + "\n\n")
	}
	for i, st := range a.Steps {
		fmt.Fprintf(&b, "%d. %s\n", i+1, strings.TrimSpace(st))
	}
	return strings.TrimSpace(b.String())
}

// send sends the request within the budget and the concurrency limit, retrying a 429 after
// the Retry-After the endpoint asks for (at most maxRetryAfter) and a 5xx after a backoff
// that doubles, maxAttempts times in all. Each attempt counts against the budget.
func (s *Service) send(ctx context.Context, chat openai.ChatCompletionRequest) (string, error) {
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-s.slots }()
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	wait := s.backoff
	var last error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		if s.left.Add(-1) < 0 {
			s.left.Add(1)
			if last != nil {
				return "", last
			}
			return "", errBudget
		}
		hint := &retryHint{}
		resp, err := s.client.CreateChatCompletion(context.WithValue(ctx, retryHintKey{}, hint), chat)
		if err == nil {
			return content(resp)
		}
		f := classify(err, s.cfg.Timeout)
		if !f.retry || attempt == maxAttempts {
			return "", f
		}
		last = f
		d := wait
		if hint.after > 0 {
			if hint.after > maxRetryAfter {
				return "", &failure{note: fmt.Sprintf("%s and asks to wait %s: not waiting", f.note, hint.after.Round(time.Second))}
			}
			d = hint.after
		}
		s.log.Debug("AI request retried", zap.String("why", f.note), zap.Duration("after", d))
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return "", ctx.Err()
		}
		wait *= 2
	}
	return "", last
}

// content is the text of the first choice, or why there is none.
func content(resp openai.ChatCompletionResponse) (string, error) {
	if len(resp.Choices) == 0 {
		return "", &failure{note: "the endpoint's answer has no choices"}
	}
	c := resp.Choices[0]
	switch {
	case c.Message.Refusal != "":
		return "", &failure{note: "the model declined to answer"}
	case c.FinishReason == openai.FinishReasonContentFilter:
		return "", &failure{note: "the endpoint's content filter withheld the answer"}
	case c.FinishReason == openai.FinishReasonLength:
		return "", &failure{note: "the answer was cut off at the token limit (setting maxTokens)"}
	}
	if strings.TrimSpace(c.Message.Content) == "" {
		return "", &failure{note: "the answer is empty"}
	}
	return c.Message.Content, nil
}

// Left is how many requests the session's budget still allows.
func (s *Service) Left() int { return int(max(0, s.left.Load())) }
