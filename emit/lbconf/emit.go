package lbconf

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit"
	"github.com/nbac/nbac/schema"
	"github.com/nbac/nbac/schema/validate"
)

// Render turns one load balancer into a configuration's bytes: its
// warnings, and an error only when the printer refused a value.
type Render func(m *schema.Model, lb *schema.LoadBalancer) ([]byte, hcl.Diagnostics, error)

// EmitEach is the loop both emitters share: for every load balancer that
// targets target, re-run its checks (schema/validate.LoadBalancer, so an
// unvalidated model, e.g. one read from JSON, cannot reach a printer),
// render it, and name the file <target>/<name>.<ext>. A load balancer that
// fails its checks or whose value the printer refuses gets no file.
func EmitEach(m *schema.Model, target, ext string, render Render) ([]emit.Artifact, hcl.Diagnostics) {
	var arts []emit.Artifact
	var diags hcl.Diagnostics
	for _, lb := range Select(m, target) {
		if d := validate.LoadBalancer(m, lb); d.HasErrors() {
			diags = append(diags, d...)
			continue
		}
		data, d, err := render(m, lb)
		diags = append(diags, d...)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  target + ": " + Origin(lb) + ": unsafe value refused by the printer",
				Detail:   err.Error() + ". This value passed validation, which is a bug in nbac; please report it.",
				Subject:  BlockRange(lb),
			})
			continue
		}
		arts = append(arts, emit.Artifact{
			Path:   target + "/" + lb.Name + "." + ext,
			Data:   data,
			Origin: Origin(lb),
			Range:  BlockRange(lb),
		})
	}
	return arts, diags
}
