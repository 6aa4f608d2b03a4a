package rabbitmq_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/queuetest"
	"github.com/nbac/nbac/runtime/queue/rabbitmq"
)

// TestConformanceQuorum runs the whole suite (throughput, delay, retries,
// DLQ and replay, FIFO, shutdown, proxy cut, server-side kill) on quorum
// queues. The priority case cannot run: it checks instead that the driver
// refuses priorities on a quorum queue, naming the broker version, and
// then skips.
func TestConformanceQuorum(t *testing.T) {
	url := brokerURL(t)
	queuetest.Run(t, harness(t, url, func(t testing.TB, cfg *queue.Config) {
		cfg.QueueType = queue.QueueQuorum
		if cfg.Priorities {
			err := declare(t, url, *cfg)
			mustMention(t, err, cfg.Name, `queue_type = "quorum"`, "priorities", "broker RabbitMQ "+brokerVersion(t, url))
			t.Skipf("quorum queues have no four-level priorities; the driver refused them as it should: %v", err)
		}
	}))
}

// TestQuorumTopology checks on the broker that every queue of a quorum
// queue (work queue, DLQ and every delay tier) is a quorum queue, so that
// delayed messages, retries and dead letters are replicated too.
func TestQuorumTopology(t *testing.T) {
	url := brokerURL(t)
	cfg := queuetest.Config(t)
	cfg.QueueType, cfg.FIFO = queue.QueueQuorum, true
	if err := declare(t, url, cfg); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("rabbitmqctl", "list_queues", "-q", "--no-table-headers", "name", "type").CombinedOutput()
	if err != nil {
		t.Fatalf("rabbitmqctl list_queues: %v\n%s", err, out)
	}
	types := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if name, typ, ok := strings.Cut(strings.TrimSpace(line), "\t"); ok {
			types[name] = typ
		}
	}
	names := rabbitmq.QueueNames(cfg)
	for _, n := range names {
		if types[n] != "quorum" {
			t.Errorf("queue %s is of type %q on the broker, want quorum", n, types[n])
		}
	}
	t.Logf("%d queues (work, dlq, %d delay tiers) declared as quorum", len(names), len(names)-2)
}

// TestQueueTypeMismatch declares a queue by hand with the other type and
// checks that the driver's declare names the queue, the mismatching
// argument and the way out, in both directions.
func TestQueueTypeMismatch(t *testing.T) {
	url := brokerURL(t)
	for _, tc := range []struct{ existing, model string }{
		{"classic", queue.QueueQuorum},
		{"quorum", queue.QueueClassic},
	} {
		t.Run(tc.existing+"_then_"+tc.model, func(t *testing.T) {
			cfg := queuetest.Config(t)
			// Without dead-lettering the type is the only argument that
			// differs (the broker names the first mismatch it finds).
			cfg.QueueType, cfg.DeadLetter = tc.model, false
			withChannel(t, url, func(ch *amqp.Channel) {
				if _, err := ch.QueueDeclare(cfg.Name, true, false, false, false, amqp.Table{"x-queue-type": tc.existing}); err != nil {
					t.Fatalf("declare %s by hand: %v", cfg.Name, err)
				}
			})
			t.Cleanup(func() { deleteQueues(t, url, cfg) })
			err := declare(t, url, cfg)
			mustMention(t, err, `"`+cfg.Name+`" already exists`, "x-queue-type", `queue_type = "`+tc.model+`"`, "delete", "new name")
			t.Logf("the driver said: %v", err)
		})
	}
}

// declare runs the driver's Declare for cfg and deletes the queues after.
func declare(t testing.TB, url string, cfg queue.Config) error {
	d := rabbitmq.New(cfg, rabbitmq.Options{URL: url})
	defer d.Close()
	t.Cleanup(func() { deleteQueues(t, url, cfg) })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return d.Declare(ctx)
}

func mustMention(t testing.TB, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q does not mention %q", err, p)
		}
	}
}

func withChannel(t testing.TB, url string, f func(ch *amqp.Channel)) {
	t.Helper()
	conn, err := amqp.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	f(ch)
}

func brokerVersion(t testing.TB, url string) string {
	conn, err := amqp.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	v, _ := conn.Properties["version"].(string)
	return v
}
