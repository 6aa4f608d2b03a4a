package lbtest

import (
	"bytes"
	"testing"

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
