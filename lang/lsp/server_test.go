package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// fixture copies testdata/shop into a temporary directory (tests open
// buffers over it and must not depend on one another) and returns the
// directory and the source of each file.
func fixture(t testing.TB) (string, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	srcs := map[string]string{}
	entries, err := os.ReadDir("testdata/shop")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("testdata/shop", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
		srcs[e.Name()] = string(b)
	}
	return dir, srcs
}

// session is a server initialized on a fresh copy of the fixture.
func session(t *testing.T) (*wireClient, string, map[string]string) {
	t.Helper()
	dir, srcs := fixture(t)
	c := startServer(t, Options{})
	c.Initialize(uriOf(dir))
	return c, dir, srcs
}

// openFile opens dir/name with src and waits for its first diagnostics.
func openFile(c *wireClient, dir, name, src string) (string, []wireDiag) {
	uri := uriOf(filepath.Join(dir, name))
	c.Open(uri, src)
	return uri, c.Diagnostics(uri)
}

func TestInitialize(t *testing.T) {
	dir, _ := fixture(t)
	c := startServer(t, Options{Version: "v-test"})
	res := c.Initialize(uriOf(dir))
	caps, _ := res["capabilities"].(map[string]any)
	for _, k := range []string{"textDocumentSync", "completionProvider", "hoverProvider", "definitionProvider", "referencesProvider", "documentSymbolProvider", "documentFormattingProvider"} {
		if caps[k] == nil {
			t.Errorf("capability %s missing: %v", k, caps)
		}
	}
	if info, _ := res["serverInfo"].(map[string]any); info["name"] != "nbac" || info["version"] != "v-test" {
		t.Errorf("serverInfo = %v", res["serverInfo"])
	}
	// An unknown request is an error reply, not a crash; the server still answers.
	if msg := c.CallErr("nbac/unknown", map[string]any{}, nil); !strings.Contains(msg, "not supported") {
		t.Errorf("unknown method: %q", msg)
	}
	c.Call("shutdown", nil, nil)
}

// TestDiagnosticsFollowEdits: opening a file publishes its configuration's
// diagnostics; an edit that breaks a reference in the unsaved buffer is
// reported at the reference (UTF-16 columns, after non-ASCII text on the
// same line); fixing it clears the list. The disk is never written.
func TestDiagnosticsFollowEdits(t *testing.T) {
	c, dir, srcs := session(t)
	uri, d := openFile(c, dir, "svc.hcl", srcs["svc.hcl"])
	if len(d) != 0 {
		t.Fatalf("valid configuration: %v", d)
	}

	broken := strings.Replace(srcs["svc.hcl"], `labels = { owner = "zoe" }`, `labels = { owner = "zoë😀" }, x = var.nope`, 1)
	broken = strings.Replace(broken, `  labels = { owner = "zoë😀" }, x = var.nope`, `  labels = { owner = "zoë😀", x = var.nope }`, 1)
	c.Change(uri, 2, broken)
	d = c.Diagnostics(uri)
	if len(d) != 1 || d[0].Severity != 1 || !strings.Contains(d[0].Message, `"nope"`) {
		t.Fatalf("broken reference: %+v", d)
	}
	start, end := posOf(t, broken, "var.nope", 0), posOf(t, broken, "var.nope", len("var.nope"))
	if d[0].Range.Start != start || d[0].Range.End != end {
		t.Fatalf("range %+v, want %+v-%+v (UTF-16 columns after ë and 😀)", d[0].Range, start, end)
	}

	c.Change(uri, 3, srcs["svc.hcl"])
	if d := c.Diagnostics(uri); len(d) != 0 {
		t.Fatalf("fixed: %v", d)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "svc.hcl")); string(b) != srcs["svc.hcl"] {
		t.Fatal("the server wrote the file")
	}
}

