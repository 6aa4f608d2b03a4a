package lang

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeConfig writes files (name -> content) into a fresh directory.
func writeConfig(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const precedenceConfig = `
project "p" {}
variable "replicas" {
  type    = number
  default = 1
}
variable "tag" {
  default = "default"
}
variable "hosts" {
  type    = list(string)
  default = []
}
service "api" {
  image    = "app:${var.tag}"
  replicas = var.replicas
  command  = var.hosts
}
`

// TestVariablePrecedence follows Terraform: default < NBAC_VAR_ <
// -var-file (in order) < -var (in order).
func TestVariablePrecedence(t *testing.T) {
	dir := writeConfig(t, map[string]string{
		"main.hcl":    precedenceConfig,
		"a.nbvars":    "replicas = 2\ntag = \"file-a\"\n",
		"b.nbvars":    "replicas = 3\n",
		"skip.nbvars": "replicas = 99\n", // never read: var files are only what -var-file names
	})
	varFile := func(n string) string { return filepath.Join(dir, n) }
	cases := []struct {
		name     string
		opts     Options
		replicas int
		tag      string
		command  []string
	}{
		{"defaults", Options{}, 1, "default", nil},
		{"env", Options{Environ: []string{"NBAC_VAR_replicas=5", "NBAC_VAR_tag=env"}}, 5, "env", nil},
		{"var file beats env", Options{Environ: []string{"NBAC_VAR_replicas=5"}, VarFiles: []string{varFile("a.nbvars")}}, 2, "file-a", nil},
		{"later var file wins", Options{VarFiles: []string{varFile("a.nbvars"), varFile("b.nbvars")}}, 3, "file-a", nil},
		{"-var beats var file", Options{VarFiles: []string{varFile("b.nbvars")}, Vars: []string{"replicas=7"}}, 7, "default", nil},
		{"later -var wins", Options{Vars: []string{"replicas=7", "replicas=8"}}, 8, "default", nil},
		{"string taken literally", Options{Vars: []string{"tag=1.0 beta=x"}}, 1, "1.0 beta=x", nil},
		{"list parsed as HCL", Options{Vars: []string{`hosts=["a", "b"]`}}, 1, "default", []string{"a", "b"}},
		{"unrelated env ignored", Options{Environ: []string{"NBAC_VAR_other=1", "PATH=/bin"}}, 1, "default", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := Load(dir, c.opts)
			if res.Model == nil {
				t.Fatalf("diagnostics:\n%s", renderDiags(res))
			}
			s := res.Model.Service("api")
			if s.Replicas != c.replicas || s.Image != "app:"+c.tag || strings.Join(s.Command, ",") != strings.Join(c.command, ",") {
				t.Errorf("replicas %d image %q command %q; want %d, app:%s, %q", s.Replicas, s.Image, s.Command, c.replicas, c.tag, c.command)
			}
		})
	}
}

// TestVariableErrors covers mistakes made outside the configuration files
// (command line, environment, var files), which error files cannot mark.
func TestVariableErrors(t *testing.T) {
	dir := writeConfig(t, map[string]string{
		"main.hcl":      precedenceConfig,
		"typo.nbvars":   "replica = 2\n",
		"broken.nbvars": "replicas = \n",
		"wrong.nbvars":  "replicas = \"many\"\n",
	})
	cases := []struct {
		name    string
		opts    Options
		summary string
		detail  string
		line    int // 0: no source range expected
	}{
		{"undeclared -var", Options{Vars: []string{"replica=2"}}, "Value for undeclared variable", `Did you mean "replicas"`, 0},
		{"-var without =", Options{Vars: []string{"replicas"}}, "Invalid -var option", "NAME=VALUE", 0},
		{"undeclared in var file", Options{VarFiles: []string{filepath.Join(dir, "typo.nbvars")}}, "Value for undeclared variable", `Did you mean "replicas"`, 1},
		{"var file syntax", Options{VarFiles: []string{filepath.Join(dir, "broken.nbvars")}}, "Invalid expression", "", 1},
		{"var file wrong type", Options{VarFiles: []string{filepath.Join(dir, "wrong.nbvars")}}, "Invalid value for variable", "number", 1},
		{"-var wrong type", Options{Vars: []string{"replicas=many"}}, "Invalid value for variable", "is not a number", 1},
		{"-var bad list", Options{Vars: []string{`hosts=["a",`}}, "", "-var hosts", 1},
		{"env wrong type", Options{Environ: []string{"NBAC_VAR_replicas=[1]"}}, "Invalid value for variable", "NBAC_VAR_replicas", 1},
		{"missing var file", Options{VarFiles: []string{filepath.Join(dir, "nope.nbvars")}}, "Cannot read var file", "does not exist (open ", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := Load(dir, c.opts)
			if res.Model != nil {
				t.Fatal("expected errors, got a model")
			}
			for _, d := range res.Diags {
				if strings.Contains(d.Summary, c.summary) && strings.Contains(d.Detail, c.detail) {
					if c.line > 0 && (d.Subject == nil || d.Subject.Start.Line != c.line) {
						t.Errorf("diagnostic at %v, want line %d", d.Subject, c.line)
					}
					return
				}
			}
			t.Errorf("no diagnostic %q / %q in:\n%s", c.summary, c.detail, renderDiags(res))
		})
	}
}

func TestSensitiveNeverInModel(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
project "p" {}
variable "password" {
  default   = "hunter2"
  sensitive = true
}
locals {
  has_password = length(var.password) > 0
}
service "api" {
  image = "app:1"
  secret_env "PASSWORD" {
    secret = "db"
    key    = "password"
  }
}
`})
	res := Load(dir, Options{Vars: []string{"password=s3cr3t"}})
	if res.Model == nil {
		t.Fatalf("diagnostics:\n%s", renderDiags(res))
	}
	if s := res.Model.Service("api"); len(s.SecretEnv) != 1 || s.SecretEnv[0].Secret != "db" {
		t.Errorf("secret_env = %+v", s.SecretEnv)
	}
}

func TestEnvReadsRecorded(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
project "p" {
  allow_env = ["IMAGE_TAG", "REGION"]
}
service "api" {
  image  = "app:${env("IMAGE_TAG")}"
  labels = { region = env("REGION") }
}
`})
	res := Load(dir, Options{Environ: []string{"IMAGE_TAG=v2", "REGION=eu"}})
	if res.Model == nil {
		t.Fatalf("diagnostics:\n%s", renderDiags(res))
	}
	if got := strings.Join(res.Model.EnvReads, ","); got != "IMAGE_TAG,REGION" {
		t.Errorf("EnvReads = %q", got)
	}
	if img := res.Model.Service("api").Image; img != "app:v2" {
		t.Errorf("image = %q", img)
	}
	// The CLI's -allow-env extends the project's list.
	dir2 := writeConfig(t, map[string]string{"main.hcl": `
project "p" {}
service "api" { image = "app:${env("TAG")}" }
`})
	if res := Load(dir2, Options{Environ: []string{"TAG=x"}, AllowEnv: []string{"TAG"}}); res.Model == nil {
		t.Errorf("AllowEnv did not allow env(\"TAG\"):\n%s", renderDiags(res))
	}
}
