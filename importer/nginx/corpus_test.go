package nginx

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nbac/nbac/emit/lbcheck"
)

// TestCorpusIsRealNginx: the corpus is configuration Nginx itself accepts
// (`nginx -t`, through emit/lbcheck's stand-ins for certificates and host
// names), except the files meant to be refused (broken.conf, hostile.conf).
// snippet.conf is a conf.d file, so it is checked inside an http block.
func TestCorpusIsRealNginx(t *testing.T) {
	lbcheck.Require(t)
	files, _ := filepath.Glob(filepath.Join("testdata", "*.conf"))
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(f)
		if base == "snippet.conf" {
			src = []byte("events {}\nhttp {\n" + string(src) + "\n}\n")
		}
		err = lbcheck.Nginx(src)
		switch {
		case base == "broken.conf" || strings.HasPrefix(base, "hostile"):
			if err == nil {
				t.Errorf("%s: Nginx accepts it", f)
			}
		case err != nil:
			t.Errorf("%s: %v", f, err)
		}
	}
}
