// Package lb compares the load balancers of a model with the running
// HAProxy through its runtime API (runtime/lbctl: servers, addresses,
// weights, admin states) for `nbac plan -live`, and carries out what `nbac
// lb sync` does for `nbac apply`. Nginx open source has no runtime API: a
// load balancer that targets only Nginx is named in the plan's notes.
package lb
