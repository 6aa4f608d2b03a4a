package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/nbac/nbac/emit/build"
	"github.com/nbac/nbac/golden"
	"github.com/nbac/nbac/lang"
)

// renderHCL and renderOurs print diags with hcl's text writer and ours.
func renderHCL(files map[string]*hcl.File, diags hcl.Diagnostics, width uint, color bool) string {
	var b bytes.Buffer
	if err := hcl.NewDiagnosticTextWriter(&b, files, width, color).WriteDiagnostics(diags); err != nil {
		panic(err)
	}
	return b.String()
}

func renderOurs(files map[string]*hcl.File, diags hcl.Diagnostics, width uint, color bool) string {
	var b bytes.Buffer
	if err := newDiagTextWriter(&b, files, width, color).WriteDiagnostics(diags); err != nil {
		panic(err)
	}
	return b.String()
}

// sameAsHCL fails t unless both writers print diags identically, with and
// without colour, unwrapped and at 78 columns. It returns hcl's plain
// output at 78 columns, for the caller's own sanity checks.
func sameAsHCL(t *testing.T, name string, files map[string]*hcl.File, diags hcl.Diagnostics) string {
	t.Helper()
	var plain string
	for _, color := range []bool{false, true} {
		for _, width := range []uint{0, 78} {
			want := renderHCL(files, diags, width, color)
			got := renderOurs(files, diags, width, color)
			if got != want {
				t.Errorf("%s (color %v, width %d): output differs from hcl's (-hcl +ours):\n%s", name, color, width, cmp.Diff(want, got))
			}
			if !color && width == 78 {
				plain = want
			}
		}
	}
	return plain
}

// compileDiags loads path and, when it loads without errors, runs the
// emitters, as `nbac build` does; it returns every diagnostic.
func compileDiags(path string, opts lang.Options) (map[string]*hcl.File, hcl.Diagnostics) {
	res := lang.Load(path, opts)
	diags := res.Diags
	if res.Model != nil && !diags.HasErrors() {
		_, d := build.Artifacts(res.Model)
		diags = append(diags, d...)
	}
	return res.Files, diags
}

// snippetLine matches a printed source line ("  12: ...").
var snippetLine = regexp.MustCompile(`(?m)^ *[0-9]+: `)

func TestDiagTextMatchesHCLOnErrorFiles(t *testing.T) {
	paths, err := filepath.Glob("../../lang/testdata/errors/*.hcl")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no error files: %v", err)
	}
	withSnippet := 0
	for _, p := range paths {
		files, diags := compileDiags(p, lang.Options{})
		if len(diags) == 0 {
			t.Errorf("%s: no diagnostics", p)
		}
		out := sameAsHCL(t, filepath.Base(p), files, diags)
		sameAsHCL(t, filepath.Base(p)+" (consolidated)", files, consolidateWarnings(diags))
		if snippetLine.MatchString(out) {
			withSnippet++
		}
	}
	if withSnippet < len(paths)/2 {
		t.Errorf("only %d of %d error files printed a source snippet", withSnippet, len(paths))
	}
}

func TestDiagTextMatchesHCLOnExampleWarnings(t *testing.T) {
	files, diags := compileDiags("../../examples/nba", lang.Options{VarFiles: []string{"../../examples/nba/production.nbvars"}})
	if diags.HasErrors() {
		t.Fatalf("examples/nba does not compile: %v", diags)
	}
	if len(diags) == 0 {
		t.Fatal("examples/nba raised no warnings: nothing to compare")
	}
	sameAsHCL(t, "examples/nba", files, diags)
	sameAsHCL(t, "examples/nba (consolidated)", files, consolidateWarnings(diags))

	// writeDiagnosticsText itself, as build calls it (a buffer: width 78).
	var got bytes.Buffer
	writeDiagnosticsText(&got, files, diags, false)
	if want := renderHCL(files, consolidateWarnings(diags), 78, false); got.String() != want {
		t.Errorf("writeDiagnosticsText differs from hcl's writer (-hcl +ours):\n%s", cmp.Diff(want, got.String()))
	}
}

// TestDiagTextMatchesHCLOnGoldenCases compiles every golden case (its
// warnings come from the emitters) in a directory of its own.
func TestDiagTextMatchesHCLOnGoldenCases(t *testing.T) {
	cases, err := filepath.Glob("../../golden/*.txtar")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, c := range cases {
		gc, err := golden.ReadCase(c)
		if err != nil {
			t.Fatal(err)
		}
		opts, err := gc.Options()
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := golden.WriteInputs(dir, gc.Inputs, nil); err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(c), func(t *testing.T) {
			t.Chdir(dir)
			files, diags := compileDiags(".", opts)
			sameAsHCL(t, c, files, diags)
			sameAsHCL(t, c+" (consolidated)", files, consolidateWarnings(diags))
		})
	}
}

