package report

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// TextOptions tune the text output.
type TextOptions struct {
	// ShowSuppressed lists accepted risks too, each with its reason.
	ShowSuppressed bool
	// Color wraps severities in ANSI colour codes.
	Color bool
	// Compact writes one line per finding: no evidence, related or fix lines.
	Compact bool
}

// maxEvidence and maxRelated are how many evidence and related lines (the other places a
// finding involves: an attack path's hops, a flow's ends, a bucket's companion resources) the
// text output shows per finding.
const (
	maxEvidence = 2
	maxRelated  = 6
)

// Text writes one entry per unsuppressed finding (the STRIDE list is left out when empty, as
// for meta findings), then the skipped files and a summary line:
//
//	infra/main.tf:3:9: AWS-S3-001 critical [InformationDisclosure,Tampering] S3 bucket …
//	    evidence: public_acl = true (read at infra/main.tf:3:9)
//	    related: infra/main.tf:12:1: public access configured by aws_s3_bucket_acl.logs
//	    fix: Make the bucket ACL private
//	    ai (gpt-4o-mini): The bucket's ACL lets anyone read … (with scan --ai)
//	    ai fix: verified, infra/main.tf line 3
//	infra/broken.tf: skipped: not valid HCL
//	1 finding (1 critical), 1 accepted risk, 2 files, 1 skipped
//
// Lines are one-based; columns are one-based and count characters (Unicode code points), as
// editors show them, when Result.Source gives the file's text, and bytes otherwise. Paths are
// joined to Result.Root so that they are clickable from where the scan ran. A tentative finding
// says so after its severity. lib supplies the fix line; it may be nil.
func Text(w io.Writer, r Result, lib *knowledge.Library, opts TextOptions) error {
	bw := bufio.NewWriter(w)
	fs := r.sorted()
	for _, f := range fs {
		if f.Suppressed != nil && !opts.ShowSuppressed {
			continue
		}
		writeTextFinding(bw, r, lib, opts, f)
	}
	for _, s := range r.skipped() {
		fmt.Fprintf(bw, "%s: skipped: %s\n", displayPath(r.Root, s.File), oneLine(s.Reason))
	}
	fmt.Fprintln(bw, summary(count(fs), r.Files, len(r.Skipped)))
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("text report: %w", err)
	}
	return nil
}

func writeTextFinding(w io.Writer, r Result, lib *knowledge.Library, opts TextOptions, f model.Finding) {
	sev := string(f.Severity)
	if opts.Color {
		sev = colorize(f.Severity, sev)
	}
	if f.Confidence == model.Tentative {
		sev += " (tentative)"
	}
	stride := ""
	if len(f.Stride) > 0 {
		stride = "[" + strings.Join(f.Stride, ",") + "] "
	}
	msg := f.Message
	if msg == "" {
		msg = f.Title
	}
	treated := ""
	if f.Mitigated != nil {
		treated = " (mitigated, declared)"
	}
	if f.Suppressed != nil {
		treated = " (accepted)"
	}
	fmt.Fprintf(w, "%s: %s %s %s%s%s\n", textPos(r, f.Span), f.ThreatID, sev, stride, oneLine(msg), treated)
	if opts.Compact {
		return
	}
	for i, e := range f.Evidence {
		if i == maxEvidence {
			fmt.Fprintf(w, "    evidence: … and %d more\n", len(f.Evidence)-maxEvidence)
			break
		}
		fmt.Fprintf(w, "    evidence: %s\n", textEvidence(r, e))
	}
	for i, rel := range f.Related {
		if i == maxRelated {
			fmt.Fprintf(w, "    related: … and %d more\n", len(f.Related)-maxRelated)
			break
		}
		fmt.Fprintf(w, "    related: %s: %s\n", textPos(r, rel.Span), oneLine(rel.Message))
	}
	if s := f.Suppressed; s != nil {
		fmt.Fprintf(w, "    accepted: %s%s\n", oneLine(s.Reason), treatmentText(s))
	}
	if s := f.Mitigated; s != nil {
		fmt.Fprintf(w, "    mitigated (declared, not observed): %s%s\n", oneLine(s.Reason), treatmentText(s))
	}
	if hint := lookup(lib, f).fixHint(); hint != "" {
		fmt.Fprintf(w, "    fix: %s\n", oneLine(hint))
	}
	writeTextEnrichment(w, r.enrichment(f))
}

