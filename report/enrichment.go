package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/threatls/threatls/model"
)

// Enrichment is what AI added to a finding (`threatls scan --ai`): an explanation, a proposed
// fix with the verdict of threatls's verification, or why there is none. It never changes the
// finding it is attached to: with or without it, a finding's fields, the findings' count and
// the exit code are the same.
type Enrichment struct {
	Model  string `json:"model"`
	Text   string `json:"text,omitempty"` // Markdown
	Cached bool   `json:"cached"`
	// Fix is set when the model proposed an edit of the element's block.
	Fix *EnrichmentFix `json:"fix,omitempty"`
	// Error says in a few words why there is no enrichment (a timeout, a 401, the budget…).
	Error string `json:"error,omitempty"`
}

// EnrichmentFix is a proposed edit and its verification.
type EnrichmentFix struct {
	// Verified: applied to a copy of the workspace, the file still parses, the finding is
	// gone and no finding of equal or higher severity appeared.
	Verified bool   `json:"verified"`
	Reason   string `json:"reason,omitempty"` // why it is not verified
	File     string `json:"file"`
	Line     int    `json:"line"` // one-based first line of Diff
	Diff     string `json:"diff"` // unified diff hunk
}

// enrichment returns the enrichment of f, or nil.
func (r Result) enrichment(f model.Finding) *Enrichment {
	if r.Enrichment == nil {
		return nil
	}
	return r.Enrichment(f)
}

// writeTextEnrichment adds the AI lines under a finding of the text report.
func writeTextEnrichment(w io.Writer, e *Enrichment) {
	if e == nil {
		return
	}
	if e.Error != "" {
		fmt.Fprintf(w, "    ai: not available (%s)\n", oneLine(e.Error))
		return
	}
	src := e.Model
	if e.Cached {
		src += ", cached"
	}
	text := strings.TrimSpace(e.Text)
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text = text[:i] + " …"
	}
	fmt.Fprintf(w, "    ai (%s): %s\n", src, oneLine(text))
	if e.Fix != nil {
		if e.Fix.Verified {
			fmt.Fprintf(w, "    ai fix: verified, %s line %d\n", e.Fix.File, e.Fix.Line)
		} else {
			fmt.Fprintf(w, "    ai fix: unverified (%s)\n", oneLine(e.Fix.Reason))
		}
	}
}
