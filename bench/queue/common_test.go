package queue

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const (
	nMsgs     = 20_000
	msgSize   = 1 << 10
	window    = 256 // unconfirmed publishes / pipeline depth / prefetch
	amqpURL   = "amqp://guest:guest@127.0.0.1:5672/"
	amqpAddr  = "127.0.0.1:5672"
	redisAddr = "127.0.0.1:6379"
)

var payload = func() []byte {
	b := make([]byte, msgSize)
	for i := range b {
		b[i] = byte(rand.N(256))
	}
	return b
}()

var consumerCounts = []int{1, 4}

func need(b *testing.B, what, addr string) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		b.Skipf("SKIPPING: %s not reachable at %s: %v", what, addr, err)
	}
	c.Close()
}

func uniqueName(kind string) string {
	return fmt.Sprintf("nbacbench.%s.%d.%x", kind, os.Getpid(), rand.N(1<<32))
}

// run times b.N rounds of nMsgs; each round calls round, which must return
// once every message of the round was consumed and acked.
func run(b *testing.B, round func(b *testing.B, n int)) {
	b.SetBytes(nMsgs * msgSize)
	var total, cpu time.Duration
	for b.Loop() {
		start, c0 := time.Now(), cpuTime()
		round(b, nMsgs)
		total += time.Since(start)
		cpu += cpuTime() - c0
	}
	b.ReportMetric(float64(nMsgs*b.N)/total.Seconds(), "msg/s")
	// The machine is shared: CPU time this process spent per message is
	// steadier than wall time (it excludes the broker's own CPU).
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(nMsgs*b.N), "cpu-ns/msg")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// counter waits until n messages were counted.
type counter struct {
	n    atomic.Int64
	done chan struct{}
	want int64
}

func newCounter(want int) *counter { return &counter{done: make(chan struct{}), want: int64(want)} }

func (c *counter) add() {
	if c.n.Add(1) == c.want {
		close(c.done)
	}
}

func (c *counter) wait(b *testing.B, ctx context.Context) {
	select {
	case <-c.done:
	case <-ctx.Done():
		b.Fatalf("only %d of %d messages consumed before timeout", c.n.Load(), c.want)
	}
}
