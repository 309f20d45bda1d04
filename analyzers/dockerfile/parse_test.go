package dockerfile

import (
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	src := "# escape=`\n\nFROM alpine `\n  # dropped\n\n  AS base\nRUN <<EOF\nUSER root\nEOF\nCOPY <<-A <<B /x\n\tone\n\tA\ntwo\nB\nRUN cat <<<word\n  # a comment\nRUN [\"a\", \"b c\"]\nLABEL x=\"a b\" y=c\\ d\n"
	p, problems := parseFile([]byte(src), "Dockerfile")
	if len(problems) != 0 || p.escape != '`' {
		t.Fatalf("problems %v escape %q", problems, p.escape)
	}
	type got struct {
		cmd, args  string
		heredocs   []string
		line, last int
	}
	var gots []got
	for _, in := range p.instructions {
		gots = append(gots, got{in.cmd, in.args, in.heredocs, int(in.span.Start.Line), int(in.span.End.Line)})
	}
	want := []got{
		{"FROM", "alpine   AS base", nil, 2, 5},
		{"RUN", "<<EOF", []string{"EOF"}, 6, 8},
		{"COPY", "<<-A <<B /x", []string{"A", "B"}, 9, 13},
		{"RUN", "cat <<<word", nil, 14, 14},
		{"RUN", `["a", "b c"]`, nil, 16, 16},
		{"LABEL", `x="a b" y=c\ d`, nil, 17, 17},
	}
	if !reflect.DeepEqual(gots, want) {
		t.Errorf("instructions:\n%+v\nwant\n%+v", gots, want)
	}
	if !reflect.DeepEqual(p.instructions[4].exec, []string{"a", "b c"}) {
		t.Errorf("exec form = %q", p.instructions[4].exec)
	}
	if w := words(p.instructions[5].args, '\\'); !reflect.DeepEqual(w, []string{"x=a b", "y=c d"}) {
		t.Errorf("words = %q", w)
	}
}

// A UTF-8 byte order mark before the first instruction is not part of it, as BuildKit reads
// it (a Windows editor writes one): the FROM is an instruction, and positions are the text's.
func TestByteOrderMark(t *testing.T) {
	for _, src := range []string{"\ufeffFROM alpine\nUSER root\n", "\ufeff# escape=`\nFROM alpine\n"} {
		p, problems := parseFile([]byte(src), "Dockerfile")
		if len(problems) != 0 || len(p.instructions) == 0 || p.instructions[0].cmd != "FROM" {
			t.Fatalf("%q: problems %v, instructions %+v", src, problems, p.instructions)
		}
		if sp := p.instructions[0].span; src[sp.Start.Offset:sp.Start.Offset+4] != "FROM" {
			t.Errorf("%q: FROM at %+v", src, sp.Start)
		}
	}
	if p, _ := parseFile([]byte("\ufeff# escape=`\nFROM alpine\n"), "Dockerfile"); p.escape != '`' {
		t.Error("a directive after the mark is still a directive")
	}
}
