package rabbitmq_test

import (
	"os"

	amqp "github.com/rabbitmq/amqp091-go"
	"os/exec"
	"testing"

	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/queuetest"
	"github.com/nbac/nbac/runtime/queue/rabbitmq"
)

// Tests talk to the real server; NBAC_TEST_AMQP_URL overrides the default.
const defaultURL = "amqp://guest:guest@127.0.0.1:5672/"

func TestConformance(t *testing.T) {
	url := os.Getenv("NBAC_TEST_AMQP_URL")
	if url == "" {
		url = defaultURL
	}
	queuetest.RequireService(t, "RabbitMQ", "127.0.0.1:5672")
	queuetest.Run(t, queuetest.Harness{
		Upstream: "127.0.0.1:5672",
		Open: func(t testing.TB, cfg queue.Config, via string) *queue.Queue {
			u := url
			if via != "" {
				u = "amqp://guest:guest@" + via + "/"
			}
			q := queue.New(cfg, rabbitmq.New(cfg, rabbitmq.Options{URL: u}))
			t.Cleanup(func() {
				q.Close()
				deleteQueues(t, url, cfg)
			})
			return q
		},
		Kill: func(t testing.TB) {
			out, err := exec.Command("rabbitmqctl", "close_all_connections", "nbac conformance fault test").CombinedOutput()
			if err != nil {
				t.Fatalf("rabbitmqctl close_all_connections: %v\n%s", err, out)
			}
		},
	})
}

// deleteQueues removes a test's queues so runs do not pile up on the server.
func deleteQueues(t testing.TB, url string, cfg queue.Config) {
	conn, err := amqp.Dial(url)
	if err != nil {
		t.Logf("cleanup: %v", err)
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return
	}
	for _, n := range rabbitmq.QueueNames(cfg) {
		if _, err := ch.QueueDelete(n, false, false, false); err != nil {
			t.Logf("cleanup: delete %s: %v", n, err)
			return
		}
	}
}
