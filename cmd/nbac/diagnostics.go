package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"golang.org/x/term"

	"github.com/nbac/nbac/emit/plan"
)

// Diagnostic output formats (-format).
const (
	formatText   = "text"
	formatJSON   = "json"
	formatGitHub = "github"
)

// jsonFormatVersion versions the JSON documents of build and validate (the
// plan document has its own, plan.FormatVersion).
const jsonFormatVersion = "1"

// useColor reports whether w is a terminal that should get colour: never
// with -no-color or the NO_COLOR convention (https://no-color.org).
func useColor(w io.Writer, noColor bool) bool {
	if noColor || os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// textWidth wraps diagnostic details at the terminal's width, or at 78
// columns when writing to a file or a pipe (CI logs), as Terraform does.
func textWidth(w io.Writer) uint {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 20 {
			return uint(cols - 1)
		}
	}
	return 78
}

// writeDiagnosticsText renders diags the way Terraform does: severity,
// summary, file:line:col, a source snippet with the range underlined. The
// text is hcl.NewDiagnosticTextWriter's, from our own writer that indexes
// each file's lines once instead of rescanning it per diagnostic
// (diagtext.go).
func writeDiagnosticsText(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics, color bool) {
	if len(diags) == 0 {
		return
	}
	wr := newDiagTextWriter(w, files, textWidth(w), color)
	wr.WriteDiagnostics(consolidateWarnings(diags))
}

// consolidateWarnings keeps, for each warning summary, only the first
// occurrence and notes how many more there were, as Terraform does: a large
// estate can raise the same approximation warning for hundreds of load
// balancers, and a wall of identical snippets hides the one that matters.
// Errors are never folded; -json and -format github keep every diagnostic.
// Warnings are similar when their summaries match, or when their Extra
// carries the same SimilarKey (emitters name the block in the summary, so
// they supply a key without it).
func consolidateWarnings(diags hcl.Diagnostics) hcl.Diagnostics {
	count := map[string]int{}
	for _, d := range diags {
		if d.Severity == hcl.DiagWarning {
			count[similarKey(d)]++
		}
	}
	out := make(hcl.Diagnostics, 0, len(diags))
	seen := map[string]bool{}
	for _, d := range diags {
		if d.Severity != hcl.DiagWarning {
			out = append(out, d)
			continue
		}
		key := similarKey(d)
		if seen[key] {
			continue
		}
		seen[key] = true
		if n := count[key] - 1; n > 0 {
			folded := *d
			noun := "warnings"
			if n == 1 {
				noun = "warning"
			}
			folded.Detail = strings.TrimRight(d.Detail, "\n") + fmt.Sprintf("\n\n(and %d more similar %s elsewhere; -json lists them all)", n, noun)
			d = &folded
		}
		out = append(out, d)
	}
	return out
}

func similarKey(d *hcl.Diagnostic) string {
	if k, ok := d.Extra.(interface{ SimilarKey() string }); ok {
		return k.SimilarKey()
	}
	return d.Summary
}

// jsonDiagnostic is one diagnostic in the -json documents. docs/cli.md
// and plan.schema.json describe it.
type jsonDiagnostic struct {
	Severity string          `json:"severity"`
	Summary  string          `json:"summary"`
	Detail   string          `json:"detail"`
	Range    *plan.JSONRange `json:"range,omitempty"`
	Snippet  *jsonSnippet    `json:"snippet,omitempty"`
}

// jsonSnippet is the source around a diagnostic: Code holds the whole
// lines from the enclosing context (or the subject) on, StartLine is the
// first one's number, and the highlight offsets are byte offsets of the
// subject inside Code.
type jsonSnippet struct {
	Context              *string `json:"context"`
	Code                 string  `json:"code"`
	StartLine            int     `json:"start_line"`
	HighlightStartOffset int     `json:"highlight_start_offset"`
	HighlightEndOffset   int     `json:"highlight_end_offset"`
}

