// Package estate generates realistic nbac configurations of any size for
// the compile benchmarks: N services (resources, probes, autoscale,
// ingress, env, secret references, uses), N/5 load balancers with 3 to 10
// backends that between them use every load balancer feature, caches and
// queues, spread over several files with variables and locals.
//
// Generation is deterministic: the same N and seed give the same bytes.
// The resolved Estate (every value as the configuration evaluates it) is
// also what the Helm and CUE anchors render, so all three describe the
// same objects.
package estate
