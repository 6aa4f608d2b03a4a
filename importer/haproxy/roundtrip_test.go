package haproxy

import (
	"testing"

	"github.com/nbac/nbac/importer/lbhcl/lbhcltest"
)

// TestImportedHCLBuildsAndValidates: every corpus file that imports builds
// with nbac's compiler, and `haproxy -dW -c` accepts what it emits.
func TestImportedHCLBuildsAndValidates(t *testing.T) {
	lbhcltest.RoundTrip(t, "cfg", Import)
}
