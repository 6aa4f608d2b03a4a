package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// fromL2 reads key from L2 and, on a hit, stores it in L1. A value that
// does not unpack (or decode, with decodeAs) counts as corrupt and is a miss.
func (c *Cache) fromL2(ctx context.Context, key string, decodeAs func([]byte) (any, error)) *entry {
	if c.l2 == nil {
		return nil
	}
	b := c.l2.get(ctx, key)
	if b == nil {
		c.m.l2Misses.Add(1)
		return nil
	}
	raw, neg, err := unpack(b)
	e := &entry{raw: raw, neg: neg}
	if err == nil && !neg && decodeAs != nil {
		e.val, err = decodeAs(raw)
	}
	if err != nil {
		c.m.l2Corrupt.Add(1)
		c.m.l2Misses.Add(1)
		c.log.LogAttrs(ctx, slog.LevelWarn, "cache: undecodable L2 value treated as a miss",
			slog.String("key", c.l2.prefix+key), slog.Any("error", err))
		return nil
	}
	c.m.l2Hits.Add(1)
	ttl := c.l1TTL
	if neg {
		ttl = min(c.negTTL, c.l1TTL)
	}
	c.storeL1(key, e, ttl)
	return e
}

// GetBytes returns the bytes stored at key. A miss, a cached "not found",
// and a Redis fault all report false.
func (c *Cache) GetBytes(ctx context.Context, key string) ([]byte, bool) {
	if e := c.l1Get(key); e != nil {
		return e.raw, !e.neg
	}
	e := c.fromL2(ctx, key, nil)
	if e == nil || e.neg {
		return nil, false
	}
	return e.raw, true
}

// Get returns the value at key decoded as T. Values returned are shared
// with other readers: do not modify them.
func Get[T any](ctx context.Context, c *Cache, key string) (T, bool) {
	if e := c.l1Get(key); e != nil {
		return valueOf[T](c, e)
	}
	e := c.fromL2(ctx, key, decoderFor[T](c))
	if e == nil {
		var zero T
		return zero, false
	}
	return valueOf[T](c, e)
}

func decoderFor[T any](c *Cache) func([]byte) (any, error) {
	return func(raw []byte) (any, error) { return decode[T](c.codec, raw) }
}

// valueOf is an entry's value as T: the stored value when it has that type
// (no decoding, no allocation), else the bytes decoded.
func valueOf[T any](c *Cache, e *entry) (T, bool) {
	if v, ok := e.val.(T); ok {
		return v, true
	}
	var zero T
	if e.neg {
		return zero, false
	}
	v, err := decode[T](c.codec, e.raw)
	if err != nil {
		return zero, false
	}
	return v, true
}

// SetBytes stores value verbatim. L1 is always updated; the error, if any,
// says L2 (and so other instances) did not get the value.
func (c *Cache) SetBytes(ctx context.Context, key string, value []byte, opts ...WriteOption) error {
	return c.set(ctx, key, &entry{raw: value}, c.writeOpts(opts))
}

// Set encodes value with the codec ([]byte verbatim) and stores it in both
// tiers, publishing an invalidation so other instances drop their L1 copy.
// L1 is always updated; an error says L2 did not get the value.
func (c *Cache) Set(ctx context.Context, key string, value any, opts ...WriteOption) error {
	raw, err := encode(c.codec, value)
	if err != nil {
		return fmt.Errorf("cache %q: encoding the value for key %q: %w", c.name, key, err)
	}
	return c.set(ctx, key, &entry{raw: raw, val: value}, c.writeOpts(opts))
}

func (c *Cache) set(ctx context.Context, key string, e *entry, w writeOpts) error {
	c.storeL1(key, e, w.l1TTL(c))
	if c.l2 == nil {
		return nil
	}
	return c.l2.set(ctx, key, pack(c.l2.format, c.l2.min, e.raw), w.l2TTL(c), true)
}

// Delete removes key from both tiers and from other instances' L1.
func (c *Cache) Delete(ctx context.Context, key string) error {
	c.DeleteLocal(key)
	if c.l2 == nil {
		return nil
	}
	return c.l2.del(ctx, key, true)
}

// DeleteLocal drops key from this instance's L1 only.
func (c *Cache) DeleteLocal(key string) {
	if c.l1 != nil {
		c.l1.Invalidate(key)
	}
}

// GetOrLoad returns the cached value at key or, on a miss in both tiers,
// calls loader once for all concurrent callers of that key in this
// process, stores the result in both tiers and returns it. Redis faults are
// never returned: the loader's own error is (and ErrNotFound, cached for
// negative_ttl when set). The loader runs with the first caller's context
// values but without its cancellation, since other callers wait on it;
// each caller still returns when its own ctx is done.
func GetOrLoad[T any](ctx context.Context, c *Cache, key string, loader func(context.Context) (T, error), opts ...WriteOption) (T, error) {
	// The L1 hit path is kept this small on purpose (no defer, select or
	// closure in this frame): it is what most calls take.
	if e := c.l1Get(key); e != nil {
		if v, ok := e.val.(T); ok {
			return v, nil
		}
		if v, done, err := otherHit[T](c, e); done {
			return v, err
		}
	}
	return load(ctx, c, key, loader, opts)
}

// l1Get is the counted L1 lookup shared by the read paths; nil on a miss
// or when there is no L1.
func (c *Cache) l1Get(key string) *entry {
	if c.l1 == nil {
		return nil
	}
	e, ok := c.l1.GetIfPresent(key)
	if !ok {
		c.m.l1Misses.Add(1)
		return nil
	}
	c.m.l1Hits.inc(key)
	return e
}

