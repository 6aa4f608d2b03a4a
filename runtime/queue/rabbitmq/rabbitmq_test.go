package rabbitmq_test

import (
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/queuetest"
	"github.com/nbac/nbac/runtime/queue/rabbitmq"
	"github.com/nbac/nbac/runtime/queue/rabbitmq/rabbitmqtest"
)

// Tests talk to the real server; NBAC_TEST_AMQP_URL overrides the default.
const defaultURL = "amqp://guest:guest@127.0.0.1:5672/"

func brokerURL(t testing.TB) string {
	queuetest.RequireService(t, "RabbitMQ", "127.0.0.1:5672")
	if u := os.Getenv("NBAC_TEST_AMQP_URL"); u != "" {
		return u
	}
	return defaultURL
}

func TestConformance(t *testing.T) {
	queuetest.Run(t, harness(t, brokerURL(t), nil))
}

// harness runs the suite on queues whose config adjust changes (nil: the
// suite's config as is). Open may end the test itself (see the quorum
// variant's priority case).
func harness(t *testing.T, url string, adjust func(t testing.TB, cfg *queue.Config)) queuetest.Harness {
	var mu sync.Mutex
	conns := map[string][]string{} // test name -> connection names it opened
	return queuetest.Harness{
		Upstream: "127.0.0.1:5672",
		Open: func(t testing.TB, cfg queue.Config, via string) *queue.Queue {
			if adjust != nil {
				adjust(t, &cfg)
			}
			u := url
			if via != "" {
				u = "amqp://guest:guest@" + via + "/"
			}
			name := "nbac:" + cfg.Name
			mu.Lock()
			conns[t.Name()] = append(conns[t.Name()], name)
			mu.Unlock()
			q := queue.New(cfg, rabbitmq.New(cfg, rabbitmq.Options{URL: u, ConnectionName: name}))
			t.Cleanup(func() {
				q.Close()
				deleteQueues(t, url, cfg)
			})
			return q
		},
		Kill: func(t testing.TB) {
			mu.Lock()
			names := conns[t.Name()]
			mu.Unlock()
			killConnections(t, names)
		},
	}
}

// killConnections closes, from the server side, the connections named
// names: only this test's, since the broker is shared with other tests.
func killConnections(t testing.TB, names []string) {
	out, err := exec.Command("rabbitmqctl", "list_connections", "-q", "--no-table-headers", "pid", "client_properties").CombinedOutput()
	if err != nil {
		t.Fatalf("rabbitmqctl list_connections: %v\n%s", err, out)
	}
	killed := 0
	for _, line := range strings.Split(string(out), "\n") {
		pid, props, ok := strings.Cut(line, "\t")
		if !ok || !ours(props, names) {
			continue
		}
		if out, err := exec.Command("rabbitmqctl", "close_connection", pid, "nbac conformance fault test").CombinedOutput(); err != nil {
			t.Fatalf("rabbitmqctl close_connection %s: %v\n%s", pid, err, out)
		}
		killed++
	}
	if killed == 0 {
		t.Fatalf("no connection named %q on the broker to kill", names)
	}
	t.Logf("closed %d connections from the server side", killed)
}

func ours(props string, names []string) bool {
	for _, n := range names {
		if strings.Contains(props, `{"connection_name","`+n+`"}`) {
			return true
		}
	}
	return false
}

// deleteQueues removes a test's queues so runs do not pile up on the server.
func deleteQueues(t testing.TB, url string, cfg queue.Config) {
	if err := rabbitmqtest.DeleteQueues(url, rabbitmq.QueueNames(cfg)...); err != nil {
		t.Logf("cleanup: %v", err)
	}
}
