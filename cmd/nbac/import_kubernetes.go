package main

import (
	"io"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/importer"
	"github.com/nbac/nbac/importer/kubernetes"
	"github.com/nbac/nbac/importer/kubernetes/roundtrip"
)

func init() {
	registerImportKind("kubernetes", importKind{
		summary: "Kubernetes YAML (files or directories, `helm template` output)",
		args:    "PATH...",
		run: func(paths []string, opts importer.Options) *importer.Result {
			return kubernetes.Import(paths, opts).Result
		},
		check: checkKubernetes,
	})
}

// checkKubernetes is `nbac import kubernetes -check`: the import, then
// the round trip of its HCL through nbac's build.
func checkKubernetes(paths []string, opts importer.Options) importCheck {
	e := kubernetes.Import(paths, opts)
	c := importCheck{res: e.Result}
	if e.Result.Diags.HasErrors() {
		return c
	}
	rep, files, diags := roundtrip.Check(e)
	c.buildFiles, c.buildDiags = files, diags
	if rep == nil {
		return c
	}
	c.report = rep
	c.text = func(w io.Writer) { rep.WriteText(w) }
	c.unaccounted = rep.Counts.Reported + rep.Counts.Unexpected
	return c
}

// importCheck is what a kind's -check produced.
type importCheck struct {
	res        *importer.Result // the import and its report
	buildFiles map[string]*hcl.File
	buildDiags hcl.Diagnostics // building the imported HCL
	report     any             // the comparison, for -json; nil when it did not run
	text       func(io.Writer)
	// unaccounted counts differences that are not nbac's documented
	// defaults: reported at import, or unexpected.
	unaccounted int
}
