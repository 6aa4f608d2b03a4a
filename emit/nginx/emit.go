package nginx

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit"
	"github.com/nbac/nbac/emit/lbconf"
	"github.com/nbac/nbac/schema"
	"github.com/nbac/nbac/schema/validate"
)

// Emit writes nginx/<name>.conf for every load balancer that targets Nginx.
// Warnings name what Nginx open source only approximates; a load balancer
// that fails its checks (schema/validate.LoadBalancer, re-run here so an
// unvalidated model cannot reach the printer) gets no file.
func Emit(m *schema.Model) ([]emit.Artifact, hcl.Diagnostics) {
	var arts []emit.Artifact
	var diags hcl.Diagnostics
	for _, lb := range lbconf.Select(m, lbconf.Nginx) {
		if d := validate.LoadBalancer(m, lb); d.HasErrors() {
			diags = append(diags, d...)
			continue
		}
		c, d := build(m, lb)
		diags = append(diags, d...)
		data, err := c.render()
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "nginx: " + lbconf.Origin(lb) + ": unsafe value refused by the printer",
				Detail:   err.Error() + ". This value passed validation, which is a bug in nbac; please report it.",
				Subject:  lbconf.BlockRange(lb),
			})
			continue
		}
		arts = append(arts, emit.Artifact{
			Path:   "nginx/" + lb.Name + ".conf",
			Data:   data,
			Origin: lbconf.Origin(lb),
			Range:  lbconf.BlockRange(lb),
		})
	}
	return arts, diags
}
