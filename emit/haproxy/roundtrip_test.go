package haproxy

import (
	"testing"

	"github.com/nbac/nbac/emit/lbcheck"
	"github.com/nbac/nbac/emit/lbconf/lbtest"
)

// TestFromModelJSON: a model read back from model.json (no source ranges)
// gives the same bytes, the same warnings, and still validates.
func TestFromModelJSON(t *testing.T) {
	lbtest.FromModelJSON(t, Emit, "haproxy/edge.cfg", func(cfg []byte) error {
		lbcheck.Require(t) // only the validator step needs the binary
		return lbcheck.HAProxy(cfg)
	})
}
