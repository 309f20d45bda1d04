package lsp

import (
	"context"
	"errors"
	"fmt"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/engine"
)

// Text synchronisation: the editor's documents, kept in the engine's workspace. These run on
// the notification worker, one at a time, in the order the client sent them.

// errNotInitialized is returned by handlers that run before the workspace exists.
var errNotInitialized = errors.New("the workspace does not exist yet")

func (s *server) didOpen(_ context.Context, p *protocol.DidOpenTextDocumentParams) error {
	doc := p.TextDocument
	f, _ := s.folderOf(doc.URI)
	if f == nil {
		return errNotInitialized
	}
	ws, files := f.ws, f.files
	key := files.key(doc.URI)
	f.diags.setOpen(key, true)
	_, err := ws.Open(key, string(doc.LanguageID), doc.Version, []byte(doc.Text))
	f.diags.publish(key)
	if err != nil {
		return fmt.Errorf("didOpen %s: %w", key, err)
	}
	return nil
}

func (s *server) didChange(_ context.Context, p *protocol.DidChangeTextDocumentParams) error {
	f, enc := s.folderOf(p.TextDocument.URI)
	if f == nil {
		return errNotInitialized
	}
	ws, files := f.ws, f.files
	key := files.key(p.TextDocument.URI)
	text, ok := ws.Text(key)
	if !ok {
		return fmt.Errorf("didChange %s: %w", key, engine.ErrNotOpen)
	}
	edits := s.edits(key, text, enc, p.ContentChanges)
	if s.changeQueued != nil && s.changeQueued(p.TextDocument.URI) {
		// The editor is typing faster than the model is rebuilt: the next change rebuilds
		// and publishes for both.
		if err := ws.Stage(key, p.TextDocument.Version, edits); err != nil {
			f.diags.publish(key)
			return fmt.Errorf("didChange %s: %w", key, err)
		}
		return nil
	}
	_, err := ws.Change(key, p.TextDocument.Version, edits)
	f.diags.publish(key)
	if err != nil {
		return fmt.Errorf("didChange %s: %w", key, err)
	}
	return nil
}

// edits converts the changes of a didChange into byte edits. Each change applies to the text
// the previous one produced, so each range is converted against that text.
func (s *server) edits(key string, text []byte, enc encoding, changes []protocol.TextDocumentContentChangeEvent) []parse.Edit {
	out := make([]parse.Edit, 0, len(changes))
	for i, ch := range changes {
		var e parse.Edit
		switch c := ch.(type) {
		case *protocol.TextDocumentContentChangePartial:
			var m *mapper
			if i == 0 {
				m = s.maps.get(key, text, enc)
			} else {
				m = newMapper(text, enc)
			}
			e.Start, e.End = m.span(c.Range)
			e.Text = c.Text
		case *protocol.TextDocumentContentChangeWholeDocument:
			e = parse.Edit{Start: 0, End: len(text), Text: c.Text}
		default:
			s.log.Warn("ignoring a content change of an unknown kind", zap.String("file", key))
			continue
		}
		out = append(out, e)
		if i < len(changes)-1 {
			next, err := e.Apply(text) // the next change's range is against this text
			if err != nil {
				break // the engine reports the bad edit
			}
			text = next
		}
	}
	return out
}

func (s *server) didClose(_ context.Context, p *protocol.DidCloseTextDocumentParams) error {
	f, _ := s.folderOf(p.TextDocument.URI)
	if f == nil {
		return errNotInitialized
	}
	ws, files := f.ws, f.files
	key := files.key(p.TextDocument.URI)
	f.diags.setOpen(key, false)
	_, err := ws.Close(key)
	f.diags.publish(key)
	if err != nil {
		return fmt.Errorf("didClose %s: %w", key, err)
	}
	return nil
}

// didSave changes nothing: the engine already has the text the editor saved, and a save of a
// file the editor does not hold open is reported by the file watcher.
func (s *server) didSave(_ context.Context, p *protocol.DidSaveTextDocumentParams) error {
	s.log.Debug("didSave", zap.String("uri", string(p.TextDocument.URI)))
	return nil
}
