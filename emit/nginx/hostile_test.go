package nginx

import (
	"testing"

	"github.com/nbac/nbac/emit/lbconf/lbtest"
	"github.com/nbac/nbac/schema"
)

// TestHostileNeverEmitted: through Emit, every hostile value in every field
// is refused with an error and no file is written.
func TestHostileNeverEmitted(t *testing.T) { lbtest.NeverEmitted(t, Emit) }

// notPrinted are the fields this target maps to constants (enums; listen
// addresses are re-serialised by netip, an unparsable one is dropped) or does
// not use, so their raw value never reaches the printer.
var notPrinted = []string{"listen_addresses", "targets", "mode", "algorithm", "health_check.type", "health_check.path", "health_check.method", "health_check.host", "stats.socket", "stats.state_file", "backend.name"}

// TestPrinterRefusesHostile: with validation bypassed, the printer refuses
// every hostile value that carries a dangerous byte.
func TestPrinterRefusesHostile(t *testing.T) {
	lbtest.PrinterRefuses(t, notPrinted, func(m *schema.Model) ([]byte, error) {
		c, _ := build(m, &m.LoadBalancers[0])
		return c.render()
	})
}

func TestQuote(t *testing.T) {
	cases := []struct {
		in   arg
		want string // "" = refused
	}{
		{w("nbac_edge"), "nbac_edge"},
		{w("[::1]:80"), "[::1]:80"},
		{w("max-age=1; preload"), ""},
		{w(""), ""},
		{w("a;"), ""},
		{txt("max-age=1; preload"), `"max-age=1; preload"`},
		{txt(""), `""`},
		{txt("a{"), ""},
		{txt("$x"), ""},
		{w("a\nb"), ""},
		{w("#x"), ""},
		{w("$host"), ""},
		{w("a{"), ""},
		{w("}"), ""},
		{w("it's"), ""},
		{w(`a"b`), ""},
		{w(`a\b`), ""},
		{w("é"), ""},
		{x("https://$host:8443$request_uri"), "https://$host:8443$request_uri"},
		{v("$cookie_SID"), "$cookie_SID"},
		{v("$cookie_$host"), ""},
		{v("$cookie_a-b;"), ""},
		{v("$"), ""},
		{v("host"), ""},
		{x("a b"), ""},
	}
	for _, c := range cases {
		got, err := quote(c.in)
		if c.want == "" {
			if err == nil {
				t.Errorf("quote(%q) = %q, want refusal", c.in.s, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("quote(%q) = %q, %v; want %q", c.in.s, got, err, c.want)
		}
	}
}

func TestRenderRefusesBadNameAndComment(t *testing.T) {
	var c conf
	c.root().addw("pid;x", "a")
	if _, err := c.render(); err == nil {
		t.Error("directive name with ; printed")
	}
	c = conf{header: []string{"a\nevents {}"}}
	if _, err := c.render(); err == nil {
		t.Error("comment with a newline printed")
	}
}
