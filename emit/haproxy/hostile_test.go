package haproxy

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
var notPrinted = []string{"listen_addresses", "targets", "mode", "algorithm", "health_check.type", "tls.key"}

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
		{w("be_edge"), "be_edge"},
		{w("127.0.0.1:80"), "127.0.0.1:80"},
		{w("[::1]:80"), "[::1]:80"},
		{w("max-age=1; preload"), ""},
		{w(""), ""},
		{w("a b"), ""},
		{arg{s: "max-age=1; preload", kind: text}, "'max-age=1; preload'"},
		{arg{s: "", kind: text}, "''"},
		{arg{s: "a%[src]", kind: text}, ""},
		{w("a\nb"), ""},
		{w("#x"), ""},
		{w("a#x"), ""},
		{w("${HOME}"), ""},
		{w("%[src]"), ""},
		{w("it's"), ""},
		{w(`a"b`), ""},
		{w(`a\b`), ""},
		{w("{"), ""},
		{w("é"), ""},
		{openBrace, "{"},
		{arg{s: "{x", kind: syntax}, ""},
		{arg{s: "https://%[req.hdr(host)]:443", kind: sample}, "https://%[req.hdr(host)]:443"},
		{arg{s: "%[src] #", kind: sample}, ""},
		{arg{s: "${X}", kind: sample}, ""},
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

func TestRenderRefusesBadKeywordAndComment(t *testing.T) {
	var c config
	c.section("global", "").addw("log\nx", "stdout")
	if _, err := c.render(); err == nil {
		t.Error("keyword with a newline printed")
	}
	c = config{header: []string{"a\nglobal"}}
	if _, err := c.render(); err == nil {
		t.Error("comment with a newline printed")
	}
}
