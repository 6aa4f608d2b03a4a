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

// system is one implementation under test with its consumers running:
// round publishes n messages and returns once all were consumed and acked.
type system struct {
	name  string
	round func(b *testing.B, n int)
	stop  []func()
}

func (s *system) cleanup(f func()) { s.stop = append(s.stop, f) }

func (s *system) close() {
	for i := len(s.stop) - 1; i >= 0; i-- {
		s.stop[i]()
	}
}

type setup func(b *testing.B, consumers int) *system

// paired runs rounds of every system alternately, so that the load of a
// shared machine hits them alike, and reports each one's msg/s and CPU per
// message, and the first system's throughput relative to each other one.
func paired(b *testing.B, consumers, rounds int, setups ...setup) {
	systems := make([]*system, len(setups))
	for i, st := range setups {
		systems[i] = st(b, consumers)
		defer systems[i].close()
	}
	wall := make([]time.Duration, len(systems))
	cpu := make([]time.Duration, len(systems))
	n := 0
	for b.Loop() {
		for range rounds {
			for i, s := range systems {
				t0, c0 := time.Now(), cpuTime()
				s.round(b, nMsgs)
				wall[i] += time.Since(t0)
				cpu[i] += cpuTime() - c0
			}
			n += nMsgs
		}
	}
	rate := make([]float64, len(systems))
	for i, s := range systems {
		rate[i] = float64(n) / wall[i].Seconds()
		b.ReportMetric(rate[i], s.name+"-msg/s")
		// CPU time of this process per message (client side only; the
		// broker's CPU is not counted), steadier than wall time here.
		b.ReportMetric(float64(cpu[i].Nanoseconds())/float64(n), s.name+"-cpu-ns/msg")
	}
	for i := 1; i < len(systems); i++ {
		b.ReportMetric(rate[0]/rate[i], systems[0].name+"/"+systems[i].name)
	}
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
