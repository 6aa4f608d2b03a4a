package nginx

import (
	"strings"
	"testing"

	"github.com/tufanbarisyildirim/gonginx/config"

	"github.com/nbac/nbac/importer/lbhcl/lbhcltest"
)

// FuzzImport: any nginx.conf, from the corpus mutated, imports without a
// panic and every diagnostic is located inside it.
func FuzzImport(f *testing.F) {
	lbhcltest.Seeds(f, "conf")
	f.Fuzz(func(t *testing.T, src []byte) {
		lbhcltest.FuzzImport(t, Import, "nginx.conf", src)
	})
}

// FuzzParse: the reader alone (gonginx and the line finder): no panic, an
// error always has a line inside the input, every directive a line inside
// it.
func FuzzParse(f *testing.F) {
	lbhcltest.Seeds(f, "conf")
	f.Fuzz(func(t *testing.T, src []byte) {
		s, line, err := parse("nginx.conf", src)
		lines := len(strings.Split(string(src), "\n"))
		if err != nil {
			if line < 1 || line > lines {
				t.Fatalf("error %v at line %d of %d", err, line, lines)
			}
			return
		}
		var walk func(ds []config.IDirective)
		walk = func(ds []config.IDirective) {
			for _, d := range ds {
				if n := s.line(d); n < 1 || n > lines {
					t.Fatalf("%s at line %d of %d", d.GetName(), n, lines)
				}
				walk(children(d))
			}
		}
		walk(s.root.GetDirectives())
	})
}
