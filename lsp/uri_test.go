package lsp

import (
	"path/filepath"
	"testing"

	"go.lsp.dev/uri"
)

func TestFileMap(t *testing.T) {
	root := filepath.FromSlash("/work/repo")
	m := fileMap{root: root}
	for _, c := range []struct {
		uri uri.URI
		key string
	}{
		{uri.File(filepath.Join(root, "main.tf")), "main.tf"},
		{uri.File(filepath.Join(root, "infra", "prod", "db.tf")), "infra/prod/db.tf"},
		{uri.File(filepath.Join(root, "with space", "é.tf")), "with space/é.tf"},
		{"untitled:Untitled-1", "untitled:Untitled-1"},
		{uri.File(filepath.FromSlash("/elsewhere/x.tf")), string(uri.File(filepath.FromSlash("/elsewhere/x.tf")))},
		{uri.File(filepath.FromSlash("/work/repository/x.tf")), string(uri.File(filepath.FromSlash("/work/repository/x.tf")))},
	} {
		if got := m.key(c.uri); got != c.key {
			t.Errorf("key(%s) = %q, want %q", c.uri, got, c.key)
		}
		if got := m.uri(c.key); got != c.uri {
			t.Errorf("uri(%q) = %s, want %s", c.key, got, c.uri)
		}
	}
	// Without a root, every document is its own URI.
	none := fileMap{}
	u := uri.File(filepath.Join(root, "main.tf"))
	if got := none.key(u); got != string(u) || none.uri(got) != u {
		t.Errorf("without a root: key = %q, uri = %s", got, none.uri(got))
	}
}
