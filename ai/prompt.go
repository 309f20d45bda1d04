package ai

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	openai "github.com/sashabaranov/go-openai"

	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/model"
)

// Limits of what one request carries.
const (
	maxBlockLines = 80   // lines of the element's block around the finding
	maxBlockBytes = 8000 // bytes of the same
	maxCardBytes  = 2500 // bytes of the element's card
)

// systemPrompt tells the model what it is given and what to answer. Changing it means
// changing PromptVersion.
const systemPrompt = `You help a developer fix one security finding that threatls, a threat-modeling tool, reported in their repository. You are given the finding, what the threat library recommends, the element the finding is about, and the element's own source block. Secrets were replaced by placeholders such as __REDACTED_1__: keep every placeholder exactly as it is and never invent a value.

Answer with one JSON object and nothing else:
{"explanation": "why this matters for this element, at most 120 words of Markdown",
 "steps": ["at most 5 concrete steps naming this element's files, attributes and values"],
 "fixed_block": "the whole block rewritten so that the finding no longer applies, or an empty string"}

fixed_block replaces the block's lines exactly: keep the indentation, the comments and everything unrelated to the finding. Leave it empty when no change of this block alone fixes the finding, or when no block is given. Never suppress the finding (no threatls:ignore comments) and never weaken another control.`

// Block is the part of a file the model is shown and may rewrite: whole lines of the
// element's definition around the finding.
type Block struct {
	File       string `json:"file"`
	Start, End int    `json:"-"`    // byte offsets in the file's text, at line starts
	Line       int    `json:"line"` // one-based first line
	Lang       string `json:"lang"`
}

// Request is one enrichment's request, built before anything is sent: the chat-completions
// request exactly as it goes out (redacted), and what reading the answer back needs.
type Request struct {
	Chat    openai.ChatCompletionRequest
	Finding model.Finding
	// Block is the element's block the model may rewrite, or nil (an attack path, a finding
	// without a definition in its file).
	Block    *Block
	redactor *Redactor
	hash     string
}

// Body is the JSON body of the request, as go-openai sends it.
func (r *Request) Body() ([]byte, error) {
	b, err := json.Marshal(r.Chat)
	if err != nil {
		return nil, fmt.Errorf("encode the request: %w", err)
	}
	return b, nil
}

// Redactions is how many distinct secrets the request had replaced.
func (r *Request) Redactions() int { return r.redactor.Count() }

// BuildRequest makes the request that enriches finding f of snap: the finding with its
// evidence and attack path, the library's mitigations, the element's card and its block —
// all of it redacted.
func BuildRequest(eng *engine.Engine, snap *engine.Snapshot, f model.Finding, cfg Config) (*Request, error) {
	return buildRequest(eng, snap, f, cfg, true)
}

// buildRequest is BuildRequest; redact false is for the test that proves the redaction.
func buildRequest(eng *engine.Engine, snap *engine.Snapshot, f model.Finding, cfg Config, redact bool) (*Request, error) {
	lib := eng.Library()
	el := snap.Element(f.Element)
	var b strings.Builder
	b.WriteString("## Finding\n\n")
	fmt.Fprintf(&b, "ID: %s (%s)\n", f.ThreatID, f.Severity)
	if t := lib.Threat(f.ThreatID); t != nil {
		fmt.Fprintf(&b, "Title: %s\nSTRIDE: %s\nCWE: %s\n", t.Title, strings.Join(t.Stride, ", "), strings.Join(t.CWE, ", "))
	} else {
		fmt.Fprintf(&b, "Title: %s\n", f.Title)
	}
	fmt.Fprintf(&b, "Message: %s\n", f.Message)
	fmt.Fprintf(&b, "Element: %s\n", f.ElementName)
	if !f.Span.IsZero() {
		fmt.Fprintf(&b, "Location: %s\n", f.Span)
	}
	if f.Confidence == model.Tentative {
		b.WriteString("Confidence: tentative (it rests on a value that could not be resolved)\n")
	}
	if len(f.Evidence) > 0 {
		b.WriteString("Evidence:\n")
		for _, ev := range f.Evidence {
			fmt.Fprintf(&b, "- %s = %s (%s", ev.Attr, ev.Value, ev.Origin)
			if !ev.Span.IsZero() && ev.Origin != model.Defaulted {
				fmt.Fprintf(&b, " at %s", ev.Span)
			}
			b.WriteString(")")
			if ev.Note != "" {
				b.WriteString(": " + ev.Note)
			}
			b.WriteString("\n")
		}
	}
	if el != nil && el.Kind == model.Path {
		b.WriteString("Attack path hops:\n")
		for _, r := range el.Related {
			fmt.Fprintf(&b, "- %s (%s)\n", r.Message, r.Span)
		}
	}
	if t := lib.Threat(f.ThreatID); t != nil && len(t.Mitigations) > 0 {
		b.WriteString("\n## What the threat library recommends\n\n")
		for _, m := range t.Mitigations {
			b.WriteString("- " + m.Title + "\n")
		}
	}
	if el != nil {
		var fs []model.Finding
		for _, x := range snap.Findings() {
			if x.Element == el.ID {
				fs = append(fs, x)
			}
		}
		card := lib.Card(snap.Graph(), el, fs)
		if i := strings.Index(card, "**Facts and where they come from**"); i >= 0 {
			card = card[:i]
		}
		b.WriteString("\n## The element\n\n" + cut(strings.TrimSpace(card), maxCardBytes) + "\n")
	}
	blk, text := block(snap, el, f)
	if blk != nil {
		fmt.Fprintf(&b, "\n## The block (%s, lines %d-%d)\n\n%s",
			blk.File, blk.Line, blk.Line+strings.Count(strings.TrimSuffix(text, "\n"), "\n"), fence(blk.Lang, text))
	} else {
		b.WriteString("\n## The block\n\nNone: answer with an empty fixed_block.\n")
	}

	red := NewRedactor()
	user := b.String()
	if redact {
		user = red.Redact(user)
	}
	req := &Request{
		Finding:  f,
		Block:    blk,
		redactor: red,
		Chat: openai.ChatCompletionRequest{
			Model: cfg.Model,
			Messages: []openai.ChatCompletionMessage{
				{Role: openai.ChatMessageRoleSystem, Content: systemPrompt},
				{Role: openai.ChatMessageRoleUser, Content: user},
			},
			MaxTokens:   cfg.MaxTokens,
			Temperature: 0.2,
		},
	}
	body, err := req.Body()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	req.hash = hex.EncodeToString(sum[:])
	return req, nil
}

