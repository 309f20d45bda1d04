package analyzers

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/threatls/threatls/model"
)

// IgnoreMarker starts a suppression comment: threatls:ignore <ID>[,<ID>…] [until=YYYY-MM-DD] <reason>.
const IgnoreMarker = "threatls:ignore"

// ignoreRE matches the text of a suppression comment after its comment marker.
var ignoreRE = regexp.MustCompile(`^threatls:ignore(?:\s+(\S+))?(?:\s+until=(\S*))?\s*(.*)$`)

// ParseIgnore reads the text of one comment (its marker — #, //, /* */, %%, <!-- --> —
// included) written at sp, covering target (see Target). A comment that only mentions the
// marker yields nothing; a malformed one yields a problem.
func ParseIgnore(text string, sp, target model.Span) ([]model.Ignore, []model.Problem) {
	text = strings.TrimSpace(text)
	for _, m := range []string{"#", "//", "%%", "<!--"} {
		if t, ok := strings.CutPrefix(text, m); ok {
			text = t
			break
		}
	}
	if t, ok := strings.CutPrefix(text, "/*"); ok {
		text = strings.TrimSuffix(t, "*/")
	}
	text = strings.TrimSuffix(strings.TrimSpace(text), "-->")
	m := ignoreRE.FindStringSubmatch(strings.TrimSpace(text))
	if m == nil {
		return nil, nil // the marker is mentioned, not used
	}
	if m[1] == "" {
		return nil, []model.Problem{{Span: sp,
			Message: "threatls:ignore needs a threat ID: threatls:ignore <ID> [until=YYYY-MM-DD] <reason>"}}
	}
	var problems []model.Problem
	until := m[2]
	if until != "" {
		if _, err := time.Parse(time.DateOnly, until); err != nil {
			problems = append(problems, model.Problem{Span: sp,
				Message: fmt.Sprintf("threatls:ignore: until=%s is not a date (YYYY-MM-DD); the ignore does not expire", until)})
			until = ""
		}
	}
	var out []model.Ignore
	for _, id := range strings.Split(m[1], ",") {
		if id != "" {
			out = append(out, model.Ignore{ThreatID: id, Reason: strings.TrimSpace(m[3]), Until: until, Span: sp, Target: target})
		}
	}
	return out, problems
}

// Target returns the definition a comment at sp covers: the definition that ends on the
// comment's line before it (a trailing comment), else the innermost definition opened on the
// comment's line that holds it, else the next definition after it, else the comment itself.
// defs must be sorted by start offset.
func Target(sp model.Span, defs []model.Span) model.Span {
	best := -1
	for i, d := range defs {
		if d.End.Line == sp.Start.Line && d.End.Offset <= sp.Start.Offset &&
			(best < 0 || d.End.Offset > defs[best].End.Offset) {
			best = i // the outermost of the definitions that end last before the comment
		}
	}
	if best >= 0 {
		return defs[best]
	}
	for i, d := range defs {
		if d.Start.Line == sp.Start.Line && d.Contains(sp) {
			best = i
		}
	}
	if best >= 0 {
		return defs[best]
	}
	j := sort.Search(len(defs), func(i int) bool { return defs[i].Start.Offset >= sp.End.Offset })
	if j < len(defs) {
		return defs[j]
	}
	return sp
}

// LineIgnores finds the suppression comments of a line-oriented format: a comment marker
// (one of markers, e.g. "#" for YAML and Dockerfiles, "%%" and "<!--" for Markdown) at the
// start of a line or after a space, followed by threatls:ignore. defs are the spans of the
// file's definitions, sorted by offset. A comment alone on its line covers what Target
// chooses; a trailing one the innermost definition that holds it.
func LineIgnores(src []byte, file string, markers []string, defs []model.Span) ([]model.Ignore, []model.Problem) {
	var out []model.Ignore
	var problems []model.Problem
	line := 0
	for start, end := range model.Lines(src) {
		text := src[start:end]
		if i := bytes.Index(text, []byte(IgnoreMarker)); i >= 0 {
			for _, mk := range markers {
				j := bytes.LastIndex(text[:i], []byte(mk))
				if j < 0 || (j > 0 && text[j-1] != ' ' && text[j-1] != '\t') ||
					len(bytes.TrimSpace(text[j+len(mk):i])) > 0 {
					continue
				}
				cEnd := len(bytes.TrimRight(text, " \t\r"))
				sp := model.Span{File: file,
					Start: model.At(start+j, line, j),
					End:   model.At(start+cEnd, line, cEnd)}
				target := Target(sp, defs)
				if len(bytes.TrimSpace(text[:j])) > 0 {
					// A trailing comment covers the innermost definition that holds it.
					for _, d := range defs {
						if d.Contains(sp) {
							target = d
						}
					}
				}
				igs, ps := ParseIgnore(string(text[j:cEnd]), sp, target)
				out, problems = append(out, igs...), append(problems, ps...)
				break
			}
		}
		line++
	}
	return out, problems
}
