package lbctltest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// TB is the part of testing.TB these helpers use, so that a testscript
// command (through a small adapter) can start processes as a Go test does;
// *testing.T and *testing.B satisfy it. Cleanup runs when the test, or the
// script, ends.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
	Skip(args ...any)
	Cleanup(func())
}

// Binary returns the path of name, or skips (fails under
// NBAC_REQUIRE_SERVICES=1) when it is not installed.
func Binary(t TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin", "/sbin"} {
		if p := filepath.Join(dir, name); isExec(p) {
			return p
		}
	}
	msg := fmt.Sprintf("%s is not installed (apt-get install -y haproxy nginx libnginx-mod-stream): this behaviour test against the real program did NOT run", name)
	if os.Getenv("NBAC_REQUIRE_SERVICES") == "1" {
		t.Fatalf("%s", msg)
	}
	t.Skip("SKIP: " + msg)
	return ""
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode()&0o111 != 0
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Proc is a started server process.
type Proc struct {
	PID  int
	Dir  string
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
}

// Output is what the process printed so far (for failure messages).
func (p *Proc) Output() string { return p.out.String() }

// Alive reports whether the process still runs.
func (p *Proc) Alive() bool { return !exited(p.done) && syscall.Kill(p.PID, 0) == nil }

// HAProxy validates cfg with `haproxy -dW -c` and starts it in the
// foreground (-db) in dir, then waits until every port in wait accepts
// connections and every file in waitFiles exists.
func HAProxy(t TB, dir, cfg string, waitPorts []int, waitFiles ...string) *Proc {
	t.Helper()
	return haproxy(t, true, dir, cfg, waitPorts, waitFiles)
}

// HAProxyLenient is HAProxy for a config whose warnings are expected, so
// it is checked with plain -c instead of -dW: a server-state-file that
// restores a drain ("remains in forced drain mode"), or a server name that
// does not resolve here ("disabling server").
func HAProxyLenient(t TB, dir, cfg string, waitPorts []int, waitFiles ...string) *Proc {
	t.Helper()
	return haproxy(t, false, dir, cfg, waitPorts, waitFiles)
}

func haproxy(t TB, strict bool, dir, cfg string, waitPorts []int, waitFiles []string) *Proc {
	t.Helper()
	bin := Binary(t, "haproxy")
	path := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatalf("%v", err)
	}
	args := []string{"-c", "-f", path}
	if strict {
		args = append([]string{"-dW"}, args...)
	}
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("haproxy %s rejected the config: %v\n%s\n--- config ---\n%s", strings.Join(args[:len(args)-2], " "), err, out, cfg)
	}
	return start(t, dir, waitPorts, waitFiles, bin, "-db", "-f", path)
}

// Nginx validates cfg with `nginx -t` (a [warn] line fails) and starts it in
// the foreground, single-process (-g "daemon off; master_process off;"),
// with dir as its prefix. cfg sets its own pid and error_log (relative
// paths land in dir, as nbac's emitted nginx.conf does).
func Nginx(t TB, dir, cfg string, waitPorts []int) *Proc {
	t.Helper()
	bin := Binary(t, "nginx")
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatalf("%v", err)
	}
	prefix := dir + "/"
	const g = "daemon off; master_process off;"
	out, err := exec.Command(bin, "-t", "-q", "-p", prefix, "-c", path, "-g", g).CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("[warn]")) {
		t.Fatalf("nginx -t rejected the config (err %v):\n%s\n--- config ---\n%s", err, out, cfg)
	}
	return start(t, dir, waitPorts, nil, bin, "-p", prefix, "-c", path, "-g", g)
}

