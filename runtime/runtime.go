package runtime

import (
	"errors"
	"log/slog"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/nbac/nbac/schema"
)

// Runtime holds a model and the caches and queues opened from it.
// Caches are owned by caches.go, queues by queues.go; both share the Redis
// clients of redis.go, the environment lookup, logger and metrics registry.
type Runtime struct {
	model  *schema.Model
	caches cacheSet
	queues queueSet

	// getenv reads connection settings (the variables the model names).
	getenv func(string) (string, bool)
	// environ is the whole environment, for compiling HCL (NBAC_VAR_*).
	environ []string
	log     *slog.Logger
	reg     prometheus.Registerer // nil: metrics are not registered
	tp      trace.TracerProvider  // nil: nothing is traced
	metrics metricsOnce           // metrics.go
	redis   redisPool

	closeOnce sync.Once
	closeErr  error
}

// Model returns the model the runtime was opened with.
func (rt *Runtime) Model() *schema.Model { return rt.model }

// Logger is the runtime's logger (WithLogger, default slog.Default()).
func (rt *Runtime) Logger() *slog.Logger { return rt.log }

// closeHooks run first in Close, in order: parts of the runtime that live
// in other files (the queues) append to it from an init function, so Close
// stops their workers before the connections they use are closed.
var closeHooks []func(*Runtime) error

// Close stops queue work (through closeHooks), closes every cache and then
// the Redis clients. It is safe to call more than once.
func (rt *Runtime) Close() error {
	rt.closeOnce.Do(func() {
		var errs []error
		for _, h := range closeHooks {
			errs = append(errs, h(rt))
		}
		errs = append(errs, rt.caches.close())
		errs = append(errs, rt.redis.close())
		rt.closeErr = errors.Join(errs...)
	})
	return rt.closeErr
}
