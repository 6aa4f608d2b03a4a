package haproxy

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit"
	"github.com/nbac/nbac/emit/lbconf"
	"github.com/nbac/nbac/schema"
)

// Emit writes haproxy/<name>.cfg for every load balancer that targets
// HAProxy. Warnings name what HAProxy only approximates; a load balancer
// that fails its checks gets no file.
func Emit(m *schema.Model) ([]emit.Artifact, hcl.Diagnostics) {
	return lbconf.EmitEach(m, lbconf.HAProxy, "cfg", func(m *schema.Model, lb *schema.LoadBalancer) ([]byte, hcl.Diagnostics, error) {
		cfg, diags := build(m, lb)
		data, err := cfg.render()
		return data, diags, err
	})
}