// edgeSource is a configuration with CRLF lines, a lone \r, blank lines
// inside blocks, combining characters, a tab and no final newline.
const edgeSource = "project \"shop\" {\n" +
	"  namespace = \"shop\"\r\n" +
	"\n" +
	"  service \"api\" {\n" +
	"    image = \"e\u0301t\u00e9\"  # caf\u00e9\r\n" +
	"\tport  = 8080 \r x = 1\n" +
	"\n" +
	"    replicas = 3\n" +
	"  }\n" +
	"}"

func TestDiagTextMatchesHCLOnEdgeCases(t *testing.T) {
	f, diags := hclsyntax.ParseConfig([]byte(edgeSource), "edge.hcl", hcl.InitialPos)
	if f == nil {
		t.Fatalf("parse: %v", diags)
	}
	other, _ := hclsyntax.ParseConfig([]byte("a = 1\nb = 2\n"), "other.hcl", hcl.InitialPos)
	files := map[string]*hcl.File{
		"edge.hcl":  f,
		"other.hcl": other,
		"nil.hcl":   {},                // no source bytes
		"empty.hcl": {Bytes: []byte{}}, // an empty file
	}
	src := f.Bytes
	at := func(s string) int {
		i := strings.Index(edgeSource, s)
		if i < 0 {
			t.Fatalf("%q not in the source", s)
		}
		return i
	}
	rng := func(file string, start, end int) *hcl.Range {
		// Lines and columns as a parser would give them matter only to
		// the header, so byte offsets with plausible lines suffice.
		line := func(b int) int { return bytes.Count(src[:max(0, min(b, len(src)))], []byte{'\n'}) + 1 }
		return &hcl.Range{Filename: file, Start: hcl.Pos{Byte: start, Line: line(start), Column: 1}, End: hcl.Pos{Byte: end, Line: line(end), Column: 2}}
	}
	word := func(s string) *hcl.Range { return rng("edge.hcl", at(s), at(s)+len(s)) }
	long := strings.Repeat("A detail long enough to be wrapped at seventy-eight columns. ", 4) + "\n\nSecond paragraph."

	expr, d := hclsyntax.ParseTemplate([]byte(`${local.s} ${local.n} ${local.b} ${local.s} ${local.null} ${local.unknown} ${local.secret}
${local.list} ${local.one} ${local.empty} ${local.set} ${local.map} ${local.tuple} ${local.obj0} ${local.obj1} ${local.obj2}
${local.idx["k"]} ${local.idx[2]} ${local.missing} ${var.big} ${local.list[0]}`), "expr.hcl", hcl.InitialPos)
	if d.HasErrors() {
		t.Fatal(d)
	}
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{
		"local": cty.ObjectVal(map[string]cty.Value{
			"s":       cty.StringVal("a \"quoted\"\tvalue\u00e9"),
			"n":       cty.NumberFloatVal(1.5),
			"b":       cty.True,
			"null":    cty.NullVal(cty.String),
			"unknown": cty.UnknownVal(cty.String),
			"secret":  cty.StringVal("hunter2").Mark("sensitive"),
			"list":    cty.ListVal([]cty.Value{cty.StringVal("x"), cty.StringVal("y")}),
			"one":     cty.ListVal([]cty.Value{cty.StringVal("x")}),
			"empty":   cty.ListValEmpty(cty.String),
			"set":     cty.SetVal([]cty.Value{cty.NumberIntVal(1), cty.NumberIntVal(2)}),
			"map":     cty.MapVal(map[string]cty.Value{"k": cty.True}),
			"tuple":   cty.TupleVal([]cty.Value{cty.True, cty.StringVal("x"), cty.Zero}),
			"obj0":    cty.EmptyObjectVal,
			"obj1":    cty.ObjectVal(map[string]cty.Value{"only": cty.True}),
			"obj2":    cty.ObjectVal(map[string]cty.Value{"a": cty.True, "b": cty.False}),
			"idx":     cty.MapVal(map[string]cty.Value{"k": cty.StringVal("v"), "2": cty.StringVal("w")}),
		}),
		"var": cty.ObjectVal(map[string]cty.Value{"big": cty.MustParseNumberVal("123456789012345678901234567890")}),
	}}

	errD := func(summary string, subject, context *hcl.Range) *hcl.Diagnostic {
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: long, Subject: subject, Context: context}
	}
	all := hcl.Diagnostics{
		{Severity: hcl.DiagError, Summary: "No subject", Detail: long},
		{Severity: hcl.DiagWarning, Summary: "No subject, no detail"},
		{Severity: hcl.DiagInvalid, Summary: "Invalid severity", Subject: word("8080")},
		errD("One word", word("namespace"), nil),
		errD("In a nested block", word("replicas"), nil),
		errD("Word before a CRLF", word(`"shop"`+"\r"), nil),
		errD("Combining characters", word("e\u0301t\u00e9"), nil),
		errD("Across a lone CR", word("8080 \r x"), nil),
		errD("After a lone CR", word("x = 1"), nil),
		errD("Line after a lone CR", word("replicas = 3"), nil),
		errD("Context over blank lines", word("8080"), rng("edge.hcl", at("service"), at("  }\n")+3)),
		errD("Multi-line subject", rng("edge.hcl", at("namespace"), at("replicas")+3), nil),
		errD("Subject from a line's newline", rng("edge.hcl", at("{\n"), at("{\n")+2), nil),
		errD("Subject ending at a line start", rng("edge.hcl", at("namespace")+9, at("  service")), nil),
		errD("Whole file", rng("edge.hcl", 0, len(src)), nil),
		errD("Empty subject mid-line", rng("edge.hcl", at("= 8080"), at("= 8080")), nil),
		errD("Empty subject at a newline", rng("edge.hcl", at("{\n")+1, at("{\n")+1), nil),
		errD("Empty subject at the end", rng("edge.hcl", len(src), len(src)), nil),
		errD("Empty subject and empty context", rng("edge.hcl", 3, 3), rng("edge.hcl", 9, 9)),
		errD("Empty subject, context elsewhere", rng("edge.hcl", 3, 3), rng("edge.hcl", at("replicas"), at("replicas")+8)),
		errD("Subject past the end", rng("edge.hcl", len(src)+5, len(src)+9), nil),
		errD("Subject running past the end", rng("edge.hcl", len(src)-1, len(src)+40), nil),
		errD("Context past the end", word("replicas"), rng("edge.hcl", at("replicas"), len(src)+100)),
		errD("Inverted subject", rng("edge.hcl", at("replicas")+4, at("namespace")), nil),
		errD("Negative offsets", rng("edge.hcl", -4, 3), nil),
		errD("Context in another file", word("namespace"), rng("other.hcl", 0, 5)),
		errD("Subject in another file", rng("other.hcl", 6, 11), word("namespace")),
		errD("File not in the map", rng("absent.hcl", 0, 4), nil),
		errD("File without bytes", rng("nil.hcl", 0, 4), nil),
		errD("Empty file", rng("empty.hcl", 0, 4), nil),
		{Severity: hcl.DiagError, Summary: "With values", Detail: "Detail.", Subject: word("replicas"), Expression: expr, EvalContext: ctx},
		{Severity: hcl.DiagWarning, Summary: "Expression without context", Subject: word("replicas"), Expression: expr},
		{Severity: hcl.DiagWarning, Summary: "Values, file not in the map", Subject: rng("absent.hcl", 0, 1), Expression: expr, EvalContext: ctx},
		{Severity: hcl.DiagWarning, Summary: "Values without subject", Expression: expr, EvalContext: ctx},
	}
	out := sameAsHCL(t, "edge cases", files, all)
	for _, want := range []string{"with local.b as true,", `, in project "shop":`, "(source code not available)", "wrapped at\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("the edge cases do not exercise %q; output:\n%s", want, out)
		}
	}
	// Each diagnostic on its own too: a writer keeps its line index
	// between diagnostics, and that must not matter.
	for _, d := range all {
		sameAsHCL(t, d.Summary, files, hcl.Diagnostics{d})
	}
}

