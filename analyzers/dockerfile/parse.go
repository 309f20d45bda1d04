package dockerfile

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/threatls/threatls/model"
)

// instruction is one instruction of a Dockerfile, its continuation lines joined.
type instruction struct {
	// cmd is the instruction's keyword in upper case: FROM, RUN, USER…
	cmd string
	// args is the text after the keyword, continuation lines joined (the escape character
	// and line break removed) and comment lines inside them dropped.
	args string
	// exec holds the arguments of the JSON (exec) form, when args is one: ["a", "b"].
	exec []string
	// heredocs are the here-documents' markers (EOF of <<EOF), whose bodies are skipped.
	heredocs []string
	// span runs from the keyword to the end of the instruction's last line (here-document
	// bodies included).
	span model.Span
}

// parsed is a Dockerfile read by parseFile.
type parsed struct {
	instructions []*instruction
	// escape is the escape character (`\` unless a `# escape=` directive says otherwise).
	escape byte
}

var (
	directiveRE = regexp.MustCompile(`^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(\S*)\s*$`)
	heredocRE   = regexp.MustCompile(`<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)(["']?)`)
	keywordRE   = regexp.MustCompile(`^[A-Za-z]+$`)
)

// parseFile reads src into instructions: parser directives at the top (escape=), comments,
// blank lines, continuation lines and here-documents as BuildKit reads them. What cannot
// be read is a problem on its line; the rest is still read.
func parseFile(src []byte, file string) (*parsed, []model.Problem) {
	f := &parsed{escape: '\\'}
	var problems []model.Problem
	type line struct {
		start int
		text  string // without the line break (and a trailing \r)
	}
	var lines []line
	for off := 0; off <= len(src); {
		end := off
		for end < len(src) && src[end] != '\n' {
			end++
		}
		start, text := off, strings.TrimSuffix(string(src[off:end]), "\r")
		if off == 0 && strings.HasPrefix(text, "\ufeff") {
			// BuildKit drops a UTF-8 byte order mark (Windows editors write one); read as
			// text, it made the first FROM no instruction, and the file was not analysed.
			start, text = len("\ufeff"), text[len("\ufeff"):]
		}
		lines = append(lines, line{start, text})
		off = end + 1
	}
	pos := func(off int) model.Pos {
		// Lines are few and searched in order: a binary search keeps a long file linear.
		lo, hi := 0, len(lines)-1
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if lines[mid].start <= off {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		return model.At(off, lo, off-lines[lo].start)
	}
	span := func(start, end int) model.Span { return model.Span{File: file, Start: pos(start), End: pos(end)} }
	lineSpan := func(i int) model.Span {
		t := strings.TrimRight(lines[i].text, " \t")
		in := len(t) - len(strings.TrimLeft(t, " \t"))
		return span(lines[i].start+in, lines[i].start+len(t))
	}

	i := 0
	// Parser directives: comment lines of the form # key=value at the very top.
	for ; i < len(lines); i++ {
		m := directiveRE.FindStringSubmatch(strings.TrimSpace(lines[i].text))
		if m == nil {
			break
		}
		if strings.EqualFold(m[1], "escape") {
			switch m[2] {
			case `\`, "`":
				f.escape = m[2][0]
			default:
				problems = append(problems, model.Problem{Span: lineSpan(i),
					Message: fmt.Sprintf("escape=%s: the escape character must be \\ or `", m[2])})
			}
		}
	}
	esc := string(f.escape)
	for i < len(lines) {
		t := strings.TrimSpace(lines[i].text)
		if t == "" || t[0] == '#' {
			i++
			continue
		}
		first := i
		in := len(lines[i].text) - len(strings.TrimLeft(lines[i].text, " \t"))
		startOff := lines[i].start + in
		var b strings.Builder
		cur := lines[i].text[in:]
		last := i
		for {
			trimmed := strings.TrimRight(cur, " \t")
			if !strings.HasSuffix(trimmed, esc) {
				b.WriteString(cur)
				break
			}
			b.WriteString(strings.TrimSuffix(trimmed, esc))
			// The next line continues this one; comment lines and blank lines inside a
			// continuation are dropped.
			i++
			for i < len(lines) {
				if t := strings.TrimSpace(lines[i].text); t != "" && t[0] != '#' {
					break
				}
				i++
			}
			if i >= len(lines) {
				break
			}
			last = i
			cur = lines[i].text
		}
		i = last + 1
		text := strings.TrimSpace(b.String())
		var kw, args string
		if j := strings.IndexAny(text, " \t"); j >= 0 {
			kw, args = text[:j], strings.TrimSpace(text[j+1:])
		} else {
			kw, args = text, ""
		}
		ins := &instruction{cmd: strings.ToUpper(kw), args: args}
		if !keywordRE.MatchString(kw) {
			problems = append(problems, model.Problem{Span: lineSpan(first),
				Message: fmt.Sprintf("%q is not an instruction", kw)})
			continue
		}
		if strings.HasPrefix(args, "[") {
			var arr []string
			if err := json.Unmarshal([]byte(args), &arr); err == nil {
				ins.exec = arr
			}
		}
		if ins.cmd == "RUN" || ins.cmd == "COPY" || ins.cmd == "ADD" {
			// Here-documents: their bodies follow the instruction, up to the marker line.
			for _, ix := range heredocRE.FindAllStringSubmatchIndex(args, -1) {
				m := func(k int) string { return args[ix[2*k]:ix[2*k+1]] }
				if m(2) != m(4) || ix[0] > 0 && args[ix[0]-1] == '<' {
					continue // mismatched quotes, or a here-string (<<<)
				}
				marker, strip := m(3), m(1) == "-"
				ins.heredocs = append(ins.heredocs, marker)
				closed := false
				for ; i < len(lines); i++ {
					body := lines[i].text
					if strip {
						body = strings.TrimLeft(body, "\t")
					}
					if body == marker {
						last, closed = i, true
						i++
						break
					}
				}
				if !closed {
					problems = append(problems, model.Problem{Span: lineSpan(first),
						Message: fmt.Sprintf("the here-document <<%s is not closed: no line %s follows", marker, marker)})
					last = len(lines) - 1
				}
			}
		}
		end := lines[last].start + len(strings.TrimRight(lines[last].text, " \t"))
		ins.span = span(startOff, max(end, startOff))
		f.instructions = append(f.instructions, ins)
	}
	return f, problems
}

// words splits the shell form of arguments into words, honouring quotes and the escape
// character; quotes are removed.
func words(s string, escape byte) []string {
	var out []string
	var cur strings.Builder
	in, quote := false, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == escape && quote != '\'' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			in = true
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '"' || c == '\'':
			quote, in = c, true
		case c == ' ' || c == '\t':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}
