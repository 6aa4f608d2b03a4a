package queuetest

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nbac/nbac/runtime/queue"
)

// Harness connects the suite to one driver.
type Harness struct {
	// Open returns a queue with cfg on the driver. When via is not empty it
	// is a host:port the driver must connect through instead of the
	// broker's own address (the suite's fault proxy). The harness closes
	// the queue when the test ends.
	Open func(t testing.TB, cfg queue.Config, via string) *queue.Queue
	// Upstream is the broker's host:port, or "" for a driver without a
	// connection (memory), which skips the fault tests.
	Upstream string
	// NewUpstream, when set, is called by each fault test instead of
	// reading Upstream: for a harness that starts a broker per fault test
	// (the fault tests run in parallel, each with its own proxy).
	NewUpstream func(t testing.TB) string
	// Kill cuts the driver's connections from the server side
	// (rabbitmqctl close_all_connections, CLIENT KILL); nil when the
	// broker has no such tool.
	Kill func(t testing.TB)
}

// upstream is the address the fault test t puts its proxy in front of, or
// "" when the driver has no broker connection.
func (h Harness) upstream(t testing.TB) string {
	if h.NewUpstream != nil {
		return h.NewUpstream(t)
	}
	return h.Upstream
}

// RequireService is called by a driver's test when its server is
// unreachable: a loud skip, or a failure when NBAC_REQUIRE_SERVICES=1.
func RequireService(t testing.TB, what, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		c.Close()
		return
	}
	msg := fmt.Sprintf("%s is not reachable at %s (%v): start it, or these conformance tests do not run", what, addr, err)
	if os.Getenv("NBAC_REQUIRE_SERVICES") == "1" {
		t.Fatal(msg + " (NBAC_REQUIRE_SERVICES=1)")
	}
	t.Skip("SKIPPING: " + msg)
}

// Name returns a queue name unique to this test run.
func Name(t testing.TB) string {
	n := strings.NewReplacer("/", ".", " ", "_").Replace(t.Name())
	return fmt.Sprintf("nbactest.%s.%d.%04x", strings.ToLower(n), os.Getpid(), rand.N(1<<16))
}

// Config returns the suite's base queue settings: fast retries so that the
// tests stay short.
func Config(t testing.TB) queue.Config {
	return queue.Config{
		Name:            Name(t),
		Workers:         4,
		Prefetch:        16,
		MaxAttempts:     3,
		DeadLetter:      true,
		MaxDelay:        10 * time.Second,
		ShutdownTimeout: 10 * time.Second,
		Backoff:         queue.Backoff{Initial: 50 * time.Millisecond, Max: 2 * time.Second, Jitter: true},
	}
}
