package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit/build"
	"github.com/nbac/nbac/emit/graph"
	"github.com/nbac/nbac/emit/plan"
	"github.com/nbac/nbac/schema"
)

func init() {
	register(command{name: "graph", summary: "Draw the estate as a graph (DOT, SVG or an HTML page)", run: runGraph})
}

// graphFormats are -format's values; svg and html need Graphviz.
var graphFormats = []string{"dot", "svg", "html"}

func runGraph(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("graph", "PATH [options]",
		"Draws the configuration at PATH as a graph: ingress hosts and load balancers in\nfront, their backends and services, the caches and queues services use, and the\nredis and brokers behind them, each labelled with its important settings. DOT is\nwritten without Graphviz; svg and html lay it out with Graphviz's dot. The html\npage is self-contained: pan, zoom, find, and click a block for its file:line and\nattributes. -plan colours what a build into the output directory would add,\nchange and remove. A configuration with errors draws nothing.",
		"nbac graph examples/nba -format html -o nba.html\nnbac graph infra -target 'service.checkout*' -plan | dot -Tpng > plan.png",
		stderr)
	var in inputFlags
	var format, outFile, cluster, dir string
	var targets stringList
	var withPlan, noColor bool
	in.register(fs)
	fs.StringVar(&format, "format", "dot", "output `format`: dot, svg or html")
	fs.StringVar(&outFile, "o", "", "write to `file` instead of stdout")
	fs.Var(&targets, "target", "draw only blocks matching `pattern` (kind.name or name, * and ? wildcards) and what they reach or are reached from (repeatable)")
	fs.StringVar(&cluster, "cluster", string(graph.ByKind), "group nodes by `kind`, namespace or none")
	fs.BoolVar(&withPlan, "plan", false, "colour what a build would add, change and remove in the output directory")
	fs.StringVar(&dir, "out-dir", "", "output `directory` -plan compares with (default: out beside PATH)")
	fs.BoolVar(&noColor, "no-color", false, "never colour the diagnostics")
	positional, code, stop := parseFlags(fs, args)
	if stop {
		return code
	}
	path, ok := onePath(fs, positional)
	if !ok {
		return exitError
	}
	if !slices.Contains(graphFormats, format) {
		return usageError(fs, "-format must be dot, svg or html, not %q", format)
	}
	if !slices.Contains(graph.Clusters, graph.Cluster(cluster)) {
		return usageError(fs, "-cluster must be kind, namespace or none, not %q", cluster)
	}
	if dir == "" {
		dir = defaultOutDir(path)
	}
	// Warnings are the emitters' (build and validate show them in full): one line each.
	rep := reporter{format: formatText, noColor: noColor, compactWarnings: true, stdout: stdout, stderr: stderr}

	c := compile(path, in)
	var data []byte
	if !c.diags.HasErrors() {
		var err error
		data, err = drawGraph(c, format, graph.Cluster(cluster), targets, withPlan, dir)
		if err != nil {
			c.diags = c.diags.Append(graphDiag(err))
		}
	}
	if !c.diags.HasErrors() && outFile != "" {
		if err := build.WriteFileAtomic(outFile, data, 0o644); err != nil {
			c.diags = c.diags.Append(errorDiag("Cannot write the graph", err, "Fix the file system problem, or choose another file with -o"))
		}
	}
	rep.diagnostics(c.files, c.diags)
	if c.diags.HasErrors() {
		return exitError
	}
	if outFile == "" {
		stdout.Write(data)
	}
	return exitOK
}

// drawGraph builds, filters, marks and writes the graph of a compiled
// configuration in format.
func drawGraph(c compiled, format string, cluster graph.Cluster, targets []string, withPlan bool, dir string) ([]byte, error) {
	g := graph.Build(c.model)
	if withPlan {
		if err := markPlan(g, c, dir); err != nil {
			return nil, err
		}
	}
	g, err := graph.Select(g, targets)
	if err != nil {
		return nil, err
	}
	var dot bytes.Buffer
	if err := graph.WriteDOT(&dot, g, cluster); err != nil {
		return nil, err
	}
	if format == "dot" {
		return dot.Bytes(), nil
	}
	svg, err := graph.Render(context.Background(), dot.Bytes())
	if err != nil || format == "svg" {
		return svg, err
	}
	var page bytes.Buffer
	err = graph.WriteHTML(&page, g, svg)
	return page.Bytes(), err
}

// markPlan colours g with emit/plan's comparison of dir with the build,
// and with the model.json a previous build left there.
func markPlan(g *graph.Graph, c compiled, dir string) error {
	p, err := plan.Compute(dir, c.arts)
	if err != nil {
		return fmt.Errorf("cannot read the output directory: %w", err)
	}
	files := map[string]graph.Status{}
	for _, fc := range p.Changes {
		files[fc.Origin] = graph.Status(fc.Action)
	}
	var prev *graph.Graph
	f, err := os.Open(filepath.Join(dir, build.ModelPath))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("cannot read the previous model: %w", err)
	default:
		defer f.Close()
		m, err := schema.Decode(f)
		if err != nil {
			return fmt.Errorf("cannot read the previous model in %s: %w", dir, err)
		}
		prev = graph.Build(m)
	}
	graph.Mark(g, prev, files)
	return nil
}

// graphDiag turns a drawing error into a diagnostic with a hint.
func graphDiag(err error) *hcl.Diagnostic {
	switch {
	case errors.Is(err, graph.ErrNoGraphviz):
		return errorDiag("Graphviz is not installed", err, "")
	case strings.Contains(err.Error(), "-target"):
		return errorDiag("Nothing to draw", err, "")
	}
	return errorDiag("Cannot draw the graph", err, "")
}
