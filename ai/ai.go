// Package ai enriches threatls's offline guidance with an LLM, when the user turns it on: it
// is the only package that imports the OpenAI client (github.com/sashabaranov/go-openai) and
// the only one that opens network connections (arch_test.go holds it to that).
//
// What it does, and what it never does:
//
//   - It talks to any OpenAI-compatible chat-completions endpoint: OpenAI, Azure OpenAI (with
//     an API version), or a local server (llama.cpp, vLLM, Ollama). The endpoint and model come
//     from the user's settings or the environment (OPENAI_BASE_URL, THREATLS_AI_MODEL,
//     OPENAI_API_VERSION); the key only from OPENAI_API_KEY or a key file outside the
//     repository — never from the repository (see analyzers/config for threatls.yaml).
//   - What it sends is minimal and redacted (Redactor): the finding, the element's card and
//     the element's own block, never whole files. Request builds exactly what is sent, which
//     `threatls ai preview` prints.
//   - Answers are cached on disk (Cache), keyed by finding fingerprint, model and prompt
//     version; a session has a request budget and a concurrency limit (Settings).
//   - A fix the model proposes is offered only once verified (Verify): applied to a copy of
//     the workspace, which must still parse, lose the finding and gain no finding of equal or
//     higher severity anywhere.
//   - Every failure — timeout, 401, 429, 5xx, a malformed, truncated or oversized answer, a
//     refusal, no network — becomes a short note next to the offline guidance. It never
//     changes a finding: the LLM decides nothing about what is found.
//
// It sits above engine (which it uses for verification and the offline guidance) and below
// lsp and cmd, which call it lazily: diagnostics never wait for it.
package ai

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// PromptVersion changes whenever the prompt or the expected answer changes; it is part of the
// cache key, so that answers to an older prompt are never reused.
const PromptVersion = "threatls-ai-1"

// Defaults of the settings.
const (
	DefaultModel       = "gpt-4o-mini"
	DefaultBaseURL     = "https://api.openai.com/v1"
	DefaultBudget      = 50
	DefaultConcurrency = 2
	DefaultTimeout     = 60 * time.Second
	DefaultMaxTokens   = 1200
)

// Settings are what a user sets, in the editor (section threatls.ai) or on the command line.
// Zero values mean "not set": the environment, then the defaults apply.
type Settings struct {
	Enabled bool   `json:"enabled"`
	BaseURL string `json:"baseURL"`
	Model   string `json:"model"`
	// APIVersion selects Azure OpenAI's API (its api-version query parameter); the model is
	// then the deployment's name.
	APIVersion string `json:"apiVersion"`
	// KeyFile is a file holding the API key, outside the repository.
	KeyFile string `json:"keyFile"`
	// Budget is how many requests a session may send (retries count); Concurrency how many
	// may be in flight at once.
	Budget         int    `json:"budget"`
	Concurrency    int    `json:"concurrency"`
	TimeoutSeconds int    `json:"timeoutSeconds"`
	MaxTokens      int    `json:"maxTokens"`
	CacheDir       string `json:"cacheDir"`
}

// Config is the resolved configuration of a session: settings over environment over
// defaults, and the key.
type Config struct {
	BaseURL     string
	Model       string
	APIVersion  string // non-empty: Azure OpenAI
	Budget      int
	Concurrency int
	Timeout     time.Duration
	MaxTokens   int
	CacheDir    string
	// key is the API key; it is never printed, logged or cached.
	key string
}

// Env is the environment threatls reads its AI settings from (os.Getenv in production).
type Env func(string) string

// Resolve combines the settings with the environment. root is the workspace root: a key file
// inside it is refused, so that a key never sits in a repository. A remote endpoint without
// a key is an error; a local one (localhost, 127.0.0.1, ::1) may do without.
func Resolve(s Settings, env Env, root string) (Config, error) {
	if env == nil {
		env = os.Getenv
	}
	c := Config{
		BaseURL:     first(s.BaseURL, env("OPENAI_BASE_URL"), DefaultBaseURL),
		Model:       first(s.Model, env("THREATLS_AI_MODEL"), DefaultModel),
		APIVersion:  first(s.APIVersion, env("OPENAI_API_VERSION")),
		Budget:      positive(s.Budget, DefaultBudget),
		Concurrency: positive(s.Concurrency, DefaultConcurrency),
		Timeout:     time.Duration(positive(s.TimeoutSeconds, int(DefaultTimeout/time.Second))) * time.Second,
		MaxTokens:   positive(s.MaxTokens, DefaultMaxTokens),
		CacheDir:    first(s.CacheDir, env("THREATLS_CACHE_DIR")),
	}
	if c.CacheDir == "" {
		c.CacheDir = DefaultCacheDir()
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("AI endpoint %q is not an http(s) URL", c.BaseURL)
	}
	switch {
	case s.KeyFile != "":
		key, err := readKeyFile(s.KeyFile, root)
		if err != nil {
			return c, err
		}
		c.key = key
	default:
		c.key = strings.TrimSpace(env("OPENAI_API_KEY"))
	}
	if c.key == "" && !isLocal(u.Hostname()) {
		return c, ErrNoKey
	}
	return c, nil
}

// ErrNoKey is Resolve's error when a remote endpoint has no key; the Config it returns with
// it is complete otherwise (a preview needs no key).
var ErrNoKey = errors.New("AI is on but no API key is set: export OPENAI_API_KEY, or set keyFile to a file outside the repository")

// Endpoint is the URL requests are posted to.
func (c Config) Endpoint() string {
	base := strings.TrimRight(c.BaseURL, "/")
	if c.APIVersion != "" {
		return base + "/openai/deployments/" + url.PathEscape(c.Model) + "/chat/completions?api-version=" + url.QueryEscape(c.APIVersion)
	}
	return base + "/chat/completions"
}

// Auth describes how the key is sent, without the key.
func (c Config) Auth() string {
	switch {
	case c.key == "":
		return "no key"
	case c.APIVersion != "":
		return "api-key: <key, not shown>"
	}
	return "Authorization: Bearer <key, not shown>"
}

// HasKey reports whether a key was found (for messages; the key itself is never shown).
func (c Config) HasKey() bool { return c.key != "" }

func first(vs ...string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

func positive(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

func isLocal(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// readKeyFile reads the key from path, refusing a file inside the repository at root.
func readKeyFile(path, root string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("keyFile: %w", err)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	if root != "" {
		r, err := filepath.Abs(root)
		if err == nil {
			if real, err := filepath.EvalSymlinks(r); err == nil {
				r = real
			}
			if rel, err := filepath.Rel(r, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return "", fmt.Errorf("keyFile %s is inside the repository %s: a key must never be where it can be committed; move it out (e.g. ~/.config/threatls/openai.key)", path, root)
			}
		}
	}
	b, err := os.ReadFile(abs)
	if err != nil {
		return "", fmt.Errorf("keyFile: %w", err)
	}
	key := strings.TrimSpace(string(b))
	if key == "" {
		return "", fmt.Errorf("keyFile %s is empty", path)
	}
	return key, nil
}

// DefaultCacheDir is where answers are cached when no cacheDir is set: threatls/ai under the
// user's cache directory ($XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on macOS,
// %LocalAppData% on Windows).
func DefaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "threatls", "ai")
}
