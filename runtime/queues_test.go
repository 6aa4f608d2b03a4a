package runtime

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/schema"
)

func queueRuntime(env map[string]string) *Runtime {
	m := &schema.Model{
		Brokers: []schema.Broker{
			{Name: "local", Type: "memory"},
			{Name: "rabbit", Type: "rabbitmq", URLEnv: "AMQP_URL"},
			{Name: "sqs", Type: "sqs", Addresses: []string{"x"}},
			{Name: "stream", Type: "kafka", URLEnv: "KAFKA_SEEDS"},
		},
		// Sorted by name, as the model lookups binary-search.
		Queues: []schema.Queue{
			{Name: "clicks", Broker: "stream"},
			{Name: "emails", Broker: "local", Workers: 2, Retry: schema.Retry{MaxAttempts: 2}},
			{Name: "orders", Broker: "rabbit"},
			{Name: "uploads", Broker: "sqs"},
		},
	}
	return &Runtime{model: m, getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
}

func TestQueueFromModelRoundTrip(t *testing.T) {
	rt := queueRuntime(nil)
	defer rt.Close()
	q, err := rt.Queue("emails")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := rt.Queue("emails"); again != q {
		t.Fatal("Queue returned a second instance for the same name")
	}
	if c := q.Config(); c.Workers != 2 || c.MaxAttempts != 2 || c.Prefetch != 4 {
		t.Fatalf("config from model = %+v; want workers 2, max_attempts 2, prefetch 2*workers", c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.Publish(ctx, queue.Message{Body: []byte("hi")}); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	cctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- q.Consume(cctx, func(_ context.Context, d *queue.Delivery) error { got <- string(d.Body); return nil }, queue.ConsumeOptions{})
	}()
	if b := <-got; b != "hi" {
		t.Fatalf("consumed %q, want hi", b)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestQueueErrorsNameTheFix(t *testing.T) {
	rt := queueRuntime(nil)
	defer rt.Close()
	for name, want := range map[string]string{
		"email":   `did you mean "emails"`,
		"orders":  "AMQP_URL (url_env) is not set",
		"uploads": "no queue driver",
		"clicks":  "url_env to a variable holding host:port",
	} {
		_, err := rt.Queue(name)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Queue(%q) error = %v; want it to contain %q", name, err, want)
		}
	}
}

func TestQueueBrokerURLFromEnv(t *testing.T) {
	rt := queueRuntime(map[string]string{"AMQP_URL": "amqp://u:p@mq:5672/vh"})
	defer rt.Close()
	if _, err := rt.Queue("orders"); err != nil {
		t.Fatalf("Queue(orders) with AMQP_URL set: %v", err)
	}
}

func TestQueueKafkaSeedsFromEnv(t *testing.T) {
	rt := queueRuntime(map[string]string{"KAFKA_SEEDS": "kafka://k1:9092, k2:9092"})
	defer rt.Close()
	if _, err := rt.Queue("clicks"); err != nil {
		t.Fatalf("Queue(clicks) with KAFKA_SEEDS set: %v", err)
	}
}

func TestQueueAfterClose(t *testing.T) {
	rt := queueRuntime(nil)
	rt.Close()
	if _, err := rt.Queue("emails"); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("Queue after Close = %v; want a closed error", err)
	}
}
