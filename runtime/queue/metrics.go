package queue

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// The collectors are shared by every queue and labelled by queue name; each
// Queue resolves its children once so the delivery path costs atomic adds,
// not label lookups.
var (
	mPublished = counterVec("published_total", "Messages the broker confirmed on publish.")
	mConsumed  = counterVec("consumed_total", "Deliveries handed to a handler (each attempt counts).")
	mAcked     = counterVec("acked_total", "Deliveries settled as done after the handler returned nil.")
	mRetried   = counterVec("retried_total", "Failed deliveries scheduled for another attempt.")
	mDead      = counterVec("dead_lettered_total", "Deliveries moved to the dead-letter queue after max_attempts.")
	mReleased  = counterVec("released_total", "Deliveries given back without a verdict (shutdown).")
	mErrors    = counterVec("broker_errors_total", "Failed broker calls while settling deliveries (the delivery comes back).")
	mLatency   = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "nbac", Subsystem: "queue", Name: "handler_seconds",
		Help:    "Handler latency.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10),
	}, []string{"queue"})
	mInFlight = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: "nbac", Subsystem: "queue", Name: "in_flight",
		Help: "Deliveries being handled now.",
	}, []string{"queue"})
)

// counterVec is one per-queue counter: nbac_queue_<name>{queue}.
func counterVec(name, help string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "nbac", Subsystem: "queue", Name: name, Help: help,
	}, []string{"queue"})
}

// Register adds the queue collectors (shared by every queue, labelled by
// queue name) to r, prometheus.DefaultRegisterer when r is nil. Registering
// again is harmless. Nothing is registered until someone calls it.
func Register(r prometheus.Registerer) error {
	if r == nil {
		r = prometheus.DefaultRegisterer
	}
	for _, c := range []prometheus.Collector{mPublished, mConsumed, mAcked, mRetried, mDead, mReleased, mErrors, mLatency, mInFlight} {
		if err := r.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return err
			}
		}
	}
	return nil
}

type metrics struct {
	published, consumed, acked, retried, dead, released, errors prometheus.Counter
	latency                                                     prometheus.Observer
	inFlight                                                    prometheus.Gauge
}

func newMetrics(queue string) *metrics {
	return &metrics{
		published: mPublished.WithLabelValues(queue),
		consumed:  mConsumed.WithLabelValues(queue),
		acked:     mAcked.WithLabelValues(queue),
		retried:   mRetried.WithLabelValues(queue),
		dead:      mDead.WithLabelValues(queue),
		released:  mReleased.WithLabelValues(queue),
		errors:    mErrors.WithLabelValues(queue),
		latency:   mLatency.WithLabelValues(queue),
		inFlight:  mInFlight.WithLabelValues(queue),
	}
}
