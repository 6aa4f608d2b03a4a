package validate

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// svcAttrLines gives every attribute its own line, so a test can check
// that a diagnostic points at the attribute that broke the rule.
var svcAttrLines = map[string]int{
	"image": 2, "port": 3, "expose": 4, "replicas": 5, "env": 6, "labels": 7, "annotations": 8, "uses": 9,
	"cpu": 20, "memory": 21,
	"path": 30, "type": 31, "period": 32, "timeout": 33, "initial_delay": 34, "failure_threshold": 35, "command": 36,
	"min": 40, "max": 41, "cpu_percent": 42, "memory_percent": 43,
	"host": 50, "class": 51, "tls_secret": 52, "issuer": 53, "rate_limit": 54,
	"scheme": 60, "target_type": 61, "certificate_arn": 62,
	"secret": 70, "key": 71,
}

func rangeAt(line int) hcl.Range {
	return hcl.Range{Filename: "svc.hcl", Start: hcl.Pos{Line: line, Column: 3, Byte: 0}, End: hcl.Pos{Line: line, Column: 9}}
}

// src returns a Source whose block starts at blockLine and whose attrs
// are the given ones.
func src(blockLine int, attrs ...string) schema.Source {
	s := schema.Source{Block: rangeAt(blockLine)}
	for _, a := range attrs {
		s.Set(a, rangeAt(svcAttrLines[a]))
	}
	return s
}

func validService() schema.Service {
	return schema.Service{
		Name: "api", Image: "registry.example.com/api:v1", Port: 8000, Expose: "ClusterIP", Replicas: 2,
		Env:       map[string]string{"LOG_LEVEL": "info"},
		Labels:    map[string]string{"tier": "backend", "app.kubernetes.io/component": "api"},
		SecretEnv: []schema.SecretEnv{{Name: "DB_PASSWORD", Secret: "nba-db", Key: "password", Src: src(12, "secret", "key")}},
		Resources: schema.Resources{CPURequest: "200m", CPULimit: "1", MemoryRequest: "512Mi", MemoryLimit: "1Gi", Src: src(19, "cpu", "memory")},
		Probes: []schema.Probe{
			{Kind: "liveness", Type: "http", Path: "/health", Src: src(29, "path", "type", "period", "timeout", "initial_delay", "failure_threshold")},
			{Kind: "readiness", Type: "tcp", Period: schema.Duration(5 * time.Second), Src: src(28, "type", "period")},
			{Kind: "startup", Type: "exec", Command: []string{"/health"}, Src: src(27, "type", "command")},
		},
		Autoscale: &schema.Autoscale{Min: 2, Max: 5, CPUPercent: 70, Src: src(39, "min", "max", "cpu_percent", "memory_percent")},
		Ingress: &schema.Ingress{Host: "api.example.com", Path: "/", Class: "alb", TLS: true,
			ALB: &schema.ALB{Scheme: "internal", TargetType: "ip", CertificateARN: "arn:aws:acm:eu-west-1:1:certificate/x", Src: src(59, "scheme", "target_type", "certificate_arn")},
			Src: src(49, "host", "path", "class", "tls_secret", "issuer", "rate_limit")},
		Uses: []schema.Ref{{Kind: "cache", Name: "stats"}},
		Src:  src(1, "image", "port", "expose", "replicas", "env", "labels", "annotations", "uses"),
	}
}

func svcModel(s schema.Service) *schema.Model {
	return &schema.Model{
		Version:  schema.Version,
		Project:  schema.Project{Name: "p", Namespace: "p"},
		Services: []schema.Service{s},
		Caches:   []schema.Cache{{Name: "stats", L1: &schema.L1Cache{MaxEntries: 10, TTL: schema.Duration(time.Minute)}}},
	}
}

func TestValidServiceHasNoDiagnostics(t *testing.T) {
	if d := services(svcModel(validService())); len(d) != 0 {
		t.Fatalf("unexpected diagnostics: %v", d)
	}
	// The smallest service (defaults left to the emitter) is valid too.
	if d := services(svcModel(schema.Service{Name: "web", Image: "nginx", Port: 80})); len(d) != 0 {
		t.Fatalf("unexpected diagnostics: %v", d)
	}
}

