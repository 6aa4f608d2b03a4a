package main

import (
	"bytes"
	"io"

	"github.com/hashicorp/hcl/v2"
)

// opsJSON is the -json document of the commands that talk to running
// systems (nbac lb, nbac queue): the diagnostics in the shape build and
// validate use, and the command's result (docs/cli.md).
type opsJSON struct {
	FormatVersion string           `json:"format_version"`
	Command       string           `json:"command"`
	Success       bool             `json:"success"`
	ErrorCount    int              `json:"error_count"`
	WarningCount  int              `json:"warning_count"`
	Diagnostics   []jsonDiagnostic `json:"diagnostics"`
	Result        any              `json:"result"`
	// Output is what the text form prints on stdout, for the commands
	// whose result has no structure of its own yet (nbac lb).
	Output string `json:"output,omitempty"`
}

// opsReport collects an lb or queue command's diagnostics and prints them
// as build does: "Error: SUMMARY" blocks on stderr, or one JSON document on
// stdout with -json (the text output is then captured into it).
type opsReport struct {
	command        string
	json, noColor  bool
	stdout, stderr io.Writer
	captured       bytes.Buffer
	files          map[string]*hcl.File
	diags          hcl.Diagnostics
}

// out is where the command prints its text result.
func (o *opsReport) out() io.Writer {
	if o.json {
		return &o.captured
	}
	return o.stdout
}

// add records diagnostics (from compiling PATH) with their files.
func (o *opsReport) add(files map[string]*hcl.File, diags hcl.Diagnostics) {
	if o.files == nil {
		o.files = map[string]*hcl.File{}
	}
	for k, f := range files {
		o.files[k] = f
	}
	o.diags = append(o.diags, diags...)
}

// fail records err as an error diagnostic and finishes.
func (o *opsReport) fail(summary string, err error) int {
	o.diags = o.diags.Append(errorDiag(summary, err, ""))
	return o.finish(nil)
}

// finish prints the diagnostics (and, with -json, the document) and
// returns the exit code.
func (o *opsReport) finish(result any) int {
	errs, warns := countDiags(o.diags)
	if o.json {
		writeJSON(o.stdout, opsJSON{
			FormatVersion: jsonFormatVersion, Command: o.command, Success: errs == 0,
			ErrorCount: errs, WarningCount: warns, Diagnostics: diagnosticsJSON(o.files, o.diags),
			Result: result, Output: o.captured.String(),
		})
	} else {
		writeDiagnosticsText(o.stderr, o.files, o.diags, useColor(o.stderr, o.noColor))
	}
	if errs > 0 {
		return exitError
	}
	return exitOK
}
