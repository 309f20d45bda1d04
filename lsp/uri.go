package lsp

import (
	"path/filepath"
	"strings"

	"go.lsp.dev/uri"

	"github.com/threatls/threatls/model"
)

// fileMap maps between document URIs and the engine's file keys, both ways, in one place.
//
// A file: URI under the workspace root has for key its slash-separated path relative to the
// root; every other URI (untitled:, a file outside the root, any other scheme) is its own key,
// so that the engine can hold any document an editor opens. Keys that start with a URI scheme
// of two or more letters are URIs; everything else is a relative path.
type fileMap struct {
	root string // absolute directory, or "" when the client has no workspace
}

// key returns the file key of a document URI.
func (m fileMap) key(u uri.URI) string {
	if m.root != "" && u.IsFile() {
		p := filepath.Clean(u.FsPath())
		if rel, err := filepath.Rel(m.root, p); err == nil && rel != "." && !strings.HasPrefix(rel, "..") && !filepath.IsAbs(rel) {
			return filepath.ToSlash(rel)
		}
	}
	return string(u)
}

// uri returns the document URI of a file key.
func (m fileMap) uri(key string) uri.URI {
	if model.IsURI(key) || m.root == "" {
		return uri.URI(key)
	}
	return uri.File(filepath.Join(m.root, filepath.FromSlash(key)))
}

// rootOf returns the workspace root directory named by a file: URI, or "".
func rootOf(u uri.URI) string {
	if u == "" || !u.IsFile() {
		return ""
	}
	p := u.FsPath()
	if !filepath.IsAbs(p) {
		return ""
	}
	return filepath.Clean(p)
}
