// Package lbcheck runs the real validators on emitted load-balancer
// configurations: `haproxy -dW -c -f FILE` (warnings are fatal) and
// `nginx -t -q -c ABS_FILE -p PREFIX/` (any [warn] line is a failure, since
// Nginx has no fail-on-warning flag). It is an ordinary package, not a test
// helper file, so golden and example tests of every package can call it.
//
// Require(t) skips a test loudly when a binary is missing, or fails it when
// NBAC_REQUIRE_SERVICES=1 (CI installs haproxy, nginx and libnginx-mod-stream).
package lbcheck
