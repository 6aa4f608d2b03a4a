package kafka_test

import (
	"net"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/kafka"
	"github.com/nbac/nbac/runtime/queue/queuetest"
)

// advertised makes kfake tell clients to connect to another address (the
// suite's fault proxy) while it listens on its own.
type advertised struct {
	net.Listener
	addr net.Addr
}

func (a advertised) Addr() net.Addr { return a.addr }

func TestConformance(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close) // not defer: the suite's subtests are parallel and run after this returns
	// The fault test's broker: it listens on upstream, a port reserved
	// now, and advertises the proxy's address, so every connection of
	// the client (not just the bootstrap) goes through the proxy.
	reserve, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	upstream := reserve.Addr().String()
	reserve.Close()

	queuetest.Run(t, queuetest.Harness{
		Upstream: upstream,
		Open: func(t testing.TB, cfg queue.Config, via string) *queue.Queue {
			brokers := c.ListenAddrs()
			if via != "" {
				viaAddr, err := net.ResolveTCPAddr("tcp", via)
				if err != nil {
					t.Fatal(err)
				}
				fc, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.ListenFn(func(network, _ string) (net.Listener, error) {
					ln, err := net.Listen(network, upstream)
					if err != nil {
						return nil, err
					}
					return advertised{ln, viaAddr}, nil
				}))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(fc.Close)
				brokers = []string{via}
			}
			q := queue.New(cfg, kafka.New(cfg, kafka.Options{Brokers: brokers, Partitions: 4, ReplicationFactor: 1}))
			t.Cleanup(func() { q.Close() })
			return q
		},
	})
}
