package lsp

import (
	"context"
	"encoding/json"
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
	s.maps.hold(key)
	if err := ws.StageOpen(key, string(doc.LanguageID), doc.Version, []byte(doc.Text)); err != nil {
		return fmt.Errorf("didOpen %s: %w", key, err)
	}
	return nil
}

// didChange applies the changes to the document's text and tree at once; the model is
// updated by the server's updater, once for every change that arrived meanwhile (see
// server.update).
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
	// The line index of the new text will be made from the old one's (a keystroke's change
	// is one edit), for the next change and the diagnostics of the model of this text,
	// whichever comes first.
	if len(edits) == 1 {
		s.maps.expect(key, s.maps.get(key, text, enc), edits[0])
	}
	if err := ws.Stage(key, p.TextDocument.Version, edits); err != nil {
		return fmt.Errorf("didChange %s: %w", key, err)
	}
	return nil
}

// changesHaveText checks, before a didChange is decoded, that each of its content changes has
// a text: the protocol's types would decode one without as an edit that deletes its range.
func changesHaveText(raw []byte) error {
	var p struct {
		ContentChanges []map[string]json.RawMessage `json:"contentChanges"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil // the decoder reports what is wrong
	}
	for i, c := range p.ContentChanges {
		if _, ok := c["text"]; !ok {
			return fmt.Errorf("contentChanges[%d] has no text", i)
		}
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
	ws.StageClose(key)
	s.maps.forget(key) // the editor's texts of it, and its line indexes
	return nil
}

// didSave changes nothing: the engine already has the text the editor saved, and a save of a
// file the editor does not hold open is reported by the file watcher.
func (s *server) didSave(_ context.Context, p *protocol.DidSaveTextDocumentParams) error {
	s.log.Debug("didSave", zap.String("uri", string(p.TextDocument.URI)))
	return nil
}

// rejectedChange tells the user that a change was refused: the editor and the server now
// disagree on the document's text until it is reopened.
func (s *server) rejectedChange(err error) {
	s.log.Error("refusing a malformed didChange", zap.Error(err))
	msg := "threatls refused a change it could not read (" + err.Error() + "); close and reopen the file to resynchronise it"
	if err := s.client.ShowMessage(s.ctx, &protocol.ShowMessageParams{Type: protocol.MessageTypeError, Message: msg}); err != nil {
		s.log.Debug("showing a message", zap.Error(err))
	}
}
