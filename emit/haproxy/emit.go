package haproxy

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit"
	"github.com/nbac/nbac/emit/lbconf"
	"github.com/nbac/nbac/schema"
	"github.com/nbac/nbac/schema/validate"
)

// Emit writes haproxy/<name>.cfg for every load balancer that targets
// HAProxy. Warnings name what HAProxy only approximates; a load balancer
// that fails its checks (schema/validate.LoadBalancer, re-run here so an
// unvalidated model cannot reach the printer) gets no file.
func Emit(m *schema.Model) ([]emit.Artifact, hcl.Diagnostics) {
	var arts []emit.Artifact
	var diags hcl.Diagnostics
	for _, lb := range lbconf.Select(m, lbconf.HAProxy) {
		if d := validate.LoadBalancer(m, lb); d.HasErrors() {
			diags = append(diags, d...)
			continue
		}
		cfg, d := build(m, lb)
		diags = append(diags, d...)
		data, err := cfg.render()
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "haproxy: " + lbconf.Origin(lb) + ": unsafe value refused by the printer",
				Detail:   err.Error() + ". This value passed validation, which is a bug in nbac; please report it.",
				Subject:  lbconf.BlockRange(lb),
			})
			continue
		}
		arts = append(arts, emit.Artifact{
			Path:   "haproxy/" + lb.Name + ".cfg",
			Data:   data,
			Origin: lbconf.Origin(lb),
			Range:  lbconf.BlockRange(lb),
		})
	}
	return arts, diags
}
