package cache

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"sync"
	"time"

	"github.com/maypok86/otter/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/sync/singleflight"

	"github.com/nbac/nbac/schema"
)

// ErrNotFound is what a loader returns when the origin has no value for a
// key. With negative_ttl set, the answer is cached for that long and
// GetOrLoad returns ErrNotFound again without calling the loader.
var ErrNotFound = errors.New("cache: not found")

// Defaults applied when the model leaves a setting at zero.
const (
	DefaultTimeout    = 100 * time.Millisecond
	DefaultRetryAfter = time.Second
	// clockResolution is the coarse clock's tick: L1 expiry is checked
	// against a clock read once per millisecond, because reading the precise
	// clock on every Get costs more than the rest of an L1 hit.
	clockResolution = time.Millisecond
	// noExpiry stands for "no TTL" (otter needs a duration).
	noExpiry = 100 * 365 * 24 * time.Hour
	// entryOverhead approximates an L1 entry's bookkeeping, in bytes, for
	// the max_bytes weigher.
	entryOverhead = 96
)

var (
	clockOnce   sync.Once
	sharedClock *otter.CoarseClock
)

// coarseClock is shared by every cache in the process: one goroutine
// reads the time once per clockResolution.
func coarseClock() *otter.CoarseClock {
	clockOnce.Do(func() { sharedClock = otter.NewCoarseClock(clockResolution) })
	return sharedClock
}

// entry is an L1 value. It is immutable once stored. L1 holds *entry:
// measured against storing the struct by value, the pointer keeps otter's
// nodes small and an L1 hit ~15% cheaper, and Get's atomic hit count adds
// ~5% (otter's own StatsRecorder, which goes through a sync.Pool, ~45%).
type entry struct {
	raw []byte        // the stored bytes (codec output, uncompressed); nil when neg
	val any           // the decoded value when a typed call produced it, else nil
	ttl time.Duration // L1 lifetime chosen at write, jitter applied
	neg bool          // a cached "not found"
}

// Cache is one configured cache. It is safe for concurrent use.
type Cache struct {
	name   string
	codec  Codec
	l1     *otter.Cache[string, *entry]
	l1TTL  time.Duration
	jitter float64
	negTTL time.Duration
	l2     *l2
	warm   []string
	group  singleflight.Group
	m      counters
	log    *slog.Logger
	inval  *invalidator
	clock  *otter.CoarseClock

	tracer      trace.Tracer // nil: tracing off
	loadSpan    string
	loadOpts    []trace.SpanStartOption
	loadLatency prometheus.Histogram
	reg         prometheus.Registerer
	col         prometheus.Collector
	closeOnce   sync.Once
}

// Option configures New.
type Option func(*options)

type options struct {
	codec      Codec
	log        *slog.Logger
	reg        prometheus.Registerer
	retryAfter time.Duration
	tp         trace.TracerProvider
}

// WithCodec sets how non-[]byte values are encoded (default JSON).
func WithCodec(c Codec) Option { return func(o *options) { o.codec = c } }

// WithLogger sets where Redis faults are logged (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithRegisterer registers the cache's metrics (default: not registered;
// Stats still works).
func WithRegisterer(r prometheus.Registerer) Option { return func(o *options) { o.reg = r } }

// WithRetryAfter sets how long the cache leaves Redis alone after a failed
// call before trying again (default 1s).
func WithRetryAfter(d time.Duration) Option { return func(o *options) { o.retryAfter = d } }

// WithTracerProvider traces GetOrLoad's misses (a "cache.load" span with
// the tiers that answered; docs/tracing.md). Without it (or with nil)
// nothing is traced and the read paths pay nothing; pass
// otel.GetTracerProvider() for the global provider.
func WithTracerProvider(tp trace.TracerProvider) Option { return func(o *options) { o.tp = tp } }

// New builds the cache cfg describes. client is its L2 Redis (required
// when cfg.L2 is set; see runtime.Open, which builds it from the model's
// redis block). For the per-call timeout to bound socket reads, the client
// needs ContextTimeoutEnabled (the runtime's clients have it).
func New(cfg schema.Cache, client redis.UniversalClient, opts ...Option) (*Cache, error) {
	o := options{codec: JSON{}, log: slog.Default(), retryAfter: DefaultRetryAfter}
	for _, f := range opts {
		f(&o)
	}
	if cfg.L1 == nil && cfg.L2 == nil {
		return nil, fmt.Errorf("cache %q: neither l1 nor l2 is configured; add an l1 {} and/or l2 {} block", cfg.Name)
	}
	c := &Cache{
		name:   cfg.Name,
		codec:  o.codec,
		negTTL: cfg.NegativeTTL.D(),
		warm:   cfg.Warm,
		log:    o.log.With("cache", cfg.Name),
		clock:  coarseClock(),
		loadLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:        "nbac_cache_load_duration_seconds",
			Help:        "Origin (loader) call latency.",
			ConstLabels: prometheus.Labels{"cache": cfg.Name},
			Buckets:     prometheus.ExponentialBuckets(0.0005, 2.5, 12),
		}),
	}
	if o.tp != nil {
		c.tracer, c.loadSpan, c.loadOpts = o.tp.Tracer(tracerName), "cache.load "+cfg.Name, loadOptions(cfg.Name)
	}
	if cfg.L1 != nil {
		if err := c.initL1(cfg.L1); err != nil {
			return nil, fmt.Errorf("cache %q: l1: %w", cfg.Name, err)
		}
	}
	if cfg.L2 != nil {
		if client == nil {
			return nil, fmt.Errorf("cache %q: l2 needs a Redis client (redis block %q)", cfg.Name, cfg.L2.Redis)
		}
		l, err := newL2(c, cfg, client, o.retryAfter)
		if err != nil {
			return nil, fmt.Errorf("cache %q: l2: %w", cfg.Name, err)
		}
		c.l2 = l
	}
	if o.reg != nil {
		c.reg, c.col = o.reg, collector{c, newDescs(cfg.Name)}
		if err := o.reg.Register(c.col); err != nil {
			return nil, fmt.Errorf("cache %q: registering metrics: %w (is another cache of this name registered with the same registry?)", cfg.Name, err)
		}
	}
	if c.l2 != nil && c.l1 != nil && cfg.L2.Invalidate {
		c.inval = startInvalidator(c, client, c.l2.prefix)
	}
	return c, nil
}

