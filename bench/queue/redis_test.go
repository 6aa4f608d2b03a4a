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

func BenchmarkRedis(b *testing.B) {
	need(b, "Redis", redisAddr)
	for _, c := range consumerCounts {
		b.Run(fmt.Sprintf("nbac/consumers=%d", c), func(b *testing.B) { benchNbacRedis(b, c) })
		b.Run(fmt.Sprintf("bare-pipelined/consumers=%d", c), func(b *testing.B) { benchBareStreams(b, c) })
		b.Run(fmt.Sprintf("asynq/consumers=%d", c), func(b *testing.B) { benchAsynq(b, c) })
	}
}

func delKeys(rdb redis.UniversalClient, pattern string) {
	ctx := context.Background()
	keys, _ := rdb.Keys(ctx, pattern).Result()
	if len(keys) > 0 {
		rdb.Del(ctx, keys...)
	}
}

func benchNbacRedis(b *testing.B, consumers int) {
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer rdb.Close()
	cfg := queue.Config{Name: uniqueName("nbac"), Workers: consumers, Prefetch: window, MaxAttempts: 3, DeadLetter: true, ShutdownTimeout: 5 * time.Second}
	q := queue.New(cfg, redisstream.New(cfg, redisstream.Options{Client: rdb}))
	defer delKeys(rdb, "nbac:q:{"+cfg.Name+"}*")
	defer q.Close()
	var cur atomic.Pointer[counter]
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- q.Consume(ctx, func(context.Context, *queue.Delivery) error { cur.Load().add(); return nil }, queue.ConsumeOptions{})
	}()
	defer func() { cancel(); <-done }()
	batch := make([]queue.Message, window)
	for i := range batch {
		batch[i] = queue.Message{Body: payload}
	}
	run(b, func(b *testing.B, n int) {
		cnt := newCounter(n)
		cur.Store(cnt)
		tctx, tcancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer tcancel()
		for i := 0; i < n; i += window {
			if err := q.PublishBatch(tctx, batch[:min(window, n-i)]); err != nil {
				b.Fatal(err)
			}
		}
		cnt.wait(b, tctx)
	})
}

// benchBareStreams is the anchor: pipelined XADD (256 per round trip),
// XREADGROUP COUNT 256, and one XACK per read batch.
func benchBareStreams(b *testing.B, consumers int) {
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer rdb.Close()
	stream := uniqueName("bare")
	defer rdb.Del(context.Background(), stream)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
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
	run(b, func(b *testing.B, n int) {
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
		tctx, tcancel := context.WithTimeout(ctx, 2*time.Minute)
		defer tcancel()
		cnt.wait(b, tctx)
	})
}

// benchAsynq enqueues one task per call (asynq has no batch enqueue) and
// processes with Concurrency = consumers.
func benchAsynq(b *testing.B, consumers int) {
	opt := asynq.RedisClientOpt{Addr: redisAddr}
	qname := uniqueName("asynq")
	client := asynq.NewClient(opt)
	defer client.Close()
	var cur atomic.Pointer[counter]
	srv := asynq.NewServer(opt, asynq.Config{
		Concurrency: consumers,
		Queues:      map[string]int{qname: 1},
		Logger:      nopLogger{},
	})
	mux := asynq.HandlerFunc(func(context.Context, *asynq.Task) error { cur.Load().add(); return nil })
	if err := srv.Start(mux); err != nil {
		b.Fatal(err)
	}
	defer srv.Shutdown()
	run(b, func(b *testing.B, n int) {
		cnt := newCounter(n)
		cur.Store(cnt)
		for range n {
			if _, err := client.Enqueue(asynq.NewTask("bench", payload), asynq.Queue(qname), asynq.MaxRetry(2)); err != nil {
				b.Fatal(err)
			}
		}
		tctx, tcancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer tcancel()
		cnt.wait(b, tctx)
	})
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer rdb.Close()
	delKeys(rdb, "asynq:{"+qname+"}*")
}

type nopLogger struct{}

func (nopLogger) Debug(...any) {}
func (nopLogger) Info(...any)  {}
func (nopLogger) Warn(...any)  {}
func (nopLogger) Error(...any) {}
func (nopLogger) Fatal(...any) {}
