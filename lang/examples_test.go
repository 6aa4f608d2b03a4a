package lang

import (
	"path/filepath"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// TestExamplesCompile loads every example with each of its var files and
// expects a model and no diagnostics at all (not even warnings).
func TestExamplesCompile(t *testing.T) {
	cases := []struct {
		dir      string
		varFiles []string
	}{
		{"../examples/minimal", nil},
		{"../examples/nba", nil},
		{"../examples/nba", []string{"../examples/nba/dev.nbvars"}},
		{"../examples/nba", []string{"../examples/nba/staging.nbvars"}},
		{"../examples/nba", []string{"../examples/nba/production.nbvars"}},
	}
	for _, c := range cases {
		name := filepath.Base(c.dir)
		if len(c.varFiles) > 0 {
			name += "/" + filepath.Base(c.varFiles[0])
		}
		t.Run(name, func(t *testing.T) {
			res := Load(c.dir, Options{VarFiles: c.varFiles})
			if len(res.Diags) > 0 {
				t.Fatalf("diagnostics:\n%s", renderDiags(res))
			}
			if res.Model == nil {
				t.Fatal("no model and no diagnostics")
			}
		})
	}
}

func renderDiags(res *Result) string {
	var sb stringsBuilder
	w := hcl.NewDiagnosticTextWriter(&sb, res.Files, 100, false)
	_ = w.WriteDiagnostics(res.Diags)
	return sb.String()
}

// TestNBAProduction pins the seed estate's production values.
func TestNBAProduction(t *testing.T) {
	res := Load("../examples/nba", Options{VarFiles: []string{"../examples/nba/production.nbvars"}})
	if res.Model == nil {
		t.Fatalf("diagnostics:\n%s", renderDiags(res))
	}
	m := res.Model
	if m.Project.Namespace != "nba-mcp" {
		t.Errorf("namespace = %q", m.Project.Namespace)
	}
	s := m.Service("nba-mcp-server")
	if s == nil {
		t.Fatal("service nba-mcp-server missing")
	}
	if s.Image != "registry.example.com/nba-mcp:v1.0.0" {
		t.Errorf("image %q", s.Image)
	}
	r := s.Resources
	if r.CPURequest != "200m" || r.CPULimit != "1000m" || r.MemoryRequest != "512Mi" || r.MemoryLimit != "1Gi" {
		t.Errorf("resources = %+v", r)
	}
	if a := s.Autoscale; a == nil || a.Min != 3 || a.Max != 10 || a.CPUPercent != 70 {
		t.Errorf("autoscale = %+v", a)
	}
	if in := s.Ingress; in == nil || in.Host != "nba-mcp.example.com" || !in.TLS || in.TLSSecret != "nba-mcp-server-tls" {
		t.Errorf("ingress = %+v", in)
	}
	c := m.Cache("player_stats")
	if c == nil || c.L1 == nil || c.L2 == nil || c.L2.Redis != "main" || c.L2.Compress != "zlib" || c.L2.KeyPrefix != "player_stats:" {
		t.Errorf("cache = %+v", c)
	}
	if q := m.Queue("nba_data_ingestion"); q == nil || !q.Priorities || q.Broker != "rabbit" || q.Workers != 8 {
		t.Errorf("queue = %+v", q)
	}
	if q := m.Queue("ml_training"); q == nil || q.MaxDelay.D().Hours() != 24 {
		t.Errorf("ml_training = %+v", q)
	}
	lb := m.LoadBalancer("nba_mcp")
	if lb == nil || len(lb.Backends) != 3 || lb.Backends[0].Name != "app1" || !lb.Backends[2].Backup || lb.Backends[0].Weight != 100 {
		t.Fatalf("load balancer = %+v", lb)
	}
}
