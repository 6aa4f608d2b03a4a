package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/nbac/nbac/emit/plan"
)

func compileSchema(t *testing.T, name string, data []byte) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(name, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// runJSON runs the CLI and validates its stdout against schema.
func runJSON(t *testing.T, s *jsonschema.Schema, wantCode int, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(args, &stdout, &stderr); code != wantCode {
		t.Fatalf("nbac %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, wantCode, stdout.String(), stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("nbac %s: -json wrote to stderr:\n%s", strings.Join(args, " "), stderr.String())
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(stdout.Bytes()))
	if err != nil {
		t.Fatalf("nbac %s: stdout is not JSON: %v\n%s", strings.Join(args, " "), err, stdout.String())
	}
	if err := s.Validate(inst); err != nil {
		t.Fatalf("nbac %s: output does not match the documented schema: %v\n%s", strings.Join(args, " "), err, stdout.String())
	}
	return stdout.String()
}

// TestJSONOutputsMatchSchemas runs build, validate and plan with -json on
// a valid configuration with a warning and on one with errors, and checks
// every document against the schemas docs/cli.md documents.
func TestJSONOutputsMatchSchemas(t *testing.T) {
	cliSchema, err := os.ReadFile("cli.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	cli := compileSchema(t, "cli.schema.json", cliSchema)
	pl := compileSchema(t, "plan.schema.json", plan.Schema)

	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	bad := filepath.Join(dir, "bad")
	os.MkdirAll(good, 0o755)
	os.MkdirAll(bad, 0o755)
	os.WriteFile(filepath.Join(good, "main.hcl"), []byte(`project "shop" {}

variable "replicas" {
  type    = number
  default = 1
}

service "api" {
  image    = "registry.example.com/api:v1"
  replicas = var.replicas
}

load_balancer "edge" {
  targets = ["haproxy"]
  listen  = 8080
  rate_limit {
    requests_per_second = 10
    burst               = 20
  }
  backend "a" { address = "10.0.0.1:80" }
}
`), 0o644)
	os.WriteFile(filepath.Join(bad, "main.hcl"), []byte("project \"shop\" {\n  nmespace = \"x\"\n}\n\nservice \"api\" {\n  image = 3 +\n}\n"), 0o644)
	out := filepath.Join(dir, "out")

	for _, args := range [][]string{
		{"validate", "-json", good},
		{"build", "-json", good, "-o", out},
	} {
		if s := runJSON(t, cli, exitOK, args...); !strings.Contains(s, `"severity": "warning"`) {
			t.Errorf("nbac %v: the warning is missing:\n%s", args, s)
		}
	}
	for _, args := range [][]string{
		{"validate", "-json", bad},
		{"build", "-json", bad, "-o", out},
	} {
		s := runJSON(t, cli, exitError, args...)
		if !strings.Contains(s, `"severity": "error"`) || !strings.Contains(s, `"snippet"`) {
			t.Errorf("nbac %v: no error with a snippet:\n%s", args, s)
		}
	}
	// A diagnostic without a source range (a missing path) has no range.
	runJSON(t, cli, exitError, "validate", "-json", filepath.Join(dir, "nosuch"))

	runJSON(t, pl, exitOK, "plan", "-json", good, "-o", out)
	if s := runJSON(t, pl, exitChanges, "plan", "-json", "-detailed-exitcode", good, "-o", out, "-var", "replicas=2"); !strings.Contains(s, `"path": "spec.replicas"`) {
		t.Errorf("plan JSON lacks the replicas change:\n%s", s)
	}
	runJSON(t, pl, exitError, "plan", "-json", bad, "-o", out)
}

// TestGitHubEscaping checks the workflow-command escaping rules: data
// escapes %, CR and LF; properties also escape : and ,.
func TestGitHubEscaping(t *testing.T) {
	if got := escapeData("50% done\r\nnext: a,b"); got != "50%25 done%0D%0Anext: a,b" {
		t.Errorf("escapeData = %q", got)
	}
	if got := escapeProperty("a:b,c%\n"); got != "a%3Ab%2Cc%25%0A" {
		t.Errorf("escapeProperty = %q", got)
	}
}

// TestVersionSources checks where `nbac version` takes the version from: a
// semantic version passed with -ldflags wins, `make build`'s bare commit
// hash (git describe without a tag) does not replace releaseVersion, and
// commit and date from -ldflags are reported as given.
func TestVersionSources(t *testing.T) {
	defer func(v, c, d string) { version, commit, date = v, c, d }(version, commit, date)
	for _, tc := range []struct{ ldflag, want string }{
		{"", releaseVersion},
		{"3c23096", releaseVersion},
		{"3c23096-dirty", releaseVersion},
		{"v0.2.0", "0.2.0"},
		{"v0.1.0-3-g3c23096", "0.1.0-3-g3c23096"},
	} {
		version, commit, date = tc.ldflag, "abc123", "2026-12-07T00:00:00Z"
		got := currentVersion()
		if got.Version != tc.want || got.Commit != "abc123" || got.Date != "2026-12-07T00:00:00Z" {
			t.Errorf("-X main.version=%q: got %+v, want version %s", tc.ldflag, got, tc.want)
		}
	}
}
