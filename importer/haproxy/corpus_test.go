package haproxy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nbac/nbac/emit/lbcheck"
)

// TestCorpusIsRealHAProxy: the corpus is configuration HAProxy itself
// accepts (`haproxy -dW -c`, through emit/lbcheck's stand-ins for
// certificates and host names), except the files meant to be refused:
// broken.cfg (a syntax error, refused by HAProxy at the same line and
// column as by haproxycfg) and hostile.cfg.
func TestCorpusIsRealHAProxy(t *testing.T) {
	lbcheck.Require(t)
	files, _ := filepath.Glob(filepath.Join("testdata", "*.cfg"))
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		err = lbcheck.HAProxy(src)
		switch base := filepath.Base(f); {
		case base == "broken.cfg":
			if err == nil || !strings.Contains(err.Error(), "haproxy.cfg:6]: unmatched quote at position 36") {
				t.Errorf("%s: HAProxy should refuse it at line 6, position 36, as haproxycfg does; got %v", f, err)
			}
		case strings.HasPrefix(base, "hostile"):
		case err != nil:
			t.Errorf("%s: %v", f, err)
		}
	}
}
