package cache

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"strconv"
	"testing"
	"time"

	rediscache "github.com/go-redis/cache/v9"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/maypok86/otter/v2"
	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/runtime/cache"
	"github.com/nbac/nbac/schema"
)

const (
	nKeys     = 16 << 10 // keys in the L1 benchmarks (a power of two)
	valueSize = 1 << 10
	redisAddr = "127.0.0.1:6379"
)

var (
	keys = func() []string {
		k := make([]string, nKeys)
		for i := range k {
			k[i] = "player:" + strconv.Itoa(i) + ":stats"
		}
		return k
	}()
	value = func() []byte {
		b := make([]byte, valueSize)
		rand.New(rand.NewSource(1)).Read(b)
		return b
	}()
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
)

// l1Config is the L1 every contender gets: 16k keys fit, TTL on.
func l1Config(name string) schema.Cache {
	return schema.Cache{Name: name, L1: &schema.L1Cache{MaxEntries: 2 * nKeys, TTL: schema.Duration(time.Hour)}}
}

// parallel spreads goroutines over the key space so they do not all hit
// one key.
func parallel(b *testing.B, get func(key string)) {
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := rand.Int()
		for pb.Next() {
			get(keys[i&(nKeys-1)])
			i++
		}
	})
}

// BenchmarkL1Hit: a read served from process memory.
func BenchmarkL1Hit(b *testing.B) {
	ctx := context.Background()

	b.Run("otter/default-clock", func(b *testing.B) {
		c := otter.Must(&otter.Options[string, []byte]{MaximumSize: 2 * nKeys, ExpiryCalculator: otter.ExpiryWriting[string, []byte](time.Hour)})
		for _, k := range keys {
			c.Set(k, value)
		}
		parallel(b, func(k string) {
			if _, ok := c.GetIfPresent(k); !ok {
				b.Fatal("miss")
			}
		})
	})
	b.Run("otter/coarse-clock", func(b *testing.B) {
		clock := otter.NewCoarseClock(time.Millisecond)
		defer clock.Stop()
		c := otter.Must(&otter.Options[string, []byte]{MaximumSize: 2 * nKeys, Clock: clock, ExpiryCalculator: otter.ExpiryWriting[string, []byte](time.Hour)})
		for _, k := range keys {
			c.Set(k, value)
		}
		parallel(b, func(k string) {
			if _, ok := c.GetIfPresent(k); !ok {
				b.Fatal("miss")
			}
		})
	})
	b.Run("nbac/GetBytes", func(b *testing.B) {
		c, _ := cache.New(l1Config("bench"), nil, cache.WithLogger(quiet))
		defer c.Close()
		for _, k := range keys {
			_ = c.SetBytes(ctx, k, value)
		}
		parallel(b, func(k string) {
			if _, ok := c.GetBytes(ctx, k); !ok {
				b.Fatal("miss")
			}
		})
	})
	b.Run("nbac/GetOrLoad", func(b *testing.B) {
		c, _ := cache.New(l1Config("bench"), nil, cache.WithLogger(quiet))
		defer c.Close()
		load := func(context.Context) ([]byte, error) { return value, nil }
		for _, k := range keys {
			_, _ = cache.GetOrLoad(ctx, c, k, load)
		}
		parallel(b, func(k string) {
			if _, err := cache.GetOrLoad(ctx, c, k, load); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("go-redis-cache/Once", func(b *testing.B) {
		c := rediscache.New(&rediscache.Options{LocalCache: rediscache.NewTinyLFU(2*nKeys, time.Hour)})
		for _, k := range keys {
			_ = c.Set(&rediscache.Item{Ctx: ctx, Key: k, Value: value})
		}
		parallel(b, func(k string) {
			var v []byte
			if err := c.Once(&rediscache.Item{Ctx: ctx, Key: k, Value: &v, Do: func(*rediscache.Item) (any, error) { return value, nil }}); err != nil {
				b.Fatal(err)
			}
		})
	})
}

func liveRedis(b *testing.B) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: redisAddr, ContextTimeoutEnabled: true})
	if err := c.Ping(context.Background()).Err(); err != nil {
		b.Skipf("SKIPPED: Redis at %s unreachable (%v); L2 benchmarks need it", redisAddr, err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

const l2Keys = 1024 // keys stored in Redis for the L2 benchmarks

// l2Fixture stores l2Keys 1 KiB values in Redis through nbac and returns
// an L2-only cache, an L1+L2 cache over the same keys, and the key prefix.
func l2Fixture(b *testing.B, rc *redis.Client) (l2only, withL1 *cache.Cache, prefix string) {
	ctx := context.Background()
	prefix = fmt.Sprintf("nbac-bench:%d:", time.Now().UnixNano())
	b.Cleanup(func() {
		for i := range l2Keys {
			rc.Del(ctx, prefix+keys[i], "grc:"+prefix+keys[i])
		}
	})
	mk := func(l1 bool) *cache.Cache {
		cfg := schema.Cache{Name: "bench", L2: &schema.L2Cache{Redis: "main", KeyPrefix: prefix, Compress: "none", TTL: schema.Duration(time.Hour), Timeout: schema.Duration(time.Second)}}
		if l1 {
			cfg.L1 = l1Config("bench").L1
		}
		c, err := cache.New(cfg, rc, cache.WithLogger(quiet))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close() })
		return c
	}
	l2only, withL1 = mk(false), mk(true)
	for i := range l2Keys {
		if err := l2only.SetBytes(ctx, keys[i], value); err != nil {
			b.Fatal(err)
		}
	}
	return l2only, withL1, prefix
}

// BenchmarkL2Hit: an L1 miss served from Redis, 1 KiB values.
func BenchmarkL2Hit(b *testing.B) {
	ctx := context.Background()
	rc := liveRedis(b)
	l2only, withL1, prefix := l2Fixture(b, rc)
	grc := rediscache.New(&rediscache.Options{Redis: rc})
	for i := range l2Keys {
		if err := grc.Set(&rediscache.Item{Ctx: ctx, Key: "grc:" + prefix + keys[i], Value: value}); err != nil {
			b.Fatal(err)
		}
	}
	l2Parallel := func(b *testing.B, get func(key string)) {
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := rand.Int()
			for pb.Next() {
				get(keys[i&(l2Keys-1)])
				i++
			}
		})
	}

	b.Run("go-redis/GET", func(b *testing.B) {
		l2Parallel(b, func(k string) {
			if v, err := rc.Get(ctx, prefix+k).Bytes(); err != nil || len(v) != valueSize+1 {
				b.Fatal(err)
			}
		})
	})
	b.Run("nbac/GetBytes-l2only", func(b *testing.B) {
		c := l2only
		l2Parallel(b, func(k string) {
			if v, ok := c.GetBytes(ctx, k); !ok || len(v) != valueSize {
				b.Fatal("miss")
			}
		})
	})
	b.Run("nbac/GetBytes-l1miss", func(b *testing.B) {
		c := withL1
		l2Parallel(b, func(k string) {
			c.DeleteLocal(k) // force the L1 miss; the hit is promoted again
			if v, ok := c.GetBytes(ctx, k); !ok || len(v) != valueSize {
				b.Fatal("miss")
			}
		})
	})
	b.Run("go-redis-cache/Get", func(b *testing.B) {
		l2Parallel(b, func(k string) {
			var v []byte
			if err := grc.Get(ctx, "grc:"+prefix+k, &v); err != nil || len(v) != valueSize {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkHitRatio replays a Zipf(1.01) trace of 1M requests over 100k
// keys against a 10k-entry L1 (fixed seed) and reports the hit ratio.
func BenchmarkHitRatio(b *testing.B) {
	const (
		requests = 1_000_000
		universe = 100_000
		capacity = 10_000
	)
	z := rand.NewZipf(rand.New(rand.NewSource(42)), 1.01, 1, universe-1)
	trace := make([]string, requests)
	names := make([]string, universe)
	for i := range names {
		names[i] = "k" + strconv.Itoa(i)
	}
	for i := range trace {
		trace[i] = names[z.Uint64()]
	}
	small := []byte("v")
	run := func(b *testing.B, get func(string) bool, set func(string)) {
		var hits int
		for b.Loop() {
			hits = 0
			for _, k := range trace {
				if get(k) {
					hits++
				} else {
					set(k)
				}
			}
		}
		b.ReportMetric(100*float64(hits)/requests, "hit%")
	}
	ctx := context.Background()
	b.Run("nbac", func(b *testing.B) {
		c, _ := cache.New(schema.Cache{Name: "zipf", L1: &schema.L1Cache{MaxEntries: capacity, TTL: schema.Duration(time.Hour)}}, nil, cache.WithLogger(quiet))
		defer c.Close()
		run(b, func(k string) bool { _, ok := c.GetBytes(ctx, k); return ok }, func(k string) { _ = c.SetBytes(ctx, k, small) })
	})
	b.Run("otter", func(b *testing.B) {
		c := otter.Must(&otter.Options[string, []byte]{MaximumSize: capacity})
		run(b, func(k string) bool { _, ok := c.GetIfPresent(k); return ok }, func(k string) { c.Set(k, small) })
	})
	b.Run("golang-lru", func(b *testing.B) {
		c, _ := lru.New[string, []byte](capacity)
		run(b, func(k string) bool { _, ok := c.Get(k); return ok }, func(k string) { c.Add(k, small) })
	})
}