// TestDiagTextMatchesHCLOnRandomSources compares the writers on random
// sources mixing \n, \r\n, lone \r, combining marks and invalid UTF-8,
// with random subject and context ranges, in and out of bounds.
func TestDiagTextMatchesHCLOnRandomSources(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		src, diag := randomCase(r)
		if diffDiagText(src, diag) {
			t.Fatalf("case %d: output differs from hcl's for source %q, subject %v, context %v:\n%s", i, src, diag.Subject, diag.Context,
				cmp.Diff(renderHCL(randomFiles(src), hcl.Diagnostics{diag}, 0, true), renderOurs(randomFiles(src), hcl.Diagnostics{diag}, 0, true)))
		}
	}
}

func FuzzDiagTextMatchesHCL(f *testing.F) {
	f.Add([]byte("a\r\nb\rc\n\nd"), 0, 5, -1, 9)
	f.Add([]byte("x = 1\n"), 2, 2, 0, 0)
	f.Fuzz(func(t *testing.T, src []byte, start, end, cstart, cend int) {
		if len(src) > 4096 {
			return // hcl's grapheme scanner has a 64 KiB token limit
		}
		d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "S", Subject: rangeBytes("r.hcl", start, end)}
		if cstart >= 0 {
			d.Context = rangeBytes("r.hcl", cstart, cend)
		}
		if diffDiagText(src, d) {
			t.Errorf("output differs from hcl's:\n%s", cmp.Diff(renderHCL(randomFiles(src), hcl.Diagnostics{d}, 0, true), renderOurs(randomFiles(src), hcl.Diagnostics{d}, 0, true)))
		}
	})
}

