package nginx

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit"
	"github.com/nbac/nbac/emit/lbconf"
	"github.com/nbac/nbac/schema"
)

// Emit writes nginx/<name>.conf for every load balancer that targets Nginx.
// Warnings name what Nginx open source only approximates; a load balancer
// that fails its checks gets no file.
func Emit(m *schema.Model) ([]emit.Artifact, hcl.Diagnostics) {
	return lbconf.EmitEach(m, lbconf.Nginx, "conf", func(m *schema.Model, lb *schema.LoadBalancer) ([]byte, hcl.Diagnostics, error) {
		c, diags := build(m, lb)
		data, err := c.render()
		return data, diags, err
	})
}
