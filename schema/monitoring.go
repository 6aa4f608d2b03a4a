package schema

// Metrics is a service's `metrics {}` block: the runtime serves its
// Prometheus metrics on Port at Path (rt.ServeMetrics), and the Kubernetes
// emitter writes the container port and a PodMonitor for it.
type Metrics struct {
	Port int    `json:"port"` // default 9090
	Path string `json:"path"` // default /metrics
	Src  Source `json:"-"`
}

// QueueAlerts is a queue's `alerts {}` block: thresholds of the alerts the
// PrometheusRule carries for it. Zero means the default (docs/observability.md).
type QueueAlerts struct {
	// BacklogGrowingFor is how long the backlog must grow before it alerts.
	BacklogGrowingFor Duration `json:"backlog_growing_for,omitempty"`
	// FailureRatio is the share of handler attempts failing (retried or
	// dead-lettered) above which it alerts.
	FailureRatio float64 `json:"failure_ratio,omitempty"`
	Src          Source  `json:"-"`
}

// CacheAlerts is a cache's `alerts {}` block.
type CacheAlerts struct {
	// HitRatioBelow alerts when fewer reads than this share hit a tier.
	HitRatioBelow float64 `json:"hit_ratio_below,omitempty"`
	// L2UnavailableFor is how long Redis must be marked down (the
	// runtime's breaker open) before it alerts.
	L2UnavailableFor Duration `json:"l2_unavailable_for,omitempty"`
	Src              Source   `json:"-"`
}

// LBAlerts is a load balancer's `alerts {}` block.
type LBAlerts struct {
	// DownFor is how long a server or the backend must be down before it
	// alerts.
	DownFor Duration `json:"down_for,omitempty"`
	Src     Source   `json:"-"`
}

// Environment variables the Kubernetes emitter sets in a pod whose service
// has a metrics block, and rt.ServeMetrics reads.
const (
	MetricsAddrEnv = "NBAC_METRICS_ADDR" // ":9090"
	MetricsPathEnv = "NBAC_METRICS_PATH" // "/metrics"
)
