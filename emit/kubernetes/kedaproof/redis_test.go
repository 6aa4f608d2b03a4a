package kedaproof

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/runtime/queue/queuetest"
)

const redisAddr = "127.0.0.1:6379"

// redisStreamLength is KEDA's redis-streams scaler in streamLength mode
// (no consumerGroup in the metadata): XLEN of the stream, on the emitted
// address and database.
func redisStreamLength(rdb func(db int) *redis.Client) measure {
	return func(ctx context.Context, md map[string]string) (int64, error) {
		if md["consumerGroup"] != "" || md["streamLength"] == "" {
			return 0, fmt.Errorf("want streamLength mode, got %v", md)
		}
		db, _ := strconv.Atoi(md["databaseIndex"])
		return rdb(db).XLen(ctx, md["stream"]).Result()
	}
}

// TestRedisStreamsBacklogIsWhatKEDAReads: the four priority streams
// together hold what waits; the runtime deletes what it acks and what it
// dead-letters, so the length drops to zero once handled. The group's
// pending entries, which the issue first suggested, stay at zero while
// nothing is read: a ScaledObject on them would never wake from zero.
func TestRedisStreamsBacklogIsWhatKEDAReads(t *testing.T) {
	queuetest.RequireService(t, "Redis", redisAddr)
	name := uniqueQueue(t)
	so, dir := estate(t, fmt.Sprintf(`
project "proof" {}
redis "jobs" {
  addresses = [%q]
  db        = 3
}
broker "streams" {
  type  = "redis"
  redis = redis.jobs
}
queue %q {
  broker      = broker.streams
  priorities  = true
  dead_letter = true
  retry {
    max_attempts = 1
  }
}
`, redisAddr, name)+worker(name, 3, ""))
	clients := map[int]*redis.Client{}
	rdb := func(db int) *redis.Client {
		if clients[db] == nil {
			clients[db] = redis.NewClient(&redis.Options{Addr: redisAddr, DB: db})
		}
		return clients[db]
	}
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := rdb(3).Keys(ctx, "nbac:q:{"+name+"}*").Result()
		if len(keys) > 0 {
			rdb(3).Del(ctx, keys...)
		}
		for _, c := range clients {
			c.Close()
		}
	})
	q := queueOf(t, dir, nil, name)
	publishAcrossLevels(t, q, 9, "ok")
	publishAcrossLevels(t, q, 3, "fail")
	m := redisStreamLength(rdb)
	settle(t, so, "redis-streams", m, 12, "the four priority streams to hold the 12 messages")
	if sm := so.Spec.Advanced.ScalingModifiers; sm.Target != "3" {
		t.Fatalf("formula target %q, want the backlog 3", sm.Target)
	}
	var pending int64
	for _, tr := range so.Spec.Triggers {
		if p, err := rdb(3).XPending(context.Background(), tr.Metadata["stream"], "nbac").Result(); err == nil {
			pending += p.Count
		}
	}
	if pending != 0 {
		t.Fatalf("nothing was read yet, but the group has %d pending entries", pending)
	}

	drain(t, q)
	settle(t, so, "redis-streams", m, 0, "the streams to empty (9 acked, 3 dead-lettered)")
	if n, err := rdb(3).XLen(context.Background(), "nbac:q:{"+name+"}:dlq").Result(); err != nil || n != 3 {
		t.Fatalf("dead-letter stream holds %d (%v), want 3", n, err)
	}
}
