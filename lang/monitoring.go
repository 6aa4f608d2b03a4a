package lang

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// Monitoring blocks (docs/observability.md): a service's metrics endpoint
// and the alert thresholds of queues, caches and load balancers. An
// unwritten threshold stays zero in the model; the PrometheusRule emitter
// applies the documented default, so model.json only carries overrides.

var metricsSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "port"}, {Name: "path"}}}

// Metrics endpoint defaults.
const (
	defaultMetricsPort = 9090
	defaultMetricsPath = "/metrics"
)

// lowerOptional reads an optional nested block into a new T: nil when the
// block is absent, else T with its source set and read filled in.
func lowerOptional[T any](l *loader, blk *hcl.Block, sch *hcl.BodySchema, what string, src func(*T) *schema.Source, read func(*body, *T)) *T {
	if blk == nil {
		return nil
	}
	v := new(T)
	s := src(v)
	s.Block = blk.DefRange
	b, _ := l.open(blk.Body, sch, s, what)
	read(b, v)
	return v
}

func (l *loader) lowerMetrics(blk *hcl.Block, svc string) *schema.Metrics {
	return lowerOptional(l, blk, metricsSchema, fmt.Sprintf("metrics of service %q", svc),
		func(m *schema.Metrics) *schema.Source { return &m.Src },
		func(b *body, m *schema.Metrics) {
			m.Port = b.integer("port", defaultMetricsPort, 1, 65535)
			m.Path = b.str("path", defaultMetricsPath)
			if len(m.Path) == 0 || m.Path[0] != '/' {
				b.errorAt(*m.Src.Range("path"), "Invalid metrics path", fmt.Sprintf("The path of %s must start with \"/\"; got %q.", b.what, m.Path))
			}
		})
}

var queueAlertsSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "backlog_growing_for"}, {Name: "failure_ratio"}}}

func (l *loader) lowerQueueAlerts(blk *hcl.Block, queue string) *schema.QueueAlerts {
	return lowerOptional(l, blk, queueAlertsSchema, fmt.Sprintf("alerts of queue %q", queue),
		func(a *schema.QueueAlerts) *schema.Source { return &a.Src },
		func(b *body, a *schema.QueueAlerts) {
			a.BacklogGrowingFor = b.duration("backlog_growing_for", 0, time.Minute)
			a.FailureRatio = b.number("failure_ratio", 0, 0.001, 1)
		})
}

var cacheAlertsSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "hit_ratio_below"}, {Name: "l2_unavailable_for"}}}

func (l *loader) lowerCacheAlerts(blk *hcl.Block, cache string) *schema.CacheAlerts {
	return lowerOptional(l, blk, cacheAlertsSchema, fmt.Sprintf("alerts of cache %q", cache),
		func(a *schema.CacheAlerts) *schema.Source { return &a.Src },
		func(b *body, a *schema.CacheAlerts) {
			a.HitRatioBelow = b.number("hit_ratio_below", 0, 0.001, 1)
			a.L2UnavailableFor = b.duration("l2_unavailable_for", 0, 0)
		})
}

var lbAlertsSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "down_for"}}}

func (l *loader) lowerLBAlerts(blk *hcl.Block, lb string) *schema.LBAlerts {
	return lowerOptional(l, blk, lbAlertsSchema, fmt.Sprintf("alerts of load balancer %q", lb),
		func(a *schema.LBAlerts) *schema.Source { return &a.Src },
		func(b *body, a *schema.LBAlerts) { a.DownFor = b.duration("down_for", 0, 0) })
}
