package main

import (
	"context"
	"io"
	"os"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit/build"
	"github.com/nbac/nbac/lang/lsp"
	"github.com/nbac/nbac/schema"
)

func init() {
	register(command{name: "lsp", summary: "Run the language server for editors (LSP on stdio)", run: runLSP})
}

func runLSP(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("lsp", "[-stdio]",
		"Runs nbac's language server, speaking the Language Server Protocol on standard\ninput and output, for editors (docs/editors.md): diagnostics as you type (those of\n`nbac validate`, on the unsaved buffers), completion, hover, go-to-definition,\nfind-references, document symbols and formatting. It exits when the editor says so\nor closes the stream.",
		"nbac lsp", stderr)
	// Editors' generic clients often pass --stdio; it is the only transport.
	fs.Bool("stdio", true, "talk LSP on standard input and output (the default and only transport)")
	positional, code, stop := parseFlags(fs, args)
	if stop {
		return code
	}
	if len(positional) > 0 {
		return usageError(fs, "lsp takes no arguments")
	}
	if err := lsp.Serve(context.Background(), stdio{os.Stdin, stdout}, lspOptions()); err != nil {
		return exitError
	}
	return exitOK
}

// lspOptions load configurations as compile does for validate: the process
// environment, then the emitters' checks, so the editor shows exactly what
// `nbac validate PATH` shows.
func lspOptions() lsp.Options {
	return lsp.Options{
		Environ: os.Environ(),
		Version: currentVersion().Version,
		Check: func(m *schema.Model) hcl.Diagnostics {
			_, diags := build.Artifacts(m)
			return diags
		},
	}
}

// stdio joins standard input and the command's output into the stream the
// server talks on.
type stdio struct {
	in  io.ReadCloser
	out io.Writer
}

func (s stdio) Read(p []byte) (int, error)  { return s.in.Read(p) }
func (s stdio) Write(p []byte) (int, error) { return s.out.Write(p) }
func (s stdio) Close() error                { return s.in.Close() }
