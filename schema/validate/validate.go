package validate

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// Model runs every semantic check on m and returns what it found. Error
// diagnostics mean no artifact may be written.
func Model(m *schema.Model) hcl.Diagnostics {
	var diags hcl.Diagnostics
	diags = append(diags, project(m)...)
	diags = append(diags, services(m)...)
	diags = append(diags, replicasWithAutoscale(m)...)
	diags = append(diags, loadBalancers(m)...)
	diags = append(diags, gateways(m)...)
	diags = append(diags, runtimeBlocks(m)...)
	return diags
}

// errorAt builds an error diagnostic at attribute attr of a block.
func errorAt(src schema.Source, attr, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: src.Range(attr)}
}
