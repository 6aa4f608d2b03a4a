package lang

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/rogpeppe/go-internal/txtar"
)

// chunkCorpus is every native-syntax source in the repository: the
// examples, the golden cases' inputs and the error files, plus sources
// built to put a lone "}" line where cutting there would be wrong.
func chunkCorpus(t testing.TB) map[string][]byte {
	t.Helper()
	corpus := map[string][]byte{
		"heredoc.hcl":      []byte("a = <<EOT\n}\nEOT\nservice \"x\" {\n  b = 1\n}\nc = 2\n"),
		"comment.hcl":      []byte("/*\n}\n*/\nservice \"x\" {\n}\nd = 1\n"),
		"unclosed.hcl":     []byte("service \"x\" {\n  inner {\n}\n  y = 1\n}\n"),
		"dup.hcl":          []byte("a = 1\nservice \"x\" {\n}\na = 2\n"),
		"crlf.hcl":         []byte("service \"x\" {\r\n  a = 1\r\n}\r\nservice \"y\" {\r\n}\r\n"),
		"bom.hcl":          []byte("\xef\xbb\xbfservice \"x\" {\n}\nservice \"y\" {\n  z = \"é\"\n}\n"),
		"trailing.hcl":     []byte("service \"x\" {\n}\n# the end\n"),
		"paren.hcl":        []byte("a = ({\n}\n)\nb = 1\n"),
		"object.hcl":       []byte("a = {\n}\nb = {\n  c = 1\n}\n"),
		"template.hcl":     []byte("a = \"${foo(\n}\n)}\"\nb = 1\n"),
		"stray.hcl":        []byte("service \"x\" {\n}\n}\nb = 1\n"),
		"spaces.hcl":       []byte("service \"x\" {\n}   \nservice \"y\" {\n}\t\n"),
		"noeol.hcl":        []byte("service \"x\" {\n}\nservice \"y\" {\n}"),
		"brace_in_str.hcl": []byte("a = \"\n}\n\"\nb = 1\n"),
	}
	add := func(name string, data []byte) {
		if strings.HasSuffix(name, ".hcl") {
			corpus[name] = data
		}
	}
	for _, glob := range []string{"../examples/*/*.hcl", "testdata/errors/*.hcl"} {
		names, _ := filepath.Glob(glob)
		for _, n := range names {
			data, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			add(n, data)
		}
	}
	cases, _ := filepath.Glob("../golden/*.txtar")
	for _, c := range cases {
		ar, err := txtar.ParseFile(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			add(c+"/"+f.Name, f.Data)
		}
	}
	if len(corpus) < 50 {
		t.Fatalf("only %d sources found; is the test running in lang/?", len(corpus))
	}
	return corpus
}

// checkPieces asserts the invariant parseNative rests on: cut at every
// lone "}" line, the pieces either merge into exactly the body hclsyntax
// builds for the whole source, or parsePieces declines and the whole
// source is parsed again.
func checkPieces(t *testing.T, name string, src []byte) (cut bool) {
	whole, wdiags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	cuts := chunkCuts(src, 1)
	if len(cuts) == 0 {
		return false
	}
	got, ok := parsePieces(src, name, cuts)
	if !ok {
		return false
	}
	if wdiags.HasErrors() {
		t.Fatalf("%s: the pieces parsed cleanly but the whole source has errors: %s", name, wdiags.Error())
	}
	if !reflect.DeepEqual(got.Body, whole.Body) {
		t.Fatalf("%s: the merged body differs from hclsyntax's", name)
	}
	wantNav := whole.Nav.(interface{ ContextString(int) string })
	gotNav := got.Nav.(interface{ ContextString(int) string })
	for off := 0; off <= len(src); off++ {
		if g, w := gotNav.ContextString(off), wantNav.ContextString(off); g != w {
			t.Fatalf("%s: context at byte %d is %q, hclsyntax says %q", name, off, g, w)
		}
	}
	return true
}

func TestParsePiecesMatchesWholeFile(t *testing.T) {
	corpus := chunkCorpus(t)
	merged := 0
	for name, src := range corpus {
		if checkPieces(t, name, src) {
			merged++
			continue
		}
		// The examples and golden inputs are formatted and valid: each
		// one with a cut must take the fast path, or parseNative has
		// stopped helping.
		_, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		formatted := strings.HasPrefix(name, "../examples/") || strings.HasPrefix(name, "../golden/")
		if formatted && !diags.HasErrors() && len(chunkCuts(src, 1)) > 0 {
			t.Errorf("%s: valid and formatted, but parsed whole", name)
		}
	}
	if merged < 20 {
		t.Fatalf("only %d of %d sources were parsed in pieces", merged, len(corpus))
	}
	for _, name := range []string{"heredoc.hcl", "comment.hcl", "unclosed.hcl", "dup.hcl", "template.hcl", "stray.hcl", "brace_in_str.hcl", "paren.hcl"} {
		src := corpus[name]
		if _, ok := parsePieces(src, name, chunkCuts(src, 1)); ok {
			t.Errorf("%s: parsePieces accepted a cut inside a construct", name)
		}
	}
}

// TestParseNativeKeepsDiagnostics checks that a file too large for one
// piece and broken in its second half reports what hclsyntax reports.
func TestParseNativeKeepsDiagnostics(t *testing.T) {
	var b strings.Builder
	for b.Len() < 4*chunkSize {
		b.WriteString("service \"s\" {\n  image = \"x\"\n}\n")
	}
	b.WriteString("service \"broken\" {\n  image = \n}\n")
	src := []byte(b.String())
	if len(chunkCuts(src, chunkSize)) == 0 {
		t.Fatal("the test source is not cut")
	}
	_, want := hclsyntax.ParseConfig(src, "big.hcl", hcl.InitialPos)
	_, got := parseNative(src, "big.hcl")
	if !want.HasErrors() || got.Error() != want.Error() {
		t.Fatalf("diagnostics %q, hclsyntax says %q", got.Error(), want.Error())
	}
}

func FuzzParsePieces(f *testing.F) {
	for name, src := range chunkCorpus(f) {
		if len(src) < 4096 {
			f.Add(string(src))
		}
		_ = name
	}
	f.Fuzz(func(t *testing.T, src string) {
		checkPieces(t, "fuzz.hcl", []byte(src))
	})
}
