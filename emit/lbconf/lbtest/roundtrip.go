package lbtest

import (
	"bytes"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit"
	"github.com/nbac/nbac/schema"
)

// RoundTrip encodes m as model.json and decodes it back: what an emitter
// sees when it runs from a saved model (no source ranges).
func RoundTrip(t testing.TB, m *schema.Model) *schema.Model {
	t.Helper()
	b, err := schema.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	out, err := schema.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Full is a load balancer using every HTTP feature at once (no TLS, whose
// certificate must exist for the validators).
func Full(name string) schema.LoadBalancer {
	lb := Base(name)
	lb.Algorithm = "weighted_round_robin"
	lb.HealthCheck = HealthCheck()
	lb.Backends[0].Weight = 60
	lb.Backends[1].MaxConn = 100
	spare := Backend("spare", 9101)
	spare.Backup = true
	lb.Backends = append(lb.Backends, spare)
	lb.RateLimit = &schema.RateLimit{RequestsPerSecond: 20, Burst: 40, Src: Src("requests_per_second", "burst")}
	lb.MaxConn = 3000
	lb.HealthPath = "/lb-health"
	lb.ServerNames = []string{"app.example.com"}
	lb.Stats = &schema.Stats{Listen: 8404, Path: "/stats", Socket: "/run/haproxy/" + name + ".sock",
		StateFile: "/var/lib/haproxy/" + name + ".state", Src: Src("listen", "path", "socket", "state_file")}
	return lb
}

// FromModelJSON checks that a model read back from model.json (no source
// ranges) gives through emitFn the same bytes at wantPath, the same
// warnings, and output that still passes the target's validator.
func FromModelJSON(t *testing.T, emitFn func(*schema.Model) ([]emit.Artifact, hcl.Diagnostics), wantPath string, validate func([]byte) error) {
	t.Helper()
	m := Model(Full("edge"))
	want, wantDiags := emitFn(m)
	got, gotDiags := emitFn(RoundTrip(t, m))
	if len(want) != 1 || len(got) != 1 || !bytes.Equal(want[0].Data, got[0].Data) {
		t.Fatalf("round trip changed the output:\n%s\n---\n%s", want[0].Data, got[0].Data)
	}
	if got[0].Range != nil || got[0].Path != wantPath {
		t.Errorf("artifact %q range %v, want %q with no range", got[0].Path, got[0].Range, wantPath)
	}
	if len(wantDiags) == 0 || len(gotDiags) != len(wantDiags) || gotDiags.HasErrors() {
		t.Fatalf("diagnostics %v, want %v", gotDiags, wantDiags)
	}
	for i := range gotDiags {
		if gotDiags[i].Summary != wantDiags[i].Summary || gotDiags[i].Severity != hcl.DiagWarning {
			t.Errorf("diagnostic %d: %q, want %q", i, gotDiags[i].Summary, wantDiags[i].Summary)
		}
	}
	if err := validate(got[0].Data); err != nil {
		t.Fatal(err)
	}
}