func diagnosticsJSON(files map[string]*hcl.File, diags hcl.Diagnostics) []jsonDiagnostic {
	out := make([]jsonDiagnostic, 0, len(diags))
	for _, d := range diags {
		jd := jsonDiagnostic{Severity: "error", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagWarning {
			jd.Severity = "warning"
		}
		if d.Subject != nil {
			jd.Range = plan.RangeJSON(d.Subject)
			jd.Snippet = snippet(files[d.Subject.Filename], d)
		}
		out = append(out, jd)
	}
	return out
}

// snippet cuts the source lines a diagnostic points at out of its file.
func snippet(f *hcl.File, d *hcl.Diagnostic) *jsonSnippet {
	if f == nil || d.Subject == nil {
		return nil
	}
	src := f.Bytes
	show := *d.Subject
	if d.Context != nil && d.Context.Filename == show.Filename {
		show = hcl.RangeOver(show, *d.Context)
	}
	if show.Start.Byte < 0 || show.End.Byte > len(src) || show.Start.Byte > show.End.Byte ||
		d.Subject.Start.Byte < show.Start.Byte || d.Subject.End.Byte > show.End.Byte {
		return nil // a range from another version of the file
	}
	start := bytes.LastIndexByte(src[:show.Start.Byte], '\n') + 1
	end := show.End.Byte
	if i := bytes.IndexByte(src[end:], '\n'); i >= 0 {
		end += i
	} else {
		end = len(src)
	}
	// A range that ends just after a newline covers nothing on its last line.
	if end < show.End.Byte {
		end = show.End.Byte
	}
	s := &jsonSnippet{
		Code:                 strings.TrimRight(string(src[start:end]), "\r\n"),
		StartLine:            show.Start.Line,
		HighlightStartOffset: d.Subject.Start.Byte - start,
		HighlightEndOffset:   d.Subject.End.Byte - start,
	}
	if s.HighlightEndOffset > len(s.Code) {
		s.HighlightEndOffset = len(s.Code)
	}
	if ctx := contextString(f, d.Subject.Start.Byte); ctx != "" {
		s.Context = &ctx
	}
	return s
}

// contextString names the block around offset (`service "api"`), as the
// text writer's "on file line N, in ..." does.
func contextString(f *hcl.File, offset int) string {
	if cs, ok := f.Nav.(interface{ ContextString(int) string }); ok {
		return cs.ContextString(offset)
	}
	return ""
}

// writeGitHub prints diagnostics as GitHub Actions workflow commands, so a
// pull request shows them on the lines they concern:
// ::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=SUMMARY::DETAIL
func writeGitHub(w io.Writer, diags hcl.Diagnostics) {
	for _, d := range diags {
		cmd := "error"
		if d.Severity == hcl.DiagWarning {
			cmd = "warning"
		}
		var props []string
		if r := d.Subject; r != nil {
			props = append(props,
				"file="+escapeProperty(r.Filename),
				"line="+strconv.Itoa(r.Start.Line),
				"col="+strconv.Itoa(r.Start.Column),
				"endLine="+strconv.Itoa(r.End.Line),
				"endColumn="+strconv.Itoa(r.End.Column))
		}
		props = append(props, "title="+escapeProperty(d.Summary))
		msg := d.Detail
		if msg == "" {
			msg = d.Summary
		}
		fmt.Fprintf(w, "::%s %s::%s\n", cmd, strings.Join(props, ","), escapeData(msg))
	}
}

// escapeData and escapeProperty follow the escaping of GitHub's
// @actions/core toolkit: a message may not hold a raw newline (it would end
// the command) or a raw %; a property may not hold , or : either.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// countDiags returns the number of errors and warnings.
func countDiags(diags hcl.Diagnostics) (errs, warns int) {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs++
		} else {
			warns++
		}
	}
	return
}

// reporter prints a command's diagnostics in the chosen format. In text
// and github formats it writes them at once (github: annotations on
// stdout, where the Actions runner reads workflow commands, and the text
// form on stderr for the log); in json format the command embeds them in
// its JSON document.
type reporter struct {
	format          string
	noColor         bool
	compactWarnings bool // text: one line per warning (-compact-warnings)
	stdout, stderr  io.Writer
}

func (r reporter) diagnostics(files map[string]*hcl.File, diags hcl.Diagnostics) {
	switch r.format {
	case formatText:
		if r.compactWarnings {
			writeCompact(r.stderr, files, diags, useColor(r.stderr, r.noColor))
			return
		}
		writeDiagnosticsText(r.stderr, files, diags, useColor(r.stderr, r.noColor))
	case formatGitHub:
		writeGitHub(r.stdout, diags)
		writeDiagnosticsText(r.stderr, files, diags, false)
	}
}

// errorDiag turns an I/O error into a diagnostic without a source range.
func errorDiag(summary string, err error, hint string) *hcl.Diagnostic {
	detail := err.Error()
	if hint != "" {
		detail += ". " + hint
	}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail}
}

// writeCompact is -compact-warnings, after Terraform's flag: errors in full,
// then every warning as one line, "Warning: SUMMARY (file:line:col)", with
// similar warnings folded into a count as in the full form.
func writeCompact(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics, color bool) {
	var errs, warns hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d)
		} else {
			warns = append(warns, d)
		}
	}
	writeDiagnosticsText(w, files, errs, color)
	count := map[string]int{}
	for _, d := range warns {
		count[similarKey(d)]++
	}
	seen := map[string]bool{}
	for _, d := range warns {
		key := similarKey(d)
		if seen[key] {
			continue
		}
		seen[key] = true
		line := "Warning: " + d.Summary
		if d.Subject != nil {
			line += fmt.Sprintf(" (%s:%d:%d)", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		}
		if n := count[key] - 1; n > 0 {
			line += fmt.Sprintf(" and %d more similar", n)
		}
		fmt.Fprintln(w, line)
	}
}
