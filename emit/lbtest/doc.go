// Package lbtest holds the behaviour tests of nbac's load-balancer output:
// configs emitted by emit/haproxy and emit/nginx from schema.Model values
// run in real HAProxy and Nginx processes on 127.0.0.1 (free ports, temp
// dirs, stopped by PID), in front of small in-process Go HTTP backends.
// They check what the configs mean, not how they read: requests spread by
// weight, a backup takes over when the primaries are down, the rate limit
// answers 429, the cookie pins a client, plain HTTP redirects to https
// (with HSTS), tcp mode balances connections, X-Forwarded-For/Proto reach
// the backend and the health endpoint is answered by the load balancer;
// under live traffic (traffic_test.go, host_test.go), a client sending
// steadily over the rate limit still receives the limit, a backend killed
// mid-traffic costs no idempotent request, server_names refuses other Hosts
// (421/400) on IPv4 and IPv6, every redirect Location is well-formed, and
// HSTS is on the answers the load balancer writes itself;
// and runtime/lbctl drives the emitted HAProxy config (its naming agrees
// with the emitter's; disable/drain/enable move traffic; Sync adds and
// removes servers without a reload).
//
// The package has no non-test code but this comment. Tests skip loudly
// when haproxy or nginx is missing, and fail instead when
// NBAC_REQUIRE_SERVICES=1.
package lbtest
