package runtime

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/nbac/nbac/internal/eventually"
	"github.com/nbac/nbac/runtime/cache"
	"github.com/nbac/nbac/runtime/queue"
)

// TestWithTracerProviderReachesQueuesAndCaches: the provider given to Open
// traces the queues and caches the runtime opens; without it nothing is
// traced and no trace context is put in message headers.
func TestWithTracerProviderReachesQueuesAndCaches(t *testing.T) {
	dir := t.TempDir()
	name := fmt.Sprintf("traced-%d-%04x", os.Getpid(), rand.N(1<<16))
	src := fmt.Sprintf(`project "p" {}
broker "m" { type = "memory" }
queue %q { broker = broker.m }
cache "c" {
  l1 { max_entries = 10 }
}
`, name)
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, traced := range []bool{true, false} {
		exp := tracetest.NewInMemoryExporter()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
		opts := []Option{quiet}
		if traced {
			opts = append(opts, WithTracerProvider(tp))
		}
		rt, err := Open(context.Background(), dir, opts...)
		if err != nil {
			t.Fatal(err)
		}
		c, err := rt.Cache("c")
		if err != nil {
			t.Fatal(err)
		}
		ctx, root := tp.Tracer("test").Start(context.Background(), "request")
		if _, err := cache.GetOrLoad(ctx, c, "k", func(context.Context) (int, error) { return 1, nil }); err != nil {
			t.Fatal(err)
		}
		q, err := rt.Queue(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Publish(ctx, queue.Message{Body: []byte("x")}); err != nil {
			t.Fatal(err)
		}
		root.End()
		headers := make(chan map[string]string, 1)
		cctx, stop := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- q.Consume(cctx, func(_ context.Context, d *queue.Delivery) error { headers <- d.Headers; return nil }, queue.ConsumeOptions{})
		}()
		h := <-headers
		names := func() []string {
			var out []string
			for _, s := range exp.GetSpans() {
				out = append(out, s.Name)
			}
			return out
		}
		if traced {
			want := []string{"cache.load c", "publish " + name, "process " + name}
			eventually.True(t, time.Minute, "the load, publish and process spans", func() bool {
				got := names()
				return slices.Contains(got, want[0]) && slices.Contains(got, want[1]) && slices.Contains(got, want[2])
			})
			if h["traceparent"] == "" {
				t.Errorf("traced runtime: no traceparent in the delivered headers %v", h)
			}
		} else {
			if got := names(); len(got) != 1 || got[0] != "request" {
				t.Errorf("untraced runtime made spans %v, want only the test's own", got)
			}
			if len(h) != 0 {
				t.Errorf("untraced runtime added headers %v", h)
			}
		}
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		rt.Close()
		_ = tp.Shutdown(context.Background())
	}
}
