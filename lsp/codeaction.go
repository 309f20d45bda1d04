package lsp

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"

	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// maxTitle bounds the title of a quick fix, in characters.
const maxTitle = 90

// codeAction offers quick fixes for the diagnostics the client names in the request's
// context (those it shows at the cursor), or, when it names none, for the shown findings
// whose range meets the requested one: per finding, a fix per mitigation the engine can
// carry out (the first one preferred), then "Accept risk". Titles say what the edit does in
// the file's own terms ("Make the root filesystem read-only: set readOnlyRootFilesystem:
// true"), not the mitigation's words for every format.
func (s *server) codeAction(ctx context.Context, p *protocol.CodeActionParams) ([]protocol.CommandOrCodeAction, error) {
	out := []protocol.CommandOrCodeAction{}
	if len(p.Context.Only) > 0 && !slices.Contains(p.Context.Only, protocol.CodeActionKindQuickFix) {
		return out, nil
	}
	v, err := s.viewOf(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	if v.file == nil {
		return out, nil
	}
	start, end := v.span(p.Range)
	lib := s.eng.Library()
	// Which findings are asked about is told before any is made shown, a diagnostic or a
	// copy: a file of 17,700 findings made them all diagnostics for each light bulb (p99
	// 325 ms), then all shown. What costs nothing goes first: the codes the client names, the
	// offsets of the range; the line a diagnostic names needs the editor's text (rangeOK).
	named := map[string]bool{}
	for _, d := range p.Context.Diagnostics {
		named[codeString(d.Code)] = true
	}
	asked := func(f *model.Finding) bool {
		if f.Span.File != v.key {
			return false
		}
		if len(named) == 0 {
			return overlaps(int(f.Span.Start.Offset), int(f.Span.End.Offset), start, end)
		}
		if !named[f.ThreatID] {
			return false
		}
		r, ok := v.rangeOK(f.Span)
		return ok && namedIn(p.Context.Diagnostics, f.ThreatID, r.Start.Line)
	}
	pl := s.places(v.snap, v.files, v.enc)
	for _, f := range s.shownWhere(v.file.Findings, asked) {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		r, ok := v.rangeOK(f.Span)
		if !ok {
			continue // typed over since the model was made: its fixes would miss
		}
		diag := s.diagnostic(pl, f)
		diag.Range = r
		el := v.snap.Element(f.Element)
		for i, fix := range s.eng.Fixes(v.snap, f) {
			edit, ok := s.workspaceEdit(v, fix)
			if !ok {
				continue
			}
			a := &protocol.CodeAction{
				Title:       fixTitle(lib, f, el, fix),
				Kind:        ptr(protocol.CodeActionKindQuickFix),
				Diagnostics: []protocol.Diagnostic{diag},
				Edit:        edit,
			}
			if i == 0 && fix.Kind == model.Mitigate {
				a.IsPreferred = ptr(true)
			}
			out = append(out, a)
		}
		out = append(out, s.remediationActions(v.files, f, diag)...)
	}
	return out, nil
}

// namedIn reports whether the client's diagnostics include one of code starting on line.
// (Not the same range: Neovim 0.7 sends back its own diagnostics, with byte columns where the
// server sent UTF-16 ones.)
func namedIn(ds []protocol.Diagnostic, code string, line uint32) bool {
	for _, x := range ds {
		if x.Range.Start.Line == line && codeString(x.Code) == code {
			return true
		}
	}
	return false
}

// codeString is a diagnostic's code as text, whether the client sent a string or a number.
func codeString(c any) string {
	switch v := c.(type) {
	case protocol.String:
		return string(v)
	case *protocol.String:
		if v != nil {
			return string(*v)
		}
	case nil:
		return ""
	}
	return fmt.Sprint(c)
}

// fixTitle is the title of a quick fix: the mitigation without its asides about other
// formats, and what its operations do, in the syntax of the element's format.
func fixTitle(lib *knowledge.Library, f model.Finding, el *model.Element, fix model.Fix) string {
	switch fix.Kind {
	case model.AcceptRisk:
		return "Accept risk: add threatls:ignore " + f.ThreatID + " (then write the reason)"
	case model.Mitigate:
	default:
		return fix.Title
	}
	title := knowledge.ShortTitle(fix.Title)
	if el != nil {
		for _, m := range lib.FixOps(f.ThreatID, el) {
			if m.Title != fix.Title {
				continue
			}
			var ops []string
			for _, op := range m.Ops {
				if d := describeOp(op, model.Format(el.ID)); d != "" {
					ops = append(ops, d)
				}
			}
			if len(ops) > 0 {
				title += ": " + strings.Join(ops, ", ")
			}
			break
		}
	}
	if r := []rune(title); len(r) > maxTitle {
		title = string(r[:maxTitle-1]) + "…"
	}
	return title
}

// describeOp says what a fix operation writes, as the format writes it.
func describeOp(op model.FixOp, format string) string {
	key := op.Path
	if i := strings.LastIndex(key, "."); i >= 0 {
		key = key[i+1:]
	}
	key = strings.TrimSuffix(key, "[*]")
	assign := ": "
	if format == "terraform" {
		assign = " = "
	}
	switch op.Op {
	case "set":
		return "set " + key + assign + op.Value
	case "replace":
		return "replace " + op.Old + " with " + op.New + " in " + key
	case "append":
		line, _, _ := strings.Cut(strings.TrimSpace(op.Text), "\n")
		return "add " + strings.TrimSuffix(strings.TrimSpace(line), "{")
	}
	return ""
}

// workspaceEdit converts the byte edits of fix, made against the texts of v's snapshot, into
// LSP text edits of the documents as the editor has them now, per document. A fix whose edits
// meet text typed since the snapshot is dropped.
func (s *server) workspaceEdit(v *view, fix model.Fix) (*protocol.WorkspaceEdit, bool) {
	changes := map[uri.URI][]protocol.TextEdit{}
	for _, e := range fix.Edits {
		fv := v
		if e.File != v.key || v.file == nil {
			// Another file's view; the view's own is reused, not made again (its rebase
			// compares the snapshot's text with the editor's, 2 ms a fix in a 5 MB file).
			fv = v.of(e.File)
		}
		if fv.file == nil {
			s.log.Warn("a fix edits a file the workspace does not have", zap.String("fix", fix.Title), zap.String("file", e.File))
			return nil, false
		}
		r, ok := fv.rangeOKOf(e.Start, e.End)
		if !ok {
			return nil, false
		}
		u := v.files.uri(e.File)
		changes[u] = append(changes[u], protocol.TextEdit{Range: r, NewText: e.NewText})
	}
	return &protocol.WorkspaceEdit{Changes: changes}, len(changes) > 0
}
