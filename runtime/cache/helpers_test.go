package cache

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/schema"
)

const redisAddr = "127.0.0.1:6379"

// liveRedis returns a client for the local Redis, or skips the test loudly
// (fails it under NBAC_REQUIRE_SERVICES=1, as CI sets).
func liveRedis(t testing.TB) *redis.Client {
	t.Helper()
	return redisWith(t, &redis.Options{Addr: redisAddr})
}

func redisWith(t testing.TB, o *redis.Options) *redis.Client {
	t.Helper()
	o.ContextTimeoutEnabled = true
	probe := redis.NewClient(&redis.Options{Addr: redisAddr})
	err := probe.Ping(context.Background()).Err()
	probe.Close()
	if err != nil {
		msg := fmt.Sprintf("Redis at %s is unreachable (%v): start it (redis-server --daemonize yes) to run this test", redisAddr, err)
		if os.Getenv("NBAC_REQUIRE_SERVICES") == "1" {
			t.Fatal("NBAC_REQUIRE_SERVICES=1: " + msg)
		}
		t.Skip("SKIPPED: " + msg)
	}
	c := redis.NewClient(o)
	t.Cleanup(func() { c.Close() })
	return c
}

// uniquePrefix gives each test its own keys and invalidation channel, and
// deletes the keys afterwards.
func uniquePrefix(t testing.TB, c *redis.Client) string {
	t.Helper()
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	p := fmt.Sprintf("nbac-test:%s:%x:", name, rand.Uint64())
	t.Cleanup(func() {
		ctx := context.Background()
		admin := redis.NewClient(&redis.Options{Addr: redisAddr})
		defer admin.Close()
		it := admin.Scan(ctx, 0, p+"*", 100).Iterator()
		for it.Next(ctx) {
			admin.Del(ctx, it.Val())
		}
	})
	return p
}

// quietLog keeps expected fault logs out of test output.
var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

func l1l2Config(name, prefix string) schema.Cache {
	return schema.Cache{
		Name: name,
		L1:   &schema.L1Cache{MaxEntries: 1000, TTL: schema.Duration(time.Minute)},
		L2: &schema.L2Cache{Redis: "main", TTL: schema.Duration(time.Hour), KeyPrefix: prefix,
			Compress: "none", Invalidate: true, Timeout: schema.Duration(500 * time.Millisecond)},
	}
}

func mustNew(t testing.TB, cfg schema.Cache, client redis.UniversalClient, opts ...Option) *Cache {
	t.Helper()
	opts = append([]Option{WithLogger(quietLog)}, opts...)
	c, err := New(cfg, client, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
