// Package validate owns nbac's semantic checks on a lowered model: the rules
// a Kubernetes API server, HAProxy, Nginx or a broker would otherwise reject
// late or, worse, accept with a different meaning (DNS-1123 names, ports,
// quantities, durations, min <= max, weights, references between blocks, and
// the injection allow-lists of every string that reaches a load-balancer
// configuration).
//
// Model returns hcl.Diagnostics that point at the attribute that broke a
// rule, using the ranges each block keeps in its schema.Source. Checks are
// split by area, one file each (service.go, loadbalancer.go, runtime.go), so
// the rules for an artifact live beside each other.
package validate
