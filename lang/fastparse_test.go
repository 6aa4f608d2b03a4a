package lang

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// fastCases are hand-made sources for the corners of the subset: what the
// fast path must build exactly as hclsyntax does, and what it must decline.
var fastCases = map[string]string{
	"empty":            "",
	"blank":            "\n\n  \n",
	"comment_first":    "# c\na = 1\n",
	"slash_first":      "// c\n\na = 1\n",
	"block_first":      "/* c\n */ a = 1\n",
	"comment_eof":      "a = 1\n# end",
	"comment_eof_nl":   "a = 1 # end",
	"noeol":            "a = 1",
	"numbers":          "a = 0\nb = 1.5\nc = 1e3\nd = 2.50E-2\ne = 12345678901234567890.25\nf = 007\n",
	"bad_numbers":      "a = 1.2.3\nb = 1e\nc = 1..2\nd = 1e5e5\n",
	"keywords":         "a = true\nb = false\nc = null\nd = true(1)\ne = nullx\n",
	"strings":          "a = \"\"\nb = \"x\"\nc = \"a\\nb\\t\\\"\\\\\\r\"\nd = \"$${x} %%{y} $ % $$ %% $x\"\n",
	"strings_end":      "a = \"$\"\nb = \"%\"\nc = \"a$\"\nd = \"$$\"\n",
	"unicode_esc":      "a = \"\\u00e9\"\n",
	"bad_esc":          "a = \"\\q\"\n",
	"templates":        "a = \"${x}\"\nb = \"a${x}\"\nc = \"${x}b\"\nd = \"${x}${y}\"\ne = \"p${f(1, \"q\")}s\"\nf = \"${ a.b.c }\"\n",
	"template_nl":      "a = \"${f(\n1,\n2)}\"\n",
	"template_obj":     "a = \"${ {x = 1} }\"\n",
	"template_strip":   "a = \"${~x~}\"\n",
	"directive":        "a = \"%{if x}y%{endif}\"\n",
	"template_colon":   "a = \"${x:y}\"\n",
	"traversals":       "a = b\nc = d.e.f\ng = h . i\nj = k-l.m_n\n",
	"trav_nl":          "a = f(b\n.c)\n",
	"trav_nl_attr":     "a = b\n.c = 1\n",
	"index":            "a = b[0]\nc = d[\"e\"]\n",
	"splat":            "a = b.*.c\nd = e[*].f\n",
	"legacy_index":     "a = b.0\n",
	"calls":            "a = f()\nb = g(1)\nc = h(1, \"x\", [2])\nd = i(\n  1,\n  2,\n)\ne = j(k(l(m)))\n",
	"call_expand":      "a = f(x...)\n",
	"call_ns":          "a = provider::f(x)\n",
	"call_nl":          "a = f\n(1)\n",
	"call_trav":        "a = f(x).y\n",
	"tuples":           "a = []\nb = [1]\nc = [1, 2,]\nd = [\n  1,\n  2\n]\ne = [[], [[]]]\n",
	"tuple_for":        "a = [for x in y : x]\n",
	"objects":          "a = {}\nb = { c = 1 }\nd = { e = 1, f = \"g\" }\nh = {\n  i = 1\n  j = 2,\n\n  k = { l = [1] }\n}\nm = { \"n\" = 1, o: 2 }\n",
	"object_keys":      "a = { b.c = 1, 3 = 4, \"${x}\" = 5 }\n",
	"object_paren":     "a = { (b) = 1 }\n",
	"object_for":       "a = { for k, v in x : k => v }\n",
	"object_for_kw":    "a = {\n  for = 1\n}\n",
	"object_comment":   "a = {\n  b = 1 # c\n  // d\n  e = 2 /* f */\n}\n",
	"blocks":           "a {\n}\nb \"c\" {\n  d = 1\n}\ne f \"g\" {\n  h {\n    i = 2\n  }\n}\n",
	"block_empty":      "a {}\nb \"c\" {}\n",
	"oneline":          "probe \"x\" { path = \"/h\" }\na { b = [1, 2] }\n",
	"oneline_comment":  "a { b = 1 /* c */ }\n",
	"oneline_two":      "a { b = 1, c = 2 }\n",
	"oneline_block":    "a { b {} }\n",
	"block_eof":        "a {\n  b = 1\n}",
	"block_comment":    "a \"b\" { # c\n  d = 1 // e\n} # f\n",
	"nested_oneline":   "a {\n  b { c = 1 }\n}\n",
	"dup_attr":         "a = 1\na = 2\n",
	"dup_nested":       "x {\n  a = 1\n  a = 2\n}\n",
	"label_interp":     "a \"${b}\" {\n}\n",
	"label_escape":     "a \"b\\\"c$${d}\" {\n}\n",
	"operators":        "a = 1 + 2\nb = c == d\nc = !d\ne = -1\nf = g ? h : i\nj = (k)\n",
	"heredoc":          "a = <<EOT\nx\nEOT\n",
	"tabs":             "a\t=\t1\n\tb {\n\t\tc = \"\t\"\n\t}\n",
	"crlf":             "a = 1\r\nb = 2\r\n",
	"nonascii":         "a = \"é\"\n",
	"nonascii_comment": "# é\na = 1\n",
	"missing_nl":       "a = 1 b = 2\n",
	"comma_attr":       "a = 1,\n",
	"block_eq":         "a = {\n}\nb {\n} c = 1\n",
	"unclosed":         "a {\n  b = 1\n",
	"unclosed_str":     "a = \"b\n",
	"unclosed_comment": "a = 1 /* b\n",
	"stray_close":      "}\n",
	"semicolon":        "a = 1;\n",
	"ident_dash":       "a-b = c-d\n",
	"quoted_name":      "\"a\" = 1\n",
	"nested_template":  "a = \"${\"b\"}\"\nc = \"x${\"y${z}\"}\"\n",
	"interp_comments":  "a = \"${b /* c */}\"\nd = \"${e # f\n}\"\ng = \"${h // i\n}\"\n",
	"call_comments":    "a = f(# c\n  1, // d\n  /* e */ 2\n)\n",
	"oneline_comment2": "a { /* c */ b = 1 }\nd {e=2}\n",
	"lead_space":       "  /* c */  \n  a = 1\n",
	"labels_mixed":     "a b \"c\" d {\n}\n",
	"big_numbers":      "a = 1e400\nb = 0.000000000000000000000000000001\nc = 99999999999999999999999999999999999\n",
	"object_nested_nl": "a = f({\n  b = 1\n}, [\n  2,\n])\n",
}

