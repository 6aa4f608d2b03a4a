package lbtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// File is the fake HCL file name every fixture's ranges point into.
const File = "lb.hcl"

// Src returns a Source whose block and attributes have distinct ranges, so a
// test can tell which attribute a diagnostic points at (line = position in
// attrs + 2).
func Src(attrs ...string) schema.Source {
	s := schema.Source{Block: rng(1)}
	for i, a := range attrs {
		s.Set(a, rng(i+2))
	}
	return s
}

func rng(line int) hcl.Range {
	return hcl.Range{Filename: File, Start: hcl.Pos{Line: line, Column: 1, Byte: 0}, End: hcl.Pos{Line: line, Column: 10, Byte: 9}}
}

// LBAttrs are the attribute and nested-block names a load_balancer Source
// records.
var LBAttrs = []string{"name", "targets", "mode", "listen", "listen_addresses", "algorithm", "server_names", "max_conn",
	"health_check", "backend", "backends_from", "tls", "sticky_sessions", "rate_limit", "timeouts",
	"forwarded_for", "health_path", "stats"}

// Timeouts are the lowering defaults.
func Timeouts() schema.Timeouts {
	return schema.Timeouts{
		Connect: dur("5s"), Client: dur("30s"), Server: dur("30s"),
		HTTPRequest: dur("10s"), KeepAlive: dur("5s"), Queue: dur("30s"),
		// Only the block: lowering records attributes that were written, and
		// these are defaults.
		Src: Src(),
	}
}

func dur(s string) schema.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return schema.Duration(d)
}

// D parses a duration for fixtures.
func D(s string) schema.Duration { return dur(s) }

// Backend is a static backend on 127.0.0.1.
func Backend(name string, port int) schema.Backend {
	return schema.Backend{Name: name, Host: "127.0.0.1", Port: port, Weight: 100,
		Src: Src("name", "address", "weight", "backup", "max_conn")}
}

// Base is a minimal valid HTTP load balancer for both targets: two
// loopback backends on ports 9001 and 9002, listening on 8080.
func Base(name string) schema.LoadBalancer {
	return schema.LoadBalancer{
		Name:         name,
		Targets:      []string{"haproxy", "nginx"},
		Mode:         "http",
		Listen:       8080,
		Algorithm:    "round_robin",
		Backends:     []schema.Backend{Backend("app1", 9001), Backend("app2", 9002)},
		Timeouts:     Timeouts(),
		ForwardedFor: true,
		Src:          Src(LBAttrs...),
	}
}

// HealthCheck is a complete HTTP check.
func HealthCheck() *schema.HealthCheck {
	return &schema.HealthCheck{Type: "http", Path: "/health", Method: "GET", Host: "app.example.com",
		ExpectStatus: 200, Interval: dur("5s"), Timeout: dur("2s"), Rise: 2, Fall: 3,
		Src: Src("type", "path", "method", "host", "expect_status", "interval", "timeout", "rise", "fall")}
}

// Model wraps load balancers in a model, sorted as lowering leaves them
// (callers pass them in name order).
func Model(lbs ...schema.LoadBalancer) *schema.Model {
	return &schema.Model{Version: schema.Version,
		Project:       schema.Project{Name: "test", Namespace: "shop"},
		Services:      []schema.Service{{Name: "api", Image: "nginx:1", Port: 8000}},
		LoadBalancers: lbs}
}

// Cert writes a self-signed certificate and its key, as one PEM bundle (what
// HAProxy's crt wants; Nginx reads the same file for both), into a temp dir
// and returns its absolute path.
func Cert(t testing.TB) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "app.example.com"},
		DNSNames:     []string{"app.example.com", "localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	data = append(data, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})...)
	p := filepath.Join(t.TempDir(), "server.pem")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
