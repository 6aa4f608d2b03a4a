package cache

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/internal/eventually"
	"github.com/nbac/nbac/schema"
)

func TestPromotionL2ToL1(t *testing.T) {
	ctx := context.Background()
	rc := liveRedis(t)
	p := uniquePrefix(t, rc)
	a := mustNew(t, l1l2Config("promo", p), rc)
	b := mustNew(t, l1l2Config("promo", p), rc)
	if err := a.Set(ctx, "lebron", stats{Points: 27, Team: "LAL"}); err != nil {
		t.Fatal(err)
	}
	// b has never seen the key: first read is an L2 hit, second an L1 hit.
	for i := range 2 {
		v, ok := Get[stats](ctx, b, "lebron")
		if !ok || v.Team != "LAL" {
			t.Fatalf("read %d: %+v, %v", i, v, ok)
		}
	}
	s := b.Stats()
	if s.L1Misses != 1 || s.L2Hits != 1 || s.L1Hits != 1 {
		t.Fatalf("b stats %+v: want 1 L1 miss, 1 L2 hit, then 1 L1 hit", s)
	}
	// The stored bytes carry the format byte in front of the JSON.
	raw, err := rc.Get(ctx, p+"lebron").Bytes()
	if err != nil || raw[0] != fmtNone || string(raw[1:]) != `{"points":27,"team":"LAL"}` {
		t.Fatalf("Redis holds %q (%v)", raw, err)
	}
}

func TestL2TTL(t *testing.T) {
	ctx := context.Background()
	rc := liveRedis(t)
	p := uniquePrefix(t, rc)
	cfg := l1l2Config("ttl", p)
	cfg.L1 = nil // L2 only, so expiry is Redis's
	c := mustNew(t, cfg, rc)
	if err := c.SetBytes(ctx, "default", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if ttl := rc.PTTL(ctx, p+"default").Val(); ttl <= 0 || ttl > time.Hour {
		t.Fatalf("PTTL = %v, want (0, 1h] from l2.ttl", ttl)
	}
	// 2s, not less: under stress-ng a read right after the write can come
	// tens of milliseconds later, and must still find the key.
	const short = 2 * time.Second
	if err := c.SetBytes(ctx, "short", []byte("y"), WithTTL(short)); err != nil {
		t.Fatal(err)
	}
	if ttl := rc.PTTL(ctx, p+"short").Val(); ttl <= 0 || ttl > short {
		t.Fatalf("PTTL = %v, want (0, %s] from WithTTL", ttl, short)
	}
	if _, ok := c.GetBytes(ctx, "short"); !ok {
		t.Fatal("short key missing right after Set")
	}
	eventually.True(t, time.Minute, "the key to expire from L2", func() bool {
		_, ok := c.GetBytes(ctx, "short")
		return !ok
	})
}

func TestCompressionRoundTripThroughRedis(t *testing.T) {
	ctx := context.Background()
	rc := liveRedis(t)
	value := bytes.Repeat([]byte(`{"player":"lebron","pts":27.1}`), 200)
	for _, name := range Compressions {
		t.Run(name, func(t *testing.T) {
			p := uniquePrefix(t, rc)
			cfg := l1l2Config("z", p)
			cfg.L2.Compress = name
			cfg.L2.CompressMin = 256
			w := mustNew(t, cfg, rc)
			if err := w.SetBytes(ctx, "k", value); err != nil {
				t.Fatal(err)
			}
			stored, _ := rc.Get(ctx, p+"k").Bytes()
			f, _ := formatOf(name)
			if stored[0] != f {
				t.Fatalf("format byte 0x%02x, want 0x%02x", stored[0], f)
			}
			// A reader configured with another compression still reads it:
			// the format byte, not the config, says how to decode.
			rcfg := l1l2Config("z", p)
			rcfg.L2.Compress = "zstd"
			r := mustNew(t, rcfg, rc)
			got, ok := r.GetBytes(ctx, "k")
			if !ok || !bytes.Equal(got, value) {
				t.Fatalf("read back %d bytes (%v), want %d", len(got), ok, len(value))
			}
		})
	}
}

func TestCorruptL2ValueIsAMiss(t *testing.T) {
	ctx := context.Background()
	rc := liveRedis(t)
	p := uniquePrefix(t, rc)
	c := mustNew(t, l1l2Config("corrupt", p), rc)
	for key, val := range map[string][]byte{
		"badfmt":  {0x42, 'x'},
		"badzlib": {fmtZlib, 1, 2, 3},
		"badjson": append([]byte{fmtNone}, "{not json"...),
		"empty":   {},
	} {
		rc.Set(ctx, p+key, val, time.Minute)
		v, err := GetOrLoad(ctx, c, key, func(context.Context) (stats, error) { return stats{Team: "origin"}, nil })
		if err != nil || v.Team != "origin" {
			t.Fatalf("%s: GetOrLoad = %+v, %v; want the origin's value", key, v, err)
		}
	}
	if s := c.Stats(); s.L2Corrupt != 4 || s.Loads != 4 {
		t.Fatalf("stats %+v: want 4 corrupt values and 4 loads", s)
	}
	// The reload overwrote the corrupt value with a good one.
	if v, ok := Get[stats](ctx, mustNew(t, l1l2Config("corrupt", p), rc), "badfmt"); !ok || v.Team != "origin" {
		t.Fatalf("after reload, L2 gives %+v, %v", v, ok)
	}
}

func TestStampedeAcrossTiers(t *testing.T) {
	rc := liveRedis(t)
	c := mustNew(t, l1l2Config("stampede", uniquePrefix(t, rc)), rc)
	stampede(t, c, "hot")
	// A second instance finds the value in L2 and does not call its loader.
	d := mustNew(t, l1l2Config("stampede", c.l2.prefix), rc)
	v, err := GetOrLoad(context.Background(), d, "hot", func(context.Context) (stats, error) {
		t.Error("second instance called the origin although L2 had the value")
		return stats{}, nil
	})
	if err != nil || v.Team != "LAL" {
		t.Fatalf("second instance: %+v, %v", v, err)
	}
}

func TestNegativeCachingInL2(t *testing.T) {
	ctx := context.Background()
	rc := liveRedis(t)
	p := uniquePrefix(t, rc)
	cfg := l1l2Config("neg", p)
	cfg.NegativeTTL = schema.Duration(time.Minute)
	a := mustNew(t, cfg, rc)
	if _, err := GetOrLoad(ctx, a, "ghost", func(context.Context) (int, error) { return 0, ErrNotFound }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
	b := mustNew(t, cfg, rc)
	_, err := GetOrLoad(ctx, b, "ghost", func(context.Context) (int, error) {
		t.Error("origin called although L2 caches not-found")
		return 1, nil
	})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("second instance err = %v, want ErrNotFound", err)
	}
	if ttl := rc.PTTL(ctx, p+"ghost").Val(); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("negative entry PTTL %v, want (0, 1m]", ttl)
	}
}

