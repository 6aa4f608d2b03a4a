package lbhcl

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/nbac/nbac/emit/build"
	"github.com/nbac/nbac/importer"
	"github.com/nbac/nbac/lang"
)

// Check compiles lb alone, as `nbac build` would (lang, validation, the
// emitters), and returns the compiler's errors; none means the block is
// safe to write. Warnings (a target's documented approximations) are not
// returned: they are what `nbac build` will say about the imported file.
func Check(lb *LB) hcl.Diagnostics {
	dir, err := os.MkdirTemp("", "nbac-import-check-")
	if err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot check the imported block", Detail: err.Error()}}
	}
	defer os.RemoveAll(dir)
	f := hclwrite.NewEmptyFile()
	f.Body().AppendNewBlock("project", []string{"check"})
	Write(f, lb)
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), importer.Bytes(f), 0o600); err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot check the imported block", Detail: err.Error()}}
	}
	res := lang.Load(dir, lang.Options{})
	diags := res.Diags
	if res.Model != nil && !diags.HasErrors() {
		_, more := build.Artifacts(res.Model)
		diags = append(diags, more...)
	}
	var errs hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d)
		}
	}
	return errs
}

// Finish writes every block that compiles into load_balancers.hcl (and the
// project block into project.hcl) and reports each that does not as not
// imported, at its source line, with the compiler's reasons. It is the
// net under the importers' own checks: nothing nbac would refuse in an
// HCL author's file is written, so a hostile string in a source config
// never reaches an output.
func Finish(r *importer.Result, lbs []*LB, project string) {
	var kept int
	for _, lb := range lbs {
		if errs := Check(lb); errs.HasErrors() {
			var why []string
			for _, d := range errs {
				why = append(why, strings.TrimSpace(d.Summary+": "+d.Detail))
			}
			r.NotImported(lb.File, lb.Line, fmt.Sprintf("load_balancer %q", lb.Name), importer.OutOfRange,
				"nbac's compiler refuses the block this would become, so none of it is written: "+strings.Join(why, "; "))
			continue
		}
		Write(r.File("load_balancers.hcl"), lb)
		kept++
	}
	if kept > 0 {
		AddProject(r, project)
	}
}

// Read reads an input file into r.Sources, or records that it cannot be
// read (kind names the format: "HAProxy").
func Read(r *importer.Result, path, kind string) ([]byte, bool) {
	src, err := os.ReadFile(path)
	if err != nil {
		r.Fail(path, 0, "Cannot read the "+kind+" configuration", err.Error())
		return nil, false
	}
	r.Sources[path] = src
	return src, true
}

// Done ends an import: unless r has errors, the blocks that compile are
// written with the project block (named by opts, else the first input),
// and the report is put in source order.
func Done(r *importer.Result, lbs []*LB, paths []string, opts importer.Options) *importer.Result {
	if r.Diags.HasErrors() {
		r.Locate()
		return r
	}
	project := ""
	if len(paths) > 0 {
		project = ProjectName(opts.Project, paths[0])
	}
	Finish(r, lbs, project)
	SortReport(r)
	r.Locate()
	return r
}

// SortReport orders r's diagnostics by file and line, so the report reads
// as the source does.
func SortReport(r *importer.Result) {
	sort.SliceStable(r.Diags, func(i, j int) bool {
		a, b := r.Diags[i].Subject, r.Diags[j].Subject
		if a == nil || b == nil {
			return a == nil && b != nil
		}
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		return a.Start.Line < b.Start.Line
	})
}
