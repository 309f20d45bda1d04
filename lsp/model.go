package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"go.lsp.dev/uri"

	"github.com/threatls/threatls/report"
)

// methodModel is threatls's own request for diagram views: the model of the folder holding
// a document (the first folder without one), as `threatls model --format json` writes it
// (docs/model-json.md), with "root" added: the folder's absolute directory, which the
// "file:line:col" locations of the export are relative to.
const methodModel = "threatls/model"

type modelParams struct {
	// URI is a document of the folder whose model is wanted; empty for the first folder.
	URI uri.URI `json:"uri"`
}

func (s *server) model(ctx context.Context, p *modelParams) (json.RawMessage, error) {
	v, err := s.viewOf(p.URI)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := report.ModelJSON(&buf, v.snap.Graph(), v.modelOptions()); err != nil {
		return nil, fmt.Errorf("threatls/model: %w", err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		return nil, fmt.Errorf("threatls/model: %w", err)
	}
	root, _ := json.Marshal(v.files.root)
	doc["root"] = root
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("threatls/model: %w", err)
	}
	return out, ctx.Err()
}
