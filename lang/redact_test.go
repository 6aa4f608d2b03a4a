package lang

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSensitiveValuesNeverInDiagnostics plants a canary in every way a
// sensitive value reaches the compiler and makes each of them fail; no
// diagnostic's summary or detail, and no rendering of them (hcl's own
// text writer, which also prints the values of an expression's variables
// and the source snippets from res.Files), may contain it. The CLI's
// outputs are covered by cmd/nbac/testdata/script/secrets_canary.txtar.
func TestSensitiveValuesNeverInDiagnostics(t *testing.T) {
	const canary = "C4N4RY"
	dir := writeConfig(t, map[string]string{"main.hcl": `
project "p" {}
variable "n" {
  type      = number
  sensitive = true
  default   = 1
}
variable "s" {
  type      = string
  sensitive = true
  default   = "C4N4RY-default"
  validation {
    condition     = parseint(var.s, 10) > 0
    error_message = "bad ${var.s}"
  }
}
variable "t" {
  type      = string
  sensitive = true
  default   = "C4N4RY-t"
}
variable "l" {
  type      = list(string)
  sensitive = true
  default   = ["C4N4RY-l", "C4N4RY-l"]
}
variable "o" {
  type      = object({ user = string, port = number })
  sensitive = true
  default   = { user = "C4N4RY-user", port = 1 }
}
locals {
  up   = upper(var.t)
  num  = parseint(local.up, 10)
  keys = { for k in var.l : k => 1 }
  dur  = duration(var.t)
  conv = tonumber(var.o.user)
}
service "a" {
  image = "x:1"
  dynamic "probe" {
    for_each = var.l
    labels   = [probe.value]
    content {
      path = "/x"
    }
  }
}
service "b" {
  image = "x:1"
  dynamic "secret_env" {
    for_each = ["k"]
    labels   = [var.t]
    content {
      secret = "s"
      key    = "k"
    }
  }
}
service "c" {
  image    = "x:1"
  replicas = tonumber(var.t)
  env      = { A = var.t }
}
`})
	varFile := filepath.Join(dir, "v.nbvars")
	if err := os.WriteFile(varFile, []byte("n = \"C4N4RY-file\"\no = { user = 1, port = \"C4N4RY-port\" }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, opts := range map[string]Options{
		"defaults":           {},
		"-var word":          {Vars: []string{"n=C4N4RY-var"}},
		"-var string":        {Vars: []string{`n="C4N4RY-quoted"`}},
		"-var unparsable":    {Vars: []string{"n=[C4N4RY"}},
		"-var function":      {Vars: []string{`n=parseint("C4N4RY-fn", 10)`}},
		"-var object":        {Vars: []string{`o={ user = 1, port = "C4N4RY-obj" }`}},
		"NBAC_VAR_":          {Environ: []string{"NBAC_VAR_n=C4N4RY-env"}},
		"-var-file":          {VarFiles: []string{varFile}},
		"-var-file and -var": {VarFiles: []string{varFile}, Vars: []string{"t=C4N4RY-later"}},
		"malformed -var":     {Vars: []string{"n:C4N4RY-colon"}},
		"NBAC_VAR_ string":   {Environ: []string{"NBAC_VAR_t=C4N4RY-env-t"}},
	} {
		t.Run(name, func(t *testing.T) {
			res := Load(dir, opts)
			if !res.Diags.HasErrors() {
				t.Fatal("want errors")
			}
			for _, d := range res.Diags {
				if strings.Contains(d.Summary+d.Detail, canary) {
					t.Errorf("canary in %s: %s", d.Summary, d.Detail)
				}
			}
			if out := renderDiags(res); strings.Contains(out, canary) {
				t.Errorf("canary in the rendered diagnostics:\n%s", out)
			}
		})
	}
}
