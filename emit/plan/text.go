package plan

import (
	"fmt"
	"io"
	"strings"
)

// ANSI colours for terminals; WriteText uses them only when asked.
const (
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	red    = "\x1b[31m"
	bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

var symbols = map[Action]string{Add: "+", Change: "~", Remove: "-"}
var colours = map[Action]string{Add: green, Change: yellow, Remove: red}

// WriteText prints the plan for people: one line per file with its action
// and origin, the differing objects and fields of Kubernetes manifests
// indented under it, unified diffs for other files, and the summary line.
func (p *Plan) WriteText(w io.Writer, color bool) error {
	pw := &printer{w: w, color: color}
	for _, c := range p.Changes {
		header := c.Path
		if o := origin(c); o != "" {
			header += "  " + o
		}
		pw.line(c.Action, "", header)
		for _, o := range c.Objects {
			lines := objectLines(o)
			pw.line(o.Action, "    ", lines[0])
			for _, l := range lines[1:] {
				pw.plain("        " + l)
			}
		}
		for _, l := range strings.SplitAfter(c.Diff, "\n") {
			if l == "" {
				continue
			}
			l = strings.TrimSuffix(l, "\n")
			switch {
			case strings.HasPrefix(l, "+") && !strings.HasPrefix(l, "+++"):
				pw.coloured(green, "    "+l)
			case strings.HasPrefix(l, "-") && !strings.HasPrefix(l, "---"):
				pw.coloured(red, "    "+l)
			default:
				pw.plain("    " + l)
			}
		}
	}
	for _, n := range p.Notes {
		pw.plain("note: " + n)
	}
	if len(p.Changes) > 0 || len(p.Notes) > 0 {
		pw.plain("")
	}
	pw.coloured(bold, p.SummaryLine())
	return pw.err
}

// objectLines prints one object: its name, then its field changes, with
// the references that only follow a rename folded into one note.
func objectLines(o ObjectChange) []string {
	name := o.Kind + " " + o.Namespace + "/" + o.Name
	if o.Namespace == "" {
		name = o.Kind + " " + o.Name
	}
	if o.PreviousName != "" {
		name += " (was " + o.PreviousName + ")"
	}
	if o.Note != "" {
		name += "  (" + o.Note + ")"
	}
	lines := []string{name}
	follows := 0
	for _, f := range o.Fields {
		if f.FollowsRename {
			follows++
			continue
		}
		lines = append(lines, FieldText(f))
	}
	if follows > 0 {
		lines = append(lines, fmt.Sprintf("(%d reference(s) follow the renamed object above; pods roll)", follows))
	}
	return lines
}

// SummaryLine is `Plan: 1 to add, 2 to change, 0 to remove.` or
// `No changes.`; CI scripts may grep for either.
func (p *Plan) SummaryLine() string {
	if p.Empty() {
		return "No changes."
	}
	a, c, r := p.Summary()
	return fmt.Sprintf("Plan: %d to add, %d to change, %d to remove.", a, c, r)
}

// FieldText prints one field change: `path: before -> after`, with
// `(none)` for an absent side and `(sensitive)` instead of secret values.
func FieldText(f FieldChange) string {
	drift := ""
	if f.Manager != "" {
		drift = "  (drift: set by " + f.Manager + ")"
	}
	if f.Sensitive {
		return f.Path + ": (sensitive value changed)" + drift
	}
	side := func(has bool, v any) string {
		if !has {
			return "(none)"
		}
		return FormatValue(v)
	}
	return f.Path + ": " + side(f.HasBefore, f.Before) + " -> " + side(f.HasAfter, f.After) + drift
}

// origin prints where a file comes from: `(from service "api" at
// infra.hcl:12)`.
func origin(c FileChange) string {
	if c.Origin == "" {
		return ""
	}
	s := "(from " + c.Origin
	if c.Range != nil && c.Range.Filename != "" {
		s += fmt.Sprintf(" at %s:%d", c.Range.Filename, c.Range.Start.Line)
	}
	return s + ")"
}

type printer struct {
	w     io.Writer
	color bool
	err   error
}

func (p *printer) line(a Action, indent, text string) {
	p.coloured(colours[a], indent+symbols[a]+" "+text)
}

func (p *printer) coloured(c, text string) {
	if p.color {
		text = c + text + reset
	}
	p.plain(text)
}

func (p *printer) plain(text string) {
	if p.err == nil {
		_, p.err = io.WriteString(p.w, strings.TrimRight(text, " ")+"\n")
	}
}
