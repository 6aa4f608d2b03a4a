package kafka_test

import (
	"net"
	"sync"
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
	// Each fault test gets its own broker: it listens on an upstream
	// port reserved for that test and advertises the test's proxy
	// address, so every connection of the client (not just the bootstrap)
	// goes through the proxy. The fault tests run in parallel, hence one
	// upstream per test.
	var upstreams sync.Map // testing.TB -> string
	queuetest.Run(t, queuetest.Harness{
		NewUpstream: func(t testing.TB) string {
			reserve, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			up := reserve.Addr().String()
			reserve.Close()
			upstreams.Store(t, up)
			return up
		},
		Open: func(t testing.TB, cfg queue.Config, via string) *queue.Queue {
			brokers := c.ListenAddrs()
			if via != "" {
				up, ok := upstreams.Load(t)
				if !ok {
					t.Fatal("Open via a proxy without NewUpstream")
				}
				viaAddr, err := net.ResolveTCPAddr("tcp", via)
				if err != nil {
					t.Fatal(err)
				}
				fc, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.ListenFn(func(network, _ string) (net.Listener, error) {
					ln, err := net.Listen(network, up.(string))
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
