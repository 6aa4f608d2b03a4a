package kafka

import (
	"context"
	"net"
	"time"

	kgo "github.com/segmentio/kafka-go"
)

// dialPatience bounds how long one dial keeps retrying a refused or
// failed connection. It matches the readers' session timeout: past it the
// broker has dropped the group member anyway.
const dialPatience = 10 * time.Second

// patientDialer returns a dialer whose connects retry, every 100 ms, until
// the broker answers, dialPatience passes or stop is closed.
//
// Why: kafka-go's consumer group, when its connection is cut, rejoins at
// once; if that first connect fails it forgets its member id and joins as
// a new member, and the broker then waits for the old (dead) member's
// session to expire, up to the session timeout, before assigning any
// partition: a 0.7 s cut stopped a reader for 10 s or more, and a delayed
// message crossing several tiers paid that once per tier. A connect that
// waits for the broker keeps the member id, so the rejoin is immediate.
func patientDialer(stop <-chan struct{}) *kgo.Dialer {
	nd := &net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}
	return &kgo.Dialer{
		Timeout: dialPatience,
		DialFunc: func(ctx context.Context, network, address string) (net.Conn, error) {
			for {
				c, err := nd.DialContext(ctx, network, address)
				if err == nil {
					return c, nil
				}
				select {
				case <-ctx.Done():
					return nil, err
				case <-stop:
					return nil, err
				case <-time.After(100 * time.Millisecond):
				}
			}
		},
	}
}
