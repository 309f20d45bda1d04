package kubernetes

import (
	"bytes"
	"strings"

	"github.com/threatls/threatls/analyzers/yamlnode"
)

// Helm templates are not rendered, but what they write literally is read. Before a file with
// {{ }} actions is decoded, neutralise rewrites each action so that the text is YAML again,
// byte for byte the same length (every span still points at the source):
//
//   - a line that holds only actions ({{- if … }}, {{- end }}, {{- include … | nindent 8 }})
//     becomes a comment: what it would have inserted is unknown;
//   - a value that holds an action (replicas: {{ .Values.n }}, image: "{{ .Values.repo }}:1")
//     becomes the quoted string "{{___…", which every reader takes for an unknown value.
//
// A document that still does not parse is reported and not read, as before.

// blank is where neutralise blanked a line that held only actions.
type blank struct{ start, end int }

// actions returns the [start, end) offsets of the {{ … }} actions of src that are not in a
// comment line; an action that is not closed runs to the end of src.
func actions(src []byte) [][2]int {
	var out [][2]int
	for i := 0; i < len(src); {
		j := bytes.Index(src[i:], []byte("{{"))
		if j < 0 {
			break
		}
		start := i + j
		ls := bytes.LastIndexByte(src[:start], '\n') + 1
		if inComment(src[ls:start]) {
			i = start + 2
			continue
		}
		end := len(src)
		if k := bytes.Index(src[start+2:], []byte("}}")); k >= 0 {
			end = start + 2 + k + 2
		}
		out = append(out, [2]int{start, end})
		i = end
	}
	return out
}

// inComment reports whether the end of a line's prefix is in a comment: a # at its start or
// after a space, outside quotes.
func inComment(prefix []byte) bool {
	quote := byte(0)
	for i, c := range prefix {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#' && (i == 0 || prefix[i-1] == ' ' || prefix[i-1] == '\t'):
			return true
		}
	}
	return false
}

// neutralise returns src with its template actions rewritten as described above, and the
// lines it blanked. It returns src itself when there is no action.
func neutralise(src []byte) ([]byte, []blank) {
	acts := actions(src)
	if len(acts) == 0 {
		return src, nil
	}
	out := append([]byte(nil), src...)
	var blanks []blank
	// Lines an action touches, each handled once.
	for a := 0; a < len(acts); {
		ls := bytes.LastIndexByte(out[:acts[a][0]], '\n') + 1
		// The actions of this line (and those that continue it on later lines).
		b := a
		le := lineEnd(out, acts[a][1])
		for b+1 < len(acts) && acts[b+1][0] < le {
			b++
			le = lineEnd(out, acts[b][1])
		}
		rest := make([]byte, 0, le-ls)
		prev := ls
		for k := a; k <= b; k++ {
			rest = append(rest, out[prev:min(acts[k][0], le)]...)
			prev = acts[k][1]
		}
		// A comment after the last action ends the line's content.
		ce := le
		if prev < le {
			tail := out[prev:le]
			if i := bytes.Index(tail, []byte(" #")); i >= 0 {
				ce = prev + i
			} else if len(tail) > 0 && tail[0] == '#' {
				ce = prev
			}
			rest = append(rest, out[prev:ce]...)
		}
		if len(bytes.TrimSpace(rest)) == 0 {
			comment(out, ls, le)
			blanks = append(blanks, blank{ls, le})
		} else {
			done := ls
			for k := a; k <= b; k++ {
				if acts[k][0] >= done {
					done = quoteValue(out, ls, ce, acts[k])
				}
			}
		}
		a = b + 1
	}
	return out, blanks
}

// lineEnd returns the offset of the line break at or after off, or len(b).
func lineEnd(b []byte, off int) int {
	if off > len(b) {
		off = len(b)
	}
	if i := bytes.IndexByte(b[off:], '\n'); i >= 0 {
		return off + i
	}
	return len(b)
}

// comment turns the lines of [start, end) into comment lines of the same length.
func comment(b []byte, start, end int) {
	first := true
	for i := start; i < end; i++ {
		switch c := b[i]; {
		case c == '\n':
			first = true
		case c == '\r':
		case c == ' ' || c == '\t':
			if !first {
				b[i] = ' '
			}
		case first:
			b[i] = '#'
			first = false
		default:
			b[i] = ' '
		}
	}
}

// quoteValue rewrites the value that holds the action act, on the line that starts at ls and
// whose content ends at le (before a comment): the text after the line's "key: " (or "- ") to
// le, or the action alone when it is not in a value. It returns the end of what it rewrote.
func quoteValue(b []byte, ls, le int, act [2]int) int {
	if act[0] >= le {
		return act[1]
	}
	start, end := act[0], act[1]
	if end > le {
		end = le
	}
	line := string(b[ls:le])
	pos := act[0] - ls
	if i := strings.LastIndex(line[:pos], ": "); i >= 0 && !strings.ContainsAny(line[i:pos], "{[") {
		start = ls + i + 2
		end = le
	} else if t := strings.TrimLeft(line[:pos], " \t"); t == "- " || t == "-" {
		start = ls + len(line[:pos]) - len(t) + 2
		end = le
	}
	for end > start && (b[end-1] == '\r' || b[end-1] == ' ') {
		end--
	}
	for start < end && b[start] == ' ' {
		start++
	}
	if end-start < 4 {
		return act[1]
	}
	b[start], b[start+1], b[start+2] = '"', '{', '{'
	for i := start + 3; i < end-1; i++ {
		if b[i] != '\n' && b[i] != '\r' {
			b[i] = '_'
		}
	}
	b[end-1] = '"'
	return end
}

// templated reports whether n is a value a template action writes (as neutralise leaves it).
func templated(n *yamlnode.Node) bool {
	s, ok := n.Str()
	return ok && strings.Contains(s, "{{")
}

// templateText names what a template writes for n: each action by the string it names or the
// value it reads, in braces ({{ include "web.fullname" . }}-api is {{web.fullname}}-api,
// {{ .Release.Namespace }} is {{Release.Namespace}}), so that it makes an ID without spaces.
func templateText(src []byte, n *yamlnode.Node) string {
	start, end := int(n.Span.Start.Offset), int(n.Span.End.Offset)
	if start < 0 || end > len(src) || start >= end {
		return ""
	}
	t := strings.Trim(strings.TrimSpace(string(src[start:end])), `"'`)
	var b strings.Builder
	for {
		i := strings.Index(t, "{{")
		if i < 0 {
			b.WriteString(t)
			break
		}
		b.WriteString(t[:i])
		j := strings.Index(t[i:], "}}")
		if j < 0 {
			j = len(t) - i
		}
		b.WriteString("{{" + actionName(t[i+2:i+j]) + "}}")
		t = t[min(len(t), i+j+2):]
	}
	return strings.Join(strings.Fields(b.String()), "")
}

// actionName is what an action's text names: its first quoted string, else its last
// .Values/.Release/.Chart path, else its words.
func actionName(a string) string {
	if i := strings.IndexAny(a, `"`+"`"); i >= 0 {
		if j := strings.IndexByte(a[i+1:], a[i]); j >= 0 {
			return a[i+1 : i+1+j]
		}
	}
	name := ""
	for _, f := range strings.Fields(strings.Trim(a, "-")) {
		if strings.HasPrefix(f, ".") && len(f) > 1 {
			name = strings.TrimPrefix(f, ".")
		}
	}
	if name == "" {
		name = strings.Join(strings.Fields(strings.Trim(a, "- ")), "_")
	}
	return name
}
