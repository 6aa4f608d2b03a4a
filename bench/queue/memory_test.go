package queue

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/memory"
)

// BenchmarkMemory: one producer, 1 and 4 consumer workers; publish is one
// message per call or batches of 256. Target: at least 1M msg/s.
func BenchmarkMemory(b *testing.B) {
	for _, c := range consumerCounts {
		for _, batch := range []int{1, window} {
			b.Run(fmt.Sprintf("consumers=%d/batch=%d", c, batch), func(b *testing.B) {
				paired(b, c, 5, func(b *testing.B, c int) *system { return memorySystem(b, c, batch) })
			})
		}
	}
}

func memorySystem(b *testing.B, consumers, batchSize int) *system {
	cfg := queue.Config{Name: uniqueName("mem"), Workers: consumers, Prefetch: window, MaxAttempts: 3, DeadLetter: true, ShutdownTimeout: 5 * time.Second}
	q := queue.New(cfg, memory.Named("bench").Driver(cfg))
	s := &system{name: "nbac"}
	var cur atomic.Pointer[counter]
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- q.Consume(ctx, func(context.Context, *queue.Delivery) error { cur.Load().add(); return nil }, queue.ConsumeOptions{})
	}()
	s.cleanup(func() { cancel(); <-done })
	batch := make([]queue.Message, batchSize)
	for i := range batch {
		batch[i] = queue.Message{Body: payload}
	}
	s.round = func(b *testing.B, n int) {
		cnt := newCounter(n)
		cur.Store(cnt)
		tctx, tcancel := context.WithTimeout(context.Background(), time.Minute)
		defer tcancel()
		for i := 0; i < n; i += batchSize {
			if err := q.PublishBatch(tctx, batch[:min(batchSize, n-i)]); err != nil {
				b.Fatal(err)
			}
		}
		cnt.wait(b, tctx)
	}
	return s
}
