package queue_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/memory"
)

// TestPublisherOwnTraceparentWins: a traceparent the publisher put in the
// headers itself is neither overwritten nor copied over by the runtime's,
// and the handler's span continues the publisher's trace.
func TestPublisherOwnTraceparentWins(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())
	cfg := queue.Config{Name: fmt.Sprintf("own-traceparent-%04x", rand.N(1<<16)), TracerProvider: tp}
	q := queue.New(cfg, memory.Named("tracing-test").Driver(cfg))
	defer q.Close()
	const own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := q.Publish(ctx, queue.Message{Body: []byte("x"), Headers: map[string]string{"traceparent": own}}); err != nil {
		t.Fatal(err)
	}
	got := make(chan *queue.Delivery, 1)
	cctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- q.Consume(cctx, func(_ context.Context, d *queue.Delivery) error { got <- d; return nil }, queue.ConsumeOptions{})
	}()
	var d *queue.Delivery
	select {
	case d = <-got:
	case <-ctx.Done():
		t.Fatal("message not delivered")
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if d.Headers["traceparent"] != own {
		t.Fatalf("delivered traceparent = %q, want the publisher's own %q", d.Headers["traceparent"], own)
	}
	found := false
	for _, s := range exp.GetSpans() {
		if s.Name == "process "+cfg.Name {
			found = true
			if s.Parent.SpanID().String() != "b7ad6b7169203331" {
				t.Fatalf("process span's parent = %s, want the publisher's own span b7ad6b7169203331", s.Parent.SpanID())
			}
		}
	}
	if !found {
		t.Fatal("no process span exported after Consume returned")
	}
}
