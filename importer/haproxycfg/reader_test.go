package haproxycfg

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func texts(args []Arg) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a.Text
	}
	return out
}

func TestSplitLine(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		env  bool
	}{
		{"", nil, false},
		{"   # only a comment", nil, false},
		{"bind :80", []string{"bind", ":80"}, false},
		{"\tserver  web1 10.0.0.1:80\tcheck # primary", []string{"server", "web1", "10.0.0.1:80", "check"}, false},
		{"server web1 10.0.0.1:80#no space before the comment", []string{"server", "web1", "10.0.0.1:80"}, false},
		{`http-request set-header X-Note "a b  c"`, []string{"http-request", "set-header", "X-Note", "a b  c"}, false},
		{`errorfile 503 'x "y" $z \n'`, []string{"errorfile", "503", `x "y" $z \n`}, false},
		{`log-format "%ci:%cp \"q\""`, []string{"log-format", `%ci:%cp "q"`}, false},
		{`a\ b c\#d`, []string{"a b", "c#d"}, false},
		{`x "\x41\t" \\`, []string{"x", "A\t", `\`}, false},
		{`acl php path_reg \.php$`, []string{"acl", "php", "path_reg", `\.php$`}, false},
		{`bind :80 \`, []string{"bind", ":80", `\`}, false}, // no line continuation: the backslash stays
		{`a\$b "c\$d"`, []string{`a\$b`, "c$d"}, false},
		{`bind "${ADDR}:443"`, []string{"bind", "${ADDR}:443"}, true},
		{`bind '${ADDR}:443'`, []string{"bind", "${ADDR}:443"}, false},
		{`a"b c"d e`, []string{"ab cd", "e"}, false},
		{`x '' ""`, []string{"x", "", ""}, false},
		{"x \"#not a comment\" '#nor this'", []string{"x", "#not a comment", "#nor this"}, false},
	} {
		args, err := SplitLine(tc.in)
		if err != nil {
			t.Errorf("SplitLine(%q): %v", tc.in, err)
			continue
		}
		if got := texts(args); !reflect.DeepEqual(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("SplitLine(%q) = %q, want %q", tc.in, got, tc.want)
		}
		env := false
		for _, a := range args {
			env = env || a.Env
		}
		if env != tc.env {
			t.Errorf("SplitLine(%q): env = %v, want %v", tc.in, env, tc.env)
		}
	}
}

func TestSplitLineColumns(t *testing.T) {
	args, err := SplitLine(`  server "web 1" 10.0.0.1:80`)
	if err != nil {
		t.Fatal(err)
	}
	if cols := []int{args[0].Col, args[1].Col, args[2].Col}; !reflect.DeepEqual(cols, []int{3, 10, 18}) {
		t.Fatalf("columns %v, want [3 10 18]", cols)
	}
	if args[0].Quoted || !args[1].Quoted {
		t.Fatalf("quoted flags %v %v", args[0].Quoted, args[1].Quoted)
	}
}

func TestErrorsAreLocated(t *testing.T) {
	for _, tc := range []struct {
		src       string
		line, col int
		msg       string
	}{
		{"frontend fe\n  bind \"oops\n", 2, 8, "unmatched \" quote"},
		{"frontend fe\n  x 'a\n", 2, 5, "unmatched ' quote"},
		{"frontend fe\n  x \"\\x4\"\n", 2, 6, "two hexadecimal digits"},
		{"  bind :80\nfrontend fe\n", 1, 3, "outside any section"},
		{"global\n  x a\x00b\n", 2, 6, "NUL"},
		{"global\n  x \xff\n", 2, 5, "UTF-8"},
	} {
		_, err := Parse([]byte(tc.src))
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q): err = %v, want an *Error", tc.src, err)
			continue
		}
		if e.Line != tc.line || e.Col != tc.col || !strings.Contains(e.Msg, tc.msg) {
			t.Errorf("Parse(%q) = %v, want line %d column %d containing %q", tc.src, e, tc.line, tc.col, tc.msg)
		}
	}
}

func TestSections(t *testing.T) {
	src := "# header\nglobal\n  maxconn 100\n\ndefaults web from base\n  mode http\nfrontend fe_a\n  bind :80\n  default_backend be\r\nbackend be\n  server s 127.0.0.1:1\n"
	c, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range c.Sections {
		got = append(got, s.Kind+" "+s.Name+" "+strings.Join(texts(s.Args), ","))
		for _, l := range s.Lines {
			got = append(got, "  "+strings.Join(l.Words(), "|")+" @"+string(rune('0'+l.Num)))
		}
	}
	want := []string{
		"global  ", "  maxconn|100 @3",
		"defaults web from,base", "  mode|http @6",
		"frontend fe_a ", "  bind|:80 @8", "  default_backend|be @9",
		"backend be ", "  server|s|127.0.0.1:1 @;",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("sections:\n%q\nwant\n%q", got, want)
	}
	if c.Sections[2].Line != 7 {
		t.Fatalf("frontend at line %d, want 7", c.Sections[2].Line)
	}
}