func randomFiles(src []byte) map[string]*hcl.File {
	return map[string]*hcl.File{"r.hcl": {Bytes: src}}
}

func diffDiagText(src []byte, d *hcl.Diagnostic) bool {
	files := randomFiles(src)
	ds := hcl.Diagnostics{d}
	return renderHCL(files, ds, 0, true) != renderOurs(files, ds, 0, true) ||
		renderHCL(files, ds, 0, false) != renderOurs(files, ds, 0, false)
}

func rangeBytes(file string, start, end int) *hcl.Range {
	return &hcl.Range{Filename: file, Start: hcl.Pos{Byte: start, Line: 1, Column: 1}, End: hcl.Pos{Byte: end, Line: 1, Column: 1}}
}

func randomCase(r *rand.Rand) ([]byte, *hcl.Diagnostic) {
	pieces := []string{"\n", "\r\n", "\r", "\r\r\n", "a", "bc", " ", "\t", "e\u0301", "\u00e9", "\xff", "\U0001F1E6\U0001F1E8", "\n\n"}
	var src []byte
	for range r.IntN(40) {
		src = append(src, pieces[r.IntN(len(pieces))]...)
	}
	pos := func() int { return r.IntN(len(src)+7) - 3 }
	d := &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "S", Detail: "D"}
	start := pos()
	end := start + r.IntN(12) - 1
	if r.IntN(4) == 0 {
		end = pos()
	}
	d.Subject = rangeBytes("r.hcl", start, end)
	if r.IntN(2) == 0 {
		cs := pos()
		d.Context = rangeBytes("r.hcl", cs, cs+r.IntN(20))
	}
	return src, d
}

// BenchmarkWriteDiagnosticsText prints ten warnings spread over a
// generated ~100 KB configuration with hcl's writer and with ours (a new
// writer per iteration, so ours pays for its line index every time).
func BenchmarkWriteDiagnosticsText(b *testing.B) {
	var src strings.Builder
	src.WriteString("project \"bench\" {\n  namespace = \"bench\"\n}\n\n")
	for i := 0; src.Len() < 100_000; i++ {
		fmt.Fprintf(&src, "service \"svc-%04d\" {\n  image    = \"registry.example.com/svc-%04d:1.2.3\"\n  port     = %d\n  replicas = 3\n\n  env = {\n    MODE = \"production\"\n  }\n}\n\n", i, i, 8000+i)
	}
	f, diags := hclsyntax.ParseConfig([]byte(src.String()), "estate.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	files := map[string]*hcl.File{"estate.hcl": f}
	body := f.Body.(*hclsyntax.Body)
	var warns hcl.Diagnostics
	for i := 0; i < 10; i++ {
		blk := body.Blocks[1+i*(len(body.Blocks)-2)/9]
		attr := blk.Body.Attributes["port"]
		warns = append(warns, &hcl.Diagnostic{
			Severity: hcl.DiagWarning, Summary: fmt.Sprintf("Warning %d", i),
			Detail:  "Something about this port that takes a sentence or two to explain, long enough to wrap.",
			Subject: attr.Expr.Range().Ptr(), Context: blk.Range().Ptr(),
		})
	}
	if got, want := renderOurs(files, warns, 78, false), renderHCL(files, warns, 78, false); got != want {
		b.Fatalf("outputs differ:\n%s", cmp.Diff(want, got))
	}
	b.Logf("%d bytes, %d lines, %d warnings", src.Len(), strings.Count(src.String(), "\n"), len(warns))
	for _, w := range []struct {
		name string
		new  func(*bytes.Buffer) hcl.DiagnosticWriter
	}{
		{"hcl", func(buf *bytes.Buffer) hcl.DiagnosticWriter {
			return hcl.NewDiagnosticTextWriter(buf, files, 78, false)
		}},
		{"nbac", func(buf *bytes.Buffer) hcl.DiagnosticWriter { return newDiagTextWriter(buf, files, 78, false) }},
	} {
		b.Run(w.name, func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := w.new(&buf).WriteDiagnostics(warns); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
