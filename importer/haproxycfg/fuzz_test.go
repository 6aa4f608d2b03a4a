package haproxycfg

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParse: any input is either read, every line numbered within the
// file, or refused with an error located inside the input.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"global\n  maxconn 10\nfrontend fe\n  bind :80\n  default_backend be\nbackend be\n  server a 127.0.0.1:1 weight 3 check\n",
		"frontend x\n  http-request deny if { sc_http_req_rate(0) gt 20 }\n",
		"listen l\n  bind \"${A}:1\" ssl crt '/p q'\n  x a\\ b \\x41 \\#",
		"backend b\n  x \"unterminated\n", "  stray\n", "global\n\\",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		lines := bytes.Count(src, []byte("\n")) + 1
		c, err := Parse(src)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Line < 1 || e.Line > lines || e.Col < 1 {
				t.Fatalf("error %v is not located inside the %d-line input", err, lines)
			}
			return
		}
		for _, s := range c.Sections {
			if s.Line < 1 || s.Line > lines {
				t.Fatalf("section at line %d of %d", s.Line, lines)
			}
			for _, l := range s.Lines {
				if l.Num < s.Line || l.Num > lines || len(l.Args) == 0 {
					t.Fatalf("line %d (%d words) in section at %d", l.Num, len(l.Args), s.Line)
				}
			}
		}
	})
}