// TestDiagnosticsInOtherFiles: an edit in one file that breaks another
// (removing the cache svc.hcl uses) is reported in the other file, and the
// other file is cleared when the edit is undone.
func TestDiagnosticsInOtherFiles(t *testing.T) {
	c, dir, srcs := session(t)
	uri, _ := openFile(c, dir, "runtime.hcl", srcs["runtime.hcl"])
	svc := uriOf(filepath.Join(dir, "svc.hcl"))
	c.Change(uri, 2, strings.Replace(srcs["runtime.hcl"], `cache "stats"`, `cache "statz"`, 1))
	d := c.Diagnostics(svc)
	if len(d) == 0 || d[0].Range.Start != posOf(t, srcs["svc.hcl"], "cache.stats", 0) {
		t.Fatalf("svc.hcl: %+v", d)
	}
	c.Change(uri, 3, srcs["runtime.hcl"])
	if d := c.Diagnostics(svc); len(d) != 0 {
		t.Fatalf("svc.hcl not cleared: %+v", d)
	}
}

type wireItem struct {
	Label      string `json:"label"`
	InsertText string `json:"insertText"`
}

func labels(items []wireItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Label)
	}
	return out
}

func TestCompletion(t *testing.T) {
	c, dir, srcs := session(t)
	src := srcs["svc.hcl"] + "\n\n"
	uri, _ := openFile(c, dir, "svc.hcl", src)

	complete := func(src, needle string, n int) []string {
		t.Helper()
		c.Change(uri, 2, src)
		c.Diagnostics(uri)
		var items []wireItem
		c.Call("textDocument/completion", docParams(uri, posOf(t, src, needle, n)), &items)
		return labels(items)
	}
	// Top level: every block type of the schema.
	got := complete(src, "}\n\n", 3)
	for _, want := range []string{"project", "variable", "locals", "service", "load_balancer", "redis", "cache", "broker", "queue"} {
		if !slices.Contains(got, want) {
			t.Errorf("top level: %s missing from %v", want, got)
		}
	}
	// In a service: its attributes and nested blocks, filtered by the prefix.
	typing := strings.Replace(src, "  uses", "  ex\n  uses", 1)
	if got := complete(typing, "  ex\n", 4); !slices.Equal(got, []string{"expose"}) {
		t.Errorf("service attribute prefix ex: %v", got)
	}
	typing = strings.Replace(src, "  uses", "  \n  uses", 1)
	got = complete(typing, "  \n  uses", 2)
	for _, want := range []string{"image", "port", "replicas", "probe", "autoscale", "ingress"} {
		if !slices.Contains(got, want) {
			t.Errorf("service body: %s missing from %v", want, got)
		}
	}
	// Enum values from the reference, inside the string being typed.
	typing = strings.Replace(src, `expose = "ClusterIP"`, `expose = "`, 1)
	if got := complete(typing, `expose = "`, len(`expose = "`)); !slices.Equal(got, []string{"ClusterIP", "NodePort", "LoadBalancer"}) {
		t.Errorf("expose values: %v", got)
	}
	// References: the caches declared in another file.
	typing = strings.Replace(src, `[cache.stats]`, `[cache.]`, 1)
	if got := complete(typing, `[cache.`, len(`[cache.`)); !slices.Equal(got, []string{"stats"}) {
		t.Errorf("cache. names: %v", got)
	}
	typing = strings.Replace(src, `local.image`, `local.`, 1)
	if got := complete(typing, `= local.`, len(`= local.`)); !slices.Equal(got, []string{"image", "secret"}) {
		t.Errorf("local. names: %v", got)
	}
	// A dynamic block's own arguments, and in its content the generated block's.
	typing = strings.Replace(src, "  uses", "  dynamic \"probe\" {\n    \n    content {\n      \n    }\n  }\n  uses", 1)
	if got := complete(typing, "probe\" {\n    ", len("probe\" {\n    ")); !slices.Equal(got, []string{"for_each", "iterator", "labels", "content"}) {
		t.Errorf("dynamic arguments: %v", got)
	}
	if got := complete(typing, "content {\n      ", len("content {\n      ")); !slices.Contains(got, "failure_threshold") || slices.Contains(got, "image") {
		t.Errorf("dynamic probe content: %v", got)
	}
	// Nested block attributes: service.ingress.alb.
	typing = strings.Replace(src, "  uses", "  ingress {\n    alb {\n      \n    }\n  }\n  uses", 1)
	if got := complete(typing, "alb {\n      ", len("alb {\n      ")); !slices.Equal(got, []string{"scheme", "target_type", "certificate_arn", "ssl_policy"}) {
		t.Errorf("alb attributes: %v", got)
	}
}

