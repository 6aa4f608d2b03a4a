package memory_test

import (
	"testing"

	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/memory"
	"github.com/nbac/nbac/runtime/queue/queuetest"
)

func TestConformance(t *testing.T) {
	queuetest.Run(t, queuetest.Harness{
		Open: func(t testing.TB, cfg queue.Config, _ string) *queue.Queue {
			q := queue.New(cfg, memory.Named("test").Driver(cfg))
			t.Cleanup(func() { q.Close() })
			return q
		},
	})
}
