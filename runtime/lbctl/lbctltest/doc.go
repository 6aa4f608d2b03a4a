// Package lbctltest starts real HAProxy and Nginx processes and small HTTP
// backends on 127.0.0.1 for tests: ports are chosen free, processes run in
// a test's temp dir and are stopped by PID in t.Cleanup, and every wait is
// bounded. Tests that need a missing binary skip loudly, or fail when
// NBAC_REQUIRE_SERVICES=1. The helpers take TB, the part of testing.TB
// they use, so that testscript commands (cmd/nbac's live-systems scripts)
// start the same processes as Go tests do.
package lbctltest
