package runtime_test

import (
	"context"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/nbac/nbac/runtime"
	"github.com/nbac/nbac/runtime/queue"
)

// The worker of docs/runtime-queues.md; compiled by go test so the
// documented code keeps building.
func ExampleRuntime_Queue() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	rt, err := runtime.Open(ctx, "", runtime.WithRegisterer(prometheus.DefaultRegisterer))
	if err != nil {
		log.Fatal(err)
	}
	defer rt.Close()

	q, err := rt.Queue("emails")
	if err != nil {
		log.Fatal(err)
	}
	err = q.Publish(ctx, queue.Message{
		Key:      "user-42",
		Body:     []byte(`{"to":"a@example.com"}`),
		Headers:  map[string]string{"trace-id": "abc"},
		Priority: queue.PriorityHigh,
		Delay:    10 * time.Second,
	})
	if err != nil {
		log.Printf("publish failed, retry it: %v", err)
	}
	err = q.Consume(ctx, func(ctx context.Context, d *queue.Delivery) error {
		log.Printf("attempt %d of %s (redelivered %v)", d.Attempt, d.ID, d.Redelivered)
		return nil
	}, queue.ConsumeOptions{})
	if err != nil {
		log.Fatal(err)
	}
}
