package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/nbac/nbac/emit/build"
)

func init() {
	register(command{name: "build", summary: "Compile a configuration and write its artifacts", run: runBuild})
}

// buildJSON is `nbac build -json`'s document (docs/cli.md).
type buildJSON struct {
	FormatVersion string           `json:"format_version"`
	Success       bool             `json:"success"`
	ErrorCount    int              `json:"error_count"`
	WarningCount  int              `json:"warning_count"`
	Diagnostics   []jsonDiagnostic `json:"diagnostics"`
	OutputDir     string           `json:"output_dir"`
	Written       []string         `json:"written"`
	Unchanged     []string         `json:"unchanged"`
	Deleted       []string         `json:"deleted"`
}

func runBuild(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("build", "PATH [options]",
		"Compiles the configuration at PATH (a .hcl file or a directory of them) and writes\nmodel.json, kubernetes/<service>.yaml, haproxy/<lb>.cfg and nginx/<lb>.conf into\nthe output directory. Files a previous build wrote and this one does not produce\nare deleted; other files are never touched. A build with errors writes nothing.\nIt lists each file written or deleted (only the summary line with -quiet).",
		"nbac build infra -o out -var-file prod.nbvars -quiet",
		stderr)
	var cc compileCommand
	var dir string
	fs.StringVar(&dir, "o", "", "output `directory` (default: out beside PATH)")
	if code, ok := cc.parse(fs, args); !ok {
		return code
	}
	path, in, out, format := cc.path, cc.in, cc.out, cc.format
	if dir == "" {
		dir = defaultOutDir(path)
	}
	rep := out.reporter(format, stdout, stderr)

	c := compile(path, in)
	var written, deleted []string
	if !c.diags.HasErrors() {
		var err error
		written, deleted, err = build.Write(dir, c.arts)
		if err != nil {
			c.diags = c.diags.Append(errorDiag("Cannot write the output directory", err, "Fix the file system problem, or choose another directory with -o"))
		}
	}
	failed := c.diags.HasErrors()
	unchanged := unchangedPaths(c, written)

	if format == formatJSON {
		errs, warns := countDiags(c.diags)
		doc := buildJSON{
			FormatVersion: jsonFormatVersion, Success: !failed, ErrorCount: errs, WarningCount: warns,
			Diagnostics: diagnosticsJSON(c.files, c.diags), OutputDir: dir,
			Written: nonNil(written), Unchanged: nonNil(unchanged), Deleted: nonNil(deleted),
		}
		writeJSON(stdout, doc)
	} else {
		rep.diagnostics(c.files, c.diags)
		// One write for the listing, not one per file (1,400 at N=1,000).
		w := bufio.NewWriter(stdout)
		if !out.quiet {
			for _, p := range written {
				fmt.Fprintf(w, "wrote %s\n", filepath.Join(dir, filepath.FromSlash(p)))
			}
			for _, p := range deleted {
				fmt.Fprintf(w, "deleted %s\n", filepath.Join(dir, filepath.FromSlash(p)))
			}
		}
		if !failed {
			fmt.Fprintf(w, "Build complete: %d written, %d unchanged, %d deleted in %s.\n", len(written), len(unchanged), len(deleted), dir)
		}
		w.Flush()
	}
	if failed {
		return exitError
	}
	return exitOK
}

// unchangedPaths lists the artifacts that were already up to date.
func unchangedPaths(c compiled, written []string) []string {
	w := make(map[string]bool, len(written))
	for _, p := range written {
		w[p] = true
	}
	var out []string
	if c.diags.HasErrors() {
		return nil
	}
	for _, a := range c.arts {
		if !w[a.Path] {
			out = append(out, a.Path)
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// writeJSON prints v indented, with a final newline, and without HTML
// escaping (a detail with `<` stays readable).
func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		panic(err) // every document is made of plain values
	}
}