func TestInvalidationBetweenInstances(t *testing.T) {
	ctx := context.Background()
	rc := liveRedis(t)
	p := uniquePrefix(t, rc)
	a := mustNew(t, l1l2Config("inv", p), rc)
	b := mustNew(t, l1l2Config("inv", p), rc)
	if err := a.Set(ctx, "k", "v1"); err != nil {
		t.Fatal(err)
	}
	if v, _ := Get[string](ctx, b, "k"); v != "v1" {
		t.Fatalf("b read %q, want v1", v)
	}
	if err := a.Set(ctx, "k", "v2"); err != nil {
		t.Fatal(err)
	}
	eventually.True(t, time.Minute, "b to drop its stale L1 copy", func() bool { v, _ := Get[string](ctx, b, "k"); return v == "v2" })
	if err := a.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	eventually.True(t, time.Minute, "b to drop the deleted key", func() bool { _, ok := b.GetBytes(ctx, "k"); return !ok })
	// Messages on a channel arrive in order, so once a has b's message it
	// has also seen (and must have ignored) the echoes of its own three.
	if err := b.Set(ctx, "other", "x"); err != nil {
		t.Fatal(err)
	}
	eventually.True(t, time.Minute, "a to receive b's invalidation", func() bool { return a.Stats().InvalidationsReceived == 1 })
	if s := a.Stats(); s.InvalidationsSent != 3 || s.InvalidationsReceived != 1 {
		t.Fatalf("a stats %+v: want 3 sent, 1 received (own echoes ignored)", s)
	}
	if v, ok := Get[string](ctx, a, "other"); !ok || v != "x" {
		t.Fatalf("a reads other = %q, %v", v, ok)
	}
}

