package validate

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// TestKubernetesRules covers each class of API server rule that
// kubernetes_rules.go mirrors, on both sides of its boundary; the
// conformance/kubernetes module proves the same against the upstream code.
func TestKubernetesRules(t *testing.T) {
	maxSecs := schema.Duration(math.MaxInt32 * time.Second)
	cases := []struct {
		name    string
		mutate  func(s *schema.Service)
		summary string // "" = valid
		line    int
		detail  string
	}{
		{"empty image", func(s *schema.Service) { s.Image = "" }, "Missing image", 2, "requires a container image"},
		{"image with trailing space", func(s *schema.Service) { s.Image = "nginx:1 " }, "Invalid image", 2, "white space"},
		{"image with leading tab", func(s *schema.Service) { s.Image = "\tnginx:1" }, "Invalid image", 2, "white space"},

		{"ingress host IPv4", func(s *schema.Service) { s.Ingress.Host = "1.2.3.4" }, "Invalid host", 50, "not an IP address"},
		{"ingress host IPv4 leading zeros", func(s *schema.Service) { s.Ingress.Host = "01.02.03.04" }, "Invalid host", 50, "not an IP address"},
		{"ingress host IPv6", func(s *schema.Service) { s.Ingress.Host = "2001:db8::1" }, "Invalid host", 50, "not an IP address"},
		{"ingress host star inside", func(s *schema.Service) { s.Ingress.Host = "a.*.example.com" }, "Invalid host", 50, "wildcard"},
		{"ingress host star alone", func(s *schema.Service) { s.Ingress.Host = "*" }, "Invalid host", 50, "wildcard"},
		{"ingress host wildcard", func(s *schema.Service) { s.Ingress.Host = "*.example.com" }, "", 0, ""},
		{"ingress host dotted digits", func(s *schema.Service) { s.Ingress.Host = "1.2.3" }, "", 0, ""},

		{"ingress path double slash", func(s *schema.Service) { s.Ingress.Path = "/a//b" }, "Invalid path", 30, "'//'"},
		{"ingress path dot segment", func(s *schema.Service) { s.Ingress.Path = "/a/./b" }, "Invalid path", 30, "'/./'"},
		{"ingress path dot-dot segment", func(s *schema.Service) { s.Ingress.Path = "/a/../b" }, "Invalid path", 30, "'/../'"},
		{"ingress path encoded slash", func(s *schema.Service) { s.Ingress.Path = "/a%2Fb" }, "Invalid path", 30, "'%2F'"},
		{"ingress path ends in dot-dot", func(s *schema.Service) { s.Ingress.Path = "/a/.." }, "Invalid path", 30, "cannot end with '/..'"},
		{"ingress path ends in dot", func(s *schema.Service) { s.Ingress.Path = "/." }, "Invalid path", 30, "cannot end with '/.'"},
		{"ingress path with dots in a name", func(s *schema.Service) { s.Ingress.Path = "/a.b/...c" }, "", 0, ""},

		{"period at int32 seconds", func(s *schema.Service) { s.Probes[0].Period = maxSecs }, "", 0, ""},
		{"period one second over", func(s *schema.Service) { s.Probes[0].Period = maxSecs + schema.Duration(time.Second) }, "Duration too long", 32, "2147483647"},
		{"timeout rounds up over", func(s *schema.Service) { s.Probes[0].Timeout = maxSecs + 1 }, "Duration too long", 33, "32-bit"},
		{"initial delay overflow", func(s *schema.Service) { s.Probes[0].InitialDelay = schema.Duration(596524 * time.Hour) }, "Duration too long", 34, "68 years"},

		{"annotations at 256 KiB", func(s *schema.Service) {
			s.Annotations = map[string]string{"example.com/big": strings.Repeat("x", 262144-len("example.com/big"))}
		}, "", 0, ""},
		{"annotations one byte over", func(s *schema.Service) {
			s.Annotations = map[string]string{"example.com/big": strings.Repeat("x", 262145-len("example.com/big"))}
		}, "Annotations too large", 8, "262144"},
		{"env name of 253 characters", func(s *schema.Service) { s.Env = map[string]string{strings.Repeat("A", 253): "x"} }, "", 0, ""},
		{"env name of 254 characters", func(s *schema.Service) { s.Env = map[string]string{strings.Repeat("A", 254): "x"} }, "Invalid environment variable name", 6, "no more than 253"},
		{"env values at 1 MiB", func(s *schema.Service) { s.Env = map[string]string{"A": strings.Repeat("x", 1<<20)} }, "", 0, ""},
		{"env values over 1 MiB", func(s *schema.Service) {
			s.Env = map[string]string{"A": strings.Repeat("x", 1<<19), "B": strings.Repeat("x", 1<<19+1)}
		}, "Environment too large", 6, "1 MiB"},
		{"ingress certificate ARN too large", func(s *schema.Service) {
			s.Ingress.ALB.CertificateARN = "arn:" + strings.Repeat("x", 262144)
		}, "Annotations too large", 62, "certificate_arn"},
		{"ALB healthcheck path too large", func(s *schema.Service) {
			s.Probes[1] = schema.Probe{Kind: "readiness", Type: "http", Path: "/" + strings.Repeat("p", 262144), Src: src(28, "path")}
		}, "Annotations too large", 30, "probe path"},
		{"large readiness path without an ALB", func(s *schema.Service) {
			s.Ingress.Class, s.Ingress.ALB = "nginx", nil
			s.Probes[1] = schema.Probe{Kind: "readiness", Type: "http", Path: "/" + strings.Repeat("p", 262144), Src: src(28, "path")}
		}, "", 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := validService()
			tc.mutate(&s)
			diags := services(svcModel(s))
			if tc.summary == "" {
				if len(diags) != 0 {
					t.Fatalf("want no diagnostic, got %v", diags)
				}
				return
			}
			if len(diags) != 1 {
				t.Fatalf("want exactly one diagnostic, got %d: %v", len(diags), diags)
			}
			d := diags[0]
			if d.Severity != hcl.DiagError || d.Summary != tc.summary {
				t.Fatalf("got %q (%s), want error %q", d.Summary, d.Detail, tc.summary)
			}
			if d.Subject == nil || d.Subject.Start.Line != tc.line {
				t.Fatalf("subject = %v, want line %d", d.Subject, tc.line)
			}
			if !strings.Contains(d.Detail, tc.detail) {
				t.Fatalf("detail %q does not contain %q", d.Detail, tc.detail)
			}
		})
	}
}