// block picks the element's definition in the finding's file that holds the finding, as whole
// lines, at most maxBlockLines around the finding. It returns nil for attack paths and
// findings with no element defined in their file.
func block(snap *engine.Snapshot, el *model.Element, f model.Finding) (*Block, string) {
	if el == nil || el.Kind == model.Path || f.Span.IsZero() {
		return nil, ""
	}
	file := snap.File(f.Span.File)
	if file == nil {
		return nil, ""
	}
	var def model.Span
	for _, sp := range append([]model.Span{el.Span}, el.Sources...) {
		if sp.File == f.Span.File && sp.Contains(f.Span) {
			def = sp
			break
		}
	}
	if def.IsZero() {
		return nil, ""
	}
	text := file.Text
	start := bytes.LastIndexByte(text[:def.Start.Offset], '\n') + 1
	end := int(def.End.Offset)
	if end > 0 && end <= len(text) && text[end-1] != '\n' {
		if nl := bytes.IndexByte(text[end:], '\n'); nl >= 0 {
			end += nl + 1
		} else {
			end = len(text)
		}
	}
	end = min(end, len(text))
	// Keep at most maxBlockLines (and maxBlockBytes) around the finding's line.
	lines := bytes.SplitAfter(text[start:end], []byte("\n"))
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	firstLine := bytes.Count(text[:start], []byte("\n"))
	at := int(f.Span.Start.Line) - firstLine
	lo, hi := 0, len(lines)
	if hi-lo > maxBlockLines {
		lo = max(0, at-maxBlockLines/2)
		hi = min(len(lines), lo+maxBlockLines)
	}
	for size(lines[lo:hi]) > maxBlockBytes && hi-lo > 1 {
		if at-lo > hi-1-at {
			lo++
		} else {
			hi--
		}
	}
	for _, l := range lines[:lo] {
		start += len(l)
	}
	end = start + size(lines[lo:hi])
	blk := &Block{File: f.Span.File, Start: start, End: end, Line: firstLine + lo + 1, Lang: lang(f.Span.File)}
	return blk, string(text[start:end])
}

func size(lines [][]byte) int {
	n := 0
	for _, l := range lines {
		n += len(l)
	}
	return n
}

// lang names a file's language for a fenced block.
func lang(file string) string {
	base := strings.ToLower(path.Base(file))
	switch {
	case strings.HasSuffix(base, ".tf"):
		return "hcl"
	case strings.HasSuffix(base, ".yaml"), strings.HasSuffix(base, ".yml"):
		return "yaml"
	case strings.HasSuffix(base, ".json"):
		return "json"
	case strings.HasSuffix(base, ".md"), strings.HasSuffix(base, ".markdown"):
		return "markdown"
	case strings.HasPrefix(base, "dockerfile"), strings.HasSuffix(base, ".dockerfile"), strings.HasPrefix(base, "containerfile"):
		return "dockerfile"
	}
	return ""
}

// fence renders text as a fenced block whose fence it does not contain.
func fence(lang, text string) string {
	f := "```"
	for strings.Contains(text, f) {
		f += "`"
	}
	return f + lang + "\n" + strings.TrimRight(text, "\n") + "\n" + f + "\n"
}

// cut shortens s to at most n bytes, at a line boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	if i := strings.LastIndexByte(s, '\n'); i > 0 {
		s = s[:i]
	}
	return s + "\n… (cut)"
}