type wireHover struct {
	Contents struct {
		Value string `json:"value"`
	} `json:"contents"`
	Range wireRange `json:"range"`
}

func TestHover(t *testing.T) {
	c, dir, srcs := session(t)
	main, _ := openFile(c, dir, "main.hcl", srcs["main.hcl"])
	svc, _ := openFile(c, dir, "svc.hcl", srcs["svc.hcl"])

	hover := func(uri, src, needle string, n int) wireHover {
		t.Helper()
		var h wireHover
		c.Call("textDocument/hover", docParams(uri, posOf(t, src, needle, n)), &h)
		return h
	}
	// An attribute: the reference's row.
	h := hover(svc, srcs["svc.hcl"], "expose", 2)
	if !strings.Contains(h.Contents.Value, "ClusterIP") || !strings.Contains(h.Contents.Value, "NodePort") {
		t.Errorf("expose hover: %q", h.Contents.Value)
	}
	if h.Range.Start != posOf(t, srcs["svc.hcl"], "expose", 0) {
		t.Errorf("expose hover range %+v", h.Range)
	}
	// A reference: the value it resolves to.
	if h := hover(svc, srcs["svc.hcl"], "local.image", 7); !strings.Contains(h.Contents.Value, `"shop/api:dev"`) {
		t.Errorf("local.image hover: %q", h.Contents.Value)
	}
	if h := hover(svc, srcs["svc.hcl"], "cache.stats", 2); !strings.Contains(h.Contents.Value, "cache.stats") {
		t.Errorf("cache.stats hover: %q", h.Contents.Value)
	}
	// A sensitive variable's value is never shown.
	h = hover(main, srcs["main.hcl"], "var.token", 5)
	if !strings.Contains(h.Contents.Value, "(sensitive)") || strings.Contains(h.Contents.Value, "s3cr3t") {
		t.Errorf("var.token hover: %q", h.Contents.Value)
	}
	// A nested block type.
	if h := hover(main, srcs["main.hcl"], "namespace", 1); !strings.Contains(h.Contents.Value, "DNS-1123") {
		t.Errorf("namespace hover: %q", h.Contents.Value)
	}
}

type wireLocation struct {
	URI   string    `json:"uri"`
	Range wireRange `json:"range"`
}

func TestDefinitionAndReferences(t *testing.T) {
	c, dir, srcs := session(t)
	svc, _ := openFile(c, dir, "svc.hcl", srcs["svc.hcl"])
	rt := uriOf(filepath.Join(dir, "runtime.hcl"))

	var locs []wireLocation
	c.Call("textDocument/definition", docParams(svc, posOf(t, srcs["svc.hcl"], "cache.stats", 8)), &locs)
	want := wireLocation{URI: rt, Range: wireRange{Start: posOf(t, srcs["runtime.hcl"], `"stats"`, 0), End: posOf(t, srcs["runtime.hcl"], `"stats"`, 7)}}
	if len(locs) != 1 || locs[0] != want {
		t.Fatalf("definition of cache.stats = %+v, want %+v", locs, want)
	}
	c.Call("textDocument/definition", docParams(svc, posOf(t, srcs["svc.hcl"], "local.image", 1)), &locs)
	if len(locs) != 1 || locs[0].Range.Start != posOf(t, srcs["main.hcl"], "image  =", 0) {
		t.Fatalf("definition of local.image = %+v", locs)
	}

	// From the declaration's label: every use, and the declaration when asked.
	params := docParams(rt, posOf(t, srcs["runtime.hcl"], `"main"`, 2))
	params["context"] = map[string]any{"includeDeclaration": true}
	c.Call("textDocument/references", params, &locs)
	if len(locs) != 2 || locs[0].URI != rt || locs[1].Range.Start != posOf(t, srcs["runtime.hcl"], "redis.main", 0) {
		t.Fatalf("references of redis.main = %+v", locs)
	}
	params = docParams(svc, posOf(t, srcs["svc.hcl"], "local.image", 3))
	params["context"] = map[string]any{"includeDeclaration": false}
	c.Call("textDocument/references", params, &locs)
	if len(locs) != 1 || locs[0].URI != svc {
		t.Fatalf("references of local.image = %+v", locs)
	}
}

