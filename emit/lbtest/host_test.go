package lbtest

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	neturl "net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	fx "github.com/nbac/nbac/emit/lbconf/lbtest"
	"github.com/nbac/nbac/runtime/lbctl/lbctltest"
	"github.com/nbac/nbac/schema"
)

// raw sends one GET with exactly the given Host header line (none when
// host is "-"), over TLS when secure, and returns the response. Go's HTTP
// client would refuse most of these Host values.
func raw(t *testing.T, addr string, secure bool, host, target string) *http.Response {
	t.Helper()
	var c net.Conn
	var err error
	d := &net.Dialer{Timeout: 5 * time.Second}
	if secure {
		sni := "app.example.com"
		if h, _, err := net.SplitHostPort(host); err == nil && h != "" && net.ParseIP(h) == nil {
			sni = h
		}
		c, err = tls.DialWithDialer(d, "tcp", addr, &tls.Config{InsecureSkipVerify: true, ServerName: sni})
	} else {
		c, err = d.Dial("tcp", addr)
	}
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	req := "GET " + target + " HTTP/1.1\r\n"
	if host != "-" {
		req += "Host: " + host + "\r\n"
	}
	req += "Connection: close\r\n\r\n"
	if _, err := c.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET %s Host %q on %s: %v", target, host, addr, err)
	}
	resp.Body.Close()
	return resp
}

// checkLocation fails unless loc is an absolute https URL on port whose
// host is wantHost and whose path+query is /p/1?q=2.
func checkLocation(t *testing.T, what, loc, wantHost string, port int) {
	t.Helper()
	u, err := neturl.Parse(loc)
	if err != nil || u.Scheme != "https" || u.Hostname() != wantHost || u.Port() != strconv.Itoa(port) || u.RequestURI() != "/p/1?q=2" {
		t.Errorf("%s: Location %q (parse error %v), want https://%s/p/1?q=2 on port %d", what, loc, err, wantHost, port)
	}
}

// TestServerNamesAndRedirectHosts: with server_names set, both targets
// answer only the listed names (exact and wildcard, any case, with or
// without the port), refuse every other Host with a 4xx and no Location
// (421, or 400 for a malformed one), and redirect plain HTTP to the listed
// name that was asked for; HSTS is on every TLS answer, including the
// refusals. It runs on 127.0.0.1 and ::1 (listen_addresses).
func TestServerNamesAndRedirectHosts(t *testing.T) {
	cert := fx.Cert(t)
	eachTarget(t, func(t *testing.T, tg target) {
		app := lbctltest.StartBackend(t, "app1")
		lb := newLB(t, app)
		lb.ListenAddresses = []string{"127.0.0.1", "::1"}
		lb.ServerNames = []string{"app.example.com", "*.example.org"}
		lb.HealthPath = "/lb-health"
		lb.TLS = &schema.TLS{Certificate: cert, RedirectHTTP: true, HTTPPort: lbctltest.FreePort(t),
			HSTS: &schema.HSTS{MaxAge: fx.D("24h")}}
		run(t, tg, lb)
		for _, ip := range []string{"127.0.0.1", "[::1]"} {
			plain := fmt.Sprintf("%s:%d", ip, lb.TLS.HTTPPort)
			secure := fmt.Sprintf("%s:%d", ip, lb.Listen)
			for host, want := range map[string]string{
				"app.example.com": "app.example.com",
				"APP.Example.COM:" + strconv.Itoa(lb.TLS.HTTPPort): "app.example.com",
				"shop.example.org": "shop.example.org",
			} {
				resp := raw(t, plain, false, host, "/p/1?q=2")
				if resp.StatusCode != http.StatusMovedPermanently {
					t.Errorf("%s Host %q: status %d, want 301", plain, host, resp.StatusCode)
				}
				checkLocation(t, plain+" Host "+host, resp.Header.Get("Location"), want, lb.Listen)
				resp = raw(t, secure, true, host, "/p/1?q=2")
				if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Server") != "app1" || resp.Header.Get("Strict-Transport-Security") == "" {
					t.Errorf("https %s Host %q: %d from %q, HSTS %q; want 200 from app1 with HSTS", secure, host, resp.StatusCode,
						resp.Header.Get("X-Server"), resp.Header.Get("Strict-Transport-Security"))
				}
			}
			for _, host := range []string{"evil.com", "example.org", "app.example.com.evil.com", "[::1]:" + strconv.Itoa(lb.TLS.HTTPPort),
				"127.0.0.1", "a/b.example.org", "[::1", "-", ""} {
				for _, secureSide := range []bool{false, true} {
					addr := map[bool]string{false: plain, true: secure}[secureSide]
					resp := raw(t, addr, secureSide, host, "/p/1?q=2")
					if (resp.StatusCode != http.StatusMisdirectedRequest && resp.StatusCode != http.StatusBadRequest) || resp.Header.Get("Location") != "" {
						t.Errorf("%s Host %q: %d Location %q, want 421 or 400 and no redirect", addr, host, resp.StatusCode, resp.Header.Get("Location"))
					}
					if secureSide && resp.StatusCode == http.StatusMisdirectedRequest && resp.Header.Get("Strict-Transport-Security") == "" {
						t.Errorf("https %s Host %q: the 421 has no HSTS header", addr, host)
					}
				}
			}
		}
		// The health endpoint answers probes whatever their Host.
		for _, host := range []string{"10.1.2.3", "app.example.com"} {
			if resp := raw(t, "127.0.0.1:"+strconv.Itoa(lb.Listen), true, host, "/lb-health"); resp.StatusCode != http.StatusOK || resp.Header.Get("X-Server") != "" {
				t.Errorf("GET /lb-health Host %q: %d from %q, want 200 from the load balancer", host, resp.StatusCode, resp.Header.Get("X-Server"))
			}
		}
		if hits := app.Hits.Load(); hits != 6 {
			t.Errorf("the backend saw %d requests, want the 6 for listed names", hits)
		}
	})
}