// otherHit handles an L1 hit whose value is not already a T: a cached
// "not found", or bytes to decode. done is false when the bytes do not
// decode as T (written with another type), and the key is loaded afresh.
func otherHit[T any](c *Cache, e *entry) (v T, done bool, err error) {
	if e.neg {
		return v, true, ErrNotFound
	}
	v, ok := valueOf[T](c, e)
	return v, ok, nil
}

// load is GetOrLoad's miss path, traced when the cache has a tracer.
func load[T any](ctx context.Context, c *Cache, key string, loader func(context.Context) (T, error), opts []WriteOption) (T, error) {
	if c.tracer == nil {
		v, _, err := flight(ctx, c, key, loader, opts)
		return v, err
	}
	ctx, span := c.startLoad(ctx)
	v, shared, err := flight(ctx, c, key, loader, opts)
	endLoad(span, shared, err)
	return v, err
}

// flight is one flight per key, which this caller leaves early if its own
// ctx ends; shared says the result went to more than one caller.
func flight[T any](ctx context.Context, c *Cache, key string, loader func(context.Context) (T, error), opts []WriteOption) (T, bool, error) {
	var zero T
	ch := c.group.DoChan(key, func() (any, error) {
		return fill(context.WithoutCancel(ctx), c, key, loader, c.writeOpts(opts))
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return zero, r.Shared, r.Err
		}
		e := r.Val.(*entry)
		if e.neg {
			return zero, r.Shared, ErrNotFound
		}
		if v, ok := valueOf[T](c, e); ok {
			return v, r.Shared, nil
		}
		return zero, r.Shared, fmt.Errorf("cache %q: the value at key %q does not decode as %T; was it written with another type?", c.name, key, zero)
	case <-ctx.Done():
		return zero, false, ctx.Err()
	}
}

// fill runs inside the single flight for key: L1 again (a flight that just
// ended may have filled it), then L2, then the origin.
func fill[T any](ctx context.Context, c *Cache, key string, loader func(context.Context) (T, error), w writeOpts) (*entry, error) {
	if c.l1 != nil {
		if e, ok := c.l1.GetIfPresent(key); ok {
			if _, isT := e.val.(T); isT || e.neg {
				c.traceTier(ctx, AttrL1.String(TierHit))
				return e, nil
			}
		}
	}
	readStart := time.Now()
	if e := c.fromL2(ctx, key, decoderFor[T](c)); e != nil {
		c.traceTier(ctx, AttrL2.String(TierHit))
		return e, nil
	}
	if c.l2 != nil {
		c.traceTier(ctx, AttrL2.String(TierMiss))
	}
	l2Spent := time.Since(readStart)
	c.traceTier(ctx, AttrOrigin.Bool(true))
	v, err := callLoader(ctx, c, key, loader)
	if errors.Is(err, ErrNotFound) {
		c.m.loadNotFound.Add(1)
		e := &entry{neg: true}
		if c.negTTL > 0 {
			c.storeL1(key, e, c.negTTL)
			if c.l2 != nil {
				c.l2.fill(ctx, key, []byte{fmtNegative}, c.negTTL, l2Spent)
			}
		}
		return e, nil
	}
	if err != nil {
		c.m.loadErrors.Add(1)
		return nil, err
	}
	c.m.loadOK.Add(1)
	raw, err := encode(c.codec, v)
	if err != nil {
		return nil, fmt.Errorf("cache %q: encoding the loaded value for key %q: %w", c.name, key, err)
	}
	e := &entry{raw: raw, val: v}
	c.storeL1(key, e, w.l1TTL(c))
	if c.l2 != nil {
		// A filled miss needs no invalidation: other instances either
		// missed too or hold a copy of an L2 value that has expired.
		c.l2.fill(ctx, key, pack(c.l2.format, c.l2.min, raw), w.l2TTL(c), l2Spent)
	}
	return e, nil
}

// callLoader times the origin call and turns a panic into an error, so one
// bad key cannot take down every caller waiting on the flight.
func callLoader[T any](ctx context.Context, c *Cache, key string, loader func(context.Context) (T, error)) (v T, err error) {
	start := time.Now()
	defer func() {
		c.loadLatency.Observe(time.Since(start).Seconds())
		if p := recover(); p != nil {
			err = fmt.Errorf("cache %q: loader for key %q panicked: %v", c.name, key, p)
		}
	}()
	return loader(ctx)
}

// Warm loads keys (the model's `warm` list when keys is nil) through
// GetOrLoad, four at a time, and returns every loader error joined. Keys
// already cached are not loaded again.
func Warm[T any](ctx context.Context, c *Cache, keys []string, loader func(ctx context.Context, key string) (T, error)) error {
	if keys == nil {
		keys = c.warm
	}
	var (
		g    errgroup.Group
		mu   sync.Mutex
		errs []error
	)
	g.SetLimit(4)
	for _, k := range keys {
		g.Go(func() error {
			_, err := GetOrLoad(ctx, c, k, func(ctx context.Context) (T, error) { return loader(ctx, k) })
			if err != nil && !errors.Is(err, ErrNotFound) {
				mu.Lock()
				errs = append(errs, fmt.Errorf("warming key %q: %w", k, err))
				mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait()
	return errors.Join(errs...)
}
