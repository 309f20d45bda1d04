package ai

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Cache keeps answers on disk, one file per (finding fingerprint, model, prompt version), so
// that asking about a finding again costs no request. An entry also records the hash of the
// request it answers: when the element's block or the finding changed since, the fingerprint
// (which ignores edits) is the same but the entry is stale, and is replaced. Only answers that
// were read successfully are kept; the API key never is.
//
// Files are JSON, mode 0600, in a 0700 directory (DefaultCacheDir unless set); deleting the
// directory, or `threatls ai cache --clear`, empties the cache.
type Cache struct{ dir string }

// NewCache returns the cache in dir.
func NewCache(dir string) *Cache { return &Cache{dir: dir} }

// Dir is where the cache lives.
func (c *Cache) Dir() string { return c.dir }

type cacheEntry struct {
	Fingerprint   string `json:"fingerprint"`
	Model         string `json:"model"`
	PromptVersion string `json:"prompt_version"`
	RequestHash   string `json:"request_hash"`
	Answer        string `json:"answer"`
}

func (c *Cache) path(fingerprint, model string) string {
	sum := sha256.Sum256([]byte(fingerprint + "\x00" + model + "\x00" + PromptVersion))
	return filepath.Join(c.dir, hex.EncodeToString(sum[:16])+".json")
}

// Get returns the cached answer for the request, if there is one for this very request.
func (c *Cache) Get(fingerprint, model, requestHash string) (string, bool) {
	if c == nil || c.dir == "" {
		return "", false
	}
	b, err := os.ReadFile(c.path(fingerprint, model))
	if err != nil {
		return "", false
	}
	var e cacheEntry
	if json.Unmarshal(b, &e) != nil || e.RequestHash != requestHash || e.PromptVersion != PromptVersion {
		return "", false
	}
	return e.Answer, true
}

// Put stores an answer, replacing any entry of the same key. It writes a temporary file and
// renames it, so that a reader never sees half an entry.
func (c *Cache) Put(fingerprint, model, requestHash, answer string) error {
	if c == nil || c.dir == "" {
		return nil
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return fmt.Errorf("AI cache: %w", err)
	}
	b, err := json.MarshalIndent(cacheEntry{Fingerprint: fingerprint, Model: model, PromptVersion: PromptVersion,
		RequestHash: requestHash, Answer: answer}, "", "  ")
	if err != nil {
		return fmt.Errorf("AI cache: %w", err)
	}
	f, err := os.CreateTemp(c.dir, ".entry-*")
	if err != nil {
		return fmt.Errorf("AI cache: %w", err)
	}
	_, werr := f.Write(b)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("AI cache: %w", err)
	}
	if err := os.Rename(f.Name(), c.path(fingerprint, model)); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("AI cache: %w", err)
	}
	return nil
}

// Clear removes every cached answer.
func (c *Cache) Clear() error {
	if c == nil || c.dir == "" {
		return nil
	}
	if err := os.RemoveAll(c.dir); err != nil {
		return fmt.Errorf("AI cache: %w", err)
	}
	return nil
}
