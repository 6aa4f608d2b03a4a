package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/agext/levenshtein"
)

// stringList is a repeatable flag (-var a=1 -var b=2), kept in order
// because later values win.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// newFlagSet returns a flag set that reports errors instead of exiting:
// flag.ExitOnError would exit 2, which is plan's "changes" code. Its usage
// text is Terraform's shape: synopsis, description, one line per option,
// then an example.
func newFlagSet(name, synopsis, description, example string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("nbac "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: nbac %s %s\n\n%s\n", name, synopsis, description)
		writeOptions(w, fs)
		if example != "" {
			fmt.Fprintf(w, "\nExample:\n  %s\n", strings.ReplaceAll(example, "\n", "\n  "))
		}
	}
	return fs
}

// writeOptions lists fs's flags one per line: "-name value  description".
func writeOptions(w io.Writer, fs *flag.FlagSet) {
	var rows [][2]string
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		left := "-" + f.Name
		if arg != "" {
			left += " " + arg
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		rows = append(rows, [2]string{left, usage})
	})
	if len(rows) == 0 {
		return
	}
	fmt.Fprint(w, "\nOptions:\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintf(tw, "  %s\t%s\n", r[0], r[1])
	}
	tw.Flush()
}

// parseFlags parses args allowing flags before and after positional
// arguments (`nbac build infra -o out` and `nbac build -o out infra`), as
// the documented synopses put PATH first. "--" ends the flags. It returns
// the positional arguments and, when parsing should stop the command, the
// exit code: 0 for -h, 1 for a usage error (with a "did you mean" for a
// mistyped flag).
func parseFlags(fs *flag.FlagSet, args []string) (positional []string, code int, stop bool) {
	out := fs.Output()
	for {
		// The flag package prints its own error and the usage; ours says
		// the same with a suggestion, so silence it while parsing.
		fs.SetOutput(io.Discard)
		err := fs.Parse(args)
		fs.SetOutput(out)
		if err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.Usage()
				return nil, exitOK, true
			}
			return nil, usageError(fs, "%s%s", err, suggestFlag(fs, err)), true
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, 0, false
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), 0, false
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// suggestFlag returns ". Did you mean -var-file?" when err is an unknown
// flag close to a defined one.
func suggestFlag(fs *flag.FlagSet, err error) string {
	const prefix = "flag provided but not defined: -"
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) {
		return ""
	}
	given := strings.TrimPrefix(strings.TrimPrefix(msg, prefix), "-")
	best, bestDist := "", 3
	fs.VisitAll(func(f *flag.Flag) {
		if d := levenshtein.Distance(given, f.Name, nil); d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	if best == "" {
		return ""
	}
	return fmt.Sprintf(". Did you mean -%s?", best)
}

// usageError prints a problem with the command line and the usage.
func usageError(fs *flag.FlagSet, format string, a ...any) int {
	fmt.Fprintf(fs.Output(), "nbac: "+format+"\n\n", a...)
	fs.Usage()
	return exitError
}

// inputFlags are the flags that say what to compile, shared by build,
// validate and plan.
type inputFlags struct {
	vars, varFiles, allowEnv stringList
}

func (f *inputFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.vars, "var", "set a variable, `name=value` (repeatable; later wins)")
	fs.Var(&f.varFiles, "var-file", "read variables from a .nbvars `file` (repeatable; later wins)")
	fs.Var(&f.allowEnv, "allow-env", "let env() read environment variable `NAME` (repeatable)")
}

// outputFlags choose how results and diagnostics are printed.
type outputFlags struct {
	json            bool
	format          string
	noColor         bool
	quiet           bool
	compactWarnings bool
}

func (f *outputFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.json, "json", false, "print a JSON document on stdout (same as -format json)")
	fs.StringVar(&f.format, "format", "", "diagnostics `format`: text (default), json or github (GitHub Actions annotations)")
	fs.BoolVar(&f.noColor, "no-color", false, "never colour the output")
	fs.BoolVar(&f.quiet, "quiet", false, "print only diagnostics and the summary line, not one line per file")
	fs.BoolVar(&f.compactWarnings, "compact-warnings", false, "print each warning as one summary line (errors stay in full)")
}

// reporter returns the diagnostics printer these flags ask for.
func (f *outputFlags) reporter(format string, stdout, stderr io.Writer) reporter {
	return reporter{format: format, noColor: f.noColor, compactWarnings: f.compactWarnings, stdout: stdout, stderr: stderr}
}

// resolve checks the combination and returns the effective format.
func (f *outputFlags) resolve(fs *flag.FlagSet) (string, bool) {
	switch {
	case f.json && f.format != "" && f.format != formatJSON:
		usageError(fs, "-json and -format %s contradict each other", f.format)
		return "", false
	case f.json:
		f.format = formatJSON
	case f.format == "":
		f.format = formatText
	}
	switch f.format {
	case formatText, formatJSON, formatGitHub:
		return f.format, true
	}
	usageError(fs, "-format must be text, json or github, not %q", f.format)
	return "", false
}

// onePath checks that exactly one PATH was given.
func onePath(fs *flag.FlagSet, positional []string) (string, bool) {
	switch len(positional) {
	case 1:
		return positional[0], true
	case 0:
		usageError(fs, "missing PATH (a .hcl file or a directory of them)")
	default:
		usageError(fs, "expected one PATH, got %d: %s", len(positional), strings.Join(positional, " "))
	}
	return "", false
}

// compileCommand is the shared front of build, validate and plan: the
// input and output flags and one PATH.
type compileCommand struct {
	in     inputFlags
	out    outputFlags
	path   string
	format string
}

// parse registers the shared flags on fs (beside the command's own),
// parses args and checks PATH and the output format. When ok is false the
// command returns code at once.
func (c *compileCommand) parse(fs *flag.FlagSet, args []string) (code int, ok bool) {
	c.in.register(fs)
	c.out.register(fs)
	positional, code, stop := parseFlags(fs, args)
	if stop {
		return code, false
	}
	if c.path, ok = onePath(fs, positional); !ok {
		return exitError, false
	}
	if c.format, ok = c.out.resolve(fs); !ok {
		return exitError, false
	}
	return exitOK, true
}
