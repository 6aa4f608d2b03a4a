package validate

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// loadBalancers checks every load_balancer block. (Filled in by the load
// balancer work.)
func loadBalancers(m *schema.Model) hcl.Diagnostics { return nil }
