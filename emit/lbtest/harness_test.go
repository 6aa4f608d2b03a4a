package lbtest

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit"
	"github.com/nbac/nbac/emit/haproxy"
	fx "github.com/nbac/nbac/emit/lbconf/lbtest"
	"github.com/nbac/nbac/emit/nginx"
	"github.com/nbac/nbac/runtime/lbctl"
	"github.com/nbac/nbac/runtime/lbctl/lbctltest"
	"github.com/nbac/nbac/schema"
)

// A target is one load-balancer program: how to emit its config and run it.
type target struct {
	name  string
	emit  func(*schema.Model) ([]emit.Artifact, hcl.Diagnostics)
	path  func(lb string) string
	start func(t *testing.T, dir, cfg string, ports []int, files ...string) *lbctltest.Proc
}

var targets = []target{
	{
		name: "haproxy", emit: haproxy.Emit,
		path: func(lb string) string { return "haproxy/" + lb + ".cfg" },
		start: func(t *testing.T, dir, cfg string, ports []int, files ...string) *lbctltest.Proc {
			return lbctltest.HAProxy(t, dir, cfg, ports, files...)
		},
	},
	{
		name: "nginx", emit: nginx.Emit,
		path: func(lb string) string { return "nginx/" + lb + ".conf" },
		start: func(t *testing.T, dir, cfg string, ports []int, _ ...string) *lbctltest.Proc {
			return lbctltest.Nginx(t, dir, cfg, ports)
		},
	},
}

// eachTarget runs f as a subtest per target.
func eachTarget(t *testing.T, f func(t *testing.T, tg target)) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			lbctltest.Binary(t, tg.name)
			f(t, tg)
		})
	}
}

// newLB is a load balancer for both targets listening on a free port, with
// one static backend per given backend server, weight 100 each.
func newLB(t *testing.T, backends ...*lbctltest.Backend) schema.LoadBalancer {
	lb := fx.Base("web")
	lb.Listen = lbctltest.FreePort(t)
	lb.Backends = nil
	for _, b := range backends {
		lb.Backends = append(lb.Backends, fx.Backend(b.Name, b.Port))
	}
	return lb
}

// fastCheck is an HTTP health check quick enough for tests: a server is
// down after one failed check. The interval is a whole second because
// Nginx's fail_timeout (interval x fall) takes seconds only.
func fastCheck() *schema.HealthCheck {
	hc := fx.HealthCheck()
	hc.Host = ""
	hc.Interval, hc.Timeout, hc.Rise, hc.Fall = fx.D("1s"), fx.D("1s"), 1, 1
	return hc
}

// run emits lb for tg and starts the program on it; it returns the config
// text and the process. Warnings are logged (they are the emitter's
// documented approximations); errors fail the test.
func run(t *testing.T, tg target, lb schema.LoadBalancer) (string, *lbctltest.Proc) {
	t.Helper()
	m := fx.Model(lb)
	arts, diags := tg.emit(m)
	for _, d := range diags {
		t.Logf("%s: %s", tg.name, d)
	}
	if diags.HasErrors() {
		t.Fatalf("%s emitter refused the model: %v", tg.name, diags)
	}
	i := slices.IndexFunc(arts, func(a emit.Artifact) bool { return a.Path == tg.path(lb.Name) })
	if i < 0 {
		t.Fatalf("%s emitter wrote no %s (got %d artifacts)", tg.name, tg.path(lb.Name), len(arts))
	}
	ports := []int{lb.Listen}
	if lb.TLS != nil && lb.TLS.RedirectHTTP {
		ports = append(ports, lb.TLS.HTTPPort)
	}
	var files []string
	dir := t.TempDir()
	if s := lb.Stats; s != nil && s.Socket != "" && tg.name == "haproxy" {
		files = append(files, s.Socket)
		if s.StateFile != "" {
			if err := lbctl.EnsureStateFile(s.StateFile); err != nil {
				t.Fatal(err)
			}
		}
	}
	cfg := string(arts[i].Data)
	p := tg.start(t, dir, cfg, ports, files...)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- %s config ---\n%s\n--- %s output ---\n%s", tg.name, cfg, tg.name, p.Output())
		}
	})
	return cfg, p
}

func url(lb schema.LoadBalancer) string {
	scheme := "http"
	if lb.TLS != nil {
		scheme = "https"
	}
	return fmt.Sprintf("%s://127.0.0.1:%d/", scheme, lb.Listen)
}

// client opens a connection per request and trusts the test certificate
// without verifying it (it is self-signed for app.example.com).
func client() *http.Client {
	c := lbctltest.Client()
	c.Transport = &http.Transport{DisableKeepAlives: true, TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	return c
}

// wait bounds every polling loop of these tests.
const wait = 10 * time.Second

func stateFile(dir string) string { return filepath.Join(dir, "haproxy.state") }