// TestRedirectWithoutServerNamesIsWellFormed: with no server_names, the
// redirect keeps the client's Host, and every Location is a well-formed
// https URL, an IPv6 literal Host included (HAProxy used to send
// "https://[:PORT/..."); a Host that cannot make one is refused with 400.
func TestRedirectWithoutServerNamesIsWellFormed(t *testing.T) {
	cert := fx.Cert(t)
	eachTarget(t, func(t *testing.T, tg target) {
		app := lbctltest.StartBackend(t, "app1")
		lb := newLB(t, app)
		lb.ListenAddresses = []string{"127.0.0.1", "::1"}
		lb.TLS = &schema.TLS{Certificate: cert, RedirectHTTP: true, HTTPPort: lbctltest.FreePort(t)}
		run(t, tg, lb)
		hp := strconv.Itoa(lb.TLS.HTTPPort)
		plain := "127.0.0.1:" + hp
		for host, want := range map[string]string{
			"[::1]:" + hp:            "::1",
			"[::1]":                  "::1",
			"[2001:DB8::5]:" + hp:    "2001:db8::5",
			"127.0.0.1:" + hp:        "127.0.0.1",
			"Shop.Example.com:" + hp: "shop.example.com",
			"shop.example.com":       "shop.example.com",
		} {
			resp := raw(t, plain, false, host, "/p/1?q=2")
			if resp.StatusCode != http.StatusMovedPermanently {
				t.Errorf("Host %q: status %d, want 301", host, resp.StatusCode)
				continue
			}
			checkLocation(t, "Host "+host, resp.Header.Get("Location"), want, lb.Listen)
		}
		// Over IPv6 too, with the Host a client would send.
		resp := raw(t, "[::1]:"+hp, false, "[::1]:"+hp, "/p/1?q=2")
		checkLocation(t, "over ::1", resp.Header.Get("Location"), "::1", lb.Listen)
		for _, host := range []string{"[::1", "::1", "a b", "evil.com/x", "x@y", "a:b:c", "", "-", "%41", strings.Repeat("a", 3) + "\"b"} {
			resp := raw(t, plain, false, host, "/p/1?q=2")
			loc := resp.Header.Get("Location")
			switch {
			case resp.StatusCode == http.StatusBadRequest && loc == "":
			case resp.StatusCode == http.StatusMovedPermanently:
				// Allowed only if the URL is well-formed.
				if u, err := neturl.Parse(loc); err != nil || u.Scheme != "https" || u.Hostname() == "" || u.Port() != strconv.Itoa(lb.Listen) || u.RequestURI() != "/p/1?q=2" {
					t.Errorf("Host %q: malformed Location %q", host, loc)
				}
			default:
				t.Errorf("Host %q: %d Location %q, want 400 (or a well-formed redirect)", host, resp.StatusCode, loc)
			}
		}
	})
}

// TestHSTSOnAnswersTheLoadBalancerWrites: with every server down, the
// answer comes from the load balancer itself (HAProxy 503, Nginx 502) and
// still carries HSTS.
func TestHSTSOnAnswersTheLoadBalancerWrites(t *testing.T) {
	cert := fx.Cert(t)
	eachTarget(t, func(t *testing.T, tg target) {
		lb := newLB(t)
		lb.Backends = []schema.Backend{fx.Backend("gone", lbctltest.FreePort(t))} // nothing listens there
		lb.TLS = &schema.TLS{Certificate: cert, HSTS: &schema.HSTS{MaxAge: fx.D("24h")}}
		run(t, tg, lb)
		resp := raw(t, "127.0.0.1:"+strconv.Itoa(lb.Listen), true, "app.example.com", "/p/1?q=2")
		if resp.StatusCode < 500 || !strings.HasPrefix(resp.Header.Get("Strict-Transport-Security"), "max-age=86400") {
			t.Errorf("no server: %d with HSTS %q, want a 5xx with max-age=86400", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
		}
	})
}
