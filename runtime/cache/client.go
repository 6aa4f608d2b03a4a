package cache

import "github.com/redis/go-redis/v9"

// ConfigureClient sets the go-redis options the cache's fault bounds rely
// on; runtime.Open's clients get them, and a client passed to New should
// too:
//
//   - ContextTimeoutEnabled: the per-call context (l2.timeout) then bounds
//     socket reads and writes, not only dialing and waiting for a pooled
//     connection. Without it a hung Redis holds a read for ReadTimeout (5 s).
//   - DialerRetries 1: one dial per command attempt. go-redis's default (5
//     dials 100 ms apart, inside each of MaxRetries+1 command attempts) only
//     spends the caller's deadline against a refused port; the cache's
//     breaker, and a queue consumer's loop, do the retrying instead.
//
// DialTimeout, ReadTimeout, WriteTimeout and PoolTimeout keep go-redis's
// defaults: each cache call's context deadline is shorter and wins, and
// they still bound calls made without a deadline (queues, pub/sub).
func ConfigureClient(o *redis.UniversalOptions) {
	o.ContextTimeoutEnabled = true
	o.DialerRetries = 1
}
