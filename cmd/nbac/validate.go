package main

import (
	"fmt"
	"io"
)

func init() {
	register(command{name: "validate", summary: "Check a configuration without writing anything", run: runValidate})
}

// validateJSON is `nbac validate -json`'s document (docs/cli.md).
type validateJSON struct {
	FormatVersion string           `json:"format_version"`
	Valid         bool             `json:"valid"`
	ErrorCount    int              `json:"error_count"`
	WarningCount  int              `json:"warning_count"`
	Diagnostics   []jsonDiagnostic `json:"diagnostics"`
}

func runValidate(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("validate", "PATH [options]",
		"Parses and checks the configuration at PATH, and runs every emitter in memory, so\nit reports every error and warning a build would, without writing anything.\n-quiet is accepted for symmetry with build and plan (validate lists no files).",
		"nbac validate infra -var env=prod -compact-warnings",
		stderr)
	var cc compileCommand
	if code, ok := cc.parse(fs, args); !ok {
		return code
	}
	path, in, out, format := cc.path, cc.in, cc.out, cc.format
	c := compile(path, in)
	errs, warns := countDiags(c.diags)
	if format == formatJSON {
		writeJSON(stdout, validateJSON{
			FormatVersion: jsonFormatVersion, Valid: errs == 0, ErrorCount: errs, WarningCount: warns,
			Diagnostics: diagnosticsJSON(c.files, c.diags),
		})
	} else {
		out.reporter(format, stdout, stderr).diagnostics(c.files, c.diags)
		if errs == 0 {
			fmt.Fprintf(stdout, "The configuration is valid (%d warning(s)).\n", warns)
		}
	}
	if errs > 0 {
		return exitError
	}
	return exitOK
}
