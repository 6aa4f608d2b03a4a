package lbcheck

import (
	"errors"
	"strings"
	"testing"
)

const goodHAProxy = `global
    log stdout format raw local0
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend fe
    bind :18080
    default_backend be
backend be
    server s1 127.0.0.1:9001
`

const goodNginx = `pid t.pid;
error_log stderr;
events {}
http {
    access_log off;
    server { listen 18080; return 200 ok; }
}
`

func TestHAProxy(t *testing.T) {
	Require(t)
	if err := HAProxy([]byte(goodHAProxy)); err != nil {
		t.Fatal(err)
	}
	// A warning (missing timeouts) is fatal under -dW.
	warn := strings.Replace(goodHAProxy, "    timeout server 30s\n", "", 1)
	if err := HAProxy([]byte(warn)); err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("missing timeout accepted: %v", err)
	}
	if err := HAProxy([]byte(goodHAProxy + "    bogus-keyword 1\n")); err == nil {
		t.Fatal("unknown keyword accepted")
	}
}

func TestHAProxyMissingStateFile(t *testing.T) {
	Require(t)
	cfg := strings.Replace(goodHAProxy, "global\n", "global\n    server-state-file /nonexistent/nbac/state\n", 1)
	cfg = strings.Replace(cfg, "defaults\n", "defaults\n    load-server-state-from-file global\n", 1)
	if err := HAProxy([]byte(cfg)); err != nil {
		t.Fatalf("a state file that does not exist yet must not fail the check: %v", err)
	}
}

func TestNginx(t *testing.T) {
	Require(t)
	if err := Nginx([]byte(goodNginx)); err != nil {
		t.Fatal(err)
	}
	// Two servers on one port with no server_name: nginx -t exits 0 with
	// a [warn], which must fail.
	warn := strings.Replace(goodNginx, "return 200 ok; }", "return 200 ok; }\n    server { listen 18080; return 200 ok; }", 1)
	if err := Nginx([]byte(warn)); err == nil || !strings.Contains(err.Error(), "[warn]") {
		t.Fatalf("warning accepted: %v", err)
	}
	if err := Nginx([]byte("events {}\nhttp { bogus; }\n")); err == nil {
		t.Fatal("unknown directive accepted")
	}
}

func TestMissingBinary(t *testing.T) {
	old := HAProxyBin
	HAProxyBin = "nbac-no-such-haproxy"
	defer func() { HAProxyBin = old }()
	if err := HAProxy([]byte(goodHAProxy)); !errors.Is(err, ErrMissing) {
		t.Fatalf("got %v, want ErrMissing", err)
	}
}

type fakeTB struct{ skipped, failed string }

func (f *fakeTB) Helper()                           {}
func (f *fakeTB) Skipf(format string, args ...any)  { f.skipped = format }
func (f *fakeTB) Fatalf(format string, args ...any) { f.failed = format }

func TestRequire(t *testing.T) {
	old := NginxBin
	NginxBin = "nbac-no-such-nginx"
	defer func() { NginxBin = old }()
	t.Setenv("NBAC_REQUIRE_SERVICES", "")
	var f fakeTB
	Require(&f)
	if f.skipped == "" || f.failed != "" {
		t.Fatalf("want a skip, got %+v", f)
	}
	t.Setenv("NBAC_REQUIRE_SERVICES", "1")
	f = fakeTB{}
	Require(&f)
	if f.failed == "" {
		t.Fatalf("want a failure with NBAC_REQUIRE_SERVICES=1, got %+v", f)
	}
}

func TestMissingCertificateStandIn(t *testing.T) {
	Require(t)
	h := strings.Replace(goodHAProxy, "bind :18080", "bind :18443 ssl crt /nonexistent/nbac/cert.pem", 1)
	if err := HAProxy([]byte(h)); err != nil {
		t.Fatalf("missing certificate not stood in: %v", err)
	}
	n := strings.Replace(goodNginx, "listen 18080;", "listen 18443 ssl; ssl_certificate /nonexistent/c.pem; ssl_certificate_key /nonexistent/k.pem;", 1)
	n = strings.Replace(n, "server { ", "server {\n", 1)
	n = strings.ReplaceAll(n, "; ssl_", ";\n ssl_")
	if err := Nginx([]byte(n)); err != nil {
		t.Fatalf("missing certificate not stood in: %v", err)
	}
	// Everything else is still checked.
	if err := HAProxy([]byte(h + "    bogus 1\n")); err == nil {
		t.Fatal("stand-in hid an error")
	}
}

func TestHostNamesStandIn(t *testing.T) {
	Require(t)
	h := strings.Replace(goodHAProxy, "server s1 127.0.0.1:9001", "server s1 api.shop.svc.cluster.local:9001 init-addr last,libc,none", 1)
	if err := HAProxy([]byte(h)); err != nil {
		t.Fatalf("host name not stood in: %v", err)
	}
	n := strings.Replace(goodNginx, "    server { listen", "    upstream u { server api.shop.svc.cluster.local:80 weight=1; server 10.0.0.1:80; }\n    server { listen", 1)
	n = strings.Replace(n, "{ server api", "{\n server api", 1)
	n = strings.Replace(n, "; server 10", ";\n server 10", 1)
	if err := Nginx([]byte(n)); err != nil {
		t.Fatalf("host name not stood in: %v", err)
	}
}
