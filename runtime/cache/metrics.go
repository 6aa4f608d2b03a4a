package cache

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// counters are plain atomics read at scrape time by a custom Collector, so
// that the L1 hit path costs one atomic add instead of a Prometheus vector
// lookup.
type counters struct {
	l1Hits, l1Misses     atomic.Uint64
	l2Hits, l2Misses     atomic.Uint64
	l2Errors, l2Skipped  atomic.Uint64
	l2Corrupt            atomic.Uint64
	evictions, expiries  atomic.Uint64
	loadOK, loadErrors   atomic.Uint64
	loadNotFound         atomic.Uint64
	invalSent, invalRecv atomic.Uint64
	l1Flushes            atomic.Uint64
}

// Stats is a snapshot of a cache's counters since it was created.
type Stats struct {
	L1Hits, L1Misses uint64
	L2Hits, L2Misses uint64
	// L2Errors counts failed Redis calls (timeouts, refused connections);
	// L2Skipped counts calls not made because Redis was marked down;
	// L2Corrupt counts undecodable values, which were treated as misses.
	L2Errors, L2Skipped, L2Corrupt uint64
	// Evictions are entries dropped for size; Expirations for TTL.
	Evictions, Expirations uint64
	// Loads counts origin calls; LoadErrors those that failed,
	// LoadNotFound those that returned ErrNotFound.
	Loads, LoadErrors, LoadNotFound uint64
	// InvalidationsSent/Received count pub/sub messages; L1Flushes the
	// whole-L1 flushes done after the subscriber (re)connected.
	InvalidationsSent, InvalidationsReceived, L1Flushes uint64
	// L1Entries and L1Weight are the current L1 size (weight is bytes
	// when max_bytes is set).
	L1Entries int
	L1Weight  uint64
	// L2Down is true while Redis is considered unreachable.
	L2Down bool
}

// HitRatio is the share of reads served by either tier.
func (s Stats) HitRatio() float64 {
	total := s.L1Hits + s.L1Misses
	if total == 0 {
		return 0
	}
	return float64(s.L1Hits+s.L2Hits) / float64(total)
}

// Stats returns a snapshot of the cache's counters.
func (c *Cache) Stats() Stats {
	m := &c.m
	s := Stats{
		L1Hits: m.l1Hits.Load(), L1Misses: m.l1Misses.Load(),
		L2Hits: m.l2Hits.Load(), L2Misses: m.l2Misses.Load(),
		L2Errors: m.l2Errors.Load(), L2Skipped: m.l2Skipped.Load(), L2Corrupt: m.l2Corrupt.Load(),
		Evictions: m.evictions.Load(), Expirations: m.expiries.Load(),
		LoadErrors: m.loadErrors.Load(), LoadNotFound: m.loadNotFound.Load(),
		InvalidationsSent: m.invalSent.Load(), InvalidationsReceived: m.invalRecv.Load(),
		L1Flushes: m.l1Flushes.Load(),
	}
	s.Loads = m.loadOK.Load() + s.LoadErrors + s.LoadNotFound
	if c.l1 != nil {
		s.L1Entries = c.l1.EstimatedSize()
		s.L1Weight = c.l1.WeightedSize()
	}
	if c.l2 != nil {
		s.L2Down = c.l2.health.isDown()
	}
	return s
}

// Metric names, all labelled with cache="<name>".
var (
	descHits      = prometheus.NewDesc("nbac_cache_hits_total", "Reads served by a tier.", []string{"cache", "tier"}, nil)
	descMisses    = prometheus.NewDesc("nbac_cache_misses_total", "Reads a tier could not serve.", []string{"cache", "tier"}, nil)
	descEvictions = prometheus.NewDesc("nbac_cache_evictions_total", "L1 entries dropped, by reason (size, expired).", []string{"cache", "reason"}, nil)
	descLoads     = prometheus.NewDesc("nbac_cache_loads_total", "Origin (loader) calls, by result (ok, error, not_found).", []string{"cache", "result"}, nil)
	descL2Errors  = prometheus.NewDesc("nbac_cache_l2_errors_total", "Failed Redis calls.", []string{"cache"}, nil)
	descL2Skipped = prometheus.NewDesc("nbac_cache_l2_skipped_total", "Redis calls skipped while Redis was marked down.", []string{"cache"}, nil)
	descL2Corrupt = prometheus.NewDesc("nbac_cache_l2_corrupt_total", "Undecodable L2 values, treated as misses.", []string{"cache"}, nil)
	descL2Up      = prometheus.NewDesc("nbac_cache_l2_up", "1 while Redis answers, 0 while it is marked down.", []string{"cache"}, nil)
	descInval     = prometheus.NewDesc("nbac_cache_invalidations_total", "Invalidation messages, by direction (sent, received).", []string{"cache", "direction"}, nil)
	descFlushes   = prometheus.NewDesc("nbac_cache_l1_flushes_total", "Whole-L1 flushes after the invalidation subscriber (re)connected.", []string{"cache"}, nil)
	descEntries   = prometheus.NewDesc("nbac_cache_l1_entries", "Entries in L1.", []string{"cache"}, nil)
	descWeight    = prometheus.NewDesc("nbac_cache_l1_weight", "Weighted size of L1 (bytes when max_bytes is set).", []string{"cache"}, nil)
)

// collector exports one cache's counters; the load latency histogram is a
// regular Histogram collected alongside.
type collector struct{ c *Cache }

func (col collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descHits, descMisses, descEvictions, descLoads, descL2Errors,
		descL2Skipped, descL2Corrupt, descL2Up, descInval, descFlushes, descEntries, descWeight} {
		ch <- d
	}
	col.c.loadLatency.Describe(ch)
}

func (col collector) Collect(ch chan<- prometheus.Metric) {
	s := col.c.Stats()
	n := col.c.name
	cnt := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), append([]string{n}, labels...)...)
	}
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, n)
	}
	cnt(descHits, s.L1Hits, "l1")
	cnt(descHits, s.L2Hits, "l2")
	cnt(descMisses, s.L1Misses, "l1")
	cnt(descMisses, s.L2Misses, "l2")
	cnt(descEvictions, s.Evictions, "size")
	cnt(descEvictions, s.Expirations, "expired")
	cnt(descLoads, s.Loads-s.LoadErrors-s.LoadNotFound, "ok")
	cnt(descLoads, s.LoadErrors, "error")
	cnt(descLoads, s.LoadNotFound, "not_found")
	cnt(descL2Errors, s.L2Errors)
	cnt(descL2Skipped, s.L2Skipped)
	cnt(descL2Corrupt, s.L2Corrupt)
	cnt(descInval, s.InvalidationsSent, "sent")
	cnt(descInval, s.InvalidationsReceived, "received")
	cnt(descFlushes, s.L1Flushes)
	if col.c.l2 != nil {
		up := 1.0
		if s.L2Down {
			up = 0
		}
		gauge(descL2Up, up)
	}
	gauge(descEntries, float64(s.L1Entries))
	gauge(descWeight, float64(s.L1Weight))
	col.c.loadLatency.Collect(ch)
}
