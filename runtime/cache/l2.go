package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/schema"
)

// l2 is the Redis tier.
type l2 struct {
	c       *Cache
	client  redis.UniversalClient
	prefix  string
	ttl     time.Duration
	format  byte
	min     int
	timeout time.Duration
	health  health
}

func newL2(c *Cache, cfg schema.Cache, client redis.UniversalClient, retryAfter time.Duration) (*l2, error) {
	f, err := formatOf(cfg.L2.Compress)
	if err != nil {
		return nil, err
	}
	l := &l2{
		c:       c,
		client:  client,
		prefix:  cfg.L2.KeyPrefix,
		ttl:     cfg.L2.TTL.D(),
		format:  f,
		min:     cfg.L2.CompressMin,
		timeout: cfg.L2.Timeout.D(),
	}
	if l.prefix == "" {
		l.prefix = cfg.Name + ":"
	}
	// compress_min 0 compresses every value (the language's default is 1024).
	l.min = max(l.min, 0)
	if l.timeout <= 0 {
		l.timeout = DefaultTimeout
	}
	l.health = health{c: c, retryAfter: retryAfter}
	return l, nil
}

// get returns the packed bytes at key, nil on a miss. Faults are counted,
// logged and reported as a miss: a read never fails because of Redis.
func (l *l2) get(ctx context.Context, key string) []byte {
	if !l.health.allow() {
		l.c.m.l2Skipped.Add(1)
		return nil
	}
	tctx, cancel := l.callContext(ctx)
	b, err := l.client.Get(tctx, l.prefix+key).Bytes()
	cancel()
	if err != nil {
		if !errors.Is(err, redis.Nil) {
			l.health.fail(ctx, "GET", key, err)
		} else {
			l.health.ok()
		}
		return nil
	}
	l.health.ok()
	return b
}

// set writes packed bytes and, when publish is set, tells other instances
// to drop their L1 copy, in one round trip.
func (l *l2) set(ctx context.Context, key string, packed []byte, ttl time.Duration, publish bool) error {
	return l.setWithin(ctx, l.timeout, key, packed, ttl, publish)
}

// fill writes back a value loaded after a miss, within what is left of the
// l2.timeout that the miss's read began with: GetOrLoad promises l2.timeout
// plus the loader's own time in all, so a Redis that fails between the read
// and the write-back must not cost the caller a second timeout.
func (l *l2) fill(ctx context.Context, key string, packed []byte, ttl, spent time.Duration) {
	left := l.timeout - spent
	if left <= 0 {
		l.c.m.l2Skipped.Add(1)
		return
	}
	// A fault is logged and counted by write; the value is served anyway.
	_ = l.setWithin(ctx, left, key, packed, ttl, false)
}

func (l *l2) setWithin(ctx context.Context, timeout time.Duration, key string, packed []byte, ttl time.Duration, publish bool) error {
	return l.write(ctx, timeout, "SET", key, func(p redis.Pipeliner, k string) {
		p.Set(ctx, k, packed, max(ttl, 0))
	}, publish)
}

func (l *l2) del(ctx context.Context, key string, publish bool) error {
	return l.write(ctx, l.timeout, "DEL", key, func(p redis.Pipeliner, k string) { p.Del(ctx, k) }, publish)
}

func (l *l2) write(ctx context.Context, timeout time.Duration, op, key string, cmd func(redis.Pipeliner, string), publish bool) error {
	if !l.health.allow() {
		l.c.m.l2Skipped.Add(1)
		return fmt.Errorf("cache %q: %s %q skipped: Redis is marked down after recent errors (L1 was updated; retrying Redis in %s)", l.c.name, op, key, l.health.retryAfter)
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	k := l.prefix + key
	var err error
	if publish && l.c.inval != nil {
		msg := l.c.inval.message(key)
		_, err = l.client.Pipelined(tctx, func(p redis.Pipeliner) error {
			cmd(p, k)
			p.Publish(tctx, l.c.inval.channel, msg)
			return nil
		})
		if err == nil {
			l.c.m.invalSent.Add(1)
		}
	} else {
		_, err = l.client.Pipelined(tctx, func(p redis.Pipeliner) error {
			cmd(p, k)
			return nil
		})
	}
	if err != nil {
		l.health.fail(ctx, op, key, err)
		return fmt.Errorf("cache %q: Redis %s %q failed (L1 was updated): %w", l.c.name, op, k, err)
	}
	l.health.ok()
	return nil
}

// callContext bounds one Redis call by l2.timeout. It must be a real
// context.WithTimeout, whose Done fires: go-redis waits between dial
// attempts, between command retries and for a pooled connection on
// ctx.Done, so a deadline that only Deadline reported (no timer behind it,
// as this code once used to save three allocations) left a refused Redis
// costing each call every dial retry and command retry: 1.7 s at a 100 ms
// timeout.
func (l *l2) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, l.timeout)
}

// health is a small circuit breaker with rate-limited logging: after a
// failed call Redis is left alone for retryAfter, so an outage costs callers
// nothing beyond L1 and the origin. Once retryAfter has passed, one call
// (the probe) tries Redis while the others keep skipping it; the probe's
// success closes the breaker (and says so in the log), its failure leaves
// Redis alone for another retryAfter. One probe per interval, not every
// concurrent caller, pays the timeout of a Redis that is still hung, and a
// refused Redis sees one call's dials per interval per cache.
type health struct {
	c          *Cache
	retryAfter time.Duration
	down       atomic.Bool
	downUntil  atomic.Int64 // unix nanos, coarse clock

	mu       sync.Mutex
	lastLog  time.Time
	failures uint64 // since the outage began
}

// logEvery bounds how often a continuing outage is logged.
const logEvery = time.Minute

// allow reports whether this call may use Redis. While the breaker is
// open only the caller that moves downUntil forward gets true: that call is
// the probe.
func (h *health) allow() bool {
	if !h.down.Load() {
		return true
	}
	until := h.downUntil.Load()
	now := h.c.clock.NowNano()
	return now >= until && h.downUntil.CompareAndSwap(until, now+int64(h.retryAfter))
}

func (h *health) fail(ctx context.Context, op, key string, err error) {
	if ctx.Err() != nil {
		// The caller gave up (its own deadline or cancel): not Redis's fault.
		return
	}
	h.c.m.l2Errors.Add(1)
	h.downUntil.Store(h.c.clock.NowNano() + int64(h.retryAfter))
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failures++
	first := !h.down.Swap(true)
	now := time.Now()
	if first || now.Sub(h.lastLog) >= logEvery {
		h.lastLog = now
		h.c.log.LogAttrs(ctx, slog.LevelWarn, "cache: Redis unavailable; serving from L1 and the origin",
			slog.String("op", op), slog.String("key", key), slog.Any("error", err),
			slog.Uint64("failures", h.failures), slog.Duration("retry_after", h.retryAfter))
	}
}

func (h *health) ok() {
	if !h.down.Load() {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down.CompareAndSwap(true, false) {
		h.c.log.LogAttrs(context.Background(), slog.LevelInfo, "cache: Redis reachable again",
			slog.Uint64("failures", h.failures))
		h.failures = 0
	}
}

func (h *health) isDown() bool { return h.down.Load() }
