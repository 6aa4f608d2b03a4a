package lbhcltest

import (
	"bytes"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/nbac/nbac/importer"
)

// FuzzImport is the body of both importers' fuzz targets: any input is
// imported without a panic, and every diagnostic (error or not-imported
// warning) is located inside the input.
func FuzzImport(t *testing.T, imp Import, name string, src []byte) {
	p := WriteTemp(t, name, string(src))
	r := imp([]string{p}, importer.Options{Project: "fuzz"})
	lines := bytes.Count(src, []byte("\n")) + 1
	for _, d := range r.Diags {
		if d.Subject == nil || d.Subject.Filename != p || d.Subject.Start.Line < 1 || d.Subject.Start.Line > lines {
			t.Fatalf("diagnostic not located inside the %d-line input: %s (at %v)", lines, d.Summary, d.Subject)
		}
	}
	if r.Diags.HasErrors() {
		return
	}
	// What is kept compiled in lbhcl.Finish; the files must be valid HCL.
	for _, n := range r.FileNames() {
		if _, diags := hclParse(importer.Bytes(r.Files[n]), n); diags.HasErrors() {
			t.Fatalf("%s is not valid HCL: %v", n, diags)
		}
	}
}

func hclParse(src []byte, name string) (*hcl.File, hcl.Diagnostics) {
	return hclsyntax.ParseConfig(src, name, hcl.InitialPos)
}
