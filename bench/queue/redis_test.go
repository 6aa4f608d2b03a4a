package queue

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/redisstream"
)

// BenchmarkRedis pairs the nbac Redis Streams driver with a pipelined bare
// XADD/XREADGROUP/XACK loop (3 alternating rounds), then asynq (one round).
func BenchmarkRedis(b *testing.B) {
	need(b, "Redis", redisAddr)
	for _, c := range consumerCounts {
		b.Run(fmt.Sprintf("consumers=%d", c), func(b *testing.B) { paired(b, c, 3, nbacRedis, bareStreams) })
	}
	for _, c := range consumerCounts {
		b.Run(fmt.Sprintf("asynq/consumers=%d", c), func(b *testing.B) { paired(b, c, 1, asynqSystem) })
	}
}

func delKeys(rdb redis.UniversalClient, pattern string) {
	ctx := context.Background()
	keys, _ := rdb.Keys(ctx, pattern).Result()
	if len(keys) > 0 {
		rdb.Del(ctx, keys...)
	}
}

func nbacRedis(b *testing.B, consumers int) *system {
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	cfg := queue.Config{Name: uniqueName("nbac"), Workers: consumers, Prefetch: window, MaxAttempts: 3, DeadLetter: true, ShutdownTimeout: 5 * time.Second}
	q := queue.New(cfg, redisstream.New(cfg, redisstream.Options{Client: rdb}))
	s := &system{}
	s.cleanup(func() { rdb.Close() })
	s.cleanup(func() { delKeys(rdb, "nbac:q:{"+cfg.Name+"}*") })
	s.cleanup(func() { q.Close() })
	inner := nbacQueueSystem(b, "nbac", q)
	s.name, s.round = inner.name, inner.round
	s.stop = append(s.stop, inner.stop...)
	return s
}

// bareStreams is the anchor: pipelined XADD (256 per round trip),
// XREADGROUP COUNT 256 per consumer, one XACK per read batch.
func bareStreams(b *testing.B, consumers int) *system {
	s := &system{name: "bare"}
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	s.cleanup(func() { rdb.Close() })
	stream := uniqueName("bare")
	s.cleanup(func() { rdb.Del(context.Background(), stream) })
	ctx, cancel := context.WithCancel(context.Background())
	s.cleanup(cancel)
	if err := rdb.XGroupCreateMkStream(ctx, stream, "g", "0").Err(); err != nil {
		b.Fatal(err)
	}
	var cur atomic.Pointer[counter]
	for i := range consumers {
		go func() {
			name := fmt.Sprint("c", i)
			for ctx.Err() == nil {
				res, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: name, Streams: []string{stream, ">"}, Count: window, Block: 200 * time.Millisecond}).Result()
				if err != nil {
					continue
				}
				ids := make([]string, 0, window)
				for _, m := range res[0].Messages {
					ids = append(ids, m.ID)
				}
				if err := rdb.XAck(ctx, stream, "g", ids...).Err(); err != nil {
					continue
				}
				for range ids {
					cur.Load().add()
				}
			}
		}()
	}
	s.round = func(b *testing.B, n int) {
		cnt := newCounter(n)
		cur.Store(cnt)
		for i := 0; i < n; i += window {
			p := rdb.Pipeline()
			for range min(window, n-i) {
				p.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: []any{"m", payload}})
			}
			if _, err := p.Exec(ctx); err != nil {
				b.Fatal(err)
			}
		}
		tctx, tcancel := context.WithTimeout(ctx, 5*time.Minute)
		defer tcancel()
		cnt.wait(b, tctx)
	}
	return s
}

// asynqSystem enqueues one task per call (asynq has no batch enqueue) and
// processes with Concurrency = consumers.
func asynqSystem(b *testing.B, consumers int) *system {
	s := &system{name: "asynq"}
	opt := asynq.RedisClientOpt{Addr: redisAddr}
	qname := uniqueName("asynq")
	client := asynq.NewClient(opt)
	s.cleanup(func() { client.Close() })
	s.cleanup(func() {
		rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
		delKeys(rdb, "asynq:{"+qname+"}*")
		rdb.Close()
	})
	var cur atomic.Pointer[counter]
	srv := asynq.NewServer(opt, asynq.Config{Concurrency: consumers, Queues: map[string]int{qname: 1}, Logger: nopLogger{}})
	if err := srv.Start(asynq.HandlerFunc(func(context.Context, *asynq.Task) error { cur.Load().add(); return nil })); err != nil {
		b.Fatal(err)
	}
	s.cleanup(srv.Shutdown)
	s.round = func(b *testing.B, n int) {
		cnt := newCounter(n)
		cur.Store(cnt)
		for range n {
			if _, err := client.Enqueue(asynq.NewTask("bench", payload), asynq.Queue(qname), asynq.MaxRetry(2)); err != nil {
				b.Fatal(err)
			}
		}
		tctx, tcancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer tcancel()
		cnt.wait(b, tctx)
	}
	return s
}

type nopLogger struct{}

func (nopLogger) Debug(...any) {}
func (nopLogger) Info(...any)  {}
func (nopLogger) Warn(...any)  {}
func (nopLogger) Error(...any) {}
func (nopLogger) Fatal(...any) {}
