package haproxy

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nbac/nbac/emit/lbconf/lbtest"
)

// dangerous are the bytes that could change a configuration's structure or
// meaning in HAProxy: line ends, comments, quotes, escapes, variables,
// samples, whitespace, control and non-ASCII bytes.
var dangerous = regexp.MustCompile(`[\x00-\x20\x7f-\xff#"'\\$%{};` + "`" + `]`)

// TestHostileNeverEmitted: through Emit, every hostile value in every field
// is refused with an error and no file is written.
func TestHostileNeverEmitted(t *testing.T) {
	for _, f := range lbtest.Fields() {
		for _, h := range lbtest.Hostile {
			lb := lbtest.Base("edge")
			f.Set(&lb, h)
			arts, diags := Emit(lbtest.Model(lb))
			if !diags.HasErrors() {
				t.Errorf("%s = %q: no error", f.Name, h)
			}
			for _, a := range arts {
				if strings.Contains(string(a.Data), h) {
					t.Errorf("%s = %q reached %s", f.Name, h, a.Path)
				}
			}
		}
	}
}

// notPrinted are the fields this target maps to constants (enums) or does
// not use, so their raw value never reaches the printer.
var notPrinted = []string{"targets", "mode", "algorithm", "health_check.type", "tls.key", "server_names"}

// TestPrinterRefusesHostile bypasses validation: the builder gets every
// hostile value in every printed field, and the printer must refuse each
// one that carries a dangerous byte (the others, such as "a,b", are plain
// words that cannot change structure).
func TestPrinterRefusesHostile(t *testing.T) {
	for _, f := range lbtest.Fields() {
		if slices.Contains(notPrinted, f.Name) {
			continue
		}
		for _, h := range lbtest.Hostile {
			if !dangerous.MatchString(h) {
				continue
			}
			lb := lbtest.Base("edge")
			f.Set(&lb, h)
			m := lbtest.Model(lb)
			cfg, _ := build(m, &m.LoadBalancers[0])
			if out, err := cfg.render(); err == nil {
				t.Errorf("%s = %q: printed\n%s", f.Name, h, out)
			}
		}
	}
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
