// Package lbconf owns what the HAProxy and Nginx emitters share: which load
// balancers a target must emit, the resolved server list (static backends or
// the Kubernetes Service DNS name of `backends_from`), compiler-prefixed
// identifiers, duration rendering, the header comment, and the diagnostics
// helpers that name the block, attribute and target.
//
// It prints nothing itself: each format has exactly one printer, in its own
// package (emit/haproxy, emit/nginx), through which every argument passes.
package lbconf
