package lang

import (
	"strings"
	"testing"
)

const dynamicConfig = `
project "p" {}
variable "prod" { default = false }
variable "servers" {
  type    = list(string)
  default = ["10.0.0.1:80", "10.0.0.2:80"]
}
service "api" {
  image = "app:1"
  dynamic "autoscale" {
    for_each = var.prod ? [1] : []
    content {
      min = 3
      max = 10
    }
  }
}
load_balancer "lb" {
  listen = 8080
  dynamic "backend" {
    for_each = var.servers
    labels   = ["s${backend.key}"]
    content {
      address = backend.value
    }
  }
}
`

// TestDynamicBlocks generates nested blocks with dynamic/for_each, the way
// one source varies per environment.
func TestDynamicBlocks(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": dynamicConfig})
	for _, c := range []struct {
		vars      []string
		autoscale bool
		backends  string
	}{
		{nil, false, "s0=10.0.0.1,s1=10.0.0.2"},
		{[]string{"prod=true", `servers=["10.1.0.1:80"]`}, true, "s0=10.1.0.1"},
	} {
		res := Load(dir, Options{Vars: c.vars})
		if res.Model == nil {
			t.Fatalf("%v: diagnostics:\n%s", c.vars, renderDiags(res))
		}
		if got := res.Model.Service("api").Autoscale != nil; got != c.autoscale {
			t.Errorf("%v: autoscale present = %v", c.vars, got)
		}
		var bs []string
		for _, b := range res.Model.LoadBalancer("lb").Backends {
			bs = append(bs, b.Name+"="+b.Host)
		}
		if got := strings.Join(bs, ","); got != c.backends {
			t.Errorf("%v: backends %s, want %s", c.vars, got, c.backends)
		}
	}
}
