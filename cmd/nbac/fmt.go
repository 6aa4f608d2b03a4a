package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/rogpeppe/go-internal/diff"

	"github.com/nbac/nbac/emit/build"
)

func init() {
	register(command{name: "fmt", summary: "Rewrite .hcl and .nbvars files in canonical format", run: runFmt})
}

// fmtSuffixes are the native-syntax files fmt formats. JSON variants
// (.hcl.json) are left alone: their layout is whatever wrote them.
var fmtSuffixes = []string{".hcl", ".nbvars"}

func runFmt(args []string, stdout, stderr io.Writer) int {
	flags := newFlagSet("fmt", "[options] [PATH]",
		"Rewrites .hcl and .nbvars files in canonical format (hclwrite's). PATH is a file or a\ndirectory (default: the current directory); .hcl.json files are never touched. Lists\nthe files it changed (or, with -check, would change). PATH - reads a file from\nstandard input and writes it formatted to standard output (for editors).",
		"nbac fmt -recursive -check -diff .\ncat main.hcl | nbac fmt -",
		stderr)
	var check, showDiff, recursive, noColor bool
	flags.BoolVar(&check, "check", false, "change nothing; exit 3 when a file is not formatted")
	flags.BoolVar(&showDiff, "diff", false, "print a unified diff of each change")
	flags.BoolVar(&recursive, "recursive", false, "also format files in subdirectories (except hidden ones and testdata)")
	flags.BoolVar(&noColor, "no-color", false, "never colour the output")
	positional, code, stop := parseFlags(flags, args)
	if stop {
		return code
	}
	path := "."
	switch len(positional) {
	case 0:
	case 1:
		path = positional[0]
	default:
		return usageError(flags, "expected at most one PATH, got %d", len(positional))
	}
	if path == "-" {
		return fmtStdin(os.Stdin, stdout, stderr, check, showDiff, noColor)
	}

	names, err := fmtTargets(path, recursive)
	if err != nil {
		fmt.Fprintf(stderr, "nbac fmt: %v\n", err)
		return exitError
	}
	files := map[string]*hcl.File{}
	var diags hcl.Diagnostics
	unformatted := 0
	for _, name := range names {
		src, err := os.ReadFile(name)
		if err != nil {
			diags = diags.Append(errorDiag("Cannot read file", err, ""))
			continue
		}
		// hclwrite formats whatever it is given, so check the syntax first:
		// formatting a broken file would only move the mistake around.
		f, d := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		files[name] = f
		if d.HasErrors() {
			diags = append(diags, d...)
			continue
		}
		out := hclwrite.Format(src)
		if bytes.Equal(out, src) {
			continue
		}
		unformatted++
		fmt.Fprintln(stdout, name)
		if showDiff {
			fmt.Fprint(stdout, colourDiff(string(diff.Diff("a/"+filepath.ToSlash(name), src, "b/"+filepath.ToSlash(name), out)), useColor(stdout, noColor)))
		}
		if !check {
			info, err := os.Stat(name)
			if err == nil {
				err = build.WriteFileAtomic(name, out, info.Mode().Perm())
			}
			if err != nil {
				diags = diags.Append(errorDiag("Cannot write file", err, ""))
			}
		}
	}
	writeDiagnosticsText(stderr, files, diags, useColor(stderr, noColor))
	switch {
	case diags.HasErrors():
		return exitError
	case check && unformatted > 0:
		return exitUnformatted
	}
	return exitOK
}

// fmtTargets lists the files to format under path, sorted. A file given by
// name must be one fmt formats; a directory yields its matching files, and
// with recursive those of subdirectories too (hidden ones and testdata skipped).
func fmtTargets(path string, recursive bool) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		if !isFmtFile(path) {
			return nil, fmt.Errorf("%s is not a .hcl or .nbvars file (.hcl.json files are not formatted)", path)
		}
		return []string{path}, nil
	}
	var names []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// Like the go tool, skip hidden directories and testdata
			// (deliberately broken fixtures live there) when walking;
			// naming such a directory as PATH still formats it.
			if p != path && (!recursive || strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && isFmtFile(p) && !strings.HasPrefix(d.Name(), ".") {
			names = append(names, p)
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	sort.Strings(names)
	return names, err
}

func isFmtFile(name string) bool {
	for _, s := range fmtSuffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

// colourDiff colours added and removed lines of a unified diff.
func colourDiff(d string, color bool) string {
	if !color {
		return d
	}
	var b strings.Builder
	for _, l := range strings.SplitAfter(d, "\n") {
		switch {
		case strings.HasPrefix(l, "+") && !strings.HasPrefix(l, "+++"):
			b.WriteString("\x1b[32m" + strings.TrimSuffix(l, "\n") + "\x1b[0m\n")
		case strings.HasPrefix(l, "-") && !strings.HasPrefix(l, "---"):
			b.WriteString("\x1b[31m" + strings.TrimSuffix(l, "\n") + "\x1b[0m\n")
		default:
			b.WriteString(l)
		}
	}
	return b.String()
}

// fmtStdin is `nbac fmt -`, for editors: the source on standard input, the
// formatted text on standard output (nothing with -check, which only sets
// the exit code; a unified diff with -diff). A syntax error prints its
// diagnostics and nothing on standard output, so an editor keeps its buffer.
func fmtStdin(stdin io.Reader, stdout, stderr io.Writer, check, showDiff, noColor bool) int {
	const name = "<stdin>"
	src, err := io.ReadAll(stdin)
	if err != nil {
		fmt.Fprintf(stderr, "nbac fmt: reading standard input: %v\n", err)
		return exitError
	}
	f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	if diags.HasErrors() {
		writeDiagnosticsText(stderr, map[string]*hcl.File{name: f}, diags, useColor(stderr, noColor))
		return exitError
	}
	out := hclwrite.Format(src)
	switch {
	case showDiff:
		if !bytes.Equal(out, src) {
			fmt.Fprint(stdout, colourDiff(string(diff.Diff("a/"+name, src, "b/"+name, out)), useColor(stdout, noColor)))
		}
	case !check:
		stdout.Write(out)
	}
	if check && !bytes.Equal(out, src) {
		return exitUnformatted
	}
	return exitOK
}