// treatmentText renders who owns an acceptance or a declared mitigation of the risk register,
// its ticket, its expiry and where it is declared; "" for an inline comment without them.
func treatmentText(s *model.Ignore) string {
	var parts []string
	if s.Owner != "" {
		parts = append(parts, "owner "+s.Owner)
	}
	if s.Ticket != "" {
		parts = append(parts, s.Ticket)
	}
	if s.Until != "" {
		parts = append(parts, "until "+s.Until)
	}
	if s.Source != "" && !s.Span.IsZero() {
		parts = append(parts, "in "+s.Span.String())
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// textEvidence renders `attr = value (origin at file:line:col): note`.
func textEvidence(r Result, e model.Evidence) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s = %s", e.Attr, e.Value)
	if e.Origin != 0 || !e.Span.IsZero() {
		b.WriteString(" (")
		b.WriteString(e.Origin.String())
		if !e.Span.IsZero() {
			if e.Origin != 0 {
				b.WriteString(" ")
			}
			b.WriteString("at ")
			b.WriteString(textPos(r, e.Span))
		}
		b.WriteString(")")
	}
	if e.Note != "" {
		b.WriteString(": ")
		b.WriteString(oneLine(e.Note))
	}
	return b.String()
}

// textPos formats the start of s as path:line:col with a one-based character column.
func textPos(r Result, s model.Span) string {
	if s.IsZero() {
		return "(no location)"
	}
	col := column(r.source(s.File), s.Start, model.CharLen)
	return fmt.Sprintf("%s:%d:%d", displayPath(r.Root, s.File), s.Start.Line+1, col)
}

// displayPath joins a workspace-relative path to the root the user gave, so that the path is
// valid from where the scan ran. URIs (untitled: buffers) are shown as they are.
func displayPath(root, file string) string {
	if root == "" || root == "." || model.IsURI(file) {
		return clean(file)
	}
	return clean(filepath.Join(root, filepath.FromSlash(file)))
}

// summary renders `12 findings (2 critical, 5 high), 3 tentative, 1 accepted risk, 23 files,
// 1 skipped`; zero counts other than findings and files are left out.
func summary(c counts, files, skipped int) string {
	var b strings.Builder
	b.WriteString(plural(c.findings, "finding", "findings"))
	var parts []string
	for _, s := range severities {
		if n := c.bySeverity[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	if len(parts) > 0 {
		b.WriteString(" (" + strings.Join(parts, ", ") + ")")
	}
	if c.tentative > 0 {
		fmt.Fprintf(&b, ", %d tentative", c.tentative)
	}
	if c.accepted > 0 {
		b.WriteString(", " + plural(c.accepted, "accepted risk", "accepted risks"))
	}
	b.WriteString(", " + plural(files, "file", "files"))
	if skipped > 0 {
		fmt.Fprintf(&b, ", %d skipped", skipped)
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// oneLine keeps an entry on its line: newlines in messages become spaces, and control
// characters from the scanned files never reach the terminal (see clean).
func oneLine(s string) string {
	return clean(strings.Join(strings.Fields(s), " "))
}

// clean escapes what a terminal would act on rather than show — control characters (C0, DEL,
// C1, newlines included) and bytes that are not UTF-8 — as \xNN, so that a resource label, a
// service name or a file name from a scanned file can neither move the cursor, recolour, nor
// split a finding over two lines.
func clean(s string) string {
	ok := true
	for i, r := range s {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r == utf8.RuneError && !validAt(s, i) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1, r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
			for _, c := range []byte(s[i : i+n]) {
				fmt.Fprintf(&b, "\\x%02x", c)
			}
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// validAt reports whether the rune at i of s is a real U+FFFD, not an invalid byte.
func validAt(s string, i int) bool {
	r, n := utf8.DecodeRuneInString(s[i:])
	return r == utf8.RuneError && n == 3
}

// colorize wraps a severity in ANSI SGR codes.
func colorize(s model.Severity, text string) string {
	code := ""
	switch s {
	case model.Critical:
		code = "1;31" // bold red
	case model.High:
		code = "31" // red
	case model.Medium:
		code = "33" // yellow
	case model.Low:
		code = "36" // cyan
	default:
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}
