package lbtest

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit"
	"github.com/nbac/nbac/schema"
)

// Hostile are strings that try to break out of a configuration value:
// directive and line terminators, comments, quotes, variable and sample
// expansion, whitespace, control and non-ASCII characters, overlong values.
// Every one must be rejected by validation for every string field, and the
// printers must never let one into a configuration.
var Hostile = []string{
	"a\nb",
	"a\r\nb",
	"a\rb",
	"app;",
	"a; return 200",
	"a;b",
	"a{",
	"a}",
	"} server { listen 81",
	"{",
	"}",
	"#",
	"a#b",
	"a #comment",
	"\"",
	"a\"b",
	"'",
	"a'b",
	"`a`",
	"$host",
	"a$remote_addr",
	"$",
	"${HOME}",
	"\"${HOME}\"",
	"%[src]",
	"a%[req.hdr(host)]",
	"%",
	"a b",
	" a",
	"a ",
	"\t",
	"a\tb",
	"\v",
	"\x00",
	"a\x00b",
	"a\x1bb",
	"a\\b",
	"\\",
	"é",
	"münchen.de",
	"аpp", // Cyrillic a
	"a\u2028b",
	"a\u00a0b",
	"..",
	"../etc/passwd",
	"/etc/../passwd",
	"a|b",
	"a&&b",
	"<a>",
	"a=b;c",
	strings.Repeat("a", 65),
	strings.Repeat("a", 300),
	strings.Repeat("a.", 200) + "a",
	"/" + strings.Repeat("a", 5000),
	"a,b",
	"a..b",
	"-a",
	"a:b",
	"a/b",
	"*",
	"fe80::1%eth0",
	"a\u202eb",
	"\ufeffa",
}

// Dangerous matches the bytes that could change a configuration's
// structure or meaning in either format: line ends, comments, quotes,
// escapes, variables, samples, whitespace, control and non-ASCII bytes.
var Dangerous = regexp.MustCompile(`[\x00-\x20\x7f-\xff#"'\\$%{};` + "`" + `]`)

// NeverEmitted checks, through a target's Emit, that every Hostile value
// in every field is refused with an error and reaches no file.
func NeverEmitted(t *testing.T, emitFn func(*schema.Model) ([]emit.Artifact, hcl.Diagnostics)) {
	t.Helper()
	for _, f := range Fields() {
		for _, h := range Hostile {
			lb := Base("edge")
			f.Set(&lb, h)
			arts, diags := emitFn(Model(lb))
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

// PrinterRefuses bypasses validation: render builds and prints a model
// whose load balancer holds a Hostile value in one field, and must refuse
// every value that carries a Dangerous byte (the others, such as "a,b", are
// plain words that cannot change structure). notPrinted names the fields
// the target maps to constants or does not use.
func PrinterRefuses(t *testing.T, notPrinted []string, render func(*schema.Model) ([]byte, error)) {
	t.Helper()
	for _, f := range Fields() {
		if slices.Contains(notPrinted, f.Name) {
			continue
		}
		for _, h := range Hostile {
			if !Dangerous.MatchString(h) {
				continue
			}
			lb := Base("edge")
			f.Set(&lb, h)
			if out, err := render(Model(lb)); err == nil {
				t.Errorf("%s = %q: printed\n%s", f.Name, h, out)
			}
		}
	}
}
