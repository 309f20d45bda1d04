package dockerfile

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/model"
)

// Fix carries out op on el, the image a Dockerfile of src builds:
//
//	set      Path is an instruction the image has once (USER, HEALTHCHECK), Value its
//	         arguments: the instruction in effect for the last stage (its own, or that of the
//	         stage it builds on) is rewritten; without one, the instruction is inserted before
//	         the last stage's first CMD or ENTRYPOINT, or after its last instruction.
//	replace  Path is an attribute whose span is a RUN (apt_recommends): in each command of
//	         that RUN (between &&, ; and ||) that holds Old and not yet what New adds to it,
//	         the first Old becomes New.
//
// The fix is computed from src as it is, not from el's spans alone, so that a file edited
// since the scan is not corrupted: an instruction that is no longer where el says fails.
func (*Analyzer) Fix(src []byte, el *model.Element, op model.FixOp) ([]model.TextEdit, error) {
	fail := func(format string, args ...any) ([]model.TextEdit, error) {
		return nil, fmt.Errorf("dockerfile fix %s: %s %s: %s", el.Name, op.Op, op.Path, fmt.Sprintf(format, args...))
	}
	file := el.Span.File
	p, _ := parseFile(src, file)
	x := &extractor{file: file, src: src, esc: p.escape, globals: map[string]string{}}
	for _, ins := range p.instructions {
		x.instruction(ins)
	}
	if len(x.stages) == 0 {
		return fail("no FROM in the file (has it changed?)")
	}
	nl := "\n"
	if bytes.Contains(src, []byte("\r\n")) {
		nl = "\r\n"
	}
	switch op.Op {
	case "set":
		value := strings.TrimSpace(op.Value)
		if value == "" || strings.ContainsAny(value, "\r\n") {
			return fail("set needs a one-line value")
		}
		return x.set(strings.ToUpper(op.Path), value, p.instructions, nl)
	case "replace":
		a, ok := el.Attrs.Get(op.Path)
		if !ok || a.Span.IsZero() || a.Span.File != file {
			return fail("the attribute does not point at an instruction of %s", file)
		}
		edits := x.replace(p.instructions, int(a.Span.Start.Offset), op.Old, op.New)
		if len(edits) == 0 {
			return fail("no command of the instruction holds %q without %q", op.Old, strings.TrimPrefix(op.New, op.Old))
		}
		return edits, nil
	}
	return nil, fmt.Errorf("dockerfile fix %s: %s: %w", el.Name, op.Op, analyzers.ErrNoFix)
}

// set rewrites or inserts the instruction cmd of the last stage.
func (x *extractor) set(cmd, value string, all []*instruction, nl string) ([]model.TextEdit, error) {
	last := x.stages[len(x.stages)-1]
	var cur *instruction
	for s := last; s != nil && cur == nil; s = s.parent {
		switch cmd {
		case "USER":
			cur = s.user
		case "HEALTHCHECK":
			cur = s.health
		default:
			return nil, fmt.Errorf("dockerfile fix: set %s: only USER and HEALTHCHECK are set", cmd)
		}
	}
	text := cmd + " " + value
	if cur != nil {
		start := int(cur.span.Start.Offset)
		end := int(cur.span.End.Offset)
		return []model.TextEdit{{File: x.file, Start: start, End: end, NewText: text}}, nil
	}
	// Insert before the last stage's first CMD or ENTRYPOINT, else after its last instruction.
	inStage := false
	for _, ins := range all {
		if ins == last.from {
			inStage = true
			continue
		}
		if inStage && (ins.cmd == "CMD" || ins.cmd == "ENTRYPOINT") {
			at := int(ins.span.Start.Offset - ins.span.Start.Col)
			indent := string(x.src[at:ins.span.Start.Offset])
			return []model.TextEdit{{File: x.file, Start: at, End: at, NewText: indent + text + nl}}, nil
		}
	}
	end := int(last.last.span.End.Offset)
	return []model.TextEdit{{File: x.file, Start: end, End: end, NewText: nl + text}}, nil
}

// replace replaces old by nw in the commands of the instruction that starts at off.
func (x *extractor) replace(all []*instruction, off int, old, nw string) []model.TextEdit {
	var ins *instruction
	for _, i := range all {
		if int(i.span.Start.Offset) <= off && off < int(i.span.End.Offset) {
			ins = i
		}
	}
	if ins == nil || old == "" {
		return nil
	}
	added := strings.TrimSpace(strings.TrimPrefix(nw, old))
	text := string(x.src[ins.span.Start.Offset:ins.span.End.Offset])
	var edits []model.TextEdit
	start := 0
	for start < len(text) {
		end := len(text)
		if loc := commands.FindStringIndex(text[start:]); loc != nil {
			end = start + loc[0]
		}
		command := text[start:end]
		if i := strings.Index(command, old); i >= 0 && (added == "" || !strings.Contains(command, added)) {
			at := int(ins.span.Start.Offset) + start + i
			edits = append(edits, model.TextEdit{File: x.file, Start: at, End: at + len(old), NewText: nw})
		}
		if end == len(text) {
			break
		}
		loc := commands.FindStringIndex(text[end:])
		start = end + loc[1]
	}
	return edits
}
