package runtime

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/nbac/nbac/internal/eventually"
	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/schema"
)

// TestServeMetrics: ServeMetrics serves the registry, with the backlog of
// open queues read from the broker at scrape time, on the address and
// path the emitter puts in the pod's environment, and stops with ctx.
func TestServeMetrics(t *testing.T) {
	dir := t.TempDir()
	hcl := `
project "p" {}
broker "mem" {
  type = "memory"
}
queue "serve_metrics_test" {
  broker = broker.mem
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(hcl), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	env := map[string]string{schema.MetricsAddrEnv: addr, schema.MetricsPathEnv: "/m"}
	rt, err := Open(context.Background(), dir, WithRegisterer(prometheus.NewRegistry()), WithGetenv(func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	q, err := rt.Queue("serve_metrics_test")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := q.Publish(context.Background(), queue.Message{Body: []byte("x")}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rt.ServeMetrics(ctx) }()
	var body string
	eventually.True(t, time.Minute, "the metrics endpoint to answer", func() bool {
		resp, err := http.Get("http://" + addr + "/m")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return resp.StatusCode == http.StatusOK
	})
	for _, want := range []string{`nbac_queue_ready{queue="serve_metrics_test"} 3`, `nbac_queue_published_total{queue="serve_metrics_test"} 3`} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %s in:\n%s", want, body)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("ServeMetrics after cancel: %v", err)
	}
}

func TestMetricsHandlerNeedsARegisterer(t *testing.T) {
	rt := &Runtime{model: &schema.Model{}}
	if _, err := rt.MetricsHandler(); err == nil || !strings.Contains(err.Error(), "WithRegisterer") {
		t.Fatalf("want an error naming WithRegisterer, got %v", err)
	}
}