// fastSources returns the corpus the fast path is checked against: every
// native-syntax source in the repository plus fastCases.
func fastSources(t testing.TB) map[string][]byte {
	corpus := chunkCorpus(t)
	for name, src := range fastCases {
		corpus["case/"+name] = []byte(src)
	}
	return corpus
}

// pieceStarts returns the pieces chunkCuts(src, size) makes, each with the
// position it starts at, as parsePieces hands them to the parsers.
func piecesOf(src []byte, size int) (pieces [][]byte, starts []hcl.Pos) {
	start := hcl.InitialPos
	from := 0
	cuts := chunkCuts(src, size)
	for i := 0; i <= len(cuts); i++ {
		to := len(src)
		if i < len(cuts) {
			to = cuts[i]
		}
		pieces = append(pieces, src[from:to])
		starts = append(starts, start)
		start = hcl.Pos{Line: start.Line + bytes.Count(src[from:to], []byte{'\n'}), Column: 1, Byte: to}
		from = to
	}
	return pieces, starts
}

// checkFast asserts the fast path's contract on one input: when it
// accepts, hclsyntax parses the input without a diagnostic and builds a
// body deeply equal to the fast path's. It reports whether it accepted
// and whether hclsyntax parsed the input cleanly.
func checkFast(t *testing.T, name string, src []byte, start hcl.Pos) (accepted, clean bool) {
	t.Helper()
	want, diags := hclsyntax.ParseConfig(src, name, start)
	got, ok := fastParse(src, name, start)
	if !ok {
		return false, len(diags) == 0
	}
	if len(diags) > 0 {
		t.Fatalf("%s: the fast path accepted a source hclsyntax rejects (%s):\n%s", name, diags.Error(), src)
	}
	if !reflect.DeepEqual(got, want.Body) {
		diff := cmp.Diff(want.Body, got, cmp.Exporter(func(reflect.Type) bool { return true }))
		t.Fatalf("%s: the fast path's body differs from hclsyntax's (-hclsyntax +fast):\n%s\nsource:\n%s", name, diff, src)
	}
	return true, true
}

// declinedShapes are the constructs the fast path leaves to hclsyntax on
// purpose. A valid, formatted piece of the repository that the fast path
// declines must hold one of them: anything else means the fast path has
// stopped helping where it should.
var declinedShapes = []struct {
	why string
	re  *regexp.Regexp
}{
	{"operators and conditionals", regexp.MustCompile(`[^=!<>]=[=>]|!=|[<>]=?|&&|\|\||[^\s]\s*[?]\s|\s[-+*/%]\s|=\s*[-!]`)},
	{"for expressions", regexp.MustCompile(`[\[{]\s*for\s`)},
	{"index steps and splats", regexp.MustCompile(`[\w\])]\[`)},
	{"parentheses", regexp.MustCompile(`(^|[^\w])\(`)},
	{"heredocs", regexp.MustCompile(`<<-?\w`)},
	{"template directives", regexp.MustCompile(`%\{`)},
	{"non-ASCII text", regexp.MustCompile(`[^\x00-\x7f]`)},
	{"function argument expansion", regexp.MustCompile(`\.\.\.`)},
}

