package validate

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// runtimeBlocks checks redis, cache, broker and queue blocks. (Filled in by
// the compiler-spine work.)
func runtimeBlocks(m *schema.Model) hcl.Diagnostics { return nil }