func TestServiceRules(t *testing.T) {
	cases := []struct {
		name    string
		mutate  func(s *schema.Service)
		summary string
		line    int    // line of the diagnostic's subject
		detail  string // substring of the detail
	}{
		{"name with underscore", func(s *schema.Service) { s.Name = "my_api" }, "Invalid service name", 1, "DNS label"},
		{"name starting with digit", func(s *schema.Service) { s.Name = "1api" }, "Invalid service name", 1, "starting with a letter"},
		{"name too long", func(s *schema.Service) { s.Name = strings.Repeat("a", 64) }, "Invalid service name", 1, "63"},
		{"port zero", func(s *schema.Service) { s.Port = 0 }, "Invalid port", 3, "1 to 65535"},
		{"port too high", func(s *schema.Service) { s.Port = 65536 }, "Invalid port", 3, "65536"},
		{"expose lower case", func(s *schema.Service) { s.Expose = "clusterip" }, "Invalid value", 4, "case matters"},
		{"negative replicas", func(s *schema.Service) { s.Replicas = -1 }, "Value out of range", 5, "0 or more"},
		{"env name with dash", func(s *schema.Service) { s.Env["LOG-LEVEL"] = "x" }, "Invalid environment variable name", 6, `"LOG-LEVEL"`},
		{"env name with digit first", func(s *schema.Service) { s.Env["1X"] = "x" }, "Invalid environment variable name", 6, "not starting with a digit"},
		{"NBAC_MODEL in env", func(s *schema.Service) { s.Env["NBAC_MODEL"] = "/x" }, "Reserved environment variable", 6, "/etc/nbac/model.json"},
		{"reserved label", func(s *schema.Service) { s.Labels["app.kubernetes.io/name"] = "x" }, "Reserved label key", 7, "component"},
		{"bad label key", func(s *schema.Service) { s.Labels["bad key"] = "x" }, "Invalid label key", 7, `"bad key"`},
		{"bad label value", func(s *schema.Service) { s.Labels["tier"] = "back end" }, "Invalid label value", 7, `"back end"`},
		{"bad annotation key", func(s *schema.Service) { s.Annotations = map[string]string{"a b": "x"} }, "Invalid annotation key", 8, `"a b"`},
		{"secret_env bad name", func(s *schema.Service) { s.SecretEnv[0].Name = "DB-PASS" }, "Invalid environment variable name", 12, "DB_PASSWORD"},
		{"secret_env duplicate", func(s *schema.Service) { s.SecretEnv = append(s.SecretEnv, s.SecretEnv[0]) }, "Duplicate secret_env", 12, "declared twice"},
		{"secret_env also in env", func(s *schema.Service) { s.Env["DB_PASSWORD"] = "x" }, "Environment variable set twice", 12, "also a key of env"},
		{"secret name", func(s *schema.Service) { s.SecretEnv[0].Secret = "NBA_DB" }, "Invalid Secret name", 70, `"NBA_DB"`},
		{"secret key", func(s *schema.Service) { s.SecretEnv[0].Key = "pass word" }, "Invalid Secret key", 71, `"pass word"`},
		{"bad cpu quantity", func(s *schema.Service) { s.Resources.CPURequest = "two" }, "Invalid Kubernetes quantity", 20, `"250m" or "2"`},
		{"bad memory quantity", func(s *schema.Service) { s.Resources.MemoryLimit = "1GB " }, "Invalid Kubernetes quantity", 21, `"512Mi" or "1Gi"`},
		{"zero memory", func(s *schema.Service) { s.Resources.MemoryRequest = "0" }, "Value out of range", 21, "greater than zero"},
		{"cpu request above limit", func(s *schema.Service) { s.Resources.CPURequest = "1500m" }, "Request exceeds limit", 20, "(1500m)"},
		{"memory request above limit", func(s *schema.Service) { s.Resources.MemoryRequest = "2Gi" }, "Request exceeds limit", 21, "Lower the request"},
		{"probe kind", func(s *schema.Service) { s.Probes[0].Kind = "alive" }, "Invalid probe kind", 29, "liveness, readiness or startup"},
		{"duplicate probe", func(s *schema.Service) { s.Probes[1].Kind = "liveness" }, "Duplicate probe", 28, "twice"},
		{"http probe without path", func(s *schema.Service) { s.Probes[0].Path = "" }, "Invalid probe path", 30, `path = "/health"`},
		{"probe path without slash", func(s *schema.Service) { s.Probes[0].Path = "health" }, "Invalid probe path", 30, `"health"`},
		{"probe type", func(s *schema.Service) { s.Probes[0].Type = "grpc" }, "Invalid probe type", 31, "http, tcp or exec"},
		{"tcp probe with path", func(s *schema.Service) { s.Probes[1].Path = "/x" }, "Conflicting probe settings", 31, "remove path"},
		{"exec probe without command", func(s *schema.Service) { s.Probes[2].Command = nil }, "Missing probe command", 36, "command ="},
		{"negative period", func(s *schema.Service) { s.Probes[0].Period = -1 }, "Invalid duration", 32, "period"},
		{"negative timeout", func(s *schema.Service) { s.Probes[0].Timeout = schema.Duration(-time.Second) }, "Invalid duration", 33, "timeout"},
		{"negative failure threshold", func(s *schema.Service) { s.Probes[0].FailureThreshold = -2 }, "Value out of range", 35, "1 or more"},
		{"autoscale min zero", func(s *schema.Service) { s.Autoscale.Min = 0 }, "Value out of range", 40, "at least 1"},
		{"autoscale max below min", func(s *schema.Service) { s.Autoscale.Max = 1 }, "Maximum below minimum", 41, "raise max"},
		{"cpu percent above 100", func(s *schema.Service) { s.Autoscale.CPUPercent = 150 }, "Value out of range", 42, "1 to 100"},
		{"memory percent negative", func(s *schema.Service) { s.Autoscale.MemoryPercent = -5 }, "Value out of range", 43, "1 to 100"},
		{"no autoscale target", func(s *schema.Service) { s.Autoscale.CPUPercent = 0 }, "Missing autoscaling target", 39, "cpu_percent = 70"},
		{"missing host", func(s *schema.Service) { s.Ingress.Host = "" }, "Missing host", 50, "host ="},
		{"host upper case", func(s *schema.Service) { s.Ingress.Host = "API.example.com" }, "Invalid host", 50, "lower-case"},
		{"bad wildcard host", func(s *schema.Service) { s.Ingress.Host = "*.*.example.com" }, "Invalid host", 50, "*.*.example.com"},
		{"path without slash", func(s *schema.Service) { s.Ingress.Path = "api" }, "Invalid path", 30, "start with '/'"},
		{"ingress class", func(s *schema.Service) { s.Ingress.Class = "traefik" }, "Invalid value", 51, `"nginx" or "alb"`},
		{"tls secret", func(s *schema.Service) { s.Ingress.TLSSecret = "My_Cert" }, "Invalid Secret name", 52, "My_Cert"},
		{"issuer", func(s *schema.Service) { s.Ingress.Issuer = "Lets Encrypt" }, "Invalid issuer name", 53, "ClusterIssuer"},
		{"negative rate limit", func(s *schema.Service) { s.Ingress.RateLimit = -1 }, "Value out of range", 54, "0 (off)"},
		{"alb scheme", func(s *schema.Service) { s.Ingress.ALB.Scheme = "public" }, "Invalid value", 60, "internet-facing or internal"},
		{"alb target type", func(s *schema.Service) { s.Ingress.ALB.TargetType = "pod" }, "Invalid value", 61, "ip or instance"},
		{"alb instance on ClusterIP", func(s *schema.Service) { s.Ingress.ALB.TargetType = "instance" }, "ALB instance mode needs a NodePort", 61, `expose = "NodePort"`},
		{"alb certificate", func(s *schema.Service) { s.Ingress.ALB.CertificateARN = "my-cert" }, "Invalid certificate ARN", 62, "arn:aws:acm"},
		{"uses undeclared", func(s *schema.Service) { s.Uses = append(s.Uses, schema.Ref{Kind: "queue", Name: "jobs"}) }, "Reference to an undeclared block", 9, `queue "jobs"`},
		{"uses a redis", func(s *schema.Service) { s.Uses = []schema.Ref{{Kind: "redis", Name: "main"}} }, "Invalid reference", 9, "caches and queues only"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := validService()
			tc.mutate(&s)
			diags := services(svcModel(s))
			if len(diags) != 1 {
				t.Fatalf("want exactly one diagnostic, got %d: %v", len(diags), diags)
			}
			d := diags[0]
			if d.Severity != hcl.DiagError || d.Summary != tc.summary {
				t.Fatalf("got %q, want error %q", d.Summary, tc.summary)
			}
			if d.Subject == nil || d.Subject.Filename != "svc.hcl" || d.Subject.Start.Line != tc.line {
				t.Fatalf("subject = %v, want svc.hcl line %d", d.Subject, tc.line)
			}
			if !strings.Contains(d.Detail, tc.detail) {
				t.Fatalf("detail %q does not contain %q", d.Detail, tc.detail)
			}
		})
	}
}

