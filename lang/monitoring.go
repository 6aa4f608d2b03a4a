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

func (l *loader) lowerMetrics(blk *hcl.Block, svc string) *schema.Metrics {
	if blk == nil {
		return nil
	}
	m := &schema.Metrics{}
	m.Src.Block = blk.DefRange
	b, _ := l.open(blk.Body, metricsSchema, &m.Src, fmt.Sprintf("metrics of service %q", svc))
	m.Port = b.integer("port", defaultMetricsPort, 1, 65535)
	m.Path = b.str("path", defaultMetricsPath)
	if len(m.Path) == 0 || m.Path[0] != '/' {
		b.errorAt(*m.Src.Range("path"), "Invalid metrics path", fmt.Sprintf("The path of %s must start with \"/\"; got %q.", b.what, m.Path))
	}
	return m
}

var queueAlertsSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "backlog_growing_for"}, {Name: "failure_ratio"}}}

func (l *loader) lowerQueueAlerts(blk *hcl.Block, queue string) *schema.QueueAlerts {
	if blk == nil {
		return nil
	}
	a := &schema.QueueAlerts{}
	a.Src.Block = blk.DefRange
	b, _ := l.open(blk.Body, queueAlertsSchema, &a.Src, fmt.Sprintf("alerts of queue %q", queue))
	a.BacklogGrowingFor = b.duration("backlog_growing_for", 0, time.Minute)
	a.FailureRatio = b.number("failure_ratio", 0, 0.001, 1)
	return a
}

var cacheAlertsSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "hit_ratio_below"}, {Name: "l2_unavailable_for"}}}

func (l *loader) lowerCacheAlerts(blk *hcl.Block, cache string) *schema.CacheAlerts {
	if blk == nil {
		return nil
	}
	a := &schema.CacheAlerts{}
	a.Src.Block = blk.DefRange
	b, _ := l.open(blk.Body, cacheAlertsSchema, &a.Src, fmt.Sprintf("alerts of cache %q", cache))
	a.HitRatioBelow = b.number("hit_ratio_below", 0, 0.001, 1)
	a.L2UnavailableFor = b.duration("l2_unavailable_for", 0, 0)
	return a
}

var lbAlertsSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "down_for"}}}

func (l *loader) lowerLBAlerts(blk *hcl.Block, lb string) *schema.LBAlerts {
	if blk == nil {
		return nil
	}
	a := &schema.LBAlerts{}
	a.Src.Block = blk.DefRange
	b, _ := l.open(blk.Body, lbAlertsSchema, &a.Src, fmt.Sprintf("alerts of load balancer %q", lb))
	a.DownFor = b.duration("down_for", 0, 0)
	return a
}
