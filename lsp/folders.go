package lsp

import (
	"context"
	"path/filepath"
	"slices"
	"strings"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/threatls/threatls/engine"
)

// folder is one workspace folder of the client: a root with its own engine workspace — its
// own model, findings and diagnostics. A document belongs to the folder whose root is its
// nearest ancestor; a document under no folder (untitled:, a file elsewhere) to the first.
type folder struct {
	name  string
	files fileMap
	ws    *engine.Workspace
	diags *publisher
	kick  chan struct{} // wakes the folder's updater (see server.update)
}

// wake asks the folder's updater for an update of the model; wakes while one runs make one
// more.
func (f *folder) wake() {
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

// folderList returns the folders, in the order the client gave them; nil before initialize.
func (s *server) folderList() []*folder {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.folders
}

// folderOf returns the folder holding the document u (nil before initialize) and the
// session's position encoding.
func (s *server) folderOf(u uri.URI) (*folder, encoding) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return routeFolder(s.folders, u), s.enc
}

// routeFolder picks the folder whose root is the nearest ancestor of u, else the first.
func routeFolder(folders []*folder, u uri.URI) *folder {
	if len(folders) == 0 {
		return nil
	}
	best := folders[0]
	if !u.IsFile() {
		return best
	}
	p := filepath.Clean(u.FsPath())
	longest := -1
	for _, f := range folders {
		root := f.files.root
		if root == "" {
			continue
		}
		if p == root || strings.HasPrefix(p, root+string(filepath.Separator)) {
			if len(root) > longest {
				best, longest = f, len(root)
			}
		}
	}
	return best
}

// openFolders creates a folder per workspace folder of the client, the first at root (the
// root initialize chose); a client without folders gets one folder at root ("" for none).
func (s *server) openFolders(p *protocol.InitializeParams, root string, cfg engine.Config) []*folder {
	out := []*folder{s.newFolder(filepath.Base(root), root, cfg)}
	if folders, ok := p.WorkspaceFolders.Get(); ok {
		for _, wf := range folders {
			if r := rootOf(wf.URI); r != "" && r != root && !hasRoot(out, r) {
				out = append(out, s.newFolder(wf.Name, r, cfg))
			}
		}
	}
	return out
}

func (s *server) newFolder(name, root string, cfg engine.Config) *folder {
	f := &folder{name: name, files: fileMap{root: root}, ws: s.eng.Workspace(root, cfg), kick: make(chan struct{}, 1)}
	f.diags = newPublisher(s, f)
	f.ws.SetNotify(f.wake)
	s.goBackground(func() { s.update(s.ctx, f) })
	return f
}

func hasRoot(fs []*folder, root string) bool {
	for _, f := range fs {
		if f.files.root == root {
			return true
		}
	}
	return false
}

// didChangeWorkspaceFolders adds a folder (and scans it) or removes one (and clears its
// diagnostics). The first folder stays: it holds the documents that belong to no folder.
func (s *server) didChangeWorkspaceFolders(_ context.Context, p *protocol.DidChangeWorkspaceFoldersParams) error {
	s.mu.Lock()
	if len(s.folders) == 0 {
		s.mu.Unlock()
		return errNotInitialized
	}
	cfg := s.cfg
	var removed []*folder
	kept := s.folders[:1:1]
	for _, f := range s.folders[1:] {
		gone := false
		for _, wf := range p.Event.Removed {
			gone = gone || rootOf(wf.URI) == f.files.root
		}
		if gone {
			removed = append(removed, f)
		} else {
			kept = append(kept, f)
		}
	}
	var added []*folder
	for _, wf := range p.Event.Added {
		if r := rootOf(wf.URI); r != "" && !hasRoot(kept, r) {
			f := s.newFolder(wf.Name, r, cfg)
			kept = append(kept, f)
			added = append(added, f)
		}
	}
	s.folders = kept
	s.mu.Unlock()
	for _, f := range removed {
		f.diags.clear()
	}
	if len(added) > 0 {
		s.goBackground(func() { s.scan(s.ctx, "Scanning the added folder", added, nil) })
	}
	return nil
}

// clear empties the diagnostics of every file the publisher sent some to (a folder removed
// from the workspace).
func (p *publisher) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	keys := make([]string, 0, len(p.last))
	for key := range p.last {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	for _, key := range keys {
		if p.last[key].shown > 0 {
			p.send(p.f.files.uri(key), publication(p.f.files.uri(key), nil, []protocol.Diagnostic{}))
		}
		delete(p.last, key)
	}
}
