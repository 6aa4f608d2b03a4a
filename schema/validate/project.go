package validate

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// project checks the project block. (Filled in by the compiler-spine work.)
func project(m *schema.Model) hcl.Diagnostics { return nil }