func TestL1FlushedAfterSubscriberReconnect(t *testing.T) {
	ctx := context.Background()
	name := "nbac-reconnect-" + strings.ReplaceAll(uniquePrefix(t, liveRedis(t)), ":", "")
	rc := redisWith(t, &redis.Options{Addr: redisAddr, ClientName: name})
	p := uniquePrefix(t, rc)
	c := mustNew(t, l1l2Config("flush", p), rc)
	if err := c.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if c.l1.EstimatedSize() != 1 {
		t.Fatal("L1 does not hold the key")
	}
	// Kill the subscriber's connection from the server side, as a Redis
	// restart or a network cut would.
	admin := liveRedis(t)
	killed := 0
	for line := range strings.SplitSeq(admin.ClientList(ctx).Val(), "\n") {
		if strings.Contains(line, "name="+name+" ") && strings.Contains(line, "cmd=subscribe") {
			id := strings.TrimPrefix(strings.Fields(line)[0], "id=")
			if err := admin.Do(ctx, "CLIENT", "KILL", "ID", id).Err(); err != nil {
				t.Fatal(err)
			}
			killed++
		}
	}
	if killed != 1 {
		t.Fatalf("found %d subscriber connections named %s, want 1", killed, name)
	}
	eventually.True(t, time.Minute, "the subscriber to reconnect and flush L1", func() bool { return c.Stats().L1Flushes >= 1 })
	if _, ok := c.l1.GetIfPresent("k"); ok {
		t.Fatal("L1 still holds k after the reconnect flush")
	}
	// L2 still has it, and invalidation works on the new connection.
	if v, ok := Get[string](ctx, c, "k"); !ok || v != "v" {
		t.Fatalf("after flush: %q, %v", v, ok)
	}
	other := mustNew(t, l1l2Config("flush", p), rc)
	_ = other.Set(ctx, "k", "v2")
	eventually.True(t, time.Minute, "invalidation after reconnect", func() bool { v, _ := Get[string](ctx, c, "k"); return v == "v2" })
}

func TestMetricsExported(t *testing.T) {
	ctx := context.Background()
	rc := liveRedis(t)
	reg := prometheus.NewRegistry()
	c := mustNew(t, l1l2Config("metrics", uniquePrefix(t, rc)), rc, WithRegisterer(reg))
	_, _ = GetOrLoad(ctx, c, "a", func(context.Context) (int, error) { return 1, nil })
	_, _ = GetOrLoad(ctx, c, "a", func(context.Context) (int, error) { return 1, nil })
	got := gather(t, reg)
	for series, want := range map[string]float64{
		`nbac_cache_hits_total{cache="metrics",tier="l1"}`:          1,
		`nbac_cache_misses_total{cache="metrics",tier="l1"}`:        1,
		`nbac_cache_misses_total{cache="metrics",tier="l2"}`:        1,
		`nbac_cache_loads_total{cache="metrics",result="ok"}`:       1,
		`nbac_cache_loads_total{cache="metrics",result="error"}`:    0,
		`nbac_cache_l2_errors_total{cache="metrics"}`:               0,
		`nbac_cache_l2_up{cache="metrics"}`:                         1,
		`nbac_cache_l1_entries{cache="metrics"}`:                    1,
		`nbac_cache_evictions_total{cache="metrics",reason="size"}`: 0,
		`nbac_cache_load_duration_seconds_count{cache="metrics"}`:   1,
	} {
		if v, ok := got[series]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", series, v, ok, want)
		}
	}
	// A second cache of the same name on the same registry is refused clearly.
	if _, err := New(l1l2Config("metrics", "x:"), rc, WithRegisterer(reg), WithLogger(quietLog)); err == nil {
		t.Fatal("duplicate registration accepted")
	}
	c.Close()
	if n := len(gather(t, reg)); n != 0 {
		t.Fatalf("%d series left after Close", n)
	}
}

// gather flattens a registry into "name{labels}" -> value.
func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+`="`+l.GetValue()+`"`)
			}
			key := "{" + strings.Join(labels, ",") + "}"
			switch {
			case m.Counter != nil:
				out[mf.GetName()+key] = m.Counter.GetValue()
			case m.Gauge != nil:
				out[mf.GetName()+key] = m.Gauge.GetValue()
			case m.Histogram != nil:
				out[mf.GetName()+"_count"+key] = float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return out
}
