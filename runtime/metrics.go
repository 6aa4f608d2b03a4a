package runtime

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/schema"
)

// Default endpoint of ServeMetrics when the environment names none.
const (
	defaultMetricsAddr = ":9090"
	defaultMetricsPath = "/metrics"
)

// backlogTimeout bounds the broker calls one scrape makes per queue.
const backlogTimeout = 5 * time.Second

var (
	dReady = prometheus.NewDesc("nbac_queue_ready", "Messages waiting in the broker for a consumer (what KEDA scales on), read at scrape time.", []string{"queue"}, nil)
	dDelay = prometheus.NewDesc("nbac_queue_delayed", "Messages scheduled for later (delays and retries), read at scrape time.", []string{"queue"}, nil)
	dDead  = prometheus.NewDesc("nbac_queue_dead_letters", "Messages in the dead-letter queue, read at scrape time.", []string{"queue"}, nil)
)

// metricsOnce registers the backlog collector once per runtime.
type metricsOnce struct {
	once sync.Once
	err  error
}

// MetricsHandler serves the runtime's Prometheus metrics: the queue and
// cache collectors registered through WithRegisterer, plus the backlog of
// every open queue read from its broker at scrape time (nbac_queue_ready,
// nbac_queue_delayed, nbac_queue_dead_letters). The runtime must have been
// opened WithRegisterer; the handler gathers from that registry when it
// is a prometheus.Gatherer (a *prometheus.Registry), else from
// prometheus.DefaultGatherer.
func (rt *Runtime) MetricsHandler() (http.Handler, error) {
	if rt.reg == nil {
		return nil, errors.New("runtime: metrics are off; open the runtime WithRegisterer(prometheus.DefaultRegisterer) (or a registry of your own) to serve them")
	}
	rt.metrics.once.Do(func() {
		rt.metrics.err = rt.reg.Register(backlogCollector{rt})
	})
	if rt.metrics.err != nil {
		return nil, fmt.Errorf("runtime: registering the queue backlog collector: %w", rt.metrics.err)
	}
	g, ok := rt.reg.(prometheus.Gatherer)
	if !ok {
		g = prometheus.DefaultGatherer
	}
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorLog: nil}), nil
}

// ServeMetrics serves MetricsHandler until ctx is done, on the address and
// path the Kubernetes emitter sets for a service with a metrics block
// ($NBAC_METRICS_ADDR, default ":9090"; $NBAC_METRICS_PATH, default
// "/metrics"). It returns nil once ctx is done, or the listener's error.
//
//	go rt.ServeMetrics(ctx)
func (rt *Runtime) ServeMetrics(ctx context.Context) error {
	h, err := rt.MetricsHandler()
	if err != nil {
		return err
	}
	addr, path := defaultMetricsAddr, defaultMetricsPath
	if v, ok := rt.getenv(schema.MetricsAddrEnv); ok && v != "" {
		addr = v
	}
	if v, ok := rt.getenv(schema.MetricsPathEnv); ok && v != "" {
		path = v
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("runtime: metrics listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle(path, h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("runtime: metrics server: %w", err)
	}
	return nil
}

// backlogCollector reads each open queue's counts from its broker at
// scrape time, so the backlog alerts see the broker's view, not a guess
// from publish and ack counters (other publishers exist). A queue whose
// broker does not answer in time is left out of that scrape.
type backlogCollector struct{ rt *Runtime }

func (c backlogCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- dReady
	ch <- dDelay
	ch <- dDead
}

func (c backlogCollector) Collect(ch chan<- prometheus.Metric) {
	s := &c.rt.queues
	s.mu.Lock()
	open := make(map[string]*queue.Queue, len(s.open))
	for n, q := range s.open {
		open[n] = q
	}
	s.mu.Unlock()
	for name, q := range open {
		ctx, cancel := context.WithTimeout(context.Background(), backlogTimeout)
		st, err := q.Inspect(ctx)
		cancel()
		if err != nil {
			c.rt.log.Debug("queue backlog not read for metrics", "queue", name, "err", err)
			continue
		}
		ch <- prometheus.MustNewConstMetric(dReady, prometheus.GaugeValue, float64(st.Ready), name)
		ch <- prometheus.MustNewConstMetric(dDelay, prometheus.GaugeValue, float64(st.Delayed), name)
		ch <- prometheus.MustNewConstMetric(dDead, prometheus.GaugeValue, float64(st.DeadLetters), name)
	}
}
