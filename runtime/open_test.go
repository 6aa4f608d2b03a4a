package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/runtime/cache"
	"github.com/nbac/nbac/schema"
)

const redisAddr = "127.0.0.1:6379"

var quiet = WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))

// needRedis skips loudly without a local Redis (fails under
// NBAC_REQUIRE_SERVICES=1) and returns a prefix unique to the test, whose
// keys are deleted afterwards.
func needRedis(t *testing.T) string {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: redisAddr})
	if err := c.Ping(context.Background()).Err(); err != nil {
		c.Close()
		msg := fmt.Sprintf("Redis at %s is unreachable (%v): start it to run this test", redisAddr, err)
		if os.Getenv("NBAC_REQUIRE_SERVICES") == "1" {
			t.Fatal("NBAC_REQUIRE_SERVICES=1: " + msg)
		}
		t.Skip("SKIPPED: " + msg)
	}
	p := fmt.Sprintf("nbac-test:%s:%x:", t.Name(), rand.Uint64())
	t.Cleanup(func() {
		ctx := context.Background()
		it := c.Scan(ctx, 0, p+"*", 100).Iterator()
		for it.Next(ctx) {
			c.Del(ctx, it.Val())
		}
		c.Close()
	})
	return p
}

// env gives the fixtures' url_env a value, exercising redis.ParseURL.
func env(extra ...string) Option {
	return WithEnviron(append([]string{"NBAC_TEST_REDIS_URL=redis://" + redisAddr + "/0"}, extra...))
}

