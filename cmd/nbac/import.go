package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/importer"
)

func init() {
	register(command{name: "import", summary: "Turn existing Kubernetes YAML, haproxy.cfg or nginx.conf into nbac HCL", run: runImport})
}

// importKind is one `nbac import KIND`: its reader lives in importer/KIND
// and registers here from its own file (import_KIND.go).
type importKind struct {
	summary string
	args    string // what the positional arguments are, for the usage text
	run     func(paths []string, opts importer.Options) *importer.Result
	// check, when set, is the kind's -check: import, build the HCL in
	// memory and compare with the originals. Nothing is written.
	check func(paths []string, opts importer.Options) importCheck
}

var importKinds = map[string]importKind{}

func registerImportKind(name string, k importKind) { importKinds[name] = k }

func importKindNames() []string {
	names := make([]string, 0, len(importKinds))
	for n := range importKinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func importUsage() string {
	var b strings.Builder
	b.WriteString("Usage: nbac import KIND PATH... [options]\n\n")
	b.WriteString("Reads an existing estate and writes nbac HCL for it, one file per kind of block,\n")
	b.WriteString("into the output directory. Everything it does not import is reported as a\n")
	b.WriteString("warning at its source line. Exit 0: all imported; 2: some things reported as\n")
	b.WriteString("not imported; 1: errors (nothing written).\n\nKinds:\n")
	for _, n := range importKindNames() {
		fmt.Fprintf(&b, "  %-11s %s\n", n, importKinds[n].summary)
	}
	b.WriteString("\nRun `nbac import KIND -h` for its options.\n")
	return b.String()
}

// importJSON is `nbac import -json`'s document (docs/import.md).
type importJSON struct {
	FormatVersion string           `json:"format_version"`
	Success       bool             `json:"success"`
	ErrorCount    int              `json:"error_count"`
	WarningCount  int              `json:"warning_count"`
	Diagnostics   []jsonDiagnostic `json:"diagnostics"`
	OutputDir     string           `json:"output_dir"`
	Written       []string         `json:"written"`
}

func runImport(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		fmt.Fprint(stderr, importUsage())
		if len(args) == 0 {
			return exitError
		}
		return exitOK
	}
	name := args[0]
	kind, ok := importKinds[name]
	if !ok {
		fmt.Fprintf(stderr, "nbac: unknown import kind %q.%s\n\n%s", name, suggestWord(name, importKindNames()), importUsage())
		return exitError
	}
	fs := newFlagSet("import "+name, kind.args+" [options]", kind.summary+".",
		"nbac import "+name+" "+kind.args+" -o infra", stderr)
	var out outputFlags
	out.register(fs)
	var dir string
	var force bool
	var opts importer.Options
	fs.StringVar(&dir, "o", ".", "output `directory` for the HCL files")
	fs.BoolVar(&force, "force", false, "overwrite HCL files that already exist in the output directory")
	fs.StringVar(&opts.Project, "project", "", "the project `name` (default: taken from the source)")
	var check bool
	if kind.check != nil {
		fs.BoolVar(&check, "check", false, "write nothing: build the imported HCL and compare nbac's objects with the originals")
	}
	positional, code, stop := parseFlags(fs, args[1:])
	if stop {
		return code
	}
	if len(positional) == 0 {
		return usageError(fs, "missing %s", kind.args)
	}
	format, ok := out.resolve(fs)
	if !ok {
		return exitError
	}

	if check {
		return runImportCheck(kind.check(positional, opts), format, &out, stdout, stderr)
	}
	res := kind.run(positional, opts)
	var written []string
	if !res.Diags.HasErrors() {
		var err error
		written, err = importer.Write(dir, res, force)
		if err != nil {
			res.Diags = res.Diags.Append(errorDiag("Cannot write the imported files", err, ""))
		}
	}
	res.Locate()
	files := make(map[string]*hcl.File, len(res.Sources))
	for n, b := range res.Sources {
		files[n] = &hcl.File{Bytes: b}
	}
	errs, warns := countDiags(res.Diags)
	if format == formatJSON {
		writeJSON(stdout, importJSON{
			FormatVersion: jsonFormatVersion, Success: errs == 0, ErrorCount: errs, WarningCount: warns,
			Diagnostics: diagnosticsJSON(files, res.Diags), OutputDir: dir, Written: nonNil(written),
		})
	} else {
		out.reporter(format, stdout, stderr).diagnostics(files, res.Diags)
		if errs == 0 {
			if !out.quiet {
				for _, p := range written {
					fmt.Fprintf(stdout, "wrote %s\n", p)
				}
			}
			fmt.Fprintf(stdout, "Import complete: %d files written, %d things not imported.\n", len(written), warns)
		}
	}
	switch {
	case errs > 0:
		return exitError
	case warns > 0:
		return exitChanges // 2: imported, with things reported as not imported
	}
	return exitOK
}

// importCheckJSON is `nbac import KIND -check -json`'s document.
type importCheckJSON struct {
	FormatVersion string           `json:"format_version"`
	Success       bool             `json:"success"`
	ErrorCount    int              `json:"error_count"`
	WarningCount  int              `json:"warning_count"`
	Diagnostics   []jsonDiagnostic `json:"diagnostics"`
	RoundTrip     any              `json:"round_trip"`
}

// runImportCheck prints an import's report, the build's diagnostics and
// the comparison. Exit 0: only nbac's documented differences; 2: things
// reported as not imported or unexpected differences; 1: errors.
func runImportCheck(c importCheck, format string, out *outputFlags, stdout, stderr io.Writer) int {
	c.res.Locate()
	files := make(map[string]*hcl.File, len(c.res.Sources)+len(c.buildFiles))
	for n, b := range c.res.Sources {
		files[n] = &hcl.File{Bytes: b}
	}
	for n, f := range c.buildFiles {
		files[n] = f
	}
	diags := append(append(hcl.Diagnostics{}, c.res.Diags...), c.buildDiags...)
	errs, warns := countDiags(diags)
	if format == formatJSON {
		writeJSON(stdout, importCheckJSON{
			FormatVersion: jsonFormatVersion, Success: errs == 0, ErrorCount: errs, WarningCount: warns,
			Diagnostics: diagnosticsJSON(files, diags), RoundTrip: c.report,
		})
	} else {
		out.reporter(format, stdout, stderr).diagnostics(files, diags)
		if c.text != nil {
			c.text(stdout)
		}
	}
	switch {
	case errs > 0 || c.report == nil:
		return exitError
	case warns > 0 || c.unaccounted > 0:
		return exitChanges
	}
	return exitOK
}