func declinedShape(src []byte) string {
	for _, s := range declinedShapes {
		if s.re.Match(src) {
			return s.why
		}
	}
	return ""
}

func TestFastParseMatchesHCLSyntax(t *testing.T) {
	accepted, inputs := 0, 0
	for name, src := range fastSources(t) {
		check := func(label string, piece []byte, start hcl.Pos) {
			inputs++
			ok, clean := checkFast(t, label, piece, start)
			if ok {
				accepted++
				return
			}
			formatted := strings.HasPrefix(name, "../examples/") || strings.HasPrefix(name, "../golden/")
			if formatted && clean {
				if why := declinedShape(piece); why == "" {
					t.Errorf("%s: valid and formatted, but the fast path declined it:\n%s", label, piece)
				}
			}
		}
		check(name, src, hcl.InitialPos)
		pieces, starts := piecesOf(src, 1)
		if len(pieces) > 1 {
			for i := range pieces {
				check(name+"#piece", pieces[i], starts[i])
			}
		}
	}
	t.Logf("the fast path accepted %d of %d inputs", accepted, inputs)
	if accepted < inputs/2 {
		t.Errorf("the fast path accepted only %d of %d inputs", accepted, inputs)
	}
}

// TestFastParseCases pins which hand-made cases the fast path takes, so a
// change that makes it decline a supported shape, or accept an
// unsupported one, shows up here and not only as a slowdown.
func TestFastParseCases(t *testing.T) {
	declined := map[string]bool{
		"bad_numbers": true, "unicode_esc": true, "bad_esc": true,
		"template_strip": true, "directive": true, "template_colon": true,
		"trav_nl_attr": true, "index": true, "splat": true, "legacy_index": true,
		"call_expand": true, "call_ns": true, "call_nl": true, "call_trav": true,
		"tuple_for": true, "object_paren": true, "object_for": true, "object_for_kw": true,
		"oneline_two": true, "oneline_block": true, "dup_attr": true, "dup_nested": true,
		"label_interp": true, "operators": true, "heredoc": true, "crlf": true,
		"nonascii": true, "nonascii_comment": true, "missing_nl": true, "comma_attr": true,
		"block_eq": true, "unclosed": true, "unclosed_str": true, "unclosed_comment": true,
		"stray_close": true, "semicolon": true, "quoted_name": true,
	}
	for name, src := range fastCases {
		ok, _ := checkFast(t, name, []byte(src), hcl.InitialPos)
		if ok == declined[name] {
			t.Errorf("%s: fast path accepted=%v, want %v", name, ok, !declined[name])
		}
	}
}

// estateFiles returns the files of a generated 1,000-service estate in
// /tmp/e1000 (cd bench && go run ./estate/cmd/genestate -n 1000 -o
// /tmp/e1000), or skips: the generator is a module of its own.
func estateFiles(tb testing.TB) map[string][]byte {
	names, _ := filepath.Glob("/tmp/e1000/*.hcl")
	if len(names) == 0 {
		tb.Skip("no estate in /tmp/e1000")
	}
	files := map[string][]byte{}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			tb.Fatal(err)
		}
		files[n] = data
	}
	return files
}

func TestFastParseEstate(t *testing.T) {
	accepted, pieces := 0, 0
	for name, src := range estateFiles(t) {
		ps, starts := piecesOf(src, chunkSize)
		for i := range ps {
			pieces++
			if ok, _ := checkFast(t, name, ps[i], starts[i]); ok {
				accepted++
			}
		}
	}
	t.Logf("the fast path accepted %d of %d estate pieces", accepted, pieces)
	if accepted*100 < pieces*95 {
		t.Errorf("the fast path accepted only %d of %d estate pieces", accepted, pieces)
	}
}

func FuzzFastParse(f *testing.F) {
	for _, src := range fastSources(f) {
		if len(src) < 4096 {
			f.Add(string(src))
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		checkFast(t, "fuzz.hcl", []byte(src), hcl.InitialPos)
	})
}

// BenchmarkParse parses the /tmp/e1000 estate whole with hclsyntax and
// with parseNative (pieces, fast path first).
func BenchmarkParse(b *testing.B) {
	files := estateFiles(b)
	size := 0
	for _, src := range files {
		size += len(src)
	}
	b.Run("hclsyntax", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			for name, src := range files {
				if _, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos); diags.HasErrors() {
					b.Fatal(diags)
				}
			}
		}
	})
	b.Run("parseNative", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			for name, src := range files {
				if _, diags := parseNative(src, name); diags.HasErrors() {
					b.Fatal(diags)
				}
			}
		}
	})
}