func start(t TB, dir string, waitPorts []int, waitFiles []string, bin string, args ...string) *Proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	done := make(chan struct{})
	p := &Proc{PID: cmd.Process.Pid, Dir: dir, cmd: cmd, out: out, done: done}
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // by PID: the process we started, nothing else
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Errorf("%s (pid %d) did not exit within a minute of SIGKILL", filepath.Base(bin), p.PID)
		}
	})
	// A deadline, not a window: on a saturated machine a start may take
	// long, and only a broken one takes minutes.
	deadline := time.Now().Add(2 * time.Minute)
	for _, port := range waitPorts {
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		for {
			c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) || exited(done) {
				t.Fatalf("%s never listened on %s: %v\n%s", filepath.Base(bin), addr, err, out)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	for _, f := range waitFiles {
		for {
			if _, err := os.Stat(f); err == nil {
				break
			}
			if time.Now().After(deadline) || exited(done) {
				t.Fatalf("%s never created %s\n%s", filepath.Base(bin), f, out)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return p
}

func exited(done chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Backend is an in-process HTTP server that answers every request with its
// name (body and X-Server header), echoes the X-Forwarded-For/Proto it
// received (X-Seen-Forwarded-For/Proto) and counts what it served.
type Backend struct {
	Name string
	Port int
	Hits atomic.Int64
	// Slow counts /slow requests still being answered.
	Slow    atomic.Int64
	release chan struct{}
	once    sync.Once
	srv     *http.Server
	ln      net.Listener
}

// Release lets every /slow request (now and later) finish.
func (b *Backend) Release() { b.once.Do(func() { close(b.release) }) }

// StartBackend starts a backend on a free 127.0.0.1 port. GET /slow is
// held open until Release.
func StartBackend(t TB, name string) *Backend {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("%v", err)
	}
	b := &Backend{Name: name, Port: ln.Addr().(*net.TCPAddr).Port, ln: ln, release: make(chan struct{})}
	b.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b.Hits.Add(1)
			if r.URL.Path == "/slow" {
				// Hold the session open until Release (or the client
				// goes), bounded so a forgotten Release cannot hang.
				b.Slow.Add(1)
				defer b.Slow.Add(-1)
				select {
				case <-b.release:
				case <-r.Context().Done():
				case <-time.After(30 * time.Second):
				}
				// Close the server-side connection too: HAProxy keeps
				// idle ones for reuse, and `del server` waits until
				// they are purged (pool-purge-delay rounds, ~15s).
				w.Header().Set("Connection", "close")
			}
			w.Header().Set("X-Server", name)
			// Echo what the load balancer added, for header tests.
			w.Header().Set("X-Seen-Forwarded-For", r.Header.Get("X-Forwarded-For"))
			w.Header().Set("X-Seen-Forwarded-Proto", r.Header.Get("X-Forwarded-Proto"))
			fmt.Fprintln(w, name)
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() { _ = b.srv.Serve(ln) }()
	t.Cleanup(b.Stop)
	return b
}

// Stop closes the backend (it then refuses connections: "down").
func (b *Backend) Stop() {
	b.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = b.srv.Shutdown(ctx)
}

// Client is an HTTP client that opens a new connection per request (so the
// load balancer balances every request) and never follows redirects.
func Client() *http.Client {
	return &http.Client{
		Timeout:       time.Minute, // only a broken setup waits this long; slow requests are held for seconds
		Transport:     &http.Transport{DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Spread sends n GETs to url and counts answers per X-Server (status 200
// only; other statuses are counted under "status NNN").
func Spread(t TB, c *http.Client, url string, n int) map[string]int {
	t.Helper()
	got := map[string]int{}
	for i := 0; i < n; i++ {
		resp, err := c.Get(url)
		if err != nil {
			t.Fatalf("request %d to %s: %v", i, url, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			got[fmt.Sprintf("status %d", resp.StatusCode)]++
			continue
		}
		got[resp.Header.Get("X-Server")]++
	}
	return got
}

// Render replaces {{KEY}} placeholders in a hand-written config template.
func Render(tmpl string, kv map[string]any) string {
	for k, v := range kv {
		tmpl = strings.ReplaceAll(tmpl, "{{"+k+"}}", fmt.Sprint(v))
	}
	return tmpl
}

// Stop kills the process (by its PID) and waits up to a minute for it to
// exit.
func (p *Proc) Stop() error {
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
		return nil
	case <-time.After(time.Minute):
		return fmt.Errorf("pid %d did not exit within a minute of SIGKILL", p.PID)
	}
}
