package validate

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// services checks every service block. (Filled in by the Kubernetes work.)
func services(m *schema.Model) hcl.Diagnostics { return nil }
