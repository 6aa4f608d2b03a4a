package nginx

import (
	"flag"
	"testing"

	"github.com/nbac/nbac/importer/lbhcl/lbhcltest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// TestGolden: every corpus file imports to the reviewed HCL and report.
func TestGolden(t *testing.T) {
	lbhcltest.Golden(t, "conf", Import, *update)
}