// A model read back from model.json has no ranges: diagnostics still name
// the block, and nested blocks fall back to the service's range (nil here).
func TestServiceRulesWithoutSource(t *testing.T) {
	s := validService()
	s.Src, s.Probes[0].Src = schema.Source{}, schema.Source{}
	s.Probes[0].Type = "grpc"
	diags := services(svcModel(s))
	if len(diags) != 1 || diags[0].Subject != nil || !strings.Contains(diags[0].Detail, `probe "liveness" of service "api"`) {
		t.Fatalf("diagnostics = %v", diags)
	}
}

// Nested blocks without their own range point at the service.
func TestNestedFallsBackToService(t *testing.T) {
	s := validService()
	s.Resources = schema.Resources{CPURequest: "lots"}
	diags := services(svcModel(s))
	if len(diags) != 1 || diags[0].Subject == nil || diags[0].Subject.Start.Line != 1 {
		t.Fatalf("diagnostics = %v", diags)
	}
}

func TestServiceDiagnosticsAreDeterministic(t *testing.T) {
	s := validService()
	for _, k := range []string{"A-1", "B-2", "C-3", "D-4", "E-5"} {
		s.Env[k] = "x"
	}
	first := services(svcModel(s)).Error()
	for range 10 {
		if got := services(svcModel(s)).Error(); got != first {
			t.Fatalf("diagnostic order changed:\n%s\n%s", first, got)
		}
	}
}
