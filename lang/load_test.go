package lang

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nbac/nbac/schema"
)

// copyExample copies the .hcl files of dir into a new directory, renaming
// each with rename, so the same blocks arrive in another file order.
func copyExample(t *testing.T, dir string, rename func(i int, name string) string) string {
	t.Helper()
	out := t.TempDir()
	names, err := filepath.Glob(filepath.Join(dir, "*.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, rename(i, filepath.Base(n))), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func encode(t *testing.T, res *Result) []byte {
	t.Helper()
	if res.Model == nil {
		t.Fatalf("diagnostics:\n%s", renderDiags(res))
	}
	b, err := schema.Encode(res.Model)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFileOrderIndependent loads the nba example as written, with its files
// renamed so they sort in reverse, and all in one file; the model is
// byte-identical each time.
func TestFileOrderIndependent(t *testing.T) {
	opts := Options{VarFiles: []string{"../examples/nba/production.nbvars"}}
	want := encode(t, Load("../examples/nba", opts))
	reversed := copyExample(t, "../examples/nba", func(i int, name string) string {
		return string(rune('z'-i)) + "_" + name
	})
	if got := encode(t, Load(reversed, opts)); !bytes.Equal(got, want) {
		t.Error("renaming files changed the model")
	}
	var all bytes.Buffer
	names, _ := filepath.Glob("../examples/nba/*.hcl")
	for _, n := range names {
		b, _ := os.ReadFile(n)
		all.Write(b)
		all.WriteByte('\n')
	}
	one := writeConfig(t, map[string]string{"all.hcl": all.String()})
	if got := encode(t, Load(filepath.Join(one, "all.hcl"), opts)); !bytes.Equal(got, want) {
		t.Error("one file and a directory give different models")
	}
	if got := encode(t, Load("../examples/nba", opts)); !bytes.Equal(got, want) {
		t.Error("a second load differs from the first")
	}
}

// TestJSONSyntax checks that .hcl.json files mix with native ones,
// references included.
func TestJSONSyntax(t *testing.T) {
	dir := writeConfig(t, map[string]string{
		"main.hcl": `project "p" {}
redis "main" { address = "redis:6379" }
`,
		"cache.hcl.json": `{
  "cache": {
    "stats": {
      "l1": {"max_entries": 10, "ttl": "1m"},
      "l2": {"redis": "${redis.main}", "compress": "zstd"}
    }
  },
  "variable": {"args": {"type": "list(string)", "default": ["-v"]}},
  "locals": {"n": "${1 + 1}"},
  "service": {
    "api": {"image": "app:1", "replicas": "${local.n}", "args": "${var.args}", "uses": ["${cache.stats}"]}
  }
}`,
		"ignored.txt": "not hcl",
		"env.nbvars":  "x = 1\n",
	})
	res := Load(dir, Options{})
	m := res.Model
	if m == nil {
		t.Fatalf("diagnostics:\n%s", renderDiags(res))
	}
	c := m.Cache("stats")
	if c == nil || c.L2 == nil || c.L2.Redis != "main" || c.L2.Compress != "zstd" || c.L1.MaxEntries != 10 {
		t.Errorf("cache = %+v", c)
	}
	if s := m.Service("api"); s == nil || s.Replicas != 2 || len(s.Args) != 1 || s.Args[0] != "-v" || len(s.Uses) != 1 || s.Uses[0] != (schema.Ref{Kind: "cache", Name: "stats"}) {
		t.Errorf("service = %+v", s)
	}
	if len(res.Files) != 2 {
		t.Errorf("parsed %d files, want the two configuration files", len(res.Files))
	}
}

func TestDefaults(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
project "p" {}
service "api" {
  image = "app:1"
  probe "readiness" {}
  autoscale { max = 4 }
  ingress {
    host = "a.example.com"
    tls  = true
  }
}
redis "r" { address = "r:6379" }
cache "c" {
  l1 {}
  l2 { redis = redis.r }
}
broker "b" { type = "memory" }
queue "q" { broker = broker.b }
load_balancer "lb" {
  listen = 443
  backend "x" { address = "h:80" }
  tls { certificate = "/c.pem" }
}
`})
	res := Load(dir, Options{})
	m := res.Model
	if m == nil {
		t.Fatalf("diagnostics:\n%s", renderDiags(res))
	}
	if m.Version != schema.Version || m.Project.Namespace != "p" {
		t.Errorf("version %q namespace %q", m.Version, m.Project.Namespace)
	}
	s := m.Service("api")
	if s.Port != 8080 || s.Expose != "ClusterIP" || s.Replicas != 1 {
		t.Errorf("service %+v", s)
	}
	if r := s.Resources; r.CPURequest != "100m" || r.CPULimit != "" || r.MemoryRequest != "128Mi" || r.MemoryLimit != "128Mi" {
		t.Errorf("resources %+v", r)
	}
	if p := s.Probes[0]; p.Type != "http" || p.Path != "/health" || p.Kind != "readiness" || p.Period.D().Seconds() != 5 || p.Timeout.D().Seconds() != 2 || p.FailureThreshold != 3 {
		t.Errorf("probe %+v", p)
	}
	if a := s.Autoscale; a.Min != 1 || a.Max != 4 || a.CPUPercent != 80 {
		t.Errorf("autoscale %+v", a)
	}
	if in := s.Ingress; in.Path != "/" || in.Class != "nginx" || in.TLSSecret != "api-tls" {
		t.Errorf("ingress %+v", in)
	}
	c := m.Cache("c")
	if c.L1.MaxEntries != 10000 || c.L1.TTL.D().Minutes() != 5 || c.L2.TTL.D().Hours() != 1 || c.L2.KeyPrefix != "c:" ||
		c.L2.Compress != "none" || c.L2.CompressMin != 1024 || !c.L2.Invalidate || c.L2.Timeout.D().Milliseconds() != 100 {
		t.Errorf("cache %+v %+v %+v", c, c.L1, c.L2)
	}
	q := m.Queue("q")
	if q.Workers != 1 || q.Prefetch != 2 || q.Ordering != "none" || !q.DeadLetter || q.ShutdownTimeout.D().Seconds() != 30 ||
		q.Retry.MaxAttempts != 5 || q.Retry.Backoff != "exponential" || q.Retry.Initial.D().Seconds() != 1 || q.Retry.Max.D().Minutes() != 1 || !q.Retry.Jitter {
		t.Errorf("queue %+v", q)
	}
	lb := m.LoadBalancer("lb")
	if strings.Join(lb.Targets, ",") != "haproxy,nginx" || lb.Mode != "http" || lb.Algorithm != "round_robin" || !lb.ForwardedFor ||
		lb.Backends[0].Weight != 100 || lb.Timeouts.Connect.D().Seconds() != 5 || lb.TLS.Key != "/c.pem" || !lb.TLS.RedirectHTTP || lb.TLS.HTTPPort != 80 {
		t.Errorf("load balancer %+v", lb)
	}
	if r := s.Src.Range("image"); r == nil || r.Start.Line != 4 {
		t.Errorf("image range = %v", r)
	}
}

func TestBackendsFrom(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
project "p" { namespace = "shop" }
service "api" {
  image = "app:1"
  port  = 9000
}
load_balancer "lb" {
  listen        = 80
  backends_from = service.api
}
`})
	res := Load(dir, Options{})
	if res.Model == nil {
		t.Fatalf("diagnostics:\n%s", renderDiags(res))
	}
	bf := res.Model.LoadBalancer("lb").BackendsFrom
	if bf == nil || *bf != (schema.BackendsFrom{Service: "api", Namespace: "shop", Port: 9000}) {
		t.Errorf("backends_from = %+v", bf)
	}
}

func TestNoConfiguration(t *testing.T) {
	for _, c := range []struct{ path, summary string }{
		{t.TempDir(), "No configuration files"},
		{filepath.Join(t.TempDir(), "missing"), "Cannot read configuration"},
		{"../examples/nba/dev.nbvars", "Not a configuration file"},
		{writeConfig(t, map[string]string{"a.hcl": `service "x" { image = "a" }`}), "Missing project block"},
	} {
		res := Load(c.path, Options{})
		if res.Model != nil || len(res.Diags) == 0 || !strings.Contains(res.Diags[0].Summary, c.summary) {
			t.Errorf("%s: got %v, want %q", c.path, res.Diags, c.summary)
		}
	}
}

func TestJSONErrors(t *testing.T) {
	cases := []struct{ src, summary, detail string }{
		{`{"project": {"p": {}}, "service": {"api": {"image": "a", "prot": 80}}}`, "Extraneous JSON object property", `Did you mean "port"`},
		{`{"project": {"p": {}}, "service": {"api": {"image": "a"}`, "", ""},
		{`{"project": {"p": {}}, "service": {"api": {"image": "a", "replicas": "${var.n}"}}}`, "Reference to undeclared input variable", ""},
		{`{"project": {"p": {}}, "cache": {"c": {"l2": {"redis": "redis.main"}}}, "redis": {"main": {"address": "r:1"}}}`, "Incorrect attribute value type", "not a string"},
	}
	for _, c := range cases {
		dir := writeConfig(t, map[string]string{"main.hcl.json": c.src})
		res := Load(dir, Options{})
		if res.Model != nil || !res.Diags.HasErrors() {
			t.Errorf("%s: want an error", c.src)
			continue
		}
		d := res.Diags[0]
		if !strings.Contains(d.Summary, c.summary) || !strings.Contains(d.Detail, c.detail) || d.Subject == nil {
			t.Errorf("%s: got %s", c.src, describeDiag(d))
		}
	}
}

func TestL1BoundedByBytes(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
project "p" {}
cache "a" {
  l1 { max_bytes = "64Mi" }
}
cache "b" {
  l1 { max_bytes = 1024 }
}
`})
	res := Load(dir, Options{})
	if res.Model == nil {
		t.Fatalf("diagnostics:\n%s", renderDiags(res))
	}
	if l1 := res.Model.Cache("a").L1; l1.MaxBytes != 64<<20 || l1.MaxEntries != 0 {
		t.Errorf("a: %+v", l1)
	}
	if l1 := res.Model.Cache("b").L1; l1.MaxBytes != 1024 || l1.MaxEntries != 0 {
		t.Errorf("b: %+v", l1)
	}
}

// A limit written alone is also the request, as docs/kubernetes.md says and
// Kubernetes does: the default request (100m, 128Mi) would exceed a smaller
// limit, and the build used to fail with "Request exceeds limit".
func TestLimitAloneIsTheRequest(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
project "p" {}
service "api" {
  image = "app:1"
  resources {
    cpu    = { limit = "50m" }
    memory = { limit = "64Mi" }
  }
}
`})
	res := Load(dir, Options{})
	if res.Model == nil {
		t.Fatalf("diagnostics:\n%s", renderDiags(res))
	}
	if r := res.Model.Service("api").Resources; r.CPURequest != "50m" || r.CPULimit != "50m" || r.MemoryRequest != "64Mi" || r.MemoryLimit != "64Mi" {
		t.Errorf("resources %+v", r)
	}
}
