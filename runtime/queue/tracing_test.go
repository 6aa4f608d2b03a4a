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

// TestFIFORetryInPlaceIsLinked: a FIFO queue retries in place (no trip
// through the broker); the second attempt's span still links to the first
// and both are children of the publish span.
func TestFIFORetryInPlaceIsLinked(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())
	cfg := queue.Config{Name: fmt.Sprintf("fifo-traced-%04x", rand.N(1<<16)), FIFO: true, MaxAttempts: 3,
		Backoff: queue.Backoff{Initial: time.Millisecond, Max: time.Millisecond}, TracerProvider: tp}
	q := queue.New(cfg, memory.Named("tracing-test").Driver(cfg))
	defer q.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := q.Publish(ctx, queue.Message{Key: "k", Body: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	acked := make(chan struct{})
	cctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- q.Consume(cctx, func(_ context.Context, d *queue.Delivery) error {
			if d.Attempt == 1 {
				return fmt.Errorf("first attempt fails")
			}
			close(acked)
			return nil
		}, queue.ConsumeOptions{})
	}()
	select {
	case <-acked:
	case <-ctx.Done():
		t.Fatal("second attempt never ran")
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	byAttempt := map[int64]tracetest.SpanStub{}
	var pub tracetest.SpanStub
	for _, s := range exp.GetSpans() {
		if s.Name == "publish "+cfg.Name {
			pub = s
		}
		for _, kv := range s.Attributes {
			if kv.Key == queue.AttrAttempt {
				byAttempt[kv.Value.AsInt64()] = s
			}
		}
	}
	first, second := byAttempt[1], byAttempt[2]
	if !first.SpanContext.IsValid() || !second.SpanContext.IsValid() || !pub.SpanContext.IsValid() {
		t.Fatalf("want a publish span and attempts 1 and 2, got %v", exp.GetSpans())
	}
	if first.Parent.SpanID() != pub.SpanContext.SpanID() || second.Parent.SpanID() != pub.SpanContext.SpanID() {
		t.Errorf("attempts are not children of the publish span")
	}
	if len(second.Links) != 1 || second.Links[0].SpanContext.SpanID() != first.SpanContext.SpanID() {
		t.Errorf("second attempt's links = %v, want the first attempt %s", second.Links, first.SpanContext.SpanID())
	}
}