func open(t *testing.T, src string, opts ...Option) *Runtime {
	t.Helper()
	rt, err := Open(context.Background(), src, append([]Option{quiet}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	return rt
}

// withPrefix points the model's player_stats L2 at the test's own keys.
func withPrefix(rt *Runtime, prefix string) {
	for i := range rt.model.Caches {
		if l2 := rt.model.Caches[i].L2; l2 != nil {
			l2.KeyPrefix = prefix
		}
	}
}

type playerStats struct {
	Player string  `json:"player"`
	Points float64 `json:"points"`
}

func TestOpenModelJSONGivesWorkingCache(t *testing.T) {
	ctx := context.Background()
	prefix := needRedis(t)
	reg := prometheus.NewRegistry()
	rt := open(t, "testdata/model.json", env(), WithRegisterer(reg))
	withPrefix(rt, prefix)
	c, err := rt.Cache("player_stats")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := rt.Cache("player_stats"); again != c {
		t.Fatal("Cache returned a different instance for the same name")
	}
	v, err := cache.GetOrLoad(ctx, c, "player:lebron:stats", func(context.Context) (playerStats, error) {
		return playerStats{"lebron", 27.1}, nil
	})
	if err != nil || v.Points != 27.1 {
		t.Fatalf("GetOrLoad = %+v, %v", v, err)
	}
	// It went to the Redis the model names, with the model's zlib setting
	// (below compress_min, so stored plain behind the format byte).
	rc := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer rc.Close()
	raw, err := rc.Get(ctx, prefix+"player:lebron:stats").Bytes()
	if err != nil || raw[0] != 0 || !bytes.Contains(raw, []byte(`"lebron"`)) {
		t.Fatalf("Redis holds %q (%v)", raw, err)
	}
	mfs, _ := reg.Gather()
	found := false
	for _, mf := range mfs {
		found = found || mf.GetName() == "nbac_cache_loads_total"
	}
	if !found {
		t.Fatal("cache metrics were not registered with WithRegisterer's registry")
	}
	// An L1-only cache needs no Redis settings at all.
	if _, err := rt.Cache("sessions"); err != nil {
		t.Fatal(err)
	}
}

func TestUnknownCacheNameSuggests(t *testing.T) {
	rt := open(t, "testdata/model.json", env())
	_, err := rt.Cache("player_stat")
	if err == nil {
		t.Fatal("unknown cache accepted")
	}
	for _, want := range []string{`"player_stat"`, "player_stats, sessions", `did you mean "player_stats"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestOpenHCLMatchesModelJSON(t *testing.T) {
	fromJSON := open(t, "testdata/model.json", env())
	fromHCL := open(t, "testdata/hcl", env())
	a, _ := json.Marshal(fromJSON.Model().Caches)
	b, _ := json.Marshal(fromHCL.Model().Caches)
	if !bytes.Equal(a, b) {
		t.Fatalf("HCL and model.json disagree:\n%s\n%s", a, b)
	}
	// -var reaches the compiler.
	rt := open(t, "testdata/hcl/main.hcl", env(), WithVars("l1_entries=42", "key_prefix=custom:"))
	c := rt.Model().Cache("player_stats")
	if c.L1.MaxEntries != 42 || c.L2.KeyPrefix != "custom:" {
		t.Fatalf("vars not applied: l1 %+v l2 %+v", c.L1, c.L2)
	}
	// So do NBAC_VAR_ variables from the runtime's environment.
	rt = open(t, "testdata/hcl", env("NBAC_VAR_l1_entries=7"))
	if n := rt.Model().Cache("player_stats").L1.MaxEntries; n != 7 {
		t.Fatalf("NBAC_VAR_l1_entries gave max_entries %d, want 7", n)
	}
}

func TestOpenHCLInvalidationBetweenRuntimes(t *testing.T) {
	ctx := context.Background()
	prefix := needRedis(t)
	a := open(t, "testdata/hcl", env(), WithVars("key_prefix="+prefix))
	b := open(t, "testdata/hcl", env(), WithVars("key_prefix="+prefix))
	ca, err := a.Cache("player_stats")
	if err != nil {
		t.Fatal(err)
	}
	cb, err := b.Cache("player_stats")
	if err != nil {
		t.Fatal(err)
	}
	if err := ca.Set(ctx, "k", playerStats{"lebron", 1}); err != nil {
		t.Fatal(err)
	}
	if v, ok := cache.Get[playerStats](ctx, cb, "k"); !ok || v.Points != 1 {
		t.Fatalf("b reads %+v, %v", v, ok)
	}
	if err := ca.Set(ctx, "k", playerStats{"lebron", 2}); err != nil {
		t.Fatal(err)
	}
	// b drops its L1 copy when a's invalidation arrives (pub/sub is
	// asynchronous, hence the polling; the limit only stops a hang).
	for i := 0; ; i++ {
		if v, _ := cache.Get[playerStats](ctx, cb, "k"); v.Points == 2 {
			break
		}
		if i == 2000 {
			t.Fatalf("b still serves the old value; stats %+v", cb.Stats())
		}
		sleepMS(5)
	}
	if cb.Stats().InvalidationsReceived == 0 {
		t.Fatal("b saw no invalidation")
	}
}

func TestOpenDefaultLocation(t *testing.T) {
	rt := open(t, "", env("NBAC_MODEL=testdata/model.json"))
	if rt.Model().Cache("player_stats") == nil {
		t.Fatal("NBAC_MODEL was not used")
	}
	_, err := Open(context.Background(), "", WithEnviron(nil))
	if err == nil || !strings.Contains(err.Error(), schema.DefaultModelPath) || !strings.Contains(err.Error(), schema.ModelPathEnv) {
		t.Fatalf("err = %v; want it to name %s and %s", err, schema.DefaultModelPath, schema.ModelPathEnv)
	}
}

func TestOpenBadHCLReportsPosition(t *testing.T) {
	_, err := Open(context.Background(), "testdata/badhcl", quiet)
	if err == nil || !strings.Contains(err.Error(), "main.hcl line 7") || !strings.Contains(err.Error(), "max_entries") {
		t.Fatalf("err = %v; want the file, line and the suggestion", err)
	}
}

func TestOpenRejectsBadModelJSON(t *testing.T) {
	dir := t.TempDir()
	p := dir + "/model.json"
	os.WriteFile(p, []byte(`{"version":"1","project":{"name":"x","namespace":"x"},"caches":[{"name":"c","surprise":1}]}`), 0o600)
	if _, err := Open(context.Background(), p); err == nil || !strings.Contains(err.Error(), "surprise") {
		t.Fatalf("err = %v; want the unknown field named", err)
	}
}

func TestRedisSettingsFromEnvironment(t *testing.T) {
	m := &schema.Model{
		Version: "1",
		Redis: []schema.Redis{
			{Name: "a", URLEnv: "A_URL"},
			{Name: "b", Addresses: []string{redisAddr}, PasswordEnv: "B_PASS"},
			{Name: "c", URLEnv: "C_URL"},
		},
	}
	envs := map[string]string{"C_URL": "http://not-redis"}
	rt := &Runtime{model: m, getenv: func(k string) (string, bool) { v, ok := envs[k]; return v, ok }}
	defer rt.Close()
	for name, want := range map[string]string{
		"a": "A_URL is not set",
		"b": "B_PASS (password_env) is not set",
		"c": "C_URL does not hold a valid redis:// URL",
		"d": `redis block "d" is not in the model`,
	} {
		_, err := rt.redisClient(name)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("redisClient(%s) err = %v, want %q", name, err, want)
		}
	}
	envs["A_URL"] = "redis://user:s3cret@127.0.0.1:6379/2"
	c, err := rt.redisClient("a")
	if err != nil {
		t.Fatal(err)
	}
	o := c.(*redis.Client).Options()
	if o.Password != "s3cret" || o.DB != 2 || !o.ContextTimeoutEnabled {
		t.Fatalf("options from URL: password %q db %d ctxTimeout %v", o.Password, o.DB, o.ContextTimeoutEnabled)
	}
	if again, _ := rt.redisClient("a"); again != c {
		t.Fatal("the client is not shared")
	}
}

func TestCloseRunsHooksOnce(t *testing.T) {
	var calls int
	saved := closeHooks
	t.Cleanup(func() { closeHooks = saved })
	closeHooks = append(closeHooks, func(*Runtime) error { calls++; return errors.New("queue stop failed") })
	rt := open(t, "testdata/model.json", env())
	if _, err := rt.Cache("sessions"); err != nil {
		t.Fatal(err)
	}
	if err := rt.Close(); err == nil || !strings.Contains(err.Error(), "queue stop failed") {
		t.Fatalf("Close err = %v, want the hook's error", err)
	}
	_ = rt.Close()
	if calls != 1 {
		t.Fatalf("hook ran %d times, want 1", calls)
	}
}
