package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/nbac/nbac/emit/plan"
)

func init() {
	register(command{name: "plan", summary: "Show what build would change in the output directory", run: runPlan})
}

func runPlan(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("plan", "PATH [options]",
		"Compiles the configuration at PATH and compares what build would write with the\noutput directory, without writing anything: one line per file added (+), changed (~)\nor removed (-) with the block it comes from, Kubernetes objects compared field by\nfield, other files as unified diffs, then a summary line (alone with -quiet).",
		"nbac plan infra -o out -detailed-exitcode -compact-warnings\n  nbac plan infra -live -context prod -detailed-exitcode",
		stderr)
	var cc compileCommand
	var dir string
	var detailed, live bool
	var lf liveFlags
	fs.StringVar(&dir, "o", "", "output `directory` to compare with (default: out beside PATH)")
	fs.BoolVar(&detailed, "detailed-exitcode", false, "exit 2 when there are changes (0 none, 1 error)")
	fs.BoolVar(&live, "live", false, "compare with the running cluster and HAProxy, not the output directory")
	lf.register(fs)
	if code, ok := cc.parse(fs, args); !ok {
		return code
	}
	path, in, out, format := cc.path, cc.in, cc.out, cc.format
	if live && dir != "" {
		return usageError(fs, "-live compares with the running systems, -o with an output directory: give one")
	}
	if !live && (lf.kubeconfig != "" || lf.context != "") {
		return usageError(fs, "-kubeconfig and -context need -live")
	}
	if dir == "" {
		dir = defaultOutDir(path)
	}
	rep := out.reporter(format, stdout, stderr)

	c := compile(path, in)
	p := &plan.Plan{}
	switch {
	case c.diags.HasErrors():
	case live:
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		var err error
		if p, _, err = planLive(ctx, c, lf); err != nil {
			p = &plan.Plan{Live: true}
			c.diags = c.diags.Append(errorDiag("Cannot compare with the running systems", err, ""))
		}
	default:
		var err error
		if p, err = plan.Compute(dir, c.arts); err != nil {
			p = &plan.Plan{}
			c.diags = c.diags.Append(errorDiag("Cannot read the output directory", err, ""))
		}
	}
	failed := c.diags.HasErrors()

	if format == formatJSON {
		doc := p.Document(diagnosticsJSON(c.files, c.diags))
		doc.Errored = failed
		writeJSON(stdout, doc)
	} else {
		rep.diagnostics(c.files, c.diags)
		switch {
		case failed:
		case out.quiet:
			fmt.Fprintln(stdout, p.SummaryLine())
		default:
			p.WriteText(stdout, useColor(stdout, out.noColor))
		}
	}
	switch {
	case failed:
		return exitError
	case detailed && !p.Empty():
		return exitChanges
	}
	return exitOK
}
