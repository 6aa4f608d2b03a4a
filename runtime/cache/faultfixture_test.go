package cache

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
)

// Fault fixtures: a redis-server owned by the test (to kill, restart,
// SIGSTOP; the shared Redis at 127.0.0.1:6379 is never touched) and an
// in-process toxiproxy in front of a server (to refuse or hang
// connections).

// ownRedis is a redis-server process started by the test on a free port,
// with no persistence: a restart starts empty, as after a crash.
type ownRedis struct {
	t    testing.TB
	addr string
	port string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// startOwnRedis starts a redis-server for this test, or skips loudly when
// redis-server is not installed (fails under NBAC_REQUIRE_SERVICES=1).
func startOwnRedis(t testing.TB) *ownRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		msg := "redis-server is not installed (apt-get install -y redis-server): this fault test starts its own to kill and restart"
		if os.Getenv("NBAC_REQUIRE_SERVICES") == "1" {
			t.Fatal("NBAC_REQUIRE_SERVICES=1: " + msg)
		}
		t.Skip("SKIPPED: " + msg)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, port, _ := net.SplitHostPort(addr)
	r := &ownRedis{t: t, addr: addr, port: port}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *ownRedis) start() {
	r.t.Helper()
	cmd := exec.Command("redis-server", "--port", r.port, "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--loglevel", "warning")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		r.t.Fatalf("starting redis-server on %s: %v", r.addr, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	r.mu.Lock()
	r.cmd, r.done = cmd, done
	r.mu.Unlock()
	// Ready when it answers PING; the deadline only stops a broken setup
	// from hanging the test.
	c := redis.NewClient(&redis.Options{Addr: r.addr, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		select {
		case <-done:
			r.t.Fatalf("redis-server on %s exited at start: %s", r.addr, out.String())
		default:
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("redis-server on %s not answering PING after 30s: %v", r.addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (r *ownRedis) signal(s syscall.Signal) {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.cmd.Process.Signal(s); err != nil && !errors.Is(err, os.ErrProcessDone) {
		r.t.Fatalf("signal %v to redis-server %s: %v", s, r.addr, err)
	}
}

// kill SIGKILLs the server and waits until it has exited (its port is then
// closed: connections are refused).
func (r *ownRedis) kill() {
	r.t.Helper()
	r.signal(syscall.SIGKILL)
	r.mu.Lock()
	done := r.done
	r.mu.Unlock()
	<-done
}

// restart starts the server again on the same port, returning once it
// answers PING.
func (r *ownRedis) restart() { r.t.Helper(); r.start() }

// freeze (SIGSTOP) hangs the server: the kernel still accepts connections
// but nothing answers. thaw (SIGCONT) resumes it.
func (r *ownRedis) freeze() { r.t.Helper(); r.signal(syscall.SIGSTOP) }
func (r *ownRedis) thaw()   { r.t.Helper(); r.signal(syscall.SIGCONT) }

func (r *ownRedis) stop() {
	r.mu.Lock()
	cmd, done := r.cmd, r.done
	r.mu.Unlock()
	_ = cmd.Process.Signal(syscall.SIGCONT)
	_ = cmd.Process.Kill()
	<-done
}

// client is a direct (unproxied) client to the server, for checks.
func (r *ownRedis) client(t testing.TB) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: r.addr})
	t.Cleanup(func() { c.Close() })
	return c
}

// faultProxy is an in-process toxiproxy in front of upstream.
type faultProxy struct {
	t testing.TB
	p *toxiproxy.Proxy
}

func startFaultProxy(t testing.TB, upstream string) *faultProxy {
	t.Helper()
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	p := toxiproxy.NewProxy(srv, "cache-fault", "127.0.0.1:0", upstream)
	if err := p.Start(); err != nil {
		t.Fatalf("starting the fault proxy: %v", err)
	}
	t.Cleanup(p.Stop)
	return &faultProxy{t: t, p: p}
}

func (f *faultProxy) addr() string { return f.p.Listen }

// refuse stops the proxy: its listener closes (new connections are
// refused) and every proxied connection is closed.
func (f *faultProxy) refuse() { f.p.Stop() }

// accept starts it again on the same port.
func (f *faultProxy) accept() {
	f.t.Helper()
	if err := f.p.Start(); err != nil {
		f.t.Fatalf("restarting the fault proxy on %s: %v", f.p.Listen, err)
	}
}

// hang adds a timeout toxic with no timeout: connections are accepted and
// kept open, and no byte comes back.
func (f *faultProxy) hang() {
	f.t.Helper()
	body := `{"name":"hang","type":"timeout","stream":"downstream","attributes":{"timeout":0}}`
	if _, err := f.p.Toxics.AddToxicJson(strings.NewReader(body)); err != nil {
		f.t.Fatalf("adding the hang toxic: %v", err)
	}
}

func (f *faultProxy) unhang() {
	f.t.Helper()
	if err := f.p.Toxics.RemoveToxic(context.Background(), "hang"); err != nil {
		f.t.Fatalf("removing the hang toxic: %v", err)
	}
}

// boundedClient is a client built as runtime.Open builds one
// (ConfigureClient), to addr.
func boundedClient(t testing.TB, addr string) redis.UniversalClient {
	o := &redis.UniversalOptions{Addrs: []string{addr}}
	ConfigureClient(o)
	c := redis.NewUniversalClient(o)
	t.Cleanup(func() { c.Close() })
	return c
}

// fmtDur prints a duration in milliseconds with one decimal, for the
// figures the fault tests log.
func fmtDur(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + "ms"
}