func TestSymbolsAndFormatting(t *testing.T) {
	c, dir, srcs := session(t)
	messy := strings.Replace(srcs["svc.hcl"], "  image  = local.image", "image=local.image", 1)
	uri, _ := openFile(c, dir, "svc.hcl", messy)

	var syms []struct {
		Name     string `json:"name"`
		Children []struct {
			Name string `json:"name"`
		} `json:"children"`
	}
	c.Call("textDocument/documentSymbol", map[string]any{"textDocument": map[string]any{"uri": uri}}, &syms)
	if len(syms) != 1 || syms[0].Name != `service "api"` || len(syms[0].Children) != 4 || syms[0].Children[0].Name != "image" {
		t.Fatalf("symbols: %+v", syms)
	}

	var edits []struct {
		Range   wireRange `json:"range"`
		NewText string    `json:"newText"`
	}
	c.Call("textDocument/formatting", map[string]any{"textDocument": map[string]any{"uri": uri}, "options": map[string]any{"tabSize": 2, "insertSpaces": true}}, &edits)
	if len(edits) != 1 || edits[0].NewText != srcs["svc.hcl"] || edits[0].Range.Start != (wirePos{}) || edits[0].Range.End != posOf(t, messy, messy, len(messy)) {
		t.Fatalf("formatting: %+v", edits)
	}
	// A buffer that does not parse is left alone.
	c.Change(uri, 2, messy+"service {")
	c.Diagnostics(uri)
	c.Call("textDocument/formatting", map[string]any{"textDocument": map[string]any{"uri": uri}, "options": map[string]any{"tabSize": 2, "insertSpaces": true}}, &edits)
	if len(edits) != 0 {
		t.Fatalf("formatted a broken buffer: %+v", edits)
	}
}

// TestBurstOfEdits: a burst of didChange notifications, as fast typing
// sends, is followed by a completion that is answered, and the diagnostics
// eventually published are those of the last text (each edit breaks a
// different name, so the last one is recognisable).
func TestBurstOfEdits(t *testing.T) {
	c, dir, srcs := session(t)
	uri, _ := openFile(c, dir, "svc.hcl", srcs["svc.hcl"])
	const n = 30
	for i := 1; i <= n; i++ {
		c.Change(uri, i+1, strings.Replace(srcs["svc.hcl"], "local.image", fmt.Sprintf("var.nope%d", i), 1))
	}
	var items []wireItem
	c.Call("textDocument/completion", docParams(uri, posOf(t, srcs["svc.hcl"], "  uses", 2)), &items)
	if !slices.Contains(labels(items), "image") {
		t.Fatalf("completion during the burst: %v", labels(items))
	}
	for {
		d := c.Diagnostics(uri) // fails the test if the last state never comes
		if len(d) == 1 && strings.Contains(d[0].Message, fmt.Sprintf(`"nope%d"`, n)) {
			break
		}
	}
}

// TestPanicInCheckIsReported: a panic while checking (here from the
// caller's Check) becomes an error diagnostic, and the server keeps
// answering.
func TestPanicInCheckIsReported(t *testing.T) {
	dir, srcs := fixture(t)
	c := startServer(t, Options{Check: func(*schema.Model) hcl.Diagnostics { panic("boom") }})
	c.Initialize(uriOf(dir))
	_, d := openFile(c, dir, "svc.hcl", srcs["svc.hcl"])
	if len(d) != 1 || !strings.Contains(d[0].Message, "internal error") || !strings.Contains(d[0].Message, "boom") {
		t.Fatalf("diagnostics: %+v", d)
	}
	var items []wireItem
	c.Call("textDocument/completion", docParams(uriOf(filepath.Join(dir, "svc.hcl")), posOf(t, srcs["svc.hcl"], "  uses", 2)), &items)
	if len(items) == 0 {
		t.Fatal("no completion after the panic")
	}
}
