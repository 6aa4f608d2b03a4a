package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/rogpeppe/go-internal/testscript"
	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/nbac/nbac/golden"
	"github.com/nbac/nbac/lang/lsp"
	"github.com/nbac/nbac/lang/lsp/lsptest"
)

// TestLSPDiagnosticsMatchValidate: on every golden case (valid ones, with
// the emitters' warnings, and every kind of error), the diagnostics the
// language server publishes after opening the configuration's first file
// are exactly those `nbac validate` reports: same files, lines, severities
// and messages.
func TestLSPDiagnosticsMatchValidate(t *testing.T) {
	cases, err := filepath.Glob("../../golden/*.txtar")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	compared := 0 // diagnostics compared, so that the test cannot pass vacuously
	defer func() {
		if compared < 20 {
			t.Errorf("only %d diagnostics compared over %d cases", compared, len(cases))
		}
	}()
	for _, name := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(name), ".txtar"), func(t *testing.T) {
			c, err := golden.ReadCase(name)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Args) > 0 {
				t.Skip("the case sets variables or environment; an editor loads with none")
			}
			dir := t.TempDir()
			if err := golden.WriteInputs(dir, c.Inputs, nil); err != nil {
				t.Fatal(err)
			}
			var first string
			for _, f := range c.Inputs {
				if strings.HasSuffix(f.Name, ".hcl") && !strings.Contains(f.Name, "/") && (first == "" || f.Name < first) {
					first = f.Name
				}
			}
			if first == "" {
				t.Skip("no native-syntax file to open")
			}
			firstPath := filepath.Join(dir, first)

			var want []string
			for _, d := range compile(dir, inputFlags{}).diags {
				file, line := firstPath, 0
				if d.Subject != nil && d.Subject.Filename != "" {
					file, line = d.Subject.Filename, d.Subject.Start.Line-1
				}
				msg := d.Summary
				if d.Detail != "" {
					msg += ": " + d.Detail // how the server words a diagnostic
				}
				want = append(want, diagKey(file, line, d.Severity == hcl.DiagError, msg))
			}

			published := map[string][]protocol.Diagnostic{}
			s := lsp.New(lspOptions(), func(method string, params any) {
				if p, ok := params.(protocol.PublishDiagnosticsParams); ok && method == protocol.ServerTextDocumentPublishDiagnostics {
					published[string(p.URI)] = p.Diagnostics
				}
			})
			src, err := os.ReadFile(firstPath)
			if err != nil {
				t.Fatal(err)
			}
			s.Open("file://"+filepath.ToSlash(firstPath), string(src))
			var got []string
			for uri, ds := range published {
				file := filepath.FromSlash(strings.TrimPrefix(uri, "file://"))
				for _, d := range ds {
					got = append(got, diagKey(file, int(d.Range.Start.Line), *d.Severity == protocol.DiagnosticSeverityError, d.Message))
				}
			}
			compared += len(want)
			sort.Strings(want)
			sort.Strings(got)
			if !slices.Equal(got, want) {
				t.Errorf("language server:\n  %s\nnbac validate:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}

func diagKey(file string, line int, isErr bool, msg string) string {
	sev := "warning"
	if isErr {
		sev = "error"
	}
	return fmt.Sprintf("%s:%d %s %s", filepath.Base(file), line+1, sev, msg)
}

// TestNeovim: a real editor's client. Neovim (Debian package neovim)
// headless runs `nbac lsp` with its built-in LSP client on a copy of
// examples/nba (testdata/nvim/*.txtar hold the Lua client and what it must
// see). Skips loudly without nvim; fails under NBAC_REQUIRE_SERVICES=1.
func TestNeovim(t *testing.T) {
	if _, err := exec.LookPath("nvim"); err != nil {
		msg := "nvim is not installed (apt-get install -y neovim): the test with a real LSP client did NOT run"
		if os.Getenv("NBAC_REQUIRE_SERVICES") == "1" {
			t.Fatal(msg)
		}
		t.Skip("SKIP: " + msg)
	}
	examples, err := filepath.Abs("../../examples/nba")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/nvim",
		Setup: func(env *testscript.Env) error {
			nba := filepath.Join(env.WorkDir, "nba")
			if err := os.CopyFS(nba, os.DirFS(examples)); err != nil {
				return err
			}
			env.Setenv("NBA", nba)
			env.Setenv("XDG_STATE_HOME", filepath.Join(env.WorkDir, ".state")) // nvim's log and shada stay in the sandbox
			env.Setenv("XDG_DATA_HOME", filepath.Join(env.WorkDir, ".data"))
			return nil
		},
	})
}

// TestLSPOverStdio: the `nbac lsp` process, over its real standard input
// and output: initialize, didOpen, didChange, completion, hover,
// definition, then shutdown and exit, after which the process ends with
// exit 0. (TestMain puts this test binary on PATH as nbac.)
func TestLSPOverStdio(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../examples/nba")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("nbac", "lsp")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		stdin.Close()
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
		}
	})
	c := lsptest.New(t, stdout, stdin)
	c.Initialize(lsptest.URI(dir))

	srcBytes, err := os.ReadFile(filepath.Join(dir, "service.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	src := string(srcBytes)
	uri := lsptest.URI(filepath.Join(dir, "service.hcl"))
	c.Open(uri, src)
	if d := c.Diagnostics(uri); len(d) != 0 {
		t.Fatalf("examples/nba/service.hcl: %+v", d)
	}
	broken := strings.Replace(src, "port   = 8000", "port   = var.nope", 1)
	c.Change(uri, 2, broken)
	d := c.Diagnostics(uri)
	if len(d) != 1 || d[0].Range.Start != lsptest.PosOf(t, broken, "var.nope", 0) {
		t.Fatalf("after the edit: %+v", d)
	}

	var items []struct{ Label string }
	c.Call("textDocument/completion", lsptest.DocParams(uri, lsptest.PosOf(t, broken, "cache.player_stats", len("cache."))), &items)
	if len(items) != 1 || items[0].Label != "player_stats" {
		t.Fatalf("completion after cache.: %+v", items)
	}
	var hover struct{ Contents struct{ Value string } }
	c.Call("textDocument/hover", lsptest.DocParams(uri, lsptest.PosOf(t, broken, "expose", 1)), &hover)
	if !strings.Contains(hover.Contents.Value, "LoadBalancer") {
		t.Fatalf("hover on expose: %q", hover.Contents.Value)
	}
	var locs []struct {
		URI   string
		Range lsptest.Range
	}
	c.Call("textDocument/definition", lsptest.DocParams(uri, lsptest.PosOf(t, broken, "queue.ml_training", 7)), &locs)
	if len(locs) != 1 || locs[0].URI != lsptest.URI(filepath.Join(dir, "runtime.hcl")) {
		t.Fatalf("definition of queue.ml_training: %+v", locs)
	}

	c.Call("shutdown", nil, nil)
	c.Notify("exit", nil)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("nbac lsp after exit: %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(lsptest.Wait):
		t.Fatalf("nbac lsp still running %s after exit", lsptest.Wait)
	}
	if stderr.Len() > 0 {
		t.Errorf("stderr: %s", stderr.String())
	}
}
