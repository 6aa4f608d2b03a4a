package redisstream_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/queuetest"
	"github.com/nbac/nbac/runtime/queue/redisstream"
)

const addr = "127.0.0.1:6379"

// clientName marks this run's connections so the server-side kill cuts
// only them, not other tests sharing the server.
var clientName = fmt.Sprintf("nbac-queuetest-%d", os.Getpid())

func TestConformance(t *testing.T) {
	queuetest.RequireService(t, "Redis", addr)
	queuetest.Run(t, queuetest.Harness{
		Upstream: addr,
		Open: func(t testing.TB, cfg queue.Config, via string) *queue.Queue {
			a := addr
			if via != "" {
				a = via
			}
			if cfg.VisibilityTimeout == 0 {
				// Short, so that the fault tests see cut-off deliveries
				// claimed quickly; a case that measures hand-back sets
				// its own, long one.
				cfg.VisibilityTimeout = time.Second
			}
			rdb := redis.NewClient(&redis.Options{Addr: a, ClientName: clientName})
			q := queue.New(cfg, redisstream.New(cfg, redisstream.Options{Client: rdb}))
			t.Cleanup(func() {
				q.Close()
				cleanup(rdb, cfg.Name)
				rdb.Close()
			})
			return q
		},
		Kill: func(t testing.TB) {
			rdb := redis.NewClient(&redis.Options{Addr: addr})
			defer rdb.Close()
			ctx := context.Background()
			list, err := rdb.ClientList(ctx).Result()
			if err != nil {
				t.Fatalf("CLIENT LIST: %v", err)
			}
			killed := 0
			sc := bufio.NewScanner(strings.NewReader(list))
			for sc.Scan() {
				var id, name string
				for _, f := range strings.Fields(sc.Text()) {
					if v, ok := strings.CutPrefix(f, "id="); ok {
						id = v
					} else if v, ok := strings.CutPrefix(f, "name="); ok {
						name = v
					}
				}
				if name == clientName {
					if err := rdb.Do(ctx, "CLIENT", "KILL", "ID", id).Err(); err == nil {
						killed++
					}
				}
			}
			if killed == 0 {
				t.Fatal("CLIENT KILL found no connection of this test to kill")
			}
			t.Logf("CLIENT KILL cut %d connections", killed)
		},
	})
}

func cleanup(rdb *redis.Client, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	keys, _ := rdb.Keys(ctx, "nbac:q:{"+name+"}*").Result()
	if len(keys) > 0 {
		rdb.Del(ctx, keys...)
	}
}