func (c *Cache) initL1(cfg *schema.L1Cache) error {
	if cfg.MaxEntries <= 0 && cfg.MaxBytes <= 0 {
		return errors.New("max_entries or max_bytes must be positive")
	}
	if cfg.Jitter < 0 || cfg.Jitter > 0.5 {
		return fmt.Errorf("jitter %v is outside 0..0.5", cfg.Jitter)
	}
	c.l1TTL, c.jitter = cfg.TTL.D(), cfg.Jitter
	o := &otter.Options[string, *entry]{
		Clock: c.clock,
		// Per-entry lifetime, fixed at write; reads do not extend it, so
		// otter skips expiry work on the read path.
		ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[string, *entry]) time.Duration {
			return e.Value.ttl
		}),
		// Runs synchronously under otter's lock; an atomic add is all it does.
		OnAtomicDeletion: func(e otter.DeletionEvent[string, *entry]) {
			switch e.Cause {
			case otter.CauseOverflow:
				c.m.evictions.Add(1)
			case otter.CauseExpiration:
				c.m.expiries.Add(1)
			}
		},
	}
	if cfg.MaxBytes > 0 {
		// otter bounds either entries or weight. To honour both, every entry
		// weighs at least max_bytes/max_entries, so no more than max_entries
		// entries ever fit.
		floor := uint64(1)
		if cfg.MaxEntries > 0 {
			floor = (uint64(cfg.MaxBytes) + uint64(cfg.MaxEntries) - 1) / uint64(cfg.MaxEntries)
		}
		o.MaximumWeight = uint64(cfg.MaxBytes)
		o.Weigher = func(k string, e *entry) uint32 {
			w := max(uint64(len(k)+len(e.raw)+entryOverhead), floor)
			return uint32(min(w, math.MaxUint32))
		}
	} else {
		o.MaximumSize = cfg.MaxEntries
	}
	l1, err := otter.New(o)
	if err != nil {
		return err
	}
	c.l1 = l1
	return nil
}

// Name is the cache's name in the model.
func (c *Cache) Name() string { return c.name }

// WarmKeys are the keys the model lists in `warm`.
func (c *Cache) WarmKeys() []string { return c.warm }

// l1Lifetime is an L1 TTL with jitter applied: up to jitter*ttl shorter,
// so entries written together do not all expire together.
func (c *Cache) l1Lifetime(ttl time.Duration) time.Duration {
	if ttl <= 0 {
		return noExpiry
	}
	if c.jitter > 0 {
		ttl -= time.Duration(mrand.Float64() * c.jitter * float64(ttl))
	}
	return max(ttl, time.Millisecond)
}

func (c *Cache) storeL1(key string, e *entry, ttl time.Duration) {
	if c.l1 == nil {
		return
	}
	e.ttl = c.l1Lifetime(ttl)
	c.l1.Set(key, e)
}

// WriteOption adjusts one Set, SetBytes or GetOrLoad.
type WriteOption func(*writeOpts)

type writeOpts struct {
	ttl    time.Duration
	hasTTL bool
}

// WithTTL overrides both tiers' TTL for this write (0 = no expiry).
func WithTTL(d time.Duration) WriteOption {
	return func(w *writeOpts) { w.ttl, w.hasTTL = d, true }
}

func (c *Cache) writeOpts(opts []WriteOption) writeOpts {
	var w writeOpts
	for _, f := range opts {
		f(&w)
	}
	return w
}

func (w writeOpts) l1TTL(c *Cache) time.Duration {
	if w.hasTTL {
		return w.ttl
	}
	return c.l1TTL
}

func (w writeOpts) l2TTL(c *Cache) time.Duration {
	if w.hasTTL {
		return w.ttl
	}
	return c.l2.ttl
}

// Close stops the invalidation subscriber and unregisters the metrics. It
// does not close the Redis client, which the caller (or runtime) owns.
func (c *Cache) Close() error {
	c.closeOnce.Do(func() {
		if c.inval != nil {
			c.inval.close()
		}
		if c.reg != nil {
			c.reg.Unregister(c.col)
		}
		if c.l1 != nil {
			c.l1.StopAllGoroutines()
		}
	})
	return nil
}

// newOrigin returns a random instance id for invalidation messages.
func newOrigin() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
